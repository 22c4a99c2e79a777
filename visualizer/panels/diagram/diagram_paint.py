"""Painting the architecture diagram from a ``diagram_layout.Layout`` with QPainter.

Stateless: ``paint(p, layout, scene)`` draws frames, data-flow arrows, residual
(skip) connections, the cross-attention bus, the boxes with their labels, op pills,
token chips, the header and the current-step highlight. Arrows are derived from
the rectangles, so a blended (animating) layout paints like any other.
"""

from __future__ import annotations

import itertools

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPainterPath, QPen, QPolygonF

from visualizer import theme
from visualizer.panels.diagram.diagram_chrome import chips, fit, font, glow, header, qr
from visualizer.panels.diagram.diagram_frame import Scene
from visualizer.panels.diagram.diagram_layout import Layout, Rect, layer_of
from visualizer.panels.diagram.diagram_text import COLORS, kind

ARROW = QColor("#8d8d96")
FRAME_FILL, FRAME_LINE = QColor("#f5f5f7"), QColor("#d5d5db")


def paint(p: QPainter, lay: Layout, sc: Scene) -> None:
    """The whole frame: the static base, then what depends on the cursor."""
    paint_base(p, lay, sc)
    paint_live(p, lay, sc)


def text_px(lay: Layout) -> float:
    """Grows modestly with the box size (11 px at small sizes, up to 16 px)."""
    return min(16.0, max(10.5, lay.unit * 0.5, lay.col_w / 26))


def chip_px(lay: Layout, sc: Scene, px: float) -> float:
    """One text size for every compact-row cell (0: none fits, all left blank alike)."""
    cells = [r for b, r in lay.boxes.items() if layer_of(b) in lay.collapsed]
    if not cells:
        return 0.0
    width = min(r.w for r in cells) - 4
    texts = {sc.short.get(b, "") for b in lay.boxes if layer_of(b) in lay.collapsed}
    size = round(px * 0.85)
    while size >= 8:
        fm = QFontMetricsF(font(size))
        if all(fm.horizontalAdvance(t) <= width for t in texts):
            return float(size)
        size -= 1
    return 0.0


def paint_base(p: QPainter, lay: Layout, sc: Scene) -> None:
    """Everything that does not depend on the cursor (cacheable per layout + language)."""
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    px = text_px(lay)
    for layer, r in lay.frames.items():
        _frame(p, r, _legend(sc, layer), px * 0.82, None)
    _flow(p, lay)
    _residuals(p, lay)
    _bus(p, lay, sc, px * 0.8)
    for box, r in lay.boxes.items():
        _box(p, lay, box, r, sc, px, False)


def _legend(sc: Scene, layer: str) -> tuple[str, str]:
    return sc.legends.get(layer, layer), sc.alt.get(layer, sc.legends.get(layer, layer))


def paint_live(p: QPainter, lay: Layout, sc: Scene) -> None:
    """The current layer, box, ops, K,V arrow, the chosen experts, the token rows, the
    header, the highlight."""
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    px = text_px(lay)
    header(p, lay.header, sc, px)
    cur = sc.current or ""
    layer = layer_of(cur)
    if layer in lay.frames:
        _frame(p, lay.frames[layer], _legend(sc, layer), px * 0.82, sc.phase)
    if cur.endswith("cross_attn"):
        _kv_arrow(p, lay, cur, QColor(theme.HIGHLIGHT), 2.4)
    _lit(p, lay, sc, px)
    if "output" in lay.boxes and cur != "output":
        _box(p, lay, "output", lay.boxes["output"], sc, px, False)
    if cur in lay.boxes:
        _box(p, lay, cur, lay.boxes[cur], sc, px, True)
    for side, r in lay.tokens.items():
        chips(p, r, sc.tokens.get(side, []), sc.captions.get(side, ""), px * 0.85, lay.unit)
    _marks(p, lay, sc, px)
    if sc.glow is not None:
        glow(p, sc.glow)


