"""The breakpoints panel's add row: kind, pattern (with completion), threshold, Add.

The pattern box completes what the chosen kind matches (step names, every-layer globs
and keys; ops; phases), case-insensitively and anywhere in the text; the threshold
box is enabled for the conditional kinds and starts at a sensible value for each.
``breakpoint()`` builds the ``core.breakpoints.Breakpoint`` (a bad one raises
ValueError with a one-line reason); Add or Enter emits ``sigAdd``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDoubleSpinBox,
    QGridLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from visualizer.i18n import tr
from visualizer.panels.breakpoints.breakpoint_text import (
    DEFAULT_THRESHOLD,
    KIND_ORDER,
    KIND_TEXT,
    NEEDS_PATTERN,
    NEEDS_THRESHOLD,
    PLACEHOLDER,
    STRINGS,
    suggestions,
)

if TYPE_CHECKING:
    from core.breakpoints import Breakpoint, BreakpointKind
    from core.trace import Trace


class BreakpointAdder(QWidget):
    """``set_trace(trace)``, ``set_lang(lang)``; ``sigAdd()`` when Add or Enter is pressed."""

    sigAdd = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._trace: Trace | None = None
        self._lang = "en"
        self.kind = QComboBox()
        for k in KIND_ORDER:
            self.kind.addItem(k, k)
        self.kind.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.pattern = QLineEdit()
        self.pattern.setClearButtonEnabled(True)
        self.pattern.setMinimumWidth(120)
        self.model = QStringListModel(self)
        self.completer = QCompleter(self.model, self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer.setMaxVisibleItems(14)
        self.pattern.setCompleter(self.completer)
        self.threshold = QDoubleSpinBox()
        self.threshold.setRange(0.0, 1e12)
        self.threshold.setDecimals(4)
        self.threshold.setStepType(QDoubleSpinBox.StepType.AdaptiveDecimalStepType)
        self.threshold.setMinimumWidth(90)
        self.add = QPushButton()
        lay = QGridLayout(self)  # two short rows: it fits a narrow dock
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        lay.addWidget(self.kind, 0, 0)
        lay.addWidget(self.pattern, 0, 1, 1, 2)
        lay.addWidget(self.threshold, 1, 0)
        lay.addWidget(self.add, 1, 1)
        lay.setColumnStretch(2, 1)
        self.kind.currentIndexChanged.connect(lambda _: self._on_kind())
        self.add.clicked.connect(self.sigAdd.emit)
        self.pattern.returnPressed.connect(self._on_return)
        self._on_kind()

    def current_kind(self) -> str:
        return str(self.kind.currentData())

    def set_kind(self, kind: str) -> None:
        self.kind.setCurrentIndex(KIND_ORDER.index(kind))

    def set_trace(self, trace: Trace) -> None:
        self._trace = trace
        self._fill()

    def breakpoint(self) -> Breakpoint:
        """The breakpoint the row describes; ValueError when it is not a valid one."""
        from core.breakpoints import Breakpoint

        kind = self.current_kind()
        pattern = self.pattern.text().strip() if kind in NEEDS_PATTERN else ""
        if kind == "phase":
            pattern = pattern.lower()
        threshold = float(self.threshold.value()) if kind in NEEDS_THRESHOLD else 0.0
        # an unknown kind is Breakpoint's ValueError, like any other bad field
        return Breakpoint(cast("BreakpointKind", kind), pattern, threshold)

    def _on_return(self) -> None:
        popup = self.completer.popup()
        assert popup is not None  # QCompleter makes its default list view on demand
        if popup.isVisible() and popup.currentIndex().isValid():
            return  # this Enter picks a completion; the next one adds
        self.sigAdd.emit()

    def _on_kind(self) -> None:
        kind = self.current_kind()
        self.pattern.setEnabled(kind in NEEDS_PATTERN)
        self.threshold.setEnabled(kind in NEEDS_THRESHOLD)
        if kind in DEFAULT_THRESHOLD:
            self.threshold.setValue(DEFAULT_THRESHOLD[kind])
        if kind not in NEEDS_PATTERN:
            self.pattern.clear()
        self._fill()
        self.set_lang(self._lang)

    def _fill(self) -> None:
        trace = self._trace
        self.model.setStringList(suggestions(trace, self.current_kind()) if trace else [])

    def set_lang(self, lang: str) -> None:
        self._lang = lang
        for i, k in enumerate(KIND_ORDER):
            self.kind.setItemText(i, tr(KIND_TEXT[k], lang))
        kind = self.current_kind()
        key = kind if kind in NEEDS_PATTERN else "none"
        self.pattern.setPlaceholderText(tr(PLACEHOLDER[key], lang))
        self.kind.setToolTip(tr(STRINGS["kind_tip"], lang))
        self.pattern.setToolTip(tr(STRINGS["pattern_tip"], lang))
        self.threshold.setToolTip(tr(STRINGS["threshold_tip"], lang))
        self.add.setText(tr(STRINGS["add"], lang))
        self.add.setToolTip(tr(STRINGS["add_tip"], lang))
