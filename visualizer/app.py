"""Start the window fast: paint the layout first, load PyTorch and the model behind it.

Importing PyTorch takes seconds. The window (with a loading state) is shown before
that, and a worker thread imports the engine, loads the built-in model and traces
the first sentence; the GUI thread then attaches the views. A failure while loading
is shown in the window, not as a crash.
"""

from __future__ import annotations

import gc
import os
import sys
import time
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QThread, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication, QMessageBox

if TYPE_CHECKING:
    from core.session import Session
    from visualizer.assemble import SimulatorWindow
    from visualizer.bridge import SessionBridge

# Launch time: the process start when a benchmark passes it (TSIM_T0, wall clock).
LAUNCHED = float(os.environ.get("TSIM_T0") or time.time())
TIMINGS: dict[str, float] = {}  # seconds from launch: painted, interactive
INTERNAL_ERROR = {
    "en": "Internal error: {kind}: {error} (the session is kept)",
    "zh": "内部错误：{kind}：{error}（会话已保留）",
}


class _Loader(QObject):
    """Runs in a worker thread: import the engine and open the built-in session."""

    sigLoaded = Signal(object)
    sigFailed = Signal(str)

    def __init__(self, pair: str) -> None:
        super().__init__()
        self.pair = pair

    def run(self) -> None:
        try:
            from core.session import Session

            self.sigLoaded.emit(Session.open_builtin(self.pair))
        except Exception as e:  # shown in the window; the app must not die while loading
            self.sigFailed.emit(f"{type(e).__name__}: {e}")


class _FirstPaint(QObject):
    """Notes when the loading screen is first painted (the window is on screen)."""

    def __init__(self, widget: QObject) -> None:
        super().__init__(widget)
        widget.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and "painted" not in TIMINGS:
            TIMINGS["painted"] = time.time() - LAUNCHED
            # Once the window is on screen: pyqtgraph loads here while PyTorch loads there.
            QTimer.singleShot(0, _import_views)
        return False


class _Starter(QObject):
    """Lives on the GUI thread, so the loader's signals reach it queued, safely."""

    def __init__(
        self,
        app: QCoreApplication,
        window: SimulatorWindow,
        quit_after: float,
        open_file: str | None = None,
    ) -> None:
        super().__init__()
        self.app, self.window, self.quit_after = app, window, quit_after
        self.open_file = open_file
        self.bridge: SessionBridge | None = None

    @Slot(object)
    def on_loaded(self, session: Session) -> None:
        from visualizer.bridge import SessionBridge

        self.bridge = SessionBridge(session, self.window, threaded=True)
        self.window.attach(session, self.bridge)
        if self.open_file:
            self.window.files.open_path(self.open_file)
        TIMINGS["interactive"] = time.time() - LAUNCHED
        collect_again()
        if os.environ.get("TSIM_TIMINGS"):
            print(
                f"painted={TIMINGS.get('painted', 0):.3f} interactive={TIMINGS['interactive']:.3f}"
                f" collector={'gui-thread' if gui_collector() else int(gc.isenabled())}"
                f" frozen={gc.get_freeze_count()}",
                file=sys.stderr,
            )
        if self.quit_after:
            QTimer.singleShot(int(self.quit_after * 1000), self.app.quit)

    @Slot(str)
    def on_failed(self, message: str) -> None:
        collect_again()
        self.window.statusBar().showMessage(message)
        QMessageBox.critical(self.window, "Transformer Simulator", message)


def pause_collector() -> bool:
    """Switch the cyclic garbage collector off for the start-up; say if it was on.

    Start-up makes hundreds of thousands of long-lived objects (PyTorch's and Qt's
    modules, the views' widgets) and no garbage worth a pass, yet the collector kept
    walking them: interactive at 1.26 s → 1.02 s, 1.39× → 1.15× the bare
    ``import torch, PySide6.QtWidgets`` (bench/gui.py ``cold_start``, median of 7)."""
    was_on = gc.isenabled()
    gc.disable()
    return was_on


