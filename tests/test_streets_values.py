"""How the import compares cells and what it writes back."""
import datetime as dt
from decimal import Decimal

from subsidy_xl.schema import LIVING
from subsidy_xl.streets.values import canon, for_roster, id_key


def test_one_text_per_meaning():
    assert canon(660) == canon(660.0) == canon(" 660 ") == canon(Decimal("660.00")) == "660"
    assert canon(None) == canon("") == canon("  ") == ""
    assert canon(dt.datetime(2019, 1, 1)) == canon(dt.date(2019, 1, 1)) == "2019-01-01"
    assert canon("６６０") == "660"  # full-width digits as typed on a Chinese keyboard
    assert canon(5.30114194e17) != canon("530114194000000000")  # a mangled ID never equals a real one


def test_values_written_into_the_roster():
    col = LIVING.column
    assert for_roster(col("phone"), 13800000000.0) == "13800000000"  # a phone typed as a number becomes text
    assert for_roster(col("standard"), 660.0) == 660
    assert for_roster(col("standard"), 660.5) == Decimal("660.5")  # exact, never a float
    assert for_roster(col("pay_start"), dt.date(2019, 1, 1)) == "2019-01"
    assert for_roster(col("remark"), "  =1+1 ") == "=1+1"
    assert for_roster(col("account"), 6.2284e18) == 6.2284e18  # digits already lost: kept, so the check reports it
    assert for_roster(col("remark"), "") is None


def test_id_key():
    assert id_key(" 53011419450114667x ") == "53011419450114667X"
    assert id_key("530114194409282670") == "530114194409282670"  # wrong check digit: still the same person's key
    assert id_key(5.30114194e17) is None and id_key("12345") is None
