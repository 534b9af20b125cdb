"""The committed sample data is what sample.py makes, and has the promised shape."""
from collections import Counter
from decimal import Decimal

from subsidy_xl.idcard import check_id
from subsidy_xl.params import default_params
from subsidy_xl.roles import normalise_role
from subsidy_xl.rules import one_off_subsidy
from subsidy_xl.sample import OUT, dump, load_sample, sample_data


def test_regenerating_gives_the_committed_file():
    assert OUT.read_text(encoding="utf-8") == dump(sample_data()), "run `python -m subsidy_xl.sample`"


def test_living_sample_shape():
    rows = load_sample()["生活补贴名册"]
    ids = [r["身份证号"] for r in rows]
    assert len(set(ids)) == 84  # one person appears twice (the two-street defect)
    assert len({r["街道"] for r in rows}) == 10
    by_id = {r["身份证号"]: r["月补贴标准"] for r in rows}
    assert Decimal(sum(by_id.values())) / 84 == 660
    assert all(i.startswith("530114") for i in ids)
    bad = [i for i in ids if check_id(i).code]
    assert len(bad) == 1 and check_id(bad[0]).code == "id-check-digit"  # the deliberate defect


def test_one_off_sample_total_near_two_million():
    p = default_params()
    rows = load_sample()["一次性补助名册"]
    assert 95 <= len(rows) <= 105
    amounts = []
    for r in rows:
        cat = normalise_role(r["离任时职务"], p.rates).category
        if cat:
            amounts.append(one_off_subsidy(cat, r["连续任满届数"], r["任满年数"], p).amount)
    assert 1_900_000 <= sum(amounts) <= 2_100_000
    assert Counter(type(r["身份证号"]).__name__ for r in rows)["float"] == 1  # the ID typed as a number
