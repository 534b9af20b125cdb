"""The ribbon macros against the xlwings remote engine: a real xlwings Book made from
the demo workbook, whose writes come back as JSON actions. Replaying the actions
gives the sheets as Excel would hold them, compared with the headless refresh."""
from __future__ import annotations

import shutil
from collections import Counter

import openpyxl
import pytest
from stdnum.cn import ric

from excel_support import RANGE_ACTIONS, file_grids, grid_differences, payload, remote_engine, replay, trimmed
from subsidy_xl import __version__, service
from subsidy_xl.excel import launch, macros
from subsidy_xl.excel.adapter import LiveBook
from subsidy_xl.excel.ui import ExcelUi
from subsidy_xl.errors import UserError, describe_error
from subsidy_xl.issues import counts_text
from subsidy_xl.months import Quarter
from subsidy_xl.schema import (CHANGELOG_SHEET, CHANGES_SHEET, ISSUES_SHEET, LIVING, ONE_OFF, PERFORMANCE_SHEET,
                               QUARTERLY_SHEET)
from subsidy_xl.streets.form import FORM_HEADER_ROW, street_form

QUARTER = Quarter(2026, 2)


class RecordingUi:
    """Answers the macros' questions from a script and keeps what they showed."""

    def __init__(self, answers=(), files=(), folder=None):
        self.answers, self.files, self.folder = list(answers), list(files), folder
        self.statuses, self.messages, self.questions = [], [], []

    def status(self, text):
        self.statuses.append(text)

    def message(self, text, title, critical=False):
        self.messages.append((title, text, critical))

    def ask(self, prompt, title, default):
        self.questions.append((prompt, default))
        return self.answers.pop(0) if self.answers else None

    def pick_files(self, title):
        return self.files

    def pick_folder(self, title):
        return self.folder


@pytest.fixture(scope="module")
def xw():
    return remote_engine()


def run(xw, path, macro, ui=None, data=None, **kwargs):
    """Run a macro on a remote book made from ``path``; returns (payload, actions, ui, result)."""
    data = data or payload(path)
    book = xw.Book(json=data)
    ui = ui or RecordingUi()
    result = macro(book, ui, **kwargs)
    return data, book.json()["actions"], ui, result


def sheet_of(data, actions):
    """The sheet name of each action, following sheets added on the way."""
    names = [s["name"] for s in data["sheets"]]
    out = []
    for a in actions:
        if a["func"] == "addSheet":
            names.insert(a["args"][0], a["args"][1])
        out.append(names[a["sheet_position"]] if a["sheet_position"] is not None else None)
    return out


@pytest.fixture(scope="module")
def refreshed(xw, demo_book):
    return run(xw, demo_book, macros.refresh_all, quarter=QUARTER)


@pytest.fixture(scope="module")
def headless(demo_book, tmp_path_factory):
    copy = tmp_path_factory.mktemp("headless") / "copy.xlsx"
    shutil.copyfile(demo_book, copy)
    service.refresh(copy, QUARTER)
    return file_grids(copy)


@pytest.fixture(scope="module")
def plan(demo_book):
    return service.plan_refresh(service.open_book(demo_book), QUARTER)[0]


# ---------------------------------------------------------------- one set of numbers

def test_refresh_writes_the_same_sheets_as_the_headless_refresh(refreshed, headless, plan):
    data, actions, ui, report = refreshed
    assert not [m for m in ui.messages if m[2]], ui.messages
    live = replay(data, actions)
    for content in plan.sheets:
        if content.name == CHANGELOG_SHEET:
            continue  # its new row holds the time of each refresh
        assert grid_differences(live[content.name], headless[content.name]) == [], content.name
    # 变更记录: the same rows apart from the time
    assert [r[1:] for r in live[CHANGELOG_SHEET]] == [r[1:] for r in headless[CHANGELOG_SHEET]]


def test_computed_one_off_columns_match_to_the_yuan(refreshed, headless):
    data, actions, _, report = refreshed
    live = replay(data, actions)
    assert grid_differences(live[ONE_OFF.name], headless[ONE_OFF.name]) == []
    roster = report.analysis.one_off
    amount_col = roster.cols["amount"]
    amounts = [row[amount_col] for row in live[ONE_OFF.name][roster.header_row:]]
    # a held row (an error on it) shows no amount until it is fixed
    assert sum(a for a in amounts if a) == sum(p.result.amount for p in report.analysis.one_off_people
                                               if p.result and not p.held)


