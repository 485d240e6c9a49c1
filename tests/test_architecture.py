"""The house rules a newcomer can rely on, checked.

Layers and import circles are checked by import-linter (``lint-imports``,
its contracts in ``pyproject.toml``); these tests check the rest: small
rooms, one registry for strategies and one for KPIs, and ``docs/kpis.md``
held to the KPI registry.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from models.strategies import STRATEGIES
from planner.cli.plan import _kpi_text
from planner.evaluation.kpis import KPI, KPIS, Better, Form, Kpi, Section
from planner.web.display import format_kpi

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("models", "planner")
MAX_MODULE_LINES = 800
MAX_FUNCTION_LINES = 150


def _sources() -> list[Path]:
    return sorted(path for package in PACKAGES for path in (ROOT / package).rglob("*.py"))


def test_no_module_over_800_lines_and_no_function_over_150() -> None:
    too_long = []
    for path in _sources():
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n")
        if lines > MAX_MODULE_LINES:
            too_long.append(f"{path.relative_to(ROOT)}: {lines} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    too_long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}: {length}")
    assert too_long == []


def _docstrings(tree: ast.Module) -> set[int]:
    """The ids of the string constants that are docstrings (module, class, function)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def test_no_strategy_name_is_written_out_beyond_its_own_wing() -> None:
    names = set(STRATEGIES)
    written = []
    for path in _sources():
        relative = path.relative_to(ROOT)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skipped = _docstrings(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
                continue
            if id(node) in skipped:
                continue
            listed = {part.strip() for part in node.value.split(",")}
            if not listed <= names:
                continue
            if any(relative.parts[:2] != ("models", name) for name in listed):
                written.append(f"{relative}:{node.lineno} {node.value!r}")
    assert written == []


def test_every_strategy_is_declared_in_its_wing() -> None:
    for name, strategy in STRATEGIES.items():
        assert strategy.name == name
        module = strategy.plan.__module__
        assert module.startswith(f"models.{name}."), (name, module)
        assert strategy.summary


def _documented_kpis() -> dict[str, tuple[str, str, str]]:
    """Each KPI row of ``docs/kpis.md``: name to (section, unit, better)."""
    rows: dict[str, tuple[str, str, str]] = {}
    section = ""
    for line in (ROOT / "docs" / "kpis.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            section = line[3:].split(" (")[0].strip()
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 5 or not cells[0].startswith("`") or cells[0] == "`kpi`":
            continue
        names = re.findall(r"`([a-z_]+)`", cells[0])
        units = [unit.strip() for unit in cells[2].split(",")]
        for k, name in enumerate(names):
            unit = units[k] if len(units) == len(names) else cells[2]
            rows[name] = (section, unit, cells[3])
    return rows


def test_docs_kpis_md_documents_every_registered_kpi_as_registered() -> None:
    documented = _documented_kpis()
    assert sorted(documented) == sorted(KPI)
    for kpi in KPIS:
        section, unit, better = documented[kpi.name]
        assert section == kpi.section.value, kpi.name
        assert unit == kpi.unit, kpi.name
        assert better == kpi.better.value, kpi.name


@pytest.mark.parametrize("kpi", KPIS, ids=lambda kpi: kpi.name)
def test_every_kpi_is_shown_alike_on_the_command_line_and_the_web_page(kpi: Kpi) -> None:
    value: object = "optimal" if kpi.form is Form.TEXT else 0.125
    assert _kpi_text(kpi.name, value) == format_kpi(value, kpi.name)


def test_kpi_sections_and_directions_are_known() -> None:
    assert {kpi.section for kpi in KPIS} == set(Section)
    assert {kpi.better for kpi in KPIS} == set(Better)
