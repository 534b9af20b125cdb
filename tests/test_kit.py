"""The offline install kit (``subsidy-xl kit``): built once per session from the download cache
(~/.cache/subsidy-xl-kit; the first build on a machine downloads ~40 MB from the package registry).

What is proved here, on Linux: every Windows target the kit calls installable resolves offline
from the kit alone (pip's own resolver, plain and with Windows' environment markers, and the
hash-pinned requirements the installer uses); what it calls unsupported does not, or lacks
xlwings' DLL; the scripts are GBK with CRLF and name only files that exist; the checksums
cover every file; and kit_install.py installs a kit made for this machine end to end.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename

from subsidy_xl import __version__
from subsidy_xl.kit import installer, scripts
from subsidy_xl.kit.build import (
    KIT_INTERPRETER,
    TARGETS,
    build_kit,
    host_target,
    missing_requirements,
    run_pip,
    sha256,
)
from subsidy_xl.resources import project_path

ROOT = project_path("pyproject.toml").parent
# 64-bit CPython 3.11-3.13 on Windows is what the guide promises.
PROMISED = {"cp311-win_amd64", "cp312-win_amd64", "cp313-win_amd64"}
KIT_NAME = "subsidy-xl 离线安装包 (2)"  # a copied folder's name: spaces, parentheses, Chinese


def _clean_env(**extra: str) -> dict[str, str]:
    """No pip settings of this machine (its find-links, extra index) may reach an offline check."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("PIP_")}
    return {**env, "PIP_CONFIG_FILE": os.devnull, **extra}


@pytest.fixture(scope="session")
def kit(tmp_path_factory):
    """The kit as IT builds it: ``subsidy-xl kit -o DIR``; (the folder, what the command printed)."""
    out = tmp_path_factory.mktemp("kit") / KIT_NAME
    done = subprocess.run([sys.executable, "-m", "subsidy_xl.cli", "kit", "-o", str(out), "-q"], capture_output=True,
                          text=True, encoding="utf-8", env={**os.environ, "PYTHONIOENCODING": "utf-8"}, timeout=1800)
    assert done.returncode == 0 and not done.stderr, done.stderr[-3000:]
    return out, done.stdout


@pytest.fixture(scope="session")
def manifest(kit):
    return json.loads((kit[0] / installer.MANIFEST).read_text(encoding="utf-8"))


def _requirement_files(kit_dir: Path, key: str) -> list[Path]:
    text = (kit_dir / "requirements" / f"{key}.txt").read_text(encoding="utf-8")
    pins = re.findall(r"^(\S+)==(\S+) --hash=sha256:([0-9a-f]{64})\r?$", text, re.M)
    by_name = {}
    for path in (kit_dir / "wheels").iterdir():
        name, version, *_ = parse_wheel_filename(path.name)
        by_name.setdefault((canonicalize_name(name), str(version)), []).append(path)
    files = []
    for name, version, digest in pins:
        (match,) = [p for p in by_name[(canonicalize_name(name), version)] if sha256(p) == digest]
        files.append(match)
    return files


# ---------------------------------------------------------------- what the kit supports

