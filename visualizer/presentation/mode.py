"""Presentation mode: the window full screen, a chosen set of panels, everything bigger.

``install(window)`` (after ``MainWindow.attach``) adds the actions to the View and
Help menus and returns the ``Presentation``; F5 enters and leaves, Esc leaves.
While presenting: only the docks named in ``panels`` that apply to the open model's
shape (``visualizer.panels.shapes``: no Router for a dense model, no Decoding for a
classifier) and the central area are shown; when a chapter opens a model of another
shape the chosen docks are shown or hidden anew by that model's shape. Fonts and
lines are zoomed (``zoom``, Ctrl+= / Ctrl+- / Ctrl+0), the clicker keys step
(PageDown / PageUp), B blanks the screen, D / H draw or highlight on the view
(``visualizer.presentation.annotations``; gone on the next step) and C clears. Leaving
puts back the geometry, the dock layout (by show / hide / raise, never restoreState:
``visualizer.shell.dock_layout``; a chapter's scene then shows its own panels), the menus
and the zoom. Zoom, panels and theme are remembered (QSettings). Themes:
``visualizer.presentation.themes``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QSettings, Qt, QTimer
from PySide6.QtGui import QAction

from visualizer import theme
from visualizer.panels.shapes import SHAPES, applies
from visualizer.presentation.annotations import Annotations, Blank
from visualizer.presentation.keys import PresenterKeys
from visualizer.presentation.layout import menu_actions, read_float, restore_geometry, size_docks
from visualizer.presentation.scale import apply_scale, scale_tree

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from visualizer.shell.context import WindowContext

DEFAULT_PANELS = frozenset({"diagram", "attention", "narration", "timeline"})
ZOOMS = (1.0, 1.25, 1.5, 1.75, 2.0, 2.25, 2.5, 3.0)
DEFAULT_ZOOM = 1.5
SETTINGS = ("transformer-sim", "transformer-sim")


class Presentation(QObject):
    """``enter()`` / ``leave()`` / ``toggle()``; ``panels`` (dock names) and ``zoom``."""

    def __init__(self, ctx: WindowContext) -> None:
        super().__init__(ctx.qwindow)
        self.ctx = ctx
        self.window = window = ctx.qwindow
        settings = QSettings(*SETTINGS)
        saved = settings.value("presentation/panels")
        names = set(ctx.docks)
        chosen = set(saved.split(",")) & names if isinstance(saved, str) and saved else set()
        self.panels: set[str] = chosen or set(DEFAULT_PANELS)
        self.zoom = read_float(settings.value("presentation/zoom"), DEFAULT_ZOOM)
        self.active = False
        self._saved: dict[str, Any] = {}
        self._borrowed: list[QAction] = []
        self.annotations = Annotations(window)
        self.blank = Blank(window)
        self.keys = PresenterKeys(ctx, self.blank, self.annotations, self.leave, parent=self)
        self.action: QAction | None = None  # View ▸ Presentation mode (checked while on)
        self._shape: tuple[bool, ...] | None = None  # the model shape the panels were shown for
        # after the window's own shape rule (connected earlier), which may show a dock; the
        # Transformer room coming back shows the panels anew (``menu.PresentationActions``)
        ctx.bridge.sigTrace.connect(self._on_trace)

    # -- enter / leave ---------------------------------------------------------------
    def toggle(self) -> None:
        self.leave() if self.active else self.enter()

    def enter(self) -> None:
        if self.active:
            return
        w = self.window
        self._saved = {
            "geometry": w.saveGeometry(),
            # the Transformer room's docks (as a lab in front will give them back), not
            # a saveState: see ``visualizer.shell.dock_layout``
            "docks": self.ctx.rooms.dock_layout(),
            "maximized": w.isMaximized(),
            "fullscreen": w.isFullScreen(),
            "menu": w.menuBar().isVisible(),
            "status": w.statusBar().isVisible(),
            "scale": theme.get_scale(),
        }
        self.active = True
        self.show_panels()
        self._borrowed = [a for a in menu_actions(w) if a not in w.actions()]
        w.addActions(self._borrowed)  # a hidden menu bar's keys work only on the window
        w.menuBar().hide()
        w.statusBar().hide()
        w.showFullScreen()
        self.keys.set_enabled(True)
        self._zoom_to(self.zoom)
        # the chosen panels again, after the zoom's relabelling and re-layout: one
        # clean-clone run found the decoding dock shown beside the chosen four on
        # entering (not reproduced; the cause was not found)
        self.show_panels()
        self.size_docks()
        QTimer.singleShot(0, self.size_docks)  # again once the full screen is laid out
        w.setFocus(Qt.FocusReason.OtherFocusReason)  # the letter keys must not go to a text box
        self._sync_action()

    def leave(self) -> None:
        if not self.active:
            return
        w, saved = self.window, self._saved
        self.active = False
        self.keys.set_enabled(False)
        self.blank.hide()
        self.annotations.set_mode(None)
        self.annotations.clear()
        for action in self._borrowed:
            w.removeAction(action)
        w.menuBar().setVisible(saved["menu"])  # shown first: it re-measures on the zoom
        w.statusBar().setVisible(saved["status"])
        self._zoom_to(saved["scale"])
        if not saved["fullscreen"]:
            w.showMaximized() if saved["maximized"] else w.showNormal()
        self._restore_layout()
        QTimer.singleShot(0, self._restore_layout)  # again once the docks shown again shrank
        self._sync_action()

    def _restore_layout(self) -> None:
        """The size and the dock layout from before presenting, for the docks that apply
        to the model open now (a chapter may have opened one of another shape); a
        chapter's scene then shows its own panels again (``on_docks_given_back``)."""
        w, saved = self.window, self._saved
        if self.active or "docks" not in saved:
            return
        if not saved["fullscreen"]:
            restore_geometry(w, saved["geometry"])
        rooms, layout = self.ctx.rooms, saved["docks"]
        if rooms.current != "transformer":  # a lab room keeps the docks hidden
            rooms.keep_dock_layout(layout)  # what it puts back on return
            return
        rooms.give_back_docks(layout, {name: self.applies(name) for name in self.ctx.docks})

    def show_panels(self) -> None:
        """Show exactly the chosen docks that apply to the open model (in the Transformer
        room; a lab shows none)."""
        if self.ctx.rooms.current != "transformer":
            return
        self._shape = self._model_shape()
        for name, dock in self.ctx.docks.items():
            dock.setVisible(name in self.panels and self.applies(name))

    def applies(self, name: str) -> bool:
        """Whether the dock ``name`` has something to show for the open model."""
        return applies(name, self.ctx.session.bundle.cfg)

    def _model_shape(self) -> tuple[bool, ...]:
        return tuple(self.applies(name) for name in SHAPES)

    def _on_trace(self, _arg: object = None) -> None:
        """A model of another shape opened while presenting (a chapter's scene): the chosen
        docks it has no use for go, those it has come back. The same shape keeps the docks
        as they are (a dock the presenter closed by hand stays closed)."""
        if self.active and self._model_shape() != self._shape:
            self.show_panels()
            self.size_docks()

    def size_docks(self) -> None:
        """Give the shown docks a projector-friendly share of the screen."""
        if self.active:
            size_docks(self.window, self.ctx.docks)

    def set_panels(self, panels: set[str] | frozenset[str]) -> None:
        self.panels = set(panels) & set(self.ctx.docks)
        QSettings(*SETTINGS).setValue("presentation/panels", ",".join(sorted(self.panels)))
        if self.active:
            self.show_panels()
            self.size_docks()

    # -- zoom ------------------------------------------------------------------------
    def set_zoom(self, zoom: float) -> None:
        """Zoom fonts and lines; while presenting this is also the presentation's zoom."""
        zoom = max(ZOOMS[0], min(ZOOMS[-1], zoom))
        if self.active:
            self.zoom = zoom
            QSettings(*SETTINGS).setValue("presentation/zoom", zoom)
        self._zoom_to(zoom)

    def choose_zoom(self, zoom: float) -> None:
        """The zoom to present at (applied now when presenting)."""
        self.zoom = max(ZOOMS[0], min(ZOOMS[-1], zoom))
        QSettings(*SETTINGS).setValue("presentation/zoom", self.zoom)
        if self.active:
            self._zoom_to(self.zoom)

    def zoom_in(self) -> None:
        self.set_zoom(next((z for z in ZOOMS if z > theme.get_scale() + 1e-6), ZOOMS[-1]))

    def zoom_out(self) -> None:
        lower = [z for z in ZOOMS if z < theme.get_scale() - 1e-6]
        self.set_zoom(lower[-1] if lower else ZOOMS[0])

    def zoom_reset(self) -> None:
        self.set_zoom(1.0)

    def view_built(self, _name: str, view: QWidget) -> None:
        """A panel or a room's page built on first use, while zoomed, takes the zoom: it
        was built as at zoom 1, as the rest of the window was before the zoom
        (``shell/lazy_views``, ``shell/room_switch``)."""
        zoom = theme.get_scale()
        if abs(zoom - 1.0) > 1e-6:
            scale_tree(view, 1.0, zoom)
            self.ctx.bridge.sigZoom.emit(zoom)  # the views relabel, measuring anew

    def _zoom_to(self, zoom: float) -> None:
        if abs(zoom - theme.get_scale()) < 1e-6:
            return
        apply_scale(self.window, zoom)
        self.ctx.bridge.sigZoom.emit(zoom)  # every view relabels, measuring anew

    def _sync_action(self) -> None:
        action = self.action
        if action is not None and action.isChecked() != self.active:
            action.blockSignals(True)
            action.setChecked(self.active)
            action.blockSignals(False)
