"""Every notebook in notebooks/ runs from top to bottom without error, and says what it shows.

Each notebook runs in a temporary copy of the notebooks folder (beside a link
to the repository's ``data``), so that what it writes lands in the copy, not
in the repository.
"""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "notebooks"
NOTEBOOKS = sorted(FOLDER.glob("*.ipynb"))
QUICK_START = FOLDER / "quick_start.ipynb"

WRITTEN = {"quick_start": ("quick_start_plans.xlsx", "quick_start_summary.json")}
"""The files a notebook writes beside itself, by notebook."""


def cells(notebook: Path) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return found


def text(cell: dict[str, Any]) -> str:
    return "".join(cell["source"])


def run_in_a_copy(notebook: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run ``notebook`` in a copy of the notebooks folder; the copy's folder."""
    folder = tmp_path / "notebooks"
    written = [name for names in WRITTEN.values() for name in names]
    shutil.copytree(FOLDER, folder, ignore=shutil.ignore_patterns(".*", *written))
    (tmp_path / "data").symlink_to(ROOT / "data", target_is_directory=True)
    monkeypatch.chdir(folder)
    namespace: dict[str, object] = {"__name__": "__notebook__"}
    for number, cell in enumerate(cells(notebook)):
        if cell["cell_type"] == "code":
            exec(compile(text(cell), f"{notebook.name}[{number}]", "exec"), namespace)
    return folder


def shows_a_result(cell: dict[str, Any]) -> bool:
    """Whether a code cell shows something: it ends in an expression (a table, a chart, text)."""
    if cell["cell_type"] != "code":
        return False
    body = ast.parse(text(cell)).body
    return bool(body) and isinstance(body[-1], ast.Expr)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
def test_notebook_runs_and_writes_where_it_says(
    notebook: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = run_in_a_copy(notebook, tmp_path, monkeypatch)
    said = "\n".join(text(cell) for cell in cells(notebook) if cell["cell_type"] == "markdown")
    for name in WRITTEN.get(notebook.stem, ()):
        assert f"`{name}`" in said, f"{notebook.name} does not say it writes {name}"
        written = folder / name
        assert written.is_file(), f"{name} is not beside {notebook.name}"
        if written.suffix == ".xlsx":
            book = openpyxl.load_workbook(written, read_only=True)
            assert book.sheetnames[0] == "Summary"
            book.close()
        else:
            assert json.loads(written.read_text(encoding="utf-8"))


def test_what_the_notebooks_write_is_ignored_by_git() -> None:
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    for name in (name for names in WRITTEN.values() for name in names):
        assert name in ignored, f"{name} is not in .gitignore"


def test_the_quick_start_explains_every_result_it_shows() -> None:
    notebook = cells(QUICK_START)
    shown = [number for number, cell in enumerate(notebook) if shows_a_result(cell)]
    assert len(shown) >= 8
    for number in shown:
        after = notebook[number + 1] if number + 1 < len(notebook) else None
        assert after is not None and after["cell_type"] == "markdown", (
            f"cell {number} shows a result with no explanation after it:\n{text(notebook[number])}"
        )
        words = [
            line for line in text(after).splitlines() if line.strip() and not line.startswith("#")
        ]
        assert len(" ".join(words).split()) >= 20, (
            f"cell {number + 1} is too short to explain cell {number}: {text(after)!r}"
        )


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS
    assert QUICK_START in NOTEBOOKS


def test_the_notebooks_extra_installs_jupyter_and_the_readme_says_how() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extra = project["optional-dependencies"]["notebooks"]
    assert any(requirement.startswith("jupyterlab") for requirement in extra)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "pip install '.[notebooks]' && .venv/bin/jupyter lab notebooks/" in readme