def collect_again() -> None:
    """After start-up: keep what start-up made out of every later pass (``gc.freeze``:
    they live as long as the window), then collect on the GUI thread only.

    With the collector switched on, a collection runs in whichever thread allocates past
    its threshold: the training, stage and model-run workers allocate the most, and a
    pass there frees cycles holding widgets, from the wrong thread ("pure virtual
    method called", a test worker aborted twice so). pyqtgraph's ``GarbageCollector``
    keeps it off and collects on a GUI-thread timer, at the same thresholds."""
    global _collector
    gc.freeze()
    if _collector is None:
        from pyqtgraph.util.garbage_collector import GarbageCollector

        _collector = GarbageCollector(interval=1.0)


_collector: Any = None  # the GUI thread's collector, once the window is interactive


def gui_collector() -> Any:
    """The GUI thread's collector (``check()`` runs a pass due), or None before it runs."""
    return _collector


def stop_collecting() -> None:
    """The window is gone: no more GUI-thread passes (the caller restores the collector)."""
    global _collector
    if _collector is not None:
        _collector.timer.stop()
        _collector = None


def _import_views() -> None:
    """Import the view modules (and pyqtgraph) on the GUI thread, overlapping the
    worker's PyTorch import, so attaching the views later only builds widgets."""
    import importlib

    from visualizer.panels import VIEWS

    for module, _cls in VIEWS.values():
        importlib.import_module(module)


def _report_errors_in(window: SimulatorWindow) -> None:
    """An unexpected exception in a slot is shown in the window (and on stderr), and the
    app keeps running: a bug in one view must not lose the user's session."""
    import traceback

    def hook(kind: type[BaseException], error: BaseException, tb: Any) -> None:
        traceback.print_exception(kind, error, tb)
        from visualizer.i18n import tr

        lang = window.session.lang if window.attached else "en"  # also while loading
        said = tr(INTERNAL_ERROR, lang).format(kind=kind.__name__, error=error)
        window.statusBar().showMessage(said, 15_000)

    sys.excepthook = hook


def _set_icon() -> None:
    """The window icon, and the desktop entry it belongs to (`transformer-sim install-desktop`)."""
    from PySide6.QtGui import QIcon

    from core import assets

    QApplication.setWindowIcon(QIcon(str(assets.path("icons", "transformer-sim.png"))))
    QApplication.setDesktopFileName("transformer-sim")  # Wayland: the window of that menu entry


def has_display() -> bool:
    if os.environ.get("QT_QPA_PLATFORM") or sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def main(argv: list[str] | None = None, pair: str = "en-de", open_file: str | None = None) -> int:
    """Open the simulator window. Benchmarks set TSIM_TIMINGS=1 to print the start-up
    timings and TSIM_QUIT_AFTER=SECONDS to quit that long after it became interactive."""
    quit_after = float(os.environ.get("TSIM_QUIT_AFTER") or 0)
    if not has_display():
        print(
            "transformer-sim: error: no display found (set DISPLAY, or run "
            "`transformer-sim demo` for the text demo)",
            file=sys.stderr,
        )
        return 2
    collector_was_on = pause_collector()
    try:
        return _run(argv, open_file, quit_after, pair)
    finally:
        stop_collecting()
        if collector_was_on:
            gc.enable()  # as it was before the window


def _run(argv: list[str] | None, open_file: str | None, quit_after: float, pair: str) -> int:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv or sys.argv[:1])
    app.setApplicationName("Transformer Simulator")
    _set_icon()
    from visualizer.assemble import build_window
    from visualizer.fonts import install_fonts

    install_fonts(app)
    window = build_window()
    window.show()
    _report_errors_in(window)
    _FirstPaint(window.loading)  # parented to the label: lives as long as it

    starter = _Starter(app, window, quit_after, open_file)
    thread = QThread()
    loader = _Loader(pair)
    loader.moveToThread(thread)
    thread.started.connect(loader.run)
    loader.sigLoaded.connect(starter.on_loaded)  # queued: starter lives on the GUI thread
    loader.sigFailed.connect(starter.on_failed)
    loader.sigLoaded.connect(thread.quit)
    loader.sigFailed.connect(thread.quit)
    thread.start()
    code = app.exec()
    thread.wait(5000)
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
