"""Chapter 1's token-split figure grows with the presentation zoom as one drawing (its
chips, names and gaps with its type: fonts alone overlapped at 200 %), as far as its
room allows, and never asks for a zoomed minimum (the window would outgrow the screen)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from visualizer.lecture.token_split import MIN_H, MIN_W, TokenSplit, _zoom
from visualizer.theme import get_scale, set_scale


@pytest.fixture
def zoom200() -> Iterator[None]:
    before = get_scale()
    set_scale(2.0)
    yield
    set_scale(before)


def test_the_drawing_takes_the_zoom_where_there_is_room(zoom200: None) -> None:
    assert _zoom(MIN_W * 3, MIN_H * 3) == 2.0
    assert _zoom(round(MIN_W * 1.5), MIN_H * 3) == 1.5  # as wide as it has room for
    assert _zoom(MIN_W // 2, MIN_H // 2) == 1.0  # never shrunk below its design size


def test_its_minimum_is_the_design_size_at_any_zoom(qtbot, builtin_session, zoom200: None) -> None:  # type: ignore[no-untyped-def]
    from visualizer.bridge import SessionBridge

    fig = TokenSplit(builtin_session, SessionBridge(builtin_session))
    qtbot.addWidget(fig)
    assert (fig.minimumSizeHint().width(), fig.minimumSizeHint().height()) == (MIN_W, MIN_H)
    fig.resize(MIN_W * 2, MIN_H * 2)
    fig.grab()  # paints at scale 2 without error
