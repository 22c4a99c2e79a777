"""Geometry of the Transformer figure ("Attention Is All You Need", Fig. 1), without Qt.

``compute(spec)`` places every box of the diagram for a widget size: the encoder
stack on the left, the decoder stack on the right (every layer drawn, compact rows
for the layers out of focus when the stack would not fit), embeddings at the bottom,
linear + softmax + the chosen token on top, the cross-attention bus between the
stacks, and the op pills of the one expanded box. Arrows are derived from these
rectangles when painting, so two layouts can be blended for an animation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from visualizer.panels.diagram.diagram_rect import Rect

ENC_SUBS = ("self_attn", "an1", "ffn", "an2")
DEC_SUBS = ("self_attn", "an1", "cross_attn", "an2", "ffn", "an3")
MAX_PILL_ROWS = 4  # 5 when only two pills fit a row (an attention box has up to 10 ops)
__all__ = ["Layout", "Rect", "Spec", "all_boxes", "blend", "compute", "layer_boxes"]


@dataclass(frozen=True)
class Spec:
    """What the geometry depends on: the model's shape, the size and what is expanded."""

    n_enc: int
    n_dec: int
    width: float
    height: float
    enc_norm: bool = False
    dec_norm: bool = False
    expanded: str | None = None  # the box showing its ops
    n_ops: int = 0  # how many ops it has
    focus: frozenset[str] = frozenset()  # layers ("enc.1") kept full when compacting


@dataclass
class Layout:
    spec: Spec
    unit: float  # box height
    boxes: dict[str, Rect] = field(default_factory=dict)
    frames: dict[str, Rect] = field(default_factory=dict)  # "enc.0" -> the layer's frame
    collapsed: set[str] = field(default_factory=set)  # layers drawn as one compact row
    columns: dict[str, list[str]] = field(default_factory=dict)  # flow order, bottom to top
    pills: list[Rect] = field(default_factory=list)
    header: Rect = field(default_factory=lambda: Rect(0, 0, 0, 0))
    tokens: dict[str, Rect] = field(default_factory=dict)  # "src" / "tgt" token rows
    bus_x: float = 0.0
    mem_y: float = 0.0  # where the encoder output leaves the encoder stack
    lane: dict[str, float] = field(default_factory=dict)  # residual lane x per stack
    col_w: float = 0.0  # width of a box in a stack
    height: float = 0.0  # height used
    scale: float = 1.0  # below 1: laid out on a larger canvas, painted shrunk to the widget

    def box_at(self, px: float, py: float) -> str | None:
        for box, r in self.boxes.items():
            if r.contains(px, py):
                return box
        for layer, r in self.frames.items():
            if r.contains(px, py):
                return f"{layer}.self_attn"
        return None

    def pill_at(self, px: float, py: float) -> int | None:
        return next((i for i, r in enumerate(self.pills) if r.contains(px, py)), None)


def layer_boxes(layer: str) -> list[str]:
    subs = ENC_SUBS if layer.startswith("enc") else DEC_SUBS
    return [f"{layer}.{s}" for s in subs]


def all_boxes(n_enc: int, n_dec: int, enc_norm: bool = False, dec_norm: bool = False) -> list[str]:
    """Every box id, encoder column then decoder column, bottom to top."""
    enc = ["src.embed", "src.pos"] + [b for i in range(n_enc) for b in layer_boxes(f"enc.{i}")]
    dec = ["tgt.embed", "tgt.pos"] + [b for i in range(n_dec) for b in layer_boxes(f"dec.{i}")]
    return [
        *enc,
        *(["enc.norm"] if enc_norm else []),
        *dec,
        *(["dec.norm"] if dec_norm else []),
        "linear",
        "softmax",
        "output",
    ]


