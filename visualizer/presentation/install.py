"""``install``: presentation mode, zoom, themes, About and the first-run tip, put on
a window by the composition root (``visualizer.assemble``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication

from visualizer.presentation import themes
from visualizer.presentation.menu import PresentationActions
from visualizer.presentation.mode import Presentation
from visualizer.presentation.text import KEYS

if TYPE_CHECKING:
    from visualizer.shell.context import WindowContext


def install(ctx: WindowContext) -> tuple[Presentation, PresentationActions]:
    """Presentation mode, zoom, themes, About and the first-run tip on an attached
    window; adds entries to its View and Help menus."""
    from visualizer.presentation.menu import PresentationActions

    presentation = Presentation(ctx)
    actions = PresentationActions(ctx, presentation)
    ctx.on_view_built(presentation.view_built)
    ctx.on_close(presentation.leave)  # never save the full-screen, panels-hidden layout
    ctx.add_shortcut_rows([row for row in KEYS if row[0] not in ("PageDown", "PageUp")])
    app = QApplication.instance()
    if isinstance(app, QApplication) and ctx.persist:
        saved = themes.saved_theme()
        if saved != themes.current_theme():
            themes.apply_theme(app, saved, remember=False)
    return presentation, actions
