"""The application's top-level widgets, safe to walk.

A window freed by Python's garbage collector deletes its child windows with it (menus
made as ``QMenu(window)`` are top-level popups that have a parent). A collection can
run at any allocation, so a loop over ``QApplication.topLevelWidgets()`` that calls
into each one could reach a menu whose window was collected a moment earlier and
crash (seen: the presentation keys' shortcut scan during the layout check). While the
walk runs the collector waits, and only widgets still alive are handed out.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtWidgets import QApplication, QWidget
from shiboken6 import isValid


@contextmanager
def live_top_levels() -> Iterator[list[QWidget]]:
    """``with live_top_levels() as tops:`` the top-level widgets, none freed meanwhile."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield [w for w in QApplication.topLevelWidgets() if isValid(w)]
    finally:
        if enabled:
            gc.enable()
