"""The doors' facade: every use case by name, for the CLI, the ribbon macros and the web page.

The use cases themselves live with their features (refresh.py, performance/usecases.py,
streets/usecases.py, streets/form.py, export/bundle.py) and build plans (plan.py); io/update.py runs a
plan headlessly, excel/adapter.py in a live book. Nothing below the doors imports this module.
"""
from __future__ import annotations

from pathlib import Path

from .analysis import Analysis, analyse
from .io.update import apply_plan, open_book, read, update
from .months import Quarter
from .schema import ISSUES_SHEET
from .plan import Patch, Progress, WritePlan, bulk_work, changelog_entry, quiet
from .refresh import REFRESH_PREFETCH, CheckReport, RefreshReport, one_off_patch, plan_check, plan_refresh

# What the doors use besides the use cases below: the plan, its report and the headless writer.
__all__ = ["Analysis", "CheckReport", "Patch", "Progress", "RefreshReport", "WritePlan", "apply_plan", "bulk_work", "changelog_entry",
           "check", "demo", "export_package", "fill_performance", "import_performance", "import_streets",
           "new_workbook", "one_off_patch", "open_book", "plan_check", "plan_refresh", "quiet", "record_check", "refresh",
           "street_form",
           "template_path"]


def check(path: Path, progress: Progress = quiet) -> Analysis:
    with bulk_work():
        src = read(path, progress)
        progress("校验…")
        analysis = analyse(src)
        del src  # the sheets read go before the collector resumes
    return analysis


def record_check(path: Path, progress: Progress = quiet) -> CheckReport:
    """校验 as the ribbon does it: check, and write the 问题清单 sheet (nothing else) into the workbook."""
    return update(path, None, progress, lambda src: plan_check(src, progress), prefetch=[ISSUES_SHEET])


def refresh(path: Path, quarter: Quarter | None = None, out: Path | None = None,
            progress: Progress = quiet) -> RefreshReport:
    return update(path, out, progress, lambda src: plan_refresh(src, quarter, progress, rewrite_unchanged=False),
                  prefetch=REFRESH_PREFETCH)


def template_path() -> Path:
    from .template import TEMPLATE_PATH

    return TEMPLATE_PATH


def new_workbook(out: Path) -> Path:
    """A blank workbook from the template; never over an existing file, complete or not at all."""
    from .io.safe_save import refuse_existing, safe_create

    out = Path(out)
    refuse_existing(out)
    template = template_path().read_bytes()
    return safe_create(out, lambda handle: handle.write(template))


def demo(out: Path, quarter: Quarter | None = None, progress: Progress = quiet) -> RefreshReport:
    """The template with the sample data, refreshed; never over an existing file, complete or not at all."""
    from .io.safe_save import creating, refuse_existing
    from .sample import load_sample
    from .template import build

    out = Path(out)
    refuse_existing(out)
    progress("写入样例数据…")
    with creating(out) as staging:  # a hidden file beside ``out``; it takes the name only when complete
        build(staging, load_sample())
        report = update(staging, None, progress,
                        lambda src: plan_refresh(src, quarter, progress, rewrite_unchanged=False),
                        prefetch=REFRESH_PREFETCH, backup=False)
    report.out = out
    return report


# ---------------------------------------------------------------- street forms and the submission package

def street_form(path: Path | None, street: str, out: Path):
    """The form a 街道 fills, pre-filled with its people from the workbook at ``path`` (blank without one)."""
    from .streets.form import street_form as make

    return make(path, street, out)


def import_streets(path: Path, files: list[Path], out: Path | None = None, progress: Progress = quiet):
    """Merge returned street forms into the rosters and write 变动情况 (see subsidy_xl/streets)."""
    from .streets.usecases import plan_import

    return update(path, out, progress, lambda src: plan_import(src, files, open_book, progress))


def export_package(path: Path, quarter: Quarter | None, out_dir: Path, progress: Progress = quiet, pdf: bool = True):
    """The submission package of a quarter (see subsidy_xl/export/bundle.py)."""
    from .export.bundle import export_package as export

    return export(Path(path), quarter, Path(out_dir), progress, pdf)


# ---------------------------------------------------------------- 绩效目标表

def fill_performance(path: Path, out: Path | None = None, progress: Progress = quiet):
    """Fill the 绩效目标表 from the rosters and 参数, score the self-evaluation (see subsidy_xl/performance)."""
    from .performance.usecases import plan_fill_performance

    return update(path, out, progress, lambda src: plan_fill_performance(src, progress))


def import_performance(path: Path, source: Path, out: Path | None = None, progress: Progress = quiet):
    """Replace the 绩效目标表's indicators with those of a .xlsx/.docx laid out like the application's table."""
    from .performance.usecases import plan_import_performance

    return update(path, out, progress, lambda src: plan_import_performance(src, Path(source), progress))
