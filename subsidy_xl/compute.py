"""Apply the rules to roster records: who is paid what, and why not when not.

Each assessment returns the people with their figures and the Issues found on
the way; a person whose data cannot support an amount is ``blocked``.

One rule decides every payment (``hold``): a person with an error-severity issue
on their roster row is ``held`` — paid nothing, listed under 暂缓发放 with each
error and its cell — and while the 参数 sheet has an error nobody is paid.
Warnings never change an amount. A typed value that other cells determine
(届数 and 年数 from the tenure dates, 职务类别 from the post, 起发年月 against
the age from the ID) must agree with them, or the row is held: the tool never
chooses between two values.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable, Sequence

from .issues import ERROR, INFO, WARNING, Issue, shown
from .months import Quarter, YearMonth
from .params import Params
from .roles import ROLE_HINT, RoleMatch, normalise_role
from .rosters import Record, RosterData, month_value
from .rules import (LivingPay, OneOff, SpanCheck, Tenure, eligible_age_month, full_terms_and_years, living_eligibility,
                    living_quarter, living_span, one_off_subsidy, quarters_of_year)

INCOMPLETE = "信息不全"
NOT_ELIGIBLE = "不符合条件"
ROLE_UNKNOWN = "职务无法识别"
DUPLICATE = "重复登记"
HELD = "暂缓发放"


def _identity_block(rec: Record) -> str | None:
    """A second row of the same person is never due (checks.people marks repeats). (An invalid ID holds
    the row through its error, like any other error: see hold.)"""
    if rec.values.get("duplicate_of"):
        return f"{DUPLICATE}（同 {rec.values['duplicate_of']}）"
    return None


def hold_reason(rec: Record, held: Sequence[Issue]) -> str:
    """What the 暂缓发放 block says: each error with the cell to fix, without repeating the person's name."""
    parts, seen = [], set()
    for issue in held:
        text = issue.message
        for prefix in (rec.who + "：", rec.who + " ", rec.who):
            if text.startswith(prefix):
                text = text[len(prefix):]
                break
        part = f"{issue.cell}：{text}" if issue.cell else text
        if part not in seen:
            seen.add(part)
            parts.append(part)
    return "；".join(parts)


_ROSTER_WIDE = frozenset({"roster-missing-column"})  # a column the rules need is not there: no row can be paid
_ROW = re.compile(r"^\$?[A-Za-z]{1,3}\$?(\d+)$|^第(\d+)行")


def _row_of(cell: str) -> int | None:
    m = _ROW.match(cell or "")
    return int(m.group(1) or m.group(2)) if m else None


def hold(people: Iterable["LivingPerson | OneOffPerson"], issues: Sequence[Issue],
         stops: Sequence[Issue] = ()) -> None:
    """Set ``held`` on every person: the error-severity issues on their roster row, or, while the 参数 sheet
    has errors (``stops``, params.payment_stops), those. Call before any amount is asked for."""
    errors: dict[tuple[str, int], list[Issue]] = defaultdict(list)
    whole: dict[str, list[Issue]] = defaultdict(list)  # errors that concern every row of a roster
    for issue in issues:
        if issue.severity == ERROR:
            if issue.code in _ROSTER_WIDE:
                whole[issue.sheet].append(issue)
                continue
            row = _row_of(issue.cell)
            if row is not None:
                errors[issue.sheet, row].append(issue)
    for p in people:
        rec = p.rec
        p.held = tuple(stops) or tuple(whole.get(rec.sheet, ())) + tuple(errors.get((rec.sheet, rec.row), ()))


