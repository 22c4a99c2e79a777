"""The network playground room: it draws what the lab and the trace hold, in both languages,
and its controls only ask the lab."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from core.basics.playground_lab import PlaygroundConfig
from core.narration import narrate
from visualizer.rooms.playground.playground_colors import class_mix
from visualizer.rooms.playground.playground_controls import DATASETS
from visualizer.rooms.playground.playground_raster import BandRaster
from visualizer.rooms.playground.playground_room import PlaygroundRoom
from visualizer.rooms.playground.playground_text import NAMES, STRINGS, readout, t


@pytest.fixture
def room(qtbot: object) -> PlaygroundRoom:
    r = PlaygroundRoom.create()
    qtbot.addWidget(r)  # type: ignore[attr-defined]
    r.lab.animate = False
    r.resize(1400, 900)
    r.show()
    QApplication.processEvents()
    return r


def test_every_string_has_both_languages() -> None:
    for table in (STRINGS, NAMES):
        for key, text in table.items():
            assert text.get("en") and text.get("zh"), key
    assert readout([0.8, 0.2], ["cat", "dog"], "en") == "80 % cat, 20 % dog"
    assert readout([0.8, 0.2], ["cat", "dog"], "zh") == "80 % 猫，20 % 狗"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_walks_every_step_in_both_languages(room: PlaygroundRoom, lang: str) -> None:
    lab = room.lab
    lab.lang = lang
    lab.configure(layers=(3, 2), l2=0.01)
    lab.train(50)
    lab.step_traced()
    lab.playing = False
    for i in range(len(lab)):
        lab.seek(i)
        step = lab.step
        frame = room.canvas.frame
        assert frame is not None and frame.phase == step.phase
        title = narrate(step.narration, lang).title
        assert title in room.narration.text()
    assert not room.grab().isNull()
    assert room.controls.play.text() == t("play", lang)
    assert room.plane.title.text() == t("boundary", lang)


def test_forward_lights_layer_by_layer_with_the_traced_values(room: PlaygroundRoom) -> None:
    lab = room.lab
    trace = lab.step_traced()
    lab.playing = False
    lab.seek(trace.first("l1.act").index)
    frame = room.canvas.frame
    assert frame is not None and frame.current == "l1"
    assert frame.lit == {"input", "l1"}
    np.testing.assert_array_equal(frame.values["l1"], trace.value("l1.act")[0])
    lab.seek(trace.first("l2.pre", "backward").index)
    frame = room.canvas.frame
    assert frame is not None and frame.lit == {"l2", "out"}
    assert frame.link_mode == {"out": "grad"}  # the output layer's ∂L/∂W has arrived
    np.testing.assert_array_equal(frame.link_values["out"], trace.value("d/out.weight"))
    before = trace.value("l1.weight")
    np.testing.assert_array_equal(frame.weights["l1"], before)
    lab.seek(trace.first("l1.weight", "update").index)
    frame = room.canvas.frame
    assert frame is not None and frame.link_mode["l1"] == "update"
    np.testing.assert_array_equal(frame.weights["l1"], trace.value("l1.weight@after"))
    assert not np.array_equal(frame.weights["l1"], before)


def test_heatmap_and_neuron_pictures_follow_the_lab(room: PlaygroundRoom) -> None:
    lab = room.lab
    lab.train(200)
    QApplication.processEvents()
    field = lab.plane()
    np.testing.assert_array_equal(room.plane.image.image, class_mix(field.probs))
    assert field.res >= 100
    assert room.plane.train_pts.data.shape[0] == len(lab.data.y_train)
    images = room.canvas.images
    assert [len(images[c]) for c in ("input", "l1", "l2", "out")] == [2, 4, 4, 2]
    px = room.canvas.node_px()
    assert images["l1"][0].width() == px
    # the top-right pixel of x₁'s picture is x = +1 (red), its top-left x = −1 (blue)
    right, left = images["input"][0].pixelColor(px - 1, 0), images["input"][0].pixelColor(0, 0)
    assert right.red() > right.blue() and left.blue() > left.red()


def test_cat_or_dog_readout_under_the_mouse(room: PlaygroundRoom) -> None:
    lab = room.lab
    lab.configure(dataset="cat_dog", layers=(3,), lr=0.1)
    lab.train(300)
    room.plane.sigHover.emit(0.5, -0.5)  # pointy ears, short snout
    probs = lab.predict(np.array([[0.5, -0.5]]))[0]
    text = room.plane.readout.text()
    assert text == readout(probs.tolist(), ["cat", "dog"], "en")
    assert text.startswith(f"{round(100 * probs[0])} % cat, ") and probs[0] > 0.5
    assert room.canvas.classes == ["cat", "dog"]
    lab.lang = "zh"
    assert room.plane.readout.text() == readout(probs.tolist(), ["cat", "dog"], "zh")
    assert room.canvas.features == ["耳朵尖度", "口鼻长度"]


def test_click_a_link_to_edit_its_weight(room: PlaygroundRoom, qtbot: object) -> None:
    canvas, lab = room.canvas, room.lab
    assert canvas.geo is not None
    link = canvas.geo.links["l2"][5]  # W[1, 1] of l2
    spots = [link.path.pointAtPercent(f) for f in np.linspace(0.2, 0.8, 25)]
    mid = next(p for p in spots if canvas.geo.link_at(p.x(), p.y()) == link)  # not a crossing
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=QPoint(round(mid.x()), round(mid.y())))  # type: ignore[attr-defined]
    assert canvas.editor.isVisible()
    assert canvas.editor.value() == pytest.approx(lab.weight("l2", link.src, link.dst), abs=1e-3)
    canvas.editor.setValue(1.25)
    qtbot.keyClick(canvas.editor, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    assert lab.weight("l2", link.src, link.dst) == pytest.approx(1.25)
    assert not canvas.editor.isVisible()


def test_layer_and_neuron_buttons(room: PlaygroundRoom) -> None:
    canvas, lab = room.canvas, room.lab
    canvas.layer_buttons[0].click()
    assert lab.config.layers == (4, 4, 4)
    canvas.neuron_buttons[2][1].click()
    canvas.neuron_buttons[0][0].click()
    assert lab.config.layers == (5, 4, 3)
    QApplication.processEvents()  # the redraw is coalesced into one, after the event
    assert canvas.geo is not None and canvas.geo.sizes == [2, 5, 4, 3, 2]
    for _ in range(5):
        canvas.layer_buttons[0].click()
    QApplication.processEvents()
    assert len(lab.config.layers) == 6 and not canvas.layer_buttons[0].isEnabled()


def test_play_pause_step_reset(room: PlaygroundRoom) -> None:
    lab, c = room.lab, room.controls
    c.play.click()
    assert room.training and room.timer.isActive()
    before = room.canvas.images["l1"][0].copy()
    for _ in range(5):
        room.tick()
    assert lab.iteration > 5 and len(lab.history) > 5
    assert room.canvas.images["l1"][0] != before  # the pictures follow the training
    c.step.click()  # pauses, records one iteration and walks through it
    assert not room.training and lab.trace.steps and lab.playing
    lab.playing = False
    c.reset.click()
    assert lab.iteration == 0 and not lab.trace.steps


def test_controls_configure_the_lab(room: PlaygroundRoom) -> None:
    c, lab = room.controls, room.lab
    c.dataset.activated.emit(DATASETS.index("spiral"))
    assert lab.config.dataset == "spiral" and c.classes.isEnabled()
    c.classes.setValue(3)
    QApplication.processEvents()
    assert lab.data.n_classes == 3 and len(room.canvas.images["out"]) == 3
    c.lr.activated.emit(c.lr.findText("0.3"))
    c.noise.setValue(20)
    assert lab.config == PlaygroundConfig(dataset="spiral", classes=3, lr=0.3, noise=0.2)


def test_band_raster_draws_a_link_where_it_runs() -> None:
    raster = BandRaster(np.array([[0.0, 20.0, 40.0, 20.0]]), 0.0, 40, 40, reach=4.0)
    rgba = np.array([[200, 10, 20, 255]], np.uint8)
    img = raster.render(np.array([3.0]), rgba, 255.0, 1.0)
    on, off = img.pixelColor(20, 20), img.pixelColor(20, 30)
    assert on.alpha() == 255 and on.red() == 200 and off.alpha() == 0
    thin = raster.render(np.array([0.6]), rgba, 255.0, 1.0)
    assert 0 < thin.pixelColor(20, 20).alpha() < 255 and thin.pixelColor(20, 22).alpha() == 0


def test_update_step_glides_the_links_when_animating(room: PlaygroundRoom, qtbot: object) -> None:
    lab, canvas = room.lab, room.canvas
    trace = lab.step_traced()
    lab.playing = False
    lab.animate = True
    lab.seek(trace.first("l2.weight", "update").index)
    after = trace.value("l2.weight@after")
    assert canvas._anim.state() == canvas._anim.State.Running
    assert not np.array_equal(canvas._shown["l2"], after)  # still on its way
    qtbot.waitUntil(lambda: canvas._anim.state() == canvas._anim.State.Stopped, timeout=2000)  # type: ignore[attr-defined]
    np.testing.assert_allclose(canvas._shown["l2"], after, atol=1e-6)


def test_a_lab_outlives_its_room(qtbot: object) -> None:
    room = PlaygroundRoom.create()
    lab = room.lab
    room.signals.deleteLater()
    qtbot.waitUntil(lambda: not lab.events.version._slots, timeout=2000)  # type: ignore[attr-defined]
    lab.train(3)  # nothing left to call
    assert lab.iteration == 3
    room.deleteLater()
