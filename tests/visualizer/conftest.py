"""GUI tests run offscreen with settings kept away from the user's own.

Shared fixtures: sessions on the built-in German model (loaded once per run, new per
test, or of their own per test module), the bridge of a module's session, and the
assembled window on a new session. The window is imported only where it is asked for,
so the view-model tests (tests/visualizer/view_models) never load it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QStandardPaths

from core.session import Session

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from visualizer.assemble import SimulatorWindow
    from visualizer.bridge import SessionBridge

LECTURE = "Time flies like an arrow"


@pytest.fixture(scope="session", autouse=True)
def _isolated_settings() -> None:
    QStandardPaths.setTestModeEnabled(True)


@pytest.fixture(autouse=True)
def _delete_closed_widgets(request: pytest.FixtureRequest) -> Iterator[None]:
    """Delete the widgets a test closed before the next test runs.

    pytest-qt closes a test's widgets and calls ``deleteLater``, but deferred deletes
    only run in an event loop, and tests call ``processEvents`` at most: every view a
    module made stayed alive, connected to the module's session, and redrew on each
    later seek (test_tensor_view's step walk took 7 s instead of 1.5 s)."""
    yield
    if "qapp" in request.fixturenames or "qtbot" in request.fixturenames:
        from PySide6.QtCore import QCoreApplication, QEvent

        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture(scope="session")
def builtin_session() -> Session:
    """Loaded once; tests that change it should use ``fresh_session``."""
    return Session.open_builtin("en-de")


@pytest.fixture
def fresh_session(builtin_session: Session) -> Session:
    """A new session on the lecture sentence for one test (the model's weights shared)."""
    return Session(builtin_session.bundle, "en-de", LECTURE)


@pytest.fixture(scope="module")
def session() -> Session:
    """The built-in German model loaded afresh for one test module, on the lecture
    sentence: its tests move the cursor and change the language, selection or source
    (and put them back where later tests expect them); other modules never see it."""
    return Session.open_builtin("en-de")


@pytest.fixture(scope="module")
def bridge(qapp: object, session: Session) -> SessionBridge:
    """The bridge of the module's ``session``: one per session, since the session keeps
    emitting into every bridge made on it."""
    from visualizer.bridge import SessionBridge

    return SessionBridge(session)


@pytest.fixture(scope="module")
def translate(builtin_session: Session) -> Session:
    """A translation of the lecture sentence, a session of its own per test module (the
    model's weights shared with ``builtin_session``)."""
    return Session(builtin_session.bundle, "en-de", LECTURE)


@pytest.fixture(scope="module")
def train(builtin_session: Session) -> Session:
    """A training step on the lecture pair (traced on a copy of the model, so the shared
    weights stay as they are), a session of its own per test module."""
    s = Session(builtin_session.bundle, "en-de", LECTURE)
    s.mode = "train"
    assert any(st.phase == "backward" for st in s.trace.steps)
    return s


@pytest.fixture
def window_size() -> tuple[int, int]:
    """The size of the ``window`` fixture; a test module defines its own ``window_size``
    fixture to get another."""
    return (1400, 900)


@pytest.fixture
def make_window(qtbot: QtBot) -> Callable[..., SimulatorWindow]:
    """Builds the assembled window on a session (layout not persisted, closed with the
    test): ``make_window(session, size=(1400, 900), show=True)``."""
    from visualizer.assemble import SimulatorWindow
    from visualizer.bridge import SessionBridge

    def make(
        session: Session, size: tuple[int, int] = (1400, 900), show: bool = True
    ) -> SimulatorWindow:
        w = SimulatorWindow(session, SessionBridge(session), persist=False)
        qtbot.addWidget(w)
        w.resize(*size)
        if show:
            w.show()
        return w

    return make


@pytest.fixture
def window(
    make_window: Callable[..., SimulatorWindow],
    fresh_session: Session,
    window_size: tuple[int, int],
) -> SimulatorWindow:
    """The assembled window on ``fresh_session``, shown at ``window_size``."""
    return make_window(fresh_session, window_size)