def test_the_headline_figures_agree(refreshed, demo_book):
    _, _, ui, report = refreshed
    headless = service.refresh(demo_book, QUARTER, out=demo_book.parent / "again.xlsx")
    assert report.quarter_figures["total"] == headless.quarter_figures["total"]
    assert report.one_off_figures["total"] == headless.one_off_figures["total"]
    assert report.figures == headless.figures
    assert report.summary() in ui.messages[-1][1]


# ---------------------------------------------------------------- what is written, and how

def test_no_user_cell_is_written(refreshed, plan):
    data, actions, _, report = refreshed
    owned = {s.name for s in plan.sheets}
    roster = report.analysis.one_off
    computed = {roster.cols[k] for k in ("rate", "months", "amount")}
    assert Counter(a["func"] for a in actions).keys() <= RANGE_ACTIONS | {"activateSheet"}
    for a, name in zip(actions, sheet_of(data, actions)):
        if a["func"] not in RANGE_ACTIONS or name in owned:
            continue
        assert (name, a["func"]) == (ONE_OFF.name, "setValues")
        cols = set(range(a["start_column"], a["start_column"] + a["column_count"]))
        assert cols <= computed and a["start_row"] + 1 > roster.header_row


def test_writes_are_whole_ranges(refreshed, plan):
    data, actions, _, _ = refreshed
    counts = Counter(a["func"] for a in actions)
    assert counts["setValues"] == len(plan.sheets) + 1  # each owned sheet in one call, the roster columns in one
    assert counts["rangeClearContents"] == counts["rangeUnmerge"] == counts["setNumberFormat"] == len(plan.sheets)
    assert counts["rangeMerge"] == sum(len(s.merges) for s in plan.sheets)
    for a in actions:
        if a["func"] == "setValues":
            assert (len(a["values"]), len(a["values"][0])) == (a["row_count"], a["column_count"])
    assert max(a["row_count"] for a in actions if a["func"] == "setValues") > 50


def test_errors_open_the_issues_sheet(refreshed):
    data, actions, ui, report = refreshed
    assert report.analysis.errors  # the sample data has deliberate mistakes
    assert actions[-1]["func"] == "activateSheet" and sheet_of(data, actions)[-1] == ISSUES_SHEET
    assert f"已打开“{ISSUES_SHEET}”" in ui.messages[-1][1]


def test_progress_goes_to_the_status_bar_and_is_given_back(refreshed):
    _, _, ui, _ = refreshed
    assert len(ui.statuses) >= 3 and all("全部刷新" in s for s in ui.statuses[:-1])
    assert ui.statuses[-1] is None


def test_excel_ui_on_an_engine_without_status_bar(xw, demo_book):
    book = xw.Book(json=payload(demo_book))
    macros.refresh_all(book, ExcelUi(book.app), quarter=QUARTER)
    alerts = [a for a in book.json()["actions"] if a["func"] == "alert"]
    assert len(alerts) == 1 and alerts[0]["args"][1] == "全部刷新" and "生活补贴实发" in alerts[0]["args"][0]


def test_a_missing_owned_sheet_is_added(xw, demo_book):
    data = payload(demo_book)
    data["sheets"] = [s for s in data["sheets"] if s["name"] != CHANGELOG_SHEET]
    _, actions, ui, _ = run(xw, demo_book, macros.refresh_all, data=data, quarter=QUARTER)
    added = [a for a in actions if a["func"] == "addSheet"]
    assert [a["args"][1] for a in added] == [CHANGELOG_SHEET]
    assert replay(data, actions)[CHANGELOG_SHEET][0][:2] == ["时间", "操作"]
    assert "新建工作表：变更记录" in ui.messages[-1][1]


# ---------------------------------------------------------------- the other buttons

def test_check_writes_only_the_issues_sheet(xw, demo_book, refreshed):
    data, actions, ui, analysis = run(xw, demo_book, macros.check)
    assert {n for a, n in zip(actions, sheet_of(data, actions)) if a["func"] in RANGE_ACTIONS} == {ISSUES_SHEET}
    assert replay(data, actions)[ISSUES_SHEET] == replay(*refreshed[:2])[ISSUES_SHEET]
    assert ui.messages[-1][1] == f"校验完成。{counts_text(analysis.issues)}。" + (
        f"\n\n有{analysis.errors}条错误，已打开“{ISSUES_SHEET}”，请逐条处理后再刷新。" if analysis.errors else "")
    assert counts_text(analysis.issues).startswith(f"问题：错误{analysis.errors}条")  # the analysis' errors lead


