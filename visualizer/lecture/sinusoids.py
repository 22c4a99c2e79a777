"""The positional encoding drawn as waves: the figure of the embeddings chapter.

The encoding adds to position p the vector PE[p, 2i] = sin(p / 10000^(2i/d)),
PE[p, 2i+1] = cos(...): each pair of dimensions is a wave of its own wavelength, fast
in the first dimensions and slow in the last, so every position gets a distinct
pattern. A heatmap of the (tokens × 64) tensor shows stripes; four of its dimensions
drawn as curves show *why*. The dots are the traced numbers (``src.pos`` of the
current trace, one per source token); the curves between them are the same formula
evaluated between whole positions, where no token sits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from visualizer.i18n import tr
from visualizer.theme import HEAD_COLORS, ui_font

if TYPE_CHECKING:
    from core.session import Session
    from visualizer.bridge import SessionBridge

DIMS = (0, 4, 10, 20)  # even dimensions: sine waves of growing wavelength
STRINGS = {
    "dim": {"en": "dim {d}", "zh": "第 {d} 维"},
    "none": {"en": "no sinusoidal positions in this trace", "zh": "此轨迹没有正弦位置编码"},
}


def wave(p: np.ndarray, dim: int, d_model: int) -> np.ndarray:
    """PE[p, dim] of the paper's encoding at (possibly fractional) positions ``p``."""
    i = dim // 2
    angle = p / 10000 ** (2 * i / d_model)
    return np.sin(angle) if dim % 2 == 0 else np.cos(angle)


class SinusoidFigure(QWidget):
    def __init__(
        self, session: Session, bridge: SessionBridge, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.values: np.ndarray | None = None  # (tokens, d_model): the traced src.pos
        self.tokens: list[str] = []
        self.setMinimumSize(520, 200)
        self.setMaximumWidth(620)
        self.refresh()
        bridge.sigTrace.connect(self.refresh)
        bridge.connect_relabel(lambda _l: self.update(), owner=self)

    def refresh(self) -> None:
        trace = self.session.trace
        sinusoidal = getattr(self.session.bundle.cfg, "positions", "sinusoidal") == "sinusoidal"
        if sinusoidal and "src.pos" in trace.tensors:
            self.values = np.asarray(trace.value("src.pos"))[0]  # (1, S, D) -> (S, D)
            self.tokens = list(trace.meta.get("src_tokens", []))
        else:
            self.values, self.tokens = None, []
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        lang = self.session.lang
        if self.values is None:
            p.setPen(QColor("#c9ccd4"))
            p.setFont(ui_font(12))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, tr(STRINGS["none"], lang))
            p.end()
            return
        n, d_model = self.values.shape
        area = QRectF(48, 34, self.width() - 60, self.height() - 66)
        span = max(n - 1, 1) + 0.5

        def to_xy(x: float, y: float) -> QPointF:
            return QPointF(
                area.left() + x / span * area.width(),
                area.center().y() - y * area.height() / 2,
            )

        p.setPen(QPen(QColor("#4a4e57"), 1))
        for y in (-1.0, 0.0, 1.0):
            p.drawLine(to_xy(0, y), to_xy(span, y))
        p.setFont(ui_font(10))
        p.setPen(QColor("#aeb2bc"))
        for y in (-1, 0, 1):
            pt = to_xy(0, y)
            p.drawText(
                QRectF(0, pt.y() - 9, 40, 18), Qt.AlignmentFlag.AlignRight, ("−1", "0", "1")[y + 1]
            )
        xs = np.linspace(0.0, span, 240)
        legend_x = area.left()
        for k, dim in enumerate(DIMS):
            if dim >= d_model:
                continue
            color = QColor(HEAD_COLORS[k % len(HEAD_COLORS)])
            path = QPainterPath(to_xy(xs[0], float(wave(xs[:1], dim, d_model)[0])))
            for x, y in zip(xs[1:], wave(xs[1:], dim, d_model), strict=True):
                path.lineTo(to_xy(float(x), float(y)))
            p.setPen(QPen(color, 2.5))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawPath(path)
            p.setBrush(color)
            p.setPen(QPen(QColor("#ffffff"), 1.5))
            for pos in range(n):
                p.drawEllipse(to_xy(pos, float(self.values[pos, dim])), 5.5, 5.5)
            p.setFont(ui_font(12, True))
            p.setPen(color)
            label = tr(STRINGS["dim"], lang).format(d=dim)
            p.drawText(QRectF(legend_x, 4, 150, 24), Qt.AlignmentFlag.AlignLeft, label)
            legend_x += p.fontMetrics().horizontalAdvance(label) + 22
        p.setFont(ui_font(12))
        p.setPen(QColor("#ffffff"))
        for pos, tok in enumerate(self.tokens[:n]):
            pt = to_xy(pos, -1.0)
            p.drawText(
                QRectF(pt.x() - 50, area.bottom() + 6, 100, 22), Qt.AlignmentFlag.AlignCenter, tok
            )
        p.end()
