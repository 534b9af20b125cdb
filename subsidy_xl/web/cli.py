"""``subsidy-xl ui``: the local web page (and ``--make-launcher``, its desktop shortcut)."""
from __future__ import annotations

import argparse
from pathlib import Path

from ..cli import EXIT_OK


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"端口应为 0–65535 的整数，收到：{text}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"端口应为 0–65535 的整数，收到：{text}")
    return port


def _ui(args: argparse.Namespace) -> int:
    from .folder import Folder

    folder = Folder(args.folder).root  # a missing folder: the Chinese refusal, before anything starts
    if args.make_launcher:
        from .launcher import make_launcher

        path = make_launcher(folder, args.launcher_dir)
        print(f"已生成启动图标：{path}\n双击它即可启动网页版（文件夹：{folder}）")
        return EXIT_OK
    from .server import serve

    serve(folder, args.port, open_browser=not args.no_browser)
    return EXIT_OK


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("ui", help="在浏览器中使用（WPS、银河麒麟/统信UOS、Mac 用户）：本机网页版的全部按钮")
    p.add_argument("folder", type=Path, nargs="?", default=Path("."), metavar="文件夹",
                   help="工作簿所在的文件夹（默认当前文件夹）")
    p.add_argument("--no-browser", action="store_true", help="不自动打开浏览器（地址显示在窗口中）")
    p.add_argument("--port", type=_port, default=0, metavar="端口", help="端口号（默认自动选择空闲端口）")
    p.add_argument("--make-launcher", action="store_true",
                   help="在桌面生成双击启动的图标（Windows：.cmd；麒麟/统信UOS：.desktop），不启动网页")
    p.add_argument("--launcher-dir", type=Path, metavar="文件夹", help="启动图标写到该文件夹（默认桌面）")
    p.set_defaults(func=_ui)
