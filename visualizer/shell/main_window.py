"""The main window: assembles the input bar, the views as docks, menus and shortcuts.

It owns no state of its own beyond layout: every action calls a session method or
sets a session field. It can be shown before the model exists (a loading state),
because importing PyTorch takes seconds and the window must paint at once;
``attach`` then builds the views on the loaded session.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from visualizer.i18n import say, tr
from visualizer.panels import VIEWS
from visualizer.panels.shapes import SHAPES, applies, front
from visualizer.shell.bottom_bar import BottomBar
from visualizer.shell.context import ShortcutRow
from visualizer.shell.dock_layout import DockLayout, hide_stray_tab_bars
from visualizer.shell.lazy_views import LazyViews
from visualizer.shell.qt_language import use_qt_language
from visualizer.shell.room_switch import RoomSwitcher
from visualizer.theme import ui_font
from visualizer.widgets.answer import answer_line
from visualizer.widgets.scrolled import scrolled

if TYPE_CHECKING:
    from core.session import Session
    from visualizer.bridge import SessionBridge

TITLES = {
    "diagram": {"en": "Architecture", "zh": "架构"},
    "tensor": {"en": "Tensor", "zh": "张量"},
    "attention": {"en": "Attention", "zh": "注意力"},
    "decoding": {"en": "Decoding", "zh": "解码"},
    "narration": {"en": "Explanation", "zh": "讲解"},
    "timeline": {"en": "Timeline", "zh": "时间线"},
    "training": {"en": "Training", "zh": "训练"},
    "loss": {"en": "Loss", "zh": "损失"},
    "gradflow": {"en": "Gradient flow", "zh": "梯度流"},
    "update": {"en": "Update", "zh": "更新"},
    "inspector": {"en": "Inspector", "zh": "张量检查器"},
    "interventions": {"en": "Interventions", "zh": "干预"},
    "breakpoints": {"en": "Breakpoints", "zh": "断点"},
    "watches": {"en": "Watches", "zh": "监视"},
    "router": {"en": "Router (experts)", "zh": "路由（专家）"},
    "classify": {"en": "Classification head", "zh": "分类头"},
}
DOCK_AREAS = {
    "diagram": Qt.DockWidgetArea.LeftDockWidgetArea,
    "attention": Qt.DockWidgetArea.RightDockWidgetArea,
    "decoding": Qt.DockWidgetArea.RightDockWidgetArea,
    "narration": Qt.DockWidgetArea.LeftDockWidgetArea,
    "timeline": Qt.DockWidgetArea.BottomDockWidgetArea,
    "training": Qt.DockWidgetArea.RightDockWidgetArea,
    "loss": Qt.DockWidgetArea.RightDockWidgetArea,
    "gradflow": Qt.DockWidgetArea.RightDockWidgetArea,
    "update": Qt.DockWidgetArea.RightDockWidgetArea,
    "inspector": Qt.DockWidgetArea.RightDockWidgetArea,
    "interventions": Qt.DockWidgetArea.RightDockWidgetArea,
    "breakpoints": Qt.DockWidgetArea.RightDockWidgetArea,
    "watches": Qt.DockWidgetArea.RightDockWidgetArea,
    "router": Qt.DockWidgetArea.RightDockWidgetArea,
    "classify": Qt.DockWidgetArea.RightDockWidgetArea,
}
STRIPS = ("timeline",)  # docks that are a strip of fixed height, not a scrolling panel
DEBUG_DOCKS = ("inspector", "interventions", "breakpoints", "watches")
# built when their dock is first shown or the view is asked for (shell/lazy_views.py)
LAZY = ("training", "update", "inspector", "router", "classify")
SHORTCUTS = [  # (keys, method on the session, English, Chinese)
    ("PgDown", "", "Next scene of a chapter, else next op", "章节的下一场景，否则下一个操作"),
    ("PgUp", "", "Previous scene, else previous op", "上一场景，否则上一个操作"),
    ("Space", "toggle_play", "Play / pause", "播放 / 暂停"),
    ("Right", "step_forward", "Next op (step into)", "下一个操作（单步进入）"),
    ("Left", "step_back", "Previous op", "上一个操作"),
    ("Shift+Right", "step_over", "Next block (step over)", "下一个模块（单步跳过）"),
    ("Shift+Left", "step_over_back", "Previous block", "上一个模块"),
    ("Ctrl+Right", "step_out", "Out of the current block", "跳出当前模块"),
    ("Home", "go_start", "First step", "第一步"),
    ("End", "go_end", "Last step", "最后一步"),
]
MENUS = {
    "view": {"en": "&View", "zh": "视图(&V)"},
    "help": {"en": "&Help", "zh": "帮助(&H)"},
    "file": {"en": "&File", "zh": "文件(&F)"},
    "quit": {"en": "Quit", "zh": "退出"},
    "keys": {"en": "Keyboard shortcuts", "zh": "快捷键"},
    "lang": {"en": "中文界面", "zh": "English interface"},
    "animate": {"en": "Animate transitions", "zh": "过渡动画"},
    "reset": {"en": "Reset layout", "zh": "重置布局"},
    "busy": {"en": "Running the model…", "zh": "模型运行中…"},
}


class MainWindow(QMainWindow):
    """The shell: views as docks, the rooms, View and Help menus, stepping keys, layout
    settings. It knows no feature; ``visualizer.assemble`` adds them through the hooks
    of ``WindowContext`` (menus, bars, shortcut rows, clicker keys, close, drop)."""

    def __init__(
        self,
        session: Session | None = None,
        bridge: SessionBridge | None = None,
        persist: bool = True,
    ) -> None:
        """``persist``: restore and save layout, language and animation (QSettings)."""
        super().__init__()
        self._persist = persist
        self._session: Session | None = None
        self._bridge: SessionBridge | None = None
        self._views = LazyViews()
        self._views.on_build(self._place)
        self._docks: dict[str, QDockWidget] = {}
        self._shortcut_rows: list[ShortcutRow] = [(k, en, zh) for k, _m, en, zh in SHORTCUTS]
        self._clicker_handlers: list[Callable[[str], bool]] = []
        self._close_callbacks: list[Callable[[], None]] = []
        self._bottom_bars: list[BottomBar] = []
        self._drop_handler: Callable[[str], object] | None = None
        self._restored = False
        self._sized = False
        # docks the model's shape hid while the user's layout showed them (shown again
        # when a model they apply to opens); the shape last applied; and for each saved
        # layout state, the shape it was taken under and the docks that shape had hidden
        self._shape_hidden: set[str] = set()
        self._shape: tuple[bool, ...] | None = None
        self._state_shapes: dict[bytes, tuple[tuple[bool, ...] | None, frozenset[str]]] = {}
        self._fronted: tuple[bool, ...] | None = None  # the shape whose view was raised
        self.setWindowTitle(tr("app", "en"))
        self.resize(1600, 1000)
        self.loading = QLabel(tr("loading", "en"))
        self.loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.loading.setFont(ui_font(18))
        self.setCentralWidget(self.loading)
        self.statusBar().showMessage(tr("loading", "en"))
        if session is not None and bridge is not None:
            self.attach(session, bridge)

    # -- the context features see (visualizer.shell.context.WindowContext) -------------
    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("the window has no session yet (attach() comes first)")
        return self._session

    @property
    def bridge(self) -> SessionBridge:
        if self._bridge is None:
            raise RuntimeError("the window has no bridge yet (attach() comes first)")
        return self._bridge

    @property
    def attached(self) -> bool:
        return self._session is not None

    @property
    def qwindow(self) -> QMainWindow:
        return self

    @property
    def persist(self) -> bool:
        return self._persist

    @property
    def views(self) -> Mapping[str, QWidget]:
        return self._views

    @property
    def docks(self) -> Mapping[str, QDockWidget]:
        return self._docks

    @property
    def rooms(self) -> RoomSwitcher:
        return self._rooms

    @property
    def menu_view(self) -> QMenu:
        return self._menu_view

    @property
    def menu_help(self) -> QMenu:
        return self._menu_help

    def say(self, text: str, ms: int = 8000) -> None:
        self.statusBar().showMessage(text, ms)

    def add_menu(self, menu: QMenu) -> None:
        self.menuBar().insertMenu(self._menu_help.menuAction(), menu)

    def add_under_room(self, widget: QWidget) -> None:
        bar = BottomBar(widget, self)  # across the whole window, under the docks
        self.addToolBar(Qt.ToolBarArea.BottomToolBarArea, bar)
        self._bottom_bars.append(bar)

    def add_above_room(self, widget: QWidget) -> None:
        self._outer.insertWidget(0, widget)

    def add_above_input(self, widget: QWidget) -> None:
        self._page.insertWidget(0, widget)

    def add_shortcut_rows(self, rows: Sequence[ShortcutRow]) -> None:
        self._shortcut_rows += rows

    def on_clicker(self, handler: Callable[[str], bool]) -> None:
        self._clicker_handlers.append(handler)

    def take_clicker(self, name: str) -> bool:
        return any(handler(name) for handler in self._clicker_handlers)

    def on_close(self, callback: Callable[[], None]) -> None:
        self._close_callbacks.append(callback)

    def on_view_built(self, callback: Callable[[str, QWidget], None]) -> None:
        self._views.on_build(callback)
        self._rooms.on_page_built(callback)

    def on_drop(self, handler: Callable[[str], object]) -> None:
        self._drop_handler = handler

    # -- building -----------------------------------------------------------------------
    def attach(self, session: Session, bridge: SessionBridge) -> None:
        """Build every view on a loaded session (called once, on the GUI thread)."""
        from visualizer.panels.input.input_bar import InputBar

        self._session, self._bridge = session, bridge
        for name, (module, cls) in VIEWS.items():
            make = partial(_make_view, module, cls, session, bridge)
            if name in LAZY:
                self._views.defer(name, make)
            else:
                self._views.add(name, make())
        self.input_bar = InputBar(session, bridge)
        self._views.add("input", self.input_bar)
        self._build_docks()
        self._build_menus()
        self.setAcceptDrops(True)
        for keys, method, *_ in SHORTCUTS:
            if not method:
                continue  # the clicker keys, bound below
            sc = QShortcut(QKeySequence(keys), self)
            sc.activated.connect(lambda m=method: self._step(m))
            sc.setContext(Qt.ShortcutContext.ApplicationShortcut)
        for keys, name in (("PgDown", "next"), ("PgUp", "previous"), ("Escape", "stop")):
            sc = QShortcut(QKeySequence(keys), self)
            sc.activated.connect(lambda n=name: self._clicker(n))
            sc.setContext(Qt.ShortcutContext.ApplicationShortcut)
        bridge.sigLang.connect(self._relabel)
        bridge.sigError.connect(self._on_error)
        bridge.sigBusy.connect(self._on_busy)
        bridge.sigTrace.connect(self._on_said)  # busy ends before the new result is applied
        bridge.sigTrace.connect(self._on_shape)
        self._rooms.sigRoom.connect(self._on_shape)  # a model opened while a lab was in front
        self._rooms.shape_hidden = self._docks_hidden_by_shape
        self._rooms.on_docks_given_back(self._shape_given_back)
        bridge.sigMode.connect(self._on_mode)
        self._default_state = self.saveState()
        self._restore()
        self._relabel()
        self._on_shape()
        self.statusBar().showMessage(answer_line(session, session.lang), 0)

    def _build_docks(self) -> None:
        central = QWidget()
        self._page = QVBoxLayout(central)
        self._page.setContentsMargins(0, 0, 0, 0)
        self._page.addWidget(self.input_bar)
        self._page.addWidget(self._views["tensor"], 1)
        self._rooms = RoomSwitcher(self, self.session, self._docks, central)
        outer = QWidget()
        self._outer = QVBoxLayout(outer)
        self._outer.setContentsMargins(0, 0, 0, 0)
        self._outer.setSpacing(0)
        self._outer.addWidget(self._rooms.bar)
        self._outer.addWidget(self._rooms.stack, 1)
        self.setCentralWidget(outer)
        for name, area in DOCK_AREAS.items():
            dock = QDockWidget(self)
            dock.setObjectName(f"dock-{name}")
            if self._views.is_built(name):
                self._put(dock, name, self._views[name])
            else:  # built when the dock is first shown (or the view asked for)
                dock.setWidget(QWidget())
                dock.visibilityChanged.connect(partial(self._shown, name))
            dock.setFeatures(
                QDockWidget.DockWidgetFeature.DockWidgetMovable
                | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                | QDockWidget.DockWidgetFeature.DockWidgetClosable
            )
            self.addDockWidget(area, dock)
            self._docks[name] = dock
            dock.visibilityChanged.connect(lambda on, d=dock: _retitle(d) if on else None)
        self.splitDockWidget(
            self._docks["diagram"], self._docks["narration"], Qt.Orientation.Vertical
        )
        self.tabifyDockWidget(self._docks["attention"], self._docks["decoding"])
        for before, after in (
            ("decoding", "loss"),
            ("loss", "gradflow"),
            ("gradflow", "update"),
            ("update", "training"),
            ("training", "inspector"),
            ("inspector", "interventions"),
            ("interventions", "breakpoints"),
            ("breakpoints", "watches"),
            ("watches", "router"),
            ("router", "classify"),
        ):
            self.tabifyDockWidget(self._docks[before], self._docks[after])
        self._docks["attention"].raise_()
        for name in DEBUG_DOCKS:  # closed by default: the Debug menu opens them when used
            self._docks[name].hide()
        self._default_sizes()

    @staticmethod
    def _put(dock: QDockWidget, name: str, view: QWidget) -> None:
        """A strip keeps its height; a panel scrolls when small."""
        dock.setWidget(view if name in STRIPS else scrolled(view))

    def _shown(self, name: str, visible: bool) -> None:
        if visible and not self._views.is_built(name):
            self._views.build(name)

    def _place(self, name: str, view: QWidget) -> None:
        """A deferred view was built: it takes its placeholder's place in the dock."""
        dock = self._docks[name]
        old = dock.widget()
        self._put(dock, name, view)
        if old is not None:
            old.deleteLater()

    def _default_sizes(self) -> None:
        """Proportions of the default layout (docks only take sizes once laid out)."""
        w, h = max(self.width(), 1200), max(self.height(), 800)
        self.resizeDocks(
            [self._docks["diagram"], self._docks["attention"]],
            [int(w * 0.27), int(w * 0.36)],
            Qt.Orientation.Horizontal,
        )
        self.resizeDocks(
            [self._docks["diagram"], self._docks["narration"]],
            [int(h * 0.5), int(h * 0.5)],
            Qt.Orientation.Vertical,
        )

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._docks and not self._sized:
            self._sized = True
            if not self._restored:
                QTimer.singleShot(0, self._default_sizes)

    def _build_menus(self) -> None:
        """File (Quit only: features fill it), View, Help; features add menus before Help."""
        bar = self.menuBar()
        bar.clear()
        self.menu_file = bar.addMenu("")
        self.act_quit = _action(self, self.close)
        self.act_quit.setShortcut(QKeySequence.StandardKey.Quit)
        self._menu_view = bar.addMenu("")
        for dock in self._docks.values():
            self._menu_view.addAction(dock.toggleViewAction())
        self._menu_view.addSeparator()
        self.act_animate = QAction(self, checkable=True)
        self.act_animate.setChecked(self.session.animate)
        self.act_animate.toggled.connect(lambda on: setattr(self.session, "animate", on))
        self.bridge.sigAnimate.connect(self.act_animate.setChecked)
        self.act_lang = _action(self, self._toggle_lang)
        self.act_lang.setShortcut(QKeySequence("Ctrl+L"))
        self.act_reset = _action(self, self._reset_layout)
        for a in (self.act_animate, self.act_lang, self.act_reset):
            self._menu_view.addAction(a)
        self._menu_help = bar.addMenu("")
        self.act_keys = _action(self, self.show_shortcuts)
        self.act_keys.setShortcut(QKeySequence("F1"))
        self._menu_help.addAction(self.act_keys)

    def _relabel(self, _lang: str = "") -> None:
        lang = self._session.lang if self._session else "en"
        use_qt_language(lang)  # Qt's own buttons (Close, Cancel, Yes / No) follow
        self.setWindowTitle(tr("app", lang))
        for name, dock in self._docks.items():
            dock.setWindowTitle(tr(TITLES[name], lang))
        self.menu_file.setTitle(tr(MENUS["file"], lang))
        self._menu_view.setTitle(tr(MENUS["view"], lang))
        self._menu_help.setTitle(tr(MENUS["help"], lang))
        self.act_quit.setText(tr(MENUS["quit"], lang))
        self._rooms.set_lang(lang)
        self.act_animate.setText(tr(MENUS["animate"], lang))
        self.act_lang.setText(tr(MENUS["lang"], lang))
        self.act_reset.setText(tr(MENUS["reset"], lang))
        self.act_keys.setText(tr(MENUS["keys"], lang) + "  (F1)")
        if self._session is not None and self._session.classification is not None:
            self._on_said()  # label names are in the interface language

    # -- actions --------------------------------------------------------------------
    def _clicker(self, name: str) -> None:
        """PageDown / PageUp / Esc: a feature's first (a chapter's scenes), else steps."""
        if self.take_clicker(name):
            return
        if name != "stop":
            self._step("step_forward" if name == "next" else "step_back")

    def _step(self, method: str) -> None:
        """A stepping key moves the room in front (the session or a lab)."""
        nav = self._rooms.navigator()
        if nav is not None and len(nav):
            getattr(nav, method)()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """A .tsim file or a model folder dropped on the window opens it."""
        if self._drop_handler is not None and _dropped_path(event) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        path = _dropped_path(event)
        if path is not None and self._drop_handler is not None:
            event.acceptProposedAction()
            self._drop_handler(path)

    def _on_error(self, text: str) -> None:
        """Errors also show in red under the input bar, where the user is looking."""
        if text:
            self.statusBar().showMessage(say(text, self.session.lang), 8000)

    def _reset_layout(self) -> None:
        self.restoreState(self._default_state)
        self._default_sizes()
        # restoreState leaves the old tab bars on screen (``dock_layout``)
        QTimer.singleShot(0, self._hide_stray_tab_bars)

    def _hide_stray_tab_bars(self) -> None:
        hide_stray_tab_bars(self, self._docks)

    def _toggle_lang(self) -> None:
        if self._session:
            self._session.lang = "zh" if self._session.lang == "en" else "en"

    def _on_mode(self, mode: str) -> None:
        """Bring forward the dock that has something to say in this mode."""
        self._docks["loss" if mode == "train" else "attention"].raise_()

    def _on_busy(self, busy: bool) -> None:
        lang = self._session.lang if self._session else "en"
        if busy:
            self.statusBar().showMessage(tr(MENUS["busy"], lang))
        else:
            self._on_said()

    def _shape_of_model(self) -> tuple[bool, ...] | None:
        """Which shape-dependent views apply to the open model (``panels.shapes``)."""
        if self._session is None:
            return None
        cfg = self._session.bundle.cfg
        return tuple(applies(name, cfg) for name in SHAPES if name in self._docks)

    def _on_shape(self, _trace: object = None) -> None:
        """A model of another shape opened: show the docks it has a use for, hide the
        others, and bring forward the one that says what is new about it (a classifier's
        head, an MoE model's router; the window's first model only if it is one of those).
        The same model re-running, or one of the same shape, leaves the layout alone."""
        shape = self._shape_of_model()
        if shape is None or shape == self._fronted or self._rooms.current != "transformer":
            return  # a lab in front: the layout is applied when the Transformer returns
        first, self._fronted = self._fronted is None, shape
        if shape != self._shape:
            self._apply_shape()
        name = front(self.session.bundle.cfg)
        dock = self._docks.get(name)
        if dock is not None and not dock.isHidden() and not (first and name not in SHAPES):
            dock.raise_()

    def _apply_shape(self) -> None:
        """Hide the shown docks the open model has no use for (remembered as hidden by
        the shape, not by the user) and show again those the shape had hidden that apply."""
        if self._session is None:
            return
        cfg = self._session.bundle.cfg
        for name in SHAPES:
            dock = self._docks.get(name)
            if dock is None:
                continue
            if not applies(name, cfg):
                # shown, or about to be: a dock added to a window already on screen is
                # "hidden" until Qt's next layout pass shows it, unless it was hidden
                # explicitly (by the user's saved layout, say)
                explicit = dock.testAttribute(Qt.WidgetAttribute.WA_WState_ExplicitShowHide)
                if not dock.isHidden() or not explicit:
                    dock.hide()
                    self._shape_hidden.add(name)
            elif name in self._shape_hidden:
                self._shape_hidden.discard(name)
                dock.show()
        self._shape = self._shape_of_model()

    def _docks_hidden_by_shape(self) -> frozenset[str]:
        return frozenset(self._shape_hidden)

    def _shape_given_back(self, layout: DockLayout) -> None:
        """A dock layout was given back (presentation mode left, a lab room left): the
        docks it showed that its model's shape hid come back where they apply now, and
        those that do not apply now go (as ``restoreState`` does)."""
        self._shape_hidden = set(layout.shape_hidden)
        self._apply_shape()

    def saveState(self, version: int | None = 0) -> QByteArray:
        """The dock layout, remembering the model shape it was taken under."""
        state = super().saveState(version or 0)
        if len(self._state_shapes) > 16:  # only recent states are ever restored
            self._state_shapes.pop(next(iter(self._state_shapes)))
        self._state_shapes[bytes(state.data())] = (self._shape, frozenset(self._shape_hidden))
        return state

    def restoreState(
        self, state: QByteArray | bytes | bytearray | memoryview, version: int | None = 0
    ) -> bool:
        """A layout taken under another model shape (presentation mode left after a
        chapter opened a model, Reset layout, the saved settings) gets this model's docks."""
        ok = super().restoreState(state, version or 0)
        for bar in self._bottom_bars:  # shown as its feature wants, not as then
            bar.follow()
        key = bytes(state.data()) if isinstance(state, QByteArray) else bytes(state)
        shape, hidden = self._state_shapes.get(key, (None, None))
        if hidden is not None:  # what that layout showed before its shape hid it
            self._shape_hidden = set(hidden)
        if self._session is not None and shape != self._shape_of_model():
            self._apply_shape()
        return ok

    def _on_said(self, _trace: object = None) -> None:
        """The status bar says what the model said: the translation, or a classifier's
        labels with their probabilities (in the Transformer room only)."""
        s = self._session
        if s is not None and not s.busy and self._rooms.current == "transformer":
            self.statusBar().showMessage(answer_line(s, s.lang))

    def shortcuts_text(self) -> str:
        lang = self._session.lang if self._session else "en"
        rows = "".join(
            f"<tr><td><b>{k}</b></td><td>{en if lang == 'en' else zh}</td></tr>"
            for k, en, zh in self._shortcut_rows
        )
        return f"<table cellspacing='8'>{rows}</table>"

    def show_shortcuts(self) -> None:
        lang = self._session.lang if self._session else "en"
        QMessageBox.information(self, tr(MENUS["keys"], lang), self.shortcuts_text())

    # -- persistence ----------------------------------------------------------------
    def _restore(self) -> None:
        self._restored = False
        if not self._persist:
            return
        settings = QSettings("transformer-sim", "transformer-sim")
        geometry, state = settings.value("geometry"), settings.value("state")
        hidden = settings.value("shape_hidden", "")  # shown in the user's layout
        if isinstance(hidden, str) and hidden:
            self._shape_hidden = set(hidden.split(",")) & set(SHAPES)
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        if isinstance(state, QByteArray):
            self._restored = self.restoreState(state)
        if self._session is not None:
            lang = settings.value("lang", "en")
            self._session.lang = lang if lang in ("en", "zh") else "en"
            self._session.animate = settings.value("animate", "true") in (True, "true")

    def closeEvent(self, event: QCloseEvent) -> None:
        for callback in reversed(self._close_callbacks):  # e.g. leave presentation mode
            callback()  # first: never save the full-screen, panels-hidden layout
        if self._session is not None and self._persist:
            settings = QSettings("transformer-sim", "transformer-sim")
            settings.setValue("geometry", self.saveGeometry())
            settings.setValue("state", self.saveState())
            settings.setValue("shape_hidden", ",".join(sorted(self._shape_hidden)))
            settings.setValue("lang", self._session.lang)
            settings.setValue("animate", self._session.animate)
            self._session.playing = False
        super().closeEvent(event)


def _retitle(dock: QDockWidget) -> None:
    """Set a dock's title again as it comes into view: the tab of a tabbed dock keeps
    the title it had when last shown, so a language switched while it was hidden left
    "Attention" on the tab of a Chinese window (issue 16)."""
    title = dock.windowTitle()
    dock.setWindowTitle("")
    dock.setWindowTitle(title)


def _dropped_path(event: QDragEnterEvent | QDropEvent) -> str | None:
    urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
    if len(urls) != 1 or not urls[0].isLocalFile():
        return None
    path = urls[0].toLocalFile()
    return path if path.endswith(".tsim") or Path(path).is_dir() else None


def _action(parent: QWidget, slot: Callable[[], object]) -> QAction:
    action = QAction(parent)
    action.triggered.connect(slot)
    return action


def _make_view(module: str, cls: str, session: Session, bridge: SessionBridge) -> QWidget:
    view: QWidget = getattr(importlib.import_module(module), cls)(session, bridge)
    return view
