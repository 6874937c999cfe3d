"""How long loading every ladder takes: `python bench/frameworks_load.py [--runs N] [--dir DIR ...]`.

Prints a table (no assertions): the first load in a fresh process (which also compiles the JSON
Schema check), then mean and p95 over N further loads, and the one-off search index build.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from frameworks import load_library
from frameworks.loader import bundled_paths
from frameworks.search import _library_index


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="timed loads after the first (default 200)")
    parser.add_argument("--dir", action="append", type=Path, default=[], help="extra ladder directory")
    args = parser.parse_args()

    start = time.perf_counter()
    library = load_library(args.dir)
    first = _ms(start)

    timings = []
    for _ in range(args.runs):
        start = time.perf_counter()
        load_library(args.dir)
        timings.append(_ms(start))
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]

    start = time.perf_counter()
    _library_index(library)
    index = _ms(start)

    files = len(bundled_paths()) + sum(len(list(d.glob("*.y*ml"))) for d in args.dir)
    rows = [
        ("files", str(files)),
        ("frameworks", str(len(library))),
        ("behaviours", str(library.behaviour_count)),
        ("loads timed", str(args.runs)),
        ("first load ms (incl. schema compile)", f"{first:.1f}"),
        ("mean load ms", f"{statistics.mean(timings):.1f}"),
        ("p95 load ms", f"{p95:.1f}"),
        ("search index build ms (once per library)", f"{index:.1f}"),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"{'measure':<{width}}  value")
    print(f"{'-' * width}  -----")
    for name, value in rows:
        print(f"{name:<{width}}  {value:>5}")
    print(f"python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
