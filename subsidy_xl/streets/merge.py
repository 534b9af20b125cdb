"""Merge returned street forms into the rosters, field by field (the rule is in streets/__init__.py).

Pure: rosters and forms in, cell patches, rows to append, the changes and the
problems out. Nothing is deleted and no cell is written unless its value changes.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from ..idcard import mask, mask_account
from ..issues import ERROR, WARNING, Issue
from ..rosters import Record, RosterData
from ..schema import Column, cell_style
from .returned import ReturnedForm
from .values import canon, for_roster

Grid = Sequence[Sequence[object]]
Patch = dict[int, dict[int, tuple[object, str | None]]]  # Excel row -> 0-based col -> (value, style key)

ADDED, REMOVED, CHANGED, MOVED, DUPLICATE = "新增", "减少", "变更", "调动", "重复"
MERGED, FILLED, KEPT, NOT_DELETED, SKIPPED = "已合并", "已填补空白", "未合并", "未删除", "未导入"
BASIS = "街道报送表导入规则"


@dataclass
class Change:
    """One line of 变动情况: a person added or removed, or one field changed."""
    file: str
    roster: str
    street: str
    name: str
    id: str
    change: str
    field: str = ""
    old: object = None
    new: object = None
    outcome: str = ""
    note: str = ""


@dataclass
class MergeResult:
    patches: dict[str, Patch] = field(default_factory=dict)  # roster sheet -> cells to write
    last_rows: dict[str, int] = field(default_factory=dict)  # roster sheet -> Excel row of the last appended person
    # roster sheet -> (Excel row, count): empty rows to insert there first, above a 合计 or table total row
    inserted_rows: dict[str, tuple[int, int]] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    def count(self, change: str | None = None, outcome: str | None = None) -> int:
        """Changes of one kind, or with one outcome, or both."""
        return sum(1 for c in self.changes if change in (None, c.change) and outcome in (None, c.outcome))


def merge(rosters: Sequence[RosterData], grids: Mapping[str, Grid], forms: Sequence[ReturnedForm]) -> MergeResult:
    result = MergeResult()
    for book in rosters:
        if book.header_row:  # a roster missing from the book is reported by the checks
            _RosterMerge(book, grids.get(book.spec.name) or [], forms, result).run()
    return result


class _RosterMerge:
    def __init__(self, book: RosterData, grid: Grid, forms: Sequence[ReturnedForm], result: MergeResult):
        self.book, self.grid, self.forms, self.result = book, grid, forms, result
        self.name = book.spec.name
        self.patch: Patch = {}
        self.index: dict[str, list[Record]] = defaultdict(list)
        for rec in book.records:
            key = _key(rec)
            if key:
                self.index[key].append(rec)
        # What each person was pre-filled with. Any form's baseline will do: they are all the roster's values
        # at the time, and a person moving between streets has one only in the old street's form.
        self.baseline: dict[str, dict[str, str]] = {}
        for form in forms:
            for (roster, key), values in form.baseline.items():
                if roster == self.name:
                    self.baseline.setdefault(key, values)

    def run(self) -> None:
        returned: dict[str, list[tuple[ReturnedForm, Record]]] = defaultdict(list)
        for form in self.forms:
            for rec in form.records(self.name):
                key = _key(rec)
                if key:  # an unreadable ID is reported by the form's ID check
                    returned[key].append((form, rec))
        appended = []
        for key, rows in returned.items():
            if len(rows) > 1:
                self._duplicate(key, rows)
                continue
            form, rec = rows[0]
            targets = self.index.get(key)
            if not targets:
                appended.append((form, rec, key))
                continue
            street = rec.values.get("street")
            target = next((t for t in targets if t.values.get("street") == street), targets[0])
            self._compare(form, rec, target, key)
        self._append(appended)
        self._removed(set(returned))
        if self.patch:
            self.result.patches[self.name] = self.patch

    # ------------------------------------------------------------ one person, field by field

    def _compare(self, form: ReturnedForm, rec: Record, target: Record, key: str) -> None:
        base = self.baseline.get(key, {})
        for col in self._shared_columns(rec, target):
            raw = _returned_value(rec, col)
            new, cur = canon(raw), canon(target.raw.get(col.key))
            if new == cur:
                continue
            before = base.get(col.header)
            if before is not None and new == before:
                continue  # the 街道 left it as pre-filled: the roster's value is the staff's newer one
            change = self._change(form, target, key, MOVED if col.key == "street" else CHANGED, col.header, cur, new)
            if col.key in rec.bad:
                change.outcome, change.note = KEPT, "报送表中该格无法识别（见导入问题），保留名册中的值"
            elif before is not None and cur == before:
                change.outcome = MERGED
            elif before is None and cur == "":
                change.outcome, change.note = FILLED, "报送表无原始值，名册中该格为空，已填入"
            else:
                change.outcome = KEPT
                change.note = (f"报送表生成后名册中该格已改为“{_shown(col, cur)}”（生成时为“{_shown(col, before)}”），"
                               "街道又改为新值；保留名册中的值，请核实" if before is not None else
                               "报送表无原始值，无法判断哪一方较新；保留名册中的值，请核实")
                self._issue("import-conflict", target, col, f"{target.who}的“{col.header}”：{change.note}")
            if change.outcome in (MERGED, FILLED):
                self.patch.setdefault(target.row, {})[target.cols[col.key]] = (for_roster(col, raw), None)
            if col.key == "street":
                self._issue("person-moved-street", target, col,
                            f"{target.who}由“{cur}”改报到“{new}”（{form.name}）：{change.outcome}"
                            + ("" if change.outcome == MERGED else "，如属调动请在名册中修改街道"))
            if col.key == "account":
                self._issue("account-changed", target, col,
                            f"{target.who}的银行账号由 {mask_account(cur)} 改为 {mask_account(new)}（{form.name}）："
                            f"{change.outcome}；请核对本人签字的变更材料")
            self.result.changes.append(change)

    def _shared_columns(self, rec: Record, target: Record) -> list[Column]:
        return [c for c in self.book.spec.columns
                if not c.computed and c.key not in ("seq", "id") and c.key in rec.cols and c.key in target.cols]

    # ------------------------------------------------------------ people added, removed, reported twice

    def _append(self, people: list[tuple[ReturnedForm, Record, str]]) -> None:
        if not people:
            return
        cols = self.book.cols
        after = max([r.row for r in self.book.records] + [self.book.header_row])
        # New people go above a 合计 row, a table's total row or a note below the roster, never under it (where a
        # total would count them as itself): into empty rows above it, or into rows inserted there.
        stop = min((r for r in self.book.not_people if r > after), default=None)
        row = _free_row(self.grid, after, len(people), cols.get("seq"))
        if stop is not None and row + len(people) - 1 >= stop:
            row = stop
            self.result.inserted_rows[self.name] = (stop, len(people))
        seq = max([r.values["seq"] for r in self.book.records if isinstance(r.values.get("seq"), int)] + [0])
        unkeyed = [r for r in self.book.records if not _key(r)]
        for form, rec, key in people:
            seq += 1
            cells = {cols["seq"]: (seq, "int")} if "seq" in cols else {}
            for col in self.book.spec.columns:
                if col.computed or col.key == "seq" or col.key not in cols or col.key not in rec.cols:
                    continue
                value = for_roster(col, _returned_value(rec, col))
                if value is not None:
                    cells[cols[col.key]] = (value, cell_style(col, value))
            self.patch[row] = cells
            change = self._change(form, rec, key, ADDED, new=f"第{row}行")
            change.outcome, change.note = MERGED, f"新增人员，已追加到“{self.name}”第{row}行"
            self.result.changes.append(change)
            for other in unkeyed:
                if canon(other.values.get("name")) == canon(rec.values.get("name")) \
                        and other.values.get("street") == rec.values.get("street"):
                    self.result.issues.append(Issue(
                        "import-possible-duplicate", WARNING, self.name, other.cell("id"), "",
                        f"新增的{rec.values.get('name')}（第{row}行）可能与{other.who}是同一人（该行身份证号无法识别）；"
                        "请核实后删除多余的一行", BASIS))
            row += 1
        self.result.last_rows[self.name] = row - 1

    def _removed(self, returned: set[str]) -> None:
        for key, recs in self.index.items():
            if key in returned:
                continue
            for rec in recs:
                covering = [f for f in self.forms if f.street == rec.values.get("street") and self.name in f.rosters]
                # A person added to the roster after the forms were made was never shown to the 街道.
                if not covering or all(f.baseline and (self.name, key) not in f.baseline for f in covering):
                    continue
                change = self._change(covering[0], rec, key, REMOVED)
                change.outcome = NOT_DELETED
                change.note = ("报送表中没有此人；名册中已填停发年月" if rec.values.get("pay_stop") else
                               "报送表中没有此人；如应停发，请在名册中填写停发年月和停发原因")
                self.result.changes.append(change)

    def _duplicate(self, key: str, rows: list[tuple[ReturnedForm, Record]]) -> None:
        places = "、".join(f"{f.sheet(self.name)}{r.cell('id')}" for f, r in rows)
        for form, rec in rows:
            change = self._change(form, rec, key, DUPLICATE)
            change.outcome, change.note = SKIPPED, f"同一身份证号出现在 {places}，均未导入，请核实由哪个街道报送"
            self.result.changes.append(change)
        form, rec = rows[0]
        self.result.issues.append(Issue("import-duplicate-person", ERROR, form.sheet(self.name), rec.cell("id"),
                                        mask(key), f"同一人被重复报送：{places}；均未导入", BASIS))

    # ------------------------------------------------------------ helpers

    def _change(self, form: ReturnedForm, rec: Record, key: str, kind: str, header: str = "", old: str = "",
                new: object = None) -> Change:
        v = rec.values
        return Change(form.name, self.name, v.get("street") or "", v.get("name") or "", key, kind, header,
                      old or None, new if new != "" else None)

    def _issue(self, code: str, target: Record, col: Column, message: str) -> None:
        self.result.issues.append(Issue(code, WARNING, self.name, target.cell(col.key), "", message, BASIS))


def _key(rec: Record) -> str | None:
    """The ID a person is matched by: ``streets.values.id_key`` of the ID cell, which check_ids has already
    stored as ``id_text`` for every roster record (analyse) and every form record (read_form)."""
    return rec.values.get("id_text")


def _returned_value(rec: Record, col: Column) -> object:
    """A returned cell; a blank 街道 on a street's own form means that street."""
    raw = rec.raw.get(col.key)
    if col.key == "street" and canon(raw) == "":
        return rec.values.get("street")
    return raw


def _shown(col: Column, value: str) -> str:
    return mask_account(value) if col.kind == "account" else value


def _free_row(grid: Grid, after: int, count: int, seq_col: int | None) -> int:
    """First Excel row below ``after`` starting ``count`` empty rows (a 序号 filled in ahead counts as empty),
    so that nothing the staff wrote below the roster is overwritten."""
    def empty(r: int) -> bool:
        row = grid[r - 1] if r - 1 < len(grid) else ()
        return all(canon(v) == "" for c, v in enumerate(row) if c != seq_col)

    start = after + 1
    while not all(empty(r) for r in range(start, start + count)):
        start += 1
    return start
