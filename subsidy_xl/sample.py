"""Synthetic sample data for the demo: realistic in shape, no real person.

84 living-subsidy recipients across the ten 街道 averaging 660 yuan a month, and
about 100 cadres leaving office at the 2026 换届 whose one-off total lands near
200万, with valid ID numbers (area 530114, GB 11643 check digit) and a few
deliberate defects so the demo's 问题清单 has something to show:

- a wrong ID check digit (生活补贴名册)
- one person reported by two streets (生活补贴名册)
- an ID typed into a number cell, digits lost (一次性补助名册)
- an unknown post, 书计 (一次性补助名册)

``python -m subsidy_xl.sample`` rewrites templates/sample_data.json; a test checks
that it is unchanged, so the file is always what this code makes.
"""
from __future__ import annotations

import json
import random
import sys
from pathlib import Path

from stdnum.cn import ric

from .params import default_params
from .performance.demo import demo_table
from .resources import project_path

SEED = 2026
AREA = "530114"
SURNAMES = "李王张刘杨陈赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "德明文华建国志强永福光荣正兴学良春秀桂英玉兰凤芝丽琼云发清平秋菊金贵兆祥有才天顺家和世昌继红海涛红梅晓燕立新"
COMMUNITY_SUFFIX = ("东", "西", "南", "北", "中", "新")
BANKS = ("中国农业银行呈贡支行", "云南省农村信用社呈贡联社", "中国邮政储蓄银行呈贡区支行", "中国建设银行呈贡支行")
ONE_OFF_POSTS = {
    "一肩挑": ("社区党组织书记、居委会主任", "社区党总支书记、居委会主任", "党支部书记兼居委会主任", "书记、主任“一肩挑”"),
    "正职": ("党总支书记", "居委会主任", "社区党委书记", "社区居委会主任"),
    "副职": ("社区党委副书记", "居委会副主任", "社区居委会副主任", "党总支副书记"),
    "监委会主任": ("监督委员会主任", "居务监督委员会主任"),
}
OUT = project_path("templates", "sample_data.json")


def make_id(rng: random.Random, birth_year: int, male: bool, area: str = AREA) -> str:
    """A valid 18-digit ID (check digit computed) of someone born in ``birth_year`` in ``area`` (6 digits)."""
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    seq = rng.randint(0, 49) * 2 + (1 if male else 0)  # 17th digit odd for men
    body = f"{area}{birth_year:04d}{month:02d}{day:02d}{rng.randint(0, 9)}{seq:02d}"
    return body + ric.calc_check_digit(body + "0")


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _account(rng: random.Random) -> str:
    return "6228" + "".join(str(rng.randint(0, 9)) for _ in range(15))


def _phone(rng: random.Random) -> str:
    return "1" + rng.choice("3589") + "".join(str(rng.randint(0, 9)) for _ in range(9))


def _communities(street: str) -> list[str]:
    stem = street.removesuffix("街道")
    return [f"{stem}{s}社区" for s in COMMUNITY_SUFFIX[:4]]


def _month_text(rng: random.Random, year: int, month: int) -> str:
    """Staff write months in several forms; all of these parse."""
    form = rng.random()
    if form < 0.7:
        return f"{year}-{month:02d}"
    if form < 0.8:
        return f"{year}.{month}"  # 2013.1: as text, so it parses as January
    if form < 0.9:
        return f"{year}年{month}月"
    return f"{year}{month:02d}"


def living_rows(rng: random.Random, streets: list[str]) -> list[dict]:
    standards = [660] * 28 + [600, 720, 640, 680] * 14  # 84 people, mean exactly 660
    rng.shuffle(standards)
    rows = []
    for i, standard in enumerate(standards):
        street = streets[i % len(streets)]
        male = rng.random() < 0.8
        birth_year = rng.randint(1932, 1950 if male else 1955)
        left_year = rng.randint(1984, 1999)
        consecutive_terms = rng.randint(2, 5)
        consecutive_years = consecutive_terms * 3
        total_terms = consecutive_terms + rng.choice((0, 0, 1))
        age_year = birth_year + (60 if male else 55)
        start_year = max(2019, age_year)
        rows.append({
            "街道": street, "社区": rng.choice(_communities(street)), "姓名": _name(rng), "性别": "男" if male else "女",
            "身份证号": make_id(rng, birth_year, male), "原任最高职务": rng.choice(("村委会主任", "村党支部书记", "村委会副主任", "村党支部副书记")),
            # Whole terms: the tenure dates give the typed 年限 and 届数 (compute checks them); the leaving
            # month is still drawn, so the rest of the sample stays as it was.
            "任职起始年月": _month_text(rng, left_year - consecutive_years, (start_month := rng.randint(1, 12))),
            "离任年月": _month_text(rng, left_year, (rng.randint(1, 12), start_month)[1]),
            "连续任职年限": consecutive_years, "累计任职年限": total_terms * 3,
            "连续任职届数": consecutive_terms, "累计任职届数": total_terms,
            "月补贴标准": standard, "起发年月": f"{start_year}-01", "停发年月": None, "停发原因": None,
            "银行账号": _account(rng), "开户行": rng.choice(BANKS), "联系电话": _phone(rng), "备注": None,
        })
    rows.sort(key=lambda r: streets.index(r["街道"]))
    # A realistic event: one recipient died in May 2026 (paid through May by default).
    rows[5]["停发年月"], rows[5]["停发原因"] = "2026-05", "死亡"
    # Defect: a wrong check digit.
    good = rows[10]["身份证号"]
    rows[10]["身份证号"] = good[:-1] + ("0" if good[-1] != "0" else "1")
    rows[10]["备注"] = "演示：身份证号校验位错误"
    # Defect: the same person reported again by another street.
    twin = dict(rows[20])
    twin["街道"] = streets[(streets.index(twin["街道"]) + 1) % len(streets)]
    twin["社区"] = _communities(twin["街道"])[0]
    twin["备注"] = "演示：同一人在两个街道上报"
    rows.insert(40, twin)
    return rows


