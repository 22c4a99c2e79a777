"""How two tokenizers cut "9.11" and "9.9": the figure of the tokens chapter.

A model never sees numbers or letters, only token ids. A subword (BPE) tokenizer
learns its pieces from what was frequent in its training text, so two numbers that a
person compares digit by digit can be cut at different places, and the model gets
ids that say nothing about which is larger. To show that with real output rather than
a drawing, a BPE tokenizer (``core.subword``, the ``tokenizers`` library) is trained
here on generated text: the built-in English sentences plus sentences with version
numbers, prices and volumes. Beside it, the word tokenizer of the loaded model, whose
vocabulary has no digits at all. Every piece and id shown is what ``encode`` returns.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from visualizer.i18n import tr
from visualizer.theme import HEAD_COLORS, design_font, fit_scale

if TYPE_CHECKING:
    from core.session import Session
    from core.subword import SubwordTokenizer
    from core.tokenizer import Encoded
    from visualizer.bridge import SessionBridge

EXAMPLES = ("9.11", "9.9")
VOCAB = 500  # BPE vocabulary size: small enough that numbers stay in pieces
STRINGS = {
    "bpe": {"en": "BPE, trained on\ngenerated text", "zh": "BPE（在生成的\n文本上训练）"},
    "word": {"en": "word tokenizer\nof this model", "zh": "本模型的\n词级分词器"},
}


@dataclass(frozen=True)
class Split:
    text: str
    pieces: tuple[str, ...]
    ids: tuple[int, ...]


def generated_text(seed: int = 0) -> list[str]:
    """The BPE's training text: the built-in English sentences, and sentences with
    version numbers ("9.11 came out after 9.10"), volumes and prices. Seeded: the same
    pieces on every machine."""
    from core.builtin_corpus import builtin_corpus

    rng = random.Random(seed)
    texts = [p.source for p in builtin_corpus("en-de").train]
    for _ in range(300):
        major, minor = rng.randint(1, 12), rng.randint(1, 20)
        texts.append(f"Version {major}.{minor} came out after version {major}.{minor - 1}.")
        texts.append(f"The bottle holds {rng.randint(0, 20)}.{rng.randint(0, 99)} litres.")
        texts.append(f"The book costs {rng.randint(1, 40)}.{rng.randint(0, 9)}0 euros.")
    return texts


@cache
def trained_bpe() -> SubwordTokenizer:
    from core.subword import SubwordTokenizer

    return SubwordTokenizer.fit(generated_text(), vocab_size=VOCAB)


class _Encodes(Protocol):
    """A tokenizer of ours (word or BPE): ``encode`` gives tokens and ids."""

    def encode(self, text: str) -> Encoded: ...


def split(tokenizer: _Encodes, text: str) -> Split:
    enc = tokenizer.encode(text)
    return Split(text, tuple(enc.tokens), tuple(enc.ids))


MIN_W, MIN_H = 520, 190


class TokenSplit(QWidget):
    """Rows: the BPE and the model's own tokenizer; columns: "9.11" and "9.9"."""

    def __init__(
        self, session: Session, bridge: SessionBridge, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.rows: list[tuple[str, list[Split]]] = []
        self.setMaximumWidth(620)  # the presentation zoom scales it
        self.refresh()
        bridge.sigTrace.connect(self.refresh)  # another model: its tokenizer
        bridge.connect_relabel(lambda _l: self.update(), owner=self)

    def minimumSizeHint(self) -> QSize:
        """The design size; at a presentation zoom the drawing grows with the room it
        gets, up to the zoom (a zoomed minimum made the window wider than the screen)."""
        return QSize(MIN_W, MIN_H)

    def refresh(self) -> None:
        bpe = trained_bpe()
        own = self.session.bundle.src_tok
        self.rows = [
            ("bpe", [split(bpe, t) for t in EXAMPLES]),
            ("word", [split(own, t) for t in EXAMPLES]),
        ]
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:
        """Drawn at its design size and scaled as a whole, by the presentation zoom as far
        as the room allows, so the chips, names and gaps grow with the type (fonts alone
        overlapped at 200 %)."""
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        z = _zoom(self.width(), self.height())
        p.scale(z, z)
        lang = self.session.lang
        label_w, head_h = 170, 40
        col_w = (self.width() / z - label_w) / len(EXAMPLES)
        row_h = (self.height() / z - head_h) / max(1, len(self.rows))
        p.setFont(design_font(18, True))
        p.setPen(QColor("#ffffff"))
        for c, text in enumerate(EXAMPLES):
            rect = QRectF(label_w + c * col_w, 0, col_w, head_h)
            p.drawText(rect, Qt.AlignmentFlag.AlignCenter, f"“{text}”")
        for r, (key, splits) in enumerate(self.rows):
            top = head_h + r * row_h
            p.setFont(design_font(11))
            p.setPen(QColor("#c9ccd4"))
            p.drawText(
                QRectF(0, top, label_w - 8, row_h),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                tr(STRINGS[key], lang),
            )
            for c, sp in enumerate(splits):
                self._chips(p, sp, QRectF(label_w + c * col_w, top, col_w, row_h))
        p.end()

    def _chips(self, p: QPainter, sp: Split, cell: QRectF) -> None:
        """One chip per piece (the piece, its id below), centred in ``cell``."""
        shown = [t.replace("▁", "␣") for t in sp.pieces]  # the word-start mark, visible
        gap, size = 6, 17
        while True:  # the largest type at which the row fits its cell
            piece_font, id_font = design_font(size, True), design_font(max(8, size - 6))
            fm = QFontMetrics(piece_font)
            widths = [max(fm.horizontalAdvance(t) + size, 2.6 * size) for t in shown]
            if sum(widths) + gap * (len(widths) - 1) <= cell.width() - 8 or size <= 9:
                break
            size -= 1
        x = cell.center().x() - (sum(widths) + gap * (len(widths) - 1)) / 2
        chip_h = min(cell.height() - 8, 62.0)
        y = cell.center().y() - chip_h / 2
        for i, (text, width) in enumerate(zip(shown, widths, strict=True)):
            unknown = sp.ids[i] == 3  # <unk>
            color = QColor("#6b6f78" if unknown else HEAD_COLORS[i % len(HEAD_COLORS)])
            rect = QRectF(x, y, width, chip_h)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(color)
            p.drawRoundedRect(rect, 7, 7)
            p.setPen(QColor("#ffffff"))
            p.setFont(piece_font)
            top = QRectF(rect.x(), rect.y() + 2, width, chip_h * 0.6)
            p.drawText(top, Qt.AlignmentFlag.AlignCenter, text)
            p.setFont(id_font)
            bottom = QRectF(rect.x(), rect.y() + chip_h * 0.58, width, chip_h * 0.4)
            p.drawText(bottom, Qt.AlignmentFlag.AlignCenter, f"id {sp.ids[i]}")
            x += width + gap


def _zoom(width: int, height: int) -> float:
    """The drawing's scale: the presentation zoom, or less where the widget is smaller
    than the design size times it (never below 1)."""
    return fit_scale(width / MIN_W, height / MIN_H)
