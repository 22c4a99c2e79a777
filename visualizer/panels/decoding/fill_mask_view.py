"""The decoding view's face for a pre-trained BERT: every ``[MASK]`` filled at once.

Top: the sentence as chips, each mask showing the word that fills it and its
probability (``?`` while the cursor is still before ``probs``), and the filled sentence.
Then, per mask, the top five words of its row of ``probs`` (the trace's own numbers,
``fill_mask_data``), the best one marked; in a training step the hidden word it learns
is marked instead, with −log p of it, and the mean loss before → after the update.
Clicking a chip jumps to ``probs``. ``DecodingView`` shows this instead of its decoding
page when the trace is a masked-word BERT's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from visualizer.i18n import tr
from visualizer.panels.decoding.fill_mask_data import FillData, MaskFill, fill_data
from visualizer.panels.decoding.fill_mask_text import STRINGS
from visualizer.panels.decoding.token_strip import Chip, TokenStrip
from visualizer.theme import MUTED, PHASE_COLORS
from visualizer.widgets.numbers import percent, significant
from visualizer.widgets.prob_bars import Bar, ProbBars
from visualizer.widgets.rich_label import rich_label

if TYPE_CHECKING:
    from core.session import Session
    from visualizer.bridge import SessionBridge

MAX_SHOWN = 8  # core.fill_mask.MAX_MASKS: one row of bars per mask
BAR_PX = 26
NOT_TEXT = ("[CLS]", "[SEP]", "[PAD]")


class FillMaskView(QWidget):
    def __init__(
        self, session: Session, bridge: SessionBridge, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.data: FillData | None = None
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.setContentsMargins(8, 8, 8, 8)
        lay.setSpacing(5)
        self.title = rich_label(12, bold=True)
        self.title.setStyleSheet(f"color: {PHASE_COLORS['decode']}")
        self.strip = TokenStrip()
        self.filled = rich_label(12)
        self.train_line = rich_label(11)
        self.train_line.setStyleSheet(f"color: {PHASE_COLORS['loss']}")
        self.how = rich_label(9)
        self.how.setStyleSheet(f"color: {MUTED}")
        for w in (self.title, self.strip, self.filled, self.train_line, self.how):
            lay.addWidget(w)
        self.mask_titles: list[QLabel] = []
        self.mask_bars: list[ProbBars] = []
        self.mask_notes: list[QLabel] = []
        for _ in range(MAX_SHOWN):
            title, bars, note = rich_label(10, bold=True), ProbBars(), rich_label(9)
            note.setStyleSheet(f"color: {PHASE_COLORS['loss']}")
            for part in (title, bars, note):
                lay.addWidget(part)
            self.mask_titles.append(title)
            self.mask_bars.append(bars)
            self.mask_notes.append(note)
        lay.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(page)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        # bound methods, not lambdas: Qt drops them when this widget is deleted
        self.strip.sigChipClicked.connect(self._on_chip)
        bridge.sigTrace.connect(self._on_trace)
        bridge.sigCursor.connect(self._on_cursor)
        bridge.connect_relabel(self._relabel)
        self._on_trace()

    # -- state -------------------------------------------------------------------------
    def _on_trace(self, _: object = None) -> None:
        try:
            self.data = fill_data(self.session.trace)
        except (KeyError, IndexError, ValueError):  # a malformed trace: nothing, no crash
            self.data = None
        self.refresh()

    def _on_cursor(self, _: object = None) -> None:
        self.refresh()

    def _relabel(self, _: str = "") -> None:
        self.refresh()

    def _on_chip(self, _i: int) -> None:
        if self.data is not None:
            self.session.seek(self.data.probs_step)

    def token(self, token_id: int) -> str:
        return self.session.bundle.src_tok.token(int(token_id))

    # -- drawing -----------------------------------------------------------------------
    def refresh(self) -> None:
        d, lang = self.data, self.session.lang
        if d is None:
            return
        ready = self.session.cursor >= d.probs_step
        self.title.setText(tr(STRINGS["title"], lang))
        self.how.setText(tr(STRINGS["how"], lang) + " " + tr(STRINGS["hint"], lang))
        at = {m.position: m for m in d.masks}
        chips = []
        for i, tok in enumerate(d.tokens):
            fill = at.get(i)
            if fill is None:
                chips.append(Chip(tok, kind="bos" if tok in NOT_TEXT else "done"))
            elif not ready:
                chips.append(Chip("?", "[MASK]", "pending"))
            else:
                best, p = fill.top[0]
                chips.append(Chip(self.token(best), percent(p), "current"))
        self.strip.set_chips(chips)
        self.filled.setVisible(ready)
        if ready:
            self.filled.setText(tr(STRINGS["filled"], lang).format(text=_escape(self._text(d))))
        self._train_line(d, lang)
        for n, (title, bars, note) in enumerate(
            zip(self.mask_titles, self.mask_bars, self.mask_notes, strict=True)
        ):
            shown = n < len(d.masks)
            for w in (title, bars, note):
                w.setVisible(shown)
            if not shown:
                continue
            fill = d.masks[n]
            title.setText(
                tr(STRINGS["mask"], lang).format(n=n + 1, pos=fill.position, k=len(fill.top))
            )
            self._bars(bars, note, fill, ready, lang)
        if not ready:
            self.filled.setVisible(True)
            self.filled.setText(tr(STRINGS["waiting"], lang).format(step=d.probs_step))

    def _bars(self, bars: ProbBars, note: QLabel, fill: MaskFill, ready: bool, lang: str) -> None:
        mark = fill.top[0][0] if fill.target is None else fill.target
        target = tr(STRINGS["target"], lang)
        shown = [
            Bar(
                self.token(i) + (f" ({target})" if i == fill.target else ""),
                p,
                chosen=ready and i == mark,
            )
            for i, p in fill.top
        ]
        tail = fill.target is not None and fill.target not in {i for i, _ in fill.top}
        if tail and fill.target is not None and fill.target_prob is not None:
            label = f"{self.token(fill.target)} ({target})"  # learned from the tail
            shown.append(Bar(label, fill.target_prob, ready, detached=True))
        bars.setFixedHeight(len(shown) * BAR_PX + 6)
        bars.set_bars(shown, pending=not ready)
        training = fill.target is not None and fill.loss is not None
        note.setVisible(training)
        if training:
            assert fill.target is not None and fill.target_prob is not None
            assert fill.loss is not None
            note.setText(
                tr(STRINGS["target_line"], lang).format(
                    tok=_escape(self.token(fill.target)),
                    p=percent(fill.target_prob),
                    loss=significant(fill.loss),
                )
            )

    def _train_line(self, d: FillData, lang: str) -> None:
        training = d.loss is not None and all(m.target is not None for m in d.masks)
        self.train_line.setVisible(training)
        if not training:
            return
        assert d.loss is not None
        words = ", ".join(f"“{_escape(self.token(m.target or 0))}”" for m in d.masks)
        text = tr(STRINGS["train"], lang).format(words=words, loss=significant(d.loss))
        if d.loss_after is not None:
            text += tr(STRINGS["after"], lang).format(v=significant(d.loss_after))
        self.train_line.setText(text)

    def _text(self, d: FillData) -> str:
        """The sentence with each mask replaced by its best word (the tokenizer joins the
        pieces: ``##`` continues a word)."""
        tok = self.session.bundle.src_tok
        best = {m.position: m.top[0][0] for m in d.masks}
        ids = []
        for i, t in enumerate(d.tokens):
            if t in NOT_TEXT:
                continue
            ids.append(best[i] if i in best else _id(tok, t))
        return tok.decode([i for i in ids if i is not None])


def _id(tok: object, token: str) -> int | None:
    find = getattr(tok, "token_id", None)
    return find(token) if callable(find) else None


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
