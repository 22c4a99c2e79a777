"""The window's File menu: session files, model folders, recent files, drag and drop,
autosave and crash recovery.

A ``.tsim`` session file holds everything (model, sentence, cursor, breakpoints,
watches, interventions, training history; a Hugging Face model by its folder and a
hash, not its weights); ``core.debugging`` writes and reads it, this module only asks
for paths. Open model… lists the models already on this machine
(``open_model_dialog``: the local Hugging Face cache and fetched models) beside
choosing a folder. Crash recovery: while the window is open a marker
file says so and the session is saved to ``recovery/last.tsim`` whenever it changed
(at most every 30 s); a clean close removes the marker. If the next start finds the
marker, the previous run ended unexpectedly and a bar above the sentence offers to
restore it (not a modal box: the window stays usable, and tests never hang on one).

Saving a model into a folder that already holds a model or other files asks first
(``confirm_overwrite``, a question box tests replace); the save itself is atomic
(``core.checkpoint.save``), so a failed one leaves the folder as it was.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QSettings, QStandardPaths, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QWidget,
)

from visualizer.i18n import tr
from visualizer.panels.training.training_view import TrainingView

if TYPE_CHECKING:
    from visualizer.files.open_model_dialog import OpenModelDialog
    from visualizer.shell.context import WindowContext

AUTOSAVE_MS = 30_000
MAX_RECENT = 8
AUTOSAVE_MAX_PARAMETERS = 20_000_000  # a base-size model would stall the window each time
WATCHED = ("bundle", "source", "cursor", "interventions", "disabled", "watches", "decode", "mode")

STRINGS = {
    "open": {"en": "Open session…", "zh": "打开会话…"},
    "save": {"en": "Save session", "zh": "保存会话"},
    "save_as": {"en": "Save session as…", "zh": "会话另存为…"},
    "open_model": {"en": "Open model…", "zh": "打开模型…"},
    "save_model": {"en": "Save model to folder…", "zh": "保存模型到文件夹…"},
    "recent": {"en": "Recent files", "zh": "最近的文件"},
    "filter": {
        "en": "Transformer Simulator session (*.tsim)",
        "zh": "Transformer 模拟器会话 (*.tsim)",
    },
    "saved": {"en": "Saved {path}", "zh": "已保存 {path}"},
    "opened": {"en": "Opened {path}", "zh": "已打开 {path}"},
    "crashed": {
        "en": "The last session ended unexpectedly. Restore it?",
        "zh": "上次会话意外结束。要恢复吗？",
    },
    "restore": {"en": "Restore", "zh": "恢复"},
    "discard": {"en": "Discard", "zh": "放弃"},
    "replace_model": {
        "en": "{folder} already holds a model. Replace it?",
        "zh": "{folder} 中已有一个模型。要替换它吗？",
    },
    "into_folder": {
        "en": "{folder} holds other files. Save the model into it anyway (they are kept)?",
        "zh": "{folder} 中还有其他文件。仍要把模型保存到这里吗（其他文件会保留）？",
    },
    "shipped": {
        "en": "{folder} is a model shipped with the app. Replace it?",
        "zh": "{folder} 是随程序提供的模型。要替换它吗？",
    },
    "too_big": {
        "en": "autosave is off for models above 20 M parameters; save the session yourself",
        "zh": "参数超过两千万的模型不自动保存；请手动保存会话",
    },
}


def recovery_folder() -> Path:
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericDataLocation)
    return Path(base) / "transformer-sim" / "recovery"


class FileActions(QObject):
    """Builds the File menu's session entries and runs autosave for one window."""

    def __init__(self, ctx: WindowContext) -> None:
        super().__init__(ctx.qwindow)
        self.ctx, self.session = ctx, ctx.session
        self.path: Path | None = None  # where "Save session" writes without asking
        self.dirty = False
        self.act_open = self._action(self.ask_open, QKeySequence.StandardKey.Open)
        self.act_save = self._action(self.save, QKeySequence.StandardKey.Save)
        self.act_save_as = self._action(self.ask_save_as, QKeySequence("Ctrl+Shift+S"))
        self.act_open_model = self._action(self.ask_open_model)
        self.act_save_model = self._action(self.ask_save_model)
        self.menu_recent = QMenu()
        for name in WATCHED:
            self.session.events.get(name).connect(self._changed)
        self.recovery = recovery_folder()
        self.banner = self._build_banner()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.autosave)
        ctx.add_above_input(self.banner)
        ctx.on_drop(self.open_path)
        ctx.on_close(self.closed_cleanly)
        ctx.bridge.sigLang.connect(self.relabel)
        self.relabel()

    def _action(self, slot: Any, keys: Any = None) -> QAction:
        action = QAction(self.ctx.qwindow)
        action.triggered.connect(lambda *_: slot())
        if keys is not None:
            action.setShortcut(keys)
        return action

    def fill_menu(self, menu: QMenu) -> None:
        for a in (self.act_open, self.act_save, self.act_save_as):
            menu.addAction(a)
        menu.addMenu(self.menu_recent)
        menu.addSeparator()
        menu.addAction(self.act_open_model)
        menu.addAction(self.act_save_model)
        self._fill_recent()

    # -- session files -----------------------------------------------------------------
    def open_path(self, path: str | Path) -> bool:
        """Open a session file, or a model folder (drag and drop takes both)."""
        p = Path(path)
        if p.is_dir():
            self.session.open_model(p)
            return True
        state = self.session.open_file(p)
        if state is None:
            return False
        self.path = p
        self._remember(p)
        training = self._training()
        if training is not None and state.get("history"):
            training.charts.load_history(state["history"])
        self._say("opened", path=p)
        self.dirty = False
        return True

    def save_to(self, path: str | Path) -> bool:
        p = Path(path)
        if p.suffix != ".tsim":
            p = p.with_suffix(".tsim")
        training = self._training()
        history = training.charts.history if training is not None else None
        if not self.session.save_file(p, history=history):
            return False
        self.path = p
        self._remember(p)
        self._say("saved", path=p)
        return True

    def save(self) -> None:
        if self.path is None:
            self.ask_save_as()
        else:
            self.save_to(self.path)

    def ask_open(self) -> None:
        window = self.ctx.qwindow
        path, _ = QFileDialog.getOpenFileName(window, self._t("open"), "", self._t("filter"))
        if path:
            self.open_path(path)

    def ask_save_as(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self.ctx.qwindow, self._t("save_as"), "session.tsim", self._t("filter")
        )
        if path:
            self.save_to(path)

    def ask_open_model(self) -> None:
        """The Open model dialog: the models in the local Hugging Face cache and the
        fetched ones, or any folder (``open_model_dialog``)."""
        self.open_model_dialog().open()

    def open_model_dialog(self) -> OpenModelDialog:
        from visualizer.files.open_model_dialog import OpenModelDialog

        dialog = OpenModelDialog(self.session.lang, self.ctx.qwindow)
        dialog.chosen.connect(self.open_model)
        dialog.finished.connect(dialog.deleteLater)
        return dialog

    def open_model(self, folder: str) -> None:
        self.session.open_model(folder)  # a bad folder comes back as session.error

    def ask_save_model(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.ctx.qwindow, self._t("save_model"))
        if folder:
            self.save_model_to(folder)

    def save_model_to(self, folder: str | Path) -> bool:
        """Save the model to ``folder``, asking first if that would replace a model, a
        shipped one, or join other files; False if declined or failed."""
        from core.atomic import MODEL_FILES, shipped_models

        target = Path(folder)
        try:
            names = [p.name for p in target.iterdir() if not p.name.startswith(".")]
        except OSError:  # not there yet, or unreadable: the save says why if it fails
            names = []
        real = Path(os.path.realpath(target))
        question = None
        if real == shipped_models() or shipped_models() in real.parents:
            question = "shipped"
        elif any(n in MODEL_FILES for n in names):
            question = "replace_model"
        elif names:
            question = "into_folder"
        if question is not None and not self.confirm_overwrite(
            self._t(question).format(folder=target)
        ):
            return False
        if not self.session.save_model(target):
            return False
        self.ctx.say(str(target), 8000)
        return True

    def confirm_overwrite(self, question: str) -> bool:
        """Ask a yes / no question (tests replace this method)."""
        answer = QMessageBox.question(
            self.ctx.qwindow,
            self._t("save_model"),
            question,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    # -- recent files ------------------------------------------------------------------
    def _remember(self, path: Path) -> None:
        settings = QSettings("transformer-sim", "transformer-sim")
        recent = [str(path.resolve()), *(r for r in self.recent() if r != str(path.resolve()))]
        settings.setValue("recent", recent[:MAX_RECENT])
        self._fill_recent()

    def recent(self) -> list[str]:
        value = QSettings("transformer-sim", "transformer-sim").value("recent", [])
        items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        return [v for v in items if isinstance(v, str)]

    def _fill_recent(self) -> None:
        self.menu_recent.clear()
        for path in self.recent():
            action = self.menu_recent.addAction(path)
            action.triggered.connect(lambda *_, p=path: self.open_path(p))
        self.menu_recent.setEnabled(bool(self.recent()))

    # -- autosave and crash recovery ---------------------------------------------------
    def start_recovery(self) -> None:
        """Offer the previous session if the last run did not close cleanly, then mark
        this run as open and autosave while it lasts."""
        marker, last = self.recovery / "running", self.recovery / "last.tsim"
        if marker.exists() and last.exists():
            self.banner.setVisible(True)
        try:
            self.recovery.mkdir(parents=True, exist_ok=True)
            marker.write_text(str(os.getpid()), "utf-8")
        except OSError:
            return  # no writable data folder: no autosave, the window still works
        self._timer.start(AUTOSAVE_MS)

    def _changed(self, _value: object) -> None:
        self.dirty = True

    def autosave(self) -> bool:
        """Save to recovery/last.tsim if anything changed since the last save."""
        if not self.dirty or self.banner.isVisible():
            return False  # never overwrite the session the user may still restore
        from core.hf import HFBundle

        bundle = self.session.bundle
        params = sum(p.numel() for p in bundle.model.parameters())
        # a Hugging Face model is saved as a reference to its folder: cheap at any size
        if params > AUTOSAVE_MAX_PARAMETERS and not isinstance(bundle, HFBundle):
            self._timer.stop()
            self.ctx.say(self._t("too_big"), 8000)
            return False
        error = self.session.error
        ok = self.session.save_file(self.recovery / "last.tsim")
        if not ok:
            self._timer.stop()  # say it once (session.error), not every 30 s
        else:
            self.session.error = error
        self.dirty = False
        return ok

    def restore(self) -> bool:
        self.banner.setVisible(False)
        return self.open_path(self.recovery / "last.tsim")

    def discard(self) -> None:
        self.banner.setVisible(False)
        (self.recovery / "last.tsim").unlink(missing_ok=True)

    def closed_cleanly(self) -> None:
        self._timer.stop()
        (self.recovery / "running").unlink(missing_ok=True)

    def _build_banner(self) -> QWidget:
        bar = QWidget()
        bar.setStyleSheet("background: #fff3cd; color: #664d03;")
        lay = QHBoxLayout(bar)
        self.banner_text = QLabel()
        self.restore_button, self.discard_button = QPushButton(), QPushButton()
        self.restore_button.clicked.connect(self.restore)
        self.discard_button.clicked.connect(self.discard)
        lay.addWidget(self.banner_text, 1)
        lay.addWidget(self.restore_button)
        lay.addWidget(self.discard_button)
        bar.setVisible(False)
        return bar

    def _training(self) -> TrainingView | None:
        """The Training panel, whose run history a session file carries."""
        view = self.ctx.views.get("training")
        return view if isinstance(view, TrainingView) else None

    # -- words -------------------------------------------------------------------------
    def _t(self, key: str) -> str:
        return tr(STRINGS[key], self.session.lang)

    def _say(self, key: str, **values: Any) -> None:
        self.ctx.say(self._t(key).format(**values), 8000)

    def relabel(self, *_: object) -> None:
        for action, key in (
            (self.act_open, "open"),
            (self.act_save, "save"),
            (self.act_save_as, "save_as"),
            (self.act_open_model, "open_model"),
            (self.act_save_model, "save_model"),
        ):
            action.setText(self._t(key))
        self.menu_recent.setTitle(self._t("recent"))
        self.banner_text.setText(self._t("crashed"))
        self.restore_button.setText(self._t("restore"))
        self.discard_button.setText(self._t("discard"))
