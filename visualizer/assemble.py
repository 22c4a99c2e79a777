"""The composition root: the one place that knows every feature of the window.

``SimulatorWindow`` is the shell's ``MainWindow`` (views, docks, rooms, View and Help
menus) with the features installed on it once a session is attached, in this order:
the File menu's sessions and autosave, export, the Debug menu, chapters, presentation
mode (zoom, themes, About, first-run tip). Each feature receives the window typed as
``visualizer.shell.context.WindowContext`` and adds itself through its hooks; none of
them imports the window. Entry points (``app``, ``shot``, ``cli``) build windows here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from visualizer.shell.main_window import MainWindow

if TYPE_CHECKING:
    from core.session import Session
    from visualizer.bridge import SessionBridge
    from visualizer.debugger.debug_menu import DebugMenu
    from visualizer.export.export_menu import ExportActions
    from visualizer.files.files_menu import FileActions
    from visualizer.lecture.chapters_menu import ChapterMenu
    from visualizer.models.models_menu import ModelsMenu
    from visualizer.presentation.menu import PresentationActions
    from visualizer.presentation.mode import Presentation


class SimulatorWindow(MainWindow):
    """The whole window: the shell plus every feature (``files``, ``export``, ``debug``,
    ``chapters``, ``presentation``), each reachable for tests and scripts."""

    files: FileActions
    export: ExportActions
    debug: DebugMenu
    chapters: ChapterMenu
    models: ModelsMenu
    presentation: Presentation
    presentation_actions: PresentationActions

    def attach(self, session: Session, bridge: SessionBridge) -> None:
        """Build the views (the shell), then install the features on them."""
        super().attach(session, bridge)
        # Imported here: a feature's modules load once the model is there, not at start.
        from visualizer.debugger.debug_menu import DebugMenu
        from visualizer.export.export_menu import ExportActions
        from visualizer.files.files_menu import FileActions
        from visualizer.lecture.chapters_menu import ChapterMenu
        from visualizer.models.models_menu import ModelsMenu
        from visualizer.presentation.install import install

        self.files = FileActions(self)
        self.files.fill_menu(self.menu_file)
        self.menu_file.addSeparator()
        self.export = ExportActions(self)
        self.menu_file.addMenu(self.export.menu)
        self.menu_file.addSeparator()
        self.menu_file.addAction(self.act_quit)
        self.on_close(self._shut_training)  # the child process saves its run first
        self.models = ModelsMenu(self)  # the shipped models by shape, and compare
        self.debug = DebugMenu(self)
        self.chapters = ChapterMenu(self)
        self.presentation, self.presentation_actions = install(self)
        if self.persist:
            self.files.start_recovery()

    def _shut_training(self) -> None:
        """A Training panel that was ever opened stops its run (saving it) on close."""
        from visualizer.panels.training.training_view import TrainingView

        if self._views.is_built("training"):
            training = self.views["training"]
            if isinstance(training, TrainingView):
                training.shutdown()


def build_window(
    session: Session | None = None, bridge: SessionBridge | None = None, persist: bool = True
) -> SimulatorWindow:
    """A window with every feature; without a session it shows the loading state until
    ``attach``. ``persist``: settings, autosave and first-run tip (off for renders)."""
    return SimulatorWindow(session, bridge, persist)
