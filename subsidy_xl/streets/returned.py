"""A returned street form, read and checked: its people per roster, its baseline, its problems."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from ..analysis import BookSource, row_kinds
from ..cells import a1
from ..checks.people import check_ids
from ..checks.workbook import check_external_links, check_stray_cells
from ..issues import ERROR, INFO, WARNING, Issue
from ..params import Params
from ..rosters import FieldContext, Record, RosterData, read_roster
from ..schema import ROSTERS
from .baseline import BASELINE_HEADERS, BASELINE_SHEET, FORMAT, META_LABELS, baseline_digest
from .values import canon

Baseline = dict[tuple[str, str], dict[str, str]]  # (roster name, ID) -> header -> pre-filled value (canon)


@dataclass
class ReturnedForm:
    path: Path
    street: str | None  # the 街道 the form was made for (or, without a baseline, the one its rows name)
    baseline: Baseline  # empty when the form carries none (or an altered one)
    rosters: dict[str, RosterData] = field(default_factory=dict)  # roster name -> what the 街道 returned
    rejected: set[int] = field(default_factory=set)  # id() of records not to merge (another 街道's row)
    issues: list[Issue] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.name

    def sheet(self, roster: str) -> str:
        """How issues name a sheet of this file: [file.xlsx]生活补贴名册, as Excel writes external references."""
        return f"[{self.name}]{roster}"

    def records(self, roster: str) -> list[Record]:
        data = self.rosters.get(roster)
        return [r for r in data.records if id(r) not in self.rejected] if data else []


def read_form(src: BookSource, path: Path, params: Params) -> ReturnedForm:
    form = ReturnedForm(Path(path), None, {})
    meta = _read_baseline(src, form)
    form.street = meta.get("street")
    form.issues += check_external_links(getattr(src, "external_links", ()), form.sheet(""))
    ctx = FieldContext.of(params)
    for spec in ROSTERS:
        grid = src.grid(spec.name)
        if grid is None:
            continue
        data = read_roster(grid, spec, ctx, src.merged(spec.name), *row_kinds(src, spec.name))
        data.issues += check_ids(data)
        computed = {c.header for c in spec.columns if c.computed}  # the form has no computed columns
        form.issues += [dataclasses.replace(i, sheet=form.sheet(spec.name)) for i in data.issues
                        if not (i.code == "roster-missing-column" and i.value in computed)]
        if data.header_row == 0 or "id" not in data.cols:
            if data.header_row:
                form.issues.append(Issue("form-missing-column", ERROR, form.sheet(spec.name), "", "身份证号",
                                         "报送表缺少“身份证号”列，无法按人合并，该表未导入", "报送表格式"))
            continue
        _extra_columns(grid, data, form)
        form.rosters[spec.name] = data
    form.issues += check_stray_cells(getattr(src, "scans", {}), form.sheet)  # the file reader offers them
    if not form.rosters:
        form.issues.append(Issue("form-no-roster", ERROR, form.sheet(""), "", "",
                                 f"文件中没有可识别的名册表（工作表名应为 {'、'.join(s.name for s in ROSTERS)}，"
                                 "表头与名册一致），未导入", "报送表格式"))
        return form
    _check_streets(form, params)
    return form


def _read_baseline(src: BookSource, form: ReturnedForm) -> dict[str, str]:
    """Meta labels and the baseline entries; a baseline whose digest does not match is dropped."""
    grid = src.grid(BASELINE_SHEET)
    if grid is None:
        form.issues.append(Issue("form-no-baseline", WARNING, form.sheet(""), "", "",
                                 "文件不含原始数据（不是由 street-form 生成，或隐藏工作表被删除）：无法判断哪些内容是街道修改的，"
                                 "只填补名册中的空白单元格，其余差异列入变动情况待核实", "报送表格式"))
        return {}
    by_label = {label: key for key, label in META_LABELS.items()}
    meta: dict[str, str] = {}
    entries: list[tuple[str, ...]] = []
    in_entries = False
    for row in grid:
        cells = [canon(v) for v in list(row[:len(BASELINE_HEADERS)]) + [None] * len(BASELINE_HEADERS)][:4]
        if in_entries:
            if any(cells):
                entries.append(tuple(cells))
        elif tuple(cells) == BASELINE_HEADERS:
            in_entries = True
        elif cells[0] in by_label:
            meta[by_label[cells[0]]] = cells[1]
    street = meta.get("street", "")
    if meta.get("format") != FORMAT or meta.get("digest") != baseline_digest(street, entries):
        form.issues.append(Issue("form-baseline-altered", WARNING, form.sheet(BASELINE_SHEET), "", "",
                                 "报送表的原始数据已被改动或格式不符，已弃用：只填补名册中的空白单元格，其余差异列入变动情况待核实",
                                 "报送表格式"))
        return {"street": street} if street else {}
    for roster, key, header, value in entries:
        form.baseline.setdefault((roster, key), {})[header] = value
    return meta


def _extra_columns(grid, data: RosterData, form: ReturnedForm) -> None:
    """Columns the 街道 added are not imported; say so, so nobody waits for them to appear."""
    known = set(data.cols.values())
    for c, v in enumerate(grid[data.header_row - 1]):
        if c not in known and isinstance(v, str) and v.strip():
            form.issues.append(Issue("form-extra-column", INFO, form.sheet(data.spec.name), a1(data.header_row, c),
                                     v, f"报送表中的“{v}”列不是名册的列，未导入", "报送表格式"))


def _check_streets(form: ReturnedForm, params: Params) -> None:
    """Every row belongs to the form's 街道; a form without a baseline belongs to the one its rows name."""
    if form.street is None:
        named = {rec.values.get("street") for data in form.rosters.values() for rec in data.records}
        named.discard(None)
        if len(named) == 1:
            form.street = named.pop()
    if form.street is not None and form.street not in params.streets:
        form.issues.append(Issue("form-street-unknown", ERROR, form.sheet(""), "", form.street,
                                 f"报送表的街道“{form.street}”不在参数表的街道列表中，未导入", "参数表“街道”"))
        form.rosters.clear()
        return
    for name, data in form.rosters.items():
        for rec in data.records:
            street = rec.values.get("street")
            if street is None and form.street is not None:
                rec.values["street"] = form.street  # a blank 街道 on a street's own form is that street
            elif form.street is not None and street != form.street:
                form.rejected.add(id(rec))
                form.issues.append(Issue("form-street-mismatch", ERROR, form.sheet(name), rec.cell("street"), street,
                                         f"{rec.who}的街道填“{street}”，但这是{form.street}的报送表；该行未导入。"
                                         f"人员调动请由调入街道在其报送表中新增", "各街道只报送本街道人员"))
