"""Headless refresh and check at province scale, measured side by side with
python-calamine reading the same rosters and openpyxl loading and saving the
same workbook (prints figures; asserts nothing).

    python benchmarks/run.py [--rows N ...] [--json] [--repeat K] [--keep DIR]

For each size N (default 1,000, 10,000 and 100,000 rows per roster) it
generates a workbook from the template whose 生活补贴名册 and 一次性补助名册
each hold N people (valid IDs from several Yunnan areas, the ten 街道, varied
posts and month spellings, and about 1% defects so the checks have work: wrong
check digits, IDs typed as numbers, people reported twice, unknown posts,
ambiguous months ...), refreshes it once (timed, shown as "1st refresh"), and
then measures on that refreshed workbook -- the steady state staff work in,
with both payment sheets already full:

  refresh_s             service.refresh (what `subsidy-xl refresh` runs), in place with its backup
  check_s               service.check (what `subsidy-xl check` runs)
  peak_mb               the larger peak resident set size (ru_maxrss) of the refresh and check processes
  calamine_read_s       python-calamine opening the file and reading both roster sheets
  openpyxl_roundtrip_s  openpyxl load_workbook + save of the same workbook

Every measurement runs in a fresh Python process with the modules already
imported (so import time is left out of every figure alike); the time is taken
inside that process around the call alone. refresh, check and calamine take the
median of --repeat runs (default 3), openpyxl one run (it is the slow one).

Peak memory is the child's ru_maxrss rather than tracemalloc: it is what the
operating system had to provide, including python-calamine's Rust buffers and
zlib's, which tracemalloc cannot see (it also slows the code it watches).

With --json: one JSON object per size, keys rows, refresh_s, check_s, peak_mb,
calamine_read_s, openpyxl_roundtrip_s.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUARTER = "2026Q2"
DEFAULT_ROWS = (1_000, 10_000, 100_000)
SEED = 7

# ---------------------------------------------------------------- workbook generation

AREAS = ("530114", "530102", "530103", "530111", "530112", "530113", "530115", "530124", "530181", "530302",
         "530402", "532301", "533102")
SURNAMES = "李王张刘杨陈赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "德明文华建国志强永福光荣正兴学良春秀桂英玉兰凤芝丽琼云发清平秋菊金贵兆祥有才天顺家和世昌继红海涛红梅晓燕立新"
COMMUNITY_STEMS = "东西南北中新和平安康宁兴华光明阳春秋山水河湖林园"
BANKS = ("中国农业银行呈贡支行", "云南省农村信用社呈贡联社", "中国邮政储蓄银行呈贡区支行", "中国建设银行呈贡支行",
         "中国工商银行昆明分行", "富滇银行呈贡支行")
LIVING_POSTS = ("村委会主任", "村党支部书记", "村委会副主任", "村党支部副书记", "社区居委会主任", "社区党总支书记")
ONE_OFF_POSTS = {
    "一肩挑": ("社区党组织书记、居委会主任", "社区党总支书记、居委会主任", "党支部书记兼居委会主任", "书记、主任“一肩挑”",
             "书记主任一肩挑"),
    "正职": ("党总支书记", "居委会主任", "社区党委书记", "社区居委会主任", "社区主任"),
    "副职": ("社区党委副书记", "居委会副主任", "社区居委会副主任", "党总支副书记"),
    "监委会主任": ("监督委员会主任", "居务监督委员会主任", "监委会主任"),
}
# (category, full terms, tenure start, full years): the 换届 of 2026-03 ends every tenure.
ONE_OFF_PLANS = (("正职", 1, (2021, 3), 5), ("副职", 1, (2021, 3), 5), ("监委会主任", 1, (2021, 3), 5),
                 ("一肩挑", 1, (2021, 3), 5), ("一肩挑", 2, (2016, 3), 10), ("正职", 2, (2016, 3), 10),
                 ("副职", 2, (2016, 3), 10), ("一肩挑", 3, (2013, 3), 13), ("副职", 0, (2023, 6), 2))
DEFECT_RATE = 0.01  # share of rows given one defect


def _id(rng: random.Random, birth_year: int, male: bool) -> str:
    """A valid ID from one of the AREAS, by the sample data's own rule."""
    from subsidy_xl.sample import make_id  # imported here, as the generation's other subsidy_xl modules are

    return make_id(rng, birth_year, male, area=rng.choice(AREAS))


def _month(rng: random.Random, year: int, month: int) -> object:
    """Months as staff type them: mostly 2013-01, also 2013.01, 2013年1月 and 201301 (text or a number)."""
    form = rng.random()
    if form < 0.7:
        return f"{year}-{month:02d}"
    if form < 0.8:
        return f"{year}.{month:02d}"
    if form < 0.9:
        return f"{year}年{month}月"
    if form < 0.95:
        return f"{year}{month:02d}"
    return year * 100 + month


