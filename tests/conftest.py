"""Fixtures shared by the test modules."""
from __future__ import annotations

import stat
from pathlib import Path

import pytest

from subsidy_xl import service
from subsidy_xl.months import Quarter
from subsidy_xl.sample import load_sample
from subsidy_xl.template import build


@pytest.fixture(scope="session")
def demo_book(tmp_path_factory) -> Path:
    """The demo workbook refreshed for 2026Q2, built once per run. Read-only on disk, so that a test which
    would change it (and with it every later test's input) fails at once: copy it first."""
    path = tmp_path_factory.mktemp("demo") / "demo.xlsx"
    service.demo(path, Quarter(2026, 2))
    path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    return path


@pytest.fixture(scope="session")
def sample_book(tmp_path_factory) -> Path:
    """The sample data in the template, not refreshed (demo_book is), built once per run. Read-only on disk
    like demo_book: copy it before changing it."""
    path = build(tmp_path_factory.mktemp("sample") / "sample.xlsx", load_sample())
    path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    return path
