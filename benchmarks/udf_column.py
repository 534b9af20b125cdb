"""Time the worksheet functions given whole columns, as Excel passes them (2D lists).

Run: python benchmarks/udf_column.py [rows]. Prints seconds per call and per row;
the target is 100,000 rows of ONE_OFF_SUBSIDY in under 0.3 s of Python time
(Excel's own transfer of the range over COM comes on top).
"""
from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # runs from a checkout, installed or not

from subsidy_xl.excel import udfs  # noqa: E402

POSTS = ("社区党组织书记", "居委会主任", "社区党总支书记、居委会主任", "副书记", "居委会副主任", "监委会主任",
         "一肩挑", "正职", "副职", "书计")


def columns(rows: int, seed: int = 4) -> dict[str, list[list[object]]]:
    rng = random.Random(seed)
    return {
        "role": [[rng.choice(POSTS)] for _ in range(rows)],
        "terms": [[float(rng.randint(0, 4))] for _ in range(rows)],
        "years": [[float(rng.randint(0, 20))] for _ in range(rows)],
        "standard": [[float(rng.choice((600, 660, 680.5, 720)))] for _ in range(rows)],
        "start": [[f"20{rng.randint(10, 26):02d}-{rng.randint(1, 12):02d}"] for _ in range(rows)],
        "id": [[f"530114{rng.randint(1940, 1970)}0{rng.randint(1, 9)}1{rng.randint(0, 9)}{rng.randint(1000, 9999)}"]
               for _ in range(rows)],
    }


def timed(label: str, rows: int, fn, *args, repeat: int = 5) -> None:
    """Median of ``repeat`` calls; each call starts cold (Excel calls the function afresh)."""
    fn(*[a[:10] if isinstance(a, list) else a for a in args])  # first-use costs of the parsers (regex compiles)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn(*args)
        times.append(time.perf_counter() - start)
        assert len(out) == rows
    median = statistics.median(times)
    print(f"{label:<42} {rows:>8} rows  median {median:6.3f} s  max {max(times):6.3f} s  "
          f"{median / rows * 1e6:6.2f} µs/row")


def main(rows: int = 100_000) -> None:
    c = columns(rows)
    timed("ONE_OFF_SUBSIDY(role, terms, years)", rows, udfs.ONE_OFF_SUBSIDY, c["role"], c["terms"], c["years"])
    timed("ONE_OFF_SUBSIDY(role, terms)", rows, udfs.ONE_OFF_SUBSIDY, c["role"], c["terms"])
    timed("ONE_OFF_MONTHS(terms, years)", rows, udfs.ONE_OFF_MONTHS, c["terms"], c["years"])
    timed("POST_RATE(role)", rows, udfs.POST_RATE, c["role"])
    timed("LIVING_SUBSIDY(standard, start, , 2026Q2)", rows, udfs.LIVING_SUBSIDY, c["standard"], c["start"], None,
          "2026Q2")
    timed("ID_CHECK(id) (distinct IDs: no memo)", rows, udfs.ID_CHECK, c["id"], repeat=1)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