def _person(rng: random.Random, streets: list[str]) -> dict:
    street = rng.choice(streets)
    return {"街道": street, "社区": street.removesuffix("街道") + rng.choice(COMMUNITY_STEMS) + "社区",
            "姓名": rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
            "银行账号": "6228" + f"{rng.randrange(10**15):015d}", "开户行": rng.choice(BANKS)}


def living_rows(rng: random.Random, n: int, streets: list[str]) -> list[dict]:
    rows = []
    for _ in range(n):
        row = _person(rng, streets)
        male = rng.random() < 0.8
        birth_year = rng.randint(1930, 1950 if male else 1955)
        left_year = rng.randint(1984, 1999)
        terms = rng.randint(2, 5)
        total_terms = terms + rng.choice((0, 0, 1))
        start_year = max(2019, birth_year + (60 if male else 55))
        month = rng.randint(1, 12)  # tenure from and to the same month: the typed 年限 agree with the dates
        row.update({
            "性别": "男" if male else "女", "身份证号": _id(rng, birth_year, male),
            "原任最高职务": rng.choice(LIVING_POSTS),
            "任职起始年月": _month(rng, left_year - terms * 3, month),
            "离任年月": _month(rng, left_year, month),
            "连续任职年限": terms * 3, "累计任职年限": total_terms * 3, "连续任职届数": terms, "累计任职届数": total_terms,
            "月补贴标准": rng.choice((600, 640, 660, 660, 660, 680, 720)), "起发年月": f"{start_year}-01",
            "联系电话": "1" + rng.choice("3589") + f"{rng.randrange(10**9):09d}",
        })
        if rng.random() < 0.03:  # stopped this year (death), paid through the month by default
            row["停发年月"], row["停发原因"] = f"2026-{rng.randint(1, 12):02d}", "死亡"
        rows.append(row)
    _defects(rng, rows, streets, (_bad_check_digit, _id_as_number, _twin, _ambiguous_month, _stop_without_reason,
                                  _no_name, _account_letters, _unknown_street))
    return rows


def one_off_rows(rng: random.Random, n: int, streets: list[str], living: list[dict]) -> list[dict]:
    rows = []
    for _ in range(n):
        row = _person(rng, streets)
        category, terms, (year, month), years = rng.choice(ONE_OFF_PLANS)
        male = rng.random() < 0.7
        row.update({
            "性别": "男" if male else "女", "身份证号": _id(rng, rng.randint(1960, 1988), male),
            "离任时职务": rng.choice(ONE_OFF_POSTS[category]),
            "任职起始年月": _month(rng, year, month), "离任年月": "2026-03", "连续任满届数": terms, "任满年数": years,
        })
        if rng.random() < 0.05:  # left blank: derived from the tenure months (an info issue)
            row["连续任满届数"] = row["任满年数"] = None
        rows.append(row)
    _defects(rng, rows, streets, (_bad_check_digit, _id_as_number, _twin, _unknown_post, _category_mismatch,
                                  _no_name, _account_letters))
    for row in rng.sample(rows, max(1, int(n * DEFECT_RATE / 4))):  # also in the other roster: a warning
        row["身份证号"] = rng.choice(living)["身份证号"]
    return rows


def _defects(rng, rows, streets, kinds) -> None:
    for i in rng.sample(range(len(rows)), max(len(kinds), int(len(rows) * DEFECT_RATE))):
        rng.choice(kinds)(rng, rows, i, streets)


def _bad_check_digit(rng, rows, i, streets):
    good = rows[i]["身份证号"]
    if isinstance(good, str):
        rows[i]["身份证号"] = good[:-1] + ("0" if good[-1] != "0" else "1")


def _id_as_number(rng, rows, i, streets):
    if isinstance(rows[i]["身份证号"], str) and rows[i]["身份证号"][:17].isdigit():
        rows[i]["身份证号"] = float(int(rows[i]["身份证号"][:17]) * 10)


def _twin(rng, rows, i, streets):
    """The same person reported again, by the same street or another one."""
    original = rows[rng.randrange(len(rows))]
    rows[i]["身份证号"], rows[i]["姓名"] = original["身份证号"], original["姓名"]
    if rng.random() < 0.5:
        rows[i]["街道"] = rng.choice(streets)


def _ambiguous_month(rng, rows, i, streets):
    rows[i]["离任年月"] = 1990 + rng.randint(0, 9) + rng.randint(1, 9) / 10  # 1995.1: January or October?


def _stop_without_reason(rng, rows, i, streets):
    rows[i]["停发年月"], rows[i]["停发原因"] = "2026-04", None


