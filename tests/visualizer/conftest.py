"""GUI tests run offscreen with settings kept away from the user's own."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QStandardPaths

from core.session import Session


@pytest.fixture(scope="session", autouse=True)
def _isolated_settings() -> None:
    QStandardPaths.setTestModeEnabled(True)


@pytest.fixture(scope="session")
def builtin_session() -> Session:
    """Loaded once; tests that change it should use ``fresh_session``."""
    return Session.open_builtin("en-de")


@pytest.fixture
def fresh_session(builtin_session: Session) -> Session:
    return Session(builtin_session.bundle, "en-de", "Time flies like an arrow")
