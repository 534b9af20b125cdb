"""``subsidy-xl doctor`` on Linux: what it can check for real (an interpreter started as the add-in would,
its imports and xlwings version, the DLL folders, XLSTART, fonts), and that it says what it could not."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import xlwings

from subsidy_xl import __version__
from subsidy_xl.addin.build import build_addin
from subsidy_xl.cli import main
from subsidy_xl.doctor import (
    RERUN_INSTALL,
    diagnose,
    dll_folders,
    expand_windows_variables,
    font_finding,
    interpreter_findings,
    read_addin,
    report_text,
    xlstart_finding,
)

KIT_INTERPRETER = r"%LOCALAPPDATA%\subsidy-xl\venv\Scripts\pythonw.exe"


@pytest.fixture(scope="module")
def kit_addin(tmp_path_factory) -> Path:
    return build_addin(tmp_path_factory.mktemp("kit_addin"), interpreter=KIT_INTERPRETER)


@pytest.fixture(scope="module")
def plain_addin(tmp_path_factory) -> Path:
    return build_addin(tmp_path_factory.mktemp("plain_addin"))


def _python(folder: Path, fake_packages: Path | None = None) -> Path:
    """A real interpreter at ``folder``/python (a script starting this Python), optionally with
    ``fake_packages`` first on its path: another Python as the add-in would find it."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "python"
    path = f'PYTHONPATH="{fake_packages}" ' if fake_packages else ""
    script.write_text(f'#!/bin/sh\n{path}exec "{sys.executable}" "$@"\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def _package(root: Path, name: str, code: str) -> Path:
    (root / name).mkdir(parents=True)
    (root / name / "__init__.py").write_text(code)
    return root


def test_read_addin_gives_versions_and_the_interpreter(kit_addin, plain_addin) -> None:
    info = read_addin(kit_addin)
    assert (info.xlwings, info.version, info.interpreter) == (xlwings.__version__, __version__, KIT_INTERPRETER)
    assert info.config["UDF MODULES"] == "subsidy_xl.excel.udfs"
    assert read_addin(plain_addin).interpreter is None


def test_windows_variables_and_dll_folders() -> None:
    environ = {"LocalAppData": r"C:\Users\张三\AppData\Local"}
    expanded = expand_windows_variables(KIT_INTERPRETER + r";%NOPE%", environ)
    assert expanded == r"C:\Users\张三\AppData\Local\subsidy-xl\venv\Scripts\pythonw.exe;%NOPE%"
    assert dll_folders(expanded.split(";")[0]) == [r"C:\Users\张三\AppData\Local\subsidy-xl\venv\Scripts",
                                                    r"C:\Users\张三\AppData\Local\subsidy-xl\venv"]


def test_a_working_environment_with_the_dlls_is_all_fine(kit_addin, tmp_path) -> None:
    venv = tmp_path / "venv"
    interpreter = _python(venv / "Scripts")
    for bits in (64, 32):
        (venv / f"xlwings{bits}-{xlwings.__version__}.dll").write_bytes(b"MZ")
    findings = interpreter_findings(read_addin(kit_addin), str(interpreter))
    assert [(f.item, f.ok) for f in findings] == [("加载项启动的 Python", True), ("xlwings 版本", True), ("xlwings DLL", True)]
    assert f"subsidy-xl {__version__}" in findings[0].text and "64 位" in findings[0].text
    assert findings[1].text == f"{xlwings.__version__}，与加载项一致"


def test_missing_dlls_are_named_with_where_they_were_looked_for(kit_addin, tmp_path) -> None:
    interpreter = _python(tmp_path / "venv" / "Scripts")
    (tmp_path / "venv" / "Scripts" / f"xlwings64-{xlwings.__version__}.dll").write_bytes(b"MZ")  # beside: found
    (dll,) = [f for f in interpreter_findings(read_addin(kit_addin), str(interpreter)) if f.item == "xlwings DLL"]
    assert dll.ok is False and f"找不到 xlwings32-{xlwings.__version__}.dll" in dll.text
    assert str(tmp_path / "venv" / "Scripts") in dll.text and str(tmp_path / "venv") in dll.text
    assert dll.fix.startswith(RERUN_INSTALL)


def test_another_xlwings_in_the_addins_python_is_a_version_mismatch(kit_addin, tmp_path) -> None:
    fake = _package(tmp_path / "fake", "xlwings", '__version__ = "0.30.0"\n')
    interpreter = _python(tmp_path / "other" / "bin", fake)
    findings = interpreter_findings(read_addin(kit_addin), str(interpreter))
    (version,) = [f for f in findings if f.item == "xlwings 版本"]
    assert version.ok is False
    assert version.text == f"版本不一致：加载项需要 xlwings {xlwings.__version__}，该 Python 中是 0.30.0"


def test_a_python_without_subsidy_xl_is_reported_with_pythons_own_words(kit_addin, tmp_path) -> None:
    fake = _package(tmp_path / "fake", "subsidy_xl", "raise ModuleNotFoundError(\"No module named 'subsidy_xl'\")\n")
    interpreter = _python(tmp_path / "anaconda" / "bin", fake)
    (finding,) = interpreter_findings(read_addin(kit_addin), str(interpreter))[:1]
    assert finding.ok is False
    assert finding.text == f"{interpreter} 无法导入 subsidy_xl：ModuleNotFoundError: No module named 'subsidy_xl'"
    missing = interpreter_findings(read_addin(kit_addin), str(tmp_path / "nowhere" / "python.exe"))
    assert [(f.ok, f.text) for f in missing] == [(False, f"找不到 {tmp_path / 'nowhere' / 'python.exe'}")]


def test_a_python_that_prints_before_the_probe_is_still_read(kit_addin, tmp_path) -> None:
    fake = _package(tmp_path / "fake", "sitecustomize", "print('欢迎使用 Anaconda')\n")
    interpreter = _python(tmp_path / "chatty" / "bin", fake)
    (finding,) = interpreter_findings(read_addin(kit_addin), str(interpreter))[:1]
    assert finding.ok is True and f"subsidy-xl {__version__}" in finding.text

def test_a_damaged_addin_is_reported_in_chinese(tmp_path) -> None:
    damaged = tmp_path / "subsidy_xl.xlam"
    damaged.write_bytes(b"PK\x03\x04 not really a zip")
    (finding,) = [f for f in diagnose(addin=damaged, xlstart=tmp_path) if f.item == "加载项"]
    assert finding.ok is False and finding.text == f"无法读取 {damaged}：文件已损坏或不是 Excel 加载项"
    assert finding.fix == RERUN_INSTALL

def test_what_cannot_be_checked_off_windows_is_said(kit_addin, plain_addin) -> None:
    if sys.platform == "win32":
        pytest.skip("checks the non-Windows behaviour")
    (kit,) = interpreter_findings(read_addin(kit_addin))
    assert kit.ok is None and kit.text.endswith("（本机不是 Windows，无法检查）")
    assert kit.text.startswith(expand_windows_variables(KIT_INTERPRETER))
    (plain,) = interpreter_findings(read_addin(plain_addin))
    assert plain.ok is False and "加载项没有指定 Python" in plain.text and "xlwings.conf" in plain.text
    assert xlstart_finding(None).ok is None


def test_xlstart(tmp_path, kit_addin) -> None:
    assert xlstart_finding(tmp_path).ok is False
    (tmp_path / "subsidy_xl.xlam").write_bytes(kit_addin.read_bytes())
    assert xlstart_finding(tmp_path).ok is True
    findings = diagnose(xlstart=tmp_path)  # the add-in in XLSTART is the one checked
    assert findings[1].text.startswith(f"{tmp_path / 'subsidy_xl.xlam'}（subsidy-xl {__version__}")


@pytest.mark.skipif(sys.platform == "win32", reason="fontconfig")
def test_fonts_through_fontconfig(tmp_path, monkeypatch) -> None:
    assert font_finding().ok is True  # fonts-noto-cjk is installed for the PDF tests
    empty = tmp_path / "fonts.conf"
    empty.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig></fontconfig>')
    monkeypatch.setenv("FONTCONFIG_FILE", str(empty))
    finding = font_finding()
    assert finding.ok is False and "方框" in finding.text and finding.fix


def test_the_cli_prints_every_finding_and_exits_by_problems(kit_addin, plain_addin, capsys) -> None:
    assert main(["doctor", "--addin", str(kit_addin)]) == 0
    out = capsys.readouterr().out
    assert out == report_text(diagnose(kit_addin)) + "\n"
    assert out.startswith("检查结果：未发现问题。\n[正常] Python 版本：Python ")
    assert main(["doctor", "--addin", str(plain_addin)]) == 1
    out = capsys.readouterr().out
    problems = out.count("[问题]")
    assert problems >= 1 and out.startswith(f"检查结果：发现 {problems} 个问题，请按“处理”逐项解决。")
    assert out.count("处理：") >= problems


def test_doctor_runs_as_a_command(kit_addin) -> None:
    done = subprocess.run([sys.executable, "-m", "subsidy_xl.cli", "doctor", "--addin", str(kit_addin)],
                          capture_output=True, text=True, env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert done.returncode == 0 and done.stdout.startswith("检查结果：") and not done.stderr
