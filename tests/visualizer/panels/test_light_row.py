"""The train row offers the light trace for a model too large for a full training-step
trace (``visualizer.panels.input.light_row``): a line with the model's own numbers and a
block picker that re-runs the step. A tiny GPT-2 folder (``tests.core.hf.gpt2_kit``)
counts as large once the ceiling is lowered below its full trace."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from core import limits
from core.session import Session
from tests.core.hf.gpt2_kit import write_gpt2
from visualizer.bridge import SessionBridge
from visualizer.panels.input.train_row import TrainRow

HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def gpt2_session(qapp: object, tmp_path: Path) -> Session:
    write_gpt2(tmp_path)
    s = Session.open_builtin("en-de")
    s.set_decode(max_len=4)
    s.open_model(tmp_path, "time flies like")
    s.target = "an arrow"  # what the step learns (a random model's own words are noise)
    assert not s.error, s.error
    s.animate = False
    return s


def _params(s: Session) -> int:
    return sum(p.numel() for p in s.bundle.model.parameters())


def test_a_small_model_shows_no_light_line(qtbot: QtBot, gpt2_session: Session) -> None:
    s = gpt2_session
    row = TrainRow(s, SessionBridge(s))
    qtbot.addWidget(row)
    row.show()
    s.mode = "train"
    assert not s.trace.meta["light"]
    assert row.light.isHidden()


def test_a_large_model_offers_the_light_trace_and_its_block(
    qtbot: QtBot, gpt2_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = gpt2_session
    params = _params(s)
    monkeypatch.setattr(limits, "PARAM_TRACE_BYTES", limits.train_trace_bytes(params) - 1)
    row = TrainRow(s, SessionBridge(s))
    qtbot.addWidget(row)
    row.show()
    assert row.light.isHidden()  # translate mode: no training step, nothing to offer
    s.mode = "train"
    light = row.light
    assert light.isVisible()
    assert s.trace.meta["light"] and s.trace.meta["light_block"] == "dec.1"
    text = light.line.text()
    assert f"{params:,} parameters" in text
    assert limits.size_text(limits.train_trace_bytes(params)) in text
    assert limits.size_text(s.trace.meta["trace_bytes"]) in text
    assert [light.block.itemText(i) for i in range(light.block.count())] == ["dec.0", "dec.1"]
    assert light.block.currentText() == "dec.1"
    light.block.activated.emit(0)  # the user picks the first block
    assert s.light_block == "dec.0"
    assert s.trace.meta["light_block"] == "dec.0"
    full = {st.name for st in s.trace.steps if st.phase == "update" and "before" in st.tensors}
    assert any(n.startswith("dec.0.") for n in full)
    assert not any(n.startswith("dec.1.") for n in full)
    assert light.block.currentText() == "dec.0"
    s.lang = "zh"
    assert HAN.search(light.line.text()) and f"{params:,}" in light.line.text()
    assert HAN.search(light.pick_label.text())
