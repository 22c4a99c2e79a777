"""The beam-search tree: every hypothesis the search kept, linked to its parent.

``set_tree`` lays the whole tree out once per trace (column = decoding step, rows =
the beam, children grouped under their parent so no edges cross); ``set_state``
only changes which nodes are visible (those up to a decoding step) and which path
won, so the tree grows in place while stepping. Hypotheses that were dropped are
grey, finished ones (``<eos>``) have a double border, the winning path is
highlighted. Left-to-right when wide, top-to-bottom when tall.

Drawn in design units and scaled as a whole by the presentation zoom, as far as the
widget has room for the tree (never below 1): zoomed type in nodes laid out for the
widget's pixels was elided to "…" at 150 %. Fonts are made at paint time in design
units (the painter applies the zoom); tooltips map the pointer back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QWidget

from visualizer.theme import (
    HIGHLIGHT,
    MUTED,
    PHASE_COLORS,
    TEXT,
    design_font,
    fit_scale,
    ui_font,
)

if TYPE_CHECKING:
    from core.decode import BeamNode

DEAD = QColor("#c7c7cc")
LIVE = QColor(PHASE_COLORS["decode"])
STEP_H, STEP_V = (80.0, 40.0), (40.0, 110.0)  # design room per node: (along, across)


def winning_path(nodes: Sequence[BeamNode], chosen: Mapping[int, int], limit: float) -> list[int]:
    """Node ids from the root along the chosen tokens (``chosen[t]``) up to step ``limit``."""
    kids: dict[int | None, list[BeamNode]] = {}
    for n in nodes:
        kids.setdefault(n.parent, []).append(n)
    path = [n.id for n in kids.get(None, [])][:1]
    t = 0
    while path and t <= limit and t in chosen:
        nxt = [n for n in kids.get(path[-1], []) if n.token == chosen[t]]
        if not nxt:
            break
        path.append(nxt[0].id)
        t += 1
    return path


class BeamTree(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.nodes: list[BeamNode] = []
        self.labels: list[str] = []
        self.start_label = "start"  # the root column's heading, in the panel's language
        self.limit = -1.0  # show nodes with t <= limit (the root has t = -1)
        self.path: set[int] = set()
        self._slot: dict[int, tuple[int, float]] = {}  # id -> (depth, row, centred)
        self._depths = 1
        self._rows = 1
        self._boxes: dict[int, QRectF] = {}
        self._label: dict[int, str] = {}
        self._node: dict[int, BeamNode] = {}
        self._font = ui_font(9, bold=True)
        self._small = ui_font(8)
        self.setMouseTracking(True)

    def sizeHint(self) -> QSize:
        return QSize(420, 260)

    def minimumSizeHint(self) -> QSize:
        return QSize(160, 120)

    # -- data ------------------------------------------------------------------------
    def set_tree(self, nodes: Sequence[BeamNode], labels: Sequence[str]) -> None:
        self.nodes, self.labels = list(nodes), list(labels)
        self._label = {n.id: lab for n, lab in zip(self.nodes, self.labels, strict=False)}
        self._node = {n.id: n for n in self.nodes}
        by_depth: dict[int, list[BeamNode]] = {}
        for n in self.nodes:
            by_depth.setdefault(n.t + 1, []).append(n)
        order: dict[int | None, int] = {}  # node id -> its row in its level (roots: parent None)
        self._slot = {}
        self._depths = max(by_depth, default=0) + 1
        self._rows = max((len(v) for v in by_depth.values()), default=1)
        for d in sorted(by_depth):
            level = sorted(by_depth[d], key=lambda n: (order.get(n.parent, 0), -n.score))
            offset = (self._rows - len(level)) / 2
            for i, n in enumerate(level):
                order[n.id] = i
                self._slot[n.id] = (d, offset + i)
        self.update()

    def set_state(self, limit: float, path: Iterable[int]) -> None:
        self.limit, self.path = limit, set(path)
        self.update()

    def visible(self) -> list[BeamNode]:
        return [n for n in self.nodes if n.t <= self.limit]

    def dead(self) -> set[int]:
        """Visible hypotheses that were dropped (and the branches that only led to them)."""
        shown = self.visible()
        if not shown:
            return set()
        frontier = max(n.t for n in shown)
        kids: dict[int, list[int]] = {}
        for n in shown:
            if n.parent is not None:
                kids.setdefault(n.parent, []).append(n.id)
        dead: set[int] = set()
        for n in sorted(shown, key=lambda n: -n.t):  # children before parents
            ch = kids.get(n.id, [])
            if (not ch and not n.finished and n.t < frontier) or (ch and set(ch) <= dead):
                dead.add(n.id)
        return dead

    # -- painting --------------------------------------------------------------------
    def drawing_scale(self) -> float:
        """The painter's scale: the zoom, or less where the widget has no room for a
        node's comfortable size in either direction (not below 1)."""
        w, h = self.width() - 8, self.height() - 22
        d, r = self._depths, self._rows
        horiz = min(w / (d * STEP_H[0]), h / (r * STEP_H[1]))
        vert = min(h / (d * STEP_V[0]), w / (r * STEP_V[1]))
        return fit_scale(max(horiz, vert))

    def _geometry(self) -> tuple[bool, float, float]:
        scale = self.drawing_scale()
        w, h = self.width() / scale - 8, self.height() / scale - 22
        horiz = min(w / self._depths / 80, h / self._rows / 40) >= min(
            h / self._depths / 40, w / self._rows / 110
        )
        along, across = (w, h) if horiz else (h, w)
        return horiz, along / self._depths, across / self._rows

    def _mode(self, horiz: bool, step: float, cross: float) -> tuple[str, float]:
        """ "two" lines (token, score), "inline" (token score) or "token" only; box height."""
        fm, fs = QFontMetrics(self._font), QFontMetrics(self._small)
        avail, need = (cross if horiz else step), fm.height() + fs.height() + 4
        if avail * 0.74 >= need:
            return "two", min(38.0, max(need, avail * 0.74))
        return ("token" if horiz else "inline"), min(avail - 2, fm.height() + 8)

    def _box(self, n: BeamNode, horiz: bool, step: float, cross: float, mode: str) -> QRectF:
        d, row = self._slot[n.id]
        fm, fs = QFontMetrics(self._font), QFontMetrics(self._small)
        bw: float = fm.horizontalAdvance(self._label.get(n.id, "?")) + 8
        if mode == "inline" and n.parent is not None:
            bw += fs.horizontalAdvance(f" {n.score:.3f}") + 4
        elif mode == "two":
            bw = max(bw, fs.horizontalAdvance(f"{n.score:.3f}") + 10)
        bh = self._mode(horiz, step, cross)[1]
        bw = min(max(bw, 36.0), (step if horiz else cross) - 4)
        if horiz:
            cx, cy = 4 + (d + 0.5) * step, 20 + (row + 0.5) * cross
        else:
            cx, cy = 4 + (row + 0.5) * cross, 20 + (d + 0.5) * step
        return QRectF(cx - bw / 2, cy - bh / 2, bw, bh)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        shown = self.visible()
        if not shown:
            return
        scale = self.drawing_scale()
        p.scale(scale, scale)
        self._font, self._small = design_font(9, bold=True), design_font(8)
        horiz, step, cross = self._geometry()
        dead = self.dead()
        mode = self._mode(horiz, step, cross)[0]
        self._boxes = {n.id: self._box(n, horiz, step, cross, mode) for n in shown}
        p.setFont(self._small)
        p.setPen(QColor(MUTED))
        for d in range(self._depths):  # step labels along the growth axis
            text = self.start_label if d == 0 else f"t{d - 1}"
            if horiz:
                p.drawText(QRectF(4 + d * step, 0, step, 16), Qt.AlignmentFlag.AlignCenter, text)
            else:
                p.drawText(QRectF(0, 20 + d * step, 30, step), Qt.AlignmentFlag.AlignVCenter, text)
        for n in shown:  # edges under the nodes
            if n.parent is None or n.parent not in self._boxes:
                continue
            a, b = self._boxes[n.parent], self._boxes[n.id]
            won = n.id in self.path and n.parent in self.path
            colour = QColor(HIGHLIGHT) if won else (DEAD if n.id in dead else LIVE)
            p.setPen(QPen(colour, 3.2 if won else 1.4))
            p.setBrush(Qt.BrushStyle.NoBrush)
            if horiz:
                s, e = QPointF(a.right(), a.center().y()), QPointF(b.left(), b.center().y())
                mid = (s.x() + e.x()) / 2
                c1, c2 = QPointF(mid, s.y()), QPointF(mid, e.y())
            else:
                s, e = QPointF(a.center().x(), a.bottom()), QPointF(b.center().x(), b.top())
                mid = (s.y() + e.y()) / 2
                c1, c2 = QPointF(s.x(), mid), QPointF(e.x(), mid)
            path = QPainterPath(s)
            path.cubicTo(c1, c2, e)
            p.drawPath(path)
        for n in shown:
            r = self._boxes[n.id]
            won, gone = n.id in self.path, n.id in dead
            fill = QColor("#fff3d1") if won else QColor("#f4f4f6" if gone else "#ffffff")
            border = QColor("#d98e04") if won else (DEAD if gone else LIVE)
            p.setPen(QPen(border, 2.2 if won else 1.3))
            p.setBrush(fill)
            p.drawRoundedRect(r, 6, 6)
            if n.finished:
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRoundedRect(r.adjusted(2.5, 2.5, -2.5, -2.5), 4, 4)
            self._text(p, n, r, mode if n.parent is not None else "token", gone)

    def _text(self, p: QPainter, n: BeamNode, r: QRectF, mode: str, gone: bool) -> None:
        fm, fs = QFontMetrics(self._font), QFontMetrics(self._small)
        score = f"{n.score:.3f}".replace("-", "−")
        label = self._label.get(n.id, "?")
        room = r.width() - 2 - (fs.horizontalAdvance(" " + score) if mode == "inline" else 0)
        label = fm.elidedText(label, Qt.TextElideMode.ElideRight, int(room))
        ink, centre = QColor(MUTED if gone else TEXT), Qt.AlignmentFlag.AlignCenter
        p.setFont(self._font)
        p.setPen(ink)
        if mode == "two":
            p.drawText(r.adjusted(0, 2, 0, -fs.height()), centre, label)
            lower = QRectF(r.left(), r.bottom() - fs.height() - 2, r.width(), fs.height())
            p.setFont(self._small)
            p.setPen(QColor(MUTED))
            p.drawText(lower, centre, score)
        elif mode == "inline":
            lw, sw = fm.horizontalAdvance(label), fs.horizontalAdvance(" " + score)
            x = r.center().x() - (lw + sw) / 2
            p.drawText(QRectF(x, r.top(), lw, r.height()), centre, label)
            p.setFont(self._small)
            p.setPen(QColor(MUTED))
            left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
            p.drawText(QRectF(x + lw, r.top(), sw + 2, r.height()), left, " " + score)
        else:
            p.drawText(r, centre, label)

    def node_box(self, node_id: int) -> QRectF | None:
        """Where node ``node_id`` was last drawn, on screen (None: not drawn)."""
        r, s = self._boxes.get(node_id), self.drawing_scale()
        return None if r is None else QRectF(r.x() * s, r.y() * s, r.width() * s, r.height() * s)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position() / self.drawing_scale()
        for nid, r in self._boxes.items():
            if r.contains(pos):
                n = self._node[nid]
                end = "  <eos>: finished" if n.finished else ""
                self.setToolTip(
                    f"{self._label.get(nid, '?')}   log p = {n.logp:.4f}   "
                    f"score = {n.score:.4f}{end}"
                )
                return
        self.setToolTip("")