def test_the_promised_targets_are_installable_and_the_others_say_why(kit, manifest) -> None:
    out, printed = kit
    assert {k for k, e in manifest["pythons"].items() if e["supported"]} >= PROMISED
    assert manifest["pythons"].keys() == {t.key for t in TARGETS}
    for key, entry in manifest["pythons"].items():
        if entry["supported"]:
            assert (out / entry["requirements"]).is_file() and "reason" not in entry
            continue
        assert entry["reason"] and not entry["reason"].isascii(), key
        if "requirements" in entry:
            # Resolvable but refused: the only reason the builder knows is the missing xlwings DLL.
            (xlwings,) = [p for p in _requirement_files(out, key) if p.name.startswith("xlwings-")]
            with zipfile.ZipFile(xlwings) as archive:
                assert not any(n.endswith(".dll") for n in archive.namelist())
            assert "DLL" in entry["reason"]
    assert manifest["supported_text"] in (out / scripts.README).read_text(encoding="utf-8-sig")
    # What the command printed: the folder, the number of files, and each target as kit.json has it.
    lines = printed.splitlines()
    files = sum(1 for p in out.rglob("*") if p.is_file())
    assert lines[0] == f"已生成离线安装包：{out}（{files} 个文件）"
    expected = []
    for target in TARGETS:
        entry = manifest["pythons"][target.key]
        state = "可安装" if entry["supported"] else "不支持。原因：" + entry["reason"].removeprefix("依赖无法解析：")
        expected.append(f"  Python {target.python} {target.bits} 位（{target.key}）：{state}")
    assert lines[1:] == expected


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.key)
def test_the_kit_resolves_offline_for_each_target(kit, manifest, target, tmp_path) -> None:
    """The issue's check, with plain pip: --no-index over the kit's wheels installs subsidy-xl exactly when
    the kit has requirements for the target."""
    out, _ = kit
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--no-index", "--find-links", str(out / "wheels"),
         "--platform", target.platform, "--python-version", target.python, "--implementation", "cp",
         "--only-binary=:all:", "--target", str(tmp_path / "x"), "--report", str(tmp_path / "r.json"), "subsidy-xl"],
        capture_output=True, text=True, env=_clean_env())
    resolvable = "requirements" in manifest["pythons"][target.key]
    assert (done.returncode == 0) == resolvable, done.stderr[-2000:]
    if resolvable:
        installed = {i["metadata"]["name"]: i["metadata"]["version"]
                     for i in json.loads((tmp_path / "r.json").read_text())["install"]}
        assert installed["subsidy-xl"] == __version__


@pytest.mark.parametrize("key", sorted(PROMISED))
def test_the_installers_hashed_requirements_resolve_offline_with_windows_markers(kit, key, tmp_path) -> None:
    """What kit_install.py runs (--require-hashes -r requirements/KEY.txt, no index), with the target's markers,
    so that pywin32 (xlwings' Windows-only dependency) is required as on the PC; a changed hash is refused."""
    out, _ = kit
    target = next(t for t in TARGETS if t.key == key)
    requirements = out / "requirements" / f"{key}.txt"

    def dry_run(path: Path) -> subprocess.CompletedProcess:
        return run_pip(["install", "--dry-run", "--ignore-installed", "--no-index", "--find-links", str(out / "wheels"),
                        "--require-hashes", *target.pip_options(), "--target", str(tmp_path / "x"),
                        "--report", str(tmp_path / "r.json"), "-r", str(path)], target)

    done = dry_run(requirements)
    assert done.returncode == 0, done.stderr[-2000:]
    names = {canonicalize_name(i["metadata"]["name"]) for i in json.loads((tmp_path / "r.json").read_text())["install"]}
    assert {"subsidy-xl", "xlwings", "pywin32", "pip"} <= names
    text = requirements.read_text(encoding="utf-8")
    digest = re.search(r"^xlwings==\S+ --hash=sha256:([0-9a-f]{64})", text, re.M)[1]
    tampered = tmp_path / "tampered.txt"
    tampered.write_text(text.replace(digest, "0" * 64), encoding="utf-8")
    refused = dry_run(tampered)
    assert refused.returncode != 0 and "HASH" in refused.stderr.upper()


def test_every_dependency_in_pyproject_reaches_every_requirements_file(kit, manifest) -> None:
    """The dependency list comes from the project's own metadata: whatever pyproject.toml lists (a web UI's
    packages added later included) is pinned for each target, with what Windows needs under it."""
    out, _ = kit
    with open(ROOT / "pyproject.toml", "rb") as f:
        project = tomllib.load(f)["project"]
    core = {canonicalize_name(Requirement(r).name) for r in project["dependencies"]}
    extras_only = {canonicalize_name(Requirement(r).name) for rs in project["optional-dependencies"].values() for r in rs}
    for key, entry in manifest["pythons"].items():
        if "requirements" not in entry:
            continue
        files = _requirement_files(out, key)
        names = {canonicalize_name(parse_wheel_filename(p.name)[0]) for p in files}
        assert core <= names, (key, core - names)
        assert not (extras_only - core) & names, key  # pandas (the 'frames' extra) and test tools stay out
        target = next(t for t in TARGETS if t.key == key)
        assert missing_requirements(target, files) == []


