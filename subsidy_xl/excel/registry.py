"""Signatures of the worksheet functions (UDFs), as plain data.

The add-in build generates the VBA wrappers from this table, so it must agree
with ``subsidy_xl.excel.udfs`` (tests check that when the module is present).

Naming: xlwings' ``CallUDF(module, name, ...)`` finds the Python function with
``getattr(module, name)``, and the name is also the Excel function name. So each
function in ``udfs.py`` is named exactly as in Excel (``ONE_OFF_SUBSIDY``), with
the parameters listed here, in this order; optional parameters have defaults.

Parameter names appear in VBA, so they avoid VBA keywords (``stop`` is the VBA
``Stop`` statement: hence ``stop_date``).
"""

from __future__ import annotations

from dataclasses import dataclass

UDF_MODULE = "subsidy_xl.excel.udfs"


@dataclass(frozen=True)
class UdfArg:
    name: str
    description: str
    optional: bool = False


@dataclass(frozen=True)
class UdfSpec:
    name: str
    description: str
    args: tuple[UdfArg, ...]
    needs_params: bool = True  # reads the calling book's 参数 sheet (False: the function's rules use none)


_ROLE = UdfArg("role", "职务类别：一肩挑、正职、副职或监委会主任")
_TERMS = UdfArg("terms", "连续任满届数")
_ID = UdfArg("id", "18 位公民身份号码")

UDFS: tuple[UdfSpec, ...] = (
    UdfSpec(
        "ONE_OFF_SUBSIDY",
        "一次性补助金额（元）",
        (_ROLE, _TERMS, UdfArg("years", "任职满年数（可省略）", optional=True)),
    ),
    UdfSpec("ONE_OFF_MONTHS", "计发月数", (_TERMS, UdfArg("years", "任职满年数"))),
    UdfSpec("POST_RATE", "月岗位补贴标准（元）", (_ROLE,)),
    UdfSpec(
        "LIVING_SUBSIDY",
        "本季生活补贴金额（元）",
        (
            UdfArg("standard", "月补贴标准（元）"),
            UdfArg("start_date", "起发日期"),
            UdfArg("stop_date", "停发日期（未停发则留空）"),
            UdfArg("quarter", "所属季度"),
        ),
        needs_params=False,
    ),
    UdfSpec("ID_CHECK", "身份证号校验（合格返回空）", (_ID,), needs_params=False),
    UdfSpec("ID_BIRTHDATE", "由身份证号得出生日期", (_ID,), needs_params=False),
    UdfSpec("ID_GENDER", "由身份证号得性别", (_ID,), needs_params=False),
    UdfSpec("RMB_UPPER", "人民币大写金额", (UdfArg("amount", "金额（元）"),), needs_params=False),
)
