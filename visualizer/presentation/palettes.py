"""The colours of the dark and high-contrast themes (``presentation.themes`` applies them;
"light" is the style's own palette)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QPalette


@dataclass(frozen=True)
class Theme:
    name: str
    window: str
    text: str
    base: str
    alt: str
    button: str
    highlight: str
    highlighted_text: str
    link: str
    muted: str  # placeholder and disabled text
    frame: str  # Fusion's frame and line colours
    plot_bg: str
    plot_fg: str
    plot_grid: str


THEMES: dict[str, Theme] = {
    "dark": Theme(
        "dark",
        window="#1e1f22",
        text="#e8e8ea",
        base="#2f3237",
        alt="#2e3136",
        button="#2e3136",
        highlight="#3b7dd8",
        highlighted_text="#ffffff",
        link="#7ab8ff",
        muted="#9a9aa2",
        frame="#4a4d55",
        plot_bg="#202226",
        plot_fg="#e8e8ea",
        plot_grid="#55585f",
    ),
    "contrast": Theme(
        "contrast",
        window="#000000",
        text="#ffffff",
        base="#333333",  # a box (check box, text field) must show on black
        alt="#1a1a1a",
        button="#000000",
        highlight="#ffd400",
        highlighted_text="#000000",
        link="#00e5ff",
        muted="#d0d0d0",
        frame="#ffffff",
        plot_bg="#000000",
        plot_fg="#ffffff",
        plot_grid="#ffffff",
    ),
}


def theme_palette(t: Theme) -> QPalette:
    """A full palette (every role, and disabled text) from a theme's colours."""
    p = QPalette()
    R, G = QPalette.ColorRole, QPalette.ColorGroup
    roles = {
        R.Window: t.window,
        R.WindowText: t.text,
        R.Base: t.base,
        R.AlternateBase: t.alt,
        R.ToolTipBase: t.alt,
        R.ToolTipText: t.text,
        R.PlaceholderText: t.muted,
        R.Text: t.text,
        R.Button: t.button,
        R.ButtonText: t.text,
        R.BrightText: "#ff5555",
        R.Highlight: t.highlight,
        R.HighlightedText: t.highlighted_text,
        R.Link: t.link,
        R.LinkVisited: t.link,
        R.Light: t.frame,
        R.Midlight: t.frame,
        R.Mid: t.frame,
        R.Dark: t.window,
        R.Shadow: "#000000",
    }
    for role, colour in roles.items():
        p.setColor(role, QColor(colour))
    for role in (R.WindowText, R.Text, R.ButtonText):
        p.setColor(G.Disabled, role, QColor(t.muted))
    return p