def test_the_independent_check_finds_what_linux_pip_would_drop(kit) -> None:
    out, _ = kit
    target = next(t for t in TARGETS if t.key == "cp312-win_amd64")
    files = _requirement_files(out, target.key)
    without = [p for p in files if not p.name.startswith("pywin32-")]
    assert any("pywin32" in problem for problem in missing_requirements(target, without))
    other = next(t for t in TARGETS if t.key == "cp311-win_amd64")
    assert any("不适用于" in problem for problem in missing_requirements(other, files))  # cp312 wheels on 3.11


# ---------------------------------------------------------------- files, checksums, add-in

def test_checksums_cover_every_file_and_catch_changes(kit, tmp_path) -> None:
    out, _ = kit
    listed = {}
    for line in (out / installer.CHECKSUMS).read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ", 1)
        listed[name] = digest
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} - {installer.CHECKSUMS}
    assert listed.keys() == files
    assert all(sha256(out / name) == digest for name, digest in listed.items())
    assert installer.verify_checksums(str(out)) == []
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    (copy / scripts.README).write_bytes(b"changed")
    (copy / installer.MANIFEST).unlink()
    problems = installer.verify_checksums(str(copy))
    assert problems == [f"缺少文件：{installer.MANIFEST}", f"文件内容与校验值不符（已损坏或被改动）：{scripts.README}"]


def test_the_kits_addin_starts_the_private_environment(kit, manifest) -> None:
    from subsidy_xl.doctor import read_addin

    out, _ = kit
    info = read_addin(out / manifest["addin"])
    import xlwings

    assert info.interpreter == KIT_INTERPRETER == manifest["interpreter"]
    assert KIT_INTERPRETER == "%LOCALAPPDATA%\\subsidy-xl\\venv\\Scripts\\pythonw.exe"
    assert info.xlwings == manifest["xlwings"] == xlwings.__version__ and info.version == __version__
    # The installer never writes the user's own xlwings settings.
    source = (out / "kit_install.py").read_text(encoding="utf-8")
    assert ".xlwings" not in source and "xlwings.conf" not in source


# ---------------------------------------------------------------- scripts

def _labels_and_jumps(text: str) -> tuple[set[str], set[str]]:
    labels = set(re.findall(r"^:(\w+)\r?$", text, re.M))
    jumps = set(re.findall(r"(?:goto|call) :(\w+)", text, re.I)) - {"eof"}
    return labels, jumps


