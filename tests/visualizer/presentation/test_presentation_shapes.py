"""Presentation mode keeps the model-shape rules (``visualizer.panels.shapes``): a chosen
panel that does not apply to the open model is not shown (no Router for a dense model,
no Decoding or Router for a classifier, no Classification head for a text writer), and
it comes back when a chapter opens a model it applies to; the other chosen panels stay."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from core.session import MODELS, Session
from visualizer.assemble import SimulatorWindow
from visualizer.presentation.mode import Presentation

SETTINGS = ("transformer-sim", "transformer-sim")
CHOSEN = {"diagram", "attention", "narration", "timeline", "decoding", "router", "classify"}
# what each model has a use for among the chosen panels, written out
EXPECTED = {
    "demo-de": CHOSEN - {"router", "classify"},
    "moe-de": CHOSEN - {"classify"},
    "bert-who": CHOSEN - {"router", "decoding"},
    "gpt-de": CHOSEN - {"router", "classify"},
    "vit-pets": CHOSEN - {"router", "decoding"},
}


@pytest.fixture
def window(
    make_window: Callable[..., SimulatorWindow], fresh_session: Session
) -> Iterator[SimulatorWindow]:
    settings = QSettings(*SETTINGS)
    for key in ("presentation/panels", "presentation/zoom"):
        settings.remove(key)
    fresh_session.animate = False
    w = make_window(fresh_session, (1400, 900))
    yield w
    w.presentation.leave()
    QApplication.processEvents()
    for key in ("presentation/panels", "presentation/zoom"):
        settings.remove(key)


def shown(w: SimulatorWindow) -> set[str]:
    return {name for name, dock in w.docks.items() if not dock.isHidden()}


def open_model(w: SimulatorWindow, name: str) -> None:
    s = w.session
    s.open_model(MODELS / name)
    QApplication.processEvents()
    assert s.error == "", s.error


def test_chosen_panels_follow_the_shape_of_each_model(window: SimulatorWindow) -> None:
    p: Presentation = window.presentation
    p.set_panels(CHOSEN)
    p.enter()
    QApplication.processEvents()
    assert shown(window) == EXPECTED["demo-de"]  # the router is chosen but not shown
    for name in ("moe-de", "bert-who", "gpt-de", "vit-pets", "moe-de", "demo-de"):
        open_model(window, name)
        assert shown(window) == EXPECTED[name], name
    assert p.panels == CHOSEN  # the choice itself is kept
    p.leave()
    QApplication.processEvents()
    assert not {"router", "classify"} & shown(window)  # the window's rule: a translator is open


def test_the_same_shape_keeps_a_panel_closed_by_hand(window: SimulatorWindow) -> None:
    p: Presentation = window.presentation
    p.set_panels(CHOSEN)
    p.enter()
    window.docks["timeline"].hide()  # the presenter closes one
    open_model(window, "demo-fr")  # another translator: the same shape
    assert "timeline" not in shown(window)
    open_model(window, "bert-who")  # another shape: the chosen panels anew
    assert shown(window) == EXPECTED["bert-who"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_chooser_says_which_panels_the_open_model_has_no_use_for(
    window: SimulatorWindow, lang: str
) -> None:
    window.session.lang = lang
    note = {"en": "(not for this model)", "zh": "（不适用于当前模型）"}[lang]
    dialog = window.presentation_actions.show_settings()
    marked = {name for name, check in dialog.checks.items() if note in check.text()}
    assert marked == {"router", "classify"}  # the built-in translator
    open_model(window, "bert-who")
    dialog = window.presentation_actions.show_settings()
    marked = {name for name, check in dialog.checks.items() if note in check.text()}
    assert marked == {"router", "decoding"}
    assert dialog.checks["router"].isEnabled()  # still choosable: for a later model
    dialog.hide()
    window.session.lang = "en"
