"""Zoom bookkeeping: each size is scaled from its base (its size at zoom 1),
remembered per object, so zooming in and out never drifts; a size that is not the
one written here was changed by its owner and is taken as made at the old zoom."""

from __future__ import annotations

import weakref
from typing import Any

from PySide6.QtGui import QFont, QFontMetrics, QFontMetricsF

SIZE_RESOLVED = 0x2  # QFont::SizeResolved (not exposed by PySide6)
_bases: weakref.WeakKeyDictionary[Any, dict[str, tuple[float, float]]] = weakref.WeakKeyDictionary()


def scaled(
    obj: Any, key: str, current: float, old: float, new: float, integer: bool = False
) -> float:
    """The size ``key`` of ``obj`` should have at zoom ``new``; ``current`` is what it has.
    ``integer``: a whole number of pixels (remembered as set, so rounding never drifts)."""
    value = current / old * new
    try:
        book = _bases.setdefault(obj, {})
    except TypeError:  # not weak-referenceable: treat as made at the old zoom
        return float(round(value)) if integer else value
    base, written = book.get(key, (0.0, -1.0))
    if abs(current - written) > 1e-6:  # first sight, or the owner changed it since
        base = current / old
    value = base * new
    if integer:
        value = float(max(1, round(value)))
    book[key] = (base, value)
    return value


def font_size(obj: Any, key: str, font: QFont, old: float, new: float) -> QFont | None:
    """A copy of ``font`` at the zoom ``new`` (None: leave it, e.g. an inherited size)."""
    if not font.resolveMask() & SIZE_RESOLVED:
        return None
    f = QFont(font)
    if font.pointSizeF() > 0:
        f.setPointSizeF(scaled(obj, key, font.pointSizeF(), old, new))
    elif font.pixelSize() > 0:
        f.setPixelSize(int(scaled(obj, key, font.pixelSize(), old, new, integer=True)))
    else:
        return None
    return f


def scale_attributes(obj: Any, old: float, new: float) -> None:
    """Fonts kept in attributes (``self._font``, ``self.fonts``) and metrics made from them."""
    attrs = getattr(obj, "__dict__", None)
    if not attrs:
        return
    fonts: list[QFont] = []
    for name, value in list(attrs.items()):
        if isinstance(value, QFont):
            f = font_size(obj, name, value, old, new) or value
            setattr(obj, name, f)
            fonts.append(f)
        elif isinstance(value, list) and value and all(_font_pair(x) for x in value):
            pairs = []
            for i, (font, metrics) in enumerate(value):
                f = font_size(obj, f"{name}[{i}]", font, old, new) or font
                pairs.append((f, type(metrics)(f)))
            setattr(obj, name, pairs)
    if len(fonts) == 1:  # metrics beside one font were made from it
        for name, value in list(attrs.items()):
            if isinstance(value, (QFontMetrics, QFontMetricsF)):
                setattr(obj, name, type(value)(fonts[0]))
    if hasattr(obj, "update") and fonts:
        obj.update()


def _font_pair(x: object) -> bool:
    return (
        isinstance(x, tuple)
        and len(x) == 2
        and isinstance(x[0], QFont)
        and isinstance(x[1], (QFontMetrics, QFontMetricsF))
    )
