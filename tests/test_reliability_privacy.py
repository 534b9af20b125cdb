"""Personal data: no command or macro prints a full ID number or bank account (also the near-full ones of
mistyped cells), the 问题清单 sheet and the exported issue lists show them masked, and nothing reaches the
network or starts another program. That the 公示 files mask IDs and carry no bank account is shown by
tests/test_export_package.py::test_public_files_hold_no_full_id_and_no_bank_account."""
from __future__ import annotations

import csv
import json
import shutil
import socket
import urllib.request
from pathlib import Path

import openpyxl
import pytest

from excel_support import payload, remote_engine
from reliability_support import NetworkUsed, grids, network_forbidden, no_network, run_cli, watching
from reliability_support import returned_form as street_form_back
from subsidy_xl.excel import macros
from subsidy_xl.schema import ISSUES_SHEET, LIVING, ROSTERS
from test_excel_macros import RecordingUi, sheet_of

assert network_forbidden  # autouse: no test or fixture here may open a socket

STREET = "龙城街道"
# Mistyped cells whose issues must not show them whole: a 17-digit ID, an ID with a stray letter, an account
# with a letter O for a zero.
MISTYPED = {"身份证号": ("53011419500101123", "5301141950Y1011234"), "银行账号": ("62284800000000000O1",)}


def _add_mistyped_people(path: Path) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb[LIVING.name]
    header = [c.value for c in ws[1]]
    template = [c.value for c in ws[2]]
    for n, (key, values) in enumerate((k, v) for k, vs in MISTYPED.items() for v in vs):
        row = list(template)
        row[header.index("姓名")] = f"错录{n}"
        row[header.index(key)] = values
        ws.append(row)
    wb.save(path)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("privacy")


@pytest.fixture(scope="module")
def book(folder) -> Path:
    path = folder / "demo.xlsx"
    assert run_cli("demo", path, "--quarter", "2026Q2", "-q").code == 0
    _add_mistyped_people(path)
    return path


@pytest.fixture(scope="module")
def secrets(book) -> set[str]:
    """Every ID and account the rosters hold, as text (at least 10 characters: what masking hides)."""
    found = set()
    for spec in ROSTERS:
        rows = grids(book, [spec.name])[spec.name]
        for col in (rows[0].index("身份证号"), rows[0].index("银行账号")):
            found |= {str(r[col]).strip() for r in rows[1:] if len(str(r[col]).strip()) > 10}
    assert len(found) > 300 and set(MISTYPED["身份证号"]) <= found
    return found


def leaked(text: str, secrets: set[str]) -> list[str]:
    return sorted(s for s in secrets if s in text)


@pytest.fixture(scope="module")
def returned_form(book, folder) -> Path:
    """The street's form back with an account changed and a person added whose ID lost a digit."""
    return street_form_back(book, folder, STREET, {"银行账号": "6228480000000009999"},
                            {"姓名": "新增", "身份证号": "53011419500101123"})[0]


def commands(book: Path, source: Path, form: Path, out: Path) -> dict[str, list[object]]:
    return {
        "new": ["new", out / "空白.xlsx"],
        "demo": ["demo", out / "演示.xlsx", "--quarter", "2026Q2"],
        "check": ["check", book],
        "check-json": ["check", book, "--format", "json"],
        "refresh": ["refresh", book, "--quarter", "2026Q2"],
        "fill-performance": ["fill-performance", book],
        "import-performance": ["import-performance", book, source],
        "street-form": ["street-form", out / "表.xlsx", "--street", STREET, "--book", book],
        "import-streets": ["import-streets", book, form],
        "export": ["export", book, "--quarter", "2026Q2", "-o", out / "package", "--no-pdf"],
    }


COMMANDS = list(commands(Path(), Path(), Path(), Path()))


