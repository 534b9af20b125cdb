"""The ``subsidy-xl kit`` command: build the offline install kit."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ..cli import EXIT_OK


def _kit(args: argparse.Namespace) -> int:
    from .build import build_kit

    start = time.monotonic()

    def progress(message: str) -> None:
        if not args.quiet:
            print(f"[{time.monotonic() - start:6.1f}秒] {message}", file=sys.stderr, flush=True)

    report = build_kit(args.output, cache=args.cache, refresh=args.refresh, progress=progress)
    print(report.summary())
    return EXIT_OK


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``kit -o 文件夹 [--cache 文件夹] [--refresh]``."""
    kit = subparsers.add_parser("kit", help="生成离线安装包（Windows 64/32 位，Python 3.10–3.13；需能访问软件包仓库）")
    kit.add_argument("-o", "--output", type=Path, required=True, metavar="文件夹", help="输出文件夹（须为新的或空的文件夹）")
    kit.add_argument("--cache", type=Path, metavar="文件夹",
                     help="下载缓存（默认 ~/.cache/subsidy-xl-kit，或环境变量 SUBSIDY_XL_KIT_CACHE）")
    kit.add_argument("--refresh", action="store_true", help="不用缓存解析，重新向软件包仓库查询最新版本")
    kit.add_argument("-q", "--quiet", action="store_true", help="不显示进度")
    kit.set_defaults(func=_kit)
    return kit
