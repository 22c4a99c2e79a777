"""A closed window is freed, with its session, bridge and plots (issue 11).

A lambda connected to a Qt signal is held inside Qt, where Python's collector cannot
see it: one capturing the bridge kept the bridge, its session and every window on it
alive for good, and parentless menus did the same through their actions' lambdas.
Each test's window then stayed in memory with its ~190 top-level menus (pyqtgraph's
plot menus among them), which every later ``QApplication.topLevelWidgets()`` walked
and every full collection traversed.
"""

from __future__ import annotations

import gc
import weakref

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from core.session import Session
from visualizer.assemble import SimulatorWindow
from visualizer.bridge import SessionBridge

LECTURE = "Time flies like an arrow"


def _window_alive(builtin_session: Session) -> tuple[weakref.ref, weakref.ref, weakref.ref]:
    """Builds, shows, closes and deletes a window; returns weak references to it, its
    session and its bridge (no strong one survives this function)."""
    session = Session(builtin_session.bundle, "en-de", LECTURE)
    bridge = SessionBridge(session)
    window = SimulatorWindow(session, bridge, persist=False)
    window.resize(1200, 800)
    window.show()
    QApplication.processEvents()
    session.speed = 2.0  # the playback clock follows the speed (the connection that leaked)
    refs = weakref.ref(window), weakref.ref(session), weakref.ref(bridge)
    window.close()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return refs


def test_a_closed_window_is_freed_with_its_session_and_bridge(
    qtbot: QtBot, builtin_session: Session
) -> None:
    tops_before = len(QApplication.topLevelWidgets())
    window, session, bridge = _window_alive(builtin_session)
    gc.collect()
    assert window() is None, "the window is still referenced"
    assert session() is None and bridge() is None
    assert len(QApplication.topLevelWidgets()) <= tops_before  # its menus went with it


def test_a_bridge_lives_as_long_as_its_session(qtbot: QtBot, builtin_session: Session) -> None:
    """Nothing else need keep a bridge: its session emits into it for as long as it lives."""
    session = Session(builtin_session.bundle, "en-de", LECTURE)
    seen: list[int] = []
    SessionBridge(session).sigCursor.connect(seen.append)  # no reference kept
    gc.collect()
    session.seek(3)
    assert seen == [3]
