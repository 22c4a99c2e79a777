"""Rooms: the Transformer (the docked views), the neuron lab, the network playground and
the stages of an LLM (pre-training, fine-tuning, RL).

A tab bar above the window's centre picks the room. The Transformer room is the
docked layout; a lab room is one full page (its own controls, canvases, the shared
timeline and narration) that replaces the centre while the docks are hidden, and
the dock layout comes back unchanged on return. Lab rooms are built on first visit
(their own small models, each on a ``core.navigator.Navigator``); the window's
stepping keys, language and export always act on the room in front.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QObject, Signal
from PySide6.QtWidgets import QFrame, QScrollArea, QStackedWidget, QTabBar, QWidget

from visualizer.i18n import tr
from visualizer.widgets.answer import answer_line

if TYPE_CHECKING:
    from collections.abc import Mapping

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
        self.stack.addWidget(transformer_page)
        self.pages: dict[str, QWidget] = {"transformer": transformer_page}
        self.frames: dict[str, QWidget] = {}  # a lab page's scroll area
        self.current = "transformer"
        self._dock_state: QByteArray | None = None
        self.bar = QTabBar()
        self.bar.setExpanding(False)
        self.bar.setDrawBase(False)
        for _ in ROOMS:
            self.bar.addTab("")
        self.bar.currentChanged.connect(lambda i: self.switch(list(ROOMS)[i]))

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
            room = cls.create()
            room.lab.lang = self.session.lang
            room.lab.animate = self.session.animate
            self.pages[name] = room
            # in a scroll area: a lab's minimum size must not become the window's
            area = QScrollArea()
            area.setWidget(room)
            area.setWidgetResizable(True)
            area.setFrameShape(QFrame.Shape.NoFrame)
            self.frames[name] = area
            self.stack.addWidget(area)
        return self.pages[name]

    def switch(self, name: str) -> None:
        if name == self.current or name not in ROOMS:
            return
        page = self.page(name)
        if self.current == "transformer":
            self._dock_state = self.window.saveState()
            for dock in self.docks.values():
                dock.hide()
        self.stack.setCurrentWidget(self.frames.get(name, page))
        if name == "transformer" and self._dock_state is not None:
            self.window.restoreState(self._dock_state)
        self.current = name
        session = self.session
        said = answer_line(session, session.lang) if name == "transformer" else ""
        self.window.statusBar().showMessage(said)  # what the model said is the Transformer's news
        self.bar.blockSignals(True)
        self.bar.setCurrentIndex(list(ROOMS).index(name))
        self.bar.blockSignals(False)
        self.sigRoom.emit(name)

    def keep_dock_state(self, state: QByteArray) -> None:
        """The dock layout to put back when the Transformer room returns (presentation
        mode restores its own layout while a lab is in front)."""
        self._dock_state = state

    def set_lang(self, lang: str) -> None:
        for i, name in enumerate(ROOMS):
            self.bar.setTabText(i, tr(NAMES[name], lang))
        for name, page in self.pages.items():
            if name != "transformer":
                page.lab.lang = lang  # type: ignore[attr-defined]  # a lab page (ROOMS) has .lab
