"""Posts as the streets write them -> 职务类别; anything else is refused, never guessed."""
import pytest

from subsidy_xl.params import default_params
from subsidy_xl.roles import normalise_role

P = default_params()


@pytest.mark.parametrize("post,category", [
    ("社区党组织书记、居委会主任", "一肩挑"),
    ("社区党总支书记，居委会主任", "一肩挑"),
    ("党支部书记兼居委会主任", "一肩挑"),
    ("书记、主任“一肩挑”", "一肩挑"),
    ("一肩挑", "一肩挑"),
    ("党总支书记", "正职"),
    ("社区党委书记", "正职"),
    ("居委会主任", "正职"),
    ("社区居委会主任", "正职"),
    ("社区党委副书记", "副职"),
    ("党总支副书记", "副职"),
    ("居委会副主任", "副职"),
    ("监督委员会主任", "监委会主任"),
    ("居务监督委员会主任", "监委会主任"),
    ("监委会主任", "监委会主任"),
    ("正职", "正职"),
    # extra spaces and full-width punctuation
    ("  社区党组织书记 、 居委会主任  ", "一肩挑"),
    ("社区党组织书记／居委会主任", "一肩挑"),
    ("社区党委副书记（ ）", "副职"),
    ("居委会主任　", "正职"),
    ("党总支书记；居委会副主任", "正职"),
])
def test_spellings(post, category):
    assert normalise_role(post, P.rates, P.role_aliases) == (category, None)


@pytest.mark.parametrize("post", ["书计", "委员", "居委会委员", "社区干部", "会计", "主任助理", "党总支书记、会计"])
def test_unknown_posts_are_refused(post):
    match = normalise_role(post, P.rates, P.role_aliases)
    assert match.category is None
    assert "职务无法识别" in match.problem and post.strip() in match.problem


def test_blank_post():
    assert normalise_role("  ", P.rates).category is None


def test_aliases_from_params():
    assert normalise_role("书记主任一肩挑", P.rates, P.role_aliases).category == "一肩挑"
    assert normalise_role("书计", P.rates, {"书计": "正职"}).category == "正职"


def test_category_without_a_rate_is_reported():
    rates = {k: v for k, v in P.rates.items() if k != "监委会主任"}
    match = normalise_role("监督委员会主任", rates)
    assert match.category is None and "未设" in match.problem
