"""Roster grids -> records: every odd cell becomes an issue at its cell, nothing is guessed."""
import datetime as dt
from decimal import Decimal

from subsidy_xl.months import YearMonth
from subsidy_xl.params import default_params
from subsidy_xl.rosters import FieldContext, read_roster
from subsidy_xl.schema import LIVING, ONE_OFF

P = default_params()
CTX = FieldContext(frozenset(P.streets), frozenset(P.rates), frozenset(P.stop_effects))


def row(spec, **values):
    return [values.get(c.key) for c in spec.columns]


def grid(spec, *rows):
    return [spec.headers] + list(rows)


def test_typed_values_and_month_forms():
    g = grid(LIVING, row(LIVING, street="龙城街道", community="龙城东社区", name="张三", gender="男",
                         id="530114194001010011", left_office="1998年6月", pay_start=dt.datetime(2019, 1, 1),
                         standard=660.0, consecutive_terms="３", consecutive_years=9.5, account="6228000000000000001"))
    data = read_roster(g, LIVING, CTX)
    assert data.issues == []
    (rec,) = data.records
    v = rec.values
    assert v["left_office"] == YearMonth(1998, 6) and v["pay_start"] == YearMonth(2019, 1)
    assert v["standard"] == 660 and isinstance(v["standard"], int)
    assert v["consecutive_terms"] == 3 and v["consecutive_years"] == Decimal("9.5")
    assert rec.row == 2 and rec.cell("standard") == "N2"


def test_bad_cells_become_issues_with_their_cells():
    g = grid(LIVING, row(LIVING, street="呈贡街道", community="x", name="李四", gender="M", id="x",
                         left_office="去年", pay_start="2019-13", standard=-5, consecutive_terms=2.5,
                         account=6.228e18, phone=13800000000.0))
    data = read_roster(g, LIVING, CTX)
    found = {(i.code, i.cell) for i in data.issues}
    assert ("choice-invalid", "B2") in found  # unknown street
    assert ("choice-invalid", "E2") in found  # gender
    assert ("month-invalid", "I2") in found and ("month-invalid", "O2") in found
    assert ("number-negative", "N2") in found
    assert ("number-not-whole", "L2") in found
    assert ("account-stored-as-number", "R2") in found
    assert not any(i.cell == "T2" for i in data.issues)  # an 11-digit phone survives a number cell
    assert data.records[0].values["phone"] == "13800000000"


def test_money_with_fen_and_text_amounts():
    g = grid(LIVING, row(LIVING, standard="660.50元"), row(LIVING, standard="1,200"), row(LIVING, standard=660.123))
    recs = read_roster(g, LIVING, CTX)
    assert recs.records[0].values["standard"] == Decimal("660.50")
    assert recs.records[1].values["standard"] == 1200
    assert any(i.code == "money-precision" and i.cell == "N4" for i in recs.issues)


def test_blank_rows_and_a_lone_serial_number_are_skipped():
    g = grid(ONE_OFF, row(ONE_OFF, seq=1), [None] * 18, row(ONE_OFF, name="王五", seq=3), ["  "] * 18)
    data = read_roster(g, ONE_OFF, CTX)
    assert [r.row for r in data.records] == [4]
    assert {i.code for i in data.issues} == {"required-missing"}


def test_header_found_below_a_title_and_columns_reordered():
    headers = list(reversed(ONE_OFF.headers))
    g = [["某街道报表"], [], headers, [None] * 17 + [None]]
    g[3][headers.index("姓名")] = "赵六"
    data = read_roster(g, ONE_OFF, CTX)
    assert data.header_row == 3
    assert data.records[0].values["name"] == "赵六"
    assert data.records[0].cell("name") == f"{chr(65 + headers.index('姓名'))}4"


def test_missing_column_and_missing_sheet():
    g = [[h for h in LIVING.headers if h != "月补贴标准"]]
    data = read_roster(g, LIVING, CTX)
    assert [(i.code, i.value) for i in data.issues] == [("roster-missing-column", "月补贴标准")]
    assert read_roster(None, LIVING, CTX).issues[0].code == "sheet-missing"


def test_merged_cells_reported():
    g = grid(LIVING, row(LIVING, street="龙城街道", name="甲"), row(LIVING, name="乙"))
    data = read_roster(g, LIVING, CTX, merged=[(1, 1, 2, 1)])
    assert any(i.code == "roster-merged-cells" and i.cell == "B2" and i.value == "B2:B3" for i in data.issues)
