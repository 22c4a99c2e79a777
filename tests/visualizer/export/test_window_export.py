"""File ▸ Export in the window: pictures of the window or the current view, and a
recording run from the non-modal panel (progress, done, cancel)."""

from __future__ import annotations

from pathlib import Path

import imageio.v3 as iio
import pytest
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from visualizer.assemble import SimulatorWindow


@pytest.fixture
def window_size() -> tuple[int, int]:
    return (1000, 700)  # the shared ``window`` at this size


def test_png_of_the_window_and_svg_of_a_view(window: SimulatorWindow, tmp_path: Path) -> None:
    out = window.export.save_png(window, tmp_path / "w.png")
    image = QImage(str(out))
    assert (image.width(), image.height()) == (2 * window.width(), 2 * window.height())
    svg = window.export.save_svg(window.export.current_view(), tmp_path / "v.svg")
    assert "<svg" in svg.read_text("utf-8")


def test_the_current_view_follows_the_room(window: SimulatorWindow) -> None:
    assert window.export.current_view() is window.views["tensor"]
    window.rooms.switch("neuron")
    assert window.export.current_view() is window.rooms.pages["neuron"]
    window.rooms.switch("transformer")


def test_record_panel_writes_a_gif_with_one_frame_per_step(
    window: SimulatorWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    s = window.session
    assert s is not None
    s.seek(10)
    panel = window.export.open_record_panel()
    assert panel.first.value() == 10
    panel.last.setValue(13)
    panel.what.setCurrentIndex(1)  # the current view
    assert panel.record_to(tmp_path / "a.gif")
    qtbot.waitUntil(lambda: panel.go.isEnabled(), timeout=60_000)
    frames = iio.imread(tmp_path / "a.gif", index=None)
    assert frames.shape[0] == 4
    assert "a.gif" in panel.note.text()
    assert s.cursor == 10  # the cursor is put back


def test_cancelling_a_recording_leaves_no_file(
    window: SimulatorWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    panel = window.export.open_record_panel()
    panel.first.setValue(0)
    panel.last.setValue(200)
    assert panel.record_to(tmp_path / "b.gif")
    qtbot.waitUntil(lambda: panel.bar.value() >= 2, timeout=60_000)
    panel.cancel()
    qtbot.waitUntil(lambda: panel.go.isEnabled(), timeout=10_000)
    assert not list(tmp_path.iterdir())


def test_a_bad_target_is_a_message(window: SimulatorWindow, tmp_path: Path) -> None:
    panel = window.export.open_record_panel()
    assert not panel.record_to(tmp_path / "x.avi")
    assert panel.note.text()
