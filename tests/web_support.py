"""Helpers of the web page's tests (tests/test_web_*.py)."""
from __future__ import annotations

import contextlib
import shutil
import threading
from pathlib import Path

from subsidy_xl.web.server import Server


@contextlib.contextmanager
def serving(folder: Path, demo_book: Path):
    """The real server (waitress on 127.0.0.1, a free port) on ``folder`` holding a copy of the demo book as
    demo.xlsx; yields (server, thread); closed and joined afterwards."""
    folder.mkdir()
    shutil.copyfile(demo_book, folder / "demo.xlsx")
    server = Server(folder, 0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield server, thread
    finally:
        server.close()
        thread.join(30)
