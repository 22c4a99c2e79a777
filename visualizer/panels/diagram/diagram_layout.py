"""Geometry of the Transformer figure ("Attention Is All You Need", Fig. 1), without Qt.

``compute(spec)`` places every box of the diagram for a widget size, in the shape of
the model (``Spec.arch``): the translator has the encoder stack on the left and the
decoder stack on the right with the cross-attention bus between them; a decoder-only
model (GPT) is one stack of masked self-attention blocks; an encoder-only model (BERT,
ViT) is one encoder stack ending in the [CLS] vector and the classification head.
Every layer is drawn (compact rows for the layers out of focus when a stack would not
fit); embeddings at the bottom, the head + softmax + the answer on top, and the op
pills of the one expanded box. A mixture-of-experts feed-forward sublayer
(``Spec.n_experts`` > 0) is a router box, a row of expert boxes and the weighted sum.
Arrows are derived from these rectangles when painting, so two layouts can be blended
for an animation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from visualizer.panels.diagram.diagram_rect import Rect

ENC_SUBS = ("self_attn", "an1", "ffn", "an2")
DEC_SUBS = ("self_attn", "an1", "cross_attn", "an2", "ffn", "an3")
GPT_SUBS = ("self_attn", "an1", "ffn", "an2")  # decoder-only: no cross-attention
MAX_PILL_ROWS = 4  # 5 when only two pills fit a row (an attention box has up to 10 ops)
STACKS = {"encoder-decoder": ("enc", "dec"), "decoder-only": ("dec",), "encoder-only": ("enc",)}
__all__ = [
    "Layout",
    "Rect",
    "Shape",
    "Spec",
    "all_boxes",
    "blend",
    "compute",
    "layer_boxes",
    "layer_of",
    "stacks",
]


@dataclass(frozen=True)
class Shape:
    """What of the model the figure draws: read from ``bundle.cfg`` and the trace."""

    arch: str = "encoder-decoder"
    n_enc: int = 0
    n_dec: int = 0
    enc_norm: bool = False
    dec_norm: bool = False
    n_experts: int = 0  # 0: dense feed-forward sublayers
    picture: bool = False  # an encoder-only model reading picture patches (ViT)
    mlm: bool = False  # a pre-trained BERT: the masked-word head (core.mlm) on top

    @classmethod
    def of(cls, cfg: object, arch: str | None = None) -> Shape:
        """From a ``core.config.ModelConfig`` (the trace's ``meta.arch`` wins: it says what
        ran); a stack the architecture does not have counts no layers."""
        arch = arch or str(getattr(cfg, "arch", "encoder-decoder"))
        sides = stacks(arch)
        norm = bool(getattr(cfg, "final_norm", False))
        moe = getattr(cfg, "ffn", "dense") == "moe"
        return cls(
            arch=arch,
            n_enc=int(getattr(cfg, "n_enc_layers", 0)) if "enc" in sides else 0,
            n_dec=int(getattr(cfg, "n_dec_layers", 0)) if "dec" in sides else 0,
            enc_norm=norm,
            dec_norm=norm,
            n_experts=int(getattr(cfg, "n_experts", 0)) if moe else 0,
            picture=getattr(cfg, "inputs", "tokens") == "patches",
            mlm=bool(getattr(cfg, "mlm", False)),
        )

    def boxes(self) -> list[str]:
        return all_boxes(
            self.n_enc,
            self.n_dec,
            self.enc_norm,
            self.dec_norm,
            self.arch,
            self.n_experts,
            self.mlm,
        )

    def layers(self) -> list[tuple[str, int]]:
        """(layer id, layers in its stack) for every layer, stack by stack."""
        return [
            (f"{side}.{i}", n)
            for side, n in (("enc", self.n_enc), ("dec", self.n_dec))
            for i in range(n)
        ]


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
    arch: str = "encoder-decoder"  # which stacks there are (``STACKS``) and the head
    n_experts: int = 0  # > 0: every feed-forward sublayer is a mixture of this many experts
    mlm: bool = False  # a pre-trained BERT: the masked-word head, no classification head
    zoom: float = 1.0  # presentation zoom: laid out on a canvas this much smaller, drawn larger


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
    groups: dict[str, Rect] = field(default_factory=dict)  # "dec.0.moe.experts": the row
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


def stacks(arch: str) -> tuple[str, ...]:
    """The stacks a model has, left to right: ("enc", "dec"), ("dec",) or ("enc",)."""
    return STACKS.get(arch, STACKS["encoder-decoder"])


def layer_subs(layer: str, arch: str = "encoder-decoder", n_experts: int = 0) -> tuple[str, ...]:
    """A layer's sublayers bottom to top ("moe" stands for router, experts and sum)."""
    subs = ENC_SUBS if layer.startswith("enc") else GPT_SUBS if arch == "decoder-only" else DEC_SUBS
    return tuple("moe" if s == "ffn" and n_experts else s for s in subs)