def test_build_quarterly_asks_for_the_quarter(xw, demo_book):
    data, actions, ui, report = run(xw, demo_book, macros.build_quarterly, RecordingUi(answers=["2026Q3"]))
    assert ui.questions and report.analysis.quarter == Quarter(2026, 3)
    assert replay(data, actions)[QUARTERLY_SHEET][0][0].startswith("2026年第三季度")


@pytest.mark.parametrize("answer", [None, "2026Q5"])
def test_build_quarterly_cancelled_or_wrong_writes_nothing(xw, demo_book, answer):
    _, actions, ui, result = run(xw, demo_book, macros.build_quarterly, RecordingUi(answers=[answer]))
    assert result is None and not actions
    if answer:
        title, text, critical = ui.messages[-1]
        assert critical and "季度格式应为" in text and "Traceback" not in text


def test_fill_performance_writes_what_the_cli_writes(xw, demo_book, tmp_path):
    data, actions, ui, report = run(xw, demo_book, macros.fill_performance)
    assert not [m for m in ui.messages if m[2]], ui.messages
    copy = tmp_path / "copy.xlsx"
    shutil.copyfile(demo_book, copy)
    service.fill_performance(copy)
    live, headless = replay(data, actions), file_grids(copy)
    assert report.written
    for name in (PERFORMANCE_SHEET, ISSUES_SHEET):
        assert grid_differences(live[name], headless[name]) == [], name


def returned_form(demo_book, folder):
    """龙城街道's form as it comes back: one person added below the others, one phone number changed."""
    form, _ = street_form(demo_book, "龙城街道", folder / "龙城街道.xlsx")
    wb = openpyxl.load_workbook(form)
    ws = wb[LIVING.name]
    header = [c.value for c in ws[FORM_HEADER_ROW]]
    last = max(r for r in range(FORM_HEADER_ROW + 1, ws.max_row + 1) if ws.cell(r, 4).value)
    new = [c.value for c in ws[FORM_HEADER_ROW + 1]]
    new[header.index("姓名")] = "新增测试"
    new[header.index("身份证号")] = "53011419500101123" + ric.calc_check_digit("53011419500101123")
    new[header.index("序号")] = None
    for i, v in enumerate(new, 1):
        ws.cell(last + 1, i, v)
    ws.cell(FORM_HEADER_ROW + 1, header.index("联系电话") + 1, "13900000000")
    wb.save(form)
    return form


def test_import_streets_writes_what_the_cli_writes(xw, demo_book, tmp_path):
    form = returned_form(demo_book, tmp_path)
    data, actions, ui, report = run(xw, demo_book, macros.import_streets, RecordingUi(files=[str(form)]))
    assert not [m for m in ui.messages if m[2]], ui.messages
    assert report.files == [form] and "全部刷新" in ui.messages[-1][1]
    copy = tmp_path / "copy.xlsx"
    shutil.copyfile(demo_book, copy)
    service.import_streets(copy, [form])
    live, headless = replay(data, actions), file_grids(copy)
    for name in (LIVING.name, ONE_OFF.name):
        assert grid_differences(live[name], headless[name]) == [], name
    assert any(r and "新增测试" in r for r in live[LIVING.name])
    assert grid_differences([r[1:] for r in live[CHANGES_SHEET]], [r[1:] for r in headless[CHANGES_SHEET]]) == []
    resized = [a for a in actions if a["func"] == "resizeTable"]
    assert len(resized) == 1 and resized[0]["args"][1].endswith(str(len(trimmed(live[LIVING.name]))))


def test_import_streets_cancelled_does_nothing(xw, demo_book):
    _, actions, ui, result = run(xw, demo_book, macros.import_streets, RecordingUi(files=[]))
    assert result is None and not actions and not ui.messages


def test_export_package_saves_then_exports(xw, demo_book, tmp_path):
    book_file = tmp_path / "book.xlsx"
    shutil.copyfile(demo_book, book_file)
    out = tmp_path / "out"
    ui = RecordingUi(answers=["2026Q2"], folder=str(out))
    data = payload(book_file, name=str(book_file))  # the remote engine's full name is the name it is given
    _, actions, ui, report = run(xw, book_file, macros.export_package, ui, data=data, pdf=False)
    assert [a["func"] for a in actions] == ["save"]
    assert report.quarter == QUARTER and (out / "manifest.json").is_file()
    assert "已导出" in ui.messages[-1][1]


