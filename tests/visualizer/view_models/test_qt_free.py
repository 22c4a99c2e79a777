"""The view models import and compute with PySide6, shiboken6 and pyqtgraph blocked (as
core/ does, tests/core/test_imports.py); the list is the import-linter contract's."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

VIEW_MODELS = [
    "visualizer.panels.attention.attention_index",
    "visualizer.panels.attention.attention_text",
    "visualizer.panels.diagram.diagram_frame",
    "visualizer.panels.diagram.diagram_index",
    "visualizer.panels.diagram.diagram_layout",
    "visualizer.panels.diagram.diagram_rect",
    "visualizer.panels.diagram.diagram_scene",
    "visualizer.panels.diagram.diagram_text",
    "visualizer.panels.gradflow.gradflow_data",
    "visualizer.panels.inspector.inspector_data",
    "visualizer.panels.inspector.inspector_text",
    "visualizer.panels.interventions.intervention_build",
    "visualizer.panels.interventions.intervention_text",
    "visualizer.panels.loss.loss_data",
    "visualizer.panels.narration.worked",
    "visualizer.panels.narration.worked_cell",
    "visualizer.panels.narration.worked_forward",
    "visualizer.panels.narration.worked_text",
    "visualizer.panels.tensor.tensor_data",
    "visualizer.panels.tensor.tensor_plan",
    "visualizer.panels.watches.watch_data",
    "visualizer.panels.router.router_data",
    "visualizer.panels.router.router_text",
    "visualizer.panels.classify.classify_data",
    "visualizer.panels.classify.classify_text",
    "visualizer.rooms.neuron.neuron_state",
    "visualizer.rooms.playground.playground_frame",
    "visualizer.widgets.numbers",
    "visualizer.widgets.tensor_cut",
    "visualizer.widgets.answer",
    "visualizer.models.compare_data",
]

BLOCK = """
import importlib.abc, sys
QT = ('PySide6', 'shiboken6', 'pyqtgraph')
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in QT:
            raise ImportError('blocked: ' + name)
sys.meta_path.insert(0, Block())
import importlib
for name in sys.argv[1:]:
    importlib.import_module(name)
import numpy as np
from core.session import Session
from visualizer.panels.tensor.tensor_data import TensorData
from visualizer.panels.tensor.tensor_plan import plan
s = Session.open_builtin('en-de')
step = s.trace.first('enc.0.self_attn.scores')
panels = plan(step)
q, k, out = (TensorData(s).shown(step, p, 1).values for p in panels)
assert np.allclose(q @ k, out, atol=1e-4)  # Q · Kᵀ: the traced scores of head 1
assert not any(m.split('.')[0] in QT for m in sys.modules)
print(' '.join(p.role for p in panels), out.shape)
"""


def test_the_list_is_the_contracts() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    (qt_free,) = [c for c in contracts if c["name"] == "view models are Qt-free"]
    assert qt_free["source_modules"] == VIEW_MODELS
    assert set(qt_free["forbidden_modules"]) == {"PySide6", "shiboken6", "pyqtgraph"}


def test_view_models_import_and_compute_without_qt() -> None:
    out = subprocess.run(
        [sys.executable, "-c", BLOCK, *VIEW_MODELS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["q k out (6, 6)"]