@dataclass(slots=True)
class LivingPerson:
    rec: Record
    standard: int | Decimal | None
    pay_start: YearMonth | None
    pay_stop: YearMonth | None
    stop_reason: str | None
    eligible_from: YearMonth | None
    blocked: str | None  # why no amount is due at all
    # year() results by their inputs, shared by the people of one roster (assess_living): a roster repeats
    # few standards and months, so most people's pay is already known.
    shared_pays: dict = field(default_factory=dict, repr=False, compare=False)
    held: tuple[Issue, ...] = ()  # errors on the person's row (see hold): nothing is paid while there is one
    # year() per year: the payment sheet, 汇总, 资金安排 and the 绩效 checks all ask for the same quarters.
    _years: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def pay(self, quarter: Quarter, params: Params) -> LivingPay:
        """What is paid in ``quarter``: nothing while the person is held."""
        return self.year(quarter.year, params)[quarter.q - 1]

    def year(self, year: int, params: Params) -> tuple[LivingPay, ...]:
        """pay() in each quarter of ``year``."""
        if self.held:
            return (LivingPay(0, 0, HELD),) * 4
        return self.due_year(year, params)

    def due(self, quarter: Quarter, params: Params) -> LivingPay:
        """What the rules give from the values as typed, hold or not: the 暂缓 amount of a held person."""
        return self.due_year(quarter.year, params)[quarter.q - 1]

    def due_year(self, year: int, params: Params) -> tuple[LivingPay, ...]:
        known = self._years.get(year)
        if known is None or known[0] is not params:
            known = self._years[year] = (params, self._year(year, params))
        return known[1]

    def _year(self, year: int, params: Params) -> tuple[LivingPay, ...]:
        if self.blocked:
            return (LivingPay(0, 0, self.blocked),) * 4
        key = (year, type(self.standard), self.standard, self.pay_start, self.pay_stop, self.stop_reason,
               self.eligible_from)  # the type: 660 and Decimal(660) are one key but not one amount
        known = self.shared_pays.get(key)
        if known is None or known[0] is not params:
            known = self.shared_pays[key] = (params, tuple(
                living_quarter(self.standard, self.pay_start, self.pay_stop, self.stop_reason, quarter, params,
                               self.eligible_from) for quarter in quarters_of_year(year)))
        return known[1]


def verified_by(rec: Record, params: Params) -> str | None:
    """Who confirmed the row's typed values (备注 “<核实标记>：姓名”), when the 参数 sheet names a 核实标记;
    "" when the mark is there without a name, None when there is no mark (or the 参数 sheet sets none)."""
    mark = params.verify_mark
    remark = rec.values.get("remark")
    if not mark or not isinstance(remark, str) or mark not in remark:
        return None
    after = remark.split(mark, 1)[1].lstrip(" ：:，,")
    return re.split(r"[；;，,。\s]", after, maxsplit=1)[0] if after else ""


def disagreement(rec: Record, params: Params, code: str, cell_key: str, value: object, message: str,
                 basis: str) -> Issue:
    """A typed value that other cells contradict: an error that holds the row, unless the 参数 sheet's
    核实标记 is in the row's 备注 with the name of who confirmed it (then a warning that records it)."""
    who = verified_by(rec, params)
    if who:
        return Issue(code + "-verified", WARNING, rec.sheet, rec.cell(cell_key), shown(value),
                     f"{message}；备注注明已由{who}核实，按所填数值计发", basis)
    if who == "":
        hint = f"；备注中的“{params.verify_mark}”后须写明核实人姓名"
    elif params.verify_mark:
        hint = f"；如所填无误，请在备注中写“{params.verify_mark}：核实人姓名”"
    else:
        hint = "；如所填无误，可在参数表“核实标记（写在备注中）”设标记后在备注中注明核实人"
    return Issue(code, ERROR, rec.sheet, rec.cell(cell_key), shown(value), f"{message}，暂缓发放{hint}", basis)


