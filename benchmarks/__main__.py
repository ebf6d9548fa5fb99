"""`python -m benchmarks [graph|optimizer|usgs] [ARGS...]` (or `make bench`): speed against baselines and targets.

Without a name, all run with their defaults. `graph` and `optimizer` print their own table of times and ratios on
data they generate with a fixed seed; `usgs` imports the four USGS releases from ../shared/data into a temporary
SQLite database (nothing else is read or written).
"""

from __future__ import annotations

import sys

SUITES = ("graph", "optimizer", "usgs")


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
        elif name == "optimizer":
            from benchmarks import optimizer

            optimizer.main(args)
        else:
            from benchmarks import usgs

            usgs.main(args)


if __name__ == "__main__":
    main()
