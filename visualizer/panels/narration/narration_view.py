"""The narration panel: what the current step does and why, with its real numbers.

Above, a phase badge and an EN / 中文 switch (it sets ``session.lang``; the whole
window relabels), then the heading: the step's title for a person from
``core.step_titles`` ("Encoder layer 1 · self-attention · attention weights"), at
most two lines, cut with "…" and its whole text as tooltip; where no rule titles the
step, or the title only repeats it, the op's name ("Softmax") heads it instead. Under
the heading the step's code name, smaller (what breakpoints and the search use); the
op's name, when the heading is the title, heads the explanation below. Below, the
explanation and generic formula from ``core.narration`` and, under them, the same
formula worked out for the selected cell (``session.selection``, row 0 / column 0
when none) with the numbers the trace holds (``visualizer.panels.narration.worked``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from core.step_titles import SEP
from visualizer.i18n import tr
from visualizer.panels.narration.worked import Worked, worked
from visualizer.panels.narration.worked_text import esc
from visualizer.theme import MUTED, PHASE_COLORS, ui_font
from visualizer.widgets.elided_label import ElidedLabel, middle_cuts

if TYPE_CHECKING:
    from core.narration import Narration
    from core.session import Session
    from core.trace import Step, Trace
    from visualizer.bridge import SessionBridge

LANGS = (("en", "EN"), ("zh", "中文"))
STRINGS = {
    "step": {"en": "step {i} of {n}", "zh": "第 {i} 步，共 {n} 步"},
    "t": {"en": "decoding step t={t}", "zh": "解码第 t={t} 步"},
    "layer": {"en": "layer {n}", "zh": "第 {n} 层"},
    "formula": {"en": "Formula", "zh": "公式"},
    "worked": {"en": "With this step's numbers", "zh": "代入本步的真实数值"},
    "missing": {
        "en": "No explanation is written for this step yet.",
        "zh": "这一步还没有文字说明。",
    },
    "empty": {
        "en": "No trace: type a sentence to translate.",
        "zh": "没有轨迹：请输入要翻译的句子。",
    },
    "failed": {
        "en": "The numbers of this cell cannot be shown: {e}",
        "zh": "无法显示这个单元格的数值：{e}",
    },
    "lang_tip": {"en": "Switch the language of the whole window", "zh": "切换整个窗口的语言"},
}
BOX = (
    "<table width='100%' cellspacing='0' cellpadding='10' bgcolor='{bg}' "
    "style='border: 1px solid {border}; margin-top: 4px'><tr><td>{body}</td></tr></table>"
)


class Badge(QLabel):
    """The phase pill ("forward · t=3"): as wide as its whole text asks; squeezed into
    less (a narrow dock at presentation zoom) it shows the text cut with "…" and the
    whole text as its tooltip, never clipped."""

    def __init__(self) -> None:
        super().__init__()
        self._full = ""
        self._whole = QSize(0, 0)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def setText(self, text: str) -> None:
        self._full = text
        self._fit()

    def sizeHint(self) -> QSize:
        return self._whole  # what the whole text asks for, even while it is cut

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit()  # a zoomed font or new padding: another whole size
            self.updateGeometry()

    def _fit(self) -> None:
        if super().text() != self._full:
            super().setText(self._full)
        self._whole = super().sizeHint()
        room = self.contentsRect().width()
        fm = self.fontMetrics()
        shown = self._full
        if room > 0 and fm.horizontalAdvance(shown) > room:
            shown = fm.elidedText(shown, Qt.TextElideMode.ElideRight, room)
            super().setText(shown)
        self.setToolTip(self._full if shown != self._full else "")


class NarrationView(QWidget):
    def __init__(
        self, session: Session, bridge: SessionBridge, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.narration: Narration | None = None
        self.worked: Worked | None = None
        self._vocab: tuple[object, list[str]] | None = None
        self.badge = Badge()
        self.badge.setFont(ui_font(10, bold=True))
        self.title = ElidedLabel(max_lines=2)  # which step, in the reader's words
        self.title.setFont(ui_font(15, bold=True))
        self.op = ""  # the op's name ("Softmax"): the explanation's heading under a title
        self.code = QLabel()  # the step's code name (what breakpoints and the search use)
        self.code.setProperty("codeName", True)  # "loss" is a trace point, not English
        self.code.setFont(ui_font(10))
        self.code.setTextFormat(Qt.TextFormat.RichText)
        self.code.setWordWrap(True)  # broken after each dot: never cut
        self.code.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.sub = QLabel()
        self.sub.setFont(ui_font(10))
        self.sub.setStyleSheet(f"color: {MUTED}")
        self.sub.setWordWrap(True)
        self.buttons = QButtonGroup(self)
        self.buttons.setExclusive(True)
        head = QHBoxLayout()
        head.setSpacing(8)
        head.addWidget(self.badge)
        head.addStretch(1)
        for i, (_code, text) in enumerate(LANGS):
            b = QPushButton(text)
            b.setCheckable(True)
            b.setFont(ui_font(10, bold=True))
            b.setFixedWidth(52)
            self.buttons.addButton(b, i)
            head.addWidget(b)
        self.buttons.idClicked.connect(self._on_lang_button)
        self.browser = QTextBrowser()
        self.browser.setFont(ui_font(12))
        self.browser.setOpenLinks(False)
        self.browser.setStyleSheet("QTextBrowser { background: white; border: none; }")
        self.browser.document().setDocumentMargin(12)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        lay.setSpacing(4)
        lay.addLayout(head)
        lay.addWidget(self.title)
        lay.addWidget(self.code)
        lay.addWidget(self.sub)
        lay.addWidget(self.browser, 1)
        for sig in (bridge.sigCursor, bridge.sigTrace, bridge.sigSelection, bridge.sigLang):
            sig.connect(self._on_change)  # bound: Qt drops it when this widget is deleted
        self.refresh()

    def _on_lang_button(self, i: int) -> None:
        self.session.lang = LANGS[i][0]

    def _on_change(self, _: object) -> None:
        self.refresh()

    def vocab(self) -> list[str]:
        """Target-vocabulary labels, cached per bundle."""
        bundle = self.session.bundle
        if self._vocab is None or self._vocab[0] is not bundle:
            tok = bundle.tgt_tok
            self._vocab = (bundle, [tok.token(i) for i in range(tok.size)])
        return self._vocab[1]

    def refresh(self) -> None:
        s, lang = self.session, self.session.lang
        for i, (code, _) in enumerate(LANGS):
            b = self.buttons.button(i)
            b.setChecked(code == lang)
            b.setToolTip(tr(STRINGS["lang_tip"], lang))
        if s.trace.steps and not 0 <= s.cursor < len(s.trace.steps):
            return  # a new, shorter trace: the cursor event follows
        if not s.trace.steps:
            self.title.set_full_text("")
            self.code.setText("")
            self.badge.setText("")
            self.sub.setText("")
            self.browser.setHtml(f"<p>{esc(tr(STRINGS['empty'], lang))}</p>")
            return
        step = s.step
        color = PHASE_COLORS.get(step.phase, MUTED)
        badge = tr(step.phase, lang) + (f" · t={step.t}" if step.t is not None else "")
        self.badge.setText(badge)
        self.badge.setStyleSheet(
            f"background: {color}; color: white; border-radius: 6px; padding: 3px 8px;"
        )
        kind = _kind_name(s.trace, step, lang)
        title = heading(step, lang, kind)
        self.title.set_full_text(title or kind, middle_cuts(title or "", SEP))
        self.op = kind if title else ""
        self.code.setText(code_html(step.name))
        self.code.setToolTip(step.name)
        sub = [tr(STRINGS["step"], lang).format(i=step.index + 1, n=len(s))]
        if step.t is not None:
            sub.append(tr(STRINGS["t"], lang).format(t=step.t))
        if step.layer is not None and not title:  # a title names the layer, counted from 1
            sub.append(tr(STRINGS["layer"], lang).format(n=step.layer))
        self.sub.setText("  ·  ".join(sub))
        self.browser.setHtml(self._html(lang))

    def _html(self, lang: str) -> str:
        from core.narration import narrate_step

        s, step = self.session, self.session.step
        try:
            self.narration = narrate_step(s.trace, step, lang)
        except (KeyError, ValueError):
            self.narration = None
        parts = []
        if self.narration is None:
            parts.append(f"<p style='color:{MUTED}'>{esc(tr(STRINGS['missing'], lang))}</p>")
        else:
            n = self.narration  # its title is the heading above, or this section's
            if self.op:
                parts.append(self._section(esc(self.op), top=0))
            parts.append(f"<p style='font-size:12pt; line-height:135%'>{esc(n.text)}</p>")
        here = self._here(lang)
        if here:
            parts.append(f"<p style='font-size:12pt; line-height:135%'><b>{here}</b></p>")
            parts.append(self._section(tr(STRINGS["formula"], lang)))
            parts.append(
                BOX.format(
                    bg="#f2f5fb",
                    border="#d0d7e6",
                    body=(f"<span style='font-size:14pt'>{esc(n.formula)}</span>"),
                )
            )
        sel = s.selection
        try:
            self.worked = worked(
                s.trace,
                step,
                sel.head,
                sel.row,
                sel.col,
                lang,
                self.vocab(),
                activation=s.bundle.cfg.activation,
                decode=s.decode,
            )
        except Exception as e:  # never let one odd tensor break the panel
            self.worked = None
            parts.append(
                f"<p style='color:{MUTED}'>{esc(tr(STRINGS['failed'], lang).format(e=e))}</p>"
            )
            return "".join(parts)
        w = self.worked
        parts.append(self._section(f"{tr(STRINGS['worked'], lang)} — {w.header}"))
        lines = "<br>".join(w.lines)
        parts.append(
            BOX.format(
                bg="#fff8e6",
                border="#f0d9a0",
                body=(f"<span style='font-size:14pt; line-height:150%'>{lines}</span>"),
            )
        )
        return "".join(parts)

    def _here(self, lang: str) -> str:
        """This step's own sentence with its numbers (``core.narration_steps``), as HTML."""
        from core.narration_steps import explain

        s = self.session
        try:
            sel = s.selection
            return esc(explain(s.trace, s.step, lang, self.vocab(), sel.row, sel.head).text)
        except Exception:  # a sentence that cannot be made never breaks the panel
            return ""

    @staticmethod
    def _section(text: str, top: int = 14) -> str:
        return (
            f"<p style='font-size:11pt; font-weight:600; color:{MUTED}; margin-top:{top}px; "
            f"margin-bottom:2px'>{text}</p>"
        )


def code_html(name: str) -> str:
    """The code name in small monospace, breakable after each dot and slash (a name
    has no spaces: a narrow panel would otherwise cut it)."""
    shown = esc(name).replace(".", ".&#8203;").replace("/", "/&#8203;")
    return f"<span style='font-family: monospace; color:{MUTED}'>{shown}</span>"


def heading(step: Step, lang: str, kind: str) -> str | None:
    """The step's title for a person (``core.step_titles``) where it says more than the
    op's name ``kind``; None where no rule titles the step or the title only repeats
    the op's name (the heading is then the op's name)."""
    from core.step_titles import step_heading

    title = step_heading(step.name, lang, step.phase)
    if title is None or title.casefold() == kind.casefold():
        return None
    return title


def _kind_name(trace: Trace, step: Step, lang: str) -> str:
    """The op's name in the reader's language (the narration's title for this model's
    shape), else its kind."""
    from core.narration import narrate_step

    try:
        return narrate_step(trace, step, lang).title
    except (KeyError, ValueError):
        return step.kind
