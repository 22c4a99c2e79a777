"""Rooms: the Transformer (the docked views), the neuron lab, the network playground and
the stages of an LLM (pre-training, fine-tuning, RL).

A tab bar above the window's centre picks the room. The Transformer room is the
docked layout; a lab room is one full page (its own controls, canvases, the shared
timeline and narration) that replaces the centre while the docks are hidden, and
the dock layout comes back unchanged on return. The bar shares the centre's width with
nothing, but in the Transformer room that centre sits between the docks (about 490 px in
a 1366 × 768 window): where the full room names do not fit, the tabs show short ones
(``SHORT``), the full name in the tooltip, so no name is cut to "How an L…". Lab rooms
are built on first visit (their own small models, each on a ``core.navigator.Navigator``);
the window's stepping keys, language and export always act on the room in front.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import (
    QFrame,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

from visualizer import theme
from visualizer.i18n import tr
from visualizer.shell import dock_layout
from visualizer.shell.dock_layout import DockLayout
from visualizer.widgets.answer import answer_line
from visualizer.widgets.scrolled import CENTRE_CAP, scrolled

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from PySide6.QtWidgets import QDockWidget, QMainWindow

    from core.navigator import Navigator
    from core.session import Session

ROOMS: dict[str, tuple[str, str] | None] = {
    "transformer": None,
    "neuron": ("visualizer.rooms.neuron.neuron_room", "NeuronRoom"),
    "playground": ("visualizer.rooms.playground.playground_room", "PlaygroundRoom"),
    "stages": ("visualizer.rooms.stages.stages_room", "StagesRoom"),
}
NAMES = {
    "transformer": {"en": "Transformer", "zh": "Transformer"},
    "neuron": {"en": "One neuron", "zh": "一个神经元"},
    "playground": {"en": "Network playground", "zh": "神经网络游乐场"},
    "stages": {"en": "How an LLM is made", "zh": "大语言模型是怎样炼成的"},
}
SHORT = {  # where the full names do not fit the bar
    "transformer": {"en": "Transformer", "zh": "Transformer"},
    "neuron": {"en": "Neuron", "zh": "神经元"},
    "playground": {"en": "Playground", "zh": "游乐场"},
    "stages": {"en": "Making an LLM", "zh": "大模型炼成"},
}


class RoomSwitcher(QObject):
    sigRoom = Signal(str)

    def __init__(
        self,
        window: QMainWindow,
        session: Session,
        docks: Mapping[str, QDockWidget],
        transformer_page: QWidget,
    ) -> None:
        """``docks`` hide while a lab is in front (and come back as they were)."""
        super().__init__(window)
        self.window, self.session, self.docks = window, session, docks
        self.stack = QStackedWidget()
        self.pages: dict[str, QWidget] = {"transformer": transformer_page}
        # each page in a scroll area: a page's minimum size must not become the window's
        self.frames: dict[str, QWidget] = {"transformer": scrolled(transformer_page, CENTRE_CAP)}
        self.stack.addWidget(self.frames["transformer"])
        self.current = "transformer"
        self._dock_layout: DockLayout | None = None
        self._given_back: list[Callable[[DockLayout], None]] = []
        # the docks the window's layout shows but the model's shape hides (``MainWindow``)
        self.shape_hidden: Callable[[], frozenset[str]] = frozenset
        self.bar = QTabBar()
        self.bar.setExpanding(False)
        self.bar.setDrawBase(False)
        for _ in ROOMS:
            self.bar.addTab("")
        self.bar.currentChanged.connect(lambda i: self.switch(list(ROOMS)[i]))
        self.bar.installEventFilter(self)
        self._lang = "en"
        self._on_page_built: list[Callable[[str, QWidget], None]] = []

    def on_page_built(self, callback: Callable[[str, QWidget], None]) -> None:
        """``callback(name, placed)`` once for each room's page, right after its build
        (at zoom 1, as ``shell/lazy_views`` builds a panel) and its placing in the window:
        ``placed`` holds the page's scroll area and the narration and timeline the page
        hands to the window (``_with_timeline``)."""
        self._on_page_built.append(callback)

    def navigator(self) -> Navigator | None:
        """What the stepping keys move: the session, or the lab in front."""
        if self.current == "transformer":
            return self.session
        return getattr(self.pages[self.current], "lab", None)

    def page(self, name: str) -> QWidget:
        """The room's page, built on first use."""
        if name not in self.pages:
            spec = ROOMS[name]
            assert spec is not None
            cls: Any = getattr(importlib.import_module(spec[0]), spec[1])
            # built as at zoom 1, then zoomed by the callbacks as the window was: a page
            # built while zoomed kept what only a zoom reaches at its desktop size (a
            # chart's axis labels, a label with a style sheet)
            zoom = theme.get_scale()
            theme.set_scale(1.0)
            try:
                room = cls.create()
            finally:
                theme.set_scale(zoom)
            room.lab.lang = self.session.lang
            room.lab.animate = self.session.animate
            self.pages[name] = room
            # in a scroll area: a lab's minimum size must not become the window's
            area = QScrollArea()
            area.setWidget(room)
            area.setWidgetResizable(True)
            area.setFrameShape(QFrame.Shape.NoFrame)
            self.frames[name] = area
            placed = _with_timeline(area, room)
            self.stack.addWidget(placed)
            for callback in self._on_page_built:
                callback(name, placed)
        return self.pages[name]

    def switch(self, name: str) -> None:
        if name == self.current or name not in ROOMS:
            return
        page = self.page(name)
        if self.current == "transformer":
            self._dock_layout = self._take()
            for dock in self.docks.values():
                dock.hide()
        frame = self.frames.get(name, page)
        holder = frame.parentWidget()  # a lab's scroll area may sit over its timeline
        self.stack.setCurrentWidget(frame if holder is None or holder is self.stack else holder)
        self.current = name
        if name == "transformer" and self._dock_layout is not None:
            self.give_back_docks(self._dock_layout)
        session = self.session
        said = answer_line(session, session.lang) if name == "transformer" else ""
        self.window.statusBar().showMessage(said)  # what the model said is the Transformer's news
        self.bar.blockSignals(True)
        self.bar.setCurrentIndex(list(ROOMS).index(name))
        self.bar.blockSignals(False)
        self.sigRoom.emit(name)

    def dock_layout(self) -> DockLayout:
        """The Transformer room's dock layout: as it is, or as it comes back from a lab."""
        if self.current == "transformer" or self._dock_layout is None:
            return self._take()
        return self._dock_layout

    def _take(self) -> DockLayout:
        return dock_layout.take(self.window, self.docks, self.shape_hidden())

    def keep_dock_layout(self, layout: DockLayout) -> None:
        """The dock layout to put back when the Transformer room returns (presentation
        mode gives back its own layout while a lab is in front)."""
        self._dock_layout = layout

    def give_back_docks(self, layout: DockLayout, keep: Mapping[str, bool] | None = None) -> None:
        """Put ``layout`` back on the Transformer room's docks (show / hide / raise: see
        ``dock_layout``), then let whoever owns the layout now (a chapter's scene, which
        chose its own panels) put its own back (``on_docks_given_back``)."""
        dock_layout.give_back(self.window, self.docks, layout, keep)
        for callback in self._given_back:
            callback(layout)

    def on_docks_given_back(self, callback: Callable[[DockLayout], None]) -> None:
        """``callback(layout)`` after a dock layout was given back in the Transformer
        room (the window first: its model-shape rule; then a chapter's scene)."""
        self._given_back.append(callback)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """The bar was resized or its font changed (presentation zoom): fit the names."""
        if watched is self.bar and event.type() in (QEvent.Type.Resize, QEvent.Type.FontChange):
            self.fit_names()
        return False

    def fit_names(self) -> None:
        """Full room names where they all fit the bar's width, else the short ones (the
        full name stays in each tab's tooltip)."""
        bar, lang = self.bar, self._lang
        fm = bar.fontMetrics()
        full = [tr(NAMES[name], lang) for name in ROOMS]
        # a tab's size hint is its text's width plus the style's padding
        pad = sum(
            bar.tabSizeHint(i).width() - fm.horizontalAdvance(bar.tabText(i))
            for i in range(bar.count())
        )
        fits = sum(fm.horizontalAdvance(x) for x in full) + pad <= bar.width()
        for i, name in enumerate(ROOMS):
            text = full[i] if fits else tr(SHORT[name], lang)
            if bar.tabText(i) != text:
                bar.setTabText(i, text)
            bar.setTabToolTip(i, full[i])

    def set_lang(self, lang: str) -> None:
        self._lang = lang
        self.fit_names()
        for name, page in self.pages.items():
            if name != "transformer":
                page.lab.lang = lang  # type: ignore[attr-defined]  # a lab page (ROOMS) has .lab


def _with_timeline(area: QScrollArea, room: QWidget) -> QWidget:
    """The lab's scroll area, with the room's narration and timeline (its transport)
    under it rather than at the foot of the scrolled page: at presentation zoom a page
    taller or wider than the window scrolls, and the transport must stay on screen and
    the narration wrap to the window's width (issue 16). A room whose timeline or
    narration sits deeper (on one of its tabs, in a column) keeps it where it is."""
    timeline = getattr(room, "timeline", None)
    if not isinstance(timeline, QWidget) or timeline.parentWidget() is not room:
        return area
    narration = getattr(room, "narration", None)
    holder = QWidget()
    # a page in a stack: its minimum (the timeline's, wide at zoom) must not become the
    # stack's while another room is in front
    holder.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
    lay = QVBoxLayout(holder)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.setSpacing(0)
    lay.addWidget(area, 1)
    if isinstance(narration, QWidget) and narration.parentWidget() is room:
        narration.setContentsMargins(8, 2, 8, 2)  # off the window's edge
        lay.addWidget(narration)  # taken out of the page's own layout
    lay.addWidget(timeline)
    return holder
