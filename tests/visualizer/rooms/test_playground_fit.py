"""The network playground fits the window: at 1366 × 768, 1600 × 1000 and 1920 × 1080,
in English and Chinese, the room needs no scrolling, so its step caption (narration)
and the timeline's transport stay on screen. Before the fix the room was 1116 px tall
in a 931 px viewport at 1600 × 1000 (the scroll area took its preferred height for its
width), with the caption, formula and transport below the fold."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from PySide6.QtCore import QCoreApplication, QPoint
from PySide6.QtWidgets import QScrollArea, QWidget

if TYPE_CHECKING:
    from core.session import Session
    from visualizer.assemble import SimulatorWindow


def inside(widget: QWidget, area: QScrollArea) -> bool:
    """The whole of ``widget`` lies within the scroll area's visible viewport."""
    top = widget.mapTo(area.viewport(), QPoint(0, 0))
    view = area.viewport().rect()
    return view.contains(top) and top.y() + widget.height() <= view.height()


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("size", [(1366, 768), (1600, 1000), (1920, 1080)])
def test_the_playground_fits_without_scrolling(
    make_window: Callable[..., SimulatorWindow],
    fresh_session: Session,
    size: tuple[int, int],
    lang: str,
) -> None:
    fresh_session.lang = lang
    window = make_window(fresh_session, size)
    window.rooms.switch("playground")
    room: Any = window.rooms.pages["playground"]
    room.lab.step_traced()  # a step caption with its formula, as in chapter 0
    for _ in range(3):
        QCoreApplication.processEvents()
    area: Any = window.rooms.frames["playground"]
    assert room.height() <= area.viewport().height(), (room.height(), area.viewport().height())
    assert area.verticalScrollBar().maximum() == 0
    for part in (room.canvas, room.loss):
        assert part.isVisible() and inside(part, area), type(part).__name__
    # the caption and the timeline: in the room, or under its scroll area
    for part in (room.narration, room.timeline):
        corner = part.mapTo(window, QPoint(0, 0))
        assert part.isVisible() and corner.y() >= 0 and corner.x() >= 0, type(part).__name__
        assert corner.y() + part.height() <= window.height() - window.statusBar().height()
        assert corner.x() + part.width() <= window.width()
    assert room.narration.text()  # the caption is written, and on screen
    fresh_session.lang = "en"


def test_a_canvas_built_while_zoomed_keeps_its_sizes_when_the_zoom_goes_back(
    qtbot: Any,
) -> None:
    """Built at 200 % (a lecture started zoomed), the +/− buttons and the names' room
    are twice their size, and at 100 % again they are their own size, not half of it:
    ``presentation.scale`` takes a fixed size it first sees as made at that zoom."""
    from visualizer import theme
    from visualizer.presentation.scale import apply_scale
    from visualizer.rooms.playground.playground_canvas import NetworkCanvas

    holder = QWidget()
    qtbot.addWidget(holder)
    theme.set_scale(2.0)
    try:
        canvas = NetworkCanvas(holder)
        plus = canvas.layer_buttons[0]
        assert (plus.width(), plus.height()) == (48, 44)
        wide = canvas.minimumWidth()
        apply_scale(holder, 1.0)
        assert (plus.width(), plus.height()) == (24, 22)
        assert canvas.minimumWidth() < wide
        apply_scale(holder, 1.5)
        assert (plus.width(), plus.height()) == (36, 33)
    finally:
        apply_scale(holder, 1.0)
        theme.set_scale(1.0)
