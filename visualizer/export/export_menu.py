"""File ▸ Export: pictures (PNG at a chosen scale, SVG, clipboard) and animations (GIF /
MP4 of a range of steps) of the whole window or the view last clicked.

The drawing and encoding live in ``visualizer/export*.py``; this module asks where,
and runs a recording as a timer-driven ``RecordJob`` from a non-modal panel with a
progress bar and a cancel button, so the window stays usable while it records.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDockWidget,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QWidget,
)

from visualizer.i18n import say, tr
from visualizer.widgets.scrolled import view_of

if TYPE_CHECKING:
    from visualizer.shell.context import WindowContext

STRINGS = {
    "menu": {"en": "Export", "zh": "导出"},
    "png_window": {"en": "Window as PNG…", "zh": "窗口导出为 PNG…"},
    "png_view": {"en": "Current view as PNG…", "zh": "当前视图导出为 PNG…"},
    "svg_view": {"en": "Current view as SVG…", "zh": "当前视图导出为 SVG…"},
    "copy": {"en": "Copy current view", "zh": "复制当前视图"},
    "record": {"en": "Record animation…", "zh": "录制动画…"},
    "scale": {"en": "Picture scale", "zh": "图片缩放"},
    "from": {"en": "From step", "zh": "起始步"},
    "to": {"en": "To step", "zh": "结束步"},
    "fps": {"en": "Frames per second", "zh": "每秒帧数"},
    "what": {"en": "Record", "zh": "录制"},
    "window": {"en": "the whole window", "zh": "整个窗口"},
    "view": {"en": "the current view", "zh": "当前视图"},
    "go": {"en": "Record to file…", "zh": "录制到文件…"},
    "cancel": {"en": "Cancel", "zh": "取消"},
    "done": {"en": "Wrote {path}", "zh": "已写入 {path}"},
    "cancelled": {"en": "Recording cancelled; no file written", "zh": "录制已取消，未写入文件"},
    "copied": {"en": "Copied to the clipboard", "zh": "已复制到剪贴板"},
}


class ExportActions(QObject):
    def __init__(self, ctx: WindowContext) -> None:
        super().__init__(ctx.qwindow)
        self.ctx = ctx
        self.menu = QMenu()
        self.scale = 2.0
        self.last_view: QWidget | None = None
        self.actions: dict[str, QAction] = {}
        for key, slot in (
            ("png_window", lambda: self.ask_png(self.ctx.qwindow)),
            ("png_view", lambda: self.ask_png(self.current_view())),
            ("svg_view", self.ask_svg),
            ("copy", self.copy),
            ("record", self.open_record_panel),
        ):
            action = QAction(ctx.qwindow)
            action.triggered.connect(lambda *_, s=slot: s())
            self.menu.addAction(action)
            self.actions[key] = action
        self.panel: RecordPanel | None = None
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._on_focus)
        ctx.bridge.sigLang.connect(self.relabel)
        self.relabel()

    def _lang(self) -> str:
        return self.ctx.session.lang

    def _t(self, key: str) -> str:
        return tr(STRINGS[key], self._lang())

    def _on_focus(self, _old: QWidget | None, new: QWidget | None) -> None:
        w = new
        while w is not None and not isinstance(w, QDockWidget):
            w = w.parentWidget()
        if isinstance(w, QDockWidget) and w.widget() is not None:
            self.last_view = view_of(w.widget())  # the view, not its scroll area

    def current_view(self) -> QWidget:
        """The view last clicked (a dock's view, or the room in front)."""
        if self.ctx.rooms.current != "transformer":
            return self.ctx.rooms.pages[self.ctx.rooms.current]
        if self.last_view is not None and self.last_view.isVisible():
            return self.last_view
        return self.ctx.views["tensor"]

    # -- pictures ----------------------------------------------------------------------
    def save_png(self, widget: QWidget, path: str | Path) -> Path:
        from visualizer.export.render import export_png

        out = export_png(widget, path, self.scale)
        self.ctx.say(self._t("done").format(path=out), 8000)
        return out

    def save_svg(self, widget: QWidget, path: str | Path) -> Path:
        from visualizer.export.render import export_svg

        out = export_svg(widget, path)
        self.ctx.say(self._t("done").format(path=out), 8000)
        return out

    def ask_png(self, widget: QWidget) -> None:
        path, _ = QFileDialog.getSaveFileName(self.ctx.qwindow, "PNG", "picture.png", "PNG (*.png)")
        if path:
            self._guard(lambda: self.save_png(widget, path))

    def ask_svg(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self.ctx.qwindow, "SVG", "picture.svg", "SVG (*.svg)")
        if path:
            self._guard(lambda: self.save_svg(self.current_view(), path))

    def copy(self) -> None:
        from visualizer.export.render import copy_to_clipboard

        copy_to_clipboard(self.current_view(), self.scale)
        self.ctx.say(self._t("copied"), 5000)

    def _guard(self, job: Any) -> None:
        try:
            job()
        except (OSError, ValueError) as e:  # an unwritable folder, a bad name
            nav = self.ctx.rooms.navigator()
            if nav is not None:
                nav.error = str(e)

    # -- animations --------------------------------------------------------------------
    def open_record_panel(self) -> RecordPanel:
        if self.panel is None:
            self.panel = RecordPanel(self)
        self.panel.refresh()
        self.panel.show()
        return self.panel

    def relabel(self, *_: object) -> None:
        self.menu.setTitle(self._t("menu"))
        for key, action in self.actions.items():
            action.setText(self._t(key))
        if self.panel is not None:
            self.panel.relabel()


class RecordPanel(QDialog):
    """Non-modal: step range, frames per second, scale, window or view; then a file."""

    def __init__(self, owner: ExportActions) -> None:
        super().__init__(owner.ctx.qwindow)
        self.owner = owner
        self.job: Any = None
        self.first, self.last, self.fps = QSpinBox(), QSpinBox(), QSpinBox()
        self.fps.setRange(1, 60)
        self.fps.setValue(4)
        self.scale = QDoubleSpinBox()
        self.scale.setRange(0.5, 4.0)
        self.scale.setSingleStep(0.5)
        self.scale.setValue(1.0)
        self.what = QComboBox()
        self.what.addItems(["", ""])
        self.go, self.cancel_button = QPushButton(), QPushButton()
        self.go.clicked.connect(self.ask_file)
        self.cancel_button.clicked.connect(self.cancel)
        self.bar, self.note = QProgressBar(), QLabel()
        self.form = QFormLayout(self)
        self.labels = {k: QLabel() for k in ("from", "to", "fps", "scale", "what")}
        for key, widget in (
            ("from", self.first),
            ("to", self.last),
            ("fps", self.fps),
            ("scale", self.scale),
            ("what", self.what),
        ):
            self.form.addRow(self.labels[key], widget)
        buttons = QHBoxLayout()
        buttons.addWidget(self.go)
        buttons.addWidget(self.cancel_button)
        self.form.addRow(buttons)
        self.form.addRow(self.bar)
        self.form.addRow(self.note)
        self.cancel_button.setEnabled(False)
        self.relabel()

    def refresh(self) -> None:
        nav = self.owner.ctx.rooms.navigator()
        n = len(nav) if nav is not None else 1
        for box in (self.first, self.last):
            box.setRange(0, max(0, n - 1))
        if nav is not None:
            self.first.setValue(nav.cursor)
            self.last.setValue(min(n - 1, nav.cursor + 20))

    def ask_file(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "GIF / MP4", "animation.gif", "GIF (*.gif);;MP4 (*.mp4)"
        )
        if path:
            self.record_to(path)

    def record_to(self, path: str | Path) -> bool:
        """Start recording (a timer draws one frame per tick); False with a message if
        the settings are refused."""
        from visualizer.export.record import RecordJob
        from visualizer.export.video import ExportError

        nav = self.owner.ctx.rooms.navigator()
        owner = self.owner
        widget = owner.ctx.qwindow if self.what.currentIndex() == 0 else owner.current_view()
        try:
            self.job = RecordJob(
                nav,  # type: ignore[arg-type]  # any Navigator: it only moves the cursor
                widget,
                self.first.value(),
                self.last.value(),
                path,
                fps=self.fps.value(),
                scale=self.scale.value(),
            )
        except (ExportError, ValueError, OSError) as e:
            from core.messages import message_of  # plain Python: no PyTorch

            self.note.setText(say(message_of(e), self.owner.ctx.session.lang))
            return False
        self.job.sigProgress.connect(self._progress)
        self.job.sigDone.connect(self._done)
        self.job.sigFailed.connect(self._failed)
        self.job.sigCancelled.connect(lambda: self._end(self.owner._t("cancelled")))
        self.go.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.job.start()
        return True

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def _progress(self, done: int, total: int) -> None:
        self.bar.setRange(0, total)
        self.bar.setValue(done)

    def _done(self, path: str) -> None:
        self._end(self.owner._t("done").format(path=path))

    def _failed(self, message: str) -> None:
        self._end(message)

    def _end(self, message: str) -> None:
        self.note.setText(message)
        self.go.setEnabled(True)
        self.cancel_button.setEnabled(False)

    def relabel(self) -> None:
        t = self.owner._t
        self.setWindowTitle(t("record"))
        for key, label in self.labels.items():
            label.setText(t(key))
        self.what.setItemText(0, t("window"))
        self.what.setItemText(1, t("view"))
        self.go.setText(t("go"))
        self.cancel_button.setText(t("cancel"))
