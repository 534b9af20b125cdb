"""The command line speaks Chinese: one user-error class however the tool is started, Chinese
argparse messages and help, errors described in Chinese by one shared function, counts via counts_text."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from reliability_support import run_cli

from subsidy_xl import cli
from subsidy_xl import errors
from subsidy_xl.issues import ERROR, INFO, WARNING, Issue, counts_text
from subsidy_xl.params import default_params

REPO = Path(__file__).resolve().parents[1]
CHINESE = re.compile("[\u4e00-\u9fff]")

# What argparse prints in English; none may reach the user.
ENGLISH = re.compile(r"usage:|error:|the following arguments|invalid choice|unrecognized arguments|expected one"
                     r"|expected at|show this help|positional arguments|options:|optional arguments|choose from"
                     r"|show program's version")


def run_module(*args: object, cwd: Path = REPO) -> subprocess.CompletedProcess:
    """The tool started as ``python -m subsidy_xl.cli`` (cli is then __main__, a second module)."""
    return subprocess.run([sys.executable, "-m", "subsidy_xl.cli", *map(str, args)], capture_output=True,
                          text=True, encoding="utf-8", cwd=cwd, timeout=120)


# ---------------------------------------------------------------- one user-error class

def test_an_unknown_street_is_a_user_error_under_python_m(tmp_path):
    run = run_module("street-form", tmp_path / "表.xlsx", "--street", "不存在街道")
    assert run.returncode == cli.EXIT_UNREADABLE, run.stderr
    assert "内部错误" not in run.stderr and "UserError" not in run.stderr
    assert run.stderr.startswith("错误：未知街道“不存在街道”")


def test_an_export_refusal_is_a_user_error_under_python_m(tmp_path):
    out = tmp_path / "材料"
    out.mkdir()
    (out / "旧文件.txt").write_text("x")
    run = run_module("export", tmp_path / "补助经费.xlsx", "--quarter", "2026Q2", "-o", out, "--no-pdf", "-q")
    assert run.returncode == cli.EXIT_UNREADABLE, run.stderr
    assert "内部错误" not in run.stderr and "输出文件夹不是空的" in run.stderr



# ---------------------------------------------------------------- errors described once

def test_system_errors_are_described_in_chinese():
    missing = FileNotFoundError(2, "No such file or directory", "名册.xlsx")
    assert errors.describe_error(missing) == "找不到文件：名册.xlsx"
    assert errors.describe_error(PermissionError(13, "Permission denied", "a.xlsx")) == "没有权限读写文件：a.xlsx"
    assert errors.describe_error(FileExistsError(17, "File exists", "b.xlsx")) == "文件已存在，未覆盖：b.xlsx"
    # The tool's own OS errors carry a Chinese text: shown as it is.
    assert errors.describe_error(FileExistsError("文件已存在，未覆盖：c.xlsx")) == "文件已存在，未覆盖：c.xlsx"
    assert errors.describe_error(errors.UserError("请先保存")) == "请先保存"


def test_anything_unexpected_is_an_internal_error_for_the_maintainers():
    text = errors.describe_error(KeyError("问题清单"))
    assert text.startswith("内部错误（KeyError）") and text.endswith("请将此信息发给维护人员")

    class Refusal(errors.UserError):  # how a use case declares its refusals the user's to fix
        pass

    assert errors.describe_error(Refusal("x")) == "x"


def test_the_use_cases_refusals_are_user_errors():
    from subsidy_xl.excel.ui import NeedsWindowsExcel
    from subsidy_xl.export.bundle import ExportError
    from subsidy_xl.export.pdf import PdfError
    from subsidy_xl.performance import PerformanceError
    from subsidy_xl.streets.form import StreetFormError

    for refusal in (ExportError("输出文件夹不是空的"), PdfError("未找到 LibreOffice"), PerformanceError("找不到文件"),
                    StreetFormError("未知街道"), NeedsWindowsExcel()):
        text = errors.describe_error(refusal)
        assert text == str(refusal) and "内部错误" not in text and "维护人员" not in text, text
    # Excel for Mac: told what is needed, not asked to report a bug
    assert errors.describe_error(NeedsWindowsExcel()) == "此操作需要在 Windows 版 Excel 中运行"


def test_any_system_error_is_described_in_chinese_with_the_file():
    import errno

    full = OSError(errno.ENOSPC, "No space left on device", "材料.pdf")
    assert errors.is_user_error(full) and errors.describe_error(full) == "磁盘空间不足：材料.pdf"
    assert errors.describe_error(OSError(errno.EMLINK, "Too many links")) == f"系统错误代码 {errno.EMLINK}"


def test_the_cli_uses_the_shared_description(tmp_path):
    run = run_cli("check", tmp_path / "没有这个文件.xlsx", "-q")
    code, err = run.code, run.err
    assert code == cli.EXIT_UNREADABLE
    assert "Errno" not in err and "No such file" not in err and "找不到" in err


# ---------------------------------------------------------------- argparse in Chinese

@pytest.mark.parametrize("args", [
    ("refresh",),
    ("bogus",),
    ("check", "a.xlsx", "--format", "xml"),
    ("check", "a.xlsx", "extra"),
    ("refresh", "a.xlsx", "--quarter"),
    ("street-form", "a.xlsx"),
    ("export", "a.xlsx"),
    ("addin",),
    ("addin", "nothing"),
    (),
])
def test_argparse_errors_are_chinese(args):
    run = run_cli(*args)
    code, err = run.code, run.err
    assert code == 2
    assert not ENGLISH.search(err), err
    assert "用法：subsidy-xl" in err and "错误：" in err and CHINESE.search(err.split("错误：", 1)[1])


def test_a_missing_argument_names_it_in_chinese():
    err = run_cli("refresh").err
    assert "subsidy-xl refresh：错误：缺少必需的参数：工作簿" in err


@pytest.mark.parametrize("command", [[], ["new"], ["demo"], ["refresh"], ["check"], ["addin"], ["addin", "build"],
                                     ["addin", "install"], ["street-form"], ["import-streets"], ["export"],
                                     ["fill-performance"], ["import-performance"]])
def test_help_is_chinese(command):
    run = run_cli(*command, "-h")
    code, out = run.code, run.out
    assert code == 0
    assert out.startswith("用法：subsidy-xl") and "显示帮助并退出" in out
    assert not ENGLISH.search(out), out
    # every positional 工作簿/输出文件 has its help
    for name in (cli.BOOK, cli.OUT):
        if re.search(rf"^  {name}\s*$", out, re.M):
            pytest.fail(f"{name} without help in {command}")


def test_argparse_messages_translate():
    assert cli.translate_argparse_message("argument --quarter: expected one argument") == "参数 --quarter：此处应给出一个值"
    assert cli.translate_argparse_message("unrecognized arguments: x y") == "无法识别的参数：x y"
    assert cli.translate_argparse_message(
        "argument 命令: invalid choice: 'x' (choose from 'new', 'demo')") == "参数 命令：无效的选项 'x'（可选：'new', 'demo'）"


@pytest.mark.parametrize("command", [["demo", "BOOK"], ["refresh", "BOOK"], ["export", "BOOK", "-o", "OUT"]])
def test_a_bad_quarter_is_refused_by_the_subcommand(tmp_path, command):
    paths = {"BOOK": tmp_path / "x.xlsx", "OUT": tmp_path / "out"}
    run = run_cli(*[paths.get(a, a) for a in command], "--quarter", "2026Q9")
    code, err = run.code, run.err
    assert code == 2
    assert f"用法：subsidy-xl {command[0]}" in err and "参数 --quarter：季度格式应为" in err
    assert not (tmp_path / "x.xlsx").exists() and not (tmp_path / "out").exists()


def test_a_quarter_is_parsed_once_by_argparse():
    args = cli.build_parser().parse_args(["export", "x.xlsx", "--quarter", "2026Q2", "-o", "out"])
    assert str(args.quarter) == "2026Q2" and not isinstance(args.quarter, str)


# ---------------------------------------------------------------- counts and import messages

def test_counts_come_from_counts_text():
    issues = [Issue("a", ERROR, "s", "A1", "", "m", "b"), Issue("b", WARNING, "s", "A2", "", "m", "b"),
              Issue("c", INFO, "s", "A3", "", "m", "b")]
    assert cli._counts_line(issues) == f"共 3 条{counts_text(issues)}"
    assert cli._counts_line(issues) == "共 3 条问题：错误1条、警告1条、提示1条"


def test_an_unreadable_form_reads_as_one_sentence(tmp_path):
    from subsidy_xl.service import open_book
    from subsidy_xl.streets.usecases import read_forms

    broken = tmp_path / "坏文件.xlsx"
    broken.write_bytes(b"not a workbook")
    forms = read_forms([broken, tmp_path / "不存在.xlsx"], default_params(), open_book)
    messages = [i.message for f in forms for i in f.issues if i.code == "form-unreadable"]
    assert len(messages) == 2
    for message in messages:
        assert message.startswith("无法读取报送表：") and message.endswith("；该报送表未导入"), message
        assert "。；" not in message and "。，" not in message and "Errno" not in message, message
    assert "找不到文件" in messages[1]


def test_the_import_summary_uses_counts_text():
    from subsidy_xl.streets import usecases
    from subsidy_xl.streets.merge import MergeResult

    problems = [Issue("a", ERROR, "s", "A1", "", "m", "b"), Issue("c", INFO, "s", "A3", "", "m", "b")]
    summary = usecases.ImportReport(MergeResult(), problems, [Path("a.xlsx")]).summary()
    assert f"；导入{counts_text(problems)}（详见“变动情况”工作表）" in summary
