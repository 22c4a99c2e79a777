"""The tensor view's header: which step, what op, the output's shape, axes and statistics,
plus the head selector and the parameter toggle.

The heading is the step's title for a person (``core.step_titles``: "Encoder layer 1 ·
self-attention · queries Q", 编码器第 1 层 · 自注意力 · 查询 Q), one line, shortened in
its middle ("Encoder layer 1 · … · queries Q") or cut with "…", its whole text as
tooltip, when the panel is narrow or zoomed; under it, in small monospace, the step's
code name (what breakpoints, watches and the search use) starts the line of the op,
shape and axes; the statistics under them. Three lines in all at any width and zoom
(a line leaves its last facts out, "…", rather than wrap): the heatmaps below keep
their room at presentation zoom.

Built once; ``show_step`` only sets texts. The head buttons are rebuilt only when the
number of heads changes (a different model), never per step. Its strings live here,
in English and Chinese.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from visualizer.i18n import tr
from visualizer.theme import MUTED, PHASE_COLORS, TEXT, head_color, ui_font
from visualizer.widgets.elided_label import ElidedLabel, middle_cuts
from visualizer.widgets.parts_label import PartsLabel

if TYPE_CHECKING:
    from core.trace import Step

STRINGS = {
    "tokens": {"en": "token(s)", "zh": "词元"},
    "op": {"en": "op", "zh": "运算"},
    "shape": {"en": "shape", "zh": "形状"},
    "axes": {"en": "axes", "zh": "轴"},
    "t": {"en": "decoding step", "zh": "解码步"},
    "layer": {"en": "layer", "zh": "层"},
    "min": {"en": "min", "zh": "最小值"},
    "max": {"en": "max", "zh": "最大值"},
    "mean": {"en": "mean", "zh": "均值"},
    "std": {"en": "std", "zh": "标准差"},
    "nonfinite": {"en": "NaN/Inf", "zh": "NaN/Inf"},
    "masked": {"en": "masked", "zh": "已掩码"},
    "params": {"en": "parameters", "zh": "参数"},
    "all_heads": {"en": "over all {n} heads", "zh": "全部 {n} 个头"},
    "heads": {"en": "Head", "zh": "注意力头"},
}
KINDS_ZH = {
    "tokens": "词元", "embed": "嵌入查表", "embed_scale": "缩放嵌入", "posenc": "位置编码",
    "pos_add": "加位置编码", "linear": "线性层", "matmul": "矩阵乘法", "scale": "缩放",
    "mask": "掩码", "softmax": "softmax", "concat": "拼接", "add": "残差相加",
    "layernorm": "层归一化", "activation": "激活函数", "loss": "损失", "mean": "平均",
    "choose": "选择", "param_grad": "参数梯度", "adam": "Adam 更新",
    "topk": "选出前 k 个", "gather": "取出权重", "combine": "加权合并", "aux_loss": "负载均衡损失",
    "patches": "切成图块", "image": "图片", "select": "取出",
}  # fmt: skip
# the axes' names (``Step.axes``, code names in the trace) as a Chinese reader says them;
# an axis not listed (``dim0``) is shown as the trace names it
AXES_ZH = {
    "batch": "批", "head": "头", "src": "源位置", "tgt": "目标位置", "dim": "维度",
    "vocab": "词表", "label": "标签", "expert": "专家", "choice": "选中", "pixel": "像素",
    "hidden": "隐藏单元", "routed": "路由来的词元", "value": "值", "channel": "通道",
    "row": "行", "col": "列", "input": "输入", "out": "输出",
    "out_features": "输出特征", "in_features": "输入特征",
}  # fmt: skip
# axes named by ``param_axes`` (not the trace): said as words in English too
AXES_EN = {"out_features": "out features", "in_features": "in features"}


def axis_name(axis: str, lang: str) -> str:
    """An axis as the reader's language names it (the trace's own name in English)."""
    return AXES_ZH.get(axis, axis) if lang == "zh" else AXES_EN.get(axis, axis)


class TensorHeader(QWidget):
    """Three lines of text on the left, controls on the right: the heading (``title``),
    the code name (``code``) and the op, shape and axes (``meta``), the statistics."""

    sigHead = Signal(int)
    sigParams = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chip = QLabel()
        self.chip.setFont(ui_font(9, bold=True))
        self.chip.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title = ElidedLabel(max_lines=1, min_chars=10)  # the step for a person
        self.title.setFont(ui_font(13, bold=True))
        self.title.setStyleSheet(f"color: {TEXT}")
        self.code = ""  # the step's trace name as shown: the start of ``meta``
        # one line each, whatever the width and zoom: facts that do not fit are left
        # out from the end ("…", the whole line as tooltip) rather than wrapped
        self.meta = PartsLabel(sep="&nbsp;&nbsp;·&nbsp;&nbsp;")
        # it starts with the step's trace name (what breakpoints use) in a <code> span:
        # the lecture check reads it as a code name, the rest of the line as prose
        # (visualizer.gallery.fit_rules.CODE_PROPERTY)
        self.meta.setProperty("codeName", True)
        self.meta.setFont(ui_font(9))
        self.stats = PartsLabel(sep="&nbsp;&nbsp;&nbsp;")
        self.stats.setFont(ui_font(9))
        self.head_label = QLabel()
        self.head_label.setFont(ui_font(9))
        self.heads = QButtonGroup(self)
        self.heads.setExclusive(True)
        self.heads.idClicked.connect(self.sigHead.emit)
        self.head_box = QWidget()
        self.head_lay = QHBoxLayout(self.head_box)
        self.head_lay.setContentsMargins(0, 0, 0, 0)
        self.head_lay.setSpacing(3)
        self.head_lay.addWidget(self.head_label)
        self.params = QCheckBox()
        self.params.setFont(ui_font(9))
        self.params.setChecked(True)
        self.params.toggled.connect(self.sigParams.emit)

        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(self.chip)
        top.addWidget(self.title, 1)
        top.addWidget(self.head_box)
        top.addSpacing(10)
        top.addWidget(self.params)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 6, 8, 4)
        lay.setSpacing(2)
        lay.addLayout(top)
        lay.addWidget(self.meta)
        lay.addWidget(self.stats)

    def show_step(
        self,
        step: Step,
        lang: str,
        op: str,
        stats: dict[str, float],
        heads: tuple[int, int, bool],
        has_params: bool,
        tokens: list[str] | None = None,
        axes: tuple[str, ...] | None = None,
    ) -> None:
        """Fill every line for ``step``: the heading is its ``core.step_titles`` title
        (``op``, the op's name for a person, where no rule knows the step; the second
        line names the op by its kind, short); ``heads`` is (count, current, shown);
        ``tokens`` (HTML, one per token) replace the statistics for a step whose
        numbers are token ids; ``axes`` names a parameter's axes (the trace's dim0 …)."""
        from core.step_titles import SEP, step_heading

        self.set_phase(tr(step.phase, lang), step.phase)
        heading = step_heading(step.name, lang, step.phase)
        self.code = f"∂L/∂ {step.name}" if step.phase == "backward" else step.name
        self.title.set_full_text(heading or op or step.name, middle_cuts(heading or "", SEP))
        kind = KINDS_ZH.get(step.kind, step.kind) if lang == "zh" else step.kind
        names = " × ".join(axis_name(a, lang) for a in axes or step.axes) or "—"
        parts = [
            f"<b>{tr(STRINGS['op'], lang)}</b> {kind}",
            f"<b>{tr(STRINGS['shape'], lang)}</b> {' × '.join(map(str, step.shape)) or '()'}",
            f"<b>{tr(STRINGS['axes'], lang)}</b> {names}",
        ]
        if step.t is not None:
            parts.append(f"<b>{tr(STRINGS['t'], lang)}</b> {step.t}")
        if step.layer is not None and heading is None:  # else the heading names it, from 1
            parts.append(f"<b>{tr(STRINGS['layer'], lang)}</b> {step.layer}")
        code = f"<span style='color:{MUTED}'><code>{html.escape(self.code)}</code></span>"
        self.meta.set_parts(parts, lead=f"{code}&nbsp;&nbsp; ")
        if tokens is not None:
            self.stats.set_parts(tokens, lead=f"<b>{tr(STRINGS['tokens'], lang)}</b> ")
        else:
            self.stats.set_parts(self._stats_parts(step, lang, stats))
        self.set_heads(*heads)
        self.head_label.setText(tr(STRINGS["heads"], lang))
        self.params.setText(tr(STRINGS["params"], lang))
        self.params.setVisible(has_params)

    @staticmethod
    def _stats_parts(step: Step, lang: str, st: dict[str, float]) -> list[str]:
        parts = [
            f"<b>{tr(STRINGS[k], lang)}</b> {st[k]:.4g}".replace("-", "−")
            for k in ("min", "max", "mean", "std")
        ]
        bad, neg = int(st["nonfinite"]), int(st.get("neginf", 0))
        text = f"<b>{tr(STRINGS['nonfinite'], lang)}</b> {bad}"
        if neg:
            text += f" (−∞ {tr(STRINGS['masked'], lang)}: {neg})"
        # red only for the unexpected: -inf from a mask is the op working as intended
        parts.append(f"<span style='color:#c62828'>{text}</span>" if bad > neg else text)
        if "head" in step.axes:
            n = step.shape[step.axes.index("head")]
            note = tr(STRINGS["all_heads"], lang).format(n=n)
            parts.append(f"<span style='color:{MUTED}'>{note}</span>")
        return parts

    def set_heads(self, n: int, current: int, visible: bool) -> None:
        """Show ``n`` head buttons (rebuilt only when ``n`` changes), ``current`` checked."""
        buttons = self.heads.buttons()
        if len(buttons) != n:
            for b in buttons:
                self.heads.removeButton(b)
                b.deleteLater()
            for h in range(n):
                b = QToolButton()
                b.setText(str(h))
                b.setCheckable(True)
                b.setFont(ui_font(9, bold=True))
                b.setFixedSize(26, 22)
                c = head_color(h).name()
                b.setStyleSheet(
                    f"QToolButton {{ border: 1px solid {c}; border-radius: 4px; color: {c};"
                    f" background: white; }} QToolButton:checked {{ background: {c};"
                    " color: white; }"
                )
                self.heads.addButton(b, h)
                self.head_lay.addWidget(b)
        button = self.heads.button(current)
        if button is not None and not button.isChecked():
            button.setChecked(True)
        self.head_box.setVisible(visible and n > 0)

    def set_phase(self, text: str, phase: str) -> None:
        color = PHASE_COLORS.get(phase, MUTED)
        self.chip.setText(f" {text} ")
        self.chip.setStyleSheet(
            f"background: {color}; color: white; border-radius: 4px; padding: 2px 6px;"
        )
