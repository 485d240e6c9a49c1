"""Every notebook in notebooks/ runs from top to bottom without error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
def test_notebook_runs(notebook: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(notebook.parent)
    cells = json.loads(notebook.read_text())["cells"]
    namespace: dict[str, object] = {"__name__": "__notebook__"}
    for number, cell in enumerate(cells):
        if cell["cell_type"] == "code":
            code = compile("".join(cell["source"]), f"{notebook.name}[{number}]", "exec")
            exec(code, namespace)


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS


def test_the_notebooks_extra_installs_jupyter_and_the_readme_says_how() -> None:
    import tomllib

    root = Path(__file__).resolve().parents[1]
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extra = project["optional-dependencies"]["notebooks"]
    assert any(requirement.startswith("jupyterlab") for requirement in extra)
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert "pip install '.[notebooks]' && .venv/bin/jupyter lab notebooks/" in readme
