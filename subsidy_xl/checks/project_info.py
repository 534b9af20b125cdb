"""项目信息: stated totals against their parts, the unit's credit code, the year."""
from __future__ import annotations

from typing import Mapping

from stdnum.cn import uscc
from stdnum.exceptions import ValidationError

from ..cell_errors import error_message, is_error_value
from ..issues import ERROR, WARNING, Issue, shown
from ..params import Params, whole_number
from ..schema import PROJECT_INFO_ITEMS, PROJECT_INFO_SHEET

LABELS = dict(PROJECT_INFO_ITEMS)

# A stated total and the parts it must equal.
STAFF_SUMS = (
    ("staff_quota", ("admin_quota", "institution_quota")),
    ("staff_actual", ("fully_funded", "partly_funded", "not_funded")),
)


def _count(value: object) -> int | None:
    """A number of people (“12” or “12人”) or a year: a whole number, as in the 参数 sheet."""
    if isinstance(value, str):
        value = value.strip().rstrip("人")
    return whole_number(value)


def check_project_info(info: Mapping[str, object], cells: Mapping[str, str], params: Params) -> list[Issue]:
    """``info``: key -> value; ``cells``: key -> A1 of its 内容 cell."""
    issues = [Issue("cell-error-value", ERROR, PROJECT_INFO_SHEET, cells.get(k, ""), v, error_message(LABELS[k], v),
                    "项目信息") for k, v in info.items() if is_error_value(v)]
    info = {k: (None if is_error_value(v) else v) for k, v in info.items()}  # reported once, never read as a value
    for total_key, part_keys in STAFF_SUMS:
        total = _count(info.get(total_key))
        parts = [_count(info.get(k)) for k in part_keys]
        for k, v in zip((total_key, *part_keys), (total, *parts)):
            if info.get(k) not in (None, "") and v is None:
                issues.append(Issue("info-not-a-count", ERROR, PROJECT_INFO_SHEET, cells.get(k, ""), shown(info.get(k)),
                                    f"“{LABELS[k]}”应为人数（整数）", "项目信息"))
        if total is None or any(p is None for p in parts):
            continue
        if total != sum(parts):
            names = "+".join(LABELS[k] for k in part_keys)
            figures = "+".join(str(p) for p in parts)
            issues.append(Issue("info-sum-mismatch", ERROR, PROJECT_INFO_SHEET, cells.get(total_key, ""), str(total),
                                f"“{LABELS[total_key]}”为{total}人，但{names}={figures}={sum(parts)}人",
                                f"{LABELS[total_key]}应等于{names}"))
    code = info.get("credit_code")
    if code not in (None, ""):
        try:
            uscc.validate(str(code).strip())
        except ValidationError:
            issues.append(Issue("credit-code-invalid", ERROR, PROJECT_INFO_SHEET, cells.get("credit_code", ""), shown(code),
                                "统一社会信用代码无效（长度、字符或校验位不符）", "GB 32100 统一社会信用代码"))
    year = _count(info.get("budget_year"))
    if year is not None and year != params.budget_year:
        issues.append(Issue("info-year-mismatch", WARNING, PROJECT_INFO_SHEET, cells.get("budget_year", ""), str(year),
                            f"项目信息的预算年度为{year}，参数表为{params.budget_year}", "参数表“预算年度”"))
    return issues
