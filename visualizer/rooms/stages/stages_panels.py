"""The room's read-only views: the token split, the corpus, the samples, the SFT examples,
the answer with its evidence, the stage comparison table and one GRPO step's tensor.

Each view draws numbers the engine computed (``core.stages``); none computes one itself.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from core.display import as_matrix
from core.stages.corpus import CONTEXTS, Corpus
from core.stages.evidence import Choice
from core.stages.pipeline import STAGES, AnswerRow, StageName
from core.stages.questions import Question
from core.stages.tokenizer import Split
from core.trace import Step, Trace
from visualizer.rooms.stages.stages_text import step_caption, t
from visualizer.theme import MUTED, PHASE_COLORS, get_scale, ui_font
from visualizer.widgets.heatmap import Heatmap
from visualizer.widgets.numbers import percent
from visualizer.widgets.prob_bars import Bar, ProbBars
from visualizer.widgets.whole_label import WholeLabel

CONTEXT_COLORS = {
    "version": "#cfe3ff",
    "section": "#ffe1b3",
    "date": "#d8f3dc",
    "arithmetic": "#f6c6d0",
}
CORPUS_SHOWN = 600  # lines written into the corpus view (the rest: the same kinds of line)


def label(size: float = 10, bold: bool = False, rich: bool = True) -> QLabel:
    """A word-wrapping label that never asks for more width than it gets, and keeps
    the height its text needs at that width (a crowded page scrolls rather than cut
    its last lines: ``WholeLabel``)."""
    w = WholeLabel()
    w.setFont(ui_font(size, bold))
    w.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    w.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
    w.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
    return w


def split_html(texts: Sequence[str], splits: Sequence[Split]) -> str:
    """Each number as its tokens, each token boxed with its id underneath."""
    rows = []
    for text, split in zip(texts, splits, strict=True):
        cells = "".join(
            f"<td align='center' style='background:#eef3fb; padding:2px 8px'>"
            f"<b>{html.escape(tok)}</b><br><span style='color:{MUTED}'>{i}</span></td>"
            for tok, i in zip(split.tokens, split.ids, strict=True)
        )
        rows.append(
            f"<tr><td style='padding-right:10px'><b>“{html.escape(text)}”</b> →</td>{cells}</tr>"
        )
    return f"<table cellspacing='4'>{''.join(rows)}</table>"


def corpus_html(corpus: Corpus, lines: int = CORPUS_SHOWN) -> str:
    """The first ``lines`` corpus lines with every number span coloured by its context."""
    end = sum(len(x) + 1 for x in corpus.lines[:lines])
    text = corpus.text[:end]
    out, at = [], 0
    for span in corpus.spans:
        if span.start >= len(text):
            break
        out.append(html.escape(text[at : span.start]))
        colour = CONTEXT_COLORS[span.context]
        out.append(
            f"<span style='background:{colour}'>{html.escape(text[span.start : span.end])}</span>"
        )
        at = span.end
    out.append(html.escape(text[at:]))
    return "<pre style='white-space:pre-wrap'>" + "".join(out) + "</pre>"


def legend_html(lang: str) -> str:
    return " ".join(
        f"<span style='background:{CONTEXT_COLORS[c]}'>&nbsp;{t(c, lang)}&nbsp;</span>"
        for c in CONTEXTS
    )


def read_only_text() -> QTextEdit:
    w = QTextEdit()
    w.setReadOnly(True)
    w.setFont(ui_font(9))
    w.setLineWrapMode(QTextEdit.LineWrapMode.WidgetWidth)
    return w


@dataclass(frozen=True)
class StageAnswer:
    """What one stage's model says to the 9.11 question, and why (engine numbers)."""

    stage: StageName
    row: AnswerRow  # the greedy answer, P(right) and P(wrong)
    choice: Choice  # at the answer's "." : P of each fraction token, attention per layer
    tokens: tuple[str, ...]  # the traced sequence (<bos> question → answer)
    at_11: int  # position of the question's 11
    at_9: int  # position of the question's other fraction 9


def _pair(prompt: str) -> str:
    """ "which is bigger: 9.11 or 9.9? →" -> "9.11 | 9.9" (a short row label)."""
    nums = [w.strip("?:→ ") for w in prompt.split() if any(ch.isdigit() for ch in w)]
    return " | ".join(nums) if nums else prompt


class _EvidenceHeatmap(Heatmap):
    """The evidence heatmap, laid out by its least size: a box layout takes a widget's
    height-for-width (the heatmap's wrapped title makes it have one) as its least
    height, and the heatmap's would leave out the readable rows it asks for."""

    def hasHeightForWidth(self) -> bool:
        return False