def _span_issues(rec: Record, span: SpanCheck, params: Params, start: YearMonth, left: YearMonth) -> list[Issue]:
    """Living roster: typed 连续/累计 任职年限 and 届数 against the tenure dates (rules.living_span)."""
    v, out = rec.values, []
    dates = f"按任职起始{start}至离任{left}（{span.months // 12}年{span.months % 12}个月）"
    basis = f"任职起止年月；换届时间容差{params.term_tolerance_months}个月"
    cy, ty, ct, tt = (v.get("consecutive_years"), v.get("total_years"), v.get("consecutive_terms"),
                      v.get("total_terms"))
    if cy is not None and not span.years_low <= cy <= span.years_high:
        out.append(disagreement(rec, params, "living-years-mismatch", "consecutive_years", cy,
                                f"{rec.who}连续任职年限填{cy}年，{dates}应为{span.years_low}年", basis))
    if ty is not None and ty < min(span.years_low, cy if cy is not None else span.years_low):
        out.append(disagreement(rec, params, "living-years-mismatch", "total_years", ty,
                                f"{rec.who}累计任职年限填{ty}年，少于连续任职的{min(span.years_low, cy or span.years_low)}年",
                                basis))
    if span.terms_low is not None and ct is not None and not span.terms_low <= ct <= span.terms_high:
        expected = (f"{span.terms_low}届" if span.terms_low == span.terms_high
                    else f"{span.terms_low}或{span.terms_high}届")
        out.append(disagreement(rec, params, "living-terms-mismatch", "consecutive_terms", ct,
                                f"{rec.who}连续任职届数填{ct}届，{dates}按{span.basis}应为{expected}",
                                basis + f"；{span.basis}"))
    if tt is not None and ct is not None and tt < ct:
        out.append(disagreement(rec, params, "living-terms-mismatch", "total_terms", tt,
                                f"{rec.who}累计任职届数填{tt}届，少于连续任职届数{ct}届", "累计不少于连续"))
    return out


def assess_living(roster: RosterData, params: Params) -> tuple[list[LivingPerson], list[Issue]]:
    people, issues = [], []
    policy = "呈组通〔2018〕88号"
    # Rosters repeat few combinations: each is worked out once.
    eligibility: dict[tuple[YearMonth, Tenure], list[str]] = {}
    age_months: dict[tuple[int, int, str], YearMonth] = {}  # (birth year, month, gender) -> eligible from
    spans: dict[tuple[YearMonth, YearMonth], SpanCheck | None] = {}
    shared_pays: dict = {}
    low, high = params.living_standard_min, params.living_standard_max
    for rec in roster.records:
        v = rec.values
        blocked = _identity_block(rec)
        missing = v.get("standard") is None or v.get("pay_start") is None or v.get("left_office") is None
        if missing or (rec.bad and rec.bad & {"standard", "pay_start", "pay_stop"}):
            blocked = blocked or INCOMPLETE
        standard = v.get("standard")
        if standard is not None and not low <= standard <= high:
            issues.append(Issue("standard-out-of-range", ERROR, rec.sheet, rec.cell("standard"), shown(standard),
                                f"{rec.who}月补贴标准{standard}元不在参数表核定的{low}—{high}元之内，暂缓发放；"
                                "请核对（确属核定标准的，请修改参数表“生活补贴月标准下限/上限”）",
                                "参数表“生活补贴月标准下限/上限”"))
        stop, reason = month_value(rec, "pay_stop"), v.get("stop_reason")
        if stop is not None and not reason and "stop_reason" not in rec.bad:
            issues.append(Issue("stop-reason-missing", ERROR, rec.sheet, rec.cell("stop_reason"), "",
                                f"{rec.who}填了停发年月{stop}但没有停发原因，无法确定停发生效月份", "参数表“停发原因”"))
            blocked = blocked or INCOMPLETE
        elif reason and stop is None and "pay_stop" not in rec.bad:
            issues.append(Issue("stop-month-missing", ERROR, rec.sheet, rec.cell("pay_stop"), "",
                                f"{rec.who}填了停发原因“{reason}”但没有停发年月", "参数表“停发原因”"))
            blocked = blocked or INCOMPLETE
        elif (reason and reason not in params.stop_effects) or "stop_reason" in rec.bad:
            blocked = blocked or INCOMPLETE  # already reported at its cell
        start = month_value(rec, "pay_start")
        if stop is not None and start is not None and stop.index < start.index:
            issues.append(Issue("stop-before-start", ERROR, rec.sheet, rec.cell("pay_stop"), str(stop),
                                f"{rec.who}停发年月{stop}早于起发年月{start}", "起止年月"))
        eligible_from = None
        left = month_value(rec, "left_office")
        tenure_start = month_value(rec, "tenure_start")
        if left is not None and tenure_start is not None:
            if (tenure_start, left) not in spans:
                spans[tenure_start, left] = living_span(tenure_start, left, params)
            span = spans[tenure_start, left]
            if span is None:
                issues.append(Issue("tenure-dates-reversed", ERROR, rec.sheet, rec.cell("tenure_start"),
                                    str(tenure_start), f"{rec.who}任职起始年月{tenure_start}晚于离任年月{left}",
                                    "任职起止年月"))
            else:
                issues += _span_issues(rec, span, params, tenure_start, left)
        if left is not None:
            tenure = Tenure(v.get("consecutive_terms"), v.get("consecutive_years"),
                            v.get("total_terms"), v.get("total_years"))
            problems = eligibility.get((left, tenure))
            if problems is None:
                problems = eligibility[left, tenure] = living_eligibility(left, tenure, params)
            for problem in problems:
                issues.append(Issue("living-not-eligible", ERROR, rec.sheet, rec.cell("left_office"), str(left),
                                    f"{rec.who}不符合生活补贴条件：{problem}", policy))
                blocked = blocked or NOT_ELIGIBLE
        birth = v.get("birth")
        if birth is not None and v.get("gender") in ("男", "女"):
            key = (birth.year, birth.month, v["gender"])
            eligible_from = age_months.get(key)
            if eligible_from is None:
                eligible_from = age_months[key] = eligible_age_month(birth, v["gender"], params)
            if start is not None and start.index < eligible_from.index:
                # The typed 起发年月 and the ID disagree: held, never cut to the months the ID allows.
                issues.append(Issue("living-under-age", ERROR, rec.sheet, rec.cell("pay_start"), str(start),
                                    f"{rec.who}起发年月{start}早于按身份证号出生年月推算的年满规定年龄月份，暂缓发放；"
                                    "请核对起发年月和身份证号"
                                    "（该月份不在此列出，以免与遮盖的身份证号一起透露出生日期）",
                                    f"{policy}：男年满{params.min_age_male}周岁、女年满{params.min_age_female}周岁"))
        people.append(LivingPerson(rec, standard, start, stop, reason, eligible_from, blocked, shared_pays))
    return people, issues


