"""Make Chinese render everywhere: register the Noto Sans CJK font that ships with
the ``noto-cjk-sans-otc`` package, and use it as a fallback after the Latin font."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

_families: list[str] = []


def install_fonts(app: QApplication, point_size: int = 10) -> list[str]:
    """Register the bundled CJK font once and make it the app's fallback; returns families."""
    if not _families:
        try:
            from noto_cjk_sans_otc import FONT_PATH

            font_id = QFontDatabase.addApplicationFont(str(FONT_PATH))
            _families.extend(QFontDatabase.applicationFontFamilies(font_id))
        except (ImportError, OSError):
            pass
    font = QFont()
    cjk = sorted(_families, key=lambda f: (" SC" not in f, "Mono" in f))  # Simplified first
    font.setFamilies(["DejaVu Sans", *cjk])
    font.setPointSize(point_size)
    app.setFont(font)
    return list(_families)
