"""Issue 13, leaks: no output shows what a masked ID hides (digits 7-14), and an ID or bank account typed
into the wrong column (姓名, 性别, 起发年月, 月补贴标准 ...) is masked in every output: `check` text and
JSON, the 问题清单 written by `refresh`, and every file `export` writes (问题清单 .csv/.xlsx, 公示 .xlsx,
manifest, 提交清单). The hypothesis test plants generated IDs and accounts in random cells and scans
every output for their unmasked digits."""
from __future__ import annotations

import datetime as dt
import html
import json
import os
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from reliability_support import network_forbidden, run_cli  # noqa: F401 - autouse guard
from subsidy_xl.io.reader import read_book
from subsidy_xl.months import YearMonth
from subsidy_xl.sample import load_sample
from subsidy_xl.schema import ISSUES_SHEET, LIVING, ONE_OFF
from subsidy_xl.template import build

HUNT = os.environ.get("SUBSIDY_XL_EXAMPLES")
SETTINGS = settings(max_examples=int(HUNT or 12), deadline=None, derandomize=not HUNT,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.fixture(scope="module")
def small_book(tmp_path_factory) -> Path:
    """The template with six people in each roster (fast to refresh and export many times)."""
    data = load_sample()
    data[LIVING.name] = data[LIVING.name][:6]
    data[ONE_OFF.name] = data[ONE_OFF.name][:6]
    return build(tmp_path_factory.mktemp("leaks") / "small.xlsx", data)


def _with_id(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")


def outputs(book: Path, work: Path) -> dict[str, str]:
    """Everything the commands show or write about ``book``, as text, by where it came from."""
    texts = {}
    run = run_cli("check", book)
    texts["check"] = run.out + run.err
    run = run_cli("check", book, "--format", "json")
    texts["check --format json"] = run.out + run.err + json.dumps(json.loads(run.out), ensure_ascii=False)
    refreshed = work / "refreshed.xlsx"
    run = run_cli("refresh", book, "-o", refreshed, "--quarter", "2026Q2", "-q")
    assert run.code in (0, 1), run.text
    texts["refresh"] = run.out + run.err
    texts["问题清单"] = json.dumps(read_book(refreshed).grid(ISSUES_SHEET), ensure_ascii=False, default=str)
    package = work / "package"
    run = run_cli("export", book, "-o", package, "--quarter", "2026Q2", "--no-pdf", "-q")
    assert run.code in (0, 1), run.text
    texts["export"] = run.out + run.err
    for f in package.iterdir():
        if f.suffix == ".xlsx":
            with zipfile.ZipFile(f) as z:
                texts[f.name] = html.unescape(" ".join(z.read(n).decode("utf-8", "replace")
                                                       for n in z.namelist() if n.endswith(".xml")))
        else:
            texts[f.name] = f.read_text(encoding="utf-8-sig")
    return texts


def _leaks(texts: dict[str, str], secrets: list[str]) -> list[tuple[str, str]]:
    return [(where, s) for where, text in texts.items() for s in secrets if s in text]


# ------------------------------------------------------------------------------ what a message said beside a masked ID

def test_no_output_holds_the_birth_digits_of_a_masked_id(small_book, tmp_path):
    """An impossible birth date (19500230) and one after today, in the ID column; an under-age start
    (the month a person comes of age is birth year + 60 and birth month)."""
    wb = openpyxl.load_workbook(small_book)
    ws = wb[LIVING.name]
    col = {h: i + 1 for i, h in enumerate(LIVING.headers)}
    bad_date = _with_id("53011419500230123")
    future = _with_id(f"530114{dt.date.today().year + 1}0612123")
    young = _with_id("53011419710419123")  # a man of age 60 from 2031-04
    ws.cell(2, col["身份证号"], bad_date)
    ws.cell(3, col["身份证号"], future)
    ws.cell(4, col["身份证号"], young)
    ws.cell(4, col["性别"], "男")
    ws.cell(4, col["起发年月"], "2019-01")
    book = tmp_path / "book.xlsx"
    wb.save(book)
    texts = outputs(book, tmp_path)
    masked = bad_date[:6] + "********" + bad_date[-4:]
    assert masked in texts["check --format json"] and masked in texts["问题清单"] and masked in texts["问题清单_2026Q2.csv"]
    secrets = [bad_date[6:14], future[6:14], young[6:14], str(YearMonth(2031, 4)), "2031年4月"]
    assert _leaks(texts, secrets) == []
    codes = json.loads(run_cli("check", book, "--format", "json").out)
    assert {i["code"] for i in codes if i["cell"] in ("F2", "F3")} == {"id-birthdate"}
    assert any(i["code"] == "living-under-age" for i in codes)  # still reported, without the month


# ------------------------------------------------------------------------------ IDs and accounts anywhere

WRONG_COLUMNS = {LIVING.name: ["姓名", "性别", "起发年月", "月补贴标准", "社区", "原任最高职务", "开户行", "停发原因",
                               "备注", "街道"],
                 ONE_OFF.name: ["姓名", "性别", "离任年月", "连续任满届数", "社区", "离任时职务", "开户行", "备注"]}
AREAS = ("530114", "530102", "110101", "440305")


@st.composite
def secrets(draw):
    """(text as typed, the substrings no output may show): an ID (valid) or a bank account, plain, with
    spaces, in full-width digits or inside other text."""
    if draw(st.booleans()):
        birth = draw(st.dates(dt.date(1935, 1, 1), dt.date(1975, 12, 31)))
        number = _with_id(f"{draw(st.sampled_from(AREAS))}{birth:%Y%m%d}{draw(st.integers(0, 999)):03d}")
        middle = number[6:14]
        forms = {"plain": number, "spaced": f"{number[:6]} {number[6:14]} {number[14:]}",
                 "full": number.translate(FULL_WIDTH), "inside": f"身份证{number}号"}
        hidden = [middle, middle.translate(FULL_WIDTH)]
    else:
        number = "62" + "".join(map(str, draw(st.lists(st.integers(0, 9), min_size=14, max_size=17))))
        forms = {"plain": number, "spaced": " ".join(number[i:i + 4] for i in range(0, len(number), 4)),
                 "full": number.translate(FULL_WIDTH), "inside": f"卡号{number}"}
        hidden = [number[:-4], number[:-4].translate(FULL_WIDTH), " ".join(number[i:i + 4] for i in range(0, 8, 4))]
    form = draw(st.sampled_from(sorted(forms)))
    return forms[form], hidden


@st.composite
def plantings(draw):
    """1-3 cells of existing people, each given a secret."""
    n = draw(st.integers(1, 3))
    chosen = []
    for _ in range(n):
        sheet = draw(st.sampled_from(sorted(WRONG_COLUMNS)))
        header = draw(st.sampled_from(WRONG_COLUMNS[sheet]))
        row = draw(st.integers(2, 7))
        chosen.append((sheet, header, row, draw(secrets())))
    return chosen


@SETTINGS
@given(plants=plantings())
def test_an_id_or_account_in_any_column_is_masked_in_every_output(small_book, plants):
    wb = openpyxl.load_workbook(small_book)
    where = {}
    for sheet, header, row, (text, hidden) in plants:
        spec = LIVING if sheet == LIVING.name else ONE_OFF
        col = spec.headers.index(header)
        wb[sheet].cell(row, col + 1, text)
        where[(sheet, f"{chr(65 + col)}{row}")] = (header, hidden)
    with tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp) / "book.xlsx"
        wb.save(book)
        texts = outputs(book, Path(tmp))
        leaked = _leaks(texts, [h for _header, hidden in where.values() for h in hidden])
        assert leaked == [], leaked
        # each planted cell is reported (备注 may hold anything, and is only masked)
        issues = json.loads(run_cli("check", book, "--format", "json").out)
        reported = {(i["sheet"], i["cell"]) for i in issues}
        for (sheet, cell), (header, _hidden) in where.items():
            if header != "备注":
                assert (sheet, cell) in reported, (sheet, cell, header)
        for (sheet, cell), (header, _hidden) in where.items():
            if header == "姓名":
                assert any(i["code"] == "id-like-text" and (i["sheet"], i["cell"]) == (sheet, cell) for i in issues)


def test_what_redact_masks_and_what_it_leaves():
    """The mask is for runs of 12 or more digits only: dates, times, row numbers, amounts stay readable."""
    from subsidy_xl.idcard import redact

    assert redact("身份证号530114195002301232") == "身份证号530114********1232"
    assert redact("530114 19500230 123x") == "530114********123X"
    assert redact("卡号 6222 0200 1234 5678 901") == "卡号 ***************8901"
    assert redact("５３０１１４１９５００２３０１２３２") == "530114********1232"
    for kept in ("2026-03-02 09:30:00", "第104857行", "1,234,567,890元", "13900000001", "2013-01至2016-12"):
        assert redact(kept) == kept


def test_an_id_pasted_over_a_name_is_flagged_and_never_published(small_book, tmp_path):
    """The issue's own case: an ID pasted over 姓名 raised no issue and was printed whole in the 公示 file."""
    wb = openpyxl.load_workbook(small_book)
    ws = wb[LIVING.name]
    pasted = _with_id("53011419500714123")
    name_col = LIVING.headers.index("姓名")
    ws.cell(2, name_col + 1, pasted)
    book = tmp_path / "book.xlsx"
    wb.save(book)
    texts = outputs(book, tmp_path)
    public = [name for name in texts if name.startswith("公示_")]
    assert public  # the 公示 workbook was written and scanned
    assert _leaks(texts, [pasted[6:14]]) == []
    issues = json.loads(run_cli("check", book, "--format", "json").out)
    flagged = [i for i in issues if i["cell"] == f"{chr(65 + name_col)}2" and i["sheet"] == LIVING.name]
    assert [i["code"] for i in flagged] == ["id-like-text"]
    assert flagged[0]["value"] == pasted[:6] + "********" + pasted[-4:]
