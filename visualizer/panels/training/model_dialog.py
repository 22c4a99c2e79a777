"""The model dialog: shape, training recipe and corpus of the next run; reset weights.

A non-modal dialog (the window keeps running behind it). It only reads and writes
plain settings: ``settings()`` returns (ModelConfig, TrainConfig, corpus spec) and
``sigApply`` / ``sigReset`` hand them to the training view, which owns the runs.
The shape includes the family's fields: the architecture (encoder-decoder or
decoder-only; an encoder-only classifier is trained on the command line, which the
dialog says when it is chosen) and the feed-forward type (dense, or a mixture of
``n_experts`` experts with ``top_k`` per token). They are checked by ``ModelConfig``
itself, so a bad combination (top-k above the number of experts) is the same one
line here as in ``transformer-sim train``.
A user TSV file is checked when chosen (``core.corpus.load_tsv``): a bad line is
named in the dialog at once, not minutes later in the worker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, SignalInstance
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QWidget,
)

from visualizer.i18n import say, tr

if TYPE_CHECKING:
    from core.config import FFN, Arch, ModelConfig, TrainConfig

STRINGS = {
    "title": {"en": "Model and training settings", "zh": "模型与训练设置"},
    "preset": {"en": "Preset", "zh": "预设"},
    "d_model": {"en": "d_model", "zh": "d_model（模型维度）"},
    "heads": {"en": "Heads", "zh": "注意力头数"},
    "enc": {"en": "Encoder layers", "zh": "编码器层数"},
    "dec": {"en": "Decoder layers", "zh": "解码器层数"},
    "d_ff": {"en": "d_ff (feed-forward)", "zh": "d_ff（前馈维度）"},
    "dropout": {"en": "Dropout", "zh": "Dropout（随机失活）"},
    "norm": {"en": "Layer norm", "zh": "层归一化位置"},
    "lr": {"en": "Learning rate", "zh": "学习率"},
    "warmup": {"en": "Warm-up steps", "zh": "预热步数"},
    "batch": {"en": "Batch size", "zh": "批大小"},
    "steps": {"en": "Steps", "zh": "训练步数"},
    "seed": {"en": "Seed", "zh": "随机种子"},
    "corpus": {"en": "Corpus", "zh": "语料"},
    "browse": {"en": "TSV file…", "zh": "TSV 文件…"},
    "apply": {"en": "Use for the next run", "zh": "用于下次训练"},
    "reset": {"en": "Reset weights", "zh": "重置权重"},
    "open": {"en": "Load model…", "zh": "加载模型…"},
    "save": {"en": "Save model…", "zh": "保存模型…"},
    "post": {"en": "after each sublayer (post-norm)", "zh": "子层之后（post-norm）"},
    "pre": {"en": "before each sublayer (pre-norm)", "zh": "子层之前（pre-norm）"},
    "de": {"en": "built-in English → German", "zh": "内置 英语 → 德语"},
    "fr": {"en": "built-in English → French", "zh": "内置 英语 → 法语"},
    "file_ok": {"en": "{name}: {n} training pairs", "zh": "{name}：{n} 个训练句对"},
    "arch": {"en": "Architecture", "zh": "架构"},
    "encoder-decoder": {"en": "encoder-decoder (translator)", "zh": "编码器-解码器（翻译）"},
    "decoder-only": {
        "en": "decoder-only (GPT: the sentence is a prompt)",
        "zh": "仅解码器（GPT：句子作为提示）",
    },
    "encoder-only": {
        "en": "encoder-only (BERT / ViT classifier)",
        "zh": "仅编码器（BERT / ViT 分类器）",
    },
    "ffn": {"en": "Feed-forward", "zh": "前馈层"},
    "dense": {"en": "dense (one network)", "zh": "稠密（一个网络）"},
    "moe": {"en": "mixture of experts (a router picks)", "zh": "混合专家（由路由器挑选）"},
    "experts": {"en": "Experts", "zh": "专家数"},
    "top_k": {"en": "Experts per token (top-k)", "zh": "每个词元的专家数（top-k）"},
    "no_encoder_only": {
        "en": "An encoder-only classifier is not trained in the window: use "
        "transformer-sim train --preset bert-who (or vit-pets).",
        "zh": "仅编码器的分类器不在窗口中训练：请用 transformer-sim train --preset bert-who"
        "（或 vit-pets）。",
    },
    "refused": {"en": "Not possible: {why}", "zh": "无法使用这些设置：{why}"},
}
ARCHS: tuple[Arch, ...] = ("encoder-decoder", "decoder-only", "encoder-only")
FFNS: tuple[FFN, ...] = ("dense", "moe")


class ModelDialog(QDialog):
    sigApply = Signal(object, object, str)  # ModelConfig, TrainConfig, corpus spec
    sigReset = Signal(object, object, str)  # the same, and: new random weights now
    sigOpenModel = Signal(str)  # a model folder to load (checked by the session)
    sigSaveModel = Signal(str)  # a folder to save the current model to

    def __init__(
        self,
        lang: str,
        model: ModelConfig,
        train: TrainConfig,
        corpus: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_WindowPropagation)  # zooms with the window
        self.lang = lang
        self.corpus_spec = corpus
        self.preset = QComboBox()
        from core.config import PRESETS

        self._presets = PRESETS
        self.preset.addItems(["—", *PRESETS])
        self.preset.currentTextChanged.connect(self._use_preset)
        self.d_model, self.heads, self.enc, self.dec, self.d_ff = (QSpinBox() for _ in range(5))
        self.d_model.setRange(8, 1024)
        self.d_model.setSingleStep(8)
        self.heads.setRange(1, 16)
        self.enc.setRange(1, 12)
        self.dec.setRange(1, 12)
        self.d_ff.setRange(8, 4096)
        self.d_ff.setSingleStep(32)
        self.dropout, self.lr = QDoubleSpinBox(), QDoubleSpinBox()
        self.dropout.setRange(0.0, 0.9)
        self.dropout.setSingleStep(0.05)
        self.lr.setDecimals(5)
        self.lr.setRange(1e-5, 1000.0)
        self.lr.setSingleStep(1e-4)
        self.norm = QComboBox()
        self.warmup, self.batch, self.steps, self.seed = (QSpinBox() for _ in range(4))
        self.warmup.setRange(0, 100_000)
        self.batch.setRange(1, 1024)
        self.steps.setRange(1, 1_000_000)
        self.seed.setRange(0, 2**31 - 1)
        self.arch, self.ffn = QComboBox(), QComboBox()
        self.experts, self.top_k = QSpinBox(), QSpinBox()
        self.experts.setRange(1, 16)  # core.config refuses < 1; 16 keeps the views legible
        self.top_k.setRange(1, 16)  # not clamped to experts: ModelConfig says why
        self.arch.currentIndexChanged.connect(self._shape_changed)
        self.ffn.currentIndexChanged.connect(self._shape_changed)
        self.corpus, self.browse = QComboBox(), QPushButton()
        self.browse.clicked.connect(self._choose_file)
        self.corpus.currentIndexChanged.connect(self._on_corpus)
        self.note = QLabel()
        self.note.setWordWrap(True)
        corpus_row = QHBoxLayout()
        corpus_row.addWidget(self.corpus, 1)
        corpus_row.addWidget(self.browse)
        self.form = QFormLayout(self)
        rows: list[tuple[str, QWidget | QHBoxLayout]] = [
            ("preset", self.preset),
            ("arch", self.arch),
            ("d_model", self.d_model),
            ("heads", self.heads),
            ("enc", self.enc),
            ("dec", self.dec),
            ("d_ff", self.d_ff),
            ("ffn", self.ffn),
            ("experts", self.experts),
            ("top_k", self.top_k),
            ("dropout", self.dropout),
            ("norm", self.norm),
            ("lr", self.lr),
            ("warmup", self.warmup),
            ("batch", self.batch),
            ("steps", self.steps),
            ("seed", self.seed),
            ("corpus", corpus_row),
        ]
        self.labels = {}
        for key, widget in rows:
            self.labels[key] = QLabel()
            self.form.addRow(self.labels[key], widget)
        self.form.addRow(self.note)
        self.buttons = QDialogButtonBox()
        self.apply_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.reset_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.ResetRole)
        self.open_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.ActionRole)
        self.save_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.clicked.connect(lambda: self._ask_folder(self.sigOpenModel, "open"))
        self.save_button.clicked.connect(lambda: self._ask_folder(self.sigSaveModel, "save"))
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.apply_button.clicked.connect(self._apply)
        self.reset_button.clicked.connect(self._reset)
        self.close_button.clicked.connect(self.close)
        self.form.addRow(self.buttons)
        self.relabel(lang)
        self.set_values(model, train, corpus)

    # -- values ------------------------------------------------------------------------
    def set_values(self, model: ModelConfig, train: TrainConfig, corpus: str) -> None:
        self.d_model.setValue(model.d_model)
        self.heads.setValue(model.n_heads)
        self.enc.setValue(model.n_enc_layers)
        self.dec.setValue(model.n_dec_layers)
        self.d_ff.setValue(model.d_ff)
        self.dropout.setValue(model.dropout)
        self.norm.setCurrentIndex(0 if model.norm == "post" else 1)
        self.arch.setCurrentIndex(ARCHS.index(model.arch))
        self.ffn.setCurrentIndex(FFNS.index(model.ffn))
        self.experts.setValue(model.n_experts)
        self.top_k.setValue(model.top_k)
        self.lr.setValue(train.lr)
        self.warmup.setValue(train.warmup)
        self.batch.setValue(train.batch_size)
        self.steps.setValue(train.steps)
        self.seed.setValue(train.seed)
        self._base_model, self._base_train = model, train
        self._set_corpus(corpus)
        self._shape_changed()

    def settings(self) -> tuple[ModelConfig, TrainConfig, str]:
        """(ModelConfig, TrainConfig, corpus spec); ConfigError for an impossible shape
        (``ModelConfig`` checks it) or an encoder-only one (not trained in the window).

        A stack the architecture does not have is stored as 0 layers, as the presets
        and shipped models store it, so an unchanged gpt-de reads as unchanged."""
        from dataclasses import replace

        from core.config import ConfigError

        arch = self.arch_name()
        if arch == "encoder-only":
            raise ConfigError(tr(STRINGS["no_encoder_only"], self.lang))
        model = replace(
            self._base_model,
            arch=arch,
            ffn=FFNS[max(0, self.ffn.currentIndex())],
            n_experts=self.experts.value(),
            top_k=self.top_k.value(),
            n_labels=0,  # a translator has no classification head
            inputs="tokens",
            image_size=0,
            patch_size=0,
            channels=1,
            d_model=self.d_model.value(),
            n_heads=self.heads.value(),
            n_enc_layers=self.enc.value() if arch == "encoder-decoder" else 0,
            n_dec_layers=self.dec.value(),
            d_ff=self.d_ff.value(),
            dropout=round(self.dropout.value(), 4),
            norm="post" if self.norm.currentIndex() == 0 else "pre",
        )
        train = replace(
            self._base_train,
            lr=self.lr.value(),
            warmup=self.warmup.value(),
            batch_size=self.batch.value(),
            steps=self.steps.value(),
            seed=self.seed.value(),
        )
        return model, train, self.corpus_spec

    def arch_name(self) -> Arch:
        return ARCHS[max(0, self.arch.currentIndex())]

    def _shape_changed(self, _index: int = 0) -> None:
        """Only the fields the chosen shape uses can be edited; choosing encoder-only
        says at once that the window does not train it."""
        arch = self.arch_name()
        moe = self.ffn.currentIndex() == FFNS.index("moe")
        self.enc.setEnabled(arch != "decoder-only")
        self.dec.setEnabled(arch != "encoder-only")
        self.experts.setEnabled(moe)
        self.top_k.setEnabled(moe)
        for button in (self.apply_button, self.reset_button):
            button.setEnabled(arch != "encoder-only")
        if arch == "encoder-only":
            self._warn(tr(STRINGS["no_encoder_only"], self.lang))
        elif self.note.text() == tr(STRINGS["no_encoder_only"], self.lang):
            self.note.setText("")

    def _warn(self, text: str) -> None:
        self.note.setText(text)
        self.note.setStyleSheet("color: #c1121f")

    def _use_preset(self, name: str) -> None:
        p = self._presets.get(name)
        if p is not None:
            self.set_values(p.model, p.train, f"builtin:{p.pair}")

    # -- corpus ------------------------------------------------------------------------
    def _set_corpus(self, spec: str) -> None:
        self.corpus_spec = spec
        self.corpus.blockSignals(True)
        while self.corpus.count() > 2:
            self.corpus.removeItem(2)
        if spec == "builtin:en-fr":
            self.corpus.setCurrentIndex(1)
        elif spec.startswith("builtin:"):
            self.corpus.setCurrentIndex(0)
        else:
            self.corpus.addItem(spec)
            self.corpus.setCurrentIndex(2)
        self.corpus.blockSignals(False)

    def _on_corpus(self, index: int) -> None:
        if index in (0, 1):
            self.corpus_spec = ("builtin:en-de", "builtin:en-fr")[index]
            self.note.setText("")

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, tr(STRINGS["browse"], self.lang), "", "TSV (*.tsv *.txt)"
        )
        if path:
            self.use_file(path)

    def use_file(self, path: str) -> bool:
        """Check a user TSV file now; a bad one is a message here and changes nothing."""
        from core.corpus import load_tsv

        try:
            corpus = load_tsv(path)
        except (ValueError, OSError) as e:
            from core.messages import message_of

            self.note.setText(say(message_of(e), self.lang))
            self.note.setStyleSheet("color: #c1121f")
            return False
        self.note.setStyleSheet("")
        self.note.setText(
            tr(STRINGS["file_ok"], self.lang).format(name=corpus.name, n=len(corpus.train))
        )
        self._set_corpus(path)
        return True

    # -- buttons -----------------------------------------------------------------------
    def _emit(self, signal: SignalInstance) -> None:
        try:
            model, train, corpus = self.settings()
        except ValueError as e:
            from core.messages import message_of  # plain Python: no PyTorch

            why = say(message_of(e), self.lang)  # an engine message, in the dialog's language
            if why != tr(STRINGS["no_encoder_only"], self.lang):
                why = tr(STRINGS["refused"], self.lang).format(why=why)
            self._warn(why)
            return
        signal.emit(model, train, corpus)

    def _apply(self) -> None:
        self._emit(self.sigApply)

    def _reset(self) -> None:
        self._emit(self.sigReset)

    def _ask_folder(self, signal: SignalInstance, key: str) -> None:
        folder = QFileDialog.getExistingDirectory(self, tr(STRINGS[key], self.lang))
        if folder:
            signal.emit(folder)

    def relabel(self, lang: str) -> None:
        self.lang = lang
        self.open_button.setText(tr(STRINGS["open"], lang))
        self.save_button.setText(tr(STRINGS["save"], lang))
        self.setWindowTitle(tr(STRINGS["title"], lang))
        for key, label in self.labels.items():
            label.setText(tr(STRINGS[key], lang))
        norm = self.norm.currentIndex()
        self.norm.clear()
        self.norm.addItems([tr(STRINGS["post"], lang), tr(STRINGS["pre"], lang)])
        self.norm.setCurrentIndex(max(0, norm))
        for combo, keys in ((self.arch, ARCHS), (self.ffn, FFNS)):
            index = combo.currentIndex()
            combo.blockSignals(True)
            combo.clear()
            combo.addItems([tr(STRINGS[k], lang) for k in keys])
            combo.setCurrentIndex(max(0, index))
            combo.blockSignals(False)
        if self.note.text() and self.arch_name() == "encoder-only":
            self._warn(tr(STRINGS["no_encoder_only"], lang))
        self.corpus.blockSignals(True)
        for i, key in enumerate(("de", "fr")):
            if self.corpus.count() > i:
                self.corpus.setItemText(i, tr(STRINGS[key], lang))
            else:
                self.corpus.addItem(tr(STRINGS[key], lang))
        self.corpus.blockSignals(False)
        self.browse.setText(tr(STRINGS["browse"], lang))
        self.apply_button.setText(tr(STRINGS["apply"], lang))
        self.reset_button.setText(tr(STRINGS["reset"], lang))
