"""The model dialog: shape, training recipe and corpus of the next run; reset weights.

A non-modal dialog (the window keeps running behind it). It only reads and writes
plain settings: ``settings()`` returns (ModelConfig, TrainConfig, corpus spec) and
``sigApply`` / ``sigReset`` hand them to the training view, which owns the runs.
A user TSV file is checked when chosen (``core.corpus.load_tsv``): a bad line is
named in the dialog at once, not minutes later in the worker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal, SignalInstance
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

from visualizer.i18n import tr

if TYPE_CHECKING:
    from core.config import ModelConfig, TrainConfig

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
}


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
            ("d_model", self.d_model),
            ("heads", self.heads),
            ("enc", self.enc),
            ("dec", self.dec),
            ("d_ff", self.d_ff),
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
        self.lr.setValue(train.lr)
        self.warmup.setValue(train.warmup)
        self.batch.setValue(train.batch_size)
        self.steps.setValue(train.steps)
        self.seed.setValue(train.seed)
        self._base_model, self._base_train = model, train
        self._set_corpus(corpus)

    def settings(self) -> tuple[ModelConfig, TrainConfig, str]:
        """(ModelConfig, TrainConfig, corpus spec); ConfigError for an impossible shape."""
        from dataclasses import replace

        model = replace(
            self._base_model,
            d_model=self.d_model.value(),
            n_heads=self.heads.value(),
            n_enc_layers=self.enc.value(),
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
            self.note.setText(str(e))
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
            self.note.setText(str(e))
            self.note.setStyleSheet("color: #c1121f")
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
