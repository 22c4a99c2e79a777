"""Views shared by more than one test module of a panel, on the module's ``session``:
reset to the first step, English, no animation, shown at a size of their own."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

import pytest

from core.session import Selection, Session

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from core.trace import Trace
    from visualizer.bridge import SessionBridge
    from visualizer.panels.narration.narration_view import NarrationView
    from visualizer.panels.tensor.tensor_view import TensorView


@pytest.fixture(scope="module")
def train_trace(session: Session) -> Trace:
    """A traced training step on the lecture pair (on a copy of the model)."""
    from core.config import TrainConfig
    from core.tracing import trace_training_step
    from core.train import Trainer

    trainer = Trainer(copy.deepcopy(session.bundle), None, TrainConfig(warmup=0))
    return trace_training_step(trainer, "Time flies like an arrow", "Die Zeit fliegt wie ein Pfeil")


@pytest.fixture
def tensor_view(qtbot: QtBot, session: Session, bridge: SessionBridge) -> Iterator[TensorView]:
    from visualizer.panels.tensor.tensor_view import TensorView

    session.animate, session.lang = False, "en"
    session.selection = replace(session.selection, head=0, row=None, col=None)
    session.seek(0)
    v = TensorView(session, bridge)
    qtbot.addWidget(v)
    v.resize(1200, 800)
    v.show()
    qtbot.waitExposed(v)
    yield v
    session.lang = "en"


@pytest.fixture
def narration_view(qtbot: QtBot, session: Session) -> Iterator[NarrationView]:
    from visualizer.bridge import SessionBridge
    from visualizer.panels.narration.narration_view import NarrationView

    session.lang, session.animate = "en", False
    session.selection = Selection()
    session.seek(0)
    v = NarrationView(session, SessionBridge(session))
    qtbot.addWidget(v)
    v.resize(450, 600)
    v.show()
    qtbot.waitExposed(v)
    yield v
    session.lang = "en"
