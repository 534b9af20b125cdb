"""Build the offline install kit (``subsidy-xl kit -o DIR``) on a machine that reaches the package registry.

What goes in: the project's wheel, built from the source tree; every wheel it needs on
Windows for each (Python version, 32/64-bit) target, resolved by pip from the wheel's
own metadata (so a dependency added to pyproject.toml is picked up with no change
here); pip's own wheel (the PC's Python may have none); the add-in, configured to
start the private environment's Python; the installer, the .cmd scripts, a Chinese
安装说明.txt, kit.json (what each target gets, or why it is not supported) and
SHA256SUMS.txt over every file.

pip evaluates environment markers (``pywin32; platform_system == "Windows"``) for the
machine it runs on, even with ``--platform``: resolving for Windows on Linux would
silently drop pywin32. So pip runs with the target's marker environment
(``_PIP_FOR_TARGET``), and ``missing_requirements`` checks the result independently
with ``packaging``'s public marker and tag API.

Downloads are cached in ``~/.cache/subsidy-xl-kit`` (``SUBSIDY_XL_KIT_CACHE``): a
target the cache can satisfy resolves offline (``--no-index``); otherwise the
registry is asked and the wheels saved there.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from email.parser import Parser
from pathlib import Path

from filelock import FileLock
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.tags import Tag, compatible_tags, cpython_tags, sys_tags
from packaging.utils import canonicalize_name, parse_wheel_filename

from .. import __version__
from ..errors import UserError
from ..resources import project_path
from . import installer, scripts

PLATFORMS = ("win_amd64", "win32")
PYTHON_VERSIONS = ("3.10", "3.11", "3.12", "3.13")
_MACHINES = {"win_amd64": "AMD64", "win32": "x86"}
INSTALLER_NAME = "kit_install.py"
# The add-in's Interpreter_Win (xlwings expands %VARIABLES%): the environment kit_install.py makes.
KIT_INTERPRETER = "%LOCALAPPDATA%\\" + "\\".join(installer.HOME_PARTS) + "\\" + installer.VENV_NAME + "\\Scripts\\pythonw.exe"

# Runs pip with the target's environment markers (see the module docstring). pip vendors
# packaging; Marker.evaluate reads markers.default_environment() at each call.
_PIP_FOR_TARGET = (
    "import json, sys\n"
    "from pip._vendor.packaging import markers\n"
    "target = json.loads(sys.argv.pop(1))\n"
    "host = markers.default_environment\n"
    "markers.default_environment = lambda: {**host(), **target}\n"
    "from pip._internal.cli.main import main\n"
    "sys.exit(main())\n"
)


class KitError(UserError):
    """The kit cannot be built; the message says why, in Chinese."""


def default_cache() -> Path:
    return Path(os.environ.get("SUBSIDY_XL_KIT_CACHE") or Path.home() / ".cache" / "subsidy-xl-kit")


@dataclass(frozen=True)
class Target:
    """A Python the kit serves: CPython ``python`` on Windows ``platform`` (a pip platform tag).

    ``host_target()`` makes the one target that is not Windows: the machine running the
    build, so that tests can run kit_install.py end to end here.
    """

    python: str  # "3.11"
    platform: str  # "win_amd64", "win32"; the host's sysconfig platform for host_target()
    pip_platforms: tuple[str, ...] = ()  # pip --platform tags when not just ``platform``
    host: bool = False

    @property
    def key(self) -> str:
        """As kit_install.python_key() names the running interpreter: cp311-win_amd64."""
        return f"cp{self.python.replace('.', '')}-{self.platform}"

    @property
    def bits(self) -> int:
        if self.host:
            return 64 if sys.maxsize > 2**32 else 32
        return 32 if self.platform == "win32" else 64

    def markers(self) -> dict[str, str]:
        """PEP 508 environment of CPython ``python`` on Windows (patch level unknown: .0)."""
        if self.host:
            return dict(default_environment())
        return {
            "implementation_name": "cpython", "implementation_version": f"{self.python}.0",
            "os_name": "nt", "platform_machine": _MACHINES[self.platform], "platform_release": "10",
            "platform_system": "Windows", "platform_version": "10.0.19045", "python_full_version": f"{self.python}.0",
            "platform_python_implementation": "CPython", "python_version": self.python, "sys_platform": "win32",
        }  # fmt: skip

    def tags(self) -> list[Tag]:
        if self.host:
            return list(sys_tags())
        version = tuple(int(p) for p in self.python.split("."))
        return [*cpython_tags(version, platforms=[self.platform]),
                *compatible_tags(version, interpreter=f"cp{self.python.replace('.', '')}", platforms=[self.platform])]

    def pip_options(self) -> list[str]:
        platforms = [arg for p in (self.pip_platforms or (self.platform,)) for arg in ("--platform", p)]
        return ["--only-binary=:all:", *platforms, "--python-version", self.python, "--implementation", "cp"]


def host_target() -> Target:
    """This machine's Python as a kit target (tests install a kit here end to end)."""
    import sysconfig

    platforms = tuple(dict.fromkeys(t.platform for t in sys_tags()))
    return Target(f"{sys.version_info[0]}.{sys.version_info[1]}",
                  sysconfig.get_platform().replace("-", "_").replace(".", "_"), platforms, host=True)


