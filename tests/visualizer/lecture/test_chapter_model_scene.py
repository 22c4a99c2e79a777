"""A scene that names a shipped model (``"model"``) opens it in the app's worker thread,
waits for it before placing the cursor, keeps it for the scenes that inherit it, and
opens it again when something else replaced it in between (a training run)."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from core.session import MODELS, Session
from visualizer.assemble import SimulatorWindow
from visualizer.bridge import SessionBridge
from visualizer.lecture.chapter_player import ChapterPlayer


def test_a_model_scene_waits_for_its_model_and_keeps_it(qapp: QApplication, qtbot: QtBot) -> None:
    s = Session.open_builtin("en-de")
    w = SimulatorWindow(s, SessionBridge(s, threaded=True), persist=False)
    qtbot.addWidget(w)
    w.show()
    player = ChapterPlayer(w)
    player.start("mixture-of-experts")
    assert player.pending  # moe-de is loading in the worker
    qtbot.waitUntil(lambda: not player.pending, timeout=30_000)
    assert s.bundle.cfg.ffn == "moe" and s.step.name == "dec.0.moe.router.probs"
    assert s.step.t == 6 and player.problems == []
    moe = s.bundle
    player.next()  # inherits the model: nothing is opened again
    qtbot.waitUntil(lambda: not player.pending, timeout=30_000)
    assert s.bundle is moe and s.step.name == "dec.0.moe.topk.experts"
    s.open_model(MODELS / "demo-de")  # as a training run's result would replace it
    w.bridge.wait_idle()
    assert s.bundle.cfg.ffn == "dense"
    player.previous()
    qtbot.waitUntil(lambda: not player.pending, timeout=30_000)
    w.bridge.wait_idle()
    assert s.bundle.cfg.ffn == "moe" and s.bundle is not moe  # opened again
    assert s.step.name == "dec.0.moe.router.probs" and player.problems == []
    player.stop()
