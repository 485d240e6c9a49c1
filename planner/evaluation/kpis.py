"""Every KPI, declared once: its name, label and unit, which way is better, how it is shown.

The evaluator (:func:`planner.evaluation.evaluate`) computes the KPIs and
reports them in the order of :data:`KPIS`; the Summary table, the winners,
the output workbook's number formats, the command line, the web page and
the summary JSON all read this registry, and ``docs/kpis.md`` documents
each one (its formula) in the section :attr:`Kpi.section` names, which a
test holds to this registry. Adding a KPI is one entry here plus its
computation in :mod:`planner.evaluation.evaluator`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Better(StrEnum):
    """Which way a planner wants a KPI to go (``none``: it describes, it does not rank)."""

    LOWER = "lower"
    HIGHER = "higher"
    NONE = ""


class Form(StrEnum):
    """How a KPI's value is shown: on the command line and the web page, and in Excel."""

    MONEY = "money"
    COUNT = "count"
    QUANTITY = "quantity"
    SHARE = "share"
    SECONDS = "seconds"
    TEXT = "text"
    FLAG = "flag"


EXCEL_FORMATS = {
    Form.MONEY: "#,##0.00",
    Form.COUNT: "#,##0",
    Form.QUANTITY: "#,##0.00",
    Form.SHARE: "0.00%",
    Form.SECONDS: "0.00",
    Form.TEXT: "@",
    Form.FLAG: "@",
}
"""The Excel number format of each form."""


class Section(StrEnum):
    """The section of ``docs/kpis.md`` that gives a KPI's formula."""

    CONTRACT = "The contract's KPIs"
    EXTRAS = "Extras kept from before"
    FLOW = "Where the stock sits, how level the plan is, how long material flows"


@dataclass(frozen=True)
class Kpi:
    """One KPI.

    Parameters
    ----------
    name
        Its key in the evaluator's KPIs, the Summary sheet and the JSON.
    label
        A short label with its unit, for charts and headings.
    unit
        Its unit, as ``docs/kpis.md`` states it.
    better
        Which way a planner wants it to go.
    form
        How its value is shown.
    required
        Whether the workbook contract requires it of every strategy.
    section
        Where ``docs/kpis.md`` gives its formula.
    ranked
        Whether the best value wins its row (a KPI that describes how a
        plan was found, or a burden nobody minimises for its own sake, does
        not rank the plans).
    """

    name: str
    label: str
    unit: str
    better: Better
    form: Form
    required: bool
    section: Section
    ranked: bool = True

    @property
    def excel_format(self) -> str:
        """The Excel number format of its values."""
        return EXCEL_FORMATS[self.form]

    def text(self, value: Any, missing: str = "–") -> str:
        """``value`` as the command line and the web page show it (``missing`` for none)."""
        if value is None:
            return missing
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, str):
            return value
        return _number_text(self.form, value)


def _number_text(form: Form, value: float) -> str:
    if form is Form.SHARE:
        return f"{value:.1%}"
    if form is Form.SECONDS:
        return f"{value:.2f}"
    if form is Form.MONEY:
        return f"{value:,.2f}"
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}"


_L, _H, _N = Better.LOWER, Better.HIGHER, Better.NONE
_C, _E, _F = Section.CONTRACT, Section.EXTRAS, Section.FLOW

