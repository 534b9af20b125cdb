"""Apply the rules to roster records: who is paid what, and why not when not.

Each assessment returns the people with their figures and the Issues found on
the way; a person whose data cannot support a payment is ``blocked`` with a
reason that the payment sheets show.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .issues import ERROR, INFO, WARNING, Issue, shown
from .months import Quarter, YearMonth
from .params import Params
from .roles import ROLE_HINT, RoleMatch, normalise_role
from .rosters import Record, RosterData, month_value
from .rules import (LivingPay, OneOff, Tenure, eligible_age_month, full_terms_and_years, living_eligibility,
                    living_quarter, one_off_subsidy, quarters_of_year)

INCOMPLETE = "信息不全"
NOT_ELIGIBLE = "不符合条件"
BAD_ID = "身份证号有误"
DUPLICATE = "重复登记"


def _identity_block(rec: Record) -> str | None:
    """A person is paid only under a valid ID and only once (checks.people marks repeats)."""
    if rec.values.get("id_number") is None:
        return BAD_ID
    if rec.values.get("duplicate_of"):
        return f"{DUPLICATE}（同 {rec.values['duplicate_of']}）"
    return None


@dataclass(slots=True)
class LivingPerson:
    rec: Record
    standard: int | Decimal | None
    pay_start: YearMonth | None
    pay_stop: YearMonth | None
    stop_reason: str | None
    eligible_from: YearMonth | None
    blocked: str | None  # why nothing can be paid at all
    # year() results by their inputs, shared by the people of one roster (assess_living): a roster repeats
    # few standards and months, so most people's pay is already known.
    shared_pays: dict = field(default_factory=dict, repr=False, compare=False)
    # year() per year: the payment sheet, 汇总, 资金安排 and the 绩效 checks all ask for the same quarters.
    _years: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def pay(self, quarter: Quarter, params: Params) -> LivingPay:
        return self.year(quarter.year, params)[quarter.q - 1]

    def year(self, year: int, params: Params) -> tuple[LivingPay, ...]:
        """pay() in each quarter of ``year``."""
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


def assess_living(roster: RosterData, params: Params) -> tuple[list[LivingPerson], list[Issue]]:
    people, issues = [], []
    policy = "呈组通〔2018〕88号"
    # Rosters repeat few combinations: each is worked out once.
    eligibility: dict[tuple[YearMonth, Tenure], list[str]] = {}
    age_months: dict[tuple[int, int, str], YearMonth] = {}  # (birth year, month, gender) -> eligible from
    shared_pays: dict = {}
    for rec in roster.records:
        v = rec.values
        blocked = _identity_block(rec)
        missing = v.get("standard") is None or v.get("pay_start") is None or v.get("left_office") is None
        if missing or (rec.bad and rec.bad & {"standard", "pay_start", "pay_stop"}):
            blocked = blocked or INCOMPLETE
        stop, reason = month_value(rec, "pay_stop"), v.get("stop_reason")
        if stop is not None and not reason:
            issues.append(Issue("stop-reason-missing", ERROR, rec.sheet, rec.cell("stop_reason"), "",
                                f"{rec.who}填了停发年月{stop}但没有停发原因，无法确定停发生效月份", "参数表“停发原因”"))
            blocked = blocked or INCOMPLETE
        elif reason and stop is None and "pay_stop" not in rec.bad:
            issues.append(Issue("stop-month-missing", ERROR, rec.sheet, rec.cell("pay_stop"), "",
                                f"{rec.who}填了停发原因“{reason}”但没有停发年月", "参数表“停发原因”"))
            blocked = blocked or INCOMPLETE
        elif reason and reason not in params.stop_effects:
            blocked = blocked or INCOMPLETE  # already reported as an invalid choice
        start = month_value(rec, "pay_start")
        if stop is not None and start is not None and stop.index < start.index:
            issues.append(Issue("stop-before-start", ERROR, rec.sheet, rec.cell("pay_stop"), str(stop),
                                f"{rec.who}停发年月{stop}早于起发年月{start}", "起止年月"))
        eligible_from = None
        left = month_value(rec, "left_office")
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
                issues.append(Issue("living-under-age", WARNING, rec.sheet, rec.cell("pay_start"), str(start),
                                    f"{rec.who}起发年月{start}早于按身份证号出生年月推算的年满规定年龄月份，此前月份不予计发"
                                    "（该月份不在此列出，以免与遮盖的身份证号一起透露出生日期）",
                                    f"{policy}：男年满{params.min_age_male}周岁、女年满{params.min_age_female}周岁"))
        people.append(LivingPerson(rec, v.get("standard"), start, stop, reason, eligible_from, blocked, shared_pays))
    return people, issues


@dataclass(slots=True)
class OneOffPerson:
    rec: Record
    category: str | None
    result: OneOff | None  # None when it cannot be computed
    blocked: str | None

    @property
    def payable(self) -> bool:
        """Paid: an amount above 0 and nothing blocking it."""
        return self.result is not None and self.result.amount > 0 and not self.blocked


def assess_one_off(roster: RosterData, params: Params) -> tuple[list[OneOffPerson], list[Issue]]:
    people, issues = [], []
    policy = "呈组通〔2007〕143号"
    roles: dict[str, RoleMatch] = {}  # post as written -> 职务类别: rosters repeat few spellings
    tenures: dict[tuple[YearMonth, YearMonth], tuple[int, int]] = {}
    subsidies: dict[tuple[str, int, object], OneOff] = {}  # few (category, terms, years) combinations
    for rec in roster.records:
        v = rec.values
        category, blocked = _category(rec, params, issues, roles)
        terms, years = v.get("terms"), v.get("years")
        start, left = month_value(rec, "tenure_start"), month_value(rec, "left_office")
        if start is not None and left is not None:
            derived = tenures.get((start, left))
            if derived is None:
                derived = tenures[start, left] = full_terms_and_years(start, left, params)
            d_terms, d_years = derived
            if terms is None and "terms" not in rec.bad:
                terms = d_terms
                issues.append(Issue("tenure-derived", INFO, rec.sheet, rec.cell("terms"), "",
                                    f"{rec.who}未填连续任满届数，按任职起止年月和换届时间表计为{d_terms}届", "参数表“换届时间表”"))
            elif terms is not None and terms != d_terms:
                issues.append(Issue("tenure-terms-mismatch", WARNING, rec.sheet, rec.cell("terms"), str(terms),
                                    f"{rec.who}连续任满届数填{terms}届，按任职{start}至{left}和换届时间表应为{d_terms}届，请核实",
                                    "参数表“换届时间表”"))
            if years is None and "years" not in rec.bad:
                years = d_years
                issues.append(Issue("tenure-derived", INFO, rec.sheet, rec.cell("years"), "",
                                    f"{rec.who}未填任满年数，按任职{start}至{left}计为{d_years}年", "任职起止年月"))
            elif years is not None and years > d_years:
                issues.append(Issue("tenure-years-mismatch", WARNING, rec.sheet, rec.cell("years"), str(years),
                                    f"{rec.who}任满年数填{years}年，超过任职{start}至{left}的整年数{d_years}年，请核实",
                                    "任职起止年月"))
        if terms is None or years is None:
            if not rec.bad & {"terms", "years"}:
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
    """职务类别 as typed, else from 离任时职务; a disagreement is reported, the typed one used.
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
            issues.append(Issue("category-post-mismatch", WARNING, rec.sheet, rec.cell("category"), typed,
                                f"{rec.who}职务类别填“{typed}”，离任时职务“{post}”应属“{match.category}”；按所填类别计算，请核实",
                                "职务类别对照"))
        return typed, None
    if "category" in rec.bad:
        return None, INCOMPLETE
    if match is None:
        return None, INCOMPLETE  # reported as a missing required field
    if match.category is None:
        issues.append(Issue("role-unknown", ERROR, rec.sheet, rec.cell("post"), shown(post),
                            f"{rec.who}：{match.problem}。{ROLE_HINT}", "呈组通〔2007〕143号 补助对象"))
        return None, NOT_ELIGIBLE
    return match.category, None

