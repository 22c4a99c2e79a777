"""What one frame of the architecture figure shows besides its geometry: ``Scene``
(texts already translated, the current box, highlights). ``diagram_scene`` fills it,
``diagram_paint`` and ``diagram_chrome`` draw it."""

from __future__ import annotations

from dataclasses import dataclass, field

from visualizer.panels.diagram.diagram_layout import Rect


@dataclass
class Scene:
    """Everything besides geometry that one frame shows (texts already translated)."""

    labels: dict[str, str]  # box id -> label
    legends: dict[str, str]  # layer id -> "Encoder layer 1/2"
    short: dict[str, str] = field(default_factory=dict)  # box id -> label in a compact row
    alt: dict[str, str] = field(default_factory=dict)  # box id -> shorter label if needed
    current: str | None = None
    phase: str = "forward"
    phase_text: str = ""
    title: str = ""
    sentence: str = ""
    sentence_next: str = ""  # "?" or the chosen token, drawn highlighted
    pills: list[str] = field(default_factory=list)
    pill_current: int | None = None
    tokens: dict[str, list[str]] = field(default_factory=dict)
    captions: dict[str, str] = field(default_factory=dict)
    memory: str = ""
    kv: str = "K,V"
    dim: set[str] = field(default_factory=set)  # boxes that never ran in this trace
    glow: Rect | None = None  # the highlight (moves during an animation)
    marked: set[str] = field(default_factory=set)  # boxes with an active intervention
    banner: str = ""  # "2 interventions on" (drawn only when some box is marked)
    lit: dict[str, str] = field(default_factory=dict)  # chosen expert box -> its label
    lit_alt: dict[str, str] = field(default_factory=dict)  # the same, abbreviated
