"""Timeline and transport: the scrubber over all steps plus play / step / jump controls.

Every button only calls a session method or sets a session field; the keyboard
shortcuts live in the main window and call the same methods. The scrubber marks
every step a breakpoint hits (recomputed when the breakpoints or the trace change),
and the transport row holds the step search box (``focus_search`` for Ctrl+F).
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtGui import QFontMetrics, QResizeEvent, QTextDocument
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from visualizer.i18n import tr
from visualizer.panels.timeline.scrubber import Scrubber
from visualizer.panels.timeline.step_search import StepSearch
from visualizer.theme import PHASE_COLORS, ui_font

if TYPE_CHECKING:
    from core.navigator import Navigator
    from visualizer.bridge import SessionBridge

SP = QStyle.StandardPixmap
# (action, icon, English tooltip, Chinese tooltip, shortcut shown in the tooltip)
BUTTONS: list[tuple[str, QStyle.StandardPixmap, str, str, str]] = [
    ("start", SP.SP_MediaSkipBackward, "Jump to the first step", "跳到第一步", "Home"),
    (
        "over_back",
        SP.SP_MediaSeekBackward,
        "Back to the previous block",
        "回到上一个模块",
        "Shift+←",
    ),
    ("back", SP.SP_ArrowLeft, "Step back one op", "后退一步", "←"),
    ("play", SP.SP_MediaPlay, "Play / pause", "播放 / 暂停", "Space"),
    ("forward", SP.SP_ArrowRight, "Step forward one op (step into)", "前进一步（单步进入）", "→"),
    (
        "over",
        SP.SP_MediaSeekForward,
        "Step over: to the next block",
        "单步跳过：到下一个模块",
        "Shift+→",
    ),
    ("out", SP.SP_ArrowUp, "Step out of the current block", "跳出当前模块", "Ctrl+→"),
    ("end", SP.SP_MediaSkipForward, "Jump to the last step", "跳到最后一步", "End"),
]
SEARCH_MIN_WIDTH = 820  # narrower than this, the transport row has no room for the search
GAP = 8  # pixels between the position text and the search box
STRINGS = {
    "speed": {"en": "Speed", "zh": "速度"},
    "animate": {"en": "Animate", "zh": "动画"},
    "animate_tip": {"en": "Animate transitions between steps", "zh": "步骤之间的过渡动画"},
    "of": {"en": "of", "zh": "/"},
    "t": {"en": "decoding step", "zh": "解码步骤"},
}


class TimelineView(QWidget):
    def __init__(
        self, session: Navigator, bridge: SessionBridge, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.scrubber = Scrubber()
        self.scrubber.sigSeek.connect(session.seek)
        self.buttons: dict[str, QToolButton] = {}
        self._marked: object = None  # the trace the scrubber's marks were computed for
        actions = {
            "start": session.go_start,
            "over_back": session.step_over_back,
            "back": session.step_back,
            "play": session.toggle_play,
            "forward": session.step_forward,
            "over": session.step_over,
            "out": session.step_out,
            "end": session.go_end,
        }
        row = QHBoxLayout()
        row.setSpacing(4)
        for key, icon, *_ in BUTTONS:
            b = QToolButton()
            b.setIcon(self.style().standardIcon(icon))
            b.setIconSize(QSize(22, 22))
            b.setMinimumSize(38, 32)
            b.clicked.connect(actions[key])
            self.buttons[key] = b
            row.addWidget(b)
        self.position = QLabel()
        self.position.setFont(ui_font(11))
        self.position.setTextFormat(Qt.TextFormat.RichText)
        self.position.setProperty("codeName", True)  # its <code> step name is a code name
        self.position.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        row.addWidget(self.position, 1)
        row.addSpacing(GAP)
        self.position.installEventFilter(self)  # re-elided when the layout resizes it
        self._position_parts = ("", "")  # (count and phase, step name) as rich text
        self.search = StepSearch(session, bridge)
        row.addWidget(self.search)
        self.speed_label = QLabel()
        self.speed = QSlider(Qt.Orientation.Horizontal)
        self.speed.setRange(1, 60)
        self.speed.setFixedWidth(120)
        self.speed.setValue(int(session.speed))
        self.speed.valueChanged.connect(lambda v: setattr(session, "speed", float(v)))
        self.animate = QCheckBox()
        self.animate.setChecked(session.animate)
        self.animate.toggled.connect(lambda on: setattr(session, "animate", on))
        for w in (self.speed_label, self.speed, self.animate):
            row.addWidget(w)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 4, 6, 4)
        lay.addWidget(self.scrubber)
        lay.addLayout(row)
        # A strip, not a panel: it keeps its height however the docks are resized.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setMaximumHeight(self.sizeHint().height())

        bridge.sigTrace.connect(self._on_trace)
        bridge.sigCursor.connect(self._on_cursor)
        bridge.sigPlaying.connect(self._on_playing)
        bridge.connect_relabel(self._relabel)
        bridge.sigSpeed.connect(self._on_speed)
        bridge.sigAnimate.connect(self.animate.setChecked)
        bridge.sigBreakpoints.connect(self._on_breakpoints)
        self._on_trace()
        self._relabel()

    def apply_scale(self, scale: float) -> None:
        """The presentation zoom enlarged the buttons' icons and the text: the strip's
        height follows its content (its scaled maximum cut the transport by a few pixels
        at 150 %, issue 16), the scrubber's bar included."""
        self.scrubber.rescale(scale)
        self.setMaximumHeight(16_777_215)
        self.setMaximumHeight(self.sizeHint().height())

    def focus_search(self) -> None:
        """Put the keyboard in the step search box (bind Ctrl+F to this)."""
        self.search.show()
        self.search.focus_search()

    def resizeEvent(self, event: QResizeEvent) -> None:
        # The box takes no minimum width; a timeline too narrow for it hides it.
        if event.size().width() < SEARCH_MIN_WIDTH:
            self.search.hide()
        super().resizeEvent(event)

    def _place_search(self) -> None:
        """The position text gets its own room (issue 16): where the box would leave it
        less than its count and phase (a big zoom), the box steps aside; it comes back
        once the text keeps that much beside it. It never runs under the box."""
        head = self._rich_width(self._position_parts[0]) + 24
        label = self.position.width()
        if self.search.isVisibleTo(self) and label < head and not self.search.hasFocus():
            self.search.hide()  # (Ctrl+F shows it and gives it the keyboard: it stays)
        elif (
            not self.search.isVisibleTo(self)
            and self.width() >= SEARCH_MIN_WIDTH
            and label - self.search.sizeHint().width() - 2 * GAP >= head
        ):
            self.search.show()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.position and event.type() == QEvent.Type.Resize:
            self._place_search()
            self._fit_position()
        return super().eventFilter(watched, event)

    def _rich_width(self, html: str) -> float:
        doc = QTextDocument()
        doc.setDefaultFont(self.position.font())
        doc.setDocumentMargin(0)
        doc.setHtml(html)
        return doc.idealWidth()

    def _fit_position(self) -> None:
        """Show the position text cut at its end (…) to the label's width: the step name
        shortens first; the tooltip keeps the whole line."""
        head, name = self._position_parts
        room = self.position.contentsRect().width() - 2
        if room <= 0 or self._rich_width(head + name) <= room:
            self.position.setText(head + name)
            return
        plain = QTextDocument()
        plain.setHtml(name)
        text = plain.toPlainText()
        lo, hi = 0, len(text)  # the longest start of the name that fits
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self._rich_width(head + f"<code>{text[:mid]}…</code>") <= room:
                lo = mid
            else:
                hi = mid - 1
        shown = head + (f"<code>{text[:lo]}…</code>" if lo else "…")
        if self._rich_width(shown) > room:  # not even count and phase: the plain line, cut
            metrics = QFontMetrics(self.position.font())
            cut = metrics.elidedText(self.position.toolTip(), Qt.TextElideMode.ElideRight, room)
            shown = html.escape(cut)
        self.position.setText(shown)

    def _on_breakpoints(self) -> None:
        breakpoints = getattr(self.session, "breakpoints", None)  # a lab's has none
        trace = self.session.trace
        self.scrubber.set_marks(breakpoints.marks(trace) if breakpoints and trace.steps else [])

    def _on_speed(self, value: float) -> None:
        self.speed.setValue(int(value))

    def _on_trace(self, _trace: object = None) -> None:
        steps = self.session.trace.steps
        bands, band, last = [], 0, None
        sections: list[tuple[int, str]] = []
        for s in steps:
            key = (s.t, s.block[:2])
            if key != last:
                band, last = band + 1, key
            bands.append(band)
            part = f"t{s.t}" if s.t is not None else tr(s.phase, self.session.lang)
            if not sections or sections[-1][1] != part:
                sections.append((s.index, part))
        self.scrubber.set_steps([s.phase for s in steps], bands, [s.key for s in steps], sections)
        if self.session.trace is not self._marked:
            self._marked = self.session.trace
            self._on_breakpoints()
        self._on_cursor(self.session.cursor)

    def _on_cursor(self, index: int) -> None:
        self.scrubber.set_cursor(index)
        s = self.session
        if not len(s):
            self._position_parts = ("", "")
            self.position.setText("")
            return
        step, lang = s.step, s.lang
        color = PHASE_COLORS.get(step.phase, "#888")
        where = f" · {tr(STRINGS['t'], lang)} {step.t}" if step.t is not None else ""
        self._position_parts = (
            f"<b>{index + 1}</b> {tr(STRINGS['of'], lang)} {len(s)} &nbsp; "
            f"<span style='color:{color}'>■ {tr(step.phase, lang)}</span> &nbsp; ",
            f"<code>{step.name}</code>{where}",
        )
        # a narrow timeline elides the line at its end: the tooltip keeps it whole
        self.position.setToolTip(
            f"{index + 1} {tr(STRINGS['of'], lang)} {len(s)}   ■ {tr(step.phase, lang)}   "
            f"{step.name}{where}"
        )
        self._fit_position()

    def _on_playing(self, playing: bool) -> None:
        icon = (
            QStyle.StandardPixmap.SP_MediaPause if playing else QStyle.StandardPixmap.SP_MediaPlay
        )
        self.buttons["play"].setIcon(self.style().standardIcon(icon))

    def _relabel(self, _lang: str = "") -> None:
        self._on_trace()  # section labels are words too
        lang = self.session.lang
        for key, _icon, en, zh, keys in BUTTONS:
            self.buttons[key].setToolTip(f"{en if lang == 'en' else zh}  ({keys})")
        self.speed_label.setText(tr(STRINGS["speed"], lang))
        self.speed.setToolTip(f"{tr(STRINGS['speed'], lang)}: {self.speed.value()} /s")
        self.animate.setText(tr(STRINGS["animate"], lang))
        self.animate.setToolTip(tr(STRINGS["animate_tip"], lang))
        self._on_cursor(self.session.cursor)
