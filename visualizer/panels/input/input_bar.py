"""The input bar: type an English sentence, pick an example or a language pair, and see
its tokens live as chips (token and id; ``<unk>`` in red, with an explanation).

Tokenising as you type is only a vocabulary lookup (no model run); Enter assigns
``session.source``, which re-runs the model. Errors come back through
``session.error`` and are shown under the field.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.tokenizer import UNK_ID
from visualizer.i18n import tr
from visualizer.panels.input.train_row import TrainRow
from visualizer.theme import ui_font

if TYPE_CHECKING:
    from core.session import Session
    from visualizer.bridge import SessionBridge

STRINGS = {
    "placeholder": {
        "en": "Type an English sentence and press Enter",
        "zh": "输入一个英文句子，然后按回车",
    },
    "run": {"en": "Translate", "zh": "翻译"},
    "examples": {"en": "Examples…", "zh": "示例…"},
    "unk": {
        "en": "not in the vocabulary: the model reads it as <unk>",
        "zh": "不在词表中：模型把它当作 <unk>",
    },
    "tokens": {"en": "Tokens", "zh": "词元"},
    "busy": {"en": "running the model…", "zh": "模型运行中…"},
}
PAIRS = {"en-de": "EN → DE", "en-fr": "EN → FR"}
CHIP = (
    "<span style='background:{bg}; color:{fg}; border-radius:4px;'>&nbsp;{tok}"
    "<sub style='color:{sub}'>{id}</sub>&nbsp;</span>"
)


class InputBar(QWidget):
    def __init__(self, session: Session, bridge: SessionBridge, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.edit = QLineEdit(session.source)
        self.edit.setFont(ui_font(13))
        self.edit.setMinimumWidth(150)
        self.edit.setMaxLength(2000)  # longer input still gets the engine's clear message
        self.edit.returnPressed.connect(self._run)
        self.edit.textChanged.connect(self._preview)
        self.run_button = QPushButton()
        self.run_button.clicked.connect(self._run)
        self.examples = QComboBox()
        self.examples.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.examples.setMinimumContentsLength(7)
        self.examples.activated.connect(self._pick_example)
        self.pair = QComboBox()
        for key, label in PAIRS.items():
            self.pair.addItem(label, key)
        self.pair.setCurrentIndex(list(PAIRS).index(session.pair))
        self.pair.activated.connect(lambda i: setattr(session, "pair", self.pair.itemData(i)))
        self.chips = QLabel()
        self.chips.setTextFormat(Qt.TextFormat.RichText)
        self.chips.setFont(ui_font(11))
        self.chips.setWordWrap(True)  # a long sentence wraps onto more lines
        self.busy = QLabel()
        self.busy.setStyleSheet("color: #6e6e73; font-style: italic")
        self.busy.setVisible(False)
        self.notice = QLabel()  # what the model could not read well: <unk>, length limit
        self.notice.setStyleSheet("color: #9a6700")
        self.notice.setWordWrap(True)
        self.message = QLabel()
        self.message.setStyleSheet("color: #c1121f; font-weight: bold")
        self.message.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(self.pair)
        top.addWidget(self.edit, 1)
        top.addWidget(self.run_button)
        top.addWidget(self.busy)
        top.addWidget(self.examples)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 4, 6, 2)
        lay.setSpacing(2)
        lay.addLayout(top)
        self.train_row = TrainRow(session, bridge)
        lay.addWidget(self.train_row)
        lay.addWidget(self.chips)
        lay.addWidget(self.notice)
        lay.addWidget(self.message)

        bridge.sigSource.connect(self._on_source)
        bridge.sigError.connect(self._on_error)
        bridge.connect_relabel(self._relabel)
        bridge.sigPair.connect(self._on_pair)
        bridge.sigBusy.connect(self._on_busy)
        bridge.sigTrace.connect(self._on_trace)
        self._relabel()
        self._on_trace()
        self._on_error(session.error)

    def _run(self) -> None:
        text = self.edit.text()
        if text == self.session.source:
            self.session.rerun(text)  # same text: run again (e.g. after an error)
        else:
            self.session.source = text

    def _pick_example(self, index: int) -> None:
        if index > 0:
            self.edit.setText(self.examples.itemText(index))
            self._run()
        self.examples.setCurrentIndex(0)

    def _on_busy(self, busy: bool) -> None:
        self.busy.setText(tr(STRINGS["busy"], self.session.lang))
        self.busy.setVisible(busy)

    def _on_source(self, text: str) -> None:
        if self.edit.text() != text:
            self.edit.setText(text)

    def _on_pair(self, pair: str) -> None:
        self.pair.setCurrentIndex(list(PAIRS).index(pair))
        self._relabel()

    def _on_error(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _preview(self, text: str) -> None:
        """Show the tokens the model would read, without running it."""
        tok = self.session.bundle.src_tok
        enc = tok.encode(text)
        lang = self.session.lang
        chips = []
        for token, token_id in zip(enc.tokens, enc.ids, strict=True):
            unk = token_id == UNK_ID
            chips.append(
                CHIP.format(
                    bg="#ffd6d9" if unk else "#e8eefb",
                    fg="#c1121f" if unk else "#1d1d1f",
                    sub="#c1121f" if unk else "#6e6e73",
                    tok=_escape(token),
                    id=token_id,
                )
            )
        self.chips.setText(f"<b>{tr(STRINGS['tokens'], lang)}:</b> " + " ".join(chips))
        tip = ", ".join(enc.unknown)
        self.chips.setToolTip(f"{tip}: {tr(STRINGS['unk'], lang)}" if tip else "")

    def _on_trace(self, _trace: object = None) -> None:
        self._preview(self.edit.text())
        result = self.session.translation
        warnings = result.warnings if result is not None else []
        self.notice.setText("⚠ " + " · ".join(warnings) if warnings else "")
        self.notice.setVisible(bool(warnings))

    def _relabel(self, _lang: str = "") -> None:
        from core.session import EXAMPLES

        lang = self.session.lang
        self.edit.setPlaceholderText(tr(STRINGS["placeholder"], lang))
        self.run_button.setText(tr(STRINGS["run"], lang))
        self.examples.clear()
        self.examples.addItem(tr(STRINGS["examples"], lang))
        self.examples.addItems(list(EXAMPLES[self.session.pair]))
        self._preview(self.edit.text())


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
