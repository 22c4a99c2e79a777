"""The window adapts its docks to the shape of the open model: a shape's own views (the
router for MoE layers, the classification head for an encoder-only model, decoding for
a model that writes text) show when such a model opens and hide when it does not apply;
the user's own choices for the docks that apply survive model switches, presentation
mode, the rooms and a restart; the View menu still lists every dock."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from core.config import ModelConfig
from core.session import MODELS, Session
from visualizer.assemble import SimulatorWindow
from visualizer.panels import VIEWS
from visualizer.panels.shapes import SHAPES, applies, front

SHIPPED = ("demo-de", "demo-fr", "gpt-de", "moe-de", "bert-who", "vit-pets")
SETTINGS = ("transformer-sim", "transformer-sim")
# what each shipped model has a use for, written out (not computed by panels.shapes)
EXPECTED = {
    "demo-de": {"decoding"},
    "demo-fr": {"decoding"},
    "gpt-de": {"decoding"},
    "moe-de": {"decoding", "router"},
    "bert-who": {"classify"},
    "vit-pets": {"classify"},
}
FRONT = {"moe-de": "router", "bert-who": "classify", "vit-pets": "classify"}


def _shown(window: SimulatorWindow) -> set[str]:
    """The shape-dependent docks the window shows now."""
    return {name for name in SHAPES if not window.docks[name].isHidden()}


def _open(window: SimulatorWindow, name: str) -> None:
    s = window.session
    s.open_model(MODELS / name)
    QApplication.processEvents()
    assert s.error == "", s.error


def test_predicates_follow_the_config() -> None:
    cfg = ModelConfig()
    assert applies("decoding", cfg) and not applies("router", cfg)
    assert not applies("classify", cfg) and applies("attention", cfg)
    moe = ModelConfig(arch="decoder-only", ffn="moe", n_enc_layers=0)
    assert applies("router", moe) and front(moe) == "router"
    assert front(cfg) == "attention"
    assert set(SHAPES) <= set(VIEWS)


def test_each_shipped_model_shows_its_docks_and_brings_its_view_forward(
    window: SimulatorWindow,
) -> None:
    assert _shown(window) == EXPECTED["demo-de"]  # the built-in translator at start
    menu = {a.text() for a in window.menu_view.actions()}
    for name in ("demo-fr", "moe-de", "bert-who", "gpt-de", "vit-pets", "moe-de", "demo-de"):
        _open(window, name)
        assert _shown(window) == EXPECTED[name], name
        wanted = FRONT.get(name)
        if wanted is not None:  # in front: its tab is the one on screen
            assert not window.docks[wanted].visibleRegion().isEmpty(), name
        for view, dock in window.docks.items():  # every dock can still be opened by hand
            assert dock.toggleViewAction().text() in menu, view
            assert dock.toggleViewAction().isChecked() == (not dock.isHidden())


def test_the_users_choices_survive_model_switches(window: SimulatorWindow) -> None:
    docks = window.docks
    docks["decoding"].toggleViewAction().trigger()  # the user closes Decoding
    assert docks["decoding"].isHidden()
    _open(window, "bert-who")
    _open(window, "demo-de")
    assert docks["decoding"].isHidden()  # closed by the user: stays closed
    docks["router"].toggleViewAction().trigger()  # opened by hand on a dense model
    assert not docks["router"].isHidden()
    _open(window, "gpt-de")  # the same shape of docks: nothing changes
    assert not docks["router"].isHidden() and docks["decoding"].isHidden()
    _open(window, "vit-pets")  # hidden for a classifier, shown again for the MoE model
    assert docks["router"].isHidden() and not docks["classify"].isHidden()
    _open(window, "moe-de")
    assert _shown(window) == {"router"}  # Decoding: still the user's choice


def test_reset_rooms_and_presentation_give_the_model_its_docks(window: SimulatorWindow) -> None:
    docks = window.docks
    _open(window, "moe-de")
    window.rooms.switch("neuron")
    assert all(d.isHidden() for d in docks.values())
    _open(window, "bert-who")  # a model opens while a lab is in front: docks stay hidden
    assert all(d.isHidden() for d in docks.values())
    window.rooms.switch("transformer")
    assert _shown(window) == EXPECTED["bert-who"]
    assert not docks["classify"].visibleRegion().isEmpty()
    pres = window.presentation  # attach installs it
    pres.enter()
    _open(window, "moe-de")  # e.g. a chapter opens a model while presenting
    pres.leave()
    QApplication.processEvents()
    assert _shown(window) == EXPECTED["moe-de"]
    docks["router"].hide()
    window.act_reset.trigger()  # Reset layout: the default layout, for this model
    assert _shown(window) == EXPECTED["moe-de"]


@pytest.fixture
def clean_settings() -> Iterator[None]:
    keys = ("geometry", "state", "shape_hidden", "lang", "animate")
    for key in keys:
        QSettings(*SETTINGS).remove(key)
    yield
    for key in keys:
        QSettings(*SETTINGS).remove(key)


def test_a_restart_keeps_the_layout_and_the_docks_the_shape_hid(
    make_window: Callable[..., SimulatorWindow],
    builtin_session: Session,
    clean_settings: None,
) -> None:
    from visualizer.bridge import SessionBridge

    def persisted() -> SimulatorWindow:
        s = Session(builtin_session.bundle, "en-de", "Time flies like an arrow")
        w = SimulatorWindow(s, SessionBridge(s), persist=True)
        w.resize(1400, 900)
        w.show()
        QApplication.processEvents()
        return w

    first = persisted()
    first.docks["loss"].toggleViewAction().trigger()  # the user closes Loss
    _open(first, "bert-who")  # then closes the window on a classifier
    first.close()
    assert QSettings(*SETTINGS).value("shape_hidden") == "decoding,router"  # shown by the user

    again = persisted()  # starts on the translator: Decoding is back, Loss stays closed
    assert _shown(again) == EXPECTED["demo-de"]
    assert again.docks["loss"].isHidden()
    _open(again, "moe-de")
    assert _shown(again) == EXPECTED["moe-de"] and again.docks["loss"].isHidden()
    again.close()


def test_pair_box_titles_and_hints_follow_the_model(window: SimulatorWindow) -> None:
    """The pair box chooses a translator's pair, shows a decoder-only model's own pair
    (fixed) and is gone for a classifier; the attention title, the decoding strip and
    the loss hint say what this shape reads, in English and Chinese."""
    from visualizer.panels.attention.attention_view import AttentionView
    from visualizer.panels.decoding.decoding_view import DecodingView
    from visualizer.panels.input.input_bar import InputBar
    from visualizer.panels.loss.loss_view import LossView

    s = window.session
    bar, att = window.views["input"], window.views["attention"]
    dec, loss = window.views["decoding"], window.views["loss"]
    assert isinstance(bar, InputBar) and isinstance(att, AttentionView)
    assert isinstance(dec, DecodingView) and isinstance(loss, LossView)
    items = [bar.pair.itemText(i) for i in range(bar.pair.count())]
    assert items == ["EN → DE", "EN → FR"] and bar.pair.isEnabled() and bar.pair.isVisibleTo(bar)
    assert dec.strip.chips[0].text == "<bos>"

    _open(window, "gpt-de")
    assert [bar.pair.itemText(i) for i in range(bar.pair.count())] == ["EN → DE"]
    assert bar.pair.isVisibleTo(bar) and not bar.pair.isEnabled()
    tip_en = bar.pair.toolTip()
    s.seek(s.trace.first("t3/dec.0.self_attn.weights").index)
    assert att.title.text().endswith("(English prompt + “=” + German answer so far)")
    assert dec.strip.chips[0].text == "… =" and dec.strip.chips[1].text == "die"
    s.lang = "zh"
    assert "英语提示" in att.title.text() and "德语 → 德语" not in att.title.text()
    assert bar.pair.toolTip() != tip_en and "模型" in bar.pair.toolTip()

    _open(window, "bert-who")
    assert not bar.pair.isVisibleTo(bar)
    assert "[CLS]" in att.title.text() and "英语句子" in att.title.text()
    s.mode = "train"
    assert "分类头" in loss.hint.text()  # not "switch to Train one step": it is on
    s.lang = "en"
    assert "Classification head" in loss.hint.text()
    s.mode = "translate"
    _open(window, "demo-fr")
    assert bar.pair.isEnabled() and bar.pair.currentText() == "EN → FR"
    assert att.title.text().endswith(")") and "prompt" not in att.title.text()
    bar.pair.activated.emit(0)  # EN → DE: back to the German translator
    QApplication.processEvents()
    assert s.bundle.pair == "en-de" and s.bundle.cfg.arch == "encoder-decoder"
    assert bar.pair.currentText() == "EN → DE"


@pytest.mark.parametrize("name", ["demo-de", "bert-who"])
def test_the_first_model_has_only_its_docks_as_the_app_starts_it(
    qtbot, tmp_path, monkeypatch, name: str
) -> None:  # type: ignore[no-untyped-def]
    """As `transformer-sim` starts: the window is on screen (loading) before the model is
    attached, so Qt shows the new docks in a later layout pass — the shape's rule must
    hold after it, not only when another model opens later."""
    from visualizer.assemble import build_window
    from visualizer.bridge import SessionBridge

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    window = build_window(persist=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    session = Session.open_builtin("en-de")
    if name != "demo-de":
        session.open_model(MODELS / name)
    window.attach(session, SessionBridge(session, window))
    for _ in range(5):  # the layout passes after attach
        QApplication.processEvents()
        qtbot.wait(10)
    assert _shown(window) == EXPECTED[name]
