"""The compare mode: the same sentence in the translator and in the GPT-style model.

The lecture's question: where does "Pfeil" find "arrow"? In the encoder-decoder model
(demo-de) the decoder reads the encoded English through cross-attention; the
decoder-only model (gpt-de) has no encoder, and finds the English words in its own
prompt through masked self-attention. Two heatmaps side by side, one row per layer and
head, one column per English word (plus what the row puts elsewhere), for the German
word the user picks; the numbers are the two models' own (``compare_data``).

A non-modal dialog opened from the Models menu. It loads the two shipped models once
and translates through the session's runner (off the GUI thread in the window), so
the main window's model and sentence stay as they were.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from visualizer.i18n import tr
from visualizer.models.compare_data import (
    DECONLY,
    DEFAULT_WORD,
    ENCDEC,
    Comparison,
    Side,
    compare,
    head_labels,
    run_both,
    shared_words,
)
from visualizer.widgets.heatmap import Heatmap

if TYPE_CHECKING:
    from core.bundle import Bundle
    from core.session import Session
    from core.trace import Trace
    from visualizer.bridge import SessionBridge

LECTURE = "Time flies like an arrow"

STRINGS = {
    "title": {
        "en": "Compare: encoder-decoder and decoder-only",
        "zh": "对比：编码器-解码器与仅解码器",
    },
    "intro": {
        "en": "The same sentence in two shapes. When the model writes the German word, which "
        "English words does it look at? The encoder-decoder model reads them through "
        "cross-attention; the decoder-only model has no encoder and finds them in its own "
        "prompt through self-attention. One row per layer and head.",
        "zh": "同一句话，两种结构。模型写出这个德语词时，看的是哪些英语词？编码器-解码器模型"
        "通过交叉注意力读取它们；仅解码器模型没有编码器，只能通过自注意力在自己的提示里"
        "找到它们。每行是一层中的一个注意力头。",
    },
    "sentence": {"en": "Sentence", "zh": "句子"},
    "word": {"en": "German word", "zh": "德语词"},
    "run": {"en": "Compare", "zh": "对比"},
    "left": {
        "en": "{model} (encoder-decoder): cross-attention of “{word}”",
        "zh": "{model}（编码器-解码器）：“{word}”的交叉注意力",
    },
    "right": {
        "en": "{model} (decoder-only): self-attention of “{word}” over the prompt",
        "zh": "{model}（仅解码器）：“{word}”对提示的自注意力",
    },
    "elsewhere": {"en": "elsewhere", "zh": "其余"},
    "left_rest": {
        "en": "“elsewhere”: the weight on <eos>",
        "zh": "“其余”：落在 <eos> 上的权重",
    },
    "right_rest": {
        "en": "“elsewhere”: the weight on “=” and the German written so far",
        "zh": "“其余”：落在“=”和已写出的德语上的权重",
    },
    "peak": {
        "en": "strongest on “{src}”: {value:.2f} ({row}, decoding step t{t})",
        "zh": "对“{src}”最强：{value:.2f}（{row}，解码第 t{t} 步）",
    },
    "busy": {"en": "translating with both models…", "zh": "两个模型正在翻译…"},
    "answers": {
        "en": "{left}: {a}   ·   {right}: {b}",
        "zh": "{left}：{a}   ·   {right}：{b}",
    },
}


class CompareDialog(QDialog):
    """``run(text)`` translates with both models; ``choose(word)`` shows that word."""

    def __init__(self, session: Session, bridge: SessionBridge, parent: QWidget | None = None):
        super().__init__(parent)
        # A dialog is a window of its own: without this it keeps its font when the
        # presentation zoom scales the main window's (Qt propagates no font to windows).
        self.setAttribute(Qt.WidgetAttribute.WA_WindowPropagation)
        self.session, self.bridge = session, bridge
        self.models: tuple[Bundle, Bundle] | None = None
        self.traces: tuple[Trace, Trace] | None = None
        self.comparison: Comparison | None = None
        self.error = ""
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.sentence_label, self.word_label = QLabel(), QLabel()
        self.sentence = QLineEdit(_start_sentence(session))
        self.sentence.returnPressed.connect(self._run_typed)
        self.run_button = QPushButton()
        self.run_button.clicked.connect(self._run_typed)
        self.word = QComboBox()
        self.word.currentTextChanged.connect(self._on_word)
        controls = QHBoxLayout()
        controls.addWidget(self.sentence_label)
        controls.addWidget(self.sentence, 1)
        controls.addWidget(self.run_button)
        controls.addSpacing(12)
        controls.addWidget(self.word_label)
        controls.addWidget(self.word)
        self.answers = QLabel()
        self.heat = (Heatmap(), Heatmap())
        self.peaks = (QLabel(), QLabel())
        self.rests = (QLabel(), QLabel())
        columns = QHBoxLayout()
        for heat, peak, rest in zip(self.heat, self.peaks, self.rests, strict=True):
            column = QVBoxLayout()
            column.addWidget(heat, 1)
            peak.setWordWrap(True)
            rest.setWordWrap(True)
            column.addWidget(peak)
            column.addWidget(rest)
            columns.addLayout(column, 1)
        self.status = QLabel()
        self.status.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(controls)
        layout.addWidget(self.answers)
        layout.addLayout(columns, 1)
        layout.addWidget(self.status)
        bridge.connect_relabel(self.relabel)
        self.resize(1100, 620)
        self.relabel(session.lang)

    # -- running both models -----------------------------------------------------------
    def _run_typed(self) -> None:
        self.run(self.sentence.text())

    def run(self, text: str) -> None:
        """Translate ``text`` with demo-de and gpt-de (traced) through the session's
        runner; a sentence either model cannot read is a message here."""
        self.sentence.setText(text)
        self.status.setText(tr(STRINGS["busy"], self.session.lang))
        self.status.setStyleSheet("")
        self.run_button.setEnabled(False)
        models = self.models

        def job() -> tuple[bool, Any]:
            try:
                pair = models or _load_pair()
                return True, (pair, run_both(*pair, text))
            except ValueError as e:  # a sentence the models cannot read
                return False, str(e)
            except Exception as e:  # a bug must not take the window down
                return False, f"{type(e).__name__}: {e}"

        self.session.runner(job, self._ran)

    def _ran(self, outcome: tuple[bool, Any]) -> None:
        self.run_button.setEnabled(True)
        ok, value = outcome
        if not ok:
            self._fail(str(value))
            return
        self.models, self.traces = value
        self.status.setText("")
        self.error = ""
        words = shared_words(*self.traces)
        keep = self.word.currentText()
        self.word.blockSignals(True)
        self.word.clear()
        self.word.addItems(words)
        self.word.blockSignals(False)
        for wanted in (keep, DEFAULT_WORD):
            if wanted in words:
                self.word.setCurrentText(wanted)
                break
        self._answers()
        self.choose(self.word.currentText())

    def _fail(self, message: str) -> None:
        self.error = message
        self.status.setText(message)
        self.status.setStyleSheet("color: #c1121f")

    def _on_word(self, word: str) -> None:
        if word:
            self.choose(word)

    def choose(self, word: str) -> None:
        """Show ``word``'s rows in both models (a word only one model wrote: a message)."""
        if self.traces is None:
            return
        try:
            self.comparison = compare(*self.traces, word)
        except ValueError as e:
            self.comparison = None
            self._fail(str(e))
            return
        self._draw()

    # -- drawing -----------------------------------------------------------------------
    def _draw(self) -> None:
        c, lang = self.comparison, self.session.lang
        if c is None:
            return
        focus = c.focus()
        rest = tr(STRINGS["elsewhere"], lang)
        for i, (side, key, model) in enumerate(
            ((c.encdec, "left", ENCDEC), (c.deconly, "right", DECONLY))
        ):
            values = _rows(side)
            title = tr(STRINGS[key], lang).format(model=model, word=c.word)
            heat = self.heat[i]
            heat.set_matrix(
                values,
                head_labels(side.layers, side.heads),
                [*c.source_words, rest],
                mode="probability",
                title=title,
            )
            heat.mark(col=focus)
            if focus is not None:
                value, layer, head = side.peak(focus)
                row = head_labels(side.layers, side.heads)[layer * side.heads + head]
                self.peaks[i].setText(
                    tr(STRINGS["peak"], lang).format(
                        src=c.source_words[focus], value=value, row=row, t=side.t
                    )
                )
            self.rests[i].setText(tr(STRINGS[f"{key}_rest"], lang))

    def _answers(self) -> None:
        if self.traces is None:
            return
        a, b = (str(t.meta.get("translation", "")) for t in self.traces)
        self.answers.setText(
            tr(STRINGS["answers"], self.session.lang).format(left=ENCDEC, right=DECONLY, a=a, b=b)
        )

    def relabel(self, lang: str) -> None:
        self.setWindowTitle(tr(STRINGS["title"], lang))
        self.intro.setText(tr(STRINGS["intro"], lang))
        self.sentence_label.setText(tr(STRINGS["sentence"], lang))
        self.word_label.setText(tr(STRINGS["word"], lang))
        self.run_button.setText(tr(STRINGS["run"], lang))
        self._answers()
        self._draw()


def _rows(side: Side) -> Any:
    """(layers × heads, words + 1): each head's row over the English words, then the
    weight it puts elsewhere."""
    import numpy as np

    flat = side.weights.reshape(side.layers * side.heads, -1)
    return np.concatenate([flat, side.elsewhere.reshape(-1, 1)], axis=1)


def _load_pair() -> tuple[Bundle, Bundle]:
    from core import checkpoint
    from core.model_catalog import resolve

    return checkpoint.load(resolve(ENCDEC)), checkpoint.load(resolve(DECONLY))


def _start_sentence(session: Session) -> str:
    """The window's sentence when it is an English one the translators can try, else the
    lecture sentence (a picture name or a French model's sentence would not compare)."""
    bundle = session.bundle
    if bundle.cfg.arch != "encoder-only" and bundle.pair == "en-de" and session.source.strip():
        return session.source
    return LECTURE