def _frame(p: QPainter, r: Rect, legends: tuple[str, str], px: float, phase: str | None) -> None:
    """A layer's frame; with a phase, the outline (and legend) of the current layer."""
    active = phase is not None
    color = QColor(theme.PHASE_COLORS.get(phase or "", theme.MUTED)) if active else FRAME_LINE
    p.setPen(QPen(color, 1.6 if active else 1.0))
    p.setBrush(Qt.BrushStyle.NoBrush if active else FRAME_FILL)
    p.drawRoundedRect(qr(r), 8, 8)
    f = font(px, active)
    p.setFont(f)
    fm = QFontMetricsF(f)
    wide = QFontMetricsF(font(px, True)).horizontalAdvance(legends[0])  # same text bold or not
    legend = legends[0] if wide <= r.w - 16 else legends[1]
    text = fm.elidedText(legend, Qt.TextElideMode.ElideRight, r.w - 16)
    if active:  # cover the plain legend of the base underneath
        p.fillRect(
            QRectF(r.x + 6, r.y + 1.5, fm.horizontalAdvance(text) + 6, fm.height()), FRAME_FILL
        )
    p.setPen(color.darker(130) if active else QColor(theme.MUTED))
    p.drawText(QRectF(r.x + 8, r.y + 1, r.w - 16, fm.height()), Qt.AlignmentFlag.AlignLeft, text)


def _arrow(p: QPainter, pts: list[QPointF], color: QColor, width: float, head: float) -> None:
    p.setPen(
        QPen(
            color, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin
        )
    )
    p.setBrush(Qt.BrushStyle.NoBrush)
    path = QPainterPath(pts[0])
    for q in pts[1:]:
        path.lineTo(q)
    p.drawPath(path)
    a, b = pts[-2], pts[-1]
    d = b - a
    n = max(1e-6, (d.x() ** 2 + d.y() ** 2) ** 0.5)
    u = QPointF(d.x() / n, d.y() / n)
    v = QPointF(-u.y(), u.x())
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(color)
    p.drawPolygon(QPolygonF([b, b - u * head + v * head * 0.55, b - u * head - v * head * 0.55]))


def _unit(lay: Layout, u: str) -> Rect:
    return lay.boxes.get(u) or lay.groups.get(u) or lay.frames[u]


def members(lay: Layout, group: str) -> list[str]:
    """The expert boxes of a row ("dec.0.moe.experts" -> "dec.0.moe.expert.0", …)."""
    prefix = group[: -len("experts")] + "expert."
    return [b for b in lay.boxes if b.startswith(prefix)]


def _flow(p: QPainter, lay: Layout) -> None:
    head = max(4.0, lay.unit * 0.22)
    for side, order in lay.columns.items():
        units = [("", lay.tokens["src" if side == "enc" else "tgt"])]
        units += [(u, _unit(lay, u)) for u in order]
        for (lo_id, lo), (hi_id, hi) in itertools.pairwise(units):
            if hi_id in lay.groups:  # the router fans out to every expert
                for e in members(lay, hi_id):
                    r = lay.boxes[e]
                    _arrow(p, [QPointF(r.cx, lo.y), QPointF(r.cx, r.bottom)], ARROW, 1.1, head)
            elif lo_id in lay.groups:  # and every expert's output flows into the sum
                for e in members(lay, lo_id):
                    r = lay.boxes[e]
                    _arrow(p, [QPointF(r.cx, r.y), QPointF(r.cx, hi.bottom)], ARROW, 1.1, head)
            elif lo.y - hi.bottom > 2:
                _arrow(p, [QPointF(hi.cx, lo.y), QPointF(hi.cx, hi.bottom)], ARROW, 1.3, head)


def _lit(p: QPainter, lay: Layout, sc: Scene, px: float) -> None:
    """The experts the current token was routed to: amber boxes (with the router's
    weight) and amber arrows from the router and into the weighted sum."""
    head = max(4.0, lay.unit * 0.22)
    color = QColor(COLORS["lit"][1])
    for box in sc.lit:
        r = lay.boxes.get(box)
        if r is None or layer_of(box) in lay.collapsed:
            continue
        router, combine = (
            lay.boxes.get(box.rsplit(".", 2)[0] + k) for k in (".router", ".combine")
        )
        if router is not None:
            _arrow(p, [QPointF(r.cx, router.y), QPointF(r.cx, r.bottom)], color, 2.2, head)
        if combine is not None:
            _arrow(p, [QPointF(r.cx, r.y), QPointF(r.cx, combine.bottom)], color, 2.2, head)
        if box != sc.current:
            _box(p, lay, box, r, sc, px, False)