def _no_name(rng, rows, i, streets):
    rows[i]["姓名"] = None


def _account_letters(rng, rows, i, streets):
    rows[i]["银行账号"] = "6228O" + rows[i]["银行账号"][5:]


def _unknown_street(rng, rows, i, streets):
    rows[i]["街道"] = rows[i]["街道"].removesuffix("街道") + "镇"


def _unknown_post(rng, rows, i, streets):
    rows[i]["离任时职务"] = rng.choice(("书计", "村民小组长", "会计"))


def _category_mismatch(rng, rows, i, streets):
    rows[i]["职务类别"] = "副职" if "副" not in rows[i]["离任时职务"] else "正职"


def _sheet_rows(spec, people: list[dict]):
    """Lines for PackageEditor.replace_sheet_data: the header and one row per person, styled as the template does."""
    from subsidy_xl.schema import STYLES

    header, text, number, money = STYLES["header"], STYLES["text"], STYLES["int"], STYLES["money"]
    yield 1, 0, [col.header for col in spec.columns], header
    for r, person in enumerate(people, 2):
        values = [r - 1] + [person.get(col.header) for col in spec.columns[1:]]
        styles = [number] + [None if value is None else text if isinstance(value, str) else
                             money if col.kind == "money" else number for col, value in zip(spec.columns[1:], values[1:])]
        yield r, 0, values, styles


def generate(path: Path, rows: int, seed: int = SEED) -> Path:
    """A workbook from the template whose two rosters hold ``rows`` people each."""
    from subsidy_xl.cells import a1
    from subsidy_xl.io.package import PackageEditor
    from subsidy_xl.params import default_params
    from subsidy_xl.sample import load_sample
    from subsidy_xl.schema import LIVING, ONE_OFF, PERFORMANCE_SHEET, PROJECT_INFO_SHEET
    from subsidy_xl.template import build

    rng = random.Random(seed)
    streets = list(default_params().streets)
    living = living_rows(rng, rows, streets)
    one_off = one_off_rows(rng, rows, streets, living)
    blank = path.with_name(path.stem + ".template.xlsx")
    sample = load_sample()  # the demo's 项目信息 and 绩效目标表, so their checks run too
    build(blank, {name: sample[name] for name in (PROJECT_INFO_SHEET, PERFORMANCE_SHEET)})
    editor = PackageEditor(blank)
    for spec, people in ((LIVING, living), (ONE_OFF, one_off)):
        editor.replace_sheet_data(spec.name, _sheet_rows(spec, people))
        editor.set_table_ref(spec.table, f"A1:{a1(rows + 1, len(spec.columns) - 1)}")
    with open(path, "wb") as out:
        editor.save(out)
    blank.unlink()
    return path


# ---------------------------------------------------------------- measurements (each in a fresh process)

def _child(mode: str, path: str) -> None:
    """Run one measurement in this (fresh) process and print {"s": seconds, "rss_mb": peak RSS}."""
    import resource

    if mode in ("refresh", "check"):
        from subsidy_xl import service
        from subsidy_xl.io import package, reader, safe_save  # noqa: F401  (imported by the use case on first call)
        from subsidy_xl.months import parse_quarter

        quarter = parse_quarter(QUARTER)
        run = (lambda: service.refresh(Path(path), quarter)) if mode == "refresh" else (lambda: service.check(Path(path)))
    elif mode == "calamine":
        from python_calamine import CalamineWorkbook

        from subsidy_xl.schema import ROSTERS

        def run():
            book = CalamineWorkbook.from_path(path)
            return [book.get_sheet_by_name(spec.name).to_python(skip_empty_area=False) for spec in ROSTERS]
    elif mode == "openpyxl":
        from openpyxl import load_workbook

        def run():
            load_workbook(path).save(path + ".openpyxl.xlsx")
    else:
        raise SystemExit(f"unknown mode {mode}")
    start = time.perf_counter()
    run()
    seconds = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rss_mb = rss / (1 << 20) if sys.platform == "darwin" else rss / 1024  # bytes on macOS, KiB on Linux
    print(json.dumps({"s": seconds, "rss_mb": rss_mb}))


