"""`python -m benchmarks [graph|optimizer|usgs|fusion] [ARGS...]` (or `make bench`): speed against baselines, targets.

Without a name, all run with their defaults. `graph` and `optimizer` print their own table of times and ratios on
data they generate with a fixed seed; `usgs` imports the four USGS releases from ../shared/data into a temporary
SQLite database (nothing else is read or written); `fusion` loads the seed and imports USGS, IEA and CSET from
../shared/data into a temporary SQLite database, then times the analysis of the fused seed+usgs+iea+cset graph.
"""

from __future__ import annotations

import sys

SUITES = ("graph", "optimizer", "usgs", "fusion")


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
        elif name == "fusion":
            from benchmarks import fusion

            fusion.main(args)
        else:
            from benchmarks import usgs

            usgs.main(args)


if __name__ == "__main__":
    main()