class AnswerPanel(QWidget):
    """Per stage with a model: the answer, P(9.9) and P(9.11); for the stage picked in
    ``which`` (the latest by default), the evidence: P(11) vs P(9) at the decisive "."
    (bars) and that position's attention to every token, per layer (heatmap)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = label(10, bold=True)
        self.lines = label(10)
        self.which_label = label(9)
        self.which = QComboBox()
        self.bars = ProbBars()
        zoom = get_scale()  # built at the zoom of the day: two rows of text at that size
        self.bars.setMinimumHeight(round(70 * zoom))
        self.bars.setMaximumHeight(round(90 * zoom))
        self.evidence = label(9)
        # No fixed least height: the heatmap's own (a readable row per token at the
        # zoom of the moment) holds, and the answer's scroll area scrolls (issue 16)
        self.attention = _EvidenceHeatmap()
        pick = QHBoxLayout()
        pick.addWidget(self.which_label)
        pick.addWidget(self.which, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 4, 0)
        lay.setSpacing(3)
        lay.addWidget(self.title)
        lay.addWidget(self.lines)
        lay.addLayout(pick)
        lay.addWidget(self.bars)
        lay.addWidget(self.evidence)
        lay.addWidget(self.attention, 1)
        lay.addStretch()  # takes the height while the heatmap is hidden (no stage yet)
        self.shown: dict[StageName, StageAnswer] = {}
        self.picked: StageName | None = None  # None: follow the latest stage
        self.lang = "en"
        self.which.activated.connect(self._on_pick)

    def _on_pick(self, index: int) -> None:
        names = [n for n in STAGES if n in self.shown]
        self.picked = names[index] if 0 <= index < len(names) else None
        self.show_answers(self.shown, self.lang)

    def show_answers(self, answers: dict[StageName, StageAnswer], lang: str) -> None:
        self.shown, self.lang = dict(answers), lang
        self.title.setText(t("answer", lang))
        self.which_label.setText(t("evidence_for", lang))
        names = [n for n in STAGES if n in answers]
        self.which.setVisible(bool(names))
        self.which_label.setVisible(bool(names))
        self.which.blockSignals(True)
        self.which.clear()
        self.which.addItems([t(n + "_short", lang) for n in names])
        if not answers:
            self.which.blockSignals(False)
            self.lines.setText(t("no_answer", lang))
            self.bars.set_bars([])
            self.evidence.setText("")
            self.attention.setVisible(False)
            return
        parts = []
        for name in names:
            row = answers[name].row
            ok = "✔" if row.correct else "✘"
            said = t("says", lang, stage=t(name + "_short", lang), text=html.escape(row.text))
            probs = t("p_pair", lang, right=percent(row.p_right), wrong=percent(row.p_wrong))
            parts.append(
                f"{ok} {said}<br>&nbsp;&nbsp;&nbsp;<span style='color:{MUTED}'>{probs}</span>"
            )
        self.lines.setText("<br>".join(parts))
        stage = self.picked if self.picked in answers else names[-1]
        self.which.setCurrentIndex(names.index(stage))
        self.which.blockSignals(False)
        self._show_evidence(answers[stage], lang)

    def _show_evidence(self, a: StageAnswer, lang: str) -> None:
        c = a.choice
        self.bars.set_bars(
            [
                Bar(f"9 . {c.wrong_token}", c.p_wrong, c.p_wrong > c.p_right),
                Bar(f"9 . {c.right_token}", c.p_right, c.p_right >= c.p_wrong),
            ]
        )

        def per_layer(pos: int) -> str:
            return ", ".join(
                f"{t('layer', lang, n=i)} {percent(layer[pos])}"
                for i, layer in enumerate(c.attention)
            )

        self.evidence.setText(
            t(
                "evidence",
                lang,
                p11=percent(c.p_wrong),
                p9=percent(c.p_right),
                att11=per_layer(a.at_11),
                att9=per_layer(a.at_9),
                pos=c.position,
            )
        )
        self.attention.setVisible(True)
        att = np.array(c.attention, dtype=np.float32).T  # (T, layers)
        self.attention.set_matrix(
            att,
            [f"{i}: {tok}" for i, tok in enumerate(a.tokens[: att.shape[0]])],
            [t("layer", lang, n=i) for i in range(att.shape[1])],
            mode="probability",
            title=t("att_title", lang),
        )
        self.attention.mark(row=a.at_11)


class ComparisonTable(QTableWidget):
    """Held-out questions × stages: the greedy answer and P(right answer)."""

    def show_rows(
        self, questions: Sequence[Question], table: dict[StageName, list[AnswerRow]], lang: str
    ) -> None:
        stages = [n for n in STAGES if n in table]
        self.clear()
        self.setRowCount(len(questions) + 1)
        self.setColumnCount(2 + len(stages))
        self.setHorizontalHeaderLabels(
            [t("question", lang), t("right", lang), *(t(n + "_short", lang) for n in stages)]
        )
        for r, q in enumerate(questions):
            self.setItem(r, 0, QTableWidgetItem(f"{q.a.text} / {q.b.text}"))
            self.setItem(r, 1, QTableWidgetItem(q.answer))
            for c, name in enumerate(stages):
                row = table[name][r]
                item = QTableWidgetItem(f"{row.answer or '—'}  ({percent(row.p_right)})")
                item.setForeground(Qt.GlobalColor.darkGreen if row.correct else Qt.GlobalColor.red)
                item.setToolTip(row.text)
                self.setItem(r, 2 + c, item)
        last = len(questions)
        self.setItem(last, 0, QTableWidgetItem(t("accuracy_row", lang)))
        for c, name in enumerate(stages):
            rows = table[name]
            acc = sum(x.correct for x in rows) / max(1, len(rows))
            self.setItem(last, 2 + c, QTableWidgetItem(f"{acc:.0%}"))
        self.verticalHeader().setVisible(False)
        head = self.horizontalHeader()
        # Every column as wide as its text: a narrow page scrolls sideways rather than
        # eliding the last stage's probability (a stretched last section gets cut).
        head.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        head.setStretchLastSection(False)
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)

    def cell_text(self, row: int, col: int) -> str:
        item = self.item(row, col)
        return item.text() if item is not None else ""


class GrpoStepView(QWidget):
    """The GRPO update's step at the cursor: what it is, and its tensor as a heatmap."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.head = label(10, bold=True)
        self.caption = label(10)
        self.meta = label(9)
        self.heatmap = Heatmap()
        self.heatmap.setMinimumHeight(200)
        self.heatmap.sigChrome.connect(self._readable)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(3)
        for w in (self.head, self.caption, self.meta):
            lay.addWidget(w)
        lay.addWidget(self.heatmap, 1)
        self.values: np.ndarray | None = None  # the matrix drawn (tests compare it)

    def show_empty(self, lang: str) -> None:
        self.values = None
        self.head.setText(t("no_trace", lang))
        self.caption.setText("")
        self.meta.setText("")
        self.heatmap.setVisible(False)

    def show_step(self, trace: Trace, step: Step, vocab: list[str], lang: str) -> None:
        n = len(trace.steps)
        colour = PHASE_COLORS.get(step.phase, MUTED)
        self.head.setText(
            f"<span style='color:{colour}'>●</span> "
            + t(
                "trace_head",
                lang,
                i=step.index + 1,
                n=n,
                name=html.escape(step.name),
                phase=t(step.phase, lang)
                if step.phase in ("forward", "loss", "backward", "update")
                else step.phase,
                shape=" × ".join(map(str, step.shape)) or "1",
            )
        )
        self.caption.setText(html.escape(step_caption(step.name, step.phase, lang)))
        m = trace.meta
        self.meta.setText(
            t(
                "trace_meta",
                lang,
                loss=m.get("loss", float("nan")),
                kl=m.get("kl", float("nan")),
                clip=m.get("clipped_share", 0.0),
                beta=m.get("beta", 0.0),
            )
        )
        mat = as_matrix(trace, step, step.key, 0, vocab)
        rows = list(mat.rows)
        answers = list(m.get("answers", []))
        questions = list(m.get("questions", []))
        if mat.row_axis == "answer" and len(answers) == len(rows):
            rows = [f"{k}: {a[:10]}" for k, a in enumerate(answers)]
        elif mat.row_axis == "prompt" and len(questions) == len(rows):
            rows = [_pair(q) for q in questions]
        mode = "ids" if step.kind == "tokens" else "diverging"
        self.values = mat.values
        self.heatmap.setVisible(True)
        self.heatmap.set_matrix(mat.values, rows, mat.cols, mode=mode, title=step.name)
        self._readable()

    def _readable(self) -> None:
        """At least the heatmap's readable rows (the page scrolls), never under 200 px;
        again whenever its labels' room changes."""
        self.heatmap.setMinimumHeight(max(200, self.heatmap.minimumSizeHint().height()))
