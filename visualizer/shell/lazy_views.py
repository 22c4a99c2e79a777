"""The window's views by name, some of them built on first use.

Five views sit in tabs behind the Attention panel or in docks a model's shape hides
(training, update, inspector, router, classify) and cost about 60 % of building the
window (~220 of ~370 ms here: a dozen pyqtgraph plots). Most sessions open them late or
never, so their dock holds an empty placeholder until the dock is first shown or the view
is asked for (``views["training"]``), which builds it then. Each such view is built as at
zoom 1 (``theme`` scale 1 for the build, as every eager view was before the zoom) and
then handed to the ``on_build`` callbacks, which put it in its dock and bring it to the
zoom of the moment (presentation mode scales it as it scaled the rest of the window).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from PySide6.QtWidgets import QWidget

from visualizer import theme

Built = Callable[[str, QWidget], None]


class LazyViews(Mapping[str, QWidget]):
    """A read-only mapping of view name → view; looking a deferred view up builds it."""

    def __init__(self) -> None:
        self._built: dict[str, QWidget] = {}
        self._makers: dict[str, Callable[[], QWidget]] = {}
        self._names: list[str] = []
        self._on_build: list[Built] = []

    def add(self, name: str, view: QWidget) -> None:
        """A view built now."""
        self._names.append(name)
        self._built[name] = view

    def defer(self, name: str, make: Callable[[], QWidget]) -> None:
        """A view ``make()`` builds when it is first shown or asked for."""
        self._names.append(name)
        self._makers[name] = make

    def is_built(self, name: str) -> bool:
        return name in self._built

    def on_build(self, callback: Built) -> None:
        """``callback(name, view)`` once for each deferred view, right after its build."""
        self._on_build.append(callback)

    def __getitem__(self, name: str) -> QWidget:
        view = self._built.get(name)
        return view if view is not None else self.build(name)

    def build(self, name: str) -> QWidget:
        """Build a deferred view now (at zoom 1, then the callbacks)."""
        make = self._makers[name]  # KeyError: no such view, as a dict says
        zoom = theme.get_scale()
        theme.set_scale(1.0)
        try:
            view = self._built[name] = make()
        finally:
            theme.set_scale(zoom)
        del self._makers[name]
        for callback in self._on_build:
            callback(name, view)
        return view

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, name: object) -> bool:
        return name in self._names
