"""The ``fill-performance`` and ``import-performance`` commands."""
from __future__ import annotations

import argparse
from pathlib import Path

from ..cli import BOOK, BOOK_HELP, EXIT_ERRORS, EXIT_OK, OUTPUT_HELP, progress_printer


def _report(report) -> int:
    print(f"已写入：{report.out}" + (f"（原文件备份：{report.backup}）" if report.backup else ""))
    print(report.summary())
    for note in report.notes:
        print(f"  说明：{note}")
    for issue in report.suggestions:
        print(f"  建议：{issue.message}")
    return EXIT_ERRORS if report.counts["error"] else EXIT_OK


def _fill(args: argparse.Namespace) -> int:
    from ..service import fill_performance

    return _report(fill_performance(args.book, args.output, progress=progress_printer(args.quiet)))


def _import(args: argparse.Namespace) -> int:
    from ..service import import_performance

    return _report(import_performance(args.book, args.source, args.output, progress=progress_printer(args.quiet)))


def _review(args: argparse.Namespace) -> int:
    import json
    import sys

    from ..cli import _counts_line, print_issues
    from .review import review_source

    review = review_source(args.source)
    if args.format == "json":
        json.dump([i.as_dict() for i in review.issues], sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        print(f"已读取“{args.source.name}”：指标{len(review.table.rows)}行" +
              "".join(f"；{note}" for note in review.imported.notes))
        print_issues(review.issues)
        print(_counts_line(review.issues))
    return EXIT_ERRORS if any(i.severity == "error" for i in review.issues) else EXIT_OK


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

    p = subparsers.add_parser("review-performance",
                              help="审核一张收到的项目绩效目标表（.xlsx 或 .docx：申报表、自评表、部门整体），列出问题及其单元格")
    p.add_argument("source", type=Path, metavar="目标表文件", help="收到的 .xlsx 或 .docx 文件")
    p.add_argument("--format", choices=("table", "json"), default="table", help="输出格式")
    p.set_defaults(func=_review)
