"""Every sheet and column the tool knows: the one source of truth for the
template, the readers, the writers and the checks.

Header texts are a contract with the staff and the streets: columns may be added,
these may not be renamed. Keys are the English names code uses.
"""
from __future__ import annotations

from dataclasses import dataclass

# Named cell styles registered in the template. Writers refer to them by name, so
# the tool never has to touch styles.xml of a user's workbook.
STYLES = {
    "title": "补贴-标题",
    "subtitle": "补贴-副标题",
    "header": "补贴-表头",
    "text": "补贴-文本",
    "int": "补贴-整数",
    "money": "补贴-金额",
    "pct": "补贴-百分比",
    "total": "补贴-合计",
    "total_text": "补贴-合计文字",
    "total_int": "补贴-合计整数",
    "note": "补贴-说明",
    "error": "补贴-错误",
    "warning": "补贴-警告",
    "info": "补贴-提示",
    "wrap": "补贴-换行文本",  # bordered text that wraps (long names, 说明 and 标准 columns)
    "sign": "补贴-落款",  # wrapped text without border: notes under a table, signature lines
    "form_label": "补贴-表单标签",  # bordered bold label of a form (绩效目标表's 项目名称 ...)
    "form_text": "补贴-表单内容",  # bordered wrapped value of a form
}


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str = "text"  # text | int | money | month | id | account | phone | choice | decimal
    width: float = 12
    required: bool = False
    computed: bool = False  # written by the tool on refresh; everything else is the user's
    choices: str | None = None  # key of a 参数 list used for drop-down validation
    note: str = ""


@dataclass(frozen=True)
class Roster:
    name: str  # sheet name
    table: str  # Excel table (ListObject) name, ASCII
    columns: tuple[Column, ...]
    header_row: int = 1  # Excel row of the header

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


# Kinds whose cells are text: a blank cell of these gets the text style (typed values stay as typed).
TEXT_KINDS = frozenset({"id", "account", "phone", "month", "text", "choice"})


def cell_style(col: Column, value: object) -> str:
    """Style key of a roster cell, wherever one is written: the template (and demo), a street form, a row
    an import appends. Text is text; amounts and year counts (decimal: 5.5年) show two decimals, since the
    whole-number style would show 5.5年 as 6; a number in a text column keeps all its digits (an ID typed as
    a number) unless it has a fraction (2013.1 as a month), which the text style shows as it is."""
    if isinstance(value, str) or (value is None and col.kind in TEXT_KINDS):
        return "text"
    if col.kind in ("money", "decimal"):
        return "money"
    if col.kind in TEXT_KINDS and isinstance(value, float) and not value.is_integer():
        return "text"
    return "int"


def _c(key, header, kind="text", width=12, **kw) -> Column:
    return Column(key, header, kind, width, **kw)


LIVING = Roster(
    name="生活补贴名册",
    table="tblLiving",
    columns=(
        _c("seq", "序号", "int", 6),
        _c("street", "街道", "choice", 12, required=True, choices="streets"),
        _c("community", "社区", "text", 12, required=True),
        _c("name", "姓名", "text", 10, required=True),
        _c("gender", "性别", "choice", 6, required=True, choices="genders"),
        _c("id", "身份证号", "id", 21, required=True),
        _c("post", "原任最高职务", "text", 18),
        _c("tenure_start", "任职起始年月", "month", 12),
        _c("left_office", "离任年月", "month", 11, required=True),
        _c("consecutive_years", "连续任职年限", "decimal", 9),
        _c("total_years", "累计任职年限", "decimal", 9),
        _c("consecutive_terms", "连续任职届数", "int", 9),
        _c("total_terms", "累计任职届数", "int", 9),
        _c("standard", "月补贴标准", "money", 10, required=True),
        _c("pay_start", "起发年月", "month", 10, required=True),
        _c("pay_stop", "停发年月", "month", 10),
        _c("stop_reason", "停发原因", "choice", 16, choices="stop_reasons"),
        _c("account", "银行账号", "account", 22, required=True),
        _c("bank", "开户行", "text", 18),
        _c("phone", "联系电话", "phone", 13),
        _c("remark", "备注", "text", 20),
    ),
)

ONE_OFF = Roster(
    name="一次性补助名册",
    table="tblOneOff",
    columns=(
        _c("seq", "序号", "int", 6),
        _c("street", "街道", "choice", 12, required=True, choices="streets"),
        _c("community", "社区", "text", 12, required=True),
        _c("name", "姓名", "text", 10, required=True),
        _c("gender", "性别", "choice", 6, required=True, choices="genders"),
        _c("id", "身份证号", "id", 21, required=True),
        _c("post", "离任时职务", "text", 24, required=True),
        _c("category", "职务类别", "choice", 11, choices="categories",
           note="可留空，由离任时职务自动识别"),
        _c("tenure_start", "任职起始年月", "month", 12),
        _c("left_office", "离任年月", "month", 11, required=True),
        _c("terms", "连续任满届数", "int", 10),
        _c("years", "任满年数", "int", 9),
        _c("rate", "月岗位补贴", "money", 10, computed=True),
        _c("months", "计发月数", "int", 9, computed=True),
        _c("amount", "补助金额", "money", 11, computed=True),
        _c("account", "银行账号", "account", 22, required=True),
        _c("bank", "开户行", "text", 18),
        _c("remark", "备注", "text", 20),
    ),
)

ROSTERS = (LIVING, ONE_OFF)

