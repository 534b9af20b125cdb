"""Resident ID numbers (GB 11643) via python-stdnum, with the checks a roster needs."""
from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from stdnum import numdb
from stdnum.cn import ric


class IdCheck(NamedTuple):
    number: str | None  # the 18-character number when it can be read as one, else None
    code: str | None  # issue code when something is wrong
    problem: str | None  # Chinese reason


def check_id(raw: object, today: _dt.date | None = None) -> IdCheck:
    """Validate an ID cell as read from the workbook (text, or a number that lost digits).
    ``today`` (default: the date now) is what a birth date may not come after."""
    number, code, problem, _birth = read_id(raw, today)
    return IdCheck(number, code, problem)


def read_id(raw: object, today: _dt.date | None = None) -> tuple[str | None, str | None, str | None, _dt.date | None]:
    """check_id's number, code and problem, and the birth date of a valid number: a plain tuple, since
    rosters need both for every row."""
    if type(raw) is str and _plain_number(raw):
        number = raw.upper()  # the usual cell: nothing to clean
    else:
        number, code, problem = _cleaned(raw)
        if code:
            return number, code, problem, None
    try:
        birth = birth_date(number)
    except ValueError:
        # The digits are not repeated: beside the masked ID they would give the whole number away.
        return number, "id-birthdate", "身份证号第7-14位（出生日期）不是有效日期", None
    if birth > (today or _dt.date.today()):
        return number, "id-birthdate", "身份证号第7-14位（出生日期）在今天之后", None
    if number[17] != ric.calc_check_digit(number):
        return number, "id-check-digit", \
            f"身份证号校验位错误：末位应为 {ric.calc_check_digit(number)}，实为 {number[17]}", None
    if not _known_area(number):
        return number, "id-area", f"身份证号前6位 {number[:6]} 不是已知的行政区划代码", None
    return number, None, None, birth


_LAST = frozenset("0123456789Xx")


def _plain_number(text: str) -> bool:
    """Whether ``text`` reads as an ID number as it stands: 17 digits, then a digit or X (or x).
    isascii: isdigit alone would also take other scripts' digits (١٢٣), which are no ID."""
    return len(text) == 18 and text.isascii() and text[:17].isdigit() and text[17] in _LAST


def _cleaned(raw: object) -> tuple[str | None, str | None, str | None]:
    """(18-character number, None, None) from a cell that is not already one, or (None, code, problem)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, "id-missing", "身份证号为空"
    if isinstance(raw, bool):
        return None, "id-format", "身份证号应为18位文本"
    if isinstance(raw, (int, float)):
        # An 18-digit number in a number cell keeps only 15 significant digits.
        return None, "id-stored-as-number", "身份证号以数字格式保存，后几位已丢失；请将该列设为文本格式后重新录入"
    text = raw if type(raw) is str and raw.isascii() else unicodedata.normalize("NFKC", str(raw))  # ASCII: as NFKC
    text = text.strip().replace(" ", "")
    number = text.upper()
    if len(number) != 18:
        return None, "id-length", f"身份证号应为18位，实为{len(number)}位"
    if not _plain_number(number):
        return None, "id-format", "身份证号含有非数字字符（末位只能是数字或X）"
    return number, None, None


def _known_area(number: str) -> bool:
    return _known_area_code(number[:6])


@lru_cache(maxsize=8192)  # a few thousand codes exist; numdb's lookup is a linear scan (~0.1 ms)
def _known_area_code(area: str) -> bool:
    # Any era counts: stdnum's own ric.validate also checks the area against the
    # birth year, which rejects 530114 for people born before 2011 although such
    # numbers are issued (area codes follow the place of registration).
    results = numdb.get("cn/loc").info(area)
    return any(props for _part, props in results)


def birth_date(number: str) -> _dt.date:
    """Digits 7-14 as a date (what ric.get_birth_date reads, without its per-call clean-up of a number
    that is already compact here); ValueError when they are not a date."""
    return _dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def gender(number: str) -> str:
    """男 for an odd 17th digit, 女 for an even one."""
    return "男" if int(number[16]) % 2 else "女"


def mask(number: object) -> str:
    """First 6 and last 4 characters kept, for 公示 and for messages."""
    text = str(number or "")
    if len(text) <= 10:
        return "*" * len(text)
    return text[:6] + "*" * (len(text) - 10) + text[-4:]


def mask_account(account: object) -> str:
    """Last 4 digits of a bank account, for messages."""
    text = str(account or "")
    return ("*" * max(0, len(text) - 4)) + text[-4:] if len(text) > 4 else "*" * len(text)


# A run of digits as long as an ID or a bank account (12 or more), its groups possibly parted by single
# spaces or hyphens (530114 19500230 1232, 6222-0200-1234-5678), an ID's final X included. \d matches
# every script's digits (full-width ones too). Groups after a separator have 3 or more digits, so dates
# (2026-01-01) and short numbers stay as they are.
_DIGIT_RUN = re.compile(r"(?<!\d)(?=[\d \-]{12})\d+(?:[ \-]\d{3,})*(?:[ \-]?[Xx](?![A-Za-z]))?")
_MAYBE_RUN = re.compile(r"[\d \-]{12}")  # a quick test first: most texts hold no such run
_RUN_DIGITS = 12  # a bank account has 12 to 19 digits; an ID 15 or 18 characters


def redact(text: str) -> str:
    """``text`` with anything that looks like an ID or a bank account masked as the tool masks them
    everywhere: an ID shape (15 digits, or 17 digits and a digit or X) keeps its first 6 and last 4, any
    other run of 12 or more digits its last 4. For every text the tool shows beside masked IDs: an ID or
    account typed into the wrong column (姓名, 性别, 起发年月 ...) must not appear there in full."""
    if len(text) < _RUN_DIGITS or not _MAYBE_RUN.search(text):
        return text
    return _DIGIT_RUN.sub(_masked_run, text)


def looks_like_id_or_account(text: str) -> bool:
    """Whether ``text`` holds a run of digits redact would mask."""
    return len(text) >= _RUN_DIGITS and _MAYBE_RUN.search(text) is not None and any(
        _digit_count(m.group(0)) >= _RUN_DIGITS for m in _DIGIT_RUN.finditer(text))


def _digit_count(run: str) -> int:
    return sum(ch not in " -" for ch in run)


def _masked_run(match: re.Match) -> str:
    run = match.group(0)
    chars = [ch for ch in run if ch not in " -"]
    if len(chars) < _RUN_DIGITS:
        return run
    compact = unicodedata.normalize("NFKC", "".join(chars)).upper()
    if len(compact) == 18 or (len(compact) == 15 and compact.isdigit()):
        return mask(compact)
    return mask_account(compact)
