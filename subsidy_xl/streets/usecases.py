"""import-streets as a use case: read the returned forms, merge, plan the writes (called by the CLI and
the ribbon alike; service.import_streets is the headless door)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from ..analysis import BookSource, analyse
from ..errors import describe_error
from ..issues import ERROR, Issue, count_by_severity, counts_text, sort_issues
from ..params import Params
from ..plan import WritePlan, changelog_entry
from ..schema import CHANGELOG_SHEET, CHANGES_SHEET, ROSTERS
from ..tables.records import changelog_sheet
from .changes import changes_sheet, summary_line
from .merge import MergeResult, merge
from .returned import ReturnedForm, read_form

Opener = Callable[[Path], BookSource]


@dataclass
class ImportReport:
    result: MergeResult
    problems: list[Issue]  # the forms' and the merge's, sorted
    files: list[Path]
    out: Path | None = None
    backup: Path | None = None

    @property
    def counts(self) -> dict[str, int]:
        return count_by_severity(self.problems)

    def summary(self) -> str:
        return f"{summary_line(self.result, len(self.files))}；导入{counts_text(self.problems)}（详见“变动情况”工作表）"


def read_forms(files: Sequence[Path], params: Params, open_book: Opener) -> list[ReturnedForm]:
    """Each file read on its own: one unreadable file is reported and the others still import."""
    from ..io.reader import UnreadableWorkbook

    forms = []
    for path in map(Path, files):
        try:
            forms.append(read_form(open_book(path), path, params))
        except (UnreadableWorkbook, OSError) as e:
            forms.append(_unreadable(path, describe_error(e)))
        except Exception as e:  # noqa: BLE001 - whatever one form does, the other forms are still imported
            forms.append(_unreadable(path, f"读取时出错（{type(e).__name__}）"))
        except BaseException as e:  # noqa: B036 - python-calamine's Rust panics are BaseExceptions
            if type(e).__name__ != "PanicException":
                raise
            forms.append(_unreadable(path, "文件内容无法解析"))
    _one_form_per_street(forms)
    return forms


def _unreadable(path: Path, reason: str) -> ReturnedForm:
    form = ReturnedForm(path, None, {})
    form.issues.append(Issue("form-unreadable", ERROR, form.sheet(""), "", "",
                             f"无法读取报送表：{reason.rstrip('。')}；该报送表未导入", "报送表格式"))
    return form


def _one_form_per_street(forms: list[ReturnedForm]) -> None:
    """Two forms of one 街道 would contradict each other row by row: neither is imported, the staff choose."""
    by_street = defaultdict(list)
    for form in forms:
        if form.street and form.rosters:
            by_street[form.street].append(form)
    for street, same in by_street.items():
        if len(same) > 1:
            names = "、".join(f.name for f in same)
            for form in same:
                form.rosters.clear()
                form.issues.append(Issue("form-street-twice", ERROR, form.sheet(""), "", street,
                                         f"{street}有{len(same)}份报送表（{names}），均未导入；请只选其中一份重新导入",
                                         "每个街道一份报送表"))


def plan_import(src: BookSource, files: Sequence[Path], open_book: Opener, progress: Callable[[str], None]):
    """The WritePlan of an import (roster cells, appended rows, 变动情况, a 变更记录 row) and its report."""
    analysis = analyse(src)
    progress(f"读取报送表 {len(files)} 份…")
    forms = read_forms(files, analysis.params, open_book)
    progress("逐人逐项比对、合并…")
    result = merge([analysis.living, analysis.one_off], {s.name: src.grid(s.name) or [] for s in ROSTERS}, forms)
    problems = sort_issues([i for f in forms for i in f.issues] + result.issues)
    report = ImportReport(result, problems, [f.path for f in forms])
    entry = changelog_entry("导入街道报表", f"{len(forms)}份", report.summary())
    previous = (src.grid(CHANGELOG_SHEET) or [])[1:]
    plan = WritePlan(
        sheets=[changes_sheet(result, [f.name for f in forms], str(entry[0]), problems,
                              src.grid(CHANGES_SHEET) or [], src.merged(CHANGES_SHEET)),
                changelog_sheet(previous, entry)],
        patches=dict(result.patches),
        table_rows={spec.table: result.last_rows[spec.name] for spec in ROSTERS if spec.name in result.last_rows},
        inserted_rows=dict(result.inserted_rows),
    )
    return plan, report
