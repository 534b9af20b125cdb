"""The kit's installer: copied into the offline kit as ``kit_install.py`` and run by 安装.cmd / 检查.cmd.

It runs on whatever Python the PC has (found by the .cmd), before anything is
installed, so it uses the standard library only and old-Python syntax (no
f-strings, no annotations): an unsuitable Python must still be able to say so.

    python kit_install.py install   verify the kit, make the private environment, install, copy the add-in
    python kit_install.py check     verify the kit and run ``subsidy-xl doctor`` in the private environment

Exit codes: 0 done, 20 failed (the message says why), 10 this Python does not suit the
kit. The .cmd stops at 0 or 20 and tries the next Python it can find on anything else
(10, the py launcher's "no such version", the Store's python stub, a Python too old to
read this file). Nothing here needs admin
rights or the network: the environment lives under %LOCALAPPDATA%, pip runs from
the kit's own pip wheel with --no-index and --require-hashes.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import sysconfig

MANIFEST = "kit.json"
CHECKSUMS = "SHA256SUMS.txt"
HOME_PARTS = ("subsidy-xl",)  # under %LOCALAPPDATA%
VENV_NAME = "venv"
LOGS_NAME = "logs"
UNSUITABLE = 10
FAILED = 20

KIT = os.path.dirname(os.path.abspath(__file__))


def python_key(version_info=None, platform=None):
    """The kit's name for this interpreter: ``cp311-win_amd64`` (CPython 3.11, 64-bit Windows)."""
    version_info = version_info or sys.version_info
    platform = platform or sysconfig.get_platform()
    return "cp%d%d-%s" % (version_info[0], version_info[1], platform.replace("-", "_").replace(".", "_"))


def bits():
    return 64 if sys.maxsize > 2 ** 32 else 32


def home_dir():
    base = os.environ.get("LOCALAPPDATA")
    if not base:
        raise SystemExit("找不到 %LOCALAPPDATA% 文件夹（环境变量未设置），无法安装。")
    return os.path.join(base, *HOME_PARTS)


def venv_dir():
    return os.path.join(home_dir(), VENV_NAME)


def venv_python(folder=None, windowed=False):
    folder = folder or venv_dir()
    if os.name == "nt":
        return os.path.join(folder, "Scripts", "pythonw.exe" if windowed else "python.exe")
    return os.path.join(folder, "bin", "python")


def xlstart_dir():
    base = os.environ.get("APPDATA")
    if not base:
        raise SystemExit("找不到 %APPDATA% 文件夹（环境变量未设置），无法安装加载项。")
    return os.path.join(base, "Microsoft", "Excel", "XLSTART")


def say(text):
    print(text)
    sys.stdout.flush()


def load_manifest(kit=KIT):
    with open(os.path.join(kit, MANIFEST), encoding="utf-8") as f:
        return json.load(f)


