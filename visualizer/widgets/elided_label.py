"""A heading that never pushes its neighbours away: it shows as much of its text as
fits in at most ``max_lines`` lines, ending in "…" with the whole text as its tooltip.
A text made of parts ("Encoder layer 1 · self-attention · scores Q·Kᵀ") is first
shortened in its middle, whole parts at a time ("Encoder layer 1 · … · scores Q·Kᵀ"),
then at its start ("… · scores Q·Kᵀ"): its last part names the thing, its first says
where; only then is the shortest form cut at its end.

A person's title of a step ("Decoder layer 2 · masked self-attention · heads
concatenated") is longer than a code name and grows with the presentation zoom; a
wrapped label would take as many lines as it needs and push the heatmaps below it
out of view, a one-line label would widen the whole panel. This one takes the width
it is given and fits its text to it again on every resize and font change (the zoom).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFont, QFontMetrics, QResizeEvent, QTextDocument, QTextOption
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

ELLIPSIS = "…"
TRAILING = " ·,，、…"  # never end a cut text on a separator: "attention ·…", "· … ·…"
WORD_BACKUP = 16  # characters: how far back a cut goes to end at a word's beginning


def middle_cuts(text: str, sep: str) -> list[str]:
    """Shorter forms of ``text`` made of parts joined by ``sep``, best first: the parts
    after the first left out one at a time, "…" in their place ("A · B · C · D" ->
    "A · … · C · D", "A · … · D"), then the first part too ("… · C · D", "… · D"): the
    last parts name the thing itself. None for a text of one part."""
    parts = text.split(sep)
    keep_first = [sep.join([parts[0], ELLIPSIS, *parts[k:]]) for k in range(2, len(parts))]
    keep_last = [sep.join([ELLIPSIS, *parts[k:]]) for k in range(2, len(parts))]
    if len(parts) == 2:
        keep_last = [sep.join([ELLIPSIS, parts[1]])]
    return keep_first + keep_last


def lines_needed(text: str, font: QFont, width: int) -> int:
    """How many lines ``text`` wraps to in ``width`` px, as a word-wrapped label lays
    it out (between words; CJK between any two characters); a word wider than
    ``width`` counts as one line too many (the label would cut it)."""
    doc = QTextDocument()
    doc.setDefaultFont(font)
    doc.setDocumentMargin(0)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WordWrap)
    doc.setDefaultTextOption(option)
    doc.setPlainText(text)
    doc.setTextWidth(width)
    doc.size()  # lays the text out (lazily done otherwise: no lines yet)
    layout = doc.firstBlock().layout()
    lines = max(1, layout.lineCount()) if layout is not None else 1
    return lines + 1 if doc.idealWidth() > width + 1 else lines


def fit_text(text: str, font: QFont, width: int, max_lines: int) -> str:
    """``text`` whole when it fits in ``max_lines`` lines of ``width`` px, else its
    longest beginning that fits with "…" after it (a short Latin word is left out
    whole rather than cut, and the cut never ends on a separator)."""
    if width <= 0 or not text:
        return text  # not laid out yet: nothing to fit to
    metrics = QFontMetrics(font)

    def fits(candidate: str) -> bool:
        if max_lines <= 1:
            return metrics.horizontalAdvance(candidate) <= width
        return lines_needed(candidate, font, width) <= max_lines

    if fits(text):
        return text
    lo, hi = 0, len(text)  # the longest prefix + "…" that fits: lo fits, hi does not
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if fits(text[:mid].rstrip(TRAILING) + ELLIPSIS):
            lo = mid
        else:
            hi = mid
    space = text.rfind(" ", 0, lo + 1)
    latin = lo < len(text) and text[lo - 1 : lo + 1].isascii() and text[lo - 1 : lo + 1].isalpha()
    if latin and space > max(0, lo - WORD_BACKUP):
        lo = space  # a Latin word is cut whole when it is short: "masked …", not "mas…"
    return text[:lo].rstrip(TRAILING) + ELLIPSIS


class ElidedLabel(QLabel):
    """A plain-text label cut to ``max_lines`` lines; ``set_full_text`` sets what it
    stands for, ``full_text`` reads it back (``text`` is what is shown)."""

    def __init__(
        self, max_lines: int = 1, parent: QWidget | None = None, min_chars: int = 0
    ) -> None:
        super().__init__(parent)
        self._full = ""
        self._shorter: list[str] = []
        self.max_lines = max_lines
        self.min_chars = min_chars  # keep room for about this many characters (never "…")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(max_lines > 1)
        # the width is the layout's to give, never the text's to take
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._least()

    def _least(self) -> None:
        """A few characters' width at the current font (the zoom changes it)."""
        if self.min_chars:
            self.setMinimumWidth(self.fontMetrics().averageCharWidth() * self.min_chars)

    def set_full_text(self, text: str, shorter: list[str] | None = None) -> None:
        """Show ``text``, else the first of its ``shorter`` forms that fits, else the
        last form cut at its end (the whole text is then the tooltip)."""
        self._full = text
        self._shorter = list(shorter or [])
        self._fit()

    def full_text(self) -> str:
        return self._full

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._least()
            self.updateGeometry()  # a zoomed font needs a taller line
            self._fit()

    def _fit(self) -> None:
        width = self.contentsRect().width()
        for form in (self._full, *self._shorter):
            shown = fit_text(form, self.font(), width, self.max_lines)
            if shown == form:
                break
        if shown != self.text():
            self.setText(shown)
        tip = self._full if shown != self._full else ""
        if tip != self.toolTip():
            self.setToolTip(tip)