def moe_boxes(layer: str, n_experts: int) -> list[str]:
    """A mixture-of-experts sublayer's boxes, bottom to top: router, experts, weighted sum."""
    experts = [f"{layer}.moe.expert.{e}" for e in range(n_experts)]
    return [f"{layer}.moe.router", *experts, f"{layer}.moe.combine"]


def layer_boxes(layer: str, arch: str = "encoder-decoder", n_experts: int = 0) -> list[str]:
    out: list[str] = []
    for s in layer_subs(layer, arch, n_experts):
        out += moe_boxes(layer, n_experts) if s == "moe" else [f"{layer}.{s}"]
    return out


def layer_of(box: str) -> str:
    """The layer a box sits in ("dec.0.moe.expert.2" -> "dec.0"), or the box itself."""
    p = box.split(".")
    return f"{p[0]}.{p[1]}" if len(p) > 2 and p[0] in ("enc", "dec") and p[1].isdigit() else box


def tail_boxes(side: str, arch: str, norm: bool, mlm: bool = False) -> list[str]:
    """What sits on top of a stack: its final norm, then the model's head and answer (a
    pre-trained BERT: the masked-word head, then the scores of every word)."""
    tail = [f"{side}.norm"] if norm else []
    if side == "dec":
        return [*tail, "linear", "softmax", "output"]
    if arch == "encoder-only" and mlm:
        return [*tail, "mlm", "linear", "softmax", "output"]
    if arch == "encoder-only":  # the [CLS] vector into the classification head
        return [*tail, "cls", "cls.head", "softmax", "output"]
    return tail


def all_boxes(
    n_enc: int,
    n_dec: int,
    enc_norm: bool = False,
    dec_norm: bool = False,
    arch: str = "encoder-decoder",
    n_experts: int = 0,
    mlm: bool = False,
) -> list[str]:
    """Every box id, stack by stack (left to right), each bottom to top."""
    out: list[str] = []
    for side in stacks(arch):
        emb = "src" if side == "enc" else "tgt"
        n = n_enc if side == "enc" else n_dec
        out += [f"{emb}.embed", f"{emb}.pos"]
        out += [b for i in range(n) for b in layer_boxes(f"{side}.{i}", arch, n_experts)]
        out += tail_boxes(side, arch, enc_norm if side == "enc" else dec_norm, mlm)
    return out


