"""The lecture narration bar: one scene's title and text, large enough for the back row.

Dark background, white 22 pt text and a 26 pt title (contrast ratio above 15:1), the
chapter and "scene 3 / 7" on the right with the keys that move on, and room for one
small figure beside the text (the token splits of chapter 1, the sinusoids of chapter
2). It only displays: ``visualizer/chapter_player.py`` decides what, and the window
decides where it sits (a bottom bar or an overlay), so it has no parent of its own.

It must never push the window off the screen (issue 16): the bar is at most
``MAX_SHARE`` of the window's height, and a narration longer than that scrolls. Its
type is already large, so the presentation zoom enlarges it by half as much as the
rest (``ZOOM_SHARE``: 150 % at zoom 200 %), else at 200 % a few sentences filled a
1366×768 screen.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from visualizer.i18n import tr
from visualizer.theme import HIGHLIGHT, ui_font
from visualizer.widgets.elided_label import ElidedLabel
from visualizer.widgets.whole_label import WholeLabel

BACKGROUND = "#15171c"
TEXT_PT, TITLE_PT, META_PT = 22, 26, 14
MAX_SHARE = 0.34  # of the window's height, at most
ZOOM_SHARE = 0.5  # of the presentation zoom's enlargement the bar's type takes
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


SCROLL_STYLE = """
QScrollArea, QScrollArea > QWidget > QWidget { background: transparent; }
QScrollBar:vertical { background: #2a2d35; width: 12px; margin: 0; }
QScrollBar::handle:vertical { background: #80869a; min-height: 28px; border-radius: 5px; }
QScrollBar::add-line:vertical, QScrollBar::sub-line:vertical { height: 0; }
QScrollBar::add-page:vertical, QScrollBar::sub-page:vertical { background: none; }
"""


def _label(pt: int, bold: bool, color: str, whole: bool = False) -> QLabel:
    """``whole``: a wrapping label that the bar's layout never squeezes below its text
    (the narration under it scrolls instead)."""
    label = WholeLabel() if whole else QLabel()
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
        # the chapter's name on one line, cut with "…" where the bar is narrow (the
        # whole name in its tooltip): the scene's title and text need the height more
        self.chapter = ElidedLabel(1)
        self.chapter.setFont(ui_font(META_PT))
        self.chapter.setStyleSheet("color: #c9ccd4; background: transparent;")
        self.chapter.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.title = _label(TITLE_PT, True, HIGHLIGHT, whole=True)  # two lines when narrow
        self.text = _label(TEXT_PT, False, "#ffffff")
        self.text.setWordWrap(True)
        self.text.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.text.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        # long titles wrap, never widen the window
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.counter = _label(META_PT + 2, True, "#ffffff")
        self.counter.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.keys = _label(META_PT - 2, False, "#aeb2bc")
        self.note = _label(META_PT - 2, False, "#ffb4a2")
        self.note.setWordWrap(True)
        self.figure: QWidget | None = None
        self.text_scroll = QScrollArea()  # a narration taller than the bar may be scrolls
        self.text_scroll.setWidget(self.text)
        self.text_scroll.setWidgetResizable(True)
        self.text_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.text_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.text_scroll.setStyleSheet(SCROLL_STYLE)
        self._sizes = {self.chapter: META_PT, self.title: TITLE_PT, self.text: TEXT_PT}
        self._sizes |= {self.counter: META_PT + 2, self.keys: META_PT - 2, self.note: META_PT - 2}
        self._watched: QWidget | None = None  # the window whose height caps the bar
        head = QHBoxLayout()  # the chapter, and where we are in it, on one line
        head.setSpacing(24)
        head.addWidget(self.chapter, 1)
        head.addWidget(self.counter, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        left = QVBoxLayout()
        left.setSpacing(4)
        left.addLayout(head)
        left.addWidget(self.title)
        left.addWidget(self.text_scroll, 1)
        left.addWidget(self.note)
        right = QVBoxLayout()  # the keys in a narrow column: the text takes the width
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
        """Room for the header, the title (as many lines as it wraps to) and two
        lines of narration (a narrow bar at a projector's zoom: the title is read
        whole, the narration scrolls)."""
        fm_text, fm_title = self.text.fontMetrics(), self.title.fontMetrics()
        title = fm_title.lineSpacing()
        if self.title.isVisibleTo(self) and self.title.width() > 0:
            title = max(title, self.title.heightForWidth(self.title.width()))
        head = max(self.chapter.sizeHint().height(), self.counter.sizeHint().height())
        return max(
            title + 2 * fm_text.lineSpacing() + 70, head + title + 2 * fm_text.lineSpacing() + 40
        )

    def _cap(self) -> int:
        """The tallest the bar may be: a share of its window's height."""
        top = self.window()
        if top is self or top.height() < 200:
            return 10_000
        return max(self._min_height(), int(top.height() * MAX_SHARE))

    def _fit(self) -> None:
        """Grow to the wrapped narration at the current width, up to ``_cap`` (beyond it
        the text scrolls): a dock or a layout does not ask a word-wrapping label how
        tall it wants to be, so the bar says it."""
        width = self.text_scroll.viewport().width()
        if width < 50:
            return
        m = self.row.contentsMargins()
        need = (
            m.top()
            + m.bottom()
            + max(
                self.chapter.sizeHint().height(),
                self.counter.sizeHint().height(),
            )
            + (self.title.heightForWidth(self.title.width()) if self.title.isVisibleTo(self) else 0)
            + self.text.heightForWidth(width)
            + (self.note.heightForWidth(width) if self.note.isVisibleTo(self) else 0)
            + 16
        )
        if self.figure is not None:
            need = max(need, self.figure.minimumHeight() + m.top() + m.bottom())
        need = min(max(need, self._min_height()), self._cap())
        if need != self.minimumHeight() or need != self.maximumHeight():
            self.setFixedHeight(need)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        top = self.window()
        if top is not self and top is not self._watched:  # its height caps the bar
            if self._watched is not None:
                self._watched.removeEventFilter(self)
            self._watched = top
            top.installEventFilter(self)
        QTimer.singleShot(0, self, self._fit)  # dropped if the bar is gone

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self._watched and event.type() == QEvent.Type.Resize:
            QTimer.singleShot(0, self, self._fit)  # dropped if the bar is gone
        return False

    def apply_scale(self, scale: float) -> None:
        """The presentation zoom (``visualizer.presentation.scale`` calls this after
        zooming every font): this bar's type grows by ``ZOOM_SHARE`` of it."""
        grow = 1.0 + (scale - 1.0) * ZOOM_SHARE
        for label, pt in self._sizes.items():
            f = label.font()
            f.setPointSizeF(pt * grow)
            label.setFont(f)
        QTimer.singleShot(0, self, self._fit)  # dropped if the bar is gone

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
        self.chapter.set_full_text(head)
        self.title.setText(title)
        self.title.setVisible(bool(title))
        self.text.setText(text)
        counter = tr(STRINGS["scene"], lang).format(i=index + 1, n=count)
        if index == count - 1:  # under it: one line would leave the chapter no room
            counter += "\n" + tr(STRINGS["last"], lang)
        self.counter.setText(counter)
        self.keys.setText(tr(STRINGS["keys"], lang))
        QTimer.singleShot(0, self, self._fit)  # dropped if the bar is gone

    def set_note(self, text: str) -> None:
        """A small line under the text: the model is still running, or what could not
        be shown (a step the trace does not have). Empty hides it."""
        self.note.setText(text)
        self.note.setVisible(bool(text))
        QTimer.singleShot(0, self, self._fit)  # dropped if the bar is gone

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
        QTimer.singleShot(0, self, self._fit)  # dropped if the bar is gone
