"""Time the 全部刷新 macro through the xlwings remote engine (the live adapter's reads,
the use case, and its writes as JSON actions), on the demo workbook
(``subsidy-xl demo``) with its rosters repeated ``scale`` times (each copy with
fresh, valid IDs).

Run: python benchmarks/remote_refresh.py [scale ...]   e.g. 1 10 50
Excel's own COM transfer is not included: the remote engine hands Python the
values directly. xlwings.pro (PolyForm Noncommercial) is used here, as in tests.
"""
from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # runs from a checkout, installed or not

from excel_support import payload, remote_engine  # noqa: E402
from subsidy_xl import service  # noqa: E402
from subsidy_xl.excel import macros  # noqa: E402
from subsidy_xl.months import Quarter  # noqa: E402
from subsidy_xl.sample import make_id  # noqa: E402
from subsidy_xl.schema import ROSTERS  # noqa: E402

QUARTER = Quarter(2026, 2)


class QuietUi:
    def status(self, text):
        pass

    def message(self, text, title, critical=False):
        if critical:
            raise RuntimeError(text)


def scaled(data: dict, scale: int, seed: int = 7) -> tuple[dict, int]:
    """The payload with each roster's data rows repeated ``scale`` times; returns it and the roster rows."""
    rng = random.Random(seed)
    rows = 0
    for spec in ROSTERS:
        sheet = next(s for s in data["sheets"] if s["name"] == spec.name)
        header, people = sheet["values"][0], [r for r in sheet["values"][1:] if any(v != "" for v in r)]
        id_col = header.index(spec.column("id").header)
        copies = []
        for k in range(1, scale):
            for r in people:
                r = list(r)
                number = str(r[id_col])
                if len(number) == 18 and number[:17].isdigit():  # the sample's deliberately bad IDs stay as they are
                    r[id_col] = make_id(rng, int(number[6:10]), int(number[16]) % 2 == 1)
                copies.append(r)
        sheet["values"] = [header] + people + copies
        rows += len(people) + len(copies)
    return data, rows


def main(scales: list[int]) -> None:
    xw = remote_engine()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo.xlsx"
        service.demo(path, QUARTER)
        for scale in scales:
            data, rows = scaled(payload(path), scale)
            times, actions = [], 0
            for _ in range(3):
                book = xw.Book(json=data)
                start = time.perf_counter()
                macros.refresh_all(book, QuietUi(), quarter=QUARTER)
                times.append(time.perf_counter() - start)
                actions = len(book.json()["actions"])
            median = statistics.median(times)
            print(f"scale {scale:>3}: {rows:>6} roster rows  refresh median {median:7.3f} s  "
                  f"{median / rows * 1000:6.3f} ms/row  {actions} JSON actions")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1, 10, 50])
