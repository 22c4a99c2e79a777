"""The tensor view: the current step's numbers as heatmaps, inputs → output.

A header names the step (its title for a person over its code name; phase, op, shape,
axes) and gives the output's statistics; below, the op's inputs and its output side
by side ("Q · Kᵀ = scores", "x + sublayer(x) = …"), each with token labels, its own
colour bar and exact values on hover. Clicking a cell of the output sets
``session.selection`` (row, col), and the cells it was computed from light up in the
inputs. Per-head tensors show the selected head; a head selector sets it.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from visualizer.i18n import tr
from visualizer.panels.tensor.panel_strip import PanelStrip
from visualizer.panels.tensor.tensor_header import KINDS_ZH, TensorHeader
from visualizer.panels.tensor.tensor_plan import (
    MAX_PANELS,
    OUT_LABELS,
    Panel,
    is_free,
    is_product,
    link,
    plan,
)
from visualizer.theme import MUTED, get_scale, ui_font

if TYPE_CHECKING:
    from core.session import Session
    from core.trace import Step, Trace
    from visualizer.bridge import SessionBridge
    from visualizer.panels.tensor.tensor_data import Shown

STRINGS = {
    "head": {"en": "head", "zh": "头"},
    "param": {"en": "parameter", "zh": "参数"},
    "hint": {"en": "hover a cell for its exact value", "zh": "悬停查看精确数值"},
    "hint_main": {"en": "click a cell to select it", "zh": "点击单元格以选中"},
    "masked_value": {"en": "-inf (masked)", "zh": "-inf（已掩码）"},
    "grid": {"en": "row i · column j\n= cell (i, j)", "zh": "第 i 行 · 第 j 列\n= 单元格 (i, j)"},
    "gain": {"en": "colour centred on 1", "zh": "颜色以 1 为中心"},
    "top": {"en": "top", "zh": "最高"},
    "cannot": {"en": "cannot show this step", "zh": "无法显示此步骤"},
    "empty": {"en": "no trace yet", "zh": "尚无轨迹"},
}
CAPTIONS = {  # an op caption whose panel title (LABELS) is too long for the narrow gap
    "aux_loss": {"en": "balance", "zh": "负载均衡"},
}
_EXPERT = re.compile(r"expert(\d+)")  # an MoE combine's inputs: "expert0" … "expert3"
LABELS = {  # panel titles and op captions; anything not here is shown as written
    "ids": {"en": "token ids", "zh": "词元编号"},
    "embedding": {"en": "embedding", "zh": "嵌入"},
    "scaled": {"en": "scaled", "zh": "缩放后"},
    "masked": {"en": "masked", "zh": "掩码后"},
    "weights": {"en": "weights", "zh": "注意力权重"},
    "context": {"en": "context", "zh": "上下文"},
    "concat": {"en": "concat", "zh": "拼接"},
    "hidden": {"en": "hidden", "zh": "隐藏层"},
    "act": {"en": "activation", "zh": "激活"},
    "probs": {"en": "probabilities", "zh": "概率"},
    "logits, last": {"en": "logits, last position", "zh": "未归一化分数，最后一个位置"},
    "next.probs": {"en": "next-token probabilities", "zh": "下一个词的概率"},
    "next token": {"en": "next token", "zh": "下一个词"},
    "loss": {"en": "loss", "zh": "损失"},
    "per_token": {"en": "loss per token", "zh": "每个词元的损失"},
    "grad": {"en": "gradient", "zh": "梯度"},
    "out": {"en": "output", "zh": "输出"},
    "pos": {"en": "positions", "zh": "位置编码"},
    "logits": {"en": "logits", "zh": "未归一化分数"},
    "target": {"en": "target", "zh": "目标"},
    "before": {"en": "before", "zh": "更新前"},
    "after": {"en": "after", "zh": "更新后"},
    "update": {"en": "Δ update", "zh": "Δ 更新量"},
    "‖before‖": {"en": "‖before‖ (norm)", "zh": "‖更新前‖（范数）"},
    "‖grad‖": {"en": "‖gradient‖ (norm)", "zh": "‖梯度‖（范数）"},
    "‖Δ‖": {"en": "‖Δ update‖ (norm)", "zh": "‖Δ 更新量‖（范数）"},
    "‖after‖": {"en": "‖after‖ (norm)", "zh": "‖更新后‖（范数）"},
    "lookup": {"en": "lookup", "zh": "查表"},
    "rows of": {"en": "rows of", "zh": "取自"},
    "mask": {"en": "mask", "zh": "掩码"},
    "concat heads": {"en": "concat heads", "zh": "拼接各头"},
    "LayerNorm": {"en": "LayerNorm", "zh": "层归一化"},
    "LayerNorm(x)": {"en": "LayerNorm(x)", "zh": "层归一化(x)"},
    "sublayer(x)": {"en": "sublayer(x)", "zh": "子层(x)"},
    "x + sublayer(x)": {"en": "x + sublayer(x)", "zh": "x + 子层(x)"},
    "PE": {"en": "PE", "zh": "位置编码"},
    "weight": {"en": "weight", "zh": "权重"},
    "experts": {"en": "experts", "zh": "专家"},
    "expert": {"en": "expert", "zh": "专家"},
    "expert weights": {"en": "expert weights", "zh": "专家权重"},
    "combine": {"en": "combine", "zh": "加权合并"},
    "task": {"en": "task loss", "zh": "任务损失"},
    "aux_loss": {"en": "load-balancing loss", "zh": "负载均衡损失"},
    "patches": {"en": "patches", "zh": "图块"},
    "patch_embed": {"en": "patch embeddings", "zh": "图块嵌入"},
    "image": {"en": "image", "zh": "图片"},
    "cls": {"en": "[CLS] vector", "zh": "[CLS] 向量"},
    "vector": {"en": "[CLS] vector", "zh": "[CLS] 向量"},
    "value": {"en": "value", "zh": "值"},
    "scale γ": {"en": "scale γ", "zh": "逐维缩放 γ"},  # a narrow caption: short words
    "choose": {"en": "choose", "zh": "选择"},
    "mean": {"en": "mean", "zh": "平均"},
    "cross-entropy": {"en": "cross-entropy", "zh": "交叉熵"},
    "linear": {"en": "linear", "zh": "线性"},
    "∂L/∂": {"en": "gradient", "zh": "梯度"},
    "before + Δ": {"en": "before + Δ", "zh": "更新前 + Δ"},
}


class TensorView(QWidget):
    """Heatmaps of the step at the cursor: header + inputs → output."""

    def __init__(
        self, session: Session, bridge: SessionBridge, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        from visualizer.panels.tensor.tensor_data import TensorData

        self.session, self.bridge = session, bridge
        self.data = TensorData(session)
        self.show_params = True
        self.panels: list[Panel] = []
        self.step: Step | None = None
        self.per_head = False  # some panel shows one head of a per-head tensor
        self.shown_head = 0
        # the trace, and what each parameter it reads is (param_axes.readers), per trace
        self._readers: tuple[Trace, dict[str, tuple[str, ...]]] | None = None
        self.header = TensorHeader()
        self.strip = PanelStrip(MAX_PANELS)
        self.empty = QLabel()
        self.empty.setFont(ui_font(11))
        self.empty.setStyleSheet(f"color: {MUTED}")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.header)
        lay.addWidget(self.empty)
        lay.addWidget(self.strip, 1)
        self.setStyleSheet("TensorView { background: white; }")
        self.setAutoFillBackground(True)

        for i, hm in enumerate(self.strip.panels):
            hm.sigCellClicked.connect(lambda r, c, i=i: self._on_click(i, r, c))
            hm.sigCellHovered.connect(lambda r, c, i=i: self._on_hover(i, r, c))
            hm.sigHoverEnded.connect(self._apply_selection)
        self.header.sigHead.connect(self._on_head)
        self.header.sigParams.connect(self._on_params)
        # bound methods (not lambdas): Qt drops these connections when the view is deleted
        bridge.sigCursor.connect(self._on_cursor)
        bridge.sigTrace.connect(self._on_trace)
        bridge.sigSelection.connect(self._on_selection)
        bridge.connect_relabel(self._on_lang)
        self.refresh()

    # -- session -> widgets ----------------------------------------------------------
    def _on_cursor(self, _cursor: int) -> None:
        self.refresh(fade=True)

    def _on_lang(self, _lang: str) -> None:
        self.refresh()

    def _on_trace(self, _trace: object) -> None:
        self.data.clear()
        self.refresh()

    def _on_selection(self, _sel: object) -> None:
        if self.per_head and self._head() != self.shown_head:
            self.refresh()
        else:
            self._apply_selection()

    def _head(self) -> int:
        return self.session.selection.head

    def refresh(self, fade: bool = False) -> None:
        try:
            self._refresh(fade)
        except Exception as e:  # a step nobody foresaw must not take the window down
            self.strip.setVisible(False)
            self.empty.setVisible(True)
            self.empty.setText(f"{tr(STRINGS['cannot'], self.session.lang)}: {e}")

    def _refresh(self, fade: bool) -> None:
        s, lang = self.session, self.session.lang
        has = bool(s.trace.steps)
        self.empty.setVisible(not has)
        self.strip.setVisible(has)
        self.header.setVisible(has)
        if not has:
            self.empty.setText(tr(STRINGS["empty"], lang))
            self.step, self.panels = None, []
            return
        # a new trace arrives before the cursor is moved onto it: never index past its end
        step = self.step = s.trace.steps[min(max(s.cursor, 0), len(s.trace.steps) - 1)]
        self.panels = plan(step, self.show_params)
        shapes, heads = [], []
        for panel, hm in zip(self.panels, self.strip.panels, strict=False):
            shown = self.data.shown(step, panel, self._head())
            heads.append(shown.head)
            hm.hint = tr(STRINGS["hint_main" if panel.main else "hint"], lang) + self._top(
                panel, shown
            )
            hm.masked_text = tr(STRINGS["masked_value"], lang)
            hm.set_matrix(
                shown.values,
                shown.rows,
                shown.cols,
                panel.mode,
                title=self._title(step, panel, shown),
            )
            hm.title.setToolTip(panel.key)
            shapes.append(shown.values.shape)
        ops = [self._op(p) for p in self.panels]
        grid = is_product(self.panels)
        if grid:
            a, b = (self._label(step, p) for p in self.panels[:2])
            ops[1] = (f"{a} · {b}", tr(STRINGS["grid"], lang))
        self.strip.set_shapes(shapes, ops, [is_free(p) for p in self.panels], grid)
        self.per_head = any(h is not None for h in heads)
        self.shown_head = self._head()
        self._header(step, self.per_head)
        self._apply_selection()
        if fade and s.animate:
            self.strip.panels[len(self.panels) - 1].fade_in()

    def _label(self, step: Step, panel: Panel) -> str:
        leaf = self._word(step.name.rsplit(".", 1)[-1])
        if panel.label == "grad":
            return "∂L/∂W" if step.phase == "update" else f"∂L/∂ {leaf}"
        if panel.label == "value":
            return leaf
        return self._word(panel.label)

    def _word(self, label: str) -> str:
        """A panel title in the reader's language: a LABELS entry, an expert's number
        ("expert1" → "专家 1"), else as written (math such as "Kᵀ", "e·√d")."""
        lang = self.session.lang
        if label not in LABELS:
            label = OUT_LABELS.get(label, label)
        if label in LABELS:
            return tr(LABELS[label], lang)
        expert = _EXPERT.fullmatch(label)
        if expert is not None:
            return f"{tr(LABELS['expert'], lang)} {expert[1]}"
        return label

    def _title(self, step: Step, panel: Panel, shown: Shown) -> str:
        lang = self.session.lang
        label = self._label(step, panel)
        if panel.link == "last" and shown.rows and shown.rows[-1]:
            label = f"{label} ({shown.rows[-1]})"  # which position's row this is
        shape, head = shown.values.shape, shown.head
        extra = [f"{shape[0]}×{shape[1]}"]
        if head is not None:
            extra.append(f"{tr(STRINGS['head'], lang)} {head}")
        if panel.param:
            extra.append(tr(STRINGS["param"], lang))
        if panel.mode == "gain":
            extra.append(tr(STRINGS["gain"], lang))
        return (
            f"{html.escape(label)}&nbsp;&nbsp;<span style='color:{MUTED}; font-weight:normal; "
            f"font-size:{9 * get_scale():.1f}pt'>{' · '.join(extra)}</span>"  # zoomed on relabel
        )

    def _top(self, panel: Panel, shown: Shown) -> str:
        """For one row of probabilities over the vocabulary: its three likeliest tokens."""
        v = shown.values
        if panel.mode != "probability" or v.ndim != 2 or v.shape[0] != 1 or v.shape[1] < 8:
            return ""
        best = np.argsort(-np.nan_to_num(v[0], nan=-1.0), kind="stable")[:3]
        words = " · ".join(f"{shown.cols[i]} {v[0, i]:.3g}" for i in best)  # plain text
        return f"   —   {tr(STRINGS['top'], self.session.lang)} 3: {words}"

    def _tokens(self, step: Step) -> list[str] | None:
        """The token(s) a "choose" / "tokens" step holds (statistics of ids mean nothing)."""
        if step.kind not in ("choose", "tokens") or not self.panels:
            return None
        shown = self.data.shown(step, self.panels[-1], self._head())
        ids = [int(x) for x in shown.values.ravel()]
        names = shown.cols if len(shown.cols) == len(ids) else [str(i) for i in ids]
        return [
            f"{html.escape(n)}<span style='color:{MUTED}'>({i})</span>"
            for n, i in zip(names, ids, strict=False)
        ]

    def _op(self, panel: Panel) -> tuple[str, str]:
        sym, caption = panel.op
        if caption == "activation":
            return sym, self.session.bundle.cfg.activation.upper().replace("RELU", "ReLU")
        if caption in CAPTIONS:
            return sym, tr(CAPTIONS[caption], self.session.lang)
        if caption in LABELS or self.session.lang != "zh":
            return sym, tr(LABELS.get(caption, {"en": caption}), self.session.lang)
        return sym, KINDS_ZH.get(caption, caption)  # an op's kind (the header's names)

    def _header(self, step: Step, per_head: bool) -> None:
        from visualizer.panels.tensor.param_axes import param_axes, readers

        lang, trace = self.session.lang, self.session.trace
        try:
            from core.narration import narrate_step

            op = narrate_step(trace, step, lang).title
        except (KeyError, ValueError):
            op = ""
        if self._readers is None or self._readers[0] is not trace:
            self._readers = (trace, readers(trace.steps))
        n = self.session.bundle.cfg.n_heads
        has_params = any(p.param for p in plan(step, True))
        stats = self.data.stats(step.tensors.get("out", step.key))
        self.header.show_step(
            step,
            lang,
            op,
            stats,
            (n, min(self._head(), n - 1), per_head),
            has_params,
            self._tokens(step),
            param_axes(step, self._readers[1]),
        )

    # -- selection -------------------------------------------------------------------
    def _apply_selection(self, cell: tuple[int, int] | None = None) -> None:
        """Outline the selected cell and light the input cells it came from; a hovered
        ``cell`` lights its inputs instead, leaving the output's hover readout alone."""
        hovering = cell is not None
        sel = self.session.selection
        if cell is None and sel.row is not None and sel.col is not None:
            cell = (sel.row, sel.col)
        for panel, hm in zip(self.panels, self.strip.panels, strict=False):
            if panel.main:
                if hovering:
                    continue
                hm.select(
                    (sel.row, sel.col) if sel.row is not None and sel.col is not None else None
                )
            else:
                hm.mark(*self._link(panel, cell)) if cell else hm.mark()

    def _link(self, panel: Panel, cell: tuple[int, int]) -> tuple[int | None, int | None]:
        shape = self.strip.panels[self.panels.index(panel)].values.shape
        ids = None
        if panel.link == "table" and self.step is not None and "ids" in self.step.tensors:
            ids = self.session.trace.value(self.step.tensors["ids"]).ravel()
        return link(panel, cell, shape, ids, self.shown_head)

    # -- widgets -> session ----------------------------------------------------------
    def _on_click(self, i: int, r: int, c: int) -> None:
        if i < len(self.panels) and self.panels[i].main:
            self.session.selection = replace(self.session.selection, row=r, col=c)

    def _on_hover(self, i: int, r: int, c: int) -> None:
        if i < len(self.panels) and self.panels[i].main:
            self._apply_selection((r, c))

    def _on_head(self, head: int) -> None:
        if head != self._head():
            self.session.selection = replace(self.session.selection, head=head)

    def _on_params(self, on: bool) -> None:
        self.show_params = on
        self.refresh()
