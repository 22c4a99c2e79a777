"""Help ▸ About: the app's name and version and the versions of what it runs on.

A non-modal dialog (``show()``, never ``exec()``), so the window stays usable and a
test never waits on it. Versions come from the installed packages' metadata, so
PyTorch is not imported just to show its version.
"""

from __future__ import annotations

import html
import platform
from importlib import metadata

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from core.version import app_version
from visualizer.i18n import tr
from visualizer.theme import ui_font

STRINGS = {
    "title": {"en": "About Transformer Simulator", "zh": "关于 Transformer 模拟器"},
    "app": {"en": "Transformer Simulator", "zh": "Transformer 模拟器"},
    "tagline": {
        "en": "Watch a real Transformer translate and learn, one operation at a time.",
        "zh": "一步一个操作，看真实的 Transformer 如何翻译与学习。",
    },
    "version": {"en": "Version {v}", "zh": "版本 {v}"},
    "runs_on": {"en": "Running on", "zh": "运行环境"},
    "missing": {"en": "not installed", "zh": "未安装"},
    "close": {"en": "Close", "zh": "关闭"},
}
PACKAGES = (  # (label, distribution names to try)
    ("PyTorch", ("torch",)),
    ("NumPy", ("numpy",)),
    ("PySide6", ("PySide6-Essentials", "PySide6")),
    ("pyqtgraph", ("pyqtgraph",)),
)


def package_version(*names: str) -> str | None:
    for name in names:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return None


def versions() -> dict[str, str | None]:
    """Label → version (None when not installed): the app, Python, Qt and the libraries."""
    from PySide6 import QtCore

    out: dict[str, str | None] = {
        "transformer-sim": app_version(),  # as `transformer-sim --version`
        "Python": platform.python_version(),
    }
    for label, names in PACKAGES:
        out[label] = package_version(*names)
    out["Qt"] = QtCore.qVersion()
    return out


class AboutDialog(QDialog):
    """Shown with ``show()``; ``set_lang`` relabels it."""

    def __init__(self, lang: str = "en", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModal(False)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self.heading = QLabel()
        self.heading.setFont(ui_font(16, bold=True))
        self.body = QLabel()
        self.body.setTextFormat(Qt.TextFormat.RichText)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.hide)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(20, 18, 20, 14)
        lay.setSpacing(10)
        lay.addWidget(self.heading)
        lay.addWidget(self.body)
        lay.addWidget(self.buttons)
        self.set_lang(lang)

    def set_lang(self, lang: str) -> None:
        v = versions()
        self.setWindowTitle(tr(STRINGS["title"], lang))
        self.heading.setText(tr(STRINGS["app"], lang))
        missing = tr(STRINGS["missing"], lang)
        rows = "".join(
            f"<tr><td>{html.escape(label)}</td><td><b>{html.escape(ver or missing)}</b></td></tr>"
            for label, ver in v.items()
            if label != "transformer-sim"
        )
        version = tr(STRINGS["version"], lang).format(v=v["transformer-sim"] or "?")
        self.body.setText(
            f"<p>{html.escape(tr(STRINGS['tagline'], lang))}</p>"
            f"<p><b>{html.escape(version)}</b></p>"
            f"<p>{html.escape(tr(STRINGS['runs_on'], lang))}:</p>"
            f"<table cellspacing='4'>{rows}</table>"
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setText(
            tr(STRINGS["close"], lang)
        )
