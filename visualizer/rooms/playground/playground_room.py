"""The network playground room: settings, the network, its output over the plane, the
loss curves, the narration and the shared timeline, as one page.

Two ways to run, as in TensorFlow Playground: Play trains continuously (untraced) in
small slices from a 16 ms timer, measuring itself so a slice plus the redraw stays
inside one frame; Step records one iteration and walks the shared timeline through
it (forward, loss, backward, update), which the canvas and the plane follow. The
room never computes model numbers: it asks the lab (train, step, predict, plane)
and draws what the lab and the trace hold.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from visualizer.panels.timeline.timeline_view import TimelineView
from visualizer.rooms.playground.playground_canvas import NetworkCanvas
from visualizer.rooms.playground.playground_captions import LabSignals, narration_html, readout_html
from visualizer.rooms.playground.playground_colors import NeuronImages, class_mix
from visualizer.rooms.playground.playground_controls import PlaygroundControls
from visualizer.rooms.playground.playground_frame import Frame, build_frame
from visualizer.rooms.playground.playground_loss import LossPanel
from visualizer.rooms.playground.playground_plane import PlanePanel
from visualizer.rooms.playground.playground_text import name, t
from visualizer.theme import get_scale, ui_font

if TYPE_CHECKING:
    from core.basics.playground_lab import PlaygroundLab
    from visualizer.bridge import SessionBridge

FRAME_MS = 16
FRAME_BUDGET_MS = 10.0  # training + redraw per frame, leaving the rest of 16.7 ms to Qt (p95)
OTHER_PAINT_MS = 2.5  # painting besides the canvas (plots, labels), not measured per frame
MAX_PER_TICK = 400
LINK_BUDGET_MS = 1.5  # link drawing per frame while playing (the rest keep their last look)
CURVE_MS = 100.0  # the loss curves redraw at 10 Hz while playing (they move slowly)
SIDE_W = 380  # the plane and the loss chart, at zoom 1
SIDE_ZOOM_MAX = 1.5  # ... which grow with the presentation zoom up to this
CONTROLS_MIN_H = 240  # the settings column's least height (it scrolls below its own)


class PlaygroundRoom(QWidget):
    def __init__(self, lab: PlaygroundLab, bridge: SessionBridge, parent: QWidget | None = None):
        super().__init__(parent)
        self.lab, self.bridge = lab, bridge
        self.training = False
        self.per_tick = 5  # iterations per frame while playing (adapted to the budget)
        self.tick_ms: list[float] = []  # measured: whole tick (train + redraw)
        self.images = NeuronImages()
        self.frame: Frame | None = None
        self._plane_shown: object = None
        self._hover: tuple[float, float] | None = None
        self._batch_shown: tuple[int, bool] | None = None
        self._curves_at = 0.0  # when the loss curves were last redrawn (ms)
        self.controls = PlaygroundControls()
        self.canvas = NetworkCanvas()
        self.plane = PlanePanel()
        self.loss = LossPanel()
        self.narration = QLabel()
        self.narration.setWordWrap(True)
        self.narration.setTextFormat(Qt.TextFormat.RichText)
        self.narration.setFont(ui_font(10))
        self.narration.setMinimumHeight(58)
        self.narration.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.narration.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.timeline = TimelineView(lab, bridge)

        right = QVBoxLayout()
        right.addWidget(self.plane)
        right.addWidget(self.loss, 1)
        self.side = side = QWidget()
        side.setLayout(right)
        self.apply_scale(get_scale())  # built at the zoom of the day
        # the settings and "how to read it" scroll on their own on a short screen, rather
        # than the whole room (or their last lines cut off)
        self.controls_area = QScrollArea()
        self.controls_area.setWidget(self.controls)
        self.controls_area.setWidgetResizable(True)
        self.controls_area.setFrameShape(QFrame.Shape.NoFrame)
        self.controls_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        bar = self.controls_area.verticalScrollBar().sizeHint().width()
        self.controls_area.setFixedWidth(self.controls.minimumWidth() + bar)
        self.controls_area.setMinimumHeight(CONTROLS_MIN_H)
        body = QHBoxLayout()
        body.addWidget(self.controls_area)
        body.addWidget(self.canvas, 1)
        body.addWidget(side)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(body, 1)
        lay.addWidget(self.narration)
        lay.addWidget(self.timeline)

        self.timer = QTimer(self, interval=FRAME_MS, timerType=Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self.tick)
        self._pending = QTimer(self, singleShot=True, interval=0)
        self._pending.timeout.connect(self.refresh)
        self.signals = LabSignals(lab, self)
        self.signals.sigVersion.connect(self._on_version)
        self.signals.sigConfig.connect(self._on_config)
        bridge.sigTrace.connect(self._on_trace)
        bridge.sigCursor.connect(self._on_cursor)
        bridge.connect_relabel(self._relabel)
        c = self.controls
        c.sigPlay.connect(self.toggle_training)
        c.sigStep.connect(self.step_iteration)
        c.sigReset.connect(self.reset)
        c.sigConfigure.connect(self._configure)
        self.canvas.sigEdit.connect(lab.set_weight)
        self.canvas.sigAddLayer.connect(lab.add_layer)
        self.canvas.sigRemoveLayer.connect(lab.remove_layer)
        self.canvas.sigAddNeuron.connect(lab.add_neuron)
        self.canvas.sigRemoveNeuron.connect(lab.remove_neuron)
        self.plane.sigHover.connect(self._on_hover)
        self.plane.sigLeave.connect(self._on_leave)
        self._on_config(lab.config)
        self._relabel(lab.lang)

    @classmethod
    def create(  # type: ignore[override]  # a room factory, not Qt's window hook (docstring)
        cls, parent: QWidget | None = None
    ) -> PlaygroundRoom:
        """A room on a fresh lab and its own bridge. (It shadows QWidget.create, which Qt
        never calls from Python; the rooms' contract names it so.)"""
        from core.basics.playground_lab import PlaygroundLab
        from visualizer.bridge import SessionBridge

        lab = PlaygroundLab()
        bridge = SessionBridge(lab)
        room = cls(lab, bridge, parent)
        bridge.setParent(room)
        return room

    def heightForWidth(self, width: int) -> int:
        """No preferred height for a width: the rooms sit in a scroll area, which gives
        a page that has one at least that height (the sum of the parts' preferred
        heights, 1108 px at 1600 px wide), taller than a 1000 px screen's room, so the
        caption and the timeline went below the fold. Without it the page fills the
        viewport and scrolls only below its minimum size."""
        return -1

    # -- transport ---------------------------------------------------------------------
    def apply_scale(self, scale: float) -> None:
        """The side column (plane, loss chart) at a presentation zoom: it grows with the
        text up to ``SIDE_ZOOM_MAX``, no further, so that the network keeps the room's
        middle on a 1920-wide screen (``presentation.scale`` calls this after a zoom)."""
        self.side.setFixedWidth(round(SIDE_W * min(scale, SIDE_ZOOM_MAX)))

    def toggle_training(self) -> None:
        self.set_training(not self.training)

    def set_training(self, on: bool) -> None:
        self.training = on
        self.canvas.link_budget = LINK_BUDGET_MS if on else None
        if on:
            self.lab.playing = False
            self.timer.start()
        else:
            self.timer.stop()
        self._show_state()

    def step_iteration(self) -> None:
        """Record one iteration and walk through it at the timeline's speed."""
        self.set_training(False)
        self.lab.step_traced()
        self.lab.playing = True

    def reset(self) -> None:
        self.set_training(False)
        self.lab.reset()

    def tick(self) -> None:
        """One frame of Play: a slice of training sized to the budget, then a redraw."""
        t0 = time.perf_counter()
        self.lab.train(self.per_tick)
        t1 = time.perf_counter()
        self.refresh()
        t2 = time.perf_counter()
        spent, drawing = (t1 - t0) * 1e3, (t2 - t1) * 1e3 + self.canvas.paint_ms + OTHER_PAINT_MS
        budget = float(np.clip(FRAME_BUDGET_MS - drawing, 1.0, 8.0))  # what drawing leaves
        wanted = self.per_tick * budget / max(spent, 0.05)
        self.per_tick = int(np.clip(0.5 * self.per_tick + 0.5 * wanted, 1, MAX_PER_TICK))
        self.tick_ms.append((t2 - t0) * 1e3)

    def _configure(self, changes: dict[str, Any]) -> None:
        training = self.training
        self.lab.configure(**changes)
        self.set_training(training and self.lab.iteration > 0)

    # -- drawing -------------------------------------------------------------------------
    def refresh(self) -> None:
        """Redraw from the lab and the cursor; the pictures only when the plane changed."""
        self._pending.stop()
        lab = self.lab
        frame = build_frame(lab)
        self.frame = frame
        animate = lab.animate and frame.stepped and not self.training
        self.canvas.set_frame(frame, self.images.images, animate)  # lays out a new network
        px, dpr = self.canvas.node_px(), self.canvas.devicePixelRatioF()
        fresh = frame.plane is not self._plane_shown or px != self.images.px
        if frame.plane is not None and fresh:
            self._plane_shown = frame.plane
            self.images.update(frame.plane, lab.config.activation, px, dpr)
            self.canvas.images = self.images.images
            self.plane.set_field(class_mix(frame.plane.probs))
        self._show_batch(frame)
        now = time.perf_counter() * 1e3
        if not self.training or now - self._curves_at >= CURVE_MS:
            self._curves_at = now
            h = lab.history
            its = np.fromiter((p.iteration for p in h), float, len(h))
            train = np.fromiter((p.train_loss for p in h), float, len(h))
            test = np.fromiter((p.test_loss for p in h), float, len(h))
            self.loss.set_history(its, train, test, lab.accuracy("test"))
        self._show_state()
        self._show_readout()
        self._show_narration()

    def _on_version(self, _version: int) -> None:
        self._pending.start()  # several changes in one event-loop pass: one redraw

    def _on_trace(self, _trace: object) -> None:
        self.refresh()

    def _on_cursor(self, _i: int) -> None:
        if self.lab.trace.steps:
            self.refresh()

    def _show_batch(self, frame: Frame) -> None:
        shown = (id(self.lab.trace), frame.stepped)
        if shown == self._batch_shown:  # unchanged: no scatter update every frame of Play
            return
        self._batch_shown = shown
        if not frame.stepped:
            self.plane.set_batch(None, None)
            return
        pts = self.lab.data.x_train[frame.batch].numpy()
        self.plane.set_batch(pts, pts[0])

    def _show_state(self) -> None:
        self.controls.show_state(self.training, self.lab.iteration)

    def _on_config(self, config: object) -> None:
        d = self.lab.data
        self.controls.show_config(config, self.training, self.lab.iteration)
        self.plane.set_data(
            d.x_train.numpy(), d.y_train.numpy(), d.x_test.numpy(), d.y_test.numpy()
        )
        self._names()

    def _names(self) -> None:
        lang, d = self.lab.lang, self.lab.data
        feats = [name(f, lang) for f in d.features]
        self.canvas.set_names(lang, feats, [name(c, lang) for c in d.classes])
        self.plane.set_axes(*feats)

    def _relabel(self, lang: str) -> None:
        self.controls.relabel(lang)
        self.loss.relabel(lang)
        self.plane.title.setText(t("boundary", lang))
        self._names()
        self.refresh()

    def _on_hover(self, x: float, y: float) -> None:
        self._hover = (x, y)
        self._show_readout()

    def _on_leave(self) -> None:
        if self._hover is not None:
            self._hover = None
            self._show_readout()

    def _show_readout(self) -> None:
        self.plane.readout.setText(readout_html(self.lab, self.frame, self._hover))

    def _show_narration(self) -> None:
        self.narration.setText(narration_html(self.lab, self.training))
