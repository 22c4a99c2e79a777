"""The classification view: what an encoder-only model answered, and from what.

Top: the answer (the most likely label and its probability) and, for a training step,
the target label and the loss −log p(target) before → after the update. Then one bar
per label (``cls.probs``; the logits under them), the [CLS] vector the head reads
(``cls.vector``), and what the [CLS] position attended to: for a sentence a heatmap of
row 0 of every layer's and head's self-attention weights over the tokens; for a
picture the picture on its patch grid, the [CLS] attention of one layer and head laid
over it, and small pictures of every layer × head to pick from. The layer and head
follow the cursor when it is inside an encoder layer (the head from the selection),
or a click here. A model that is not a classifier gets one line saying so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QScrollArea, QVBoxLayout, QWidget

from visualizer.i18n import tr
from visualizer.panels.classify.classify_data import ClassifyData, classify_data
from visualizer.panels.classify.classify_text import STRINGS
from visualizer.panels.classify.patch_picture import PatchPicture
from visualizer.theme import MUTED, PHASE_COLORS, get_scale
from visualizer.widgets.answer import label_text
from visualizer.widgets.heatmap import Heatmap
from visualizer.widgets.hint_stack import HintStack
from visualizer.widgets.numbers import percent, significant
from visualizer.widgets.prob_bars import Bar, ProbBars
from visualizer.widgets.rich_label import rich_label

if TYPE_CHECKING:
    from core.session import Session
    from visualizer.bridge import SessionBridge

ROW_PX = 22  # one layer × head row of the sentence heatmap
BAR_PX = 32  # one label's bar (the most ProbBars gives a row)


class LabelBars(ProbBars):
    """Probability bars sized to the labels (2 or 3), not to a top-5 of tokens."""

    def _rows(self) -> float:
        return max(1, len(self.bars))


class ClassifyView(QWidget):
    def __init__(
        self, session: Session, bridge: SessionBridge, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.data: ClassifyData | None = None
        self.layer, self.head = 0, 0
        self._trace: object = None
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.setContentsMargins(10, 8, 10, 6)
        lay.setSpacing(5)
        self.title = rich_label(12, bold=True)
        self.title.setStyleSheet(f"color: {PHASE_COLORS['decode']}")
        self.answer = rich_label(13)
        self.train_line = rich_label(11)
        self.train_line.setStyleSheet(f"color: {PHASE_COLORS['loss']}")
        self.bars_title = rich_label(10, bold=True)
        self.bars = LabelBars()
        self.logits = rich_label(9)
        self.logits.setStyleSheet(f"color: {MUTED}")
        self.vector = Heatmap()
        self.vector.setFixedHeight(round(112 * get_scale()))
        self.attn_title = rich_label(10, bold=True)
        self.focus = rich_label(10)
        # a sentence: layers × heads by tokens
        self.attn = Heatmap()
        self.attn.sigCellClicked.connect(self._on_attn_clicked)
        # a picture: the picture, the selected overlay, and every layer × head
        self.picture = PatchPicture(200)
        self.overlay = PatchPicture(200)
        self.pictures = QWidget()
        pics = QHBoxLayout(self.pictures)
        pics.setContentsMargins(0, 0, 0, 0)
        for pic in (self.picture, self.overlay):
            pics.addWidget(pic, 0, Qt.AlignmentFlag.AlignTop)
        pics.addStretch(1)
        self.multiples = QWidget()
        self.multiples_grid = QGridLayout(self.multiples)
        self.multiples_grid.setContentsMargins(0, 0, 0, 0)
        self.multiples_grid.setSpacing(6)
        self.small: list[list[PatchPicture]] = []
        for w in (
            self.title,
            self.answer,
            self.train_line,
            self.bars_title,
            self.bars,
            self.logits,
            self.vector,
            self.attn_title,
            self.focus,
            self.attn,
            self.pictures,
            self.multiples,
        ):
            lay.addWidget(w)
        lay.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(page)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.stack = HintStack(scroll)
        self.hint = self.stack.hint
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)
        # bound methods, not lambdas: Qt drops them when this widget is deleted
        bridge.sigTrace.connect(self._on_trace)
        bridge.sigCursor.connect(self._on_cursor)
        bridge.sigSelection.connect(self._on_cursor)
        bridge.connect_relabel(self._relabel)
        self._on_trace()

    # -- state -------------------------------------------------------------------------
    def _on_trace(self, _: object = None) -> None:
        self._trace = self.session.trace
        try:
            self.data = classify_data(self.session.trace)
        except (KeyError, IndexError, ValueError):  # a malformed trace: the hint, no crash
            self.data = None
        d = self.data
        self.stack.show_content(d is not None)
        if d is not None:
            self.layer, self.head = min(self.layer, d.layers - 1), min(self.head, d.heads - 1)
            picture = d.picture is not None and d.grid is not None
            self.attn.setVisible(not picture)
            self.pictures.setVisible(picture)
            self.multiples.setVisible(picture)
            if picture:
                self._build_multiples(d)
            else:
                self.attn.setFixedHeight(round((d.layers * d.heads * ROW_PX + 90) * get_scale()))
            self._follow_cursor(redraw=False)
        self._relabel()

    def _rescale(self) -> None:
        """Sizes fixed in pixels follow the zoom (a relabel also follows a zoom change)."""
        self.vector.setFixedHeight(round(112 * get_scale()))
        d = self.data
        if d is not None and d.picture is None:
            self.attn.setFixedHeight(round((d.layers * d.heads * ROW_PX + 90) * get_scale()))
        for w in [self.picture, self.overlay, *(w for row in self.small for w in row)]:
            w.rescale()

    def _build_multiples(self, d: ClassifyData) -> None:
        assert d.picture is not None and d.grid is not None
        self.picture.set_picture(d.picture, d.grid)
        self.overlay.set_picture(d.picture, d.grid)
        if len(self.small) != d.layers or any(len(r) != d.heads for r in self.small):
            for row in self.small:
                for w in row:
                    w.setParent(None)
                    w.deleteLater()
            self.small = []
            for layer in range(d.layers):
                row = []
                for head in range(d.heads):
                    w = PatchPicture(76, numbers=False)
                    w.sigClicked.connect(self._on_small_clicked)
                    self.multiples_grid.addWidget(w, layer, head)
                    row.append(w)
                self.small.append(row)
            self.multiples_grid.setColumnStretch(d.heads, 1)
        for layer, row in enumerate(self.small):
            for head, w in enumerate(row):
                w.set_picture(d.picture, d.grid)
                w.set_attention(d.patch_attention(layer, head))

    def _on_cursor(self, _: object = None) -> None:
        if self.session.trace is not self._trace:
            self._on_trace()
            return
        self._follow_cursor(redraw=True)

    def _follow_cursor(self, redraw: bool) -> None:
        """Inside encoder layer L the layer is L, and the head the selection's."""
        d = self.data
        if d is None:
            return
        try:
            step = self.session.step
        except (IndexError, AttributeError):
            return
        parts = step.name.split(".")
        if parts[0] == "enc" and len(parts) > 1 and parts[1].isdigit():
            layer = min(int(parts[1]), d.layers - 1)
            head = self.head
            if "head" in step.axes and self.session.selection.head is not None:
                head = min(max(0, int(self.session.selection.head)), d.heads - 1)
            if (layer, head) != (self.layer, self.head):
                self.layer, self.head = layer, head
                if redraw:
                    self._show_attention()

    def pick(self, layer: int, head: int) -> None:
        """Show the [CLS] attention of this layer and head."""
        self.layer, self.head = layer, head
        self._show_attention()

    def _on_attn_clicked(self, row: int, _col: int) -> None:
        if self.data is not None:
            self.pick(row // self.data.heads, row % self.data.heads)

    def _on_small_clicked(self) -> None:
        for layer, row in enumerate(self.small):
            for head, w in enumerate(row):
                if w is self.sender():
                    self.pick(layer, head)
                    return

    # -- drawing -----------------------------------------------------------------------
    def _relabel(self, _: str = "") -> None:
        lang = self.session.lang
        self.hint.setText(tr(STRINGS["hint"], lang))
        self._rescale()
        d = self.data
        if d is None:
            return
        self.title.setText(tr(STRINGS["title"], lang))
        names = [label_text(label, lang) for label in d.labels]
        top = d.order()[0]
        self.answer.setText(
            tr(STRINGS["says"], lang).format(label=names[top], p=percent(d.probs[top]))
        )
        training = d.target is not None and d.loss is not None
        self.train_line.setVisible(training)
        if training:
            assert d.target is not None and d.loss is not None
            text = tr(STRINGS["train"], lang).format(
                label=names[d.target], p=percent(d.probs[d.target]), loss=significant(d.loss)
            )
            if d.loss_after is not None:
                text += tr(STRINGS["after"], lang).format(v=significant(d.loss_after))
            self.train_line.setText(text)
        self.bars_title.setText(tr(STRINGS["bars"], lang))
        # ProbBars rows stop at 32 px (design units: the bars scale with the zoom)
        self.bars.setFixedHeight(round((len(names) * BAR_PX + 4) * get_scale()))
        mark = d.target if training else top
        target = tr(STRINGS["target"], lang)
        self.bars.set_bars(
            [
                Bar(
                    names[i] + (f" ({target})" if training and i == d.target else ""),
                    float(d.probs[i]),
                    chosen=i == mark,
                )
                for i in d.order()
            ]
        )
        items = " · ".join(f"{names[i]} {float(d.logits[i]):+.3f}" for i in range(len(names)))
        self.logits.setText(tr(STRINGS["logits"], lang).format(items=items))
        self.vector.hint = tr(STRINGS["feature"], lang)  # before set_matrix: it shows the hint
        self.vector.set_matrix(
            d.vector,
            ["[CLS]"],
            [str(j) for j in range(d.vector.shape[0])],
            mode="diverging",
            title=tr(STRINGS["vector"], lang).format(d=d.vector.shape[0]),
        )
        picture = d.picture is not None and d.grid is not None
        self.attn_title.setText(tr(STRINGS["attn_pic" if picture else "attn_text"], lang))
        if picture:
            assert d.grid is not None
            self.picture.set_caption(tr(STRINGS["picture"], lang).format(r=d.grid[0], c=d.grid[1]))
            for layer, row in enumerate(self.small):
                for head, w in enumerate(row):
                    w.set_caption(tr(STRINGS["cell"], lang).format(l=layer, h=head))
        else:
            rows = [
                tr(STRINGS["row"], lang).format(l=layer, h=head)
                for layer in range(d.layers)
                for head in range(d.heads)
            ]
            self.attn.set_matrix(
                d.cls_attn.reshape(d.layers * d.heads, -1), rows, d.positions, mode="probability"
            )
        self._show_attention()

    def position_name(self, i: int) -> str:
        """A position's name: the token, or "patch ▦i" (position i after [CLS] is patch ▦i,
        as on every axis: ``core.tracing.picture_tokens``)."""
        assert self.data is not None
        if self.data.grid is not None and 0 < i < len(self.data.positions):
            return tr(STRINGS["patch"], self.session.lang).format(p=self.data.positions[i])
        return self.data.positions[i] if i < len(self.data.positions) else str(i)

    def _show_attention(self) -> None:
        d, lang = self.data, self.session.lang
        if d is None:
            return
        row = d.cls_attn[self.layer, self.head]
        best = int(np.argmax(row[1:])) + 1 if row.shape[0] > 1 else 0
        self.focus.setText(
            tr(STRINGS["self"], lang).format(
                l=self.layer,
                h=self.head,
                p=percent(float(row[0])),
                pos=self.position_name(best),
                q=percent(float(row[best])),
            )
        )
        if d.picture is not None and d.grid is not None:
            self.overlay.set_attention(d.patch_attention(self.layer, self.head))
            self.overlay.set_caption(tr(STRINGS["overlay"], lang).format(l=self.layer, h=self.head))
            for layer, ws in enumerate(self.small):
                for head, w in enumerate(ws):
                    w.set_selected((layer, head) == (self.layer, self.head))
        else:
            self.attn.mark(row=self.layer * d.heads + self.head)
