"""The subsidy-xl command. Messages are Chinese; exit codes: 0 fine, 1 errors
found, 2 the workbook cannot be read or written, 3 an internal error."""
from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from pathlib import Path

from . import __version__
from .issues import Issue

EXIT_OK, EXIT_ERRORS, EXIT_UNREADABLE, EXIT_INTERNAL = 0, 1, 2, 3

# Modules that add their own subcommands with register(subparsers).
COMMAND_MODULES = ("subsidy_xl.addin.cli", "subsidy_xl.streets.cli", "subsidy_xl.export.cli",
                   "subsidy_xl.performance.cli")


class UserError(Exception):
    """A problem the user can fix (file missing, locked, unreadable); shown without a traceback."""


def progress_printer(quiet: bool):
    start = time.monotonic()

    def say(message: str) -> None:
        if not quiet:
            print(f"[{time.monotonic() - start:6.1f}秒] {message}", file=sys.stderr, flush=True)
    return say


def quarter_arg(text: str | None):
    from .months import parse_quarter

    if text is None:
        return None
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
    from .issues import count_by_severity

    c = count_by_severity(issues)
    return f"共 {len(issues)} 条：错误 {c['error']} 条，警告 {c['warning']} 条，提示 {c['info']} 条"


def cmd_new(args) -> int:
    from .service import new_workbook

    print(f"已生成空白工作簿：{new_workbook(args.out)}")
    return EXIT_OK


def cmd_demo(args) -> int:
    from .service import demo

    report = demo(args.out, quarter_arg(args.quarter), progress=progress_printer(args.quiet))
    print(f"已生成演示工作簿：{report.out}")
    print(report.summary())
    return EXIT_OK


def cmd_refresh(args) -> int:
    from .service import refresh

    report = refresh(args.book, quarter_arg(args.quarter), args.output, progress=progress_printer(args.quiet))
    print(f"已刷新：{report.out}" + (f"（原文件备份：{report.backup}）" if report.backup else ""))
    print(report.summary())
    return EXIT_ERRORS if report.counts["error"] else EXIT_OK


def cmd_check(args) -> int:
    from .service import check

    analysis = check(args.book, progress=progress_printer(args.quiet or args.format == "json"))
    if args.format == "json":
        json.dump([i.as_dict() for i in analysis.issues], sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        print_issues(analysis.issues)
        print(_counts_line(analysis.issues))
    return EXIT_ERRORS if analysis.errors else EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="subsidy-xl", description="正常离任村（社区）干部生活补助经费：计算、校验、生成报表")
    parser.add_argument("--version", action="version", version=f"subsidy-xl {__version__}")
    parser.add_argument("--debug", action="store_true", help="出错时显示完整的技术信息")
    sub = parser.add_subparsers(dest="command", metavar="命令")
    sub.required = True

    p = sub.add_parser("new", help="由模板生成空白工作簿")
    p.add_argument("out", type=Path, help="输出文件，如 补助经费.xlsx")
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("demo", help="生成含样例数据并已刷新的演示工作簿")
    p.add_argument("out", type=Path)
    p.add_argument("--quarter", help="发放季度，如 2026Q1（默认为当前季度）")
    p.add_argument("-q", "--quiet", action="store_true", help="不显示进度")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("refresh", help="重新计算工具生成的工作表和列，更新问题清单（原文件自动备份）")
    p.add_argument("book", type=Path)
    p.add_argument("--quarter", help="发放季度，如 2026Q1（默认为当前季度）")
    p.add_argument("-o", "--output", type=Path, help="写入另一个文件，不改动原文件")
    p.add_argument("-q", "--quiet", action="store_true", help="不显示进度")
    p.set_defaults(func=cmd_refresh)

    p = sub.add_parser("check", help="校验工作簿，列出全部问题（不修改文件）")
    p.add_argument("book", type=Path)
    p.add_argument("--format", choices=("table", "json"), default="table", help="输出格式")
    p.add_argument("-q", "--quiet", action="store_true", help="不显示进度")
    p.set_defaults(func=cmd_check)

    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def _user_errors() -> tuple[type[BaseException], ...]:
    """Exceptions that carry a message for the user (their text is already Chinese)."""
    from .io.errors import WorkbookError

    return (UserError, WorkbookError, FileNotFoundError, FileExistsError, PermissionError, IsADirectoryError)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except argparse.ArgumentTypeError as e:
        parser.error(str(e))
    except _user_errors() as e:
        print(f"错误：{_describe(e)}", file=sys.stderr)
        return EXIT_UNREADABLE
    except KeyboardInterrupt:
        print("已取消。", file=sys.stderr)
        return EXIT_INTERNAL
    except Exception as e:  # the last line of defence: no traceback for staff
        if args.debug:
            raise
        print(f"内部错误：{type(e).__name__}: {e}\n请加 --debug 重新运行，并将输出发给维护人员。", file=sys.stderr)
        return EXIT_INTERNAL
    return EXIT_OK


def _describe(e: BaseException) -> str:
    if isinstance(e, FileNotFoundError):
        return f"找不到文件：{e.filename or e}"
    if isinstance(e, PermissionError):
        return f"没有权限读写文件：{e.filename or e}"
    if isinstance(e, IsADirectoryError):
        return f"这是一个文件夹，不是工作簿：{e.filename or e}"
    return str(e)


if __name__ == "__main__":
    sys.exit(main())