def _residuals(p: QPainter, lay: Layout) -> None:
    """Each sublayer's skip connection: from below its first box (the router of a
    mixture of experts) round the lane into its Add & Norm."""
    head = max(4.0, lay.unit * 0.2)
    for layer in lay.frames:
        if layer in lay.collapsed:
            continue
        side = layer[:3]
        units = [u for u in lay.columns[side] if u.startswith(layer + ".")]
        pairs, first = [], ""
        for u in units:
            first = first or u
            if u.split(".")[2].startswith("an"):
                pairs.append((first, u))
                first = ""
        for sub, an in pairs:
            s, a = _unit(lay, sub), lay.boxes[an]
            lane = lay.lane[side]
            y0 = s.bottom + lay.unit * 0.21
            edge = a.x if side == "enc" else a.right
            ya = min(a.cy, a.y + lay.unit / 2)
            pts = [QPointF(s.cx, y0), QPointF(lane, y0), QPointF(lane, ya), QPointF(edge, ya)]
            _arrow(p, pts, QColor("#a9a9b2"), 1.2, head)


def _bus(p: QPainter, lay: Layout, sc: Scene, px: float) -> None:
    order = lay.columns.get("enc", [])
    if not order or "dec" not in lay.columns:
        return
    top = _unit(lay, order[-1])
    cross = sorted((b for b in lay.boxes if b.endswith("cross_attn")), key=lambda b: b[4:])
    if not cross:
        return
    pen = QPen(QColor("#d48a3c"), 1.5)
    x = top.cx
    frame = lay.frames.get(f"enc.{lay.spec.n_enc - 1}")
    if frame is not None and frame.y < top.y:  # keep clear of the layer's legend
        fl = font(text_px(lay) * 0.82)
        legend = _legend(sc, f"enc.{lay.spec.n_enc - 1}")
        w = QFontMetricsF(fl).horizontalAdvance(legend[0])
        if w > frame.w - 16:
            w = QFontMetricsF(fl).horizontalAdvance(legend[1])
        x = min(max(x, frame.x + 8 + w + 10), top.right - 8)
    pts = [QPointF(x, top.y), QPointF(x, lay.mem_y), QPointF(lay.bus_x, lay.mem_y)]
    p.setPen(pen)
    p.drawPolyline(QPolygonF(pts))
    ys = [lay.mem_y] + [_kv_target(lay, b).cy for b in cross]
    p.drawLine(QPointF(lay.bus_x, min(ys)), QPointF(lay.bus_x, max(ys)))
    f = font(px)
    p.setFont(f)
    fm = QFontMetricsF(f)
    p.setPen(QColor("#b06a20"))
    p.drawText(
        QRectF(top.x + 4, lay.mem_y - fm.height() - 1, lay.bus_x - top.x, fm.height()),
        Qt.AlignmentFlag.AlignLeft,
        sc.memory,
    )
    for b in cross:
        r = _kv_arrow(p, lay, b, QColor("#d48a3c"), 1.5)
        p.setPen(QColor("#b06a20"))
        p.drawText(
            QRectF(lay.bus_x + 2, r.cy - fm.height() - 1, r.x - lay.bus_x, fm.height()),
            Qt.AlignmentFlag.AlignCenter,
            sc.kv,
        )


def _kv_arrow(p: QPainter, lay: Layout, box: str, color: QColor, width: float) -> Rect:
    """The K,V arrow from the bus into a decoder layer's cross-attention; returns its target."""
    r = _kv_target(lay, box)
    _arrow(
        p, [QPointF(lay.bus_x, r.cy), QPointF(r.x, r.cy)], color, width, max(4.0, lay.unit * 0.22)
    )
    return r


def _kv_target(lay: Layout, box: str) -> Rect:
    """Where a K,V arrow ends: the title row of the box, or its compact layer's row."""
    layer = box.rsplit(".", 1)[0]
    r = lay.frames[layer] if layer in lay.collapsed else lay.boxes[box]
    return Rect(r.x, r.y, r.w, min(r.h, lay.unit))


