"""The ``subsidy-xl addin`` command: build and install the Excel add-in.

``register(subparsers)`` adds the command to the main parser. Each subcommand
sets ``func``: the main CLI calls ``args.func(args)`` and exits with its result.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from ..cli import EXIT_OK, EXIT_UNREADABLE


def _build(args: argparse.Namespace) -> int:
    from .build import build_addin  # imports xlwings: only when asked

    path = build_addin(args.output)
    print(f"已生成加载项：{path}")
    return EXIT_OK


def _install(args: argparse.Namespace) -> int:
    from .build import ADDIN_FILE_NAME, build_addin
    from .install import default_xlstart_dir, install_addin, this_pythonw

    if args.path is not None or default_xlstart_dir() is None:
        # Outside Windows install_addin only explains what to do: no build needed.
        result = install_addin(args.path or Path(ADDIN_FILE_NAME))
    else:
        with tempfile.TemporaryDirectory() as folder:
            # The add-in starts this Python (its own setting, not the user's xlwings.conf).
            result = install_addin(build_addin(folder, interpreter=this_pythonw()))
    print(result.message, file=sys.stderr if result.failed else sys.stdout)
    return EXIT_UNREADABLE if result.failed else EXIT_OK


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``addin build [-o 文件夹]`` and ``addin install [路径]``."""
    addin = subparsers.add_parser("addin", help="生成或安装 Excel 加载项（离任补贴选项卡和工作表函数）")
    commands = addin.add_subparsers(dest="addin_command", required=True, metavar="{build,install}")

    build = commands.add_parser("build", help="由源文件生成 subsidy_xl.xlam")
    build.add_argument(
        "-o", "--output", type=Path, default=Path("."), metavar="文件夹", help="输出文件夹（默认为当前文件夹）"
    )
    build.set_defaults(func=_build)

    install = commands.add_parser("install", help="把加载项复制到 Excel 启动文件夹 XLSTART（仅 Windows）")
    install.add_argument(
        "path", nargs="?", type=Path, metavar="路径", help="已生成的 .xlam 文件（省略则先生成再安装）"
    )
    install.set_defaults(func=_install)
    return addin
