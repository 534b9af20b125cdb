"""PDF through LibreOffice headless (the CLI door; live Excel uses its own PDF export).

One soffice run converts every file, since each start costs seconds. A private
profile (-env:UserInstallation) keeps the run independent of any LibreOffice
the user has open and of a stale profile lock.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Sequence

from ..errors import UserError

TIMEOUT_SECONDS = 300
_WINDOWS_PATHS = (r"C:\Program Files\LibreOffice\program\soffice.exe",
                  r"C:\Program Files (x86)\LibreOffice\program\soffice.exe")


class PdfError(UserError):
    """The conversion could not run or gave no PDF; the message is for the user."""


def find_soffice() -> str | None:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    return next((p for p in _WINDOWS_PATHS if os.path.exists(p)), None)


def libreoffice_pdf(files: Sequence[Path], out_dir: Path) -> list[Path]:
    """Convert workbooks to PDF in ``out_dir`` (same stem, .pdf); returns the PDFs in the order given.

    LibreOffice's profile is made inside ``out_dir`` (export's private run folder) and goes with it; the
    converter never outlives this call (see run_converter)."""
    soffice = find_soffice()
    if soffice is None:
        raise PdfError("未找到 LibreOffice（soffice），无法生成PDF；请安装 LibreOffice 后重试，或加 --no-pdf 只生成其他文件")
    profile = Path(out_dir) / ".lo-profile"
    try:
        cmd = [soffice_binary(soffice), f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless",
               "--norestore", "--convert-to", "pdf", "--outdir", str(out_dir), *map(str, files)]
        code, output = run_converter(cmd)
        if code == _RESTART and cmd[0] != soffice:  # soffice.bin made the new profile and asks to be started again
            code, output = run_converter(cmd)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    pdfs = [Path(out_dir) / (Path(f).stem + ".pdf") for f in files]
    missing = [p.name for p in pdfs if not p.is_file() or p.stat().st_size == 0]
    if missing:
        # soffice exits 0 even when a conversion fails, so the files are what counts.
        detail = output.decode("utf-8", "replace").strip()[-300:]
        raise PdfError(f"LibreOffice 未能生成：{'、'.join(missing)}。请确认已安装 LibreOffice 和中文字体后重试，"
                       f"或选择不生成 PDF（命令行加 --no-pdf）" + (f"（供维护人员参考，LibreOffice 的原始输出：{detail}）" if detail else ""))
    return pdfs


_RESTART = 81  # soffice.bin's exit code after it created a profile: run it again (its launcher would)


def soffice_binary(soffice: str) -> str:
    """On Linux, soffice.bin beside the soffice launcher script: the launcher (a shell script and oosplash)
    starts soffice.bin as its own child, which PR_SET_PDEATHSIG set on the launcher would not reach."""
    if not sys.platform.startswith("linux"):
        return soffice
    binary = Path(os.path.realpath(soffice)).with_name("soffice.bin")
    return str(binary) if binary.is_file() and os.access(binary, os.X_OK) else soffice


def run_converter(cmd: Sequence[str]) -> tuple[int, bytes]:
    """Run the converter to its end (exit code, its output); it never outlives the call: started in its own
    process group, the whole group is killed on any way out (timeout, Ctrl+C, SIGTERM/SIGHUP turned into
    an exception by export, a bug), and on Linux the kernel kills it if this process is killed outright
    (PR_SET_PDEATHSIG: through util-linux's setpriv, else prctl in the child before exec)."""
    from .tempspace import kill_group, track_group

    posix = os.name == "posix"
    setpriv = shutil.which("setpriv") if sys.platform.startswith("linux") else None
    if setpriv:  # util-linux sets the parent-death signal and execs the converter: no Python code in the fork
        cmd = [setpriv, "--pdeathsig", "KILL", *cmd]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=soffice_env(),
                            start_new_session=posix,
                            preexec_fn=_die_with_parent if _PDEATHSIG and not setpriv else None)
    if posix:
        track_group(proc.pid)  # the new session's group id is the child's pid
    try:
        output, _ = proc.communicate(timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        raise PdfError(f"LibreOffice 转换PDF超过{TIMEOUT_SECONDS}秒未完成，已放弃") from None
    finally:
        if posix:
            kill_group(proc.pid)  # anything it left running (a finished group is gone already)
        else:
            proc.kill()
        proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()
    return proc.returncode, output or b""


def _pdeathsig():
    """prctl(PR_SET_PDEATHSIG, SIGKILL) through ctypes on Linux; None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl
    except (OSError, AttributeError):
        return None


_PDEATHSIG = _pdeathsig()
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child, before exec: the kernel sends SIGKILL when the parent dies."""
    _PDEATHSIG(_PR_SET_PDEATHSIG, signal.SIGKILL)


FONT_PACKAGE = "fonts-noto-cjk"  # the Debian/Ubuntu package data/fonts.conf maps the workbooks' fonts to
FONT_HINT = (f"本机未安装中文字体，PDF中的中文可能显示为方框；请安装 {FONT_PACKAGE}"
             "（宋体印为 Noto Serif CJK SC，黑体印为 Noto Sans CJK SC）后重新导出")


def soffice_env() -> dict[str, str]:
    """The environment soffice runs in: on Linux, fontconfig reads data/fonts.conf, which maps 宋体 and
    黑体 to the Simplified Chinese Noto CJK faces (not the Japanese ones fontconfig would pick) and includes
    the system's configuration; a FONTCONFIG_FILE the user set is kept."""
    env = dict(os.environ)
    conf = Path(__file__).resolve().parent.parent / "data" / "fonts.conf"
    if os.name != "nt" and "FONTCONFIG_FILE" not in env and conf.is_file():
        env["FONTCONFIG_FILE"] = str(conf)
    return env


def cjk_font_missing() -> bool:
    """True where fontconfig knows no Chinese font: LibreOffice would then print boxes instead of characters."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:  # Windows and macOS ship Chinese fonts
        return False
    try:
        done = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return not done.stdout.strip()
