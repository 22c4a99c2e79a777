"""Zoom for read-only rich text (the narration): explicit ``font-size: 12pt`` runs.

A view writes its HTML at zoom 1 and replaces it on every step; each time, the runs
with an explicit point size are set to (their size at zoom 1) × ``theme.get_scale()``.
The size at zoom 1 is kept in the run's format, so zooming back never drifts.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QTextEdit

from visualizer import theme

BASE_PROP = 0x100000 + 71  # QTextFormat.UserProperty + n: a run's size at zoom 1
_docs: set[int] = set()  # documents already followed (by id of the QTextDocument)


def follow_document(edit: QTextEdit) -> None:
    """Scale this read-only text's explicit font sizes again whenever it is replaced."""
    doc = edit.document()
    if id(doc) in _docs:
        return
    _docs.add(id(doc))
    doc.destroyed.connect(lambda *_: _docs.discard(id(doc)))
    guard = _Guard(doc)
    doc.contentsChanged.connect(lambda: guard.run(lambda: scale_document(edit)))


class _Guard(QObject):
    """Ignores the change signals its own edits cause."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.busy = False

    def run(self, job: Any) -> None:
        if self.busy:
            return
        self.busy = True
        try:
            job()
        finally:
            self.busy = False


def scale_document(edit: QTextEdit) -> None:
    """Set every run with an explicit point size to (its size at zoom 1) × zoom."""
    doc = edit.document()
    scale = theme.get_scale()
    runs: list[tuple[int, int, float]] = []
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            frag = it.fragment()
            if frag.isValid():
                fmt = frag.charFormat()
                base = fmt.property(BASE_PROP)
                if not isinstance(base, float):  # fresh text: written at zoom 1
                    has = fmt.hasProperty(QTextCharFormat.Property.FontPointSize)
                    base = fmt.fontPointSize() if has else 0.0
                if base > 0 and abs(fmt.fontPointSize() - base * scale) > 1e-3:
                    runs.append((frag.position(), frag.position() + frag.length(), base))
            it += 1
        block = block.next()
    if not runs:
        return
    cursor = QTextCursor(doc)
    cursor.beginEditBlock()
    for start, end, base in runs:
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        f = QTextCharFormat()
        f.setFontPointSize(base * scale)
        f.setProperty(BASE_PROP, float(base))
        cursor.mergeCharFormat(f)
    cursor.endEditBlock()