def pill_columns(box_w: float) -> int:
    return max(2 if box_w >= 60 else 1, min(5, int((box_w - 8) // 42)))


def pill_rows(cols: int) -> int:
    return MAX_PILL_ROWS + (1 if cols <= 2 else 0)


def compute(spec: Spec) -> Layout:
    """The largest layout that fits; compact rows when even small boxes do not; and when
    nothing fits, a layout for a larger canvas that the painter shrinks by ``scale``."""
    for compact in (False, True):
        for unit in range(min(34, int(spec.width / 15)), 15, -1):
            lay = _build(spec, float(unit), compact)
            if lay.height <= spec.height:
                return lay
    scale = 1.0
    while True:
        scale *= 0.92
        virtual = replace(spec, width=spec.width / scale, height=spec.height / scale)
        lay = _build(virtual, 16.0, True)
        if lay.height <= virtual.height or scale < 0.2:
            lay.scale = scale
            return lay


def _build(spec: Spec, bh: float, compact: bool) -> Layout:
    w, h = spec.width, spec.height
    lay = Layout(spec=spec, unit=bh)
    m = 6.0
    gap = min(60.0, max(34.0, 0.09 * w))
    cw = min(330.0 + max(0.0, w - 900) * 0.25, (w - 2 * m - gap) / 2)
    x_enc = (w - 2 * cw - gap) / 2
    x_dec = x_enc + cw + gap
    lane = min(16.0, max(12.0, cw * 0.08))
    lay.lane = {"enc": x_enc + lane * 0.55, "dec": x_dec + cw - lane * 0.55}
    lay.bus_x = x_enc + cw + gap * 0.3
    sg, gs = round(bh * 0.42), round(bh * 0.5)
    chip = round(bh * 0.72)
    tok_h = 2 * chip + 10 + max(13, round(bh * 0.6))  # two rows of chips and a caption
    head_h = round(bh * 2.0)
    lay.header = Rect(m, m, w - 2 * m, head_h)
    bottom = h - m
    lay.tokens = {
        "src": Rect(x_enc, bottom - tok_h, cw, tok_h),
        "tgt": Rect(x_dec, bottom - tok_h, cw, tok_h),
    }
    tops = []
    for side, x0, n, subs in (
        ("enc", x_enc, spec.n_enc, ENC_SUBS),
        ("dec", x_dec, spec.n_dec, DEC_SUBS),
    ):
        inner_x = x0 + (lane + 4 if side == "enc" else 6)
        inner_w = cw - lane - 10
        lay.col_w = inner_w
        emb = "src" if side == "enc" else "tgt"
        y = bottom - tok_h - gs
        order: list[str] = []
        for box in (f"{emb}.embed", f"{emb}.pos"):
            y = _place(lay, box, Rect(inner_x, y - bh, inner_w, bh), order) - sg
        y -= gs - sg
        for i in range(n):
            layer = f"{side}.{i}"
            full = not compact or layer in spec.focus
            y = (
                _layer(
                    lay,
                    spec,
                    layer,
                    subs,
                    Rect(x0, 0, cw, y),
                    inner_x,
                    inner_w,
                    bh,
                    sg,
                    full,
                    order,
                )
                - gs * 0.7
            )
        tail = [f"{side}.norm"] if (spec.enc_norm if side == "enc" else spec.dec_norm) else []
        if side == "dec":
            tail += ["linear", "softmax", "output"]
        y -= gs * 0.3
        for box in tail:
            y = _place(lay, box, Rect(inner_x, y - bh, inner_w, bh), order) - sg * 1.4
        lay.columns[side] = order
        tops.append(y)
    enc_top = lay.frames[f"enc.{spec.n_enc - 1}"].y if spec.n_enc else bottom
    if spec.enc_norm:
        enc_top = lay.boxes["enc.norm"].y
    lay.mem_y = enc_top - gs * 0.8
    lay.height = h - min(tops) + head_h + m
    lay.height = max(lay.height, h - lay.mem_y + head_h + m + 12)
    return lay


def _place(lay: Layout, box: str, r: Rect, order: list[str]) -> float:
    """Put a box (expanded with its op pills when it is the expanded one); returns its top."""
    spec = lay.spec
    if box == spec.expanded and spec.n_ops > 1:
        cols = pill_columns(r.w)
        n = min(spec.n_ops, cols * pill_rows(cols))
        rows = math.ceil(n / cols)
        ph, pg = round(lay.unit * 0.72), 3.0
        extra = rows * (ph + pg) + 3
        r = Rect(r.x, r.bottom - r.h - extra, r.w, r.h + extra)
        pw = (r.w - 8 - pg * (cols - 1)) / cols
        for k in range(n):
            row, col = divmod(k, cols)
            in_row = min(cols, n - row * cols)  # a short row is centred
            x = r.cx - (in_row * pw + (in_row - 1) * pg) / 2 + col * (pw + pg)
            lay.pills.append(Rect(x, r.y + lay.unit + row * (ph + pg), pw, ph))
    lay.boxes[box] = r
    order.append(box)
    return r.y


def _layer(
    lay: Layout,
    spec: Spec,
    layer: str,
    subs: tuple[str, ...],
    col: Rect,
    inner_x: float,
    inner_w: float,
    bh: float,
    sg: float,
    full: bool,
    order: list[str],
) -> float:
    """Place one layer whose frame's bottom is col.h; returns the frame's top."""
    legend = min(16.0, max(10.5, bh * 0.5, lay.col_w / 26)) * 0.82  # its text size
    pad_top, pad_bottom = max(round(bh * 0.62), round(legend * 1.5) + 3), round(bh * 0.32)
    y = col.h - pad_bottom
    if full:
        for sub in subs:
            y = _place(lay, f"{layer}.{sub}", Rect(inner_x, y - bh, inner_w, bh), order) - sg
        y += sg
    else:
        lay.collapsed.add(layer)
        ch = round(bh * 0.78)
        cg = 3.0
        cwid = (inner_w - cg * (len(subs) - 1)) / len(subs)
        for k, sub in enumerate(subs):
            lay.boxes[f"{layer}.{sub}"] = Rect(inner_x + k * (cwid + cg), y - ch, cwid, ch)
        order.append(layer)
        y -= ch
    top = y - pad_top
    lay.frames[layer] = Rect(col.x, top, col.w, col.h - top)
    return top


def blend(a: Layout, b: Layout, t: float) -> Layout:
    """``b`` with every shared rectangle moved ``t`` of the way from ``a`` (animations)."""
    if t >= 1.0:
        return b
    out = Layout(
        spec=b.spec,
        unit=b.unit,
        collapsed=b.collapsed,
        columns=b.columns,
        pills=b.pills,
        header=b.header,
        tokens=b.tokens,
        bus_x=b.bus_x,
        lane=b.lane,
        col_w=b.col_w,
        height=b.height,
        scale=b.scale,
    )
    out.boxes = {k: a.boxes[k].lerp(r, t) if k in a.boxes else r for k, r in b.boxes.items()}
    out.frames = {k: a.frames[k].lerp(r, t) if k in a.frames else r for k, r in b.frames.items()}
    out.mem_y = a.mem_y + (b.mem_y - a.mem_y) * t
    exp = b.spec.expanded
    if exp in b.boxes:  # the pills ride with their box (the painter clips them to it)
        dx, dy = out.boxes[exp].x - b.boxes[exp].x, out.boxes[exp].y - b.boxes[exp].y
        out.pills = [Rect(r.x + dx, r.y + dy, r.w, r.h) for r in b.pills]
    return out
