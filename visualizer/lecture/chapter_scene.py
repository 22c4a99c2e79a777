"""The parts of a lecture scene that act on one thing: the docks, the cursor, a lab, the
training view, a figure, waiting for the model. ``visualizer/chapter_player.py``
sequences them; keeping them here, as plain functions of what they change, keeps the
player about order.

The dock layout is changed and given back with show/hide/raise only, never with
``QMainWindow.restoreState``: restoring a state while docks are on screen leaves
Qt's old tab bars behind, drawn over the window.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer

if TYPE_CHECKING:
    from PySide6.QtWidgets import QDockWidget, QWidget

    from core.chapters import Scene
    from core.navigator import Navigator

Layout = tuple[dict[str, bool], list[str]]  # dock -> shown, and the docks in front
FIGURES = {  # scene "figure" name -> the widget (session, bridge) shown beside the text
    "token_split": ("visualizer.lecture.token_split", "TokenSplit"),
    "sinusoids": ("visualizer.lecture.sinusoids", "SinusoidFigure"),
}


def make_figure(name: str, session: Any, bridge: Any) -> QWidget:
    module, cls = FIGURES[name]
    widget: QWidget = getattr(importlib.import_module(module), cls)(session, bridge)
    return widget


def panels(docks: Mapping[str, QDockWidget], scene: Scene) -> list[str]:
    """Show the scene's panels and hide the rest; bring ``raise`` (else the first named
    panel of each tab group) forward. Returns the names this window lacks."""
    missing: list[str] = []
    if scene.panels is not None:
        missing = [name for name in scene.panels if name not in docks]
        for name, dock in docks.items():
            dock.setVisible(name in scene.panels)
        for name in reversed(scene.panels):
            if name in docks:
                docks[name].raise_()
    if scene.raise_ and scene.raise_ in docks:
        docks[scene.raise_].raise_()
    return [f"this window has no panel {name!r}" for name in missing]


def layout_now(docks: Mapping[str, QDockWidget]) -> Layout:
    shown = {name: not dock.isHidden() for name, dock in docks.items()}
    front = [n for n, d in docks.items() if shown[n] and not d.visibleRegion().isEmpty()]
    return shown, front


def restore_layout(docks: Mapping[str, QDockWidget], layout: Layout) -> None:
    shown, front = layout
    for name, dock in docks.items():
        dock.setVisible(shown.get(name, False))
    for name in front:
        if name in docks:
            docks[name].raise_()


def step_index(nav: Navigator, spec: str | int) -> tuple[int | None, str]:
    """The step a scene names: the first whose name or key matches a glob, or an index
    (negative: from the end). (None, why) when the trace has no such step."""
    steps = nav.trace.steps
    if isinstance(spec, int):
        i = spec if spec >= 0 else len(steps) + spec
        if 0 <= i < len(steps):
            return i, ""
        return None, f"step {spec} is outside this trace (0…{len(steps) - 1})"
    found = nav.trace.find(spec)
    if not found:
        return None, f"no step matches {spec!r}"
    return found[0].index, ""


def open_model(session: Any, name: str, opened: dict[str, object], source: str | None) -> bool:
    """A scene's ``model``: open ``assets/models/NAME`` unless the session still holds
    the bundle this player loaded for it (a training run may have replaced it since).
    The scene's sentence goes with it, so the model's first run is already the right
    one. False when nothing had to be opened."""
    from core.session import MODELS

    if session.bundle is opened.get(name):
        return False
    session.open_model(MODELS / name, source)
    return True


def apply_lab(page: Any, room: str, settings: dict[str, Any]) -> None:
    """A lab scene's settings, in the order ``core.chapter_rules.LAB_RULES`` lists them:
    start over, settings, then the runs (each run replaces the lab's trace)."""
    if room == "stages":  # the room applies its own (it knows the pipeline)
        page.apply_scene(settings)
        return
    lab = page.lab
    if room == "neuron":
        if settings.get("reset") or "seed" in settings:
            lab.reset(settings.get("seed"))
        if "activation" in settings and settings["activation"] != lab.activation:
            lab.set_activation(settings["activation"])
        if "lr" in settings:
            lab.set_lr(settings["lr"])
        if "sample" in settings:
            lab.set_sample(settings["sample"])
        if "train" in settings:
            lab.fit(settings["train"])
        if settings.get("traced"):
            lab.train_step()
        return
    if settings.get("reset"):
        page.reset()
    runs = ("reset", "train", "traced", "play")
    config = {k: v for k, v in settings.items() if k not in runs}
    if "layers" in config:
        config["layers"] = tuple(config["layers"])
    if config:
        lab.configure(**config)
    if "train" in settings:
        lab.train(settings["train"])
    if settings.get("traced"):
        lab.step_traced()
    if settings.get("play"):
        page.set_training(True)


def stop_playground(pages: dict[str, Any]) -> None:
    """Continuous training in the playground belongs to the scene that started it."""
    page = pages.get("playground")
    if page is not None and page.training:
        page.set_training(False)


def start_training(view: Any, steps: int, scratch: bool, until_right: bool) -> bool:
    """Start a run in the training view's child process (not waited for); False when a
    run is already going, which is then left alone."""
    if view.proc is not None:
        return False
    view.steps.setValue(steps)
    view.scratch.setChecked(scratch)
    view.until_right.setChecked(until_right)
    view.start()
    return True


def when_idle(session: Any, then: Callable[[], None], still: Callable[[], bool]) -> None:
    """``then()`` now if the session is idle, else once its running job is applied
    (``busy`` falls just before the result is applied: hence the zero timer), and only
    if ``still()`` holds by then."""
    if not session.busy:
        then()
        return

    def on_busy(busy: bool) -> None:
        if not busy:
            session.events.busy.disconnect(on_busy)
            QTimer.singleShot(0, lambda: None if not still() else then())

    session.events.busy.connect(on_busy)