def verify_checksums(kit=KIT):
    """Problems found comparing every file of the kit with SHA256SUMS.txt (empty: all intact)."""
    problems = []
    listed = set()
    with open(os.path.join(kit, CHECKSUMS), encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if not line:
                continue
            digest, name = line.split("  ", 1)
            listed.add(name)
            path = os.path.join(kit, *name.split("/"))
            if not os.path.isfile(path):
                problems.append("缺少文件：%s" % name)
                continue
            h = hashlib.sha256()
            with open(path, "rb") as data:
                for block in iter(lambda: data.read(1 << 20), b""):
                    h.update(block)
            if h.hexdigest() != digest:
                problems.append("文件内容与校验值不符（已损坏或被改动）：%s" % name)
    for name in ("kit_install.py", MANIFEST):
        if name not in listed:
            problems.append("校验清单中没有 %s" % name)
    return problems


def suitability(manifest, key=None):
    """(True, None) when this Python can use the kit, else (False, the Chinese reason)."""
    key = key or python_key()
    entry = manifest["pythons"].get(key)
    if entry and entry.get("supported"):
        return True, None
    here = "Python %d.%d（%d 位）" % (sys.version_info[0], sys.version_info[1], bits())
    if entry:
        return False, "%s：%s" % (here, entry["reason"])
    return False, "%s 不在本安装包支持的范围内（支持：%s）" % (here, manifest["supported_text"])


def excel_running():
    """True when EXCEL.EXE runs (Windows only): its open add-in and Python would block the files."""
    if os.name != "nt":
        return False
    try:
        out = subprocess.run(["tasklist", "/FI", "IMAGENAME eq EXCEL.EXE", "/NH"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout
    except OSError:
        return False
    return b"EXCEL.EXE" in out.upper()


def _clean_pip_environment():
    """The environment for pip: no PIP_* settings of the PC (an index URL, a proxy) may reach it."""
    env = dict(os.environ)
    for name in list(env):
        if name.upper().startswith("PIP_") or name.upper() in ("PYTHONPATH", "PYTHONHOME"):
            del env[name]
    return env


def pip_install_command(manifest, key, target_python, kit=KIT):
    """The offline, hash-checked pip run that installs the kit into ``target_python``'s environment."""
    entry = manifest["pythons"][key]
    pip_wheel = os.path.join(kit, *manifest["pip_wheel"].split("/"))
    return [target_python, os.path.join(pip_wheel, "pip"), "install", "--isolated", "--no-index",
            "--find-links", os.path.join(kit, "wheels"), "--require-hashes", "--only-binary=:all:",
            "--no-warn-script-location", "--disable-pip-version-check",
            "-r", os.path.join(kit, *entry["requirements"].split("/"))]


def install(kit=KIT):
    manifest = load_manifest(kit)
    ok, reason = suitability(manifest)
    if not ok:
        say("跳过 %s：%s" % (sys.executable, reason))
        return UNSUITABLE
    say("使用 %s（Python %s，%d 位）" % (sys.executable, sys.version.split()[0], bits()))
    say("1/4 核对安装包文件……")
    problems = verify_checksums(kit)
    if problems:
        say("安装包不完整，已停止安装。请重新拷贝整个安装包文件夹：\n  " + "\n  ".join(problems))
        return FAILED
    if excel_running():
        say("Excel 正在运行。请先关闭所有 Excel 窗口（含后台的 Excel），再运行本安装程序。")
        return FAILED
    folder = venv_dir()
    say("2/4 建立专用 Python 环境：%s" % folder)
    if os.path.exists(folder):
        try:
            shutil.rmtree(folder)
        except OSError as e:
            say("无法删除旧的环境 %s（%s）。请关闭 Excel 和所有 Python 窗口后重试。" % (folder, e.strerror or e))
            return FAILED
    try:
        import venv

        venv.EnvBuilder(with_pip=False, clear=True).create(folder)
    except Exception as e:  # an embeddable or trimmed Python, a folder the PC's policy blocks
        say("无法建立专用 Python 环境（%s: %s）。请改用从 python.org 下载安装的 Python。" % (type(e).__name__, e))
        return FAILED
    target = venv_python(folder)
    say("3/4 从安装包离线安装 subsidy-xl %s 及其依赖（不联网）……" % manifest["version"])
    done = subprocess.run(pip_install_command(manifest, python_key(), target, kit), env=_clean_pip_environment())
    if done.returncode != 0:
        say("安装失败（pip 返回 %d），上面是 pip 的输出。请把本窗口的内容发给维护人员。" % done.returncode)
        return FAILED
    say("4/4 安装 Excel 加载项……")
    destination = xlstart_dir()
    os.makedirs(destination, exist_ok=True)
    addin = os.path.join(destination, manifest["addin"])
    try:
        shutil.copyfile(os.path.join(kit, manifest["addin"]), addin)
    except OSError as e:
        say("无法写入 %s（%s）。请先关闭 Excel 再安装。" % (addin, e.strerror or e))
        return FAILED
    say("已复制到 %s" % addin)
    say("")
    doctor = run_doctor(target, addin)
    if doctor == 0:
        say("\n安装完成。请重新打开 Excel，功能区会出现“离任补贴”选项卡。")
    else:
        say("\n已安装，但上面的检查发现问题，请按提示处理（或把本窗口内容发给维护人员）。")
    return FAILED if doctor else 0


def run_doctor(target_python, addin=None):
    command = [target_python, "-m", "subsidy_xl.cli", "doctor"]
    if addin:
        command += ["--addin", addin]
    return subprocess.run(command).returncode


def check(kit=KIT):
    manifest = load_manifest(kit)
    problems = verify_checksums(kit)
    say("安装包文件：" + ("完整" if not problems else "有问题\n  " + "\n  ".join(problems)))
    target = venv_python()
    if not os.path.isfile(target):
        say("尚未安装：没有找到 %s。请运行“安装.cmd”。" % target)
        return FAILED
    addin = os.path.join(xlstart_dir(), manifest["addin"])
    result = run_doctor(target, addin if os.path.isfile(addin) else None)
    return FAILED if problems or result else 0


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    action = argv[0] if argv else ""
    if sys.version_info < (3, 6):
        return UNSUITABLE
    if action == "install":
        return install()
    if action == "check":
        return check()
    say("用法：python kit_install.py install|check")
    return FAILED


if __name__ == "__main__":
    sys.exit(main())