@pytest.mark.parametrize("name", [scripts.INSTALL_SCRIPT, scripts.CHECK_SCRIPT, scripts.UNINSTALL_SCRIPT])
def test_scripts_are_gbk_with_crlf_and_name_only_what_exists(kit, manifest, name) -> None:
    out, _ = kit
    data = (out / name).read_bytes()
    text = data.decode("gbk")  # cmd.exe on Chinese Windows reads code page 936
    assert not text.isascii() and data.startswith(b"@echo off\r\n") and data.endswith(b"\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"") and b"\r" not in data.replace(b"\r\n", b"")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # really GBK: a UTF-8 file would print mojibake there
    # No GBK trail byte that cmd.exe could read as one of its special characters.
    special = set(b'^|&<>%"()!\\')
    assert not [ch for ch in set(text) if not ch.isascii() and ch.encode("gbk")[-1] in special]
    # Inside a ( ) block no %VARIABLE% is expanded: a user folder such as "C:\\Users\\x (y)" would close the block.
    depth = 0
    for line in text.splitlines():
        if depth:
            assert not re.search(r"(?<!%)%[A-Za-z]\w*%", line.replace("%%", "")), line
        depth += line.rstrip().endswith("(") - (line.strip() == ")")
    labels, jumps = _labels_and_jumps(text)
    assert jumps <= labels, jumps - labels
    # Blocks: every "(" that ends a line is closed by a ")" line.
    depth = 0
    for line in text.splitlines():
        depth += line.rstrip().endswith("(") - (line.strip() == ")")
        assert depth >= 0
    assert depth == 0
    for referenced in re.findall(r"\b([\w.]+\.py)\b", text):
        assert (out / referenced).is_file(), referenced
    assert "%USERPROFILE%" not in text and ".xlwings" not in text
    if name != scripts.UNINSTALL_SCRIPT:
        action = "install" if name == scripts.INSTALL_SCRIPT else "check"
        assert f"%* kit_install.py {action}\r\n" in text
        # The search stops only where kit_install.py says it finished (0) or failed (20).
        assert re.findall(r'^if "%TRIED%"=="(\d+)" set "RC=(\d+)"\r?$', text, re.M) == [("0", "0"), ("20", "20")]
        assert (installer.FAILED, installer.UNSUITABLE) == (20, 10)
        versions = [f"py -{t.python}" for t in TARGETS if t.key in {k for k, e in manifest["pythons"].items() if e["supported"]}]
        assert sorted(re.findall(r"call :try (py -3\.\d+)", text)) == sorted(set(versions))
    else:
        assert f'del /f /q "%APPDATA%\\Microsoft\\Excel\\XLSTART\\{manifest["addin"]}"' in text
        assert 'rmdir /s /q "%LOCALAPPDATA%\\subsidy-xl"' in text


def test_the_readme_is_utf8_with_bom_and_crlf(kit, manifest) -> None:
    out, _ = kit
    data = (out / scripts.README).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\n" not in data.replace(b"\r\n", b"")
    text = data.decode("utf-8-sig")
    for name in (scripts.INSTALL_SCRIPT, scripts.CHECK_SCRIPT, scripts.UNINSTALL_SCRIPT, installer.CHECKSUMS,
                 manifest["addin"], "%LOCALAPPDATA%\\subsidy-xl\\venv", "%APPDATA%\\Microsoft\\Excel\\XLSTART"):
        assert name in text, name
    for key, entry in manifest["pythons"].items():
        if not entry["supported"]:
            assert f"Python {entry['python']}（{entry['bits']} 位）：" in text


# ---------------------------------------------------------------- kit_install.py

def test_an_unsuitable_python_is_skipped_with_its_reason(kit, manifest) -> None:
    out, _ = kit
    done = subprocess.run([sys.executable, str(out / "kit_install.py"), "install"], capture_output=True, text=True,
                          env=_clean_env(LOCALAPPDATA=str(out / "never")))
    assert done.returncode == installer.UNSUITABLE
    assert done.stdout.startswith(f"跳过 {sys.executable}：Python {sys.version_info[0]}.{sys.version_info[1]}")
    assert f"不在本安装包支持的范围内（支持：{manifest['supported_text']}）" in done.stdout
    assert not (out / "never").exists()
    ok, reason = installer.suitability(manifest, "cp312-win32")
    assert not ok and reason == f"Python {sys.version_info[0]}.{sys.version_info[1]}（64 位）：{manifest['pythons']['cp312-win32']['reason']}"
    assert installer.suitability(manifest, "cp312-win_amd64") == (True, None)


def test_the_install_command_is_offline_and_hash_checked(kit, manifest) -> None:
    out, _ = kit
    command = installer.pip_install_command(manifest, "cp311-win_amd64", "python.exe", str(out))
    assert {"--no-index", "--require-hashes", "--isolated", "--only-binary=:all:"} <= set(command)
    assert Path(command[1]).parent.is_file() and Path(command[1]).name == "pip"  # pip run from its own wheel
    assert Path(command[command.index("--find-links") + 1]) == out / "wheels"
    assert Path(command[command.index("-r") + 1]) == out / "requirements" / "cp311-win_amd64.txt"


@pytest.fixture(scope="session")
def host_kit(tmp_path_factory):
    out = tmp_path_factory.mktemp("hostkit") / KIT_NAME
    build_kit(out, targets=(host_target(),))
    return out


def test_kit_install_installs_a_kit_for_this_machine_end_to_end(host_kit, tmp_path) -> None:
    """kit_install.py as 安装.cmd runs it, on a kit made for this machine: checksums, a private environment
    under %LOCALAPPDATA%, the offline hashed install, the add-in in XLSTART, doctor; then 检查."""
    local, roaming, home = tmp_path / "Local", tmp_path / "Roaming", tmp_path / "home"
    home.mkdir()
    env = _clean_env(LOCALAPPDATA=str(local), APPDATA=str(roaming), HOME=str(home), USERPROFILE=str(home))
    env.pop("PIP_CONFIG_FILE")  # the installer's own --isolated must be enough
    done = subprocess.run([sys.executable, str(host_kit / "kit_install.py"), "install"], capture_output=True,
                          text=True, env=env, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "安装完成" in done.stdout and "检查结果：未发现问题。" in done.stdout
    venv_python = local / "subsidy-xl" / "venv" / "bin" / "python"
    probe = subprocess.run([str(venv_python), "-c", "import sys, xlwings, subsidy_xl; print(sys.prefix, xlwings.__version__, "
                            "subsidy_xl.__version__)"], capture_output=True, text=True, env=env)
    import xlwings

    assert probe.stdout.split() == [str(local / "subsidy-xl" / "venv"), xlwings.__version__, __version__]
    addin = roaming / "Microsoft" / "Excel" / "XLSTART" / "subsidy_xl.xlam"
    assert addin.read_bytes() == (host_kit / "subsidy_xl.xlam").read_bytes()
    assert not (home / ".xlwings").exists()
    # Exactly the pinned packages, nothing from elsewhere.
    listed = subprocess.run([str(venv_python), "-m", "pip", "list", "--format", "json"], capture_output=True, text=True, env=env)
    installed = {canonicalize_name(p["name"]): p["version"] for p in json.loads(listed.stdout)}
    key = installer.python_key()
    pins = dict(re.findall(r"^(\S+)==(\S+) ", (host_kit / "requirements" / f"{key}.txt").read_text(encoding="utf-8"), re.M))
    assert installed == {canonicalize_name(n): v for n, v in pins.items()}
    check = subprocess.run([sys.executable, str(host_kit / "kit_install.py"), "check"], capture_output=True, text=True, env=env)
    assert check.returncode == 0 and "安装包文件：完整" in check.stdout, check.stdout


def test_the_guide_describes_this_kit(manifest) -> None:
    """docs/excel_install_zh.md against what the kit does: its files, paths, the supported Pythons and why."""
    guide = (ROOT / "docs" / "excel_install_zh.md").read_text(encoding="utf-8")
    for name in (scripts.INSTALL_SCRIPT, scripts.CHECK_SCRIPT, scripts.UNINSTALL_SCRIPT, scripts.README,
                 installer.MANIFEST, installer.CHECKSUMS, "kit_install.py", "subsidy-xl kit -o", KIT_INTERPRETER,
                 "%APPDATA%\\Microsoft\\Excel\\XLSTART", "requirements\\cp311-win_amd64.txt", "~/.cache/subsidy-xl-kit",
                 "SUBSIDY_XL_KIT_CACHE", "--refresh"):
        assert name in guide, name
    supported = sorted(e["python"] for e in manifest["pythons"].values() if e["supported"] and e["bits"] == 64)
    assert not [e for e in manifest["pythons"].values() if e["supported"] and e["bits"] == 32]
    assert f"| {'、'.join(supported)}，64 位 | 可以安装 | — |" in guide
    assert "| 3.10（32 位或 64 位） | 不支持 | 加载项使用的 xlwings 0.37.8 要求 Python 3.11 或更高版本" in guide
    assert all("Python >=3.11" in e["reason"] for k, e in manifest["pythons"].items() if k.startswith("cp310"))
    assert "WPS 的电脑请直接看第 7 节" in guide and "## 7. WPS 用户" in guide
    import xlwings

    assert guide.count(xlwings.__version__) >= 3 and "0.37.8" in guide


def test_the_kit_command_refuses_a_folder_with_files(tmp_path, capsys) -> None:
    from subsidy_xl.cli import main

    (tmp_path / "别的文件.txt").write_text("x", encoding="utf-8")
    assert main(["kit", "-o", str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"错误：输出文件夹 {tmp_path} 不是空的：请指定一个新的或空的文件夹\n"
    assert [p.name for p in tmp_path.iterdir()] == ["别的文件.txt"]


def test_the_installer_reads_on_old_pythons_too() -> None:
    """kit_install.py must run far enough on whatever Python the PC has to say it does not suit (exit 10):
    so no syntax newer than Python 3.6 (no f-strings there either, nor anything but the standard library)."""
    import ast

    source = Path(installer.__file__).read_text(encoding="utf-8")
    tree = ast.parse(source, feature_version=(3, 6))
    assert not [n for n in ast.walk(tree) if isinstance(n, ast.JoinedStr)]
    imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert imported <= set(sys.stdlib_module_names), imported - set(sys.stdlib_module_names)
