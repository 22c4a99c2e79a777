"""The Models menu: every shipped model, grouped by shape, and the compare mode.

Encoder-decoder (the translators), decoder-only (GPT), encoder-only (BERT, ViT) and
mixture of experts, as ``core.model_catalog`` lists them from the models' own
configs. Choosing one opens it in the window through ``session.open_model`` (the
session runs it off the GUI thread); the model in the window is ticked. The last
entry opens the compare dialog (``compare_view``). Opening any other folder is
File ▸ Open model… (the local Hugging Face cache, fetched models, any folder).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu

from visualizer.i18n import tr

if TYPE_CHECKING:
    from core.model_catalog import ShippedModel
    from visualizer.models.compare_view import CompareDialog
    from visualizer.shell.context import WindowContext

STRINGS = {
    "menu": {"en": "&Models", "zh": "模型(&M)"},
    "compare": {
        "en": "Compare encoder-decoder and decoder-only…",
        "zh": "对比编码器-解码器与仅解码器…",
    },
    "opening": {"en": "Opening {name}…", "zh": "正在打开 {name}…"},
}


class ModelsMenu(QObject):
    """Builds the menu once; ``open(name)`` is what choosing an entry does."""

    def __init__(self, ctx: WindowContext) -> None:
        from core.model_catalog import GROUPS, by_group

        super().__init__(ctx.qwindow)
        self.ctx, self.session = ctx, ctx.session
        self.menu = QMenu()
        self.group = QActionGroup(self)
        self.group.setExclusive(True)
        self.headers: dict[str, QAction] = {}
        self.actions: dict[str, QAction] = {}
        self.entries: dict[str, ShippedModel] = {}
        self.pending: str | None = None  # asked for, not loaded yet
        groups = by_group()
        for key in GROUPS:
            if not groups[key]:
                continue
            if self.headers:
                self.menu.addSeparator()
            header = self.menu.addAction("")
            header.setEnabled(False)  # a heading, not a command
            bold = header.font()
            bold.setBold(True)
            header.setFont(bold)
            self.headers[key] = header
            for entry in groups[key]:
                action = QAction(ctx.qwindow)
                action.setCheckable(True)
                action.triggered.connect(lambda *_, n=entry.name: self.open(n))
                self.group.addAction(action)
                self.menu.addAction(action)
                self.actions[entry.name] = action
                self.entries[entry.name] = entry
        self.menu.addSeparator()
        self.act_compare = self.menu.addAction("")
        self.act_compare.triggered.connect(lambda *_: self.show_compare())
        self.compare: CompareDialog | None = None
        ctx.add_menu(self.menu)
        ctx.bridge.sigTrace.connect(self._sync)
        ctx.bridge.sigError.connect(self._on_error)
        ctx.bridge.sigLang.connect(self.relabel)
        self.relabel(self.session.lang)
        self._sync()

    # -- commands ----------------------------------------------------------------------
    def open(self, name: str) -> None:
        """Open a shipped model in the window (its own example sentence if it cannot
        read the current one); a failure is the session's one-line error."""
        entry = self.entries[name]
        self.pending = name
        self.ctx.say(tr(STRINGS["opening"], self.session.lang).format(name=name))
        self.session.open_model(entry.folder)
        self._sync()

    def show_compare(self) -> None:
        from visualizer.models.compare_view import CompareDialog

        if self.compare is None:
            self.compare = CompareDialog(self.session, self.ctx.bridge, self.ctx.qwindow)
            self.compare.run(self.compare.sentence.text())
        self.compare.show()
        self.compare.raise_()

    # -- which one is in the window ----------------------------------------------------
    def current(self) -> str | None:
        """The shipped model in the window: the one just opened from here, else the
        one whose shape and pair the window's model has (a session file or the start)."""
        bundle = self.session.bundle
        if self.pending is not None:
            entry = self.entries[self.pending]
            if bundle.cfg == entry.cfg and bundle.pair == entry.pair:
                return self.pending
        for name, entry in self.entries.items():
            if bundle.cfg == entry.cfg and bundle.pair == entry.pair:
                return name
        return None

    def _sync(self, *_: object) -> None:
        name = self.current()
        self.group.setExclusive(False)  # an exclusive group cannot untick its last one
        for key, action in self.actions.items():
            action.setChecked(key == name)
        self.group.setExclusive(True)

    def _on_error(self, message: str) -> None:
        if message and self.pending is not None:
            self.pending = None  # the folder was refused: the old model stays
            self._sync()

    def relabel(self, lang: str) -> None:
        from core.model_catalog import GROUP_NAMES

        self.menu.setTitle(tr(STRINGS["menu"], lang))
        for key, header in self.headers.items():
            header.setText(tr(GROUP_NAMES[key], lang))  # type: ignore[index]
        for name, action in self.actions.items():
            action.setText(f"{name} — {self.entries[name].describe(lang)}")
        self.act_compare.setText(tr(STRINGS["compare"], lang))
