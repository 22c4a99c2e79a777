"""Live training in the window: it learns, reports, can be cancelled, and fails politely."""

from __future__ import annotations

import time

import pytest
from pytestqt.qtbot import QtBot

from core.session import Session
from visualizer.bridge import SessionBridge
from visualizer.views.training import TrainingView


@pytest.fixture
def view(qtbot: QtBot, fresh_session: Session) -> TrainingView:
    v = TrainingView(fresh_session, SessionBridge(fresh_session))
    qtbot.addWidget(v)
    v.resize(700, 600)
    v.show()
    return v


def test_training_from_scratch_lowers_the_loss_and_hands_the_model_back(
    view: TrainingView, qtbot: QtBot
) -> None:
    s = view.session
    old_bundle = s.bundle
    view.steps.setValue(60)
    view.scratch.setChecked(True)
    view.start()
    assert not view.start_button.isEnabled() and view.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: view.thread is None, timeout=60_000)
    losses = view.history["loss"]
    assert len(losses) >= 2 and losses[-1] < 0.8 * losses[0]  # still in warm-up: lr rising
    assert view.history["e_step"] == [50, 60]  # evaluations every 50 steps and at the end
    assert s.bundle is not old_bundle  # the trained copy replaced the session's model
    assert view.last_saved is not None and (view.last_saved / "model.safetensors").is_file()
    assert view.bar.value() == 60 and view.start_button.isEnabled()


def test_cancel_is_honoured_quickly(view: TrainingView, qtbot: QtBot) -> None:
    view.steps.setValue(100_000)
    view.start()
    qtbot.waitUntil(lambda: len(view.history["step"]) >= 2, timeout=30_000)
    stopped: list[float] = []
    assert view.worker is not None
    view.worker.sigFinished.connect(lambda *_: stopped.append(time.perf_counter()))
    asked = time.perf_counter()
    view.cancel()
    qtbot.waitUntil(lambda: view.thread is None, timeout=10_000)
    assert stopped and stopped[0] - asked < 0.5  # the loop stops between two steps
    assert "cancelled" in view.status.text()


def test_pause_and_resume(view: TrainingView, qtbot: QtBot) -> None:
    view.steps.setValue(100_000)
    view.start()
    qtbot.waitUntil(lambda: len(view.history["step"]) >= 1, timeout=30_000)
    view._toggle_pause()
    assert view.pause_button.text() == "Resume"
    qtbot.wait(300)
    frozen = view.bar.value()
    qtbot.wait(400)
    assert view.bar.value() == frozen  # no steps while paused
    view._toggle_pause()
    qtbot.waitUntil(lambda: view.bar.value() > frozen, timeout=10_000)
    view.cancel()
    qtbot.waitUntil(lambda: view.thread is None, timeout=10_000)


def test_a_failing_run_is_a_message_in_the_window(view: TrainingView, qtbot: QtBot) -> None:
    view.session.bundle.pair = "xx-yy"  # no built-in corpus for it: the worker fails
    try:
        view.start()
        qtbot.waitUntil(lambda: view.thread is None, timeout=30_000)
        assert "training stopped" in view.status.text()
        assert "training stopped" in view.session.error
    finally:
        view.session.bundle.pair = "en-de"
