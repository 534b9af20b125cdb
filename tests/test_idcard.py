import datetime as dt

from hypothesis import given, settings, strategies as st
from stdnum.cn import ric

from subsidy_xl.idcard import birth_date, check_id, gender, mask, read_id

VALID = "53011419600101001" + ric.calc_check_digit("530114196001010010")


def test_valid_id_and_its_parts():
    assert check_id(VALID) == (VALID, None, None)
    assert birth_date(VALID) == dt.date(1960, 1, 1)
    assert gender(VALID) == "男"  # 17th digit 1 is odd


def test_wrong_check_digit():
    wrong = VALID[:-1] + str((int(VALID[-1]) + 1) % 10) if VALID[-1] != "X" else VALID[:-1] + "0"
    assert check_id(wrong).code == "id-check-digit"


def test_id_stored_as_number_is_reported_not_repaired():
    assert check_id(float(VALID[:17] + "0")).code == "id-stored-as-number"
    assert check_id(int(VALID[:17] + "0")).code == "id-stored-as-number"


def test_length_format_birthdate_area():
    assert check_id(VALID[:-1]).code == "id-length"
    assert check_id("53011419600101A01X").code == "id-format"
    assert check_id("530114196013010010").code == "id-birthdate"
    bad_area = "99999919600101001"
    assert check_id(bad_area + ric.calc_check_digit(bad_area + "0")).code == "id-area"
    assert check_id(None).code == "id-missing"


def test_full_width_and_lowercase_x_are_read():
    x_id = next(f"5301141960010100{i}" for i in range(10) if ric.calc_check_digit(f"5301141960010100{i}0") == "X")
    assert check_id(x_id.lower() + "x").code is None
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in VALID)
    assert check_id(full_width).number == VALID


def test_mask_keeps_first_six_and_last_four():
    assert mask(VALID) == VALID[:6] + "********" + VALID[-4:]


def test_digits_of_other_scripts_are_no_id():
    # NFKC leaves Arabic-Indic digits as they are, and str.isdigit takes them: the ID must still be refused.
    arabic = "".join(chr(0x0660 + int(c)) if c.isdigit() else c for c in VALID)
    assert check_id(arabic).code == "id-format"


def test_spaces_around_and_inside_are_dropped_on_both_paths():
    # ASCII text skips NFKC; an ideographic space (U+3000) goes through it: the same number either way.
    assert check_id(f" {VALID[:6]} {VALID[6:]} ").number == VALID
    assert check_id(f"\u3000{VALID[:6]}\u3000{VALID[6:]}").number == VALID


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="0123456789Xx", min_size=17, max_size=17), st.sampled_from("0123456789Xx"),
       st.sampled_from(["530114", "110101", "999999", ""]))
def test_a_plain_cell_reads_as_the_same_cell_written_with_spaces(digits, last, area):
    """An 18-character cell of digits (and X) is read without clean-up; the same number with spaces around
    it takes the clean-up path: both must give the same number, code, reason and birth date."""
    raw = (area + digits)[:17] + last
    today = dt.date(2026, 11, 29)
    assert read_id(raw, today) == read_id(f" {raw[:6]} {raw[6:]}\u3000", today)
