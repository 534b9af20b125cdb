"""The corpus of real, public 绩效目标表 (tests/data/performance_forms): each form
imports with every column in its place, or is refused with a message naming the
columns; the defects judged in its sidecar (written before the tool ran on it) are
found; the rows judged sound carry no error. The corpus figures reported in the
README are computed here and checked against the README."""
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from subsidy_xl.performance.importer import UnplacedColumns, read_source
from subsidy_xl.performance.review import FormReview, review_source

FORMS = Path(__file__).parent / "data" / "performance_forms"
SIDECARS = sorted(FORMS.glob("*.json"))
COUNTED = ("error", "warning")  # an INFO note is not an alarm


def _judgement(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _where(review: FormReview, issue) -> set[str]:
    """What an issue points at: the indicator row's name (and 二级/name), a header item, or the whole table."""
    m = re.fullmatch(r"[A-Z]+(\d+)", issue.cell or "") or re.fullmatch(r"第(\d+)行", issue.cell or "")
    places = {"*"}
    if m:
        row = review.row_named(int(m.group(1)))
        if row is not None:
            places |= {row.name, f"{row.level2}/{row.name}"}
    # A header item, or a cell on its row (the 得分 of the 年度资金总额 row of a 自评表's funding block)
    row_of = lambda cell: re.sub(r"^[A-Z]+", "", cell or "")  # noqa: E731
    places |= {label for label, cell in review.table.header_cells.items() if row_of(cell) == row_of(issue.cell)}
    return places


def score(review: FormReview, judgement: dict) -> tuple[list, list, list]:
    """(found, missed, false alarms): judged defects matched by code and place, and issues matching none."""
    ignore = set(judgement.get("ignore_codes", []))
    issues = [i for i in review.issues if i.severity in COUNTED and i.code not in ignore]
    used: set[int] = set()
    found, missed = [], []
    for defect in judgement["defects"]:
        match = next((k for k, i in enumerate(issues) if k not in used and defect["code"] == i.code
                      and defect["where"] in _where(review, i)), None)
        if match is None:
            missed.append(defect)
        else:
            used.add(match)
            found.append(defect)
    alarms = [i for k, i in enumerate(issues) if k not in used]
    return found, missed, alarms


def corpus_figures() -> dict[str, int]:
    figures = {"forms": 0, "judged": 0, "found": 0, "missed": 0, "false_alarms": 0, "refused": 0}
    for sidecar in SIDECARS:
        judgement = _judgement(sidecar)
        figures["forms"] += 1
        if judgement["expect"] == "refuse":
            figures["refused"] += 1
            continue
        found, missed, alarms = score(review_source(FORMS / judgement["file"]), judgement)
        figures["judged"] += len(judgement["defects"])
        figures["found"] += len(found)
        figures["missed"] += len(missed)
        figures["false_alarms"] += len(alarms)
    return figures


def test_the_corpus_is_real_and_varied():
    judgements = [_judgement(p) for p in SIDECARS]
    assert len(judgements) >= 12
    assert len({j["source"]["province"] for j in judgements}) >= 5
    assert len({j["source"]["year"] for j in judgements}) >= 4
    assert all(j["source"]["url"].startswith("http") for j in judgements)
    assert {j["file"].rsplit(".", 1)[1] for j in judgements} == {"docx", "xlsx"}
    kinds = " ".join(j["source"]["kind"] for j in judgements)
    assert "自评表" in kinds and "申报表" in kinds and "部门整体" in kinds
    about_cadres = [j for j in judgements if "干部" in json.dumps(j, ensure_ascii=False)]
    assert len(about_cadres) >= 3


@pytest.mark.parametrize("sidecar", SIDECARS, ids=lambda p: p.stem)
def test_each_form_imports_in_place_or_is_refused_naming_the_columns(sidecar):
    judgement = _judgement(sidecar)
    path = FORMS / judgement["file"]
    if judgement["expect"] == "refuse":
        with pytest.raises(UnplacedColumns) as refused:
            read_source(path)
        for column in judgement["refuse_columns"]:
            assert column in refused.value.columns
            assert f"“{column}”" in str(refused.value)
        return
    imported = read_source(path)
    content = [r for r in imported.rows if r.get("name") or r.get("target")]
    assert len(content) == judgement["rows"]
    for label, value in judgement["header"].items():
        assert _same(imported.raw_header[label], value), label
    # No column misplaced: every name is a name (not a level, a number or a funding row) and every
    # level is a level.
    from subsidy_xl.performance.standards import canonical_level
    for row in content:
        name = str(row.get("name") or "")
        assert name and not canonical_level(name) or name == "服务对象满意度", name
        assert not re.fullmatch(r"[\d.,%]+", name)
        assert "财政拨款" not in name and "结转" not in name and "审核意见" not in name
        for key in ("level1", "level2"):
            if row.get(key):
                assert canonical_level(row[key]), (key, row[key])


def _same(read: object, written: str) -> bool:
    """A cell as read against the text the source shows: 3309840 (a number cell) is "3,309,840.00"."""
    if isinstance(read, (int, float)):
        return Decimal(repr(read) if isinstance(read, float) else read) == Decimal(written.replace(",", ""))
    return str(read).strip() == written


@pytest.mark.parametrize("sidecar", [p for p in SIDECARS if _judgement(p)["expect"] == "import"], ids=lambda p: p.stem)
def test_judged_defects_are_found_and_sound_rows_are_clear(sidecar):
    judgement = _judgement(sidecar)
    review = review_source(FORMS / judgement["file"])
    found, missed, _alarms = score(review, judgement)
    # Defects judged with a code are the ones the tool claims to check; those judged without one are
    # honest misses, counted in the README.
    assert [d for d in missed if d["code"]] == []
    for name in judgement["sound"]:
        rows = [r for r in review.table.rows if r.name == name]
        assert rows, name
        cells = {r.row for r in rows}
        errors = [i for i in review.issues if i.severity == "error"
                  and re.fullmatch(r"[A-Z]*(\d+)|第(\d+)行", i.cell or "")
                  and int(re.search(r"\d+", i.cell).group()) in cells]
        assert errors == [], (name, [e.message for e in errors])


def test_satisfaction_targets_of_90_and_95_percent_raise_nothing():
    review = review_source(FORMS / "05_hunan_nanyue_2018_shenbao.xlsx")
    rows = {r.row for r in review.table.rows if "满意度" in r.name}
    assert len(rows) == 4
    on_targets = [i for i in review.issues if i.code != "perf-placeholder-in-text"
                  and int(re.search(r"\d+", i.cell).group()) in rows]
    assert on_targets == []


def test_the_readme_reports_the_corpus_figures():
    figures = corpus_figures()
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    line = [line for line in readme.splitlines() if line.startswith("| 语料 |")][-1]  # the row under the titles
    cells = [c.strip() for c in line.strip("|").split("|")]
    assert cells[1:] == [str(figures[k]) for k in ("forms", "refused", "judged", "found", "missed", "false_alarms")]