TARGETS = tuple(Target(v, p) for p in PLATFORMS for v in PYTHON_VERSIONS)


def run_pip(args: Sequence[str], target: Target | None = None) -> subprocess.CompletedProcess:
    """pip as a subprocess; with ``target``, its environment markers are the target's."""
    if target is None:
        command = [sys.executable, "-m", "pip", *args]
    else:
        command = [sys.executable, "-c", _PIP_FOR_TARGET, json.dumps(target.markers()), *args]
    return subprocess.run(command, capture_output=True, text=True, encoding="utf-8", errors="replace")


def _pip_error(done: subprocess.CompletedProcess) -> str:
    """pip's reason for a failure, short: a missing distribution (and the Python it requires) in Chinese."""
    missing = re.search(r"No matching distribution found for (\S+)", done.stderr)
    if missing:
        needs = re.search(r"Requires-Python (\S+?);?$", done.stderr, re.M)
        return f"软件包仓库中没有适用的 {missing[1]}" + (f"（它要求 Python {needs[1]}）" if needs else "")
    lines = [line for line in done.stderr.splitlines() if line.startswith("ERROR:")]
    return "\n".join(lines[-3:])[-600:] or done.stderr.strip()[-600:] or f"pip 返回 {done.returncode}"


# ---------------------------------------------------------------- the project wheel

def _build_requirements(source: Path) -> list[str]:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: let pip fetch the build backend itself
        return []
    with open(source / "pyproject.toml", "rb") as f:
        return list(tomllib.load(f)["build-system"]["requires"])


def build_project_wheel(out_dir: Path, cache: Path, source: Path | None = None) -> Path:
    """The project's wheel, built from a copy of the source tree (no build/ left in the checkout).

    The build backend comes from the cache when it can (offline), else from the registry.
    """
    source = source or project_path("pyproject.toml").parent
    if not (source / "pyproject.toml").is_file():
        raise KitError(f"找不到源代码（{source} 中没有 pyproject.toml）：安装包须在源代码文件夹中生成")
    backend = cache / "build-backend"
    with tempfile.TemporaryDirectory(prefix="subsidy-xl-src-") as tmp:
        copy = Path(tmp) / "src"
        ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "build", "dist", ".*")
        copy.mkdir()
        for name in ("pyproject.toml", "README.md"):
            if (source / name).is_file():
                shutil.copy2(source / name, copy / name)
        for folder in ("subsidy_xl", "templates", "workbook"):
            shutil.copytree(source / folder, copy / folder, ignore=ignore)
        requires = _build_requirements(source)
        args = ["wheel", "--no-deps", "--wheel-dir", str(out_dir), str(copy)]
        done = None
        if requires:
            done = run_pip([*args, "--no-index", "--find-links", str(backend)])
            if done.returncode != 0:
                fetched = run_pip(["download", "--only-binary=:all:", "--dest", str(backend), *requires])
                if fetched.returncode != 0:
                    raise KitError(f"无法获取构建工具 {'、'.join(requires)}：{_pip_error(fetched)}")
                done = run_pip([*args, "--no-index", "--find-links", str(backend)])
        else:
            done = run_pip(args)
        if done.returncode != 0:
            raise KitError(f"无法生成 subsidy-xl 的 wheel：{_pip_error(done)}")
    wheels = sorted(out_dir.glob("subsidy_xl-*.whl"))
    if len(wheels) != 1:
        raise KitError(f"生成 wheel 后在 {out_dir} 中找到 {len(wheels)} 个 subsidy_xl wheel")
    return wheels[0]


