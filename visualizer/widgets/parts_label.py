"""One line of facts that never wraps into more: "op matmul · shape 1 × 4 × 6 × 6 · axes
batch × head × src × src". As many whole parts as fit the width, then "…"; the whole
line is the tooltip when some are left out.

A header of such lines keeps its height at any width and zoom, so whatever is below
it (the heatmaps of the tensor view) stays where the reader expects it: at 200 % in
a 1366 × 768 window a wrapped line of facts took two or three lines each.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFont, QResizeEvent, QTextDocument
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

MORE = "&nbsp;…"  # after the last part shown, when some are left out


def html_width(html: str, font: QFont) -> float:
    """The width of one line of rich text ``html`` in ``font`` (px)."""
    doc = QTextDocument()
    doc.setDefaultFont(font)
    doc.setDocumentMargin(0)
    doc.setHtml(html)
    return doc.idealWidth()


class PartsLabel(QLabel):
    """A one-line rich-text label of ``lead`` (always shown: the code name) and parts
    joined by ``sep``; ``set_parts`` sets them, ``full_html`` is the whole line."""

    def __init__(self, sep: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sep = sep
        self._lead = ""
        self._parts: list[str] = []
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setWordWrap(False)
        # the width is the layout's to give, never the text's to take
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def set_parts(self, parts: list[str], lead: str = "") -> None:
        self._lead, self._parts = lead, list(parts)
        self._fit()

    def full_html(self) -> str:
        return self._html(len(self._parts))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit()

    def _html(self, k: int) -> str:
        more = MORE if k < len(self._parts) else ""
        return self._lead + self.sep.join(self._parts[:k]) + more

    def _fit(self) -> None:
        width = self.contentsRect().width() - 2  # a pixel of rounding on either side
        k = len(self._parts)
        if width > 0:  # laid out: leave parts out from the end until the line fits
            while k > 0 and html_width(self._html(k), self.font()) > width:
                k -= 1
        shown = self._html(k)
        if shown != self.text():
            self.setText(shown)
        tip = self.full_html() if k < len(self._parts) else ""
        if tip != self.toolTip():
            self.setToolTip(tip)