@dataclass(slots=True)
class OneOffPerson:
    rec: Record
    category: str | None
    result: OneOff | None  # from the values as typed (blank 届数/年数 derived); None when it cannot be computed
    blocked: str | None  # why no amount is due at all
    held: tuple[Issue, ...] = ()  # errors on the person's row (see hold): nothing is paid while there is one

    @property
    def payable(self) -> bool:
        """Paid: an amount above 0, nothing blocking it, nothing holding it."""
        return self.result is not None and self.result.amount > 0 and not self.blocked and not self.held

    @property
    def not_due_reason(self) -> str:
        """Why nothing is due (for a person not held): the rule's own reason (连续任满不足1届…) first."""
        own = self.result.reason if self.result is not None else None
        return own or self.blocked or INCOMPLETE

    @property
    def due(self) -> int | None:
        """The amount the rules give from the values as typed, hold or not (the 暂缓 amount of a held person);
        None when it cannot be computed."""
        if self.result is None or self.blocked:
            return None
        return self.result.amount


def assess_one_off(roster: RosterData, params: Params) -> tuple[list[OneOffPerson], list[Issue]]:
    people, issues = [], []
    policy = "呈组通〔2007〕143号"
    roles: dict[str, RoleMatch] = {}  # post as written -> 职务类别: rosters repeat few spellings
    tenures: dict[tuple[YearMonth, YearMonth], tuple[int, int]] = {}
    subsidies: dict[tuple[str, int, object], OneOff] = {}  # few (category, terms, years) combinations
    schedule = f"参数表“换届时间表”；换届时间容差{params.term_tolerance_months}个月（届数和年数同一规则）"
    for rec in roster.records:
        v = rec.values
        category, blocked = _category(rec, params, issues, roles)
        terms, years = v.get("terms"), v.get("years")
        start, left = month_value(rec, "tenure_start"), month_value(rec, "left_office")
        if start is not None and left is not None and start.index > left.index:
            issues.append(Issue("tenure-dates-reversed", ERROR, rec.sheet, rec.cell("tenure_start"), str(start),
                                f"{rec.who}任职起始年月{start}晚于离任年月{left}", "任职起止年月"))
        elif start is not None and left is not None:
            derived = tenures.get((start, left))
            if derived is None:
                derived = tenures[start, left] = full_terms_and_years(start, left, params)
            d_terms, d_years = derived
            if terms is None and "terms" not in rec.bad:
                terms = d_terms
                issues.append(Issue("tenure-derived", INFO, rec.sheet, rec.cell("terms"), "",
                                    f"{rec.who}未填连续任满届数，按任职起止年月和换届时间表计为{d_terms}届", schedule))
            elif terms is not None and terms != d_terms:
                issues.append(disagreement(
                    rec, params, "tenure-terms-mismatch", "terms", terms,
                    f"{rec.who}连续任满届数填{terms}届，按任职{start}至{left}和换届时间表应为{d_terms}届", schedule))
            if years is None and "years" not in rec.bad:
                years = d_years
                issues.append(Issue("tenure-derived", INFO, rec.sheet, rec.cell("years"), "",
                                    f"{rec.who}未填任满年数，按任职{start}至{left}计为{d_years}年", schedule))
            elif years is not None and years != d_years:
                issues.append(disagreement(
                    rec, params, "tenure-years-mismatch", "years", years,
                    f"{rec.who}任满年数填{years}年，按任职{start}至{left}和换届时间表应为{d_years}年", schedule))
        if terms is None or years is None:
            if not rec.bad & {"terms", "years", "tenure_start", "left_office"}:
                issues.append(Issue("tenure-missing", ERROR, rec.sheet, rec.cell("terms"), "",
                                    f"{rec.who}缺少连续任满届数/任满年数，也无法由任职起止年月推算", policy))
            blocked = blocked or INCOMPLETE
        blocked = _identity_block(rec) or blocked
        result = None
        if category is not None and terms is not None and years is not None:
            result = subsidies.get((category, terms, years))
            if result is None:
                result = subsidies[category, terms, years] = one_off_subsidy(category, terms, years, params)
            if result.amount == 0:
                issues.append(Issue("one-off-not-eligible", WARNING, rec.sheet, rec.cell("terms"), str(terms),
                                    f"{rec.who}{result.reason}，补助金额为0", policy))
                blocked = blocked or NOT_ELIGIBLE
        people.append(OneOffPerson(rec, category, result, blocked))
    return people, issues


