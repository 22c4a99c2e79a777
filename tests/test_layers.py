"""The import-linter contracts in pyproject.toml bite: the tree as it is keeps them, and
a copy of the tree with one import against the layers breaks exactly that contract.

Each case copies core/ and visualizer/ (Python files only) into a temporary folder,
adds one offending import (a new module, or a line appended to an existing one) and runs
``lint-imports`` there with the project's config.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _copy(tmp_path: Path) -> Path:
    for pkg in ("core", "visualizer"):
        shutil.copytree(ROOT / pkg, tmp_path / pkg, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def _offend(tree: Path, where: str, line: str) -> str:
    """Add ``line`` to the module at ``where`` (appended when it exists, else a new module
    of that one line) and return the module's dotted name."""
    path = tree / where
    text = path.read_text("utf-8") if path.exists() else ""
    if text and not text.endswith("\n"):
        text += "\n"
    path.write_text(text + line, "utf-8")
    return where.removesuffix(".py").replace("/", ".")


def test_the_tree_keeps_every_contract(tmp_path: Path) -> None:
    out = _lint(_copy(tmp_path))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 broken" in out.stdout


@pytest.mark.parametrize(
    ("where", "line", "contract"),
    [
        ("core/_bad.py", "import PySide6.QtWidgets\n", "core (the engine) imports neither"),
        ("core/_bad.py", "from visualizer import i18n\n", "core (the engine) imports neither"),
        ("visualizer/widgets/_bad.py", "import visualizer.assemble\n", "visualizer layers"),
        ("visualizer/shell/_bad.py", "import visualizer.presentation.mode\n", "visualizer layers"),
        (
            "visualizer/panels/loss/_bad.py",
            "import visualizer.panels.attention.attention_view\n",
            "each panel stands alone",
        ),
        ("visualizer/rooms/neuron/_bad.py", "import visualizer.rooms.playground\n", "two labs"),
        (
            "visualizer/panels/tensor/tensor_plan.py",
            "import PySide6.QtCore\n",
            "view models are Qt-free",
        ),
    ],
)
def test_one_import_against_the_layers_breaks_its_contract(
    tmp_path: Path, where: str, line: str, contract: str
) -> None:
    tree = _copy(tmp_path)
    module = _offend(tree, where, line)
    out = _lint(tree)
    assert out.returncode != 0
    broken = out.stdout.split("Broken contracts")[-1]
    assert contract in broken, out.stdout
    assert module in broken, out.stdout
