"""The tensor view's header: which step, what op, the output's shape, axes and statistics,
plus the head selector and the parameter toggle.

Built once; ``show_step`` only sets texts. The head buttons are rebuilt only when the
number of heads changes (a different model), never per step. Its strings live here,
in English and Chinese.
"""

from __future__ import annotations

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
}  # fmt: skip


def axis_name(axis: str, lang: str) -> str:
    """An axis as the reader's language names it (the trace's own name in English)."""
    return AXES_ZH.get(axis, axis) if lang == "zh" else axis


class TensorHeader(QWidget):
    """Three lines of text on the left, controls on the right."""

    sigHead = Signal(int)
    sigParams = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chip = QLabel()
        self.chip.setFont(ui_font(9, bold=True))
        self.chip.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.name = QLabel()
        # the step's trace name (what breakpoints use): a code name, not a sentence; the
        # lecture check reads this property (visualizer.gallery.fit_rules.CODE_PROPERTY)
        self.name.setProperty("codeName", True)
        self.name.setFont(ui_font(13, bold=True))
        self.name.setStyleSheet(f"color: {TEXT}")
        self.title = QLabel()
        self.title.setFont(ui_font(11))
        self.title.setStyleSheet(f"color: {MUTED}")
        self.meta = QLabel()
        self.meta.setFont(ui_font(9))
        self.meta.setTextFormat(Qt.TextFormat.RichText)
        self.stats = QLabel()
        self.stats.setFont(ui_font(9))
        self.stats.setTextFormat(Qt.TextFormat.RichText)
        for label in (self.meta, self.stats):  # wrap rather than widen the whole window
            label.setWordWrap(True)
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
        top.addWidget(self.name)
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
        title: str,
        stats: dict[str, float],
        heads: tuple[int, int, bool],
        has_params: bool,
        tokens: str | None = None,
    ) -> None:
        """Fill every line for ``step``; ``heads`` is (count, current, shown); ``tokens``
        (HTML) replaces the statistics for a step whose numbers are token ids."""
        self.set_phase(tr(step.phase, lang), step.phase)
        self.name.setText(f"∂L/∂ {step.name}" if step.phase == "backward" else step.name)
        self.title.setText(title)
        kind = KINDS_ZH.get(step.kind, step.kind) if lang == "zh" else step.kind
        axes = " × ".join(axis_name(a, lang) for a in step.axes) or "—"
        parts = [
            f"<b>{tr(STRINGS['op'], lang)}</b> {kind}",
            f"<b>{tr(STRINGS['shape'], lang)}</b> {' × '.join(map(str, step.shape)) or '()'}",
            f"<b>{tr(STRINGS['axes'], lang)}</b> {axes}",
        ]
        if step.t is not None:
            parts.append(f"<b>{tr(STRINGS['t'], lang)}</b> {step.t}")
        if step.layer is not None:
            parts.append(f"<b>{tr(STRINGS['layer'], lang)}</b> {step.layer}")
        self.meta.setText("&nbsp;&nbsp;·&nbsp;&nbsp;".join(parts))
        if tokens is not None:
            self.stats.setText(f"<b>{tr(STRINGS['tokens'], lang)}</b> {tokens}")
        else:
            self.stats.setText(self._stats_html(step, lang, stats))
        self.set_heads(*heads)
        self.head_label.setText(tr(STRINGS["heads"], lang))
        self.params.setText(tr(STRINGS["params"], lang))
        self.params.setVisible(has_params)

    @staticmethod
    def _stats_html(step: Step, lang: str, st: dict[str, float]) -> str:
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
        return "&nbsp;&nbsp;&nbsp;".join(parts)

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