def test_export_package_needs_a_saved_book(xw, demo_book):
    _, actions, ui, result = run(xw, demo_book, macros.export_package, RecordingUi(answers=["2026Q2"], folder="x"))
    assert result is None and ui.messages[-1][2] and "请先保存" in ui.messages[-1][1]


@pytest.mark.parametrize("macro", [macros.refresh_all, macros.check, macros.build_quarterly, macros.fill_performance,
                                   macros.import_streets, macros.export_package])
def test_another_workbook_is_left_alone(xw, macro):
    data = {"client": "Microsoft Office Scripts", "version": xw.__version__,
            "book": {"name": "其他.xlsx", "active_sheet_index": 0, "selection": "A1"}, "names": [],
            "sheets": [{"name": "Sheet1", "values": [["别人的数据"]], "tables": []}]}
    book = xw.Book(json=data)
    ui = RecordingUi(answers=["2026Q2"], files=["x.xlsx"], folder="x")
    assert macro(book, ui) is None and not book.json()["actions"]
    title, text, critical = ui.messages[-1]
    assert critical and "不是补助经费工作簿" in text and "未作任何改动" in text


def _failing_macro(error: BaseException):
    @macros._macro("测试", any_book=True)
    def fail(book, ui):
        raise error
    return fail


@pytest.mark.parametrize("error, shown", [
    (FileNotFoundError(2, "No such file or directory", "名册.xlsx"), "找不到文件：名册.xlsx"),
    (PermissionError(13, "Permission denied", "名册.xlsx"), "没有权限读写文件：名册.xlsx"),
    (UserError("请先保存"), "请先保存"),
])
def test_a_macro_describes_failures_in_chinese(error, shown):
    ui = RecordingUi()
    assert _failing_macro(error)(object(), ui) is None
    title, text, critical = ui.messages[-1]
    assert (title, text, critical) == ("测试", f"测试未完成：{shown}", True)
    assert text == f"测试未完成：{describe_error(error)}"  # the CLI's description, shared
    assert "Errno" not in text


@pytest.fixture
def logs(tmp_path, monkeypatch):
    """Where the add-in's logs go: %LOCALAPPDATA%\\subsidy-xl\\logs, here under tmp_path."""
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path))
    return tmp_path / "subsidy-xl" / "logs"


@pytest.mark.parametrize("error", [KeyError("问题清单"), RuntimeError("boom"), ValueError("invalid literal")])
def test_an_unexpected_failure_is_an_internal_error(error, logs):
    ui = RecordingUi()
    _failing_macro(error)(object(), ui)
    text = ui.messages[-1][1]
    first, log_line = text.splitlines()[:2]
    assert first.startswith(f"测试未完成：内部错误（{type(error).__name__}）") and first.endswith("请将此信息发给维护人员")
    # The traceback is in the log the message names, not in the message.
    assert "Traceback" not in text
    (log,) = logs.iterdir()
    assert log_line == f"详细信息已记入：{log}"
    content = log.read_text(encoding="utf-8")
    assert content.startswith("操作：测试\n") and "Traceback (most recent call last)" in content
    assert f"{type(error).__name__}: " in content and "raise error" in content


def test_a_failing_button_shows_the_doctors_problems(logs, tmp_path):
    """The add-in of a plain build names no Python: doctor calls that a problem, and so does the failure's message."""
    from subsidy_xl.addin.build import build_addin
    from subsidy_xl.doctor import diagnose

    addin = build_addin(tmp_path / "addin")
    problems = [f.line() for f in diagnose(addin) if f.ok is False]
    assert problems and any("加载项没有指定 Python" in p for p in problems)
    ui = RecordingUi()
    _failing_macro(RuntimeError("boom"))(object(), ui, addin=str(addin))
    text = ui.messages[-1][1]
    assert text.split("\n\n检查发现的问题：\n", 1)[1] == "\n".join(problems)
    # A user's own mistake is only described: no log, no diagnosis.
    _failing_macro(UserError("请先保存"))(object(), ui, addin=str(addin))
    assert ui.messages[-1][1] == "测试未完成：请先保存"


def test_excel_prints_the_pdfs_of_the_export(tmp_path):
    class FakeBook:
        def __init__(self, log, path):
            self.log, self.path = log, path

        def to_pdf(self, target):
            self.log.append(("pdf", self.path, target))

        def close(self):
            self.log.append(("close", self.path))

    class FakeApp:
        def __init__(self):
            self.log = []
            self.books = self

        def open(self, path):
            return FakeBook(self.log, path)

    app = FakeApp()
    made = macros.excel_pdf(app)([tmp_path / "季度发放_2026Q2.xlsx"], tmp_path)
    assert made == [tmp_path / "季度发放_2026Q2.pdf"]
    assert app.log == [("pdf", str(tmp_path / "季度发放_2026Q2.xlsx"), str(made[0])),
                       ("close", str(tmp_path / "季度发放_2026Q2.xlsx"))]


