import errno
from test_reliability_saving import *  # noqa
from reliability_support import run_cli

def test_dbg(book, form, monkeypatch):
    fail_at_member(monkeypatch, 1, OSError(errno.ENOSPC, "No space left on device"))
    run_cli("--debug", *command("refresh", book, form))
