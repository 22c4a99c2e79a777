"""The head view: query tokens on the left, key tokens on the right, one line per link.

A line's thickness and opacity follow its attention weight; each head has its own
colour (``theme.head_color``) and its lines leave from a slightly shifted point so
heads stay apart. Links whose weight is zero (masked, e.g. a future token in the
decoder) or under 1 % (invisible anyway) are not drawn. Hovering a token isolates
its lines and tints the tokens on the other side by how much they are attended.

Antialiased translucent lines are slow to rasterise, so the lines are drawn once
into an image that is kept until the weights, shown heads, hovered token or size
change; the fade-in (``QVariantAnimation``, 60 fps) and the paler "preview" look
only change the opacity with which that image is painted.

Drawn in design units and scaled as a whole by the presentation zoom, as far as the
widget has room (never below 1): zoomed type in token boxes and header rows of fixed
size overlapped at 150 %. Fonts are made at paint time in design units (the painter
applies the zoom); hovering is mapped back from screen units.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from PySide6.QtCore import QEasingCurve, QPointF, QRectF, Qt, QVariantAnimation, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import QWidget

from visualizer.panels.attention.attention_render import MIN_WEIGHT, plan_links, render_lines
from visualizer.theme import GRID, HIGHLIGHT, MUTED, TEXT, design_font, fit_scale

FADE_MS = 200
PREVIEW = 0.45  # opacity of the lines while they are only a preview (not computed yet)
TOP, BOTTOM, SIDE = 30.0, 8.0, 6.0
MIN_W, MIN_H = 240, 160  # the widget's minimum size (not zoomed)


def _token_font(pitch: float) -> QFont:
    """The tokens' font for a row ``pitch`` (design units)."""
    return design_font(int(max(7, min(13, min(pitch - 3, 34.0) * 0.4))))


