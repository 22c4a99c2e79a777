"""The Debug menu: breakpoints, step search, watches and the divergence demo.

Keys follow the IDEs engineers already know (F8 run to the next breakpoint, Shift+F8
back to the previous one, F9 toggle a breakpoint, Ctrl+F find). Every action calls a
method of a view or of the session; the menu holds no state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from visualizer.i18n import tr
from visualizer.panels.breakpoints.breakpoints_view import BreakpointsView
from visualizer.panels.timeline.timeline_view import TimelineView
from visualizer.panels.watches.watches_view import WatchesView

if TYPE_CHECKING:
    from core.navigator import Navigator
    from visualizer.shell.context import WindowContext

STRINGS = {
    "debug": {"en": "&Debug", "zh": "调试(&D)"},
    "next_bp": {"en": "Run to the next breakpoint", "zh": "运行到下一个断点"},
    "prev_bp": {"en": "Run back to the previous breakpoint", "zh": "倒退到上一个断点"},
    "toggle_bp": {"en": "Breakpoint on this step", "zh": "在此步设置/取消断点"},
    "nan_bp": {"en": "Break on NaN / Inf", "zh": "出现 NaN / Inf 时中断"},
    "find": {"en": "Find a step…", "zh": "查找步骤…"},
    "watch": {"en": "Watch this tensor", "zh": "监视此张量"},
    "panels": {"en": "Show the debugger panels", "zh": "显示调试面板"},
    "diverge": {
        "en": "Divergence demo: where does the NaN come from?",
        "zh": "发散演示：NaN 从哪里来？",
    },
}
KEYS = {"next_bp": "F8", "prev_bp": "Shift+F8", "toggle_bp": "F9", "find": "Ctrl+F"}
KEYS["watch"] = "Ctrl+Shift+W"
DOCK_OF = {
    "next_bp": "breakpoints",
    "prev_bp": "breakpoints",
    "toggle_bp": "breakpoints",
    "nan_bp": "breakpoints",
    "watch": "watches",
}


class DebugMenu(QObject):
    def __init__(self, ctx: WindowContext) -> None:
        super().__init__(ctx.qwindow)
        self.ctx = ctx
        bp = ctx.views["breakpoints"]
        timeline = ctx.views["timeline"]
        watches = ctx.views["watches"]
        assert isinstance(bp, BreakpointsView)
        assert isinstance(timeline, TimelineView)
        assert isinstance(watches, WatchesView)
        self.menu = QMenu()
        ctx.add_menu(self.menu)
        self.actions: dict[str, QAction] = {}
        self.panel = bp
        for key, slot in (
            ("next_bp", lambda: self.run(+1)),
            ("prev_bp", lambda: self.run(-1)),
            ("toggle_bp", self.toggle_here),
            ("nan_bp", self.break_on_nonfinite),
            ("find", timeline.focus_search),
            ("watch", watches.pin_current),
            ("diverge", self.divergence_demo),
            ("panels", self.show_panels),
        ):
            action = QAction(ctx.qwindow)
            action.triggered.connect(lambda *_, s=slot: s())
            if key in KEYS:
                action.setShortcut(QKeySequence(KEYS[key]))
            self.menu.addAction(action)
            self.actions[key] = action
            if key in ("nan_bp", "watch", "diverge"):
                self.menu.addSeparator()
        for key, dock in DOCK_OF.items():  # using a panel's command brings the panel up
            self.actions[key].triggered.connect(lambda *_, d=dock: self.show_dock(d))
        ctx.add_shortcut_rows(shortcut_rows())
        ctx.bridge.sigLang.connect(self.relabel)
        self.relabel(ctx.session.lang)

    # -- breakpoints in whichever room is in front (the labs have them too) ----------------
    def _lab(self) -> Navigator | None:
        """The lab navigator in front, or None in the Transformer room (whose panel acts)."""
        return None if self.ctx.rooms.current == "transformer" else self.ctx.rooms.navigator()

    def run(self, direction: int) -> None:
        lab = self._lab()
        if lab is None:
            (self.panel.run_next if direction > 0 else self.panel.run_previous)()
        elif len(lab):
            lab.run_to_breakpoint(direction)

    def toggle_here(self) -> None:
        from core.breakpoints import Breakpoint

        lab = self._lab()
        if lab is None:
            self.panel.toggle_here()
            return
        if not len(lab):
            return
        bp = Breakpoint("name", lab.step.name)
        labels = [b.label() for b in lab.breakpoints]
        if bp.label() in labels:
            lab.breakpoints.remove(labels.index(bp.label()))
        else:
            lab.add_breakpoint(bp)

    def break_on_nonfinite(self) -> None:
        from core.breakpoints import Breakpoint

        lab = self._lab()
        if lab is None:
            self.panel.break_on_nonfinite()
        else:
            lab.add_breakpoint(Breakpoint("nonfinite"))

    def show_dock(self, name: str) -> None:
        if self.ctx.rooms.current == "transformer":
            dock = self.ctx.docks[name]
            dock.show()
            dock.raise_()

    def show_panels(self) -> None:
        self.ctx.rooms.switch("transformer")
        for name in ("watches", "interventions", "inspector", "breakpoints"):
            self.show_dock(name)

    def divergence_demo(self) -> None:
        from visualizer.debugger.divergence import load_divergence_demo

        self.ctx.rooms.switch("transformer")
        load_divergence_demo(self.ctx.session)
        self.show_dock("breakpoints")
        self.show_dock("inspector")

    def relabel(self, lang: str) -> None:
        self.menu.setTitle(tr(STRINGS["debug"], lang))
        for key, action in self.actions.items():
            keys = KEYS.get(key, "")
            action.setText(tr(STRINGS[key], lang) + (f"  ({keys})" if keys else ""))


def shortcut_rows() -> list[tuple[str, str, str]]:
    """(keys, English, Chinese) for the help sheet."""
    return [(KEYS[k], STRINGS[k]["en"], STRINGS[k]["zh"]) for k in KEYS]
