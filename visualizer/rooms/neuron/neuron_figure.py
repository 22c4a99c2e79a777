"""The classic neuron figure, painted: inputs → weighted connections → Σ + b → f → z → loss.

Everything drawn comes from a ``FigureState`` (the trace up to the cursor): a value
appears when the run produces it, the part of the figure the current step is about
glows in its phase's colour, gradients are written in the backward colour as ∂L/∂…,
and at an update step the weights read "before → after" and the lines take their new
width. Painting is a few dozen primitives, well under a millisecond; a cursor change
only swaps the state and schedules a repaint (plus a short glow fade when animating).
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, QVariantAnimation
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from visualizer.rooms.neuron.neuron_paint import (
    arrow,
    circle,
    curve_box,
    font,
    halo,
    pill,
    weight_color,
    weight_width,
)
from visualizer.rooms.neuron.neuron_state import FigureState
from visualizer.rooms.neuron.neuron_text import FEATURES, act_name, num, t
from visualizer.theme import HIGHLIGHT, MUTED, PHASE_COLORS, TEXT, get_scale

GRAD_COLOR = PHASE_COLORS["backward"]
UPD_COLOR = PHASE_COLORS["update"]
FWD_COLOR = PHASE_COLORS["forward"]
CENTER = Qt.AlignmentFlag.AlignCenter


INPUT_TOP = 64.0  # the first input's centre from the top: its name (18 px) above the circle
SMALLEST = (640, 240)  # the widget's minimum size
# The smallest drawing whose labels clear each other (design pixels): narrower, the
# weight's pill runs into its product's and the target's into the loss's; lower, an
# input's name runs into the circle above it. A smaller widget draws it smaller (at
# 200 % on a 1366-pixel screen the controls leave 640 pixels).
DESIGN = (780, 290)


class NeuronFigure(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = FigureState()
        self.lang = "en"
        self.activation = "identity"
        self.curve = (np.linspace(-4, 4, 2), np.linspace(-4, 4, 2))
        self.glow = 1.0
        self._halos: list[tuple[QRectF, bool]] = []
        self._rb = 50.0
        self._fade = QVariantAnimation(self)
        self._fade.setDuration(220)
        self._fade.setStartValue(0.0)
        self._fade.setEndValue(1.0)
        self._fade.valueChanged.connect(self._on_fade)
        self.setMinimumSize(*SMALLEST)  # it scales its drawing to the room it gets
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_state(self, state: FigureState, animate: bool = False) -> None:
        moved = state.step is not self.state.step
        self.state = state
        self._fade.stop()  # a fade still running would overwrite the glow set below
        if animate and moved:
            self._fade.start()
        else:
            self.glow = 1.0
        self.update()

    def set_curve(self, activation: str, xs: np.ndarray, ys: np.ndarray) -> None:
        self.activation, self.curve = activation, (xs, ys)
        self.update()

    def _on_fade(self, v: float) -> None:  # the fade runs from 0.0 to 1.0
        self.glow = float(v)
        self.update()

    # -- painting --------------------------------------------------------------------------
    def paintEvent(self, _e: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        st = self.state
        k = self.scale_factor()
        p.scale(k, k)  # drawn in design pixels, then scaled: labels grow with the drawing
        W, H = self.width() / k, self.height() / k
        self._halos = []
        # the first input's name sits 28 px above its 30 px circle: keep it on the canvas
        # ("a1 · 日照" was cut at the top of a short figure), the last circle too
        ys = (max(INPUT_TOP, H * 0.17), H * 0.52, min(H * 0.87, H - 34))
        ins = [QPointF(60, y) for y in ys]
        body = QPointF(W * 0.49, H * 0.52)
        weights = st.w_after if st.w_after is not None else st.w
        for c, w in zip(ins, weights, strict=True):  # connections under every label
            p.setPen(QPen(weight_color(w), weight_width(w)))
            p.drawLine(c, body)
            if "neuron.w" in st.grad and st.phase == "backward":
                p.setPen(QPen(QColor(GRAD_COLOR), 2, Qt.PenStyle.DashLine))
                p.drawLine(c, body)
        for i, c in enumerate(ins):
            self._input(p, i, c)
            self._connection_labels(p, i, c, body, weights)
        self._body(p, body, H)
        self._activation_and_output(p, body, W, H)
        color = PHASE_COLORS.get(st.phase, TEXT)
        for rect, round_ in self._halos:
            halo(p, rect, color, self.glow, round_)

    def scale_factor(self) -> float:
        """How much the design drawing (``DESIGN``) is enlarged: the presentation zoom,
        as far as the widget holds the drawing at that zoom (less than 1 where the
        widget is narrower than the design).
        Scaling the whole drawing, rather than its fonts alone, keeps every label clear
        of its neighbours at 200 % ("a2 · water" over "w1 = 0.14", "= identit" cut)."""
        fit = min(self.width() / DESIGN[0], self.height() / DESIGN[1])
        return max(0.1, min(get_scale(), fit))

    def _mark(self, rect: QRectF, *parts: str, round_: bool = False) -> None:
        if self.state.focus in parts:
            self._halos.append((rect, round_))

    def _input(self, p: QPainter, i: int, c: QPointF) -> None:
        st = self.state
        r = circle(p, c, 30, num(st.a[i], 2) if st.a else "?", active=st.a is not None)
        p.setFont(font(10, True))
        p.setPen(QColor(TEXT))
        label = f"a{i + 1} · {t(FEATURES[i], self.lang)}"
        left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        p.drawText(QRectF(4, r.top() - 28, 150, 18), left, label)  # clear of the weight pill
        self._mark(r, "inputs", round_=True)

    def _connection_labels(
        self, p: QPainter, i: int, c: QPointF, body: QPointF, weights: list[float]
    ) -> None:
        st, n = self.state, i + 1

        def along(f: float) -> QPointF:
            return QPointF(c.x() + (body.x() - c.x()) * f, c.y() + (body.y() - c.y()) * f)

        updating = st.w_after is not None
        lines: list[tuple[str, str | QColor]] = [
            (
                f"w{n}: {num(st.w[i])} → {num(weights[i])}"
                if updating
                else f"w{n} = {num(st.w[i])}",
                TEXT,
            )
        ]
        g = st.g("neuron.w", i)
        if g is not None:
            lines.append((f"∂L/∂w{n} = {num(g)}", GRAD_COLOR))
        border = UPD_COLOR if updating else weight_color(weights[i], 1.0)
        self._mark(pill(p, along(0.3), lines, border=border, bold=True), "weights")
        if st.wa is not None:
            prod: list[tuple[str, str | QColor]] = [(f"w{n}·a{n} = {num(st.wa[i])}", FWD_COLOR)]
            gw = st.g("neuron.weighted", i)
            if gw is not None:
                prod.append((f"∂L/∂(w{n}·a{n}) = {num(gw)}", GRAD_COLOR))
            self._mark(pill(p, along(0.66), prod, face=font(9)), "weighted")

    def _body(self, p: QPainter, body: QPointF, H: float) -> None:
        st = self.state
        rb = min(50.0, H * 0.13)
        top = QPointF(body.x(), H * 0.08)
        arrow(p, QPointF(body.x(), top.y() + 12), QPointF(body.x(), body.y() - rb - 2))
        lines: list[tuple[str, str | QColor]] = [(f"b = {num(st.b)}", TEXT)]
        if st.b_after is not None:
            lines = [(f"b: {num(st.b)} → {num(st.b_after)}", TEXT)]
        if st.g("neuron.b") is not None:
            lines.append((f"∂L/∂b = {num(st.g('neuron.b') or 0.0)}", GRAD_COLOR))
        border = UPD_COLOR if st.b_after is not None else MUTED
        br = pill(
            p, QPointF(top.x(), top.y() + 6 * (len(lines) - 1)), lines, border=border, bold=True
        )
        self._mark(br, "bias")
        sub = f"s = {num(st.s)}" if st.s is not None else "+ b"
        self._mark(circle(p, body, rb, "Σ", sub, st.s is not None), "sum", round_=True)
        self._rb = rb

    def _activation_and_output(self, p: QPainter, body: QPointF, W: float, H: float) -> None:
        st, lang = self.state, self.lang
        box = QRectF(W * 0.615, body.y() - 62, W * 0.16, 124)
        arrow(p, QPointF(body.x() + self._rb + 2, body.y()), QPointF(box.left() - 3, body.y()))
        done = st.z is not None and st.s is not None
        slope = _slope(st) if "neuron.sum" in st.grad else None
        point = (st.s or 0.0, st.z or 0.0) if done else None
        curve_box(p, box, *self.curve, point, slope, HIGHLIGHT, GRAD_COLOR)
        p.setFont(font(10, True))
        p.setPen(QColor(TEXT))
        name = f"f = {act_name(self.activation, lang)}"
        p.drawText(QRectF(box.left() - 20, box.top() - 30, box.width() + 40, 18), CENTER, name)
        if st.g("neuron.sum") is not None:
            gs = f"∂L/∂s = {num(st.g('neuron.sum') or 0.0)}"
            if slope is not None:
                gs += f"   (f′(s) = {num(slope)})"
            pill(p, QPointF(box.center().x(), box.bottom() + 18), gs, GRAD_COLOR, border=GRAD_COLOR)
        self._mark(box, "act", "slope")
        out = QPointF(W * 0.895, H * 0.34)
        arrow(p, QPointF(box.right() + 3, body.y()), QPointF(out.x() - 34, out.y() + 12))
        zr = circle(p, out, 34, num(st.z) if st.z is not None else "z", active=st.z is not None)
        p.setFont(font(10, True))
        p.setPen(QColor(TEXT))
        p.drawText(QRectF(out.x() - 80, zr.top() - 30, 160, 18), CENTER, t("output", lang))
        self._mark(zr, "act", "out", round_=True)
        if st.has_target:
            self._loss_part(p, out, zr, W, H)

    def _loss_part(self, p: QPainter, out: QPointF, zr: QRectF, W: float, H: float) -> None:
        st, lang = self.state, self.lang
        loss_c, target_c = QPointF(out.x(), H * 0.86), QPointF(W * 0.7, H * 0.86)
        p.setPen(QPen(QColor(MUTED), 1.5, Qt.PenStyle.DashLine))
        p.drawLine(QPointF(out.x(), zr.bottom()), loss_c)
        p.drawLine(target_c, loss_c)
        has_y = st.y is not None
        yt = f"{t('target', lang)} = {num(st.y)}" if st.y is not None else t("target", lang)
        self._mark(pill(p, target_c, yt, TEXT if has_y else MUTED, bold=True), "target")
        if st.g("neuron.out") is not None:
            mid = QPointF(out.x(), (zr.bottom() + loss_c.y()) / 2 - 6)
            gz = f"∂L/∂z = {num(st.g('neuron.out') or 0.0)}"
            pill(p, mid, gz, GRAD_COLOR, border=GRAD_COLOR)
        loss_color = PHASE_COLORS["loss"] if st.loss is not None else MUTED
        lines: list[tuple[str, str | QColor]] = [
            ("L = (z − y)²" + (f" = {num(st.loss)}" if st.loss is not None else ""), loss_color)
        ]
        if st.g("loss") is not None:
            lines.append(("∂L/∂L = 1", GRAD_COLOR))
        lr_ = pill(p, loss_c, lines, border=loss_color, bold=True)
        self._mark(lr_, "loss")


def _slope(st: FigureState) -> float | None:
    """f′(s) as the trace implies it: ∂L/∂s ÷ ∂L/∂z (None where ∂L/∂z is 0)."""
    gz, gs = st.g("neuron.out"), st.g("neuron.sum")
    if gz is None or gs is None or gz == 0 or not math.isfinite(gz):
        return None
    return gs / gz