def pill_columns(box_w: float) -> int:
    return max(2 if box_w >= 60 else 1, min(5, int((box_w - 8) // 42)))


def pill_rows(cols: int) -> int:
    return MAX_PILL_ROWS + (1 if cols <= 2 else 0)


def compute(spec: Spec) -> Layout:
    """The largest layout that fits; compact rows when even small boxes do not; and when
    nothing fits, a layout for a larger canvas that the painter shrinks by ``scale``. At a
    presentation zoom the figure is laid out on the canvas divided by the zoom and drawn
    enlarged by it (``scale`` above 1): boxes, pills and labels grow alike."""
    if spec.zoom != 1.0:
        z = spec.zoom
        lay = compute(replace(spec, width=spec.width / z, height=spec.height / z, zoom=1.0))
        lay.scale *= z
        return lay
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


def compact_height(spec: Spec) -> float:
    """The height the most compact layout needs at full size (``scale`` 1) for the
    spec's width: below it ``compute`` paints the figure shrunk (labels under 8 px)."""
    z = spec.zoom
    return _build(replace(spec, width=spec.width / z, zoom=1.0), 16.0, True).height * z


def _build(spec: Spec, bh: float, compact: bool) -> Layout:
    w, h = spec.width, spec.height
    lay = Layout(spec=spec, unit=bh)
    m = 6.0
    sides = stacks(spec.arch)
    if len(sides) == 2:
        gap = min(60.0, max(34.0, 0.09 * w))
        cw = min(330.0 + max(0.0, w - 900) * 0.25, (w - 2 * m - gap) / 2)
        x_enc = (w - 2 * cw - gap) / 2
        xs = {"enc": x_enc, "dec": x_enc + cw + gap}
        lay.bus_x = x_enc + cw + gap * 0.3
    else:  # one stack, centred (a little wider: an MoE row holds every expert)
        cw = min(400.0 + max(0.0, w - 900) * 0.25, w - 2 * m - 8)
        xs = {sides[0]: (w - cw) / 2}
    lane = min(16.0, max(12.0, cw * 0.08))
    lay.lane = {
        side: x + lane * 0.55 if side == "enc" else x + cw - lane * 0.55 for side, x in xs.items()
    }
    sg, gs = round(bh * 0.42), round(bh * 0.5)
    chip = round(bh * 0.72)
    tok_h = 2 * chip + 10 + max(13, round(bh * 0.6))  # two rows of chips and a caption
    head_h = round(bh * 2.0)
    lay.header = Rect(m, m, w - 2 * m, head_h)
    bottom = h - m
    for side, x0 in xs.items():
        lay.tokens["src" if side == "enc" else "tgt"] = Rect(x0, bottom - tok_h, cw, tok_h)
    tops = []
    for side, x0 in xs.items():
        n = spec.n_enc if side == "enc" else spec.n_dec
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
            subs = layer_subs(layer, spec.arch, spec.n_experts)
            col = Rect(x0, 0, cw, y)
            top = _layer(lay, spec, layer, subs, col, inner_x, inner_w, bh, sg, full, order)
            y = top - gs * 0.7
        norm = spec.enc_norm if side == "enc" else spec.dec_norm
        tail = tail_boxes(side, spec.arch, norm, spec.mlm)
        y -= gs * 0.3
        for box in tail:
            y = _place(lay, box, Rect(inner_x, y - bh, inner_w, bh), order) - sg * 1.4
        lay.columns[side] = order
        tops.append(y)
    lay.height = h - min(tops) + head_h + m
    if len(sides) == 2:  # the encoder output leaves the encoder stack above its top
        enc_top = lay.frames[f"enc.{spec.n_enc - 1}"].y if spec.n_enc else bottom
        if spec.enc_norm:
            enc_top = lay.boxes["enc.norm"].y
        lay.mem_y = enc_top - gs * 0.8
        lay.height = max(lay.height, h - lay.mem_y + head_h + m + 12)
    return lay


def _place(lay: Layout, box: str, r: Rect, order: list[str] | None) -> float:
    """Put a box (expanded with its op pills when it is the expanded one); returns its top.
    ``order``: the column's flow order it joins (None: a member of a row, e.g. an expert)."""
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
    if order is not None:
        order.append(box)
    return r.y


def _moe(
    lay: Layout, layer: str, x: float, w: float, y: float, sg: float, order: list[str]
) -> float:
    """A mixture of experts whose bottom is y: the router, the row of experts side by
    side (the expanded one grows upwards alone), the weighted sum; returns its top."""
    bh, n = lay.unit, lay.spec.n_experts
    y = _place(lay, f"{layer}.moe.router", Rect(x, y - bh, w, bh), order) - sg
    g = 4.0
    ew = (w - g * (n - 1)) / n
    row_top = min(
        _place(lay, f"{layer}.moe.expert.{e}", Rect(x + e * (ew + g), y - bh, ew, bh), None)
        for e in range(n)
    )
    group = f"{layer}.moe.experts"
    lay.groups[group] = Rect(x, row_top, w, y - row_top)
    order.append(group)
    return _place(lay, f"{layer}.moe.combine", Rect(x, row_top - sg - bh, w, bh), order)


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
            if sub == "moe":
                y = _moe(lay, layer, inner_x, inner_w, y, sg, order) - sg
            else:
                y = _place(lay, f"{layer}.{sub}", Rect(inner_x, y - bh, inner_w, bh), order) - sg
        y += sg
    else:
        lay.collapsed.add(layer)
        ch = round(bh * 0.78)
        cg = 3.0
        cwid = (inner_w - cg * (len(subs) - 1)) / len(subs)
        for k, sub in enumerate(subs):  # a mixture of experts: its router stands for it
            cell = f"{layer}.moe.router" if sub == "moe" else f"{layer}.{sub}"
            lay.boxes[cell] = Rect(inner_x + k * (cwid + cg), y - ch, cwid, ch)
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
    out.groups = {k: a.groups[k].lerp(r, t) if k in a.groups else r for k, r in b.groups.items()}
    out.mem_y = a.mem_y + (b.mem_y - a.mem_y) * t
    exp = b.spec.expanded
    if exp in b.boxes:  # the pills ride with their box (the painter clips them to it)
        dx, dy = out.boxes[exp].x - b.boxes[exp].x, out.boxes[exp].y - b.boxes[exp].y
        out.pills = [Rect(r.x + dx, r.y + dy, r.w, r.h) for r in b.pills]
    return out
