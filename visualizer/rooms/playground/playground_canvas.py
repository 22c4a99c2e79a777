"""The network canvas: neurons as pictures of their output, links you can click to edit.

Built once; ``set_frame`` replaces what is drawn and repaints. Layer and neuron
counts change through +/− buttons that live on the canvas above their columns (they
only emit signals; the room asks the lab). A click on a link opens a small spin box
right there (no dialog); Enter applies the weight, Escape cancels. With animation on,
link widths glide from the previous frame's weights to the new ones (~220 ms), which
is what makes an update step visible.
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QEasingCurve, QRect, Qt, QVariantAnimation, Signal, SignalInstance
from PySide6.QtGui import QColor, QFontMetrics, QMouseEvent, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QToolButton, QWidget

from visualizer.rooms.playground.playground_colors import GRAD_LUT, WEIGHT_LUT
from visualizer.rooms.playground.playground_editor import WeightEditor
from visualizer.rooms.playground.playground_frame import Frame
from visualizer.rooms.playground.playground_geometry import MARGIN_L, MARGIN_R, Geometry, Link
from visualizer.rooms.playground.playground_links import LinkLayers
from visualizer.rooms.playground.playground_paint import (
    link_hint,
    paint_hover,
    paint_legend,
    paint_loss,
    paint_nodes,
    paint_sides,
    paint_values,
)
from visualizer.rooms.playground.playground_text import t
from visualizer.theme import MUTED, TEXT, get_scale, ui_font

MAX_LAYERS = 6
HEADER_H = 56  # the +/− buttons live above this line
NETWORK_MIN_W = 280  # px between the side margins at zoom 1: the columns of neurons


class NetworkCanvas(QWidget):
    sigEdit = Signal(str, int, int, float)  # layer, source neuron, target neuron, weight
    sigAddLayer = Signal()
    sigRemoveLayer = Signal()
    sigAddNeuron = Signal(int)  # hidden layer index from 0
    sigRemoveNeuron = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._minimum(get_scale())
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMouseTracking(True)
        self.frame: Frame | None = None
        self.images: dict[str, list] = {}
        self.geo: Geometry | None = None
        self.lang = "en"
        self.features: list[str] = []
        self.classes: list[str] = []
        self.hover: Link | None = None
        self.links = LinkLayers()
        self.paint_ms = 0.0  # how long the last paint took (Play sizes its slices by it)
        self.link_budget: float | None = None  # ms of link drawing per frame (while playing)
        self._shown: dict[str, np.ndarray] = {}  # weights drawn now (mid-animation too)
        self._from: dict[str, np.ndarray] = {}
        self._anim = QVariantAnimation(self, duration=220, startValue=0.0, endValue=1.0)
        self._anim.setEasingCurve(QEasingCurve.Type.OutCubic)
        self._anim.valueChanged.connect(self._blend)
        self.layer_buttons = [
            self._button("+", self.sigAddLayer),
            self._button("−", self.sigRemoveLayer),
        ]
        self.neuron_buttons: list[tuple[QToolButton, QToolButton]] = []
        for i in range(MAX_LAYERS):
            plus = self._button("+", None)
            minus = self._button("−", None)
            plus.clicked.connect(lambda _=False, i=i: self.sigAddNeuron.emit(i))
            minus.clicked.connect(lambda _=False, i=i: self.sigRemoveNeuron.emit(i))
            self.neuron_buttons.append((plus, minus))
        self.editor = WeightEditor(self)
        self.editor.sigCommit.connect(
            lambda link, value: self.sigEdit.emit(link.layer, link.src, link.dst, value)
        )

    def _button(self, text: str, signal: SignalInstance | None) -> QToolButton:
        b = QToolButton(self)
        b.setText(text)
        b.setFont(ui_font(11, bold=True))
        z = get_scale()  # built at the zoom of the day (presentation.scale zooms it later)
        b.setFixedSize(round(24 * z), round(22 * z))
        if signal is not None:
            b.clicked.connect(signal.emit)
        return b

    # -- state ---------------------------------------------------------------------------
    def set_frame(self, frame: Frame, images: dict[str, list], animate: bool) -> None:
        rebuilt = self.frame is None or frame.sizes != self.frame.sizes
        self.frame, self.images = frame, images
        if rebuilt or self.geo is None:
            self._layout()
        same = set(self._shown) == set(frame.weights) and all(
            self._shown[k].shape == v.shape for k, v in frame.weights.items()
        )
        changed = same and any(
            not np.array_equal(self._shown[k], v) for k, v in frame.weights.items()
        )
        if animate and changed:
            self._from = {k: v.copy() for k, v in self._shown.items()}
            self._anim.stop()
            self._anim.start()
        else:
            self._anim.stop()
            self._shown = dict(frame.weights)
        if rebuilt:
            self.update()
        else:  # not the header: its buttons would repaint too, every frame of Play
            head = round(HEADER_H * get_scale())
            self.update(0, head, self.width(), self.height() - head)

    def node_px(self) -> int:
        """The side of a neuron's picture in pixels (device pixels on a HiDPI screen)."""
        return int(self.geo.size * self.devicePixelRatioF()) if self.geo is not None else 0

    def set_names(self, lang: str, features: list[str], classes: list[str]) -> None:
        self.lang, self.features, self.classes = lang, features, classes
        self.layer_buttons[0].setToolTip(t("add_layer", lang))
        self.layer_buttons[1].setToolTip(t("remove_layer", lang))
        for plus, minus in self.neuron_buttons:
            plus.setToolTip(t("add_neuron", lang))
            minus.setToolTip(t("remove_neuron", lang))
        self.editor.setToolTip(t("edit_tip", lang))
        self._layout()  # the side margins follow the names' widths
        self.update()

    def _blend(self, value: float) -> None:  # the animation runs from 0.0 to 1.0
        a = float(value)
        if self.frame is not None:
            target = self.frame.weights
            self._shown = {k: self._from[k] + (target[k] - self._from[k]) * a for k in target}
        self.update()

    # -- layout --------------------------------------------------------------------------
    def _layout(self) -> None:
        if self.frame is None:
            return
        f = self.frame
        z = get_scale()  # the header's texts and buttons grow with the presentation zoom
        fm = QFontMetrics(ui_font(9))  # the side names' font (playground_paint.paint_sides)
        left = max((fm.horizontalAdvance(n) for n in self.features), default=0) + 20
        right = max((fm.horizontalAdvance(n) for n in self.classes), default=0) + 36
        self.geo = Geometry(self.width(), self.height(), f.columns, f.sizes, z, (left, right))
        hidden = f.columns[1:-1]
        cx = self.width() / 2
        add, remove = self.layer_buttons
        add.move(int(cx - 150 * z), round(6 * z))
        remove.move(add.x() + add.width() + round(4 * z), round(6 * z))
        for i, (plus, minus) in enumerate(self.neuron_buttons):
            visible = i < len(hidden)
            plus.setVisible(visible)
            minus.setVisible(visible)
            if visible:
                x, y = self.geo.xs[i + 1], self.geo.top - round(60 * z)
                plus.move(int(x - plus.width() - 2 * z), y)
                minus.move(int(x + 2 * z), y)
        self.layer_buttons[0].setEnabled(len(hidden) < MAX_LAYERS)
        self.layer_buttons[1].setEnabled(len(hidden) > 0)
        self.hover = None

    def _minimum(self, zoom: float) -> None:
        """Wide enough for the zoomed margins (feature and class names, the header's
        buttons) and a network between them; a short room scrolls instead."""
        wide = MARGIN_L + MARGIN_R + round(NETWORK_MIN_W * zoom)
        self.setMinimumSize(max(560, wide), 420)

    def apply_scale(self, scale: float) -> None:
        """The presentation zoom changed (the buttons' sizes already follow it): place
        the header's buttons and the network for the new text sizes."""
        self._minimum(scale)
        self._layout()
        self.update()

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._layout()
        super().resizeEvent(event)

    # -- painting ------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        t0 = time.perf_counter()
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("white"))
        if self.frame is None or self.geo is None:
            return
        f, geo, lang = self.frame, self.geo, self.lang
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        self._paint_headers(p)
        self.links.paint(p, geo, f, self._shown, self.devicePixelRatioF(), self.link_budget)
        paint_hover(p, self.hover)
        paint_nodes(p, geo, f, self.images)
        paint_values(p, geo, f)
        paint_sides(p, geo, f, self.features, self.classes)
        paint_loss(p, geo, f, t("loss_badge", lang))
        legend = [(WEIGHT_LUT, t("legend_w", lang))]
        if f.link_mode:
            key = "legend_u" if "update" in f.link_mode.values() else "legend_g"
            legend.append((GRAD_LUT, t(key, lang)))
        paint_legend(p, 24, self.height() - 24, legend)
        p.setPen(QColor(MUTED))
        p.setFont(ui_font(9))
        hint = t("edit_tip", lang)
        if self.hover is not None and self.hover.layer in f.weights:
            hint = link_hint(f, self.hover, lang)
        rect = self.rect().adjusted(0, 0, -16, -10)
        p.drawText(rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom, hint)
        p.end()
        self.paint_ms = (time.perf_counter() - t0) * 1e3

    def _paint_headers(self, p: QPainter) -> None:
        assert self.frame is not None and self.geo is not None
        f, geo, lang = self.frame, self.geo, self.lang
        p.setPen(QColor(TEXT))
        p.setFont(ui_font(11, bold=True))
        n = len(f.columns) - 2
        z = get_scale()
        right = self.layer_buttons[1]
        title = f"{n} {t('hidden' if n != 1 else 'hidden1', lang)}"
        p.drawText(right.x() + right.width() + round(8 * z), round(23 * z), title)
        p.setFont(ui_font(9))
        for col, x, size in zip(f.columns, geo.xs, f.sizes, strict=True):
            if col == "input":
                label = t("input", lang)
            elif col == "out":
                label = t("output", lang)
            else:
                label = f"{size} {t('neurons' if size > 1 else 'neuron1', lang)}"
            p.setPen(QColor(TEXT if col in f.lit else MUTED))
            box = QRect(int(x - 60 * z), geo.top - round(32 * z), round(120 * z), round(18 * z))
            p.drawText(box, Qt.AlignmentFlag.AlignCenter, label)

    # -- mouse ---------------------------------------------------------------------------
    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self.geo is not None:
            pos = event.position()
            link = self.geo.link_at(pos.x(), pos.y())
            if link != self.hover:
                self.hover = link
                self.setCursor(
                    Qt.CursorShape.PointingHandCursor if link else Qt.CursorShape.ArrowCursor
                )
                self.update()
        super().mouseMoveEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self.geo is None or event.button() != Qt.MouseButton.LeftButton:
            return
        pos = event.position()
        link = self.geo.link_at(pos.x(), pos.y())
        if link is None or link.layer not in self._shown:
            self.editor.close_editor()
            return
        self.open_editor(link, int(pos.x()), int(pos.y()))

    def open_editor(self, link: Link, x: int, y: int) -> None:
        self.editor.open_at(link, float(self._shown[link.layer][link.dst, link.src]), x, y)
