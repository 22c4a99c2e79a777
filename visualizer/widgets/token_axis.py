"""A bottom axis whose token labels turn vertical when they do not fit side by side.

Every label given is drawn (none dropped at the ends, so index 0 is always named).

pyqtgraph drops tick labels that overlap or poke out of the axis, so a 6-column
attention matrix with narrow cells would show one token of six. Rotated labels need
one line-height per column instead of one word-width, so every token stays named.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter


class TokenAxis(pg.AxisItem):
    """``rotate = True`` draws each tick label turned 90° (reading upwards)."""

    def __init__(self) -> None:
        super().__init__("bottom")
        self.rotate = False

    def drawPicture(
        self,
        p: QPainter,
        axisSpec: object,
        tickSpecs: list,
        textSpecs: list,
    ) -> None:
        levels = getattr(self, "_tickLevels", None)
        labels = [s for _, s in levels[0]] if levels else []
        if len(labels) != len(tickSpecs):
            super().drawPicture(p, axisSpec, tickSpecs, textSpecs)
            return
        # every label is drawn here: pyqtgraph drops one that pokes past the axis' end,
        # which loses the "0" under a narrow first column
        super().drawPicture(p, axisSpec, tickSpecs, [])
        if self.style["tickFont"] is not None:
            p.setFont(self.style["tickFont"])
        p.setPen(self.textPen())
        p.setClipping(False)  # the first and last labels may reach past the axis ends
        height = self.boundingRect().height()
        line = p.fontMetrics().height()
        for (_, p1, _), text in zip(tickSpecs, labels, strict=True):
            if not self.rotate:
                wide = p.fontMetrics().horizontalAdvance(text) + 4
                p.drawText(
                    QRectF(p1.x() - wide / 2, 2, wide, line),
                    int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop),
                    text,
                )
                continue
            p.save()
            p.translate(p1.x(), 3)
            p.rotate(-90)
            p.drawText(
                QRectF(-height, -line / 2, height - 2, line),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                text,
            )
            p.restore()
