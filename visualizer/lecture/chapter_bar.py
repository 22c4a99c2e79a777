"""The lecture narration bar: one scene's title and text, large enough for the back row.

Dark background, white 22 pt text and a 26 pt title (contrast ratio above 15:1), the
chapter and "scene 3 / 7" on the right with the keys that move on, and room for one
small figure beside the text (the token splits of chapter 1, the sinusoids of chapter
2). It only displays: ``visualizer/chapter_player.py`` decides what, and the window
decides where it sits (a bottom bar or an overlay), so it has no parent of its own.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from visualizer.i18n import tr
from visualizer.theme import HIGHLIGHT, ui_font

BACKGROUND = "#15171c"
TEXT_PT, TITLE_PT, META_PT = 22, 26, 14
STRINGS = {
    "chapter": {"en": "Chapter {n} · {title}", "zh": "第 {n} 章 · {title}"},
    "scene": {"en": "Scene {i} / {n}", "zh": "第 {i} / {n} 幕"},
    "keys": {
        "en": "PgDn  next\nPgUp  back\nEsc  end",
        "zh": "PgDn  下一幕\nPgUp  上一幕\nEsc  结束",
    },
    "last": {"en": "End of the chapter", "zh": "本章结束"},
    "waiting": {"en": "running the model…", "zh": "模型运行中…"},
}


def _label(pt: int, bold: bool, color: str) -> QLabel:
    label = QLabel()
    label.setFont(ui_font(pt, bold))
    label.setStyleSheet(f"color: {color}; background: transparent;")
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


class ChapterBar(QFrame):
    """Title + narration + where we are; ``set_figure`` puts a small picture beside them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chapterBar")
        self.setStyleSheet(
            f"QFrame#chapterBar {{ background: {BACKGROUND}; border-top: 5px solid {HIGHLIGHT}; }}"
        )
        self.chapter = _label(META_PT, False, "#c9ccd4")
        self.title = _label(TITLE_PT, True, HIGHLIGHT)
        self.text = _label(TEXT_PT, False, "#ffffff")
        self.text.setWordWrap(True)
        self.text.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.text.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        for label in (self.chapter, self.title):  # long titles must not widen the window
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.counter = _label(META_PT + 2, True, "#ffffff")
        self.keys = _label(META_PT - 2, False, "#aeb2bc")
        self.note = _label(META_PT - 2, False, "#ffb4a2")
        self.note.setWordWrap(True)
        self.figure: QWidget | None = None
        left = QVBoxLayout()
        left.setSpacing(4)
        left.addWidget(self.chapter)
        left.addWidget(self.title)
        left.addWidget(self.text, 1)
        left.addWidget(self.note)
        right = QVBoxLayout()
        right.addWidget(self.counter, 0, Qt.AlignmentFlag.AlignRight)
        right.addStretch(1)
        right.addWidget(self.keys, 0, Qt.AlignmentFlag.AlignRight)
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(24, 12, 24, 14)
        self.row.setSpacing(24)
        self.row.addLayout(left, 1)
        self.row.addLayout(right)
        self.setMinimumHeight(self._min_height())
        self.note.hide()

    def _min_height(self) -> int:
        """Room for the header, the title and two lines of narration."""
        fm_text, fm_title = self.text.fontMetrics(), self.title.fontMetrics()
        return fm_title.lineSpacing() + 2 * fm_text.lineSpacing() + 70

    def _fit(self) -> None:
        """Grow to the wrapped narration at the current width: a dock or a layout does
        not ask a word-wrapping label how tall it wants to be, so the bar says it."""
        width = self.text.width()
        if width < 50:
            return
        m = self.row.contentsMargins()
        need = (
            m.top()
            + m.bottom()
            + self.chapter.sizeHint().height()
            + (self.title.sizeHint().height() if self.title.isVisibleTo(self) else 0)
            + self.text.heightForWidth(width)
            + (self.note.heightForWidth(width) if self.note.isVisibleTo(self) else 0)
            + 16
        )
        if self.figure is not None:
            need = max(need, self.figure.minimumHeight() + m.top() + m.bottom())
        need = max(need, self._min_height())
        if need != self.minimumHeight():
            self.setMinimumHeight(need)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def show_scene(
        self,
        chapter_title: str,
        number: int | None,
        title: str,
        text: str,
        index: int,
        count: int,
        lang: str,
    ) -> None:
        head = chapter_title
        if number is not None:
            head = tr(STRINGS["chapter"], lang).format(n=number, title=chapter_title)
        self.chapter.setText(head)
        self.title.setText(title)
        self.title.setVisible(bool(title))
        self.text.setText(text)
        counter = tr(STRINGS["scene"], lang).format(i=index + 1, n=count)
        if index == count - 1:
            counter += "  ·  " + tr(STRINGS["last"], lang)
        self.counter.setText(counter)
        self.keys.setText(tr(STRINGS["keys"], lang))
        QTimer.singleShot(0, self._fit)

    def set_note(self, text: str) -> None:
        """A small line under the text: the model is still running, or what could not
        be shown (a step the trace does not have). Empty hides it."""
        self.note.setText(text)
        self.note.setVisible(bool(text))
        QTimer.singleShot(0, self._fit)

    def set_figure(self, widget: QWidget | None) -> None:
        """Show ``widget`` between the text and the counter (None: no figure)."""
        if widget is self.figure:
            return
        if self.figure is not None:
            self.row.removeWidget(self.figure)
            self.figure.hide()
        self.figure = widget
        if widget is not None:
            self.row.insertWidget(1, widget)
            widget.show()
        QTimer.singleShot(0, self._fit)
