"""Files that live beside the package in the repository (templates/, workbook/)
and inside it once installed from a wheel (as subsidy_xl.templates / .workbook)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

_REPO = Path(__file__).resolve().parent.parent


def project_path(folder: str, *parts: str) -> Path:
    """templates/… or workbook/…: the checkout's copy when there is one, else the installed one."""
    in_repo = _REPO.joinpath(folder, *parts)
    if in_repo.exists() or (_REPO / "pyproject.toml").exists():
        return in_repo
    # Installed: a data-only (namespace) package, so take its directory from the import system.
    spec = importlib.util.find_spec(f"subsidy_xl.{folder}")
    return Path(list(spec.submodule_search_locations)[0]).joinpath(*parts)
