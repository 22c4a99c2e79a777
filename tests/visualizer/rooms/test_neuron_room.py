"""The neuron room: its figure and arithmetic show the trace's numbers, its controls drive
the lab, and it renders every step in English and in Chinese."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from core.basics.neuron_lab import NeuronLab
from visualizer.bridge import SessionBridge
from visualizer.rooms.neuron.neuron_room import NeuronRoom
from visualizer.rooms.neuron.neuron_text import num


@pytest.fixture
def room(qtbot: QtBot) -> NeuronRoom:
    lab = NeuronLab(seed=0)
    lab.animate = False
    view = NeuronRoom(lab, SessionBridge(lab))
    qtbot.addWidget(view)
    view.resize(1400, 900)
    return view


def _seek(room: NeuronRoom, name: str, phase: str) -> None:
    room.lab.seek(room.lab.trace.first(name, phase=phase).index)  # type: ignore[arg-type]


def test_values_appear_as_the_run_reaches_them(room: NeuronRoom) -> None:
    lab = room.lab
    lab.train_step()
    trace = lab.trace
    assert lab.cursor == 0 and room.figure.state.focus == "inputs"
    assert room.figure.state.wa is None and room.figure.state.z is None
    _seek(room, "neuron.weighted", "forward")
    np.testing.assert_allclose(room.figure.state.wa, trace.value("neuron.weighted"), rtol=1e-6)
    assert room.figure.state.s is None and not room.figure.state.grad
    _seek(room, "neuron.w", "backward")
    st = room.figure.state
    assert st.phase == "backward" and st.focus == "weights"
    np.testing.assert_allclose(st.grad["neuron.w"], trace.value("d/neuron.w"), rtol=1e-6)
    assert st.w_after is None
    _seek(room, "neuron.w", "update")
    np.testing.assert_allclose(room.figure.state.w_after, lab.weights, rtol=1e-6)


def test_worked_arithmetic_uses_the_real_numbers(room: NeuronRoom) -> None:
    lab = room.lab
    trace = lab.trace
    _seek(room, "neuron.sum", "forward")
    text = room.worked.text()
    for v in [*trace.value("neuron.weighted"), trace.value("neuron.sum"), lab.bias]:
        assert num(float(v)) in text
    line = room.forward.text()
    assert "z = f(w" in line and num(lab.weights[0]) in line and num(lab.inputs[0]) in line
    _seek(room, "loss", "loss")
    assert num(float(trace.value("loss"))) in room.worked.text()
    _seek(room, "neuron.out", "backward")
    assert num(float(trace.value("d/neuron.out"))) in room.worked.text()


def test_controls_drive_the_lab(room: NeuronRoom, qtbot: QtBot) -> None:
    lab, c = room.lab, room.controls
    c.params[0].spin.setValue(1.25)
    assert lab.weights[0] == pytest.approx(1.25)
    assert float(lab.trace.value("neuron.w")[0]) == pytest.approx(1.25)
    c.inputs[1].slider.setValue(80)  # 0.80
    assert lab.inputs[1] == pytest.approx(0.8) and lab.sample is None
    qtbot.mouseClick(c.bar.step, Qt.MouseButton.LeftButton)
    assert lab.history.steps == 1 and lab.trace.meta["applied"]
    assert c.params[0].spin.value() == pytest.approx(lab.weights[0], abs=1e-3)  # shown back
    c.bar.n.setValue(7)
    qtbot.mouseClick(c.bar.train, Qt.MouseButton.LeftButton)
    assert lab.history.steps == 8
    x, y = room.curve.train.getData()
    assert len(x) == 9 and y[-1] == pytest.approx(np.log10(lab.history.train[-1]))
    c.bar.activation.setCurrentIndex(c.bar.activation.findData("tanh"))
    assert lab.activation == "tanh" and lab.trace.first("neuron.out").kind == "neuron_tanh"
    c.bar.seed.setValue(5)
    assert lab.seed == 5 and lab.history.steps == 0
    assert lab.weights == NeuronLab(seed=5).weights


def test_table_picks_a_sample_and_shows_predictions(room: NeuronRoom) -> None:
    lab, table = room.lab, room.table
    table.cellClicked.emit(3, 1)
    assert lab.sample == 3 and table.current == 3
    assert table.item(3, 4).text() == num(float(lab.data.y[3]), 2)
    assert table.item(3, 5).text() == num(float(lab.predictions()[3]), 2)
    table.cellClicked.emit(lab.n_train + 1, 1)  # a test row is not a training sample
    assert lab.sample == 3


def test_loss_surface_shows_the_lab_surface_and_path(room: NeuronRoom) -> None:
    lab = room.lab
    lab.fit(10)
    room.pair.setCurrentIndex(3)  # w1 × b
    assert lab.pair == (0, 3)
    img = room.surface.image.image
    want = lab.loss_surface(0, 3, grid=img.shape[0])
    np.testing.assert_allclose(img, np.log10(want.loss), rtol=1e-5)
    px, py = room.surface.path.getData()
    np.testing.assert_allclose(np.c_[px, py], lab.path(0, 3))
    assert "b" in room.surface.getAxis("left").labelText


def test_renders_every_step_in_both_languages(room: NeuronRoom) -> None:
    lab = room.lab
    lab.train_step()
    for lang in ("en", "zh"):
        lab.lang = lang
        for i in range(len(lab)):
            lab.seek(i)
            assert not room.grab().isNull()
        assert room.narration.text().strip()
    assert room.controls.bar.step.text() == "单步"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in room.narration.text())
    assert "日照" in room.table.horizontalHeaderItem(1).text()
    lab.lang = "en"
    assert room.controls.bar.step.text() == "Step"
    assert room.table.horizontalHeaderItem(1).text() == "sun"


def test_typed_inputs_and_the_step_activation_never_raise(room: NeuronRoom) -> None:
    lab = room.lab
    lab.set_input(0, 1.5)
    assert "?" not in room.worked.text() and lab.step.phase == "forward"
    lab.set_activation("step")
    lab.set_lr(5.0)
    lab.fit(20)
    assert lab.history.train[-1] == lab.history.train[0]  # the step function never learns
    lab.set_activation("identity")
    lab.fit(30)  # lr 5 diverges: huge or non-finite numbers must still draw
    for i in range(len(lab)):
        lab.seek(i)
    assert not room.grab().isNull()


def test_create_builds_a_working_room(qtbot: QtBot) -> None:
    view = NeuronRoom.create()
    qtbot.addWidget(view)
    assert view.timeline.session is view.lab
    view.timeline.buttons["start"].click()
    view.timeline.buttons["forward"].click()
    assert view.lab.cursor == 1 and view.figure.state.focus == "weights"


def test_the_figure_is_drawn_at_its_design_size_and_scaled_as_a_whole(qtbot: QtBot) -> None:
    """At a projector's zoom the figure's labels grow with the drawing, never into each
    other: its fonts are the design's (zoom 1), the painter scales the whole drawing by
    the zoom as far as the widget holds it, and less where it is narrower than the
    design (the room's controls leave 640 px at 200 % on a 1366-pixel screen)."""
    from visualizer import theme
    from visualizer.rooms.neuron.neuron_figure import DESIGN, NeuronFigure
    from visualizer.rooms.neuron.neuron_paint import font

    theme.set_scale(2.0)
    try:
        fig = NeuronFigure()
        qtbot.addWidget(fig)
        assert font(10).pointSizeF() == pytest.approx(10.0)  # the design's points
        fig.resize(2 * DESIGN[0], 2 * DESIGN[1])
        assert fig.scale_factor() == pytest.approx(2.0)  # room for the zoom: all of it
        fig.resize(3 * DESIGN[0], DESIGN[1] * 3 // 2)
        assert fig.scale_factor() == pytest.approx(1.5)  # as far as its height holds it
        fig.resize(640, 290)
        assert fig.scale_factor() == pytest.approx(640 / DESIGN[0])  # narrower: smaller
    finally:
        theme.set_scale(1.0)
    fig.resize(3 * DESIGN[0], 3 * DESIGN[1])
    assert fig.scale_factor() == 1.0  # at zoom 1 the design size, however large
    assert not fig.grab().isNull()


def test_at_200_percent_the_narration_stays_on_screen_and_no_text_is_cut(
    qtbot: QtBot,
) -> None:
    """A 1366×768 screen at 200 %: the page is taller than its scroll area, so it
    scrolls; the step's narration (above the figure) is wholly in view without
    scrolling, and the worked arithmetic and the forward line take the lines they
    wrap to (issue 16: they were cut to two fixed lines)."""
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QApplication, QFrame, QScrollArea

    from visualizer import theme

    theme.set_scale(2.0)
    try:
        lab = NeuronLab(seed=0)
        lab.animate = False
        room = NeuronRoom(lab, SessionBridge(lab))
    finally:
        theme.set_scale(1.0)
    area = QScrollArea()  # as the window holds a lab room
    area.setWidget(room)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    qtbot.addWidget(area)
    area.resize(1366, 600)
    area.show()
    lab.train_step()
    for lang in ("en", "zh"):
        lab.lang = lang
        for i in range(len(lab)):
            lab.seek(i)
            for _ in range(3):
                QApplication.processEvents()
            assert room.height() > area.viewport().height()  # it scrolls
            top = room.narration.mapTo(area.viewport(), QPoint(0, 0)).y()
            bottom = top + room.narration.height()
            assert top >= 0 and bottom <= area.viewport().height(), (lang, i)
            for label in (room.worked, room.forward, room.narration):
                assert label.height() >= label.heightForWidth(label.width()), (lang, i)