def wheel_metadata(wheel: Path):
    """The METADATA of a wheel, as an email.message.Message."""
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA") and n.count("/") == 1)
        return Parser().parsestr(archive.read(name).decode("utf-8"))


# ---------------------------------------------------------------- resolution

@dataclass
class Resolution:
    target: Target
    files: list[Path] = field(default_factory=list)  # the wheels pip chose, in the cache or the build folder
    error: str | None = None  # pip's reason when the target cannot be resolved
    unsupported: str | None = None  # resolves, but the add-in could not work (the Chinese reason)

    @property
    def supported(self) -> bool:
        return self.error is None and self.unsupported is None


def resolve(target: Target, requirements: Sequence[str], find_links: Sequence[Path], report: Path) -> subprocess.CompletedProcess:
    """An offline ``pip install --dry-run --report`` for ``target`` over ``find_links`` (no index)."""
    links = [arg for folder in find_links for arg in ("--find-links", str(folder))]
    with tempfile.TemporaryDirectory(prefix="subsidy-xl-target-") as tmp:
        return run_pip(["install", "--dry-run", "--ignore-installed", "--no-index", *links, *target.pip_options(),
                        "--target", tmp, "--report", str(report), "--quiet", *requirements], target)


def _report_files(report: Path) -> list[Path]:
    """The local wheel files of a pip installation report (file: URLs, also C:/ ones on Windows)."""
    from urllib.parse import urlparse
    from urllib.request import url2pathname

    items = json.loads(report.read_text(encoding="utf-8"))["install"]
    return [Path(url2pathname(urlparse(item["download_info"]["url"]).path)) for item in items]


def _dll_note(target: Target, files: Iterable[Path]) -> str | None:
    """Why the add-in's worksheet functions could not run with this target, or None.

    The add-in loads xlwings' DLL from beside the Python it starts; xlwings ships the
    DLL only inside its platform wheels, so a pure xlwings wheel leaves the formulas without it.
    """
    import xlwings

    if target.host:
        return None  # no Excel here: the target exists so that tests can install a kit
    dll = f"xlwings64-{xlwings.__version__}.dll"
    for path in files:
        if canonicalize_name(parse_wheel_filename(path.name)[0]) == "xlwings":
            with zipfile.ZipFile(path) as archive:
                if any(n.endswith("/" + dll) for n in archive.namelist()):
                    return None
            return (f"xlwings {xlwings.__version__} 没有 {target.bits} 位 Windows 专用安装包，通用包中不含加载项"
                    f"所需的 xlwings DLL，工作表函数无法运行；请改用 64 位 Python（其 xlwings 包同时带有 32 位和 64 位"
                    " Excel 所用的 DLL）")
    return "依赖中没有 xlwings"


def offline_resolutions(targets: Sequence[Target], project_wheel: Path, cache: Path,
                        work: Path) -> list[subprocess.CompletedProcess]:
    """Each target resolved from the cache alone, two pip processes at a time (each mostly waits on one core)."""
    from concurrent.futures import ThreadPoolExecutor

    def one(target: Target) -> subprocess.CompletedProcess:
        return resolve(target, [str(project_wheel), "pip"], [project_wheel.parent, cache],
                       work / f"report-{target.key}.json")

    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(one, targets))


UNRESOLVABLE = "unresolvable.json"  # in the cache: targets the registry could not serve, and for which requirements


def _requirements_key(project_wheel: Path) -> str:
    metadata = wheel_metadata(project_wheel)
    return "\n".join([metadata.get("Requires-Python") or "", *sorted(metadata.get_all("Requires-Dist") or [])])