def _box(p: QPainter, lay: Layout, box: str, r: Rect, sc: Scene, px: float, cur: bool) -> None:
    lit = box in sc.lit
    fill, line = (QColor(c) for c in COLORS["lit" if lit else kind(box)])
    p.setOpacity(0.4 if box in sc.dim else 1.0)
    p.setPen(QPen(line.darker(115) if cur else line, 1.4 if cur else 1.0))
    p.setBrush(fill.darker(104) if cur else fill)
    rad = min(7.0, r.h / 3)
    p.drawRoundedRect(qr(r), rad, rad)
    if lit:
        p.setPen(QPen(line, 2.0))
        p.drawRoundedRect(qr(r), rad, rad)
    if layer_of(box) not in lay.collapsed:
        title = Rect(r.x, r.y, r.w, min(r.h, lay.unit))
        text = sc.lit.get(box) or sc.labels.get(box, box)
        if QFontMetricsF(font(px, cur)).horizontalAdvance(text) > r.w - 8:
            short = sc.lit_alt if lit else sc.alt
            text = short.get(box, text)  # an abbreviation rather than an elided label
        _fit_text(p, title, text, px, cur)
    elif box in sc.short and (cpx := chip_px(lay, sc, px)):
        _fit_text(p, r, sc.short[box], cpx, cur)
    p.setOpacity(1.0)
    if cur and lay.pills:
        p.save()
        p.setClipRect(qr(r))  # an expanding box reveals its pills as it grows
        _pills(p, lay, sc, px * 0.82, line)
        p.restore()


def _fit_text(p: QPainter, r: Rect, text: str, px: float, bold: bool, least: int = 8) -> None:
    f, shown = fit(text, round(r.w - 8), px, bold, least)
    if shown:
        p.setFont(f)
        p.setPen(QColor(theme.TEXT))
        p.drawText(qr(r), Qt.AlignmentFlag.AlignCenter, shown)


def _pills(p: QPainter, lay: Layout, sc: Scene, px: float, line: QColor) -> None:
    for i, (r, text) in enumerate(zip(lay.pills, sc.pills, strict=False)):
        cur = i == sc.pill_current
        p.setPen(QPen(QColor("#c98a00") if cur else line, 1.0))
        p.setBrush(QColor(theme.HIGHLIGHT) if cur else QColor(255, 255, 255, 215))
        p.drawRoundedRect(qr(r), r.h / 2, r.h / 2)
        _fit_text(p, Rect(r.x - 3, r.y, r.w + 6, r.h), text, min(px, 11.5), cur)  # snug


MARK = QColor("#d9480f")  # an intervention: red-orange, apart from the amber highlight


def _marks(p: QPainter, lay: Layout, sc: Scene, px: float) -> None:
    """A dashed outline and a "✎" badge on every box an active intervention changes,
    and the banner (above the encoder stack, where the figure leaves room)."""
    boxes = [lay.boxes[b] for b in sorted(sc.marked) if b in lay.boxes]
    if not sc.banner and not boxes:
        return
    p.save()
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.setPen(QPen(MARK, 2.0, Qt.PenStyle.DashLine))
    for r in boxes:
        p.drawRoundedRect(qr(r).adjusted(-2, -2, 2, 2), 7, 7)
    d = max(12.0, min(18.0, lay.unit * 0.62))
    badge = font(d * 0.72, True)
    p.setFont(badge)
    for r in boxes:
        c = QRectF(r.right - d * 0.7, r.y - d * 0.35, d, d)
        p.setPen(QPen(QColor("white"), 1.2))
        p.setBrush(MARK)
        p.drawEllipse(c)
        p.drawText(c, Qt.AlignmentFlag.AlignCenter, "✎")
    if sc.banner:
        _banner(p, lay, sc.banner, px)
    p.restore()


def _banner(p: QPainter, lay: Layout, banner: str, px: float) -> None:
    enc = [r for name, r in lay.frames.items() if name.startswith("enc.")]
    left = min((r.x for r in enc), default=lay.header.x)
    width = max((r.right for r in enc), default=lay.header.right) - left
    f = font(px * 0.9, True)
    fm = QFontMetricsF(f)
    text = fm.elidedText(banner, Qt.TextElideMode.ElideRight, width - 16)
    w, h = fm.horizontalAdvance(text) + 16, fm.height() + 6
    pill = QRectF(left, lay.header.bottom + 6, w, h)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(MARK)
    p.drawRoundedRect(pill, h / 2, h / 2)
    p.setFont(f)
    p.setPen(QColor("white"))
    p.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)