def _category(rec: Record, params: Params, issues: list[Issue],
              roles: dict[str, RoleMatch]) -> tuple[str | None, str | None]:
    """职务类别 as typed, else from 离任时职务; a typed one the post contradicts holds the row (disagreement).
    ``roles`` remembers normalise_role per post."""
    typed = rec.values.get("category")
    post = rec.values.get("post")
    match = None
    if post:
        match = roles.get(post)
        if match is None:
            match = roles[post] = normalise_role(post, params.rates, params.role_aliases)
    if typed and "category" not in rec.bad:
        if match and match.category and match.category != typed:
            issues.append(disagreement(rec, params, "category-post-mismatch", "category", typed,
                                       f"{rec.who}职务类别填“{typed}”，离任时职务“{post}”应属“{match.category}”",
                                       "职务类别对照"))
        return typed, None
    if "category" in rec.bad:
        return None, INCOMPLETE
    if match is None:
        return None, INCOMPLETE  # reported as a missing required field
    if match.category is None:
        issues.append(Issue("role-unknown", ERROR, rec.sheet, rec.cell("post"), shown(post),
                            f"{rec.who}：{match.problem}。{ROLE_HINT}", "呈组通〔2007〕143号 补助对象"))
        return None, ROLE_UNKNOWN
    return match.category, None
