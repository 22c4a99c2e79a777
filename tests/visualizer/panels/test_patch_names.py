"""The picture classifier's patches have one name in every view: [CLS] is position 0 and
position i is patch ▦i (raster order, ``core.pictures``), on the tensor and attention axes
(``core.display.axis_labels`` from ``trace.meta["src_tokens"]``), the diagram's chips, the
classification view's positions, its focus sentence and the numbers on the picture."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from core.display import axis_labels
from core.session import MODELS, Session
from visualizer.bridge import SessionBridge
from visualizer.panels.classify.classify_view import ClassifyView
from visualizer.panels.diagram.diagram_view import DiagramView


@pytest.fixture(scope="module")
def vit(qapp: object) -> Session:
    s = Session.open_builtin("en-de")
    s.open_model(MODELS / "vit-pets")
    assert s.error == "" and s.classification is not None, s.error
    return s


def expected(s: Session) -> list[str]:
    """Counted from the traced tensors, not from the meta: [CLS] + one name per patch."""
    n = int(s.trace.value("src.patches").shape[1])
    assert s.trace.value("src.cls").shape[1] == n + 1
    return ["[CLS]", *(f"▦{p}" for p in range(1, n + 1))]


@pytest.mark.parametrize("mode", ["translate", "train"])
def test_axes_name_the_patches(vit: Session, mode: Literal["translate", "train"]) -> None:
    vit.mode = mode
    names = expected(vit)
    assert vit.trace.meta["src_tokens"] == names
    for step in vit.trace.find("enc.*.self_attn.weights", "forward"):
        w = vit.trace.value(step.tensors["out"])  # (B, H, L, L)
        for axis, size in zip(step.axes[2:], w.shape[2:], strict=True):
            assert axis_labels(vit.trace, step, axis, size, []) == names
    vit.mode = "translate"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_diagram_and_classify_view_agree(qtbot: QtBot, vit: Session, lang: str) -> None:
    vit.mode, vit.lang = "translate", lang
    vit.seek(0)
    names = expected(vit)
    bridge = SessionBridge(vit)
    diagram = DiagramView(vit, bridge)
    qtbot.addWidget(diagram)
    assert diagram.scene().tokens["src"] == names
    view = ClassifyView(vit, bridge)
    qtbot.addWidget(view)
    view.resize(620, 900)
    view.show()
    assert view.data is not None and view.data.positions == names
    assert [view.position_name(i).split()[-1] for i in range(len(names))] == names
    rows, cols = view.data.grid or (0, 0)
    assert [view.picture.patch_name(r, c) for r in range(rows) for c in range(cols)] == names[1:]
    best = 1 + int(np.argmax(view.data.patch_attention(view.layer, view.head)))
    assert names[best] in view.focus.text()
    vit.lang = "en"


def test_a_percentage_that_does_not_fit_its_patch_is_rounded(qapp: object) -> None:
    """The overlay's readings never run into the next patch (at presentation zoom the
    patches are narrow for "0.0072%"): the full reading where it fits, else rounded."""
    from PySide6.QtGui import QFontMetrics

    from visualizer.panels.classify.patch_picture import fit_percent
    from visualizer.theme import ui_font
    from visualizer.widgets.numbers import percent

    fm = QFontMetrics(ui_font(8))
    for p in (0.000072, 0.0088, 0.191, 0.316):
        assert fit_percent(p, fm, 1000) == percent(p)
        short = fit_percent(p, fm, fm.horizontalAdvance("100%") + 4)
        assert short == ("<1%" if p < 0.01 else f"{round(100 * p)}%")
        assert fm.horizontalAdvance(short) + 4 <= fm.horizontalAdvance("100%") + 4


def test_the_pictures_grow_with_the_presentation_zoom(qtbot: QtBot, vit: Session) -> None:
    from visualizer.presentation.scale import apply_scale

    vit.mode, vit.lang = "translate", "en"
    bridge = SessionBridge(vit)
    view = ClassifyView(vit, bridge)
    qtbot.addWidget(view)
    before = (view.picture.side, view.overlay.side, view.small[0][0].side)
    try:
        apply_scale(view, 1.5)
        bridge.sigZoom.emit(1.5)
        after = (view.picture.side, view.overlay.side, view.small[0][0].side)
        assert after == tuple(round(b * 1.5) for b in before)
        assert view.picture.width() >= after[0]
    finally:
        apply_scale(view, 1.0)
        bridge.sigZoom.emit(1.0)
    assert (view.picture.side, view.overlay.side, view.small[0][0].side) == before
