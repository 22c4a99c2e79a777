"""The Models menu: the shipped models under their shape's heading, opening one puts it
in the window (the session really runs it), the model in the window is ticked, a
refused folder leaves everything as it was, and the menu speaks Chinese."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core import model_catalog
from core.model_decoder import DecoderOnly
from core.model_encoder import EncoderClassifier
from visualizer.assemble import SimulatorWindow
from visualizer.models.compare_data import compare, run_both
from visualizer.models.compare_view import CompareDialog


def entries(window: SimulatorWindow) -> list[tuple[str, bool, bool]]:
    """(text, enabled, checked) of every menu entry, separators left out."""
    return [
        (a.text(), a.isEnabled(), a.isChecked())
        for a in window.models.menu.actions()
        if not a.isSeparator()
    ]


def test_the_menu_lists_every_shipped_model_under_its_shape(window: SimulatorWindow) -> None:
    rows = entries(window)
    headers = [text for text, enabled, _ in rows if not enabled]
    assert headers == [
        "Encoder-decoder",
        "Decoder-only (GPT)",
        "Encoder-only (BERT, ViT)",
        "Mixture of experts",
    ]
    names = [text.split(" — ")[0] for text, enabled, _ in rows if enabled][:-1]
    assert names == ["demo-de", "demo-fr", "gpt-de", "bert-who", "vit-pets", "moe-de"]
    assert sorted(names) == sorted(m.name for m in model_catalog.shipped())
    blurb = model_catalog.DESCRIPTIONS["gpt-de"]["en"]
    assert f"gpt-de — {blurb}" in [text for text, _, _ in rows]
    assert [t for t, _, checked in rows if checked] == [
        f"demo-de — {model_catalog.DESCRIPTIONS['demo-de']['en']}"
    ]  # the window starts on the built-in translator
    assert window.models.menu.title() == "&Models"
    assert window.models.menu.menuAction() in window.menuBar().actions()


@pytest.mark.parametrize(
    ("name", "kind"),
    [("gpt-de", DecoderOnly), ("moe-de", DecoderOnly), ("bert-who", EncoderClassifier)],
)
def test_choosing_a_model_opens_it_in_the_window(
    window: SimulatorWindow, name: str, kind: type
) -> None:
    s = window.session
    window.models.actions[name].trigger()
    assert s.error == ""
    assert isinstance(s.bundle.model, kind)
    entry = window.models.entries[name]
    assert s.bundle.cfg == entry.cfg and s.trace.meta["arch"] == entry.arch
    if entry.task == "translate":
        assert s.translation is not None and s.translation.text == "Die Zeit fliegt wie ein Pfeil"
    else:
        assert s.classification is not None and s.translation is None
    assert window.models.current() == name
    assert [n for n, a in window.models.actions.items() if a.isChecked()] == [name]
    if name == "moe-de":
        assert any(st.name == "dec.0.moe.router.probs" for st in s.trace.steps)


def test_the_picture_classifier_opens_on_a_picture(window: SimulatorWindow) -> None:
    s = window.session
    window.models.actions["vit-pets"].trigger()
    assert s.error == "" and s.source == "cat"  # a sentence is no picture: its own example
    assert s.classification is not None and s.classification.label == "cat"
    assert window.models.actions["vit-pets"].isChecked()


def test_a_refused_folder_keeps_the_model_and_its_tick(
    window: SimulatorWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = window.session
    before = s.bundle
    broken = tmp_path / "gpt-de"
    broken.mkdir()
    (broken / "config.json").write_text("{}", "utf-8")
    entry = window.models.entries["gpt-de"]
    monkeypatch.setitem(
        window.models.entries,
        "gpt-de",
        entry.__class__(entry.name, broken, entry.cfg, entry.pair, entry.task, entry.description),
    )
    window.models.actions["gpt-de"].trigger()
    assert s.bundle is before and s.error
    assert window.models.pending is None
    assert [n for n, a in window.models.actions.items() if a.isChecked()] == ["demo-de"]


def test_a_model_opened_elsewhere_moves_the_tick(window: SimulatorWindow) -> None:
    window.files.open_path(model_catalog.resolve("demo-fr"))  # File ▸ Open model folder
    assert window.models.current() == "demo-fr"
    assert window.models.actions["demo-fr"].isChecked()
    assert not window.models.actions["demo-de"].isChecked()


def test_the_menu_speaks_chinese(window: SimulatorWindow) -> None:
    window.session.lang = "zh"
    rows = entries(window)
    assert window.models.menu.title() == "模型(&M)"
    assert next(t for t, enabled, _ in rows if not enabled) == "编码器-解码器"
    zh = model_catalog.DESCRIPTIONS["moe-de"]["zh"]
    assert f"moe-de — {zh}" in [t for t, _, _ in rows]
    assert window.models.act_compare.text() == "对比编码器-解码器与仅解码器…"
    window.session.lang = "en"


def test_compare_opens_with_the_two_models_numbers(window: SimulatorWindow) -> None:
    window.models.act_compare.trigger()
    dialog = window.models.compare
    assert isinstance(dialog, CompareDialog) and dialog.isVisible()
    assert dialog.comparison is not None and dialog.comparison.word == "Pfeil"
    assert dialog.models is not None
    want = compare(*run_both(*dialog.models, "Time flies like an arrow"), "Pfeil")
    np.testing.assert_allclose(dialog.comparison.encdec.weights, want.encdec.weights)
    np.testing.assert_allclose(dialog.comparison.deconly.weights, want.deconly.weights)
    assert window.session.bundle.cfg.arch == "encoder-decoder"  # the window's model stays
    window.models.act_compare.trigger()
    assert window.models.compare is dialog  # one dialog, raised again
    dialog.close()
