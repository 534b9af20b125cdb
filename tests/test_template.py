"""The committed template is what the code generates, and carries the contract."""
import re
import zipfile

import openpyxl
import pytest

from subsidy_xl.schema import LIVING, ONE_OFF, PROJECT_INFO_ITEMS, SHEET_ORDER, STYLES
from subsidy_xl.template import TEMPLATE_PATH, build

MODIFIED = re.compile(rb"<dcterms:modified[^>]*>[^<]*</dcterms:modified>")


def _parts(path):
    with zipfile.ZipFile(path) as z:
        return {n: MODIFIED.sub(b"", z.read(n)) for n in z.namelist()}


def test_regenerating_the_template_gives_the_committed_content(tmp_path):
    fresh = _parts(build(tmp_path / "t.xlsx"))
    committed = _parts(TEMPLATE_PATH)
    assert fresh.keys() == committed.keys()
    changed = [n for n in fresh if fresh[n] != committed[n]]
    assert not changed, f"run `python -m subsidy_xl.template`; differing parts: {changed}"


@pytest.fixture(scope="module")
def wb():
    return openpyxl.load_workbook(TEMPLATE_PATH)


def test_sheets_in_order(wb):
    assert wb.sheetnames[:len(SHEET_ORDER)] == list(SHEET_ORDER)


@pytest.mark.parametrize("spec", [LIVING, ONE_OFF])
def test_roster_contract(wb, spec):
    ws = wb[spec.name]
    assert [c.value for c in ws[1]][:len(spec.columns)] == spec.headers
    table = ws.tables[spec.table]
    assert table.ref.startswith("A1:")
    assert ws.freeze_panes == "A2"
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$1:$1"
    validated = {str(dv.sqref).split(":")[0].rstrip("0123456789") for dv in ws.data_validations.dataValidation}
    for col in spec.columns:
        letter = openpyxl.utils.get_column_letter(spec.columns.index(col) + 1)
        if col.choices:
            assert letter in validated, col.header
        if col.kind in ("id", "account"):
            assert ws.column_dimensions[letter].number_format == "@", col.header


def test_contract_headers_are_the_issue_s():
    assert LIVING.headers == ["序号", "街道", "社区", "姓名", "性别", "身份证号", "原任最高职务", "任职起始年月", "离任年月",
                              "连续任职年限", "累计任职年限", "连续任职届数", "累计任职届数", "月补贴标准", "起发年月",
                              "停发年月", "停发原因", "银行账号", "开户行", "联系电话", "备注"]
    assert ONE_OFF.headers == ["序号", "街道", "社区", "姓名", "性别", "身份证号", "离任时职务", "职务类别", "任职起始年月",
                               "离任年月", "连续任满届数", "任满年数", "月岗位补贴", "计发月数", "补助金额", "银行账号",
                               "开户行", "备注"]


def test_project_info_rows(wb):
    ws = wb["项目信息"]
    assert [ws.cell(1, c).value for c in (1, 2)] == ["项目", "内容"]
    assert [ws.cell(r, 1).value for r in range(2, 2 + len(PROJECT_INFO_ITEMS))] == [l for _, l in PROJECT_INFO_ITEMS]


def test_named_styles_are_registered_and_used(wb):
    names = {s if isinstance(s, str) else s.name for s in wb.named_styles}
    assert set(STYLES.values()) <= names
    used = {c.style for ws in wb for row in ws.iter_rows() for c in row}
    assert set(STYLES.values()) <= used  # an unused named style has no cellXfs entry to point at


def test_params_sheet_holds_the_seed_defaults(wb):
    ws = wb["参数"]
    values = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(3, 40)}
    assert values["生活补贴预算人数"] == 84 and values["生活补贴人均月标准"] == 660
    assert values["一次性补助预计人数"] == 100 and values["一次性补助人均金额"] == 20000
    rates = {ws.cell(r, 6).value: ws.cell(r, 7).value for r in range(3, 7)}
    assert rates == {"一肩挑": 2400, "正职": 2200, "副职": 2100, "监委会主任": 2100}
