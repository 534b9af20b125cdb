"""Checks on who the people are: ID numbers, gender against the ID, duplicates
within a roster, across streets and across the two rosters."""
from __future__ import annotations

import datetime as _dt

from ..idcard import gender, mask, read_id
from ..issues import ERROR, WARNING, Issue
from ..rosters import RosterData

ID_BASIS = "GB 11643 公民身份号码"


def check_ids(roster: RosterData) -> list[Issue]:
    """Validate every ID; store the valid number and birth date on the record."""
    issues = []
    if "id" not in roster.cols:
        return issues
    today = _dt.date.today()
    for rec in roster.records:
        if "id" in rec.bad:  # an error value (#REF! ...), reported at its cell by the roster reader
            continue
        raw = rec.values.get("id")  # the cell as read, None when blank
        if raw is None:  # a blank cell; only whitespace typed there still shows in the issue (masked)
            raw = rec.raw.get("id")
        number, code, problem, birth = read_id(raw, today)
        values = rec.values
        values["id_number"] = None if code else number
        values["id_text"] = number  # readable even when the check digit is wrong
        if code:
            issues.append(Issue(code, ERROR, rec.sheet, rec.cell("id"), mask(number or raw),
                                f"{rec.who}：{problem}", ID_BASIS))
            continue
        values["birth"] = birth
        stated = values.get("gender")
        if stated in ("男", "女") and stated != gender(number):
            issues.append(Issue("gender-mismatch", ERROR, rec.sheet, rec.cell("gender"), stated,
                                f"{rec.who}：性别填“{stated}”，身份证号第17位表示“{gender(number)}”",
                                ID_BASIS + "：第17位奇数为男、偶数为女"))
    return issues


def check_duplicates(rosters: list[RosterData]) -> list[Issue]:
    """The same person twice: within a roster (same or another street) and across rosters."""
    issues = []
    first_seen: dict[str, dict[str, object]] = {}  # id -> roster name -> first record
    for roster in rosters:
        for rec in roster.records:
            number = rec.values.get("id_number")
            if not number:
                continue
            seen = first_seen.setdefault(number, {})
            earlier = seen.get(roster.spec.name)
            if earlier is None:
                for other_name, other in seen.items():
                    issues.append(Issue("person-in-both-rosters", WARNING, rec.sheet, rec.cell("id"), mask(number),
                                        f"{rec.who} 同时在“{other_name}”{other.cell('id')}，请核实是否重复享受",
                                        "同一人不应同时享受两项补助，除非另有批准"))
                seen[roster.spec.name] = rec
                continue
            rec.values["duplicate_of"] = earlier.cell("id")
            if earlier.values.get("street") != rec.values.get("street"):
                issues.append(Issue("person-two-streets", ERROR, rec.sheet, rec.cell("id"), mask(number),
                                    f"{rec.who} 在“{rec.values.get('street')}”和“{earlier.values.get('street')}”"
                                    f"（{earlier.cell('id')}）各报一次，同一人只能由一个街道上报",
                                    "一人一档"))
            else:
                issues.append(Issue("person-duplicate", ERROR, rec.sheet, rec.cell("id"), mask(number),
                                    f"{rec.who} 与 {earlier.cell('id')} 是同一身份证号，重复登记", "一人一档"))
    return issues

