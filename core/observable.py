"""Plain-Python change notification: the engine's side of the model/view split.

A field declared on an ``Observable`` emits an event when it is assigned a value
different from the old one: ``session.cursor = 5`` notifies
``session.events.cursor`` subscribers with the new value. The Qt bridge turns these
into signals; a script or notebook can subscribe directly. No Qt involved, so the
session is testable and scriptable on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar


class Event:
    """A list of callbacks called with the new value, in subscription order."""

    def __init__(self) -> None:
        self._slots: list[Callable[[Any], object]] = []

    def connect(self, slot: Callable[[Any], object]) -> None:
        if slot not in self._slots:
            self._slots.append(slot)

    def disconnect(self, slot: Callable[[Any], object]) -> None:
        if slot in self._slots:
            self._slots.remove(slot)

    def emit(self, value: Any) -> None:
        for slot in list(self._slots):
            slot(value)


class Events:
    """One ``Event`` per observable field, as attributes (``events.cursor``)."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self._names = names
        for name in names:
            setattr(self, name, Event())

    def __getattr__(self, name: str) -> Event:  # only reached for unknown names
        raise AttributeError(f"no event {name!r}; known: {', '.join(self._names)}")

    def get(self, name: str) -> Event:
        event: Event = getattr(self, name)
        return event


class Observable:
    """Base class: assigning a field listed in ``FIELDS`` emits its event on change."""

    FIELDS: ClassVar[tuple[str, ...]] = ()
    events: Events

    def __init__(self) -> None:
        object.__setattr__(self, "events", Events(self.FIELDS))

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in self.FIELDS:
            object.__setattr__(self, name, value)
            return
        old = self.__dict__.get(name, _UNSET)
        object.__setattr__(self, name, value)
        if old is _UNSET or not _same(old, value):
            self.events.get(name).emit(value)

    def update(self, **fields: Any) -> None:
        """Assign several fields, then emit their events (in the order given), so no
        subscriber sees a half-updated state (say, a new trace with an old cursor)."""
        changed = []
        for name, value in fields.items():
            if name not in self.FIELDS:
                raise AttributeError(f"{type(self).__name__} has no observable field {name!r}")
            old = self.__dict__.get(name, _UNSET)
            object.__setattr__(self, name, value)
            if old is _UNSET or not _same(old, value):
                changed.append(name)
        for name in changed:
            self.events.get(name).emit(getattr(self, name))


_UNSET = object()


def _same(a: Any, b: Any) -> bool:
    """Equality that never asks a tensor or array for an ambiguous truth value."""
    if a is b:
        return True
    try:
        return bool(a == b)
    except (TypeError, ValueError, RuntimeError):
        return False
