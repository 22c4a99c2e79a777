"""The breakpoints panel: where the debugger stops, and running to it in either direction.

A run is already recorded, so a breakpoint is a test on the steps of the trace
(``core.breakpoints``): a name or key glob, an op, a phase, or a condition on the
values (NaN/Inf, a large |x|, a sharp attention weight, a large gradient). The list
shows each breakpoint with an enable box and how many steps of this run it hits; the
row(s) hitting the current step are highlighted. "◀ previous hit" / "next hit ▶" run
to the nearest hit before / after the cursor; "Break here" toggles a breakpoint on
the current step's name. Every control only edits ``session.breakpoints`` or calls a
session command. Keys for the lead: ``run_next``, ``run_previous``, ``toggle_here``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from visualizer.i18n import say, tr
from visualizer.panels.breakpoints.breakpoint_add import BreakpointAdder
from visualizer.panels.breakpoints.breakpoint_list import BreakpointList
from visualizer.panels.breakpoints.breakpoint_text import STRINGS, describe
from visualizer.theme import MUTED, TEXT, ui_font

if TYPE_CHECKING:
    from core.session import Session
    from visualizer.bridge import SessionBridge

ERROR = "#d62828"


class BreakpointsView(QWidget):
    def __init__(
        self, session: Session, bridge: SessionBridge, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session, self.bridge = session, bridge
        self._hits: list[np.ndarray] = []  # per breakpoint: the sorted steps it matches
        self._error_at: int | None = None  # cursor when the error came; shown only there
        self._stop_at: int | None = None  # where a run to a breakpoint stopped
        self.prev_btn, self.next_btn = QPushButton(), QPushButton()
        self.here_btn, self.nan_btn = QPushButton(), QPushButton()
        self.here_btn.setCheckable(True)
        self.prev_btn.clicked.connect(self.run_previous)
        self.next_btn.clicked.connect(self.run_next)
        self.here_btn.clicked.connect(lambda _=False: self.toggle_here())
        self.nan_btn.clicked.connect(self.break_on_nonfinite)
        top = QHBoxLayout()
        top.setSpacing(4)
        for b in (self.prev_btn, self.next_btn):
            top.addWidget(b)
        top.addStretch(1)
        quick = QHBoxLayout()
        quick.setSpacing(4)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setFont(ui_font(10))
        self.status.setTextFormat(Qt.TextFormat.RichText)
        self.status.setMinimumHeight(2 * self.status.fontMetrics().height() + 4)
        self.status.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.list = BreakpointList()
        self.list.sigEnable.connect(self._on_enable)
        self.list.sigActivate.connect(self.run_to_row)
        delete = QShortcut(QKeySequence.StandardKey.Delete, self.list, self.remove_selected)
        delete.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)  # only in the list
        self.adder = BreakpointAdder()
        self.adder.sigAdd.connect(self.add_from_row)
        self.remove_btn = QPushButton()
        self.remove_btn.clicked.connect(self.remove_selected)
        for b in (self.here_btn, self.nan_btn):
            quick.addWidget(b)
        quick.addStretch(1)
        quick.addWidget(self.remove_btn)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 6, 8, 6)
        lay.setSpacing(4)
        lay.addLayout(top)
        lay.addWidget(self.status)
        lay.addWidget(self.list, 1)
        lay.addLayout(quick)
        lay.addWidget(self.adder)
        bridge.sigTrace.connect(self._on_trace)
        bridge.sigBreakpoints.connect(self._rebuild)
        bridge.sigCursor.connect(self._on_cursor)
        bridge.sigStopped.connect(self._on_stopped)
        bridge.sigError.connect(self._on_error)
        bridge.connect_relabel(lambda _: self._relabel(), owner=self)
        self.adder.set_trace(session.trace)
        self._relabel()

    # -- commands (bind keys and menus to these) ----------------------------------------
    def run_next(self) -> bool:
        """Run forward to the next step an enabled breakpoint matches."""
        return self._ran(self.session.run_to_breakpoint(+1))

    def run_previous(self) -> bool:
        """Run backwards to the previous step an enabled breakpoint matches."""
        return self._ran(self.session.run_to_breakpoint(-1))

    def _ran(self, ok: bool) -> bool:
        self._stop_at = self.session.cursor if ok else None
        self._show_status()
        return ok

    def toggle_here(self) -> bool:
        """Add a breakpoint on the current step's name, or remove the one there is;
        True when one was added."""
        s = self.session
        if not len(s):
            return False
        name = s.step.name
        for i, bp in enumerate(s.breakpoints):
            if bp.kind == "name" and bp.pattern == name:
                s.breakpoints.remove(i)
                return False
        from core.breakpoints import Breakpoint

        return s.add_breakpoint(Breakpoint("name", name)) >= 0  # -1: the list is full

    def break_on_nonfinite(self) -> None:
        """Add the "NaN or Inf appears" breakpoint."""
        from core.breakpoints import Breakpoint

        self.session.add_breakpoint(Breakpoint("nonfinite"))

    def add_from_row(self) -> bool:
        """Add what the add row describes; a bad one says why in the session's error."""
        try:
            bp = self.adder.breakpoint()
        except ValueError as e:
            from core.messages import message_of  # plain Python: no PyTorch

            self.session.error = message_of(e)
            return False
        return self.session.add_breakpoint(bp) >= 0

    def remove_selected(self) -> None:
        for r in reversed(self.list.selected_rows()):
            self.session.breakpoints.remove(r)

    def run_to_row(self, row: int, direction: int = +1) -> bool:
        """Move to breakpoint ``row``'s next hit after the cursor (wrapping round)."""
        hits = self._hits[row] if 0 <= row < len(self._hits) else np.zeros(0, np.int64)
        if not len(hits):
            return False
        cur = self.session.cursor
        later = [int(h) for h in hits if (h - cur) * direction > 0]
        end = 0 if direction > 0 else -1
        target = later[end] if later else int(hits[end])
        bp = self.session.breakpoints[row]
        self.session.update(cursor=target, stopped=bp.label(), error="")
        return self._ran(True)

    # -- state -----------------------------------------------------------------------------
    def _on_trace(self) -> None:
        self.adder.set_trace(self.session.trace)
        self._rebuild()

    def _rebuild(self) -> None:
        """Refill the list (the breakpoints changed, or a new run)."""
        from core.breakpoints import hits

        s = self.session
        self._hits = [hits(s.trace, bp) for bp in s.breakpoints]
        self.list.fill(s.breakpoints.items, [len(h) for h in self._hits], s.lang)
        self._on_cursor()

    def rows_here(self) -> list[int]:
        """Rows of the enabled breakpoints that match the current step."""
        cur, items = self.session.cursor, self.session.breakpoints.items
        return [
            r
            for r, (bp, h) in enumerate(zip(items, self._hits, strict=True))
            if bp.enabled and _contains(h, cur)
        ]

    def _on_cursor(self) -> None:
        s = self.session
        if self._error_at is not None and self._error_at != s.cursor:
            self._error_at = None
        self.list.set_here(self.rows_here())
        name = s.step.name if len(s) else ""
        on = any(bp.kind == "name" and bp.pattern == name for bp in s.breakpoints)
        self.here_btn.setChecked(on)
        self.here_btn.setToolTip(tr(STRINGS["here_tip"], s.lang).format(n=name))
        self._show_status()

    def _on_stopped(self, label: str) -> None:
        self._stop_at = self.session.cursor if label else None
        self._show_status()

    def _on_error(self, message: str) -> None:
        self._error_at = self.session.cursor if message else None
        self._show_status()

    def _on_enable(self, row: int, on: bool) -> None:
        bps = self.session.breakpoints
        if 0 <= row < len(bps) and bps[row].enabled != on:
            bps.toggle(row)

    # -- text ------------------------------------------------------------------------------
    def status_text(self) -> str:
        """The status line in words: an error, where it stopped, or the nearest hits."""
        s, lang = self.session, self.session.lang
        if s.error and self._error_at == s.cursor:
            return say(s.error, lang)
        stopped = s.stopped if self._stop_at == s.cursor else ""
        return describe(s, self.rows_here(), stopped, lang)

    def _show_status(self) -> None:
        s = self.session
        text = _escape(self.status_text())
        if s.error and self._error_at == s.cursor:
            html = f"<span style='color:{ERROR}'>⚠ {text}</span>"
        elif self.rows_here():
            html = f"<span style='color:{ERROR}'>●</span> <b style='color:{TEXT}'>{text}</b>"
        else:
            html = f"<span style='color:{MUTED}'>{text}</span>"
        self.status.setText(html)

    def _relabel(self) -> None:
        lang = self.session.lang
        for key, b in (
            ("prev", self.prev_btn),
            ("next", self.next_btn),
            ("here", self.here_btn),
            ("nan", self.nan_btn),
            ("remove", self.remove_btn),
        ):
            b.setText(tr(STRINGS[key], lang))
            b.setToolTip(tr(STRINGS[f"{key}_tip"], lang))
        self.list.set_headers(lang)
        self.adder.set_lang(lang)
        self._rebuild()


def _contains(sorted_hits: np.ndarray, index: int) -> bool:
    i = int(np.searchsorted(sorted_hits, index))
    return i < len(sorted_hits) and int(sorted_hits[i]) == index


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
