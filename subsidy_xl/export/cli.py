"""``subsidy-xl export``: the submission package of a quarter."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..cli import BOOK, BOOK_HELP, EXIT_ERRORS, EXIT_OK, note_if_open, progress_printer, quarter_arg


def _export(args: argparse.Namespace) -> int:
    from ..service import export_package

    note_if_open(args.book)
    report = export_package(args.book, args.quarter, args.output, progress=progress_printer(args.quiet),
                            pdf=not args.no_pdf)
    for warning in report.warnings:
        print(f"注意：{warning}", file=sys.stderr)
    print(f"已生成提交材料：{report.out_dir}")
    print(report.summary())
    if report.errors:
        from .bundle import held_sentence

        print(f"问题清单中有 {report.errors} 条错误。{held_sentence(report.manifest['totals'])}")
    return EXIT_ERRORS if report.errors else EXIT_OK


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("export", help="生成季度提交材料：发放表PDF、公示名单、问题清单和文件清单（含SHA-256）")
    p.add_argument("book", type=Path, metavar=BOOK, help=BOOK_HELP)
    p.add_argument("--quarter", type=quarter_arg, metavar="季度", help="发放季度，如 2026Q2（默认为当前季度）")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="文件夹", help="输出文件夹（须为新的或空的文件夹）")
    p.add_argument("--no-pdf", action="store_true", help="不生成PDF（本机没有 LibreOffice 时）")
    p.add_argument("-q", "--quiet", action="store_true", help="不显示进度")
    p.set_defaults(func=_export)
