"""``subsidy-xl street-form`` and ``subsidy-xl import-streets``."""
from __future__ import annotations

import argparse
from pathlib import Path

from ..cli import BOOK, BOOK_HELP, EXIT_ERRORS, EXIT_OK, OUT, OUTPUT_HELP, print_issues, progress_printer


def _street_form(args: argparse.Namespace) -> int:
    from ..service import street_form

    out, counts = street_form(args.book, args.street, args.out)
    people = "，".join(f"{name}{n}人" for name, n in counts.items())
    print(f"已生成{args.street}报送表：{out}" + (f"（预填 {people}）" if args.book else "（空表）"))
    return EXIT_OK


def _import_streets(args: argparse.Namespace) -> int:
    from ..service import import_streets

    report = import_streets(args.book, args.files, args.output, progress=progress_printer(args.quiet))
    print_issues(report.problems)
    print(f"已导入：{report.out}" + (f"（原文件备份：{report.backup}）" if report.backup else ""))
    print(report.summary())
    print("请运行 subsidy-xl refresh 重新计算发放表。")
    return EXIT_ERRORS if report.counts["error"] else EXIT_OK


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("street-form", help="生成街道报送表（预填该街道现有人员，带下拉选项和填表说明）")
    p.add_argument("out", type=Path, metavar=OUT, help="输出文件，如 吴家营街道报送表.xlsx")
    p.add_argument("--street", required=True, metavar="街道", help="街道名称，如 吴家营街道")
    p.add_argument("--book", type=Path, metavar="工作簿", help="从该工作簿预填人员（省略则生成空表）")
    p.set_defaults(func=_street_form)

    p = subparsers.add_parser("import-streets", help="导入街道交回的报送表，合并到名册并生成“变动情况”（原文件自动备份）")
    p.add_argument("book", type=Path, metavar=BOOK, help=BOOK_HELP)
    p.add_argument("files", type=Path, nargs="+", metavar="报送表", help="一个或多个报送表")
    p.add_argument("-o", "--output", type=Path, metavar="文件", help=OUTPUT_HELP)
    p.add_argument("-q", "--quiet", action="store_true", help="不显示进度")
    p.set_defaults(func=_import_streets)
