"""The ``fill-performance`` and ``import-performance`` commands."""
from __future__ import annotations

import argparse
from pathlib import Path

from ..cli import BOOK, BOOK_HELP, EXIT_ERRORS, EXIT_OK, OUTPUT_HELP, progress_printer


def _report(report) -> int:
    print(f"已写入：{report.out}" + (f"（原文件备份：{report.backup}）" if report.backup else ""))
    print(report.summary())
    for issue in report.suggestions:
        print(f"  建议：{issue.message}")
    return EXIT_ERRORS if report.counts["error"] else EXIT_OK


def _fill(args: argparse.Namespace) -> int:
    from ..service import fill_performance

    return _report(fill_performance(args.book, args.output, progress=progress_printer(args.quiet)))


def _import(args: argparse.Namespace) -> int:
    from ..service import import_performance

    return _report(import_performance(args.book, args.source, args.output, progress=progress_printer(args.quiet)))


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("fill-performance",
                              help="按名册和参数填写绩效目标表（指标值、年度绩效目标；填了完成值时计算自评得分）")
    p.add_argument("book", type=Path, metavar=BOOK, help=BOOK_HELP)
    p.add_argument("-o", "--output", type=Path, metavar="文件", help=OUTPUT_HELP)
    p.add_argument("-q", "--quiet", action="store_true", help="不显示进度")
    p.set_defaults(func=_fill)

    p = subparsers.add_parser("import-performance", help="从 .xlsx 或 .docx 导入项目绩效目标表（替换表中的指标行）")
    p.add_argument("book", type=Path, metavar=BOOK, help=BOOK_HELP)
    p.add_argument("source", type=Path, metavar="目标表文件", help="含项目绩效目标表的 .xlsx 或 .docx 文件")
    p.add_argument("-o", "--output", type=Path, metavar="文件", help=OUTPUT_HELP)
    p.add_argument("-q", "--quiet", action="store_true", help="不显示进度")
    p.set_defaults(func=_import)
