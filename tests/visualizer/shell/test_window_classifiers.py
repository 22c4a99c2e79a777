"""The assembled window on the two shipped classifiers: every view draws every step of
their forward pass and of a training step, in English and Chinese, without raising;
the status bar and the input bar say the label and its probability, not a translation."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from core.session import MODELS
from visualizer.assemble import SimulatorWindow
from visualizer.panels import VIEWS
from visualizer.panels.classify.classify_view import ClassifyView
from visualizer.panels.decoding.decoding_view import DecodingView
from visualizer.widgets.answer import label_text
from visualizer.widgets.numbers import percent


@pytest.mark.parametrize("model", ["bert-who", "vit-pets"])
def test_every_view_walks_a_classifier_in_both_languages(
    window: SimulatorWindow, model: str
) -> None:
    s = window.session
    assert s is not None
    assert "classify" in window.views and "classify" in window.docks
    s.open_model(MODELS / model)
    assert s.error == "" and s.classification is not None and s.translation is None
    assert set(VIEWS) <= set(window.views)
    assert not window.docks["classify"].visibleRegion().isEmpty()  # brought forward
    classify, decoding = window.views["classify"], window.views["decoding"]
    assert isinstance(classify, ClassifyView) and isinstance(decoding, DecodingView)
    for mode in ("translate", "train"):
        s.mode = mode
        assert s.error == ""
        for lang in ("en", "zh"):
            s.lang = lang
            for i in range(len(s.trace.steps)):
                s.seek(i)
                if i % 8 == 0:
                    QApplication.processEvents()  # paint what the views now show
            QApplication.processEvents()
            label, p = s.classification.ranked[0]
            said = window.statusBar().currentMessage()
            assert said.startswith(f"{label_text(label, lang)} {percent(p)}"), said
            assert classify.data is not None
    assert classify.train_line.isVisibleTo(window)
    assert decoding.stack.currentIndex() == 0  # the one line, not the bars
    s.lang, s.mode = "en", "translate"
