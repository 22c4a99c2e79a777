"""Colours and fonts shared by every view, so a phase or a head has one colour
everywhere (timeline, diagram, attention lines)."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor, QFont

PHASE_COLORS = {
    "forward": "#3b7dd8",
    "decode": "#2a9d8f",
    "loss": "#e76f51",
    "backward": "#9b5de5",
    "update": "#f4a261",
}
HEAD_COLORS = [
    "#e63946",
    "#2a9d8f",
    "#f4a261",
    "#457b9d",
    "#8338ec",
    "#06a77d",
    "#d62828",
    "#3a86ff",
]
HIGHLIGHT = "#ffb703"
TEXT = "#1d1d1f"
MUTED = "#6e6e73"
PANEL = "#ffffff"
GRID = "#d0d0d5"


def head_color(head: int) -> QColor:
    return QColor(HEAD_COLORS[head % len(HEAD_COLORS)])


def diverging_lut(n: int = 256) -> np.ndarray:
    """Blue (negative) - white (zero) - red (positive), as an (n, 4) uint8 lookup table."""
    t = np.linspace(-1.0, 1.0, n)[:, None]
    blue, white, red = (
        np.array([33, 102, 172.0]),
        np.array([247, 247, 247.0]),
        np.array([178, 24, 43.0]),
    )
    rgb = np.where(t < 0, white + (blue - white) * (-t), white + (red - white) * t)
    return np.concatenate([rgb, np.full((n, 1), 255.0)], axis=1).astype(np.uint8)


def sequential_lut(n: int = 256) -> np.ndarray:
    """White -> deep blue for probabilities and attention weights (0..1)."""
    t = np.linspace(0.0, 1.0, n)[:, None]
    lo, hi = np.array([255, 255, 255.0]), np.array([8, 48, 107.0])
    rgb = lo + (hi - lo) * t
    return np.concatenate([rgb, np.full((n, 1), 255.0)], axis=1).astype(np.uint8)


_scale = 1.0  # presentation zoom: every ui_font() is this much bigger


def get_scale() -> float:
    """The zoom factor ``ui_font`` applies (1.0 normally; larger on a projector)."""
    return _scale


def set_scale(scale: float) -> None:
    """Set the zoom for fonts made from now on (``visualizer.presentation.scale``
    also enlarges the fonts widgets already hold)."""
    global _scale
    _scale = max(0.5, min(4.0, float(scale)))


def ui_font(point_size: float = 10, bold: bool = False) -> QFont:
    """A font that has Latin, umlauts and CJK glyphs (Noto/WenQuanYi when installed),
    ``point_size`` times the presentation zoom (``get_scale``)."""
    f = QFont()
    f.setFamilies(["DejaVu Sans", "Noto Sans CJK SC", "Noto Sans CJK JP", "WenQuanYi Zen Hei"])
    f.setPointSizeF(point_size * _scale)
    f.setBold(bold)
    return f


def design_font(point_size: float = 10, bold: bool = False) -> QFont:
    """``ui_font`` at zoom 1: for a view drawn at its design size whose painter applies
    the zoom itself (``fit_scale``), so the type is not zoomed twice."""
    return ui_font(point_size / _scale, bold)


def fit_scale(*room: float) -> float:
    """A drawing's scale: the presentation zoom, less where the widget has less room
    than the design needs (each ``room`` a widget size over its design size), never
    below 1 (where the design does not fit, the view scrolls or clips as at 100 %)."""
    return max(1.0, min(_scale, *room))
