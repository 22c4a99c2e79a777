"""Heatmaps joined by op symbols ("x + sublayer(x) = …"), placed like on a blackboard.

The strip places its children itself. Panels of one equation share a cell size, so
rows and columns of related matrices line up; it puts them side by side or stacked,
whichever gives bigger cells (wide 6×64 activations stack). A product A · B = C is
drawn as a grid: B above C, A left of C, so row i of A and column j of B meet at
cell (i, j). "Free" panels (token ids, a big parameter) get their own cell size in a
bounded box so they never crowd out the output. Panels are created once, then only
shown, hidden and moved.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QRect, QSize, Qt, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QLabel, QWidget

from visualizer.theme import MUTED, TEXT, get_scale, ui_font
from visualizer.widgets.heatmap import Heatmap

MAX_CELL = 96.0  # cells never grow beyond this many pixels
MIN_CELL = 20.0  # a cell may be stretched up to this size along its short side
ASPECT = 2.0  # otherwise a cell is at most this many times taller than wide (and vice versa)
OP_W, OP_H = 46, 34  # room for an op label between two panels
MIN_PANEL_W = 170
MIN_AREA = 40.0
FREE_CELL = 28.0  # cell size cap of a free panel
FREE_FRAC = 0.3  # a free panel takes at most this share of the strip's length
MARGIN = 6
VERTICAL = {"→": "↓", "⟵": "↑"}


class OpLabel(QWidget):
    """A big symbol ("·", "+", "→") over a small caption ("softmax")."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.symbol = QLabel()
        self.symbol.setFont(ui_font(18, bold=True))
        self.symbol.setStyleSheet(f"color: {TEXT}")
        self.caption = QLabel()
        self.caption.setFont(ui_font(8))
        self.caption.setStyleSheet(f"color: {MUTED}")
        self.caption.setWordWrap(True)
        for w in (self.symbol, self.caption):
            w.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.lay = QBoxLayout(QBoxLayout.Direction.TopToBottom, self)
        self.lay.setContentsMargins(0, 0, 0, 0)
        self.lay.setSpacing(0)
        self.lay.addStretch(1)
        self.lay.addWidget(self.symbol)
        self.lay.addWidget(self.caption)
        self.lay.addStretch(1)

    def set_op(self, symbol: str, caption: str, vertical: bool = False) -> None:
        """In a stacked strip the symbol and caption sit side by side, arrows point down."""
        if vertical:
            symbol = VERTICAL.get(symbol, symbol)
        self.symbol.setFont(ui_font(18 if len(symbol) <= 2 else 14, bold=True))
        self.symbol.setText(symbol)
        self.caption.setText(caption)
        self.caption.setVisible(bool(caption))
        self.caption.setWordWrap(not vertical)
        self.lay.setDirection(
            QBoxLayout.Direction.LeftToRight if vertical else QBoxLayout.Direction.TopToBottom
        )
        self.lay.setSpacing(8 if vertical else 0)


