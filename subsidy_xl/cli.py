"""The subsidy-xl command. Messages are Chinese; exit codes: 0 fine, 1 errors
found, 2 the workbook cannot be read or written, 3 an internal error."""
from __future__ import annotations

import argparse
import importlib
import json
import re
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .errors import describe_error, internal_error_text, is_user_error

if TYPE_CHECKING:  # the core is imported by the commands that use it: `subsidy-xl --help` stays quick
    from .issues import Issue

EXIT_OK, EXIT_ERRORS, EXIT_UNREADABLE, EXIT_INTERNAL = 0, 1, 2, 3
BOOK_HELP = "补助经费工作簿，如 补助经费.xlsx"
BOOK = "工作簿"  # metavar of the positional ``book`` (its dest stays English)
OUT = "输出文件"  # metavar of the positional ``out``
# -o of every command that changes a workbook (safe_save.output_target: one rule for all).
OUTPUT_HELP = "写入一个新文件，不改动原文件（该文件须尚不存在；写原工作簿本身则等于不加 -o）"

# Modules that add their own subcommands with register(subparsers).
COMMAND_MODULES = ("subsidy_xl.addin.cli", "subsidy_xl.streets.cli", "subsidy_xl.export.cli",
                   "subsidy_xl.performance.cli", "subsidy_xl.web.cli",
                   "subsidy_xl.kit.cli", "subsidy_xl.doctor_cli")

# argparse's own messages (Python 3.10-3.13) and their Chinese; the first match is used.
_ARGPARSE_MESSAGES: tuple[tuple[str, str], ...] = (
    (r"the following arguments are required: (.*)", r"缺少必需的参数：\1"),
    (r"one of the arguments (.*) is required", r"须给出以下参数之一：\1"),
    (r"invalid choice: (.*?) \(choose from (.*)\)", r"无效的选项 \1（可选：\2）"),
    (r"unrecognized arguments: (.*)", r"无法识别的参数：\1"),
    (r"expected one argument", "此处应给出一个值"),
    (r"expected at least one argument", "此处应至少给出一个值"),
    (r"expected at most one argument", "此处最多给出一个值"),
    (r"expected (\d+) arguments?", r"此处应给出 \1 个值"),
    (r"not allowed with argument (.*)", r"不能与参数 \1 同时使用"),
    (r"ambiguous option: (.*) could match (.*)", r"选项 \1 不明确，可能是：\2"),
    (r"ignored explicit argument (.*)", r"多余的值 \1"),
    (r"invalid (\S+) value: (.*)", r"无效的值：\2"),
)


def translate_argparse_message(message: str) -> str:
    """argparse's English error text in Chinese (``argument X: …`` becomes ``参数 X：…``)."""
    prefix = ""
    head = re.match(r"argument (.+?): (.*)", message, re.S)
    if head:
        prefix, message = f"参数 {head[1]}：", head[2]
    for pattern, chinese in _ARGPARSE_MESSAGES:
        match = re.fullmatch(pattern, message, re.S)
        if match:
            return prefix + match.expand(chinese)
    return prefix + message


class _ChineseHelpFormatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)


class ChineseArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser that speaks Chinese: usage, help and errors (exit 2). add_subparsers
    makes its subparsers of the same class, so one parser class serves every command."""

    def __init__(self, *args, add_help: bool = True, **kwargs):
        kwargs.setdefault("formatter_class", _ChineseHelpFormatter)
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title = "位置参数"
        self._optionals.title = "选项"
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help="显示帮助并退出")

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：错误：{translate_argparse_message(message)}\n（加 -h 查看帮助）\n")


def progress_printer(quiet: bool):
    start = time.monotonic()

    def say(message: str) -> None:
        if not quiet:
            print(f"[{time.monotonic() - start:6.1f}秒] {message}", file=sys.stderr, flush=True)
    return say


def quarter_arg(text: str):
    """argparse's ``type`` of --quarter (argparse never calls it for the None default)."""
    from .months import parse_quarter

    try:
        return parse_quarter(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def print_issues(issues: list[Issue]) -> None:
    if not issues:
        print("未发现问题。")
        return
    for i in issues:
        where = f"{i.sheet}!{i.cell}" if i.cell else i.sheet
        print(f"[{i.severity_label}] {where}  {i.message}  （{i.code}）")


def _counts_line(issues: list[Issue]) -> str:
    from .issues import counts_text

    return f"共 {len(issues)} 条{counts_text(issues)}"


def cmd_new(args) -> int:
    from .service import new_workbook

    print(f"已生成空白工作簿：{new_workbook(args.out)}")
    return EXIT_OK


def cmd_demo(args) -> int:
    from .service import demo

    report = demo(args.out, args.quarter, progress=progress_printer(args.quiet))
    print(f"已生成演示工作簿：{report.out}")
    print(report.summary())
    return EXIT_OK


def cmd_refresh(args) -> int:
    from .service import refresh

    report = refresh(args.book, args.quarter, args.output, progress=progress_printer(args.quiet))
    print(f"已刷新：{report.out}" + (f"（原文件备份：{report.backup}）" if report.backup else ""))
    print(report.summary())
    from .issues import left_out_text

    if left_out_text(len(report.analysis.issues)):  # more issues than the 问题清单 sheet holds
        print(left_out_text(len(report.analysis.issues)))
    return EXIT_ERRORS if report.counts["error"] else EXIT_OK


def note_if_open(book: Path) -> None:
    """A command that only reads says (on stderr) when the workbook is open in an office suite: it reads the
    last saved state, not what is on screen."""
    from .io.safe_save import office_lock_note

    note = office_lock_note(book)
    if note:
        print(f"注意：{note}", file=sys.stderr)


def cmd_check(args) -> int:
    from .service import check

    note_if_open(args.book)
    analysis = check(args.book, progress=progress_printer(args.quiet or args.format == "json"))
    if args.format == "json":
        json.dump([i.as_dict() for i in analysis.issues], sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        print_issues(analysis.issues)
        print(_counts_line(analysis.issues))
    return EXIT_ERRORS if analysis.errors else EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseArgumentParser(prog="subsidy-xl", description="正常离任村（社区）干部生活补助经费：计算、校验、生成报表")
    parser.add_argument("--version", action="version", version=f"subsidy-xl {__version__}", help="显示版本号并退出")
    parser.add_argument("--debug", action="store_true", help="出错时显示完整的技术信息")
    sub = parser.add_subparsers(dest="command", metavar="命令")
    sub.required = True

    p = sub.add_parser("new", help="由模板生成空白工作簿")
    p.add_argument("out", type=Path, metavar=OUT, help="输出文件，如 补助经费.xlsx")
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("demo", help="生成含样例数据并已刷新的演示工作簿")
    p.add_argument("out", type=Path, metavar=OUT, help="输出文件，如 演示工作簿.xlsx")
    p.add_argument("--quarter", type=quarter_arg, metavar="季度", help="发放季度，如 2026Q1（默认为当前季度）")
    p.add_argument("-q", "--quiet", action="store_true", help="不显示进度")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("refresh", help="重新计算工具生成的工作表和列，更新问题清单（原文件自动备份）")
    p.add_argument("book", type=Path, metavar=BOOK, help=BOOK_HELP)
    p.add_argument("--quarter", type=quarter_arg, metavar="季度", help="发放季度，如 2026Q1（默认为当前季度）")
    p.add_argument("-o", "--output", type=Path, metavar="文件", help=OUTPUT_HELP)
    p.add_argument("-q", "--quiet", action="store_true", help="不显示进度")
    p.set_defaults(func=cmd_refresh)

    p = sub.add_parser("check", help="校验工作簿，列出全部问题（不修改文件）")
    p.add_argument("book", type=Path, metavar=BOOK, help=BOOK_HELP)
    p.add_argument("--format", choices=("table", "json"), default="table", help="输出格式")
    p.add_argument("-q", "--quiet", action="store_true", help="不显示进度")
    p.set_defaults(func=cmd_check)

    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("已取消。", file=sys.stderr)
        return EXIT_INTERNAL
    except Exception as e:
        if is_user_error(e):  # USER_ERRORS and the system's OS errors: a Chinese message
            print(f"错误：{describe_error(e)}", file=sys.stderr)
            release_quietly(e)
            return EXIT_UNREADABLE
        if args.debug:  # the last line of defence: no traceback for staff
            raise
        print(f"{internal_error_text(e)}（加 --debug 重新运行可得到完整的技术信息）。", file=sys.stderr)
        release_quietly(e)
        return EXIT_INTERNAL


def release_quietly(error: BaseException) -> None:
    """Free what the failed command still holds through ``error``'s tracebacks (a library's half-written zip
    file, on a full disk) without the "Exception ignored ... Traceback" its destructor prints when it fails to
    finish the file: the user has been told what went wrong, and the file is a temporary one, removed."""
    import gc
    import traceback

    hook = sys.unraisablehook
    sys.unraisablehook = lambda _unraisable: None
    try:
        seen: set[int] = set()
        while error is not None and id(error) not in seen:
            seen.add(id(error))
            traceback.clear_frames(error.__traceback__)
            error = error.__cause__ or error.__context__
        gc.collect()
    finally:
        sys.unraisablehook = hook


if __name__ == "__main__":
    sys.exit(main())
