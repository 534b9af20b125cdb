"""The figures the table is filled from and checked against, per part.

A part (生活补贴, 一次性补助) is measured on its roster when the roster has
people, else taken from the 参数 budget (people × average): an application is
often written before the rosters exist, and the seed's own figures are budget
figures. Each part carries its source so messages can name it.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from ..compute import LivingPerson, OneOffPerson
from ..money import Money, total
from ..months import YearMonth
from ..params import Params
from ..rules import quarters_of_year
from ..tables.budget import budget_figures

LIVING, ONE_OFF, TOTAL = "living", "one_off", "total"
PART_LABELS = {LIVING: "生活补贴", ONE_OFF: "一次性补助", TOTAL: "合计"}
ROSTER_SOURCE, BUDGET_SOURCE = "名册测算", "参数表预算"


@dataclass(frozen=True)
class Part:
    key: str
    source: str  # ROSTER_SOURCE or BUDGET_SOURCE
    people: int
    amount: Money
    units: int  # what the average is per: person-months (生活补贴) or people (一次性补助)

    @property
    def label(self) -> str:
        return PART_LABELS[self.key]

    @property
    def average(self) -> Fraction | None:
        """Yuan per person-month (生活补贴) or per person (一次性补助), exact."""
        return Fraction(self.amount) / self.units if self.units else None


@dataclass(frozen=True)
class Figures:
    living: Part
    one_off: Part
    total_people: int  # a person in both parts counted once (when both come from rosters)
    quarters_paid: int  # quarters of the year with a living payment (all of them in the budget's plan)
    deadline: YearMonth  # the one-off subsidy's completion month (参数)
    months: int  # months of the year the living subsidy is budgeted for (参数)

    def part(self, key: str) -> Part:
        return self.living if key == LIVING else self.one_off

    @property
    def total_amount(self) -> Money:
        return total([self.living.amount, self.one_off.amount])

    @property
    def total_source(self) -> str:
        sources = {self.living.source, self.one_off.source}
        return sources.pop() if len(sources) == 1 else f"{ROSTER_SOURCE}与{BUDGET_SOURCE}"


def figures_for(living: list[LivingPerson], one_off: list[OneOffPerson], params: Params,
                budget: dict | None = None) -> Figures:
    """``budget``: budget_figures of the same people, when the caller has it already (analysis.budget)."""
    f = budget if budget is not None else budget_figures(living, one_off, params)  # the numbers 资金安排 shows
    quarters = quarters_of_year(params.budget_year)
    paid_ids: set = set()
    if living:
        months = 0
        quarter_paid = [False] * len(quarters)
        for p in living:  # one pass: a province's roster has 100,000 people
            year = p.year(params.budget_year, params)
            paid = False
            for i, pay in enumerate(year):
                if pay.months:
                    months += pay.months
                    quarter_paid[i] = paid = True
            if paid:
                paid_ids.add(p.rec.values.get("id_number"))
        living_part = Part(LIVING, ROSTER_SOURCE, f["living_paid_people"], f["living_total"], months)
        quarters_paid = sum(quarter_paid)
    else:
        people = params.living_budget_people
        living_part = Part(LIVING, BUDGET_SOURCE, people, params.living_budget, people * params.living_budget_months)
        quarters_paid = len(quarters)  # the plan pays at every quarter's end
    if one_off:
        one_off_part = Part(ONE_OFF, ROSTER_SOURCE, f["one_off_paid_people"], f["one_off_total"],
                            f["one_off_paid_people"])
    else:
        people = params.one_off_budget_people
        one_off_part = Part(ONE_OFF, BUDGET_SOURCE, people, params.one_off_budget, people)
    if living and one_off:
        paid_ids |= {p.rec.values.get("id_number") for p in one_off if p.payable}
        total_people = len(paid_ids - {None})
    else:
        total_people = living_part.people + one_off_part.people
    return Figures(living_part, one_off_part, total_people, quarters_paid, params.one_off_deadline,
                   params.living_budget_months)
