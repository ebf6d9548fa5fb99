"""`python -m benchmarks [graph|optimizer] [ARGS...]` (or `make bench`): speed against a naive baseline and the floor.

Without a name, both run with their defaults. Each prints its own table of times and ratios on data it generates
with a fixed seed; nothing is read from or written to the database.
"""

from __future__ import annotations

import sys

SUITES = ("graph", "optimizer")


def main(argv: list[str] | None = None) -> None:
    """Run the named benchmark suite (or all) with the remaining arguments."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ("-h", "--help"):
        print(__doc__)
        return
    names = [args.pop(0)] if args and args[0] in SUITES else list(SUITES)
    for name in names:
        print(f"\n### benchmark: {name}\n", flush=True)
        if name == "graph":
            from benchmarks import graph

            graph.main(args)
        else:
            from benchmarks import optimizer

            optimizer.main(args)


if __name__ == "__main__":
    main()