# 项目信息: two columns 项目 | 内容, one row per item; key -> label.
PROJECT_INFO_SHEET = "项目信息"
PROJECT_INFO_ITEMS = (
    ("project_name", "项目名称"),
    ("budget_year", "预算年度"),
    ("unit", "实施单位"),
    ("credit_code", "统一社会信用代码"),
    ("staff_quota", "编制人数"),
    ("admin_quota", "行政编制"),
    ("institution_quota", "事业编制"),
    ("staff_actual", "在职实有人数"),
    ("fully_funded", "财政全供养人数"),
    ("partly_funded", "财政部分供养人数"),
    ("not_funded", "非财政供养人数"),
    ("funding_source", "经费来源"),
    ("long_term_goal", "中长期绩效目标"),
    ("annual_goal", "年度绩效目标"),
)
PROJECT_INFO_HEADERS = ("项目", "内容")

# Sheets written whole by the tool (their cells are never the user's).
QUARTERLY_SHEET = "季度发放"
ONE_OFF_PAY_SHEET = "一次性补助发放"
BUDGET_SHEET = "资金安排"
SUMMARY_SHEET = "汇总"
PERFORMANCE_SHEET = "绩效目标表"
ISSUES_SHEET = "问题清单"
CHANGELOG_SHEET = "变更记录"
CHANGES_SHEET = "变动情况"  # written by import-streets: what the returned street forms changed
README_SHEET = "说明"
PARAMS_SHEET = "参数"

SHEET_ORDER = (
    README_SHEET,
    PARAMS_SHEET,
    PROJECT_INFO_SHEET,
    LIVING.name,
    ONE_OFF.name,
    QUARTERLY_SHEET,
    ONE_OFF_PAY_SHEET,
    BUDGET_SHEET,
    SUMMARY_SHEET,
    PERFORMANCE_SHEET,
    ISSUES_SHEET,
    CHANGES_SHEET,
    CHANGELOG_SHEET,
)

OWNED_SHEETS = (QUARTERLY_SHEET, ONE_OFF_PAY_SHEET, BUDGET_SHEET, SUMMARY_SHEET, ISSUES_SHEET, CHANGES_SHEET,
                CHANGELOG_SHEET)

ISSUE_COLUMNS = (
    _c("code", "代码", "text", 24),
    _c("severity", "严重程度", "text", 9),
    _c("sheet", "工作表", "text", 14),
    _c("cell", "单元格", "text", 9),
    _c("value", "值", "text", 22),
    _c("message", "说明", "text", 60),
    _c("basis", "依据", "text", 40),
)

CHANGES_COLUMNS = (
    _c("seq", "序号", "int", 6),
    _c("file", "来源文件", "text", 22),
    _c("roster", "名册", "text", 14),
    _c("street", "街道", "text", 11),
    _c("name", "姓名", "text", 9),
    _c("id", "身份证号", "text", 21),
    _c("change", "变动", "text", 9),
    _c("field", "字段", "text", 13),
    _c("old", "原值", "text", 22),
    _c("new", "新值", "text", 22),
    _c("outcome", "处理", "text", 12),
    _c("note", "说明", "text", 50),
)

CHANGELOG_COLUMNS = (
    _c("time", "时间", "text", 20),
    _c("action", "操作", "text", 12),
    _c("scope", "参数", "text", 16),
    _c("result", "结果", "text", 70),
    _c("user", "操作人", "text", 12),
    _c("version", "版本", "text", 9),
)


# The 参数 sheet: blocks side by side, each a title in row 1, headers in row 2 and
# rows from 3 down, so a block can grow without moving the others.
@dataclass(frozen=True)
class ParamBlock:
    key: str
    title: str
    first_col: int  # 0-based column of the block's first header
    headers: tuple[str, ...]
    fields: tuple[str, ...]  # keys in default_params.json, one per header
    table: str
    widths: tuple[float, ...] = ()
    capacity: int = 40  # rows covered by the drop-down lists that point here


PARAM_HEADER_ROW = 2  # Excel row of the block headers
PARAM_BLOCKS = (
    ParamBlock("scalars", "基本参数", 0, ("参数", "值", "单位", "说明"), ("label", "value", "unit", "note"),
               "tblParams", (30, 12, 10, 46)),
    ParamBlock("rates", "月岗位补贴标准", 5, ("职务类别", "月岗位补贴", "说明"), ("category", "rate", "note"),
               "tblRates", (12, 11, 24)),
    ParamBlock("term_schedule", "换届时间表", 9, ("届次", "换届年月", "说明"), ("term", "start", "note"),
               "tblTerms", (9, 10, 36)),
    ParamBlock("stop_reasons", "停发原因", 13, ("停发原因", "停发生效", "说明"), ("reason", "effect", "note"),
               "tblStops", (24, 9, 26)),
    ParamBlock("streets", "街道", 17, ("街道", "区划代码"), ("street", "code"), "tblStreets", (12, 11)),
    ParamBlock("weights", "绩效自评权重", 20, ("一级指标", "权重"), ("level", "weight"), "tblWeights", (12, 7)),
    ParamBlock("grades", "自评等级", 23, ("等级", "最低得分"), ("grade", "min_score"), "tblGrades", (7, 9)),
    ParamBlock("role_aliases", "职务写法对照", 26, ("写法", "职务类别"), ("spelling", "category"),
               "tblAliases", (24, 11)),
)

# Fixed drop-down lists that are not policy (the rest come from 参数 blocks).
GENDERS = ("男", "女")
STOP_EFFECTS = ("次月", "当月")  # 次月: the event month is still paid; 当月: it is not


def param_block(key: str) -> ParamBlock:
    for b in PARAM_BLOCKS:
        if b.key == key:
            return b
    raise KeyError(key)


SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}
