"""The room's words that change with the run: the narration of the current step, the
readout under the mouse ("80 % cat, 20 % dog"), and the lab's own fields as Qt signals.

Kept apart from the room so the room stays about layout and timing; everything here
reads the lab and the trace, never computes a model number itself (the readout asks
``lab.predict``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QObject, Signal

from visualizer.rooms.playground.playground_frame import Frame
from visualizer.rooms.playground.playground_text import readout, t
from visualizer.theme import PHASE_COLORS

if TYPE_CHECKING:
    from core.basics.playground_lab import PlaygroundLab
    from core.observable import Event


class LabSignals(QObject):
    """The lab's own fields (not in SessionBridge) as Qt signals; the lab forgets them
    when this object goes, so a lab that outlives its room never calls a deleted one."""

    sigVersion = Signal(int)
    sigConfig = Signal(object)

    def __init__(self, lab: PlaygroundLab, parent: QObject | None = None) -> None:
        super().__init__(parent)
        slots: list[tuple[Event, Callable[[Any], object]]] = [
            (lab.events.version, self.sigVersion.emit),
            (lab.events.config, self.sigConfig.emit),
        ]
        for event, slot in slots:
            event.connect(slot)
        self.destroyed.connect(partial(_detach, slots))


def _detach(slots: list[tuple[Event, Callable[[Any], object]]], *_: object) -> None:
    for event, slot in slots:
        event.disconnect(slot)


def readout_html(lab: PlaygroundLab, frame: Frame | None, hover: tuple[float, float] | None) -> str:
    """The network's answer under the mouse; else for the stepped iteration's highlighted
    point (once its probabilities are computed); else how to get one."""
    lang, classes = lab.lang, list(lab.data.classes)
    if hover is not None:
        probs = lab.predict(np.array([hover]))[0]
        return readout(probs.tolist(), classes, lang)
    if frame is not None and frame.focus_probs is not None:
        return f"{t('focus', lang)}: {readout(frame.focus_probs.tolist(), classes, lang)}"
    return f"<span style='font-weight:normal'>{t('hover', lang)}</span>"


def narration_html(lab: PlaygroundLab, training: bool) -> str:
    """The current step's title, name, explanation and formula; a hint between steps."""
    from core.narration import narrate_step

    lang = lab.lang
    if not lab.trace.steps:
        return t("training" if training else "idle", lang)
    step = lab.step
    n = narrate_step(lab.trace, step, lang)
    color = PHASE_COLORS.get(step.phase, "#888")
    return (
        f"<span style='color:{color}'>■</span> <b>{n.title}</b> "
        f"<code style='color:#444'>{step.name}</code> — {n.text}<br><i>{n.formula}</i>"
    )