class AttentionLines(QWidget):
    """``set_data(weights (H, Tq, Tk), queries, keys)``; heads shown via ``set_heads``.

    ``hovered`` is ``("q", i)``, ``("k", j)`` or None; ``sigHovered(side, index)``
    reports it (side "" and -1 when the pointer leaves the tokens).
    """

    sigHovered = Signal(str, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.weights = np.zeros((0, 0, 0), np.float32)
        self.queries: list[str] = []
        self.keys: list[str] = []
        self.headers = ("", "")
        self.enabled: set[int] = set()
        self.selected = 0
        self.hovered: tuple[str, int] | None = None
        self.progress = 1.0
        self.preview = False
        self.budget = (0, 0)  # (links drawn, links ≥ 1 %) at the last render
        self.budget_text = "{shown} of {total}"
        self._image: QImage | None = None  # the rendered lines, None when stale
        self.setMouseTracking(True)
        self.setMinimumSize(MIN_W, MIN_H)
        self._anim = QVariantAnimation(self)
        self._anim.setStartValue(0.0)
        self._anim.setEndValue(1.0)
        self._anim.setDuration(FADE_MS)
        self._anim.setEasingCurve(QEasingCurve.Type.OutCubic)
        self._anim.valueChanged.connect(self._on_progress)

    # -- state -----------------------------------------------------------------------
    def set_data(
        self,
        weights: np.ndarray,
        queries: Sequence[str],
        keys: Sequence[str],
        animate: bool = False,
    ) -> None:
        w = np.asarray(weights, dtype=np.float32)
        self.weights = w.reshape((1, *w.shape)) if w.ndim == 2 else w
        self.queries, self.keys = list(queries), list(keys)
        if self.hovered and self.hovered[1] >= len(
            self.queries if self.hovered[0] == "q" else keys
        ):
            self.hovered = None
        self._anim.stop()
        self.progress = 0.0 if animate else 1.0
        if animate:
            self._anim.start()
        self._stale()

    def set_heads(self, enabled: Iterable[int], selected: int) -> None:
        enabled = set(enabled)
        if enabled != self.enabled or selected != self.selected:
            self.enabled, self.selected = enabled, selected
            self._stale()

    def set_preview(self, preview: bool) -> None:
        if preview != self.preview:
            self.preview = preview
            self.update()

    def set_headers(self, left: str, right: str) -> None:
        if (left, right) != self.headers:
            self.headers = (left, right)
            self.update()

    def set_hovered(self, hovered: tuple[str, int] | None) -> None:
        if hovered != self.hovered:
            self.hovered = hovered
            self.sigHovered.emit(*(hovered or ("", -1)))
            self._stale()

    def links(self, active_only: bool = False) -> list[tuple[int, int, int, float]]:
        """(head, query, key, weight) of every link drawn (shown heads, weight ≥ 1 %);
        with ``active_only``, only those of the hovered token."""
        active = self._active_mask()
        out = []
        for h in sorted(x for x in self.enabled if x < self.weights.shape[0]):
            keep = (self.weights[h] >= MIN_WEIGHT) & (active if active_only else True)
            for q, k in zip(*np.nonzero(keep), strict=True):
                out.append((h, int(q), int(k), float(self.weights[h, q, k])))
        return out

    # -- geometry --------------------------------------------------------------------
    def drawing_scale(self) -> float:
        """The painter's scale: the zoom, or less where the widget has no room (not
        below 1)."""
        return fit_scale(self.width() / MIN_W, self.height() / MIN_H)

    def _design(self) -> tuple[float, float]:
        """The widget's width and height in design units."""
        s = self.drawing_scale()
        return self.width() / s, self.height() / s

    def _layout(self) -> tuple[float, float, float, float, float]:
        """(pitch, top, label width, left labels' right edge, right labels' left edge),
        in design units."""
        w, h = self._design()
        n = max(len(self.queries), len(self.keys), 1)
        pitch = max(8.0, min(96.0, (h - TOP - BOTTOM) / n))
        fm = QFontMetrics(_token_font(pitch))
        widest = max((fm.horizontalAdvance(t) for t in self.queries + self.keys), default=20)
        lw = min(widest + 18.0, w * 0.3)
        return pitch, TOP, lw, SIDE + lw, w - SIDE - lw

    def _row_y(self, i: int, n: int, pitch: float, top: float) -> float:
        span = self._design()[1] - top - BOTTOM
        return top + (span - n * pitch) / 2 + (i + 0.5) * pitch

    def token_box(self, side: str, i: int) -> QRectF:
        """Token ``i`` of ``side`` ("q" left, "k" right) on screen (widget pixels)."""
        pitch, top, lw, left_x2, right_x1 = self._layout()
        n = len(self.queries if side == "q" else self.keys)
        bh, s = min(pitch - 3, 34.0), self.drawing_scale()
        y = self._row_y(i, n, pitch, top) - bh / 2
        return QRectF((left_x2 - lw if side == "q" else right_x1) * s, y * s, lw * s, bh * s)

    def token_at(self, pos: QPointF) -> tuple[str, int] | None:
        """The token under the screen point ``pos``."""
        pos = pos / self.drawing_scale()
        pitch, top, _, left_x2, right_x1 = self._layout()
        for side, labels, inside in (
            ("q", self.queries, pos.x() <= left_x2 + 8),
            ("k", self.keys, pos.x() >= right_x1 - 8),
        ):
            if inside and labels:
                first = self._row_y(0, len(labels), pitch, top) - pitch / 2
                i = int((pos.y() - first) // pitch)
                if 0 <= i < len(labels):
                    return side, i
        return None

    def _active_mask(self) -> np.ndarray:
        """(Tq, Tk) bool: the links of the hovered token (all links when none is)."""
        mask = np.ones(self.weights.shape[1:], bool)
        if self.hovered is not None:
            side, i = self.hovered
            mask[:] = False
            mask[(i, slice(None)) if side == "q" else (slice(None), i)] = True
        return mask

    # -- events ----------------------------------------------------------------------
    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self.set_hovered(self.token_at(event.position()))
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: object) -> None:
        self.set_hovered(None)

    def resizeEvent(self, event: object) -> None:
        self._image = None

    def _on_progress(self, value: float) -> None:  # the fade runs from 0.0 to 1.0
        self.progress = float(value)
        self.update()

    def _stale(self) -> None:
        self._image = None
        self.update()

    # -- painting --------------------------------------------------------------------
    def paintEvent(self, event: object) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#ffffff"))
        scale = self.drawing_scale()
        w, h = self._design()
        p.scale(scale, scale)
        p.setFont(design_font(9, bold=True))
        p.setPen(QColor(MUTED))
        half = w / 2 - 8
        room = int(half) - int(SIDE)  # the two headers never overlap
        left_text, right_text = (_fit(p.fontMetrics(), text, room) for text in self.headers)
        p.drawText(QRectF(SIDE, 4, half, 20), Qt.AlignmentFlag.AlignLeft, left_text)
        right = QRectF(w - SIDE - half, 4, half, 20)
        p.drawText(right, Qt.AlignmentFlag.AlignRight, right_text)
        if self._image is None or self._image.size() != self.size() * self.devicePixelRatio():
            self._image = self._render_lines()
        p.save()
        p.resetTransform()  # the image is already at the widget's size
        p.setOpacity(self.progress * (PREVIEW if self.preview else 1.0))
        p.drawImage(QPointF(0, 0), self._image)
        p.restore()
        if self.budget[0] < self.budget[1]:
            p.setPen(QColor(MUTED))
            p.setFont(design_font(8))
            text = self.budget_text.format(shown=self.budget[0], total=self.budget[1])
            p.drawText(QRectF(0, h - 16, w, 14), Qt.AlignmentFlag.AlignCenter, text)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._paint_tokens(p)
        p.end()

    def _render_lines(self) -> QImage:
        pitch, top, _, left_x2, right_x1 = self._layout()
        nq, nk = len(self.queries), len(self.keys)
        heads = [h for h in sorted(self.enabled) if h < self.weights.shape[0]]
        active = self._active_mask()
        plan, self.budget = plan_links(self.weights, heads, active, self.hovered is not None)
        return render_lines(
            self.size(),
            self.devicePixelRatio(),
            self.weights,
            heads,
            plan,
            active,
            [self._row_y(i, nq, pitch, top) for i in range(nq)],
            [self._row_y(j, nk, pitch, top) for j in range(nk)],
            (left_x2 + 6, right_x1 - 6, min(3.0, pitch * 0.4 / max(1, len(heads)))),
            self.drawing_scale(),
        )

    def _paint_tokens(self, p: QPainter) -> None:
        pitch, top, lw, left_x2, right_x1 = self._layout()
        p.setFont(_token_font(pitch))
        bh = min(pitch - 3, 34.0)
        tint = self._tint()  # None unless a token is hovered
        hovered_side = self.hovered[0] if self.hovered is not None else None
        for side, labels, x0 in (("q", self.queries, left_x2 - lw), ("k", self.keys, right_x1)):
            for i, text in enumerate(labels):
                box = QRectF(x0, self._row_y(i, len(labels), pitch, top) - bh / 2, lw, bh)
                p.setBrush(QColor(HIGHLIGHT if self.hovered == (side, i) else "#f5f5f7"))
                p.setPen(QPen(QColor(GRID), 1))
                p.drawRoundedRect(box, 4, 4)
                if tint is not None and side != hovered_side:
                    p.setOpacity(float(min(1.0, tint[i])))  # how much it is attended
                    p.setBrush(QColor(HIGHLIGHT))
                    p.drawRoundedRect(box, 4, 4)
                    p.setOpacity(1.0)
                p.setPen(QColor(TEXT))
                align = Qt.AlignmentFlag.AlignRight if side == "q" else Qt.AlignmentFlag.AlignLeft
                shown = p.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, int(lw - 12))
                p.drawText(box.adjusted(6, 0, -6, 0), align | Qt.AlignmentFlag.AlignVCenter, shown)

    def _tint(self) -> np.ndarray | None:
        """Mean weight (over shown heads) from/to the hovered token, for the other side."""
        heads = [h for h in self.enabled if h < self.weights.shape[0]]
        if self.hovered is None or not heads:
            return None
        side, i = self.hovered
        w = self.weights[heads]
        return w[:, i, :].mean(0) if side == "q" else w[:, :, i].mean(0)


def _fit(fm: QFontMetrics, header: str, room: int) -> str:
    """A column header in ``room`` pixels: whole ("Queries · prompt + answer"), else what
    the column holds ("prompt + answer": the heatmap's title says rows are queries),
    else elided."""
    if fm.horizontalAdvance(header) <= room:
        return header
    what = header.split(" · ", 1)[-1]
    if fm.horizontalAdvance(what) <= room:
        return what
    return fm.elidedText(header, Qt.TextElideMode.ElideRight, room)