def measure(mode: str, path: Path) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", mode, str(path)], capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{mode} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_size(rows: int, workdir: Path, repeat: int, progress) -> dict:
    source = workdir / f"rosters_{rows}.xlsx"
    start = time.perf_counter()
    generate(source, rows)
    progress(f"{rows:,} rows: generated in {time.perf_counter() - start:.1f} s ({source.stat().st_size / 1e6:.1f} MB)")
    first = measure("refresh", source)  # the generated workbook refreshed once: the steady state measured below
    work = workdir / f"work_{rows}.xlsx"
    refresh, check, calamine, rss = [], [], [], [first["rss_mb"]]
    for _ in range(repeat):
        shutil.copyfile(source, work)
        r = measure("refresh", work)
        c = measure("check", source)
        refresh.append(r["s"])
        check.append(c["s"])
        rss += [r["rss_mb"], c["rss_mb"]]
        calamine.append(measure("calamine", source)["s"])
    progress(f"{rows:,} rows: refresh/check/calamine done; openpyxl load + save ...")
    openpyxl = measure("openpyxl", source)
    return {"rows": rows, "refresh_s": round(statistics.median(refresh), 3), "check_s": round(statistics.median(check), 3),
            "peak_mb": round(max(rss)), "calamine_read_s": round(statistics.median(calamine), 3),
            "openpyxl_roundtrip_s": round(openpyxl["s"], 3),
            "_first_refresh_s": round(first["s"], 3), "_size_mb": round(source.stat().st_size / 1e6, 1),
            "_openpyxl_mb": round(openpyxl["rss_mb"])}


# ---------------------------------------------------------------- report

def table(results: list[dict]) -> str:
    head = ("rows", "1st refresh s", "refresh s", "check s", "peak MB", "calamine s", "openpyxl s",
            "refresh/cal", "check/cal", "openpyxl/refresh", "file MB")
    lines = [head]
    for r in results:
        cal = r["calamine_read_s"]
        lines.append((f"{r['rows']:,}", f"{r['_first_refresh_s']:.2f}", f"{r['refresh_s']:.2f}", f"{r['check_s']:.2f}",
                      f"{r['peak_mb']}", f"{cal:.2f}", f"{r['openpyxl_roundtrip_s']:.1f}",
                      f"{r['refresh_s'] / cal:.2f}x", f"{r['check_s'] / cal:.2f}x",
                      f"{r['openpyxl_roundtrip_s'] / r['refresh_s']:.1f}x", f"{r['_size_mb']}"))
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    out = ["  ".join(cell.rjust(w) for cell, w in zip(line, widths)) for line in lines]
    out.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(out)


def verdicts(results: list[dict]) -> list[str]:
    """The issue's targets, at 100,000 rows per roster (and 10,000 for the growth)."""
    by_rows = {r["rows"]: r for r in results}
    big, small = by_rows.get(100_000), by_rows.get(10_000)
    if big is None:
        return []
    cal = big["calamine_read_s"]
    checks = [
        ("refresh_s <= 3 x calamine_read_s", big["refresh_s"], 3 * cal),
        ("check_s <= 2 x calamine_read_s", big["check_s"], 2 * cal),
        ("refresh_s <= openpyxl_roundtrip_s / 8", big["refresh_s"], big["openpyxl_roundtrip_s"] / 8),
        ("peak_mb <= 1536", big["peak_mb"], 1536),
    ]
    if small is not None:
        checks += [("refresh 100k <= 12 x refresh 10k", big["refresh_s"], 12 * small["refresh_s"]),
                   ("check 100k <= 12 x check 10k", big["check_s"], 12 * small["check_s"])]
    return [f"{'met ' if value <= limit else 'MISSED'}  {label:<40} {value:9.2f} <= {limit:9.2f}"
            f"  ({value / limit:.0%} of the limit)" for label, value, limit in checks]


def machine() -> str:
    cpu = "unknown CPU"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo", encoding="utf-8")
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError, AttributeError):
        ram = float("nan")
    return f"{os.cpu_count()} CPUs ({cpu}), {ram:.1f} GiB RAM, Python {sys.version.split()[0]}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=list(DEFAULT_ROWS), help="people per roster")
    parser.add_argument("--json", action="store_true", help="one JSON object per size")
    parser.add_argument("--repeat", type=int, default=3, help="runs of refresh, check and calamine (median)")
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep the files")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(*args.child)
        return 0

    def progress(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    workdir = args.keep or Path(tempfile.mkdtemp(prefix="subsidy_bench_"))
    workdir.mkdir(parents=True, exist_ok=True)
    results = []
    try:
        for rows in args.rows:
            result = run_size(rows, workdir, args.repeat, progress)
            results.append(result)
            if args.json:
                print(json.dumps({k: v for k, v in result.items() if not k.startswith("_")}), flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    if not args.json:
        print(f"Machine: {machine()}")
        print(f"Quarter {QUARTER}; median of {args.repeat} runs (openpyxl: 1); refresh and check of a workbook "
              f"refreshed once before; '1st refresh' is that first one.\n")
        print(table(results))
        lines = verdicts(results)
        if lines:
            print("\nTargets (issue 7):")
            print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
