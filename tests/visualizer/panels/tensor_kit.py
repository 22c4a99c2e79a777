"""A step of the module's trace found by its name, for the tensor view's test modules."""

from __future__ import annotations

from core.session import Session


def go(session: Session, name: str) -> None:
    """Seek the first step called ``name`` (searching from the start, not from the
    cursor: a name recurs in every decoding position)."""
    session.cursor = 0
    assert session.seek_name(name), name