def resolve_target(target: Target, project_wheel: Path, cache: Path, work: Path, refresh: bool = False,
                   progress: Callable[[str], None] = lambda m: None,
                   offline: subprocess.CompletedProcess | None = None) -> Resolution:
    """The wheels ``target`` needs: from the cache when it has them, else downloaded into it.

    A target the registry could not serve is remembered in the cache with the project's
    requirements: until they change (or ``refresh``), it is not asked again. ``offline``:
    the cache-only resolution when it was already run (``offline_resolutions``).
    """
    requirements = [str(project_wheel), "pip"]
    links = [project_wheel.parent, cache]
    report = work / f"report-{target.key}.json"
    known_bad = cache / UNRESOLVABLE
    bad = json.loads(known_bad.read_text(encoding="utf-8")) if known_bad.is_file() else {}
    key = _requirements_key(project_wheel)
    done = None if refresh else offline or resolve(target, requirements, links, report)
    if done is None or done.returncode != 0:
        remembered = bad.get(target.key)
        if not refresh and remembered and remembered["requires"] == key:
            return Resolution(target, error=remembered["error"])
        progress(f"{target.key}：从软件包仓库下载")
        fetched = run_pip(["download", *target.pip_options(), "--dest", str(cache), "--find-links",
                           str(project_wheel.parent), *requirements], target)
        done = resolve(target, requirements, links, report) if fetched.returncode == 0 else fetched
        if done.returncode != 0:
            error = _pip_error(done)
            if "软件包仓库中没有适用的" in error:  # the registry's answer, not a network failure: remember it
                bad[target.key] = {"requires": key, "error": error}
                known_bad.write_text(json.dumps(bad, ensure_ascii=False, indent=1), encoding="utf-8")
            return Resolution(target, error=error)
    if target.key in bad:
        del bad[target.key]
        known_bad.write_text(json.dumps(bad, ensure_ascii=False, indent=1), encoding="utf-8")
    files = _report_files(report)
    missing = missing_requirements(target, files)
    if missing:  # pip did not see what Windows needs: refuse rather than ship a kit that fails at install
        raise KitError(f"{target.key} 的依赖不完整：{'、'.join(missing)}")
    return Resolution(target, files, unsupported=_dll_note(target, files))


def missing_requirements(target: Target, files: Iterable[Path]) -> list[str]:
    """Requirements (markers evaluated for ``target``) that no wheel in ``files`` satisfies for its tags.

    Independent of pip: reads each wheel's METADATA with packaging's public API, from
    the project's wheel down.
    """
    tags = set(target.tags())
    wheels: dict[str, tuple[str, Path]] = {}
    problems = []
    for path in files:
        name, version, _, wheel_tags = parse_wheel_filename(path.name)
        if not wheel_tags & tags:
            problems.append(f"{path.name} 不适用于 {target.key}")
        wheels[canonicalize_name(name)] = (str(version), path)
    environment = target.markers()
    roots = [p for p in files if canonicalize_name(parse_wheel_filename(p.name)[0]) == "subsidy-xl"]
    seen: set[str] = set()
    todo = [(Requirement(f"subsidy-xl=={parse_wheel_filename(p.name)[1]}"), ()) for p in roots]
    while todo:
        requirement, extras = todo.pop()
        name = canonicalize_name(requirement.name)
        if requirement.marker is not None and not any(
            requirement.marker.evaluate({**environment, "extra": e}) for e in (extras or ("",))
        ):
            continue
        if name not in wheels:
            problems.append(f"缺少 {requirement}")
            continue
        version, path = wheels[name]
        if not requirement.specifier.contains(version, prereleases=True):
            problems.append(f"{path.name} 不满足 {requirement}")
        if name in seen:
            continue
        seen.add(name)
        for text in wheel_metadata(path).get_all("Requires-Dist") or []:
            todo.append((Requirement(text), tuple(requirement.extras)))
    return problems


# ---------------------------------------------------------------- the kit

def sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()  # read in blocks, never whole


def _requirements_text(files: Sequence[Path], kit_wheels: Path) -> str:
    lines = ["# 由 subsidy-xl kit 生成：kit_install.py 用 pip --require-hashes 按此文件离线安装。"]
    for path in sorted(files, key=lambda p: p.name.lower()):
        name, version, *_ = parse_wheel_filename(path.name)
        lines.append(f"{name}=={version} --hash=sha256:{sha256(kit_wheels / path.name)}")
    return "\r\n".join(lines) + "\r\n"


