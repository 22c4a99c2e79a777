"""The input bar: type an English sentence, pick an example or a language pair, and see
its tokens live as chips (token and id; ``<unk>`` in red, with an explanation).

Tokenising as you type is only a vocabulary lookup (no model run); Enter assigns
``session.source``, which re-runs the model. Errors come back through
``session.error`` and are shown under the field.

For a classifier (encoder-only) the bar classifies instead of translating: the button
says so, the examples are the task's (a picture classifier's are the four lecture
pictures: cat, dog, small cat, big dog), the chips show ``[CLS]`` first (or the
picture's patches), and a line shows the answer: every label with its probability. The
chips are the tokens the model reads: a Hugging Face BERT's own ``[CLS] … [SEP]``
pieces, the built-in classifier's ``[CLS]`` and words.
"""

from __future__ import annotations

import contextlib
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
from visualizer.i18n import say, tr
from visualizer.panels.input.train_row import TrainRow, continues
from visualizer.theme import ui_font
from visualizer.widgets.answer import ranked_line

if TYPE_CHECKING:
    from core.bundle import Bundle
    from core.session import Session
    from visualizer.bridge import SessionBridge

STRINGS = {
    "placeholder": {
        "en": "Type an English sentence and press Enter",
        "zh": "输入一个英文句子，然后按回车",
    },
    "run": {"en": "Translate", "zh": "翻译"},
    "continue": {"en": "Continue", "zh": "续写"},  # a language model (GPT-2) continues text
    "examples": {"en": "Examples…", "zh": "示例…"},
    "unk": {
        "en": "not in the vocabulary: the model reads it as <unk>",
        "zh": "不在词表中：模型把它当作 <unk>",
    },
    "tokens": {"en": "Tokens", "zh": "词元"},
    "busy": {"en": "running the model…", "zh": "模型运行中…"},
    "classify": {"en": "Classify", "zh": "分类"},
    "fill": {"en": "Fill in", "zh": "填空"},  # a pre-trained BERT fills in [MASK]
    "filled": {"en": "Filled in", "zh": "填空结果"},
    "sentence": {
        "en": "Type an English sentence: who does the action? (press Enter)",
        "zh": "输入一个英文句子：谁在做这个动作？（按回车）",
    },
    "prompt": {  # a language model (GPT-2): any text, which it continues
        "en": "Type a prompt to continue and press Enter",
        "zh": "输入要续写的提示文本，然后按回车",
    },
    "sentence_hf": {  # a Hugging Face BERT with a classification head: its own labels
        "en": "Type a sentence to classify and press Enter",
        "zh": "输入要分类的句子，然后按回车",
    },
    "masked": {  # a pre-trained BERT: fills in [MASK]
        "en": "Type a sentence with [MASK] for a hidden word and press Enter",
        "zh": "输入一个句子，用 [MASK] 代替被遮住的词，然后按回车",
    },
    "hf_pair_tip": {
        "en": "A Hugging Face model ({family}) read from {folder}",
        "zh": "从 {folder} 读取的 Hugging Face 模型（{family}）",
    },
    "pictures": {"en": "Pictures…", "zh": "图片…"},
    "picture": {
        "en": "Name a picture (cat, dog, small cat, big dog) or a picture file, and press Enter",
        "zh": "输入图片名（猫、狗、小猫、大狗）或图片文件，然后按回车",
    },
    "patches": {"en": "the picture's {n} patches", "zh": "图片的 {n} 个图块"},
    "answer": {"en": "Classification", "zh": "分类结果"},
    "pair_tip": {
        "en": "Pick a language pair: opens its built-in translator",
        "zh": "选择语言对：打开它的内置翻译模型",
    },
    "model_pair": {
        "en": "The language pair this model was trained on (one model, one pair: "
        "the Models menu opens another)",
        "zh": "这个模型训练时用的语言对（一个模型只有一个语言对：在“模型”菜单中打开其他模型）",
    },
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
        self.pair = QComboBox()  # filled by _show_pair, for the open model
        self.pair.activated.connect(self._pick_pair)
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
        self.answer = QLabel()  # a classifier's answer: the labels and their probabilities
        self.answer.setFont(ui_font(12))
        self.answer.setVisible(False)
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
        lay.addWidget(self.answer)
        lay.addWidget(self.notice)
        lay.addWidget(self.message)

        bridge.sigSource.connect(self._on_source)
        bridge.sigError.connect(self._on_error)
        bridge.connect_relabel(self._relabel)
        bridge.sigPair.connect(self._on_pair)
        bridge.sigBusy.connect(self._on_busy)
        bridge.sigTrace.connect(self._on_trace)
        self._model: object = session.bundle
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
            data = self.examples.itemData(index)  # a picture's English name
            self.edit.setText(data if isinstance(data, str) else self.examples.itemText(index))
            self._run()
        self.examples.setCurrentIndex(0)

    def _on_busy(self, busy: bool) -> None:
        self.busy.setText(tr(STRINGS["busy"], self.session.lang))
        self.busy.setVisible(busy)

    def _on_source(self, text: str) -> None:
        if self.edit.text() != text:
            self.edit.setText(text)

    def _pick_pair(self, index: int) -> None:
        """A pair opens its built-in translator (the session's ``pair`` does that; when it
        is already that pair but another model is open, the translator opens here)."""
        from core.session import BUILTIN_MODELS, EXAMPLES, MODELS

        pair, s = self.pair.itemData(index), self.session
        if pair not in PAIRS:
            return
        if pair != s.pair:
            s.pair = pair
        elif s.bundle.pair != pair:
            s.open_model(MODELS / BUILTIN_MODELS[pair], EXAMPLES[pair][0])

    def _on_pair(self, _pair: str) -> None:
        self._relabel()

    def _show_pair(self) -> None:
        """The pair box: a translator's pairs to choose from; a decoder-only model's own
        pair, fixed (choosing another would open another model); nothing for a
        classifier, which translates no pair."""
        bundle, lang = self.session.bundle, self.session.lang
        kind = _kind(bundle)
        self.pair.setVisible(kind == "text")
        hf = _hf_names(bundle)  # a Hugging Face model: (name, family), not a pair
        choose = bundle.cfg.arch == "encoder-decoder" and hf is None
        own = f"{hf[0]} · {hf[1]}" if hf else pair_label(bundle.pair)
        pairs = dict(PAIRS) if choose else {bundle.pair: own}
        if [self.pair.itemData(i) for i in range(self.pair.count())] != list(pairs):
            self.pair.clear()
            for key, label in pairs.items():
                self.pair.addItem(label, key)
        shown = bundle.pair if bundle.pair in PAIRS else self.session.pair  # the model's own
        if choose and shown in PAIRS:
            self.pair.setCurrentIndex(list(PAIRS).index(shown))
        self.pair.setEnabled(choose)
        tip = tr(STRINGS["pair_tip" if choose else "model_pair"], lang)
        if hf is not None:
            folder = getattr(bundle, "folder", "")
            tip = tr(STRINGS["hf_pair_tip"], lang).format(family=hf[1], folder=folder)
        self.pair.setToolTip(tip)

    def _on_error(self, text: str) -> None:
        self.message.setText(say(text, self.session.lang))  # an engine message: its language
        self.message.setVisible(bool(text))

    def _preview(self, text: str) -> None:
        """Show the tokens the model would read, without running it."""
        bundle, lang = self.session.bundle, self.session.lang
        if _kind(bundle) == "picture":
            n = (bundle.cfg.image_size // max(1, bundle.cfg.patch_size)) ** 2
            self.chips.setText(
                f"<b>{tr(STRINGS['tokens'], lang)}:</b> "
                + CHIP.format(bg="#e8eefb", fg="#1d1d1f", sub="#6e6e73", tok="[CLS]", id="")
                + " + "
                + tr(STRINGS["patches"], lang).format(n=n)
            )
            self.chips.setToolTip("")
            return
        enc = bundle.src_tok.encode(text)
        # a Hugging Face BERT's tokenizer adds its own [CLS] … [SEP] (core.hf.hf_bundle):
        # that is exactly what the model reads, so no [CLS] goes on top
        if _kind(bundle) == "sentence" and bundle.src_tok.kind != "hf":
            from core.classify_task import encode_sentence

            # the classifier reads [CLS] first; empty or unreadable text keeps the plain
            # tokens (the run says what is wrong)
            with contextlib.suppress(ValueError):
                enc = encode_sentence(bundle.src_tok, text)  # type: ignore[arg-type]  # a classifier's tokenizer is a WordTokenizer
        chips = []
        for token, token_id in zip(enc.tokens, enc.ids, strict=True):
            unk = token_id == getattr(bundle.src_tok, "unk_id", UNK_ID)  # Marian: its own id
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
        if self.session.bundle is not self._model:  # another model: other examples, button
            self._model = self.session.bundle
            self._relabel()
        self._preview(self.edit.text())
        said = self.session.classification
        filled = self.session.fill_mask  # a pre-trained BERT's sentence, its [MASK]s filled
        self.answer.setVisible(said is not None or filled is not None)
        if said is not None:
            line = _escape(ranked_line(said.ranked, self.session.lang))
            self.answer.setText(f"<b>{tr(STRINGS['answer'], self.session.lang)}:</b> {line}")
        elif filled is not None:
            line = _escape(filled.text)
            self.answer.setText(f"<b>{tr(STRINGS['filled'], self.session.lang)}:</b> {line}")
        result = self.session.translation
        warnings = [say(w, self.session.lang) for w in result.warnings] if result else []
        self.notice.setText("⚠ " + " · ".join(warnings) if warnings else "")
        self.notice.setVisible(bool(warnings))

    def _relabel(self, _lang: str = "") -> None:
        from core.session import EXAMPLES

        lang, kind = self.session.lang, _kind(self.session.bundle)
        self._show_pair()
        self.edit.setPlaceholderText(tr(STRINGS[_hint(self.session.bundle)], lang))
        run = "continue" if kind == "text" and continues(self.session.bundle) else "run"
        answer = "fill" if self.session.bundle.cfg.mlm else "classify"
        self.run_button.setText(tr(STRINGS[run if kind == "text" else answer], lang))
        self.examples.clear()
        if kind == "picture":
            from core.classify_run import PICTURE_NAMES, PICTURE_NAMES_ZH

            self.examples.addItem(tr(STRINGS["pictures"], lang))
            for name in PICTURE_NAMES:  # the lecture pictures; the run reads the English name
                self.examples.addItem(PICTURE_NAMES_ZH[name] if lang == "zh" else name, name)
        else:
            self.examples.addItem(tr(STRINGS["examples"], lang))
            pair = self.session.bundle.pair  # a decoder-only model's own pair's examples
            examples = EXAMPLES.get(pair, EXAMPLES[self.session.pair])
            if self.session.bundle.cfg.mlm:  # a pre-trained BERT: sentences with [MASK]
                from core.fill_mask import EXAMPLES as MASKED

                examples = MASKED
            self.examples.addItems(list(examples))
        self._on_trace()  # the answer, the notes and the tokens in the new language
        self._on_error(self.session.error)


def pair_label(pair: str) -> str:
    """ "en-de" -> "EN → DE" (a built-in pair's own label; "" for a model without one)."""
    if pair in PAIRS:
        return PAIRS[pair]
    src, _, tgt = pair.partition("-")
    return f"{src.upper()} → {tgt.upper()}" if tgt else pair.upper()


def _kind(bundle: Bundle) -> str:
    """ "picture" or "sentence" for a classifier, "text" for a model that writes text."""
    if bundle.cfg.arch != "encoder-only":
        return "text"
    return "picture" if bundle.cfg.inputs == "patches" else "sentence"


def _hint(bundle: Bundle) -> str:
    """The input field's placeholder, from the model's task: a prompt to continue, a
    sentence with [MASK], a sentence to classify, a picture, or one to translate."""
    kind = _kind(bundle)
    if kind == "picture":
        return "picture"
    if kind == "sentence":
        if bundle.cfg.mlm:
            return "masked"
        return "sentence_hf" if bundle.pair.startswith("hf:") else "sentence"
    return "prompt" if continues(bundle) else "placeholder"


def _hf_names(bundle: Bundle) -> tuple[str, str] | None:
    """A Hugging Face model's (name, family) for the pair box: ``gpt2 · GPT-2``
    (the hub name of a cache snapshot, else the folder's name); None for the others."""
    folder = getattr(bundle, "folder", "")
    if not bundle.pair.startswith("hf:") or not folder:
        return None
    from core.hf.hf_cache import display_name, family_name

    return display_name(folder), family_name(bundle.pair.removeprefix("hf:"))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