def test_help_and_about(xw, demo_book):
    data, actions, ui, _ = run(xw, demo_book, macros.show_help)
    assert "全部刷新" in ui.messages[-1][1] and sheet_of(data, actions) == ["说明"]
    _, _, ui, _ = run(xw, demo_book, macros.show_about)
    assert __version__ in ui.messages[-1][1] and "143号" in ui.messages[-1][1]


def test_about_shows_the_doctors_findings(xw, demo_book, tmp_path):
    from subsidy_xl.addin.build import build_addin
    from subsidy_xl.doctor import diagnose, report_text

    addin = build_addin(tmp_path, interpreter=r"%LOCALAPPDATA%\subsidy-xl\venv\Scripts\pythonw.exe")
    _, actions, ui, _ = run(xw, demo_book, macros.show_about, addin=str(addin))
    assert not actions
    about = ui.messages[-1][1]
    assert about.endswith("\n\n" + report_text(diagnose(addin)))
    assert "检查结果：" in about and f"[正常] 加载项：{addin}" in about


def test_the_ribbon_runs_a_button_through_launch(xw, demo_book):
    import xlwings

    data = payload(demo_book)
    book = xw.Book(json=data)
    ui = RecordingUi()
    assert launch.run("show_help", xlwings.__version__, "", book=book, ui=ui) is None
    assert ui.messages[-1][0] == "使用说明" and "全部刷新" in ui.messages[-1][1]


def test_a_different_xlwings_in_python_stops_with_a_chinese_message(xw, demo_book):
    import xlwings

    book = xw.Book(json=payload(demo_book))
    ui = RecordingUi()
    launch.run("refresh_all", "0.0.1", "", book=book, ui=ui)
    title, text, critical = ui.messages[-1]
    assert (title, critical) == ("全部刷新", True)
    assert text.startswith(f"版本不一致：加载项需要 xlwings 0.0.1，而它启动的 Python（") and f"xlwings {xlwings.__version__}。" in text
    assert not book.json()["actions"]  # nothing ran


def test_a_failure_before_the_macro_leaves_chinese_on_stderr_and_the_traceback_in_a_log(logs, capsys):
    """What xlwings shows when Python exits non-zero is stderr: it must be one Chinese line naming the log."""
    with pytest.raises(SystemExit) as stop:
        launch.run("no_such_button", "", "", book=object(), ui=RecordingUi())
    assert stop.value.code == 1
    err = capsys.readouterr().err
    (log,) = logs.iterdir()
    assert err == (f"“no_such_button”未能运行（ValueError）。详细信息已记入：{log}\n"
                   "请运行离线安装包中的“检查.cmd”，并把该文件发给维护人员。\n")
    assert "Traceback" in log.read_text(encoding="utf-8") and "没有名为 no_such_button 的按钮" in log.read_text(encoding="utf-8")


def test_every_ribbon_callback_names_a_macro():
    from subsidy_xl.addin.build import WORKBOOK_SOURCES
    import re

    text = (WORKBOOK_SOURCES / "vba" / "RibbonCallbacks.bas").read_text(encoding="ascii")
    names = re.findall(r'RunSubsidy "(\w+)"', text)
    assert len(names) == 8 and sorted(names) == sorted(launch.BUTTONS)
    assert all(callable(getattr(macros, n)) for n in names)


# ---------------------------------------------------------------- the adapter's reading

def test_grids_are_aligned_to_a1_when_the_used_range_is_not(xw):
    values = [[""] * 4 for _ in range(4)]
    values[2][2], values[3][3] = "表头", 5.0
    book = xw.Book(json={"client": "Microsoft Office Scripts", "version": xw.__version__,
                         "book": {"name": "b.xlsx", "active_sheet_index": 0, "selection": "A1"}, "names": [],
                         "sheets": [{"name": "S", "values": values, "used_range_address": "C3:D4", "tables": []}]})
    grid = LiveBook(book).grid("S")
    assert grid[2][2] == "表头" and grid[3][3] == 5 and isinstance(grid[3][3], int)
    assert grid[0] == [None] * 4 and LiveBook(book).grid("nope") is None
