"""The Issue record: one row of the 问题清单 sheet and of `check --format json`."""
from __future__ import annotations

from dataclasses import asdict, dataclass

from .schema import SEVERITY_LABELS

ERROR, WARNING, INFO = "error", "warning", "info"
_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}


@dataclass(frozen=True)
class Issue:
    code: str  # stable kebab-case identifier, e.g. "id-check-digit"
    severity: str  # error | warning | info
    sheet: str
    cell: str  # A1 form, "" when the issue is about the whole sheet or book
    value: str  # the offending value as text ("" when none)
    message: str  # Chinese, says what is wrong and what to do
    basis: str = ""  # the rule or figure it was checked against

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS[self.severity]


def sort_issues(issues: list[Issue]) -> list[Issue]:
    """Errors first, then by sheet order of appearance and cell position."""
    from .cells import cell_sort_key

    return sorted(issues, key=lambda i: (_ORDER[i.severity], i.sheet, cell_sort_key(i.cell), i.code))


def count_by_severity(issues: list[Issue]) -> dict[str, int]:
    counts = {ERROR: 0, WARNING: 0, INFO: 0}
    for i in issues:
        counts[i.severity] += 1
    return counts


def counts_text(issues: list[Issue]) -> str:
    """问题：错误2条、警告1条、提示0条 — the tail of every use case's summary."""
    c = count_by_severity(issues)
    return f"问题：错误{c[ERROR]}条、警告{c[WARNING]}条、提示{c[INFO]}条"


def shown(value: object) -> str:
    """A cell value as text for the 值 column, short enough to read."""
    if value is None:
        return ""
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"