@pytest.mark.parametrize("name", COMMANDS)
def test_no_command_prints_an_id_or_account_or_starts_a_program(book, returned_form, secrets, name, tmp_path):
    copy = tmp_path / "补助经费.xlsx"
    shutil.copyfile(book, copy)
    with watching() as started:
        run = run_cli(*commands(copy, book, returned_form, tmp_path)[name])
    assert run.code in (0, 1), run.text
    assert len(run.text) > 20 and not leaked(run.text, secrets)
    assert not started, started  # no DDE, no helper program: only export's PDF step runs LibreOffice
    if name == "check-json":
        assert {i["code"] for i in json.loads(run.out)} >= {"id-length", "id-format", "account-format"}
    if name in ("refresh", "fill-performance", "import-streets"):
        sheet = grids(copy, [ISSUES_SHEET])[ISSUES_SHEET]
        assert len(sheet) > 10 and not leaked(json.dumps(sheet, ensure_ascii=False, default=str), secrets)


def test_exported_issue_lists_and_manifest_show_ids_masked(book, secrets, tmp_path):
    out = tmp_path / "package"
    assert run_cli("export", book, "--quarter", "2026Q2", "-o", out, "--no-pdf", "-q").code == 1
    issues_csv = next(out.glob("问题清单_*.csv"))
    with open(issues_csv, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert any(r[0] == "id-length" and r[4] == "530114*******1123" for r in rows)  # masked, not dropped
    texts = [issues_csv.read_text(encoding="utf-8-sig"), (out / "manifest.json").read_text(encoding="utf-8"),
             (out / "提交清单.txt").read_text(encoding="utf-8"),
             json.dumps(grids(next(out.glob("问题清单_*.xlsx"))), ensure_ascii=False, default=str)]
    for text in texts:
        assert not leaked(text, secrets)


# ---------------------------------------------------------------------------------------
# the ribbon macros
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("macro, answers", [
    (macros.refresh_all, ()), (macros.check, ()), (macros.build_quarterly, ("2026Q2",)),
    (macros.fill_performance, ()), (macros.import_streets, ()), (macros.export_package, ("2026Q2",)),
], ids=lambda v: getattr(v, "__name__", ""))
def test_no_macro_shows_an_id_or_account(book, returned_form, secrets, tmp_path, macro, answers):
    xw = remote_engine()
    copy = tmp_path / "补助经费.xlsx"
    shutil.copyfile(book, copy)
    ui = RecordingUi(answers=answers, files=[str(returned_form)], folder=str(tmp_path / "package"))
    workbook = xw.Book(json=payload(copy, name=str(copy)))
    kwargs = {"pdf": False} if macro is macros.export_package else {}
    with watching() as started:
        macro(workbook, ui, **kwargs)
    shown = json.dumps([ui.messages, ui.statuses, ui.questions], ensure_ascii=False)
    assert ui.messages and not [m for m in ui.messages if m[2]], ui.messages  # finished, no error box
    assert not leaked(shown, secrets) and not started
    actions = workbook.json()["actions"]
    issues = [a.get("values") for a, sheet in zip(actions, sheet_of(payload(copy), actions)) if sheet == ISSUES_SHEET]
    assert not leaked(json.dumps(issues, ensure_ascii=False, default=str), secrets)


# ---------------------------------------------------------------------------------------
# the network guard itself
# ---------------------------------------------------------------------------------------
def test_the_network_guard_refuses_every_way_out_and_catches_a_swallowed_attempt(network_forbidden):
    for attempt in (lambda: socket.create_connection(("192.0.2.1", 80), timeout=0.1),
                    lambda: socket.getaddrinfo("example.com", 443),
                    lambda: socket.socket().connect(("192.0.2.1", 80)),
                    lambda: urllib.request.urlopen("http://example.com", timeout=0.1)):
        with pytest.raises(NetworkUsed):
            attempt()
    with pytest.raises(AssertionError, match="tried to use the network"):
        with no_network():
            try:
                socket.create_connection(("192.0.2.1", 80), timeout=0.1)
            except Exception:  # code that hides the refusal is caught all the same
                pass
    network_forbidden.clear()  # the refusals above were this test's own


def test_the_process_watch_sees_a_program_started():
    import subprocess
    import sys

    with watching() as started:
        subprocess.run([sys.executable, "-c", "pass"], check=True)
    assert [event for event, _args in started] == ["subprocess.Popen"]
