"""The window shows the current run, never a previous one, through the real threaded
bridge: sentence, pair and model changed in quick succession, each request sent before
the one before it finished. The final state is waited for (``qtbot.waitUntil``), never
slept for, and compared with the same sentence run on a freshly loaded model.

Before the fix, a sentence typed while a pair or model was loading ran on the old
model and superseded the load: the pair box said EN → FR while the German model
answered ("Ich habe eine Katze"), and choosing gpt-de then typing kept demo-de.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest

from core import checkpoint
from core.decode import DecodeSettings
from core.session import MODELS, Session

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from visualizer.assemble import SimulatorWindow
    from visualizer.bridge import SessionBridge


def expected(model: str, source: str) -> str:
    """The sentence translated by a model loaded afresh: what the window must show."""
    bundle = checkpoint.load(MODELS / model)
    return bundle.translate(source, DecodeSettings(max_len=bundle.cfg.max_len - 1)).text


@pytest.fixture
def threaded(qtbot: QtBot) -> Iterator[tuple[Session, SessionBridge, SimulatorWindow]]:
    from visualizer.assemble import SimulatorWindow
    from visualizer.bridge import SessionBridge

    session = Session.open_builtin("en-de")
    bridge = SessionBridge(session, threaded=True)
    window = SimulatorWindow(session, bridge, persist=False)
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    yield session, bridge, window
    bridge.wait_idle()


def settled(
    session: Session, window: SimulatorWindow, source: str, text: str
) -> Callable[[], bool]:
    """The condition the window reaches once the last request is applied: the session's
    run, the input bar and the status bar all on ``source`` and its translation."""

    def check() -> bool:
        return (
            not session.busy
            and session.source == source
            and session.translation is not None
            and session.translation.text == text
            and window.input_bar.edit.text() == source
            and window.statusBar().currentMessage() == text
        )

    return check


def views_agree(session: Session, window: SimulatorWindow) -> None:
    """The decoding panel, at the run's last step, shows the run's own tokens."""
    session.seek(len(session.trace.steps) - 1)
    chips = [c.text for c in window.views["decoding"].strip.chips]  # type: ignore[attr-defined]
    assert session.translation is not None
    tokens = list(session.translation.tokens)
    assert chips[1 : 1 + len(tokens)] == tokens, (chips, tokens)


def test_sentence_pair_and_model_changed_quickly_show_the_last_run(
    qtbot: QtBot, threaded: tuple[Session, SessionBridge, SimulatorWindow]
) -> None:
    session, _bridge, window = threaded
    # two sentences, the first superseded
    session.source = "Fruit flies like a banana"
    session.source = "The dog sees the cat"
    want = expected("demo-de", "The dog sees the cat")
    qtbot.waitUntil(settled(session, window, "The dog sees the cat", want), timeout=30_000)
    views_agree(session, window)

    # the pair, then a sentence at once (typed while the French model loads)
    session.pair = "en-fr"
    session.source = "I have a cat"
    want = expected("demo-fr", "I have a cat")
    qtbot.waitUntil(settled(session, window, "I have a cat", want), timeout=30_000)
    views_agree(session, window)
    assert session.bundle.pair == session.pair == "en-fr"  # the model the pair box names
    assert window.input_bar.pair.currentData() == "en-fr"

    # a model, then a sentence at once
    session.open_model(MODELS / "gpt-de")
    session.source = "Time flies like an arrow"
    want = expected("gpt-de", "Time flies like an arrow")
    qtbot.waitUntil(settled(session, window, "Time flies like an arrow", want), timeout=30_000)
    views_agree(session, window)
    assert session.bundle.cfg.arch == "decoder-only"

    # back to a pair, a sentence and the pair's other sentence in one go
    session.pair = "en-de"
    session.source = "The woman reads a book"
    session.source = "Fruit flies like a banana"
    want = expected("demo-de", "Fruit flies like a banana")
    qtbot.waitUntil(settled(session, window, "Fruit flies like a banana", want), timeout=30_000)
    views_agree(session, window)
    assert session.bundle.cfg.arch == "encoder-decoder" and session.bundle.pair == "en-de"
    assert session.trace.meta.get("source", session.source) == session.source


def test_a_failed_model_load_leaves_later_sentences_on_the_old_model(
    qtbot: QtBot, threaded: tuple[Session, SessionBridge, SimulatorWindow]
) -> None:
    session, _bridge, window = threaded
    session.open_model(MODELS / "no-such-model")
    qtbot.waitUntil(lambda: not session.busy and bool(session.error), timeout=30_000)
    session.source = "The dog sees the cat"
    want = expected("demo-de", "The dog sees the cat")
    qtbot.waitUntil(settled(session, window, "The dog sees the cat", want), timeout=30_000)
