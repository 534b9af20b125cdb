"""The Issue record: one row of the 问题清单 sheet and of `check --format json`."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Sequence

from .idcard import redact
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

    def __post_init__(self) -> None:
        # Whatever a check put in the value or the message, an ID or bank account in it is shown masked
        # (e.g. an ID typed into 性别 quoted by the choice check): every output of issues goes through here.
        for name in ("value", "message"):
            text = getattr(self, name)
            if type(text) is str and len(text) >= 12:
                object.__setattr__(self, name, redact(text))

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
    text = redact(str(value))  # before shortening: a cut would leave part of an ID unmasked
    return text if len(text) <= 60 else text[:57] + "…"


SHEET_ROWS = 1_048_576  # rows of an Excel worksheet
MAX_LISTED = SHEET_ROWS - 2  # issues a 问题清单 sheet lists: its header row and the summary row take the rest


def listed(issues: Sequence[Issue], cap: int | None = None) -> tuple[Sequence[Issue], Issue | None]:
    """The issues a 问题清单 sheet lists (the first ``cap``, errors first as sorted) and, when some are left
    out, the row that says how many and which severities."""
    cap = MAX_LISTED if cap is None else cap
    if len(issues) <= cap:
        return issues, None
    rest = issues[cap:]
    first = rest[0]
    return issues[:cap], Issue("issues-left-out", first.severity, "", "", str(len(rest)),
                               f"{left_out_text(len(issues), cap)}（{counts_text(list(rest))}）", "工作表行数上限")


def left_out_text(total: int, cap: int | None = None) -> str:
    """What the CLI and the 问题清单 say when more issues were found than a sheet holds; "" when none was."""
    cap = MAX_LISTED if cap is None else cap
    if total <= cap:
        return ""
    return (f"问题清单只列出前{cap}条，其余{total - cap}条未列出（工作表行数有限）；"
            "请先改正已列出的问题，或用 check --format json 查看全部")