KPIS: tuple[Kpi, ...] = (
    Kpi("feasible", "Feasible (breaks no rule)", "yes/no", _N, Form.FLAG, True, _C, False),
    Kpi("violations", "Rule violations (count)", "count", _L, Form.COUNT, False, _E),
    Kpi("total_cost", "Total cost", "money", _L, Form.MONEY, True, _C),
    Kpi("setup_cost", "Setup cost", "money", _L, Form.MONEY, True, _C),
    Kpi("holding_cost", "Holding cost", "money", _L, Form.MONEY, True, _C),
    Kpi("backlog_cost", "Backlog cost", "money", _L, Form.MONEY, True, _C),
    Kpi("overtime_cost", "Overtime cost", "money", _L, Form.MONEY, True, _C),
    Kpi("safety_cost", "Safety-stock shortfall cost", "money", _L, Form.MONEY, True, _C),
    Kpi("end_backlog_cost", "End-of-horizon backlog cost", "money", _L, Form.MONEY, True, _C),
    Kpi("setups", "Setups (count)", "count", _L, Form.COUNT, True, _C),
    Kpi("rule_violations", "Broken sequence windows (count)", "count", _L, Form.COUNT, True, _C),
    Kpi("avg_inventory_units", "Average inventory (units)", "units", _L, Form.QUANTITY, True, _C),
    Kpi("avg_inventory_value", "Average inventory value", "money", _L, Form.MONEY, True, _C),
    Kpi("end_inventory_value", "Inventory value at the end", "money", _L, Form.MONEY, True, _C),
    Kpi("avg_wip_value", "Average work-in-process value", "money", _L, Form.MONEY, True, _C),
    Kpi("peak_inventory_value", "Peak inventory value", "money", _L, Form.MONEY, True, _C),
    Kpi("backlog_unit_days", "Backlog (unit-days)", "unit-days", _L, Form.QUANTITY, True, _C),
    Kpi("fill_rate", "Fill rate: demand shipped on time (%)", "share", _H, Form.SHARE, True, _C),
    Kpi(
        "overload_minutes",
        "Overload beyond overtime (minutes)",
        "minutes",
        _L,
        Form.QUANTITY,
        True,
        _C,
    ),
    Kpi(
        "max_utilization",
        "Max utilisation of regular capacity (%)",
        "share",
        _L,
        Form.SHARE,
        True,
        _C,
        False,
    ),
    Kpi("solve_seconds", "Planning time (seconds)", "seconds", _L, Form.SECONDS, True, _C, False),
    Kpi("status", "Solver status", "text", _N, Form.TEXT, True, _C, False),
    Kpi("bound", "Proved lower bound on total cost", "money", _N, Form.MONEY, True, _C, False),
    Kpi("gap", "Optimality gap (%)", "share", _N, Form.SHARE, True, _C, False),
    Kpi("overtime_minutes", "Overtime worked (minutes)", "minutes", _L, Form.QUANTITY, False, _E),
    Kpi("late_units", "Demand shipped late (units)", "units", _L, Form.QUANTITY, False, _E),
    Kpi("shortage_units", "Component shortage (units)", "units", _L, Form.QUANTITY, False, _E),
    Kpi("orders", "Orders released (count)", "count", _L, Form.COUNT, False, _E, False),
    Kpi(
        "safety_stock_shortfall_unit_days",
        "Safety-stock shortfall (unit-days)",
        "unit-days",
        _L,
        Form.QUANTITY,
        False,
        _E,
    ),
    Kpi(
        "days_of_supply",
        "Days of supply (working days)",
        "working days",
        _L,
        Form.QUANTITY,
        False,
        _F,
    ),
    Kpi(
        "avg_inventory_value_finished",
        "Finished-goods inventory value",
        "money",
        _L,
        Form.MONEY,
        False,
        _F,
    ),
    Kpi(
        "avg_inventory_value_subassembly",
        "Sub-assembly inventory value",
        "money",
        _L,
        Form.MONEY,
        False,
        _F,
    ),
    Kpi(
        "avg_inventory_value_purchased",
        "Purchased-part inventory value",
        "money",
        _L,
        Form.MONEY,
        False,
        _F,
    ),
    Kpi(
        "setups_per_day",
        "Setups per working day",
        "setups per working day",
        _L,
        Form.QUANTITY,
        False,
        _F,
    ),
    Kpi("load_cv", "Load variation: CV of daily load", "ratio", _L, Form.QUANTITY, False, _F),
    Kpi(
        "production_mix_cv",
        "Output variation: CV of daily output",
        "ratio",
        _L,
        Form.QUANTITY,
        False,
        _F,
    ),
    Kpi("build_day_share", "Days each product is built (%)", "share", _H, Form.SHARE, False, _F),
    Kpi("flow_time_days", "Flow time (working days)", "working days", _L, Form.QUANTITY, False, _F),
    Kpi(
        "bullwhip_ratio",
        "Bullwhip ratio: order against demand variance",
        "ratio",
        _L,
        Form.QUANTITY,
        False,
        _F,
    ),
)
"""Every KPI, in the order the evaluator reports them: whether the plan can be run first."""

KPI = {kpi.name: kpi for kpi in KPIS}
"""The KPIs by name."""

COST_PARTS = (
    "setup_cost",
    "holding_cost",
    "backlog_cost",
    "overtime_cost",
    "safety_cost",
    "end_backlog_cost",
)
"""The six parts of total cost, in the contract's order."""

REQUIRED = tuple(kpi.name for kpi in KPIS if kpi.required)
"""The KPIs the contract requires of every strategy, in the evaluator's order."""


def in_registry_order(kpis: Mapping[str, Any]) -> dict[str, Any]:
    """Computed KPIs in the registry's order.

    Raises
    ------
    KeyError
        When a computed KPI is not registered, or a registered one is
        missing: every KPI is declared in :data:`KPIS`.
    """
    unknown = sorted(set(kpis) - set(KPI))
    missing = [name for name in KPI if name not in kpis]
    if unknown or missing:
        raise KeyError(f"KPIs not registered: {unknown}; registered but not computed: {missing}")
    return {name: kpis[name] for name in KPI}


def kpi_text(name: str, value: Any, missing: str = "–") -> str:
    """A KPI's value as the command line and the web page show it.

    A name that is not registered is shown as a plain quantity.
    """
    kpi = KPI.get(name)
    if kpi is not None:
        return kpi.text(value, missing)
    if value is None:
        return missing
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value
    return _number_text(Form.QUANTITY, value)


def excel_format(name: str, whole: bool = False) -> str:
    """The Excel number format of a KPI; a count (``whole``) or a quantity when not registered."""
    kpi = KPI.get(name)
    if kpi is not None:
        return kpi.excel_format
    return EXCEL_FORMATS[Form.COUNT if whole else Form.QUANTITY]
