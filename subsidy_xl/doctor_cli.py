"""The `subsidy-xl doctor` command: its arguments here, its checks in doctor.py (imported when it runs, so
that `subsidy-xl --help` stays quick)."""
from __future__ import annotations

import argparse
from pathlib import Path


def _doctor(args: argparse.Namespace) -> int:
    from .doctor import diagnose, report_text

    findings = diagnose(args.addin, args.xlstart, args.interpreter)
    print(report_text(findings))
    return 1 if any(f.ok is False for f in findings) else 0


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``doctor [--addin 文件] [--xlstart 文件夹] [--interpreter 文件]``."""
    doctor = subparsers.add_parser("doctor", help="检查本机能否使用 Excel 加载项，逐项给出处理办法")
    doctor.add_argument("--addin", type=Path, metavar="文件", help="要检查的 subsidy_xl.xlam（默认为 XLSTART 中的）")
    doctor.add_argument("--xlstart", type=Path, metavar="文件夹", help="Excel 启动文件夹（默认 %%APPDATA%%\\Microsoft\\Excel\\XLSTART）")
    doctor.add_argument("--interpreter", metavar="文件", help="检查这个 Python，而不是加载项指定的")
    doctor.set_defaults(func=_doctor)
    return doctor
