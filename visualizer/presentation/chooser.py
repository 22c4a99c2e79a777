"""A small non-modal panel: which panels to present, the zoom and the theme.

Changes apply at once (also while presenting) and are remembered by the
``Presentation`` and ``visualizer.presentation.themes``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from visualizer import theme
from visualizer.i18n import tr
from visualizer.presentation import themes
from visualizer.presentation.text import STRINGS

if TYPE_CHECKING:
    from visualizer.presentation.mode import Presentation


class PresentationSettings(QDialog):
    def __init__(self, presentation: Presentation, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from visualizer.presentation.mode import ZOOMS

        self.setModal(False)
        self.setMinimumWidth(340)
        self.presentation = presentation
        ctx = presentation.ctx
        self.group = QGroupBox()
        box = QVBoxLayout(self.group)
        self.checks: dict[str, QCheckBox] = {}
        for name in ctx.docks:
            check = QCheckBox()
            check.setChecked(name in presentation.panels)
            check.toggled.connect(self._panels_changed)
            box.addWidget(check)
            self.checks[name] = check
        self.note = QLabel()
        self.note.setWordWrap(True)
        box.addWidget(self.note)
        self.zoom = QComboBox()
        for z in ZOOMS:
            self.zoom.addItem(f"{round(z * 100)} %", z)
        self.zoom.setCurrentIndex(_nearest(ZOOMS, presentation.zoom))
        self.zoom.currentIndexChanged.connect(self._zoom_changed)
        self.theme = QComboBox()
        for name in themes.NAMES:
            self.theme.addItem("", name)
        self.theme.setCurrentIndex(list(themes.NAMES).index(themes.current_theme()))
        self.theme.currentIndexChanged.connect(self._theme_changed)
        form = QFormLayout()
        self.zoom_label, self.theme_label = QLabel(), QLabel()
        form.addRow(self.zoom_label, self.zoom)
        form.addRow(self.theme_label, self.theme)
        self.start = QPushButton()
        self.start.clicked.connect(presentation.enter)
        self.close_button = QPushButton()
        self.close_button.clicked.connect(self.hide)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.start)
        buttons.addWidget(self.close_button)
        lay = QVBoxLayout(self)
        lay.addWidget(self.group)
        lay.addLayout(form)
        lay.addLayout(buttons)
        self.set_lang(ctx.session.lang)

    def set_lang(self, lang: str) -> None:
        self.setWindowTitle(tr(STRINGS["settings_title"], lang))
        self.group.setTitle(tr(STRINGS["panels"], lang))
        self._label_checks(lang)
        self.note.setText(tr(STRINGS["central"], lang))
        self.zoom_label.setText(tr(STRINGS["zoom"], lang))
        self.theme_label.setText(tr(STRINGS["theme"], lang))
        for i, name in enumerate(themes.NAMES):
            self.theme.setItemText(i, tr(themes.NAMES[name], lang))
        self.start.setText(tr(STRINGS["start"], lang))
        self.close_button.setText(tr(STRINGS["close"], lang))

    def _label_checks(self, lang: str) -> None:
        """Each panel's title; one the open model has no use for says so (it stays
        chosen, and is shown when a model it applies to opens)."""
        p = self.presentation
        for name, check in self.checks.items():
            title = p.ctx.docks[name].windowTitle()
            here = p.applies(name)
            check.setText(title if here else tr(STRINGS["not_here"], lang).format(name=title))

    def _panels_changed(self) -> None:
        self.presentation.set_panels({n for n, c in self.checks.items() if c.isChecked()})

    def _zoom_changed(self, i: int) -> None:
        self.presentation.choose_zoom(float(self.zoom.itemData(i)))

    def _theme_changed(self, i: int) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            themes.apply_theme(app, str(self.theme.itemData(i)))

    def sync(self) -> None:
        """Show the current choices (after a key changed the zoom or the theme)."""
        from visualizer.presentation.mode import ZOOMS

        for w in (self.zoom, self.theme):
            w.blockSignals(True)
        zoom = theme.get_scale() if self.presentation.active else self.presentation.zoom
        self.zoom.setCurrentIndex(_nearest(ZOOMS, zoom))
        self.theme.setCurrentIndex(list(themes.NAMES).index(themes.current_theme()))
        for w in (self.zoom, self.theme):
            w.blockSignals(False)
        self._label_checks(self.presentation.ctx.session.lang)


def _nearest(values: tuple[float, ...], x: float) -> int:
    return min(range(len(values)), key=lambda i: abs(values[i] - x))