def one_off_rows(rng: random.Random, streets: list[str]) -> list[dict]:
    # (category, full terms, tenure start) — 换届 in 2026-03 ends every tenure.
    plan = ([("正职", 1, "2021-03")] * 24 + [("副职", 1, "2021-03")] * 28 + [("监委会主任", 1, "2021-03")] * 10
            + [("一肩挑", 1, "2021-03")] * 6 + [("一肩挑", 2, "2016-03")] * 9 + [("正职", 2, "2016-03")] * 9
            + [("副职", 2, "2016-03")] * 8 + [("副职", 0, "2023-06")] * 3 + [("一肩挑", 3, "2013-03")] * 2)
    rows = []
    for i, (category, terms, start) in enumerate(plan):
        street = streets[i % len(streets)]
        male = rng.random() < 0.7
        years = {0: 2, 1: 5, 2: 10, 3: 13}[terms]
        rows.append({
            "街道": street, "社区": rng.choice(_communities(street)), "姓名": _name(rng), "性别": "男" if male else "女",
            "身份证号": make_id(rng, rng.randint(1962, 1985), male), "离任时职务": rng.choice(ONE_OFF_POSTS[category]),
            "职务类别": None, "任职起始年月": start, "离任年月": "2026-03", "连续任满届数": terms,
            "任满年数": years, "银行账号": _account(rng), "开户行": rng.choice(BANKS), "备注": None,
        })
    rows.sort(key=lambda r: streets.index(r["街道"]))
    # Defect: an ID typed into a number cell keeps 15 significant digits.
    rows[7]["身份证号"] = float(f"{int(rows[7]['身份证号'][:17]) * 10:.14e}")
    rows[7]["备注"] = "演示：身份证号以数字格式录入"
    # Defect: a post nobody can place.
    rows[15]["离任时职务"] = "书计"
    rows[15]["备注"] = "演示：职务无法识别"
    return rows


PROJECT_INFO = {
    "项目名称": "正常离任村（社区）干部生活补助经费",
    "预算年度": 2026,
    "实施单位": "中国共产党昆明市呈贡区委员会社会工作部",
    "统一社会信用代码": "11530121MB08424272",
    "编制人数": 10, "行政编制": 10, "事业编制": 0,
    "在职实有人数": 9, "财政全供养人数": 5, "财政部分供养人数": 0, "非财政供养人数": 0,
    "经费来源": "财政全额拨款",
    "中长期绩效目标": "加强基层组织建设，稳定基层干部队伍，调动基层干部工作积极性，维护社会稳定。",
    "年度绩效目标": "",  # written by fill-performance from the rosters
}


def _performance_table() -> dict:
    """The demo's table at the budget's figures, its header items from 项目信息."""
    table = demo_table(default_params())
    shared = ("项目名称", "实施单位", "中长期绩效目标")
    table["header"] = {**table["header"], **{k: PROJECT_INFO[k] for k in shared}}
    return table


def sample_data() -> dict:
    rng = random.Random(SEED)
    streets = list(default_params().streets)
    return {
        "_comment": "Synthetic data generated by subsidy_xl/sample.py; no real person. Do not edit by hand.",
        "项目信息": PROJECT_INFO,
        "生活补贴名册": living_rows(rng, streets),
        "一次性补助名册": one_off_rows(rng, streets),
        "绩效目标表": _performance_table(),  # at the budget's figures; fill-performance corrects them
    }


def dump(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def load_sample(path: Path = OUT) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


if __name__ == "__main__":
    OUT.write_text(dump(sample_data()), encoding="utf-8")
    sys.stdout.write(f"wrote {OUT}\n")