class PanelStrip(QWidget):
    """``set_shapes([(rows, cols), …], ops)`` lays out the first n heatmaps."""

    def __init__(self, count: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.panels = [Heatmap(parent=self) for _ in range(count)]
        self.ops = [OpLabel(self) for _ in range(count)]  # ops[i] sits before panels[i]
        self.shapes: list[tuple[int, int]] = []
        self.op_texts: list[tuple[str, str]] = []
        self.free: list[bool] = []
        self.grid = False
        self.vertical = False
        self._soon = QTimer(self)  # dies with the strip, unlike a bare singleShot
        self._soon.setSingleShot(True)
        self._soon.setInterval(0)
        self._soon.timeout.connect(self._layout)
        for w in (*self.panels, *self.ops):
            w.hide()
        for p in self.panels:
            p.sigChrome.connect(self._layout_soon)

    def set_shapes(
        self,
        shapes: list[tuple[int, int]],
        ops: list[tuple[str, str]],
        free: list[bool] | None = None,
        grid: bool = False,
    ) -> None:
        """Show ``len(shapes)`` panels (already filled) with ``ops[i]`` before panel i;
        ``grid``: the three panels are A · B = C."""
        self.shapes, self.op_texts = shapes, ops
        self.free = free or [False] * len(shapes)
        self.grid = (
            grid
            and len(shapes) == 3
            and shapes[0][0] == shapes[2][0]
            and shapes[1][1] == shapes[2][1]
        )
        for i, (panel, op) in enumerate(zip(self.panels, self.ops, strict=True)):
            on = i < len(shapes)
            panel.setVisible(on)
            op.setVisible(on and i > 0 and not (self.grid and i == 2))
        self.updateGeometry()  # the readable minimum follows the panels
        self._layout()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._layout()

    def minimumSizeHint(self) -> QSize:
        """At least the largest shown panel's readable size (``Heatmap.minimumSizeHint``)
        in each direction: a smaller room (the centre under a chapter's narration, at
        presentation zoom) scrolls instead of squeezing the cells to nothing."""
        shown = [p.minimumSizeHint() for p in self.panels[: len(self.shapes)]]
        if not shown:
            return super().minimumSizeHint()
        if self.grid:  # A left of C (their rows shared), B above C (columns shared)
            a, b, c = shown
            w = a.width() + max(b.width(), c.width())
            h = b.height() + max(a.height(), c.height())
        else:  # side by side (the strip stacks them only when that gives bigger cells)
            w = sum(s.width() for s in shown) + (len(shown) - 1) * self._op_w()
            h = max(s.height() for s in shown)
        return QSize(w + 2 * MARGIN, h + 2 * MARGIN)

    # -- geometry --------------------------------------------------------------------
    def _op_w(self) -> int:
        """Room for an op between two panels side by side: its caption's longest word
        ("cross-entropy") whole, at least ``OP_W`` at the zoom."""
        words = [w for _, caption in self.op_texts[1:] for w in caption.split()]
        fm = self.ops[0].caption.fontMetrics()
        return max([_least_op_w(), *(fm.horizontalAdvance(w) + 8 for w in words)])

    def _layout_soon(self) -> None:
        """A panel's labels turned (its axis grew): lay out again once control returns
        to the event loop, never from inside the resize that caused it."""
        self._soon.start()

    def _layout(self) -> None:
        self._soon.stop()
        if self.shapes:
            self._grid() if self.grid else self._line()

    def _area(self) -> tuple[float, float]:
        return self.width() - 2 * MARGIN, self.height() - 2 * MARGIN

    def _line(self) -> None:
        for p in self.panels[: len(self.shapes)]:
            p.force_axes()
        options = [self._line_sizes(False)]
        if len(self.shapes) > 1:
            options.append(self._line_sizes(True))
        # the arrangement whose readable cells fit the strip, with the bigger cells; if
        # none fits, side by side: the strip's minimum size is made for that one
        fitting = [o for o in options if self._fits(o[1], o[2])] or options[:1]
        _, vertical, sizes = max(fitting, key=lambda o: o[0])
        if vertical:  # stacked panels over the same columns: cells start at the same x
            self._align_columns()
            sizes = self._line_sizes(True)[2]
        self.vertical = vertical
        for op, text in zip(self.ops[1:], self.op_texts[1:], strict=False):
            op.set_op(*text, vertical=vertical)
        if vertical:
            self._place_vertical(sizes)
        else:
            self._place_horizontal(sizes)

    def _align_columns(self) -> None:
        """Give panels with the same number of columns the same left axis width."""
        n = len(self.shapes)
        groups: dict[int, list[int]] = {}
        for i in range(n):
            if not self.free[i]:
                groups.setdefault(self.shapes[i][1], []).append(i)
        for members in groups.values():
            if len(members) > 1:
                left = max(self.panels[i].natural[0] for i in members)
                for i in members:
                    self.panels[i].force_axes(left, 0)

    def _line_sizes(self, vertical: bool) -> tuple[float, bool, list[tuple[int, int]]]:
        """(smallest cell side of the regular panels, vertical, panel sizes)."""
        w, h = self._area()
        n = len(self.shapes)
        chrome = [p.chrome() for p in self.panels[:n]]
        needs = [p.cell_need() for p in self.panels[:n]]
        free = [i for i in range(n) if self.free[i]]
        if len(free) == n:
            free = []
        reg = [i for i in range(n) if i not in free]
        sizes: dict[int, tuple[int, int]] = {}
        used = (n - 1) * (_op_h() if vertical else self._op_w())
        for i in free:
            (r, c), (cw, ch) = self.shapes[i], chrome[i]
            box_w, box_h = (w, FREE_FRAC * h) if vertical else (FREE_FRAC * w, h)
            fx, fy = _aspect(min(FREE_CELL, (box_w - cw) / c), min(FREE_CELL, (box_h - ch) / r))
            fx, fy = max(fx, needs[i][0]), max(fy, needs[i][1])
            sizes[i] = (max(MIN_PANEL_W, round(c * fx + cw)), round(r * fy + ch))
            used += sizes[i][1] if vertical else sizes[i][0]
        # along the strip cells share one size (space goes by rows / columns); across
        # it each panel takes what fits
        if vertical:
            shared = (h - used - sum(chrome[i][1] for i in reg)) / sum(
                self.shapes[i][0] for i in reg
            )
        else:
            shared = (w - used - sum(chrome[i][0] for i in reg)) / sum(
                self.shapes[i][1] for i in reg
            )
        shared = min(shared, MAX_CELL)
        score = MAX_CELL
        for i in reg:
            (r, c), (cw, ch) = self.shapes[i], chrome[i]
            across = min(MAX_CELL, (w - cw) / c if vertical else (h - ch) / r)
            score = min(score, shared, across)
            sx, sy = (across, shared) if vertical else (shared, across)
            sx, sy = _aspect(sx, sy, r)
            sx, sy = max(sx, needs[i][0]), max(sy, needs[i][1])  # never below readable
            sizes[i] = (max(MIN_PANEL_W, round(c * sx + cw)), round(r * sy + ch))
        return score, vertical, [sizes[i] for i in range(n)]

    def _fits(self, vertical: bool, sizes: list[tuple[int, int]]) -> bool:
        """Whether panels of these sizes fit the strip in that arrangement."""
        w, h = self._area()
        gaps = (len(sizes) - 1) * (_op_h() if vertical else self._op_w())
        if vertical:
            return sum(s[1] for s in sizes) + gaps <= h + 1 and max(s[0] for s in sizes) <= w + 1
        return sum(s[0] for s in sizes) + gaps <= w + 1 and max(s[1] for s in sizes) <= h + 1

    def _grid(self) -> None:
        """A bottom-left, B top-right, C bottom-right: rows of A and C, columns of B and C
        line up (their axes are made the same size)."""
        a, b, c = self.panels[:3]
        left = max(b.natural[0], c.natural[0])
        bottom = max(a.natural[1], c.natural[1])
        a.force_axes(0, bottom)
        b.force_axes(left, 0)
        c.force_axes(left, bottom)
        (_, ca), (rb, _), (rc, cc) = self.shapes
        cwa, chb, (cwc, chc) = a.chrome()[0], b.chrome()[1], c.chrome()
        w, h = self._area()
        aw, ah = w - cwa - cwc, h - chb - chc
        left_share = math.sqrt(ca) / (math.sqrt(ca) + math.sqrt(cc))
        top_share = math.sqrt(rb) / (math.sqrt(rb) + math.sqrt(rc))
        if self.free[1]:  # a weight matrix above: keep room for the output below it
            top_share = min(top_share, 0.5)
        sxl = min(MAX_CELL, max(0.05, aw * left_share / ca))
        sxr = min(MAX_CELL, max(0.05, aw * (1 - left_share) / cc))
        syt = min(MAX_CELL, max(0.05, ah * top_share / rb))
        syb = min(MAX_CELL, max(0.05, ah * (1 - top_share) / rc))
        syb = min(syb, max(ASPECT * min(sxl, sxr), MIN_CELL))
        syt = min(syt, max(ASPECT * sxr, MIN_CELL))
        sxr = min(sxr, max(ASPECT * min(syt, syb), MIN_CELL))
        sxl = min(sxl, max(ASPECT * syb, MIN_CELL))
        # never below a readable cell: what the floors add comes out of the other share
        (nwa, nha), (nwb, nhb), (nwc, nhc) = (p.cell_need() for p in (a, b, c))
        syt, syb = _floored(syt, rb, nhb, syb, rc, max(nha, nhc), ah)
        sxl, sxr = _floored(sxl, ca, nwa, sxr, cc, max(nwb, nwc), aw)
        wa, wc = max(MIN_PANEL_W, round(ca * sxl + cwa)), round(cc * sxr + cwc)
        hb, hc = round(rb * syt + chb), round(rc * syb + chc)
        x0 = max(MARGIN, (self.width() - wa - wc) // 2)
        y0 = MARGIN  # top-aligned: no empty band between the header and the matrices
        a.setGeometry(QRect(x0, y0 + hb, wa, hc))
        b.setGeometry(QRect(x0 + wa, y0, wc, hb))
        c.setGeometry(QRect(x0 + wa, y0 + hb, wc, hc))
        self.ops[1].set_op(*self.op_texts[1])
        # the formula sits in the corner where A and B meet, not in the middle of the gap
        z = get_scale()  # the formula's text grows with the presentation zoom
        ow, oh = min(wa, round(220 * z)), min(hb, round(90 * z))
        self.ops[1].setGeometry(QRect(x0 + wa - ow, y0 + hb - oh, ow, oh))

    def _place_horizontal(self, sizes: list[tuple[int, int]]) -> None:
        op_w = self._op_w()
        total = sum(w for w, _ in sizes) + (len(sizes) - 1) * op_w
        scale = min(1.0, (self.width() - 2 * MARGIN) / max(1, total))
        sizes = [
            (max(int(w * scale), p.minimumSizeHint().width()), h)
            for (w, h), p in zip(sizes, self.panels, strict=False)
        ]
        x = max(MARGIN, (self.width() - sum(w for w, _ in sizes) - (len(sizes) - 1) * op_w) // 2)
        mid = MARGIN + max(h for _, h in sizes) // 2  # top-aligned, ops at mid-height
        for i, (w, h) in enumerate(sizes):
            if i:
                self.ops[i].setGeometry(QRect(x, mid - 60, op_w, 120))
                x += op_w
            self.panels[i].setGeometry(QRect(x, mid - h // 2, w, h))
            x += w

    def _place_vertical(self, sizes: list[tuple[int, int]]) -> None:
        op_h = _op_h()
        total = sum(h for _, h in sizes) + (len(sizes) - 1) * op_h
        scale = min(1.0, (self.height() - 2 * MARGIN) / max(1, total))
        sizes = [
            (w, max(int(h * scale), p.minimumSizeHint().height()))
            for (w, h), p in zip(sizes, self.panels, strict=False)
        ]
        y = MARGIN  # top-aligned: no empty band under the header
        widest = max(w for w, _ in sizes)
        left = max(MARGIN, (self.width() - widest) // 2)
        for i, (w, h) in enumerate(sizes):
            if i:
                self.ops[i].setGeometry(QRect(left, y, widest, op_h))
                y += op_h
            self.panels[i].setGeometry(QRect(left, y, w, h))
            y += h


def _aspect(sx: float, sy: float, rows: int = 99) -> tuple[float, float]:
    """Limit how elongated a cell may get (unless it is still small; a matrix of one or
    two rows may keep cells up to ``MIN_AREA`` high in all)."""
    sx, sy = max(sx, 0.05), max(sy, 0.05)
    sy = min(sy, max(sx * ASPECT, MIN_CELL, MIN_AREA / rows))
    sx = min(sx, max(sy * ASPECT, MIN_CELL))
    return sx, sy


def _floored(
    a: float, na: int, need_a: float, b: float, nb: int, need_b: float, room: float
) -> tuple[float, float]:
    """Cell sizes ``a`` (``na`` cells) and ``b`` (``nb`` cells) sharing ``room`` pixels,
    each raised to its readable ``need``; what that adds is taken from the other one
    while it stays above its own need (beyond that the strip scrolls)."""
    a, b = max(a, need_a), max(b, need_b)
    over = a * na + b * nb - room
    if over > 0:
        cut = min(over, (a - need_a) * na)
        a, over = a - cut / na, over - cut
        b -= min(over, (b - need_b) * nb) / nb
    return a, b


def _op_h() -> int:
    """Room for an op symbol between two stacked panels, at the current zoom."""
    return round(OP_H * get_scale())


def _least_op_w() -> int:
    """Room for an op caption between two panels, at the current zoom."""
    return round(OP_W * get_scale())