@dataclass
class KitReport:
    out_dir: Path
    resolutions: list[Resolution]
    files: int

    @property
    def supported(self) -> list[Target]:
        return [r.target for r in self.resolutions if r.supported]

    def summary(self) -> str:
        lines = [f"已生成离线安装包：{self.out_dir}（{self.files} 个文件）"]
        for r in self.resolutions:
            state = "可安装" if r.supported else "不支持"
            reason = r.error or r.unsupported
            lines.append(f"  Python {r.target.python} {r.target.bits} 位（{r.target.key}）：{state}"
                         + (f"。原因：{reason}" if reason else ""))
        return "\n".join(lines)


def supported_text(targets: Sequence[Target]) -> str:
    by_bits: dict[int, list[str]] = {}
    for t in targets:
        by_bits.setdefault(t.bits, []).append(t.python)
    return "；".join(f"Python {'、'.join(versions)}（{bits} 位）" for bits, versions in sorted(by_bits.items(), reverse=True))


def build_kit(out_dir: Path | str, cache: Path | None = None, targets: Sequence[Target] = TARGETS,
              refresh: bool = False, source: Path | None = None,
              progress: Callable[[str], None] = lambda m: None) -> KitReport:
    """Write the kit into ``out_dir`` (new or empty) and return what each target got."""
    from ..addin.build import ADDIN_FILE_NAME, build_addin

    out = Path(out_dir)
    if out.exists() and any(out.iterdir()):
        raise KitError(f"输出文件夹 {out} 不是空的：请指定一个新的或空的文件夹")
    cache = cache or default_cache()
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="subsidy-xl-kit-") as tmp:
        work = Path(tmp)
        # One build at a time per cache: pip writes downloads in place, and the list of unresolvable targets is shared.
        with FileLock(str(cache / ".lock")):
            progress("生成 subsidy-xl 的 wheel")
            project_wheel = build_project_wheel(work / "project", cache, source)
            progress("用下载缓存解析各 Python 版本的依赖")
            offline = [None] * len(targets) if refresh else offline_resolutions(targets, project_wheel, cache, work)
            resolutions = []
            for target, done in zip(targets, offline):
                progress(f"解析 {target.key} 的依赖")
                resolutions.append(resolve_target(target, project_wheel, cache, work, refresh, progress, done))
        resolved = [r for r in resolutions if r.error is None]
        if not any(r.supported for r in resolutions):
            raise KitError("没有任何 Python 版本能离线安装：\n" + "\n".join(f"{r.target.key}：{r.error or r.unsupported}" for r in resolutions))
        wheels = out / "wheels"
        wheels.mkdir(parents=True)
        for path in {p for r in resolved for p in r.files}:
            shutil.copyfile(path, wheels / path.name)
        (out / "requirements").mkdir()
        pythons = {}
        for r in resolutions:
            entry: dict = {"python": r.target.python, "bits": r.target.bits, "supported": r.supported}
            if r.error is None:
                entry["requirements"] = f"requirements/{r.target.key}.txt"
                (out / entry["requirements"]).write_bytes(_requirements_text(r.files, wheels).encode("utf-8"))
            if not r.supported:
                entry["reason"] = r.unsupported or f"依赖无法解析：{r.error}"
            pythons[r.target.key] = entry
        pip_wheels = sorted({p.name for r in resolved for p in r.files if p.name.startswith("pip-")})
        supported = [r.target for r in resolutions if r.supported]
        manifest = {
            "project": "subsidy-xl", "version": __version__, "addin": ADDIN_FILE_NAME,
            "xlwings": _xlwings_version(), "interpreter": KIT_INTERPRETER,
            "pip_wheel": f"wheels/{pip_wheels[-1]}", "supported_text": supported_text(supported), "pythons": pythons,
        }
        (out / installer.MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        progress("生成加载项")
        build_addin(out, interpreter=KIT_INTERPRETER)
        shutil.copyfile(installer.__file__, out / INSTALLER_NAME)
        scripts.write_scripts(out, manifest, resolutions)
        names = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
        sums = "".join(f"{sha256(out / name)}  {name}\n" for name in names)
        (out / installer.CHECKSUMS).write_text(sums, encoding="utf-8", newline="\n")
    return KitReport(out, resolutions, len(names) + 1)


def _xlwings_version() -> str:
    import xlwings

    return xlwings.__version__
