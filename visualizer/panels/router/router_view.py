"""Router view: which expert each token goes to, in a mixture-of-experts layer.

Left, a tokens × experts heatmap of the traced router probabilities
(``….moe.router.probs``) with the chosen experts (``….moe.topk.experts``) outlined;
right, the load of each expert (the share of this sentence's tokens sent to it), the
mean router probability of each expert, and the traced load-balancing loss they
make (``….moe.aux_loss = E · Σ f·P``), then which words went to which expert.
Hovering a token's row highlights its experts in the bars.

Which call is shown is decided by ``RouterIndex`` (see ``router_data.py``): the MoE
layer the cursor is in (or the one picked in the chooser, first by default) at the
cursor's decoding step. Decoding re-runs the whole sequence at every step, so the
rows are every token read at that step, the newest last (the note names it). A training
step shows the routing of its forward pass. A model without experts shows one line
saying so.

After a training run (``session.snapshots`` and ``session.snapshot_routing``, kept by
the training view), the side column also charts each layer's load-balancing loss
over the run and, for the layer shown, each expert's load at every snapshot and which
words went to which expert, with a step slider (``train_routing_panel.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from visualizer.panels.router.aux_chart import AuxChart
from visualizer.panels.router.chosen_marks import ChosenMarks
from visualizer.panels.router.router_data import Resolved, RouterIndex, Routing, aux_history
from visualizer.panels.router.router_text import block_name, describe, t
from visualizer.panels.router.train_routing_panel import TrainRoutingPanel
from visualizer.theme import get_scale, ui_font
from visualizer.widgets.heatmap import Heatmap
from visualizer.widgets.hint_stack import HintStack
from visualizer.widgets.note_box import NoteBox
from visualizer.widgets.prob_bars import Bar, ProbBars

if TYPE_CHECKING:
    from core.session import Session
    from core.trace import Step, Trace
    from visualizer.bridge import SessionBridge

WIDE = 760  # pixels (at zoom 1) from which the bars stand beside the heatmap


class RouterView(QWidget):
    def __init__(
        self, session: Session, bridge: SessionBridge, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.index: RouterIndex | None = None
        self.resolved: Resolved | None = None
        self.routing: Routing | None = None
        self.block: str | None = None  # the MoE layer shown (follows the cursor into one)
        self._trace: Trace | None = None
        self._shown: str | None = None  # key of the probabilities in the heatmap
        self._hover: int | None = None  # the token row under the pointer

        self.title = QLabel()
        self.title.setFont(ui_font(13, bold=True))
        self.note_box = NoteBox(9)  # highlighted for a preview, same box either way
        self.note = self.note_box.label
        self.layer_label = QLabel()
        self.layer = QComboBox()
        self.layer.activated.connect(self._on_layer)
        self.heatmap = Heatmap()
        self.heatmap.sigCellHovered.connect(self._on_hover)
        self.heatmap.sigHoverEnded.connect(self._on_hover_end)
        self.marks = ChosenMarks(self.heatmap.plot)
        self.load_title, self.mean_title = QLabel(), QLabel()
        self.load_bars, self.mean_bars = ProbBars(), ProbBars()
        self.aux = QLabel()
        self.words_title, self.words = QLabel(), QLabel()
        self.history_title, self.history = QLabel(), AuxChart()
        self.timeline = TrainRoutingPanel()  # this layer's routing over the training run
        for label in (self.load_title, self.mean_title, self.words_title, self.history_title):
            label.setFont(ui_font(10, bold=True))
        for label in (
            self.title,
            self.aux,
            self.words,
            self.load_title,
            self.mean_title,
            self.history_title,
        ):
            label.setWordWrap(True)  # long texts wrap instead of widening the view
        self.aux.setFont(ui_font(10))
        self.words.setFont(ui_font(10))
        self.words.setTextFormat(Qt.TextFormat.RichText)
        self.words.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

        side = QWidget()
        slay = QVBoxLayout(side)
        slay.setContentsMargins(6, 0, 0, 0)
        slay.setSpacing(2)
        for w in (self.load_title, self.load_bars, self.mean_title, self.mean_bars):
            slay.addWidget(w)
        slay.addWidget(self.aux)
        slay.addSpacing(6)
        slay.addWidget(self.words_title)
        slay.addWidget(self.words)
        slay.addSpacing(6)
        slay.addWidget(self.history_title)
        slay.addWidget(self.history)
        slay.addSpacing(6)
        slay.addWidget(self.timeline)
        slay.addStretch(1)
        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.addWidget(self.heatmap)
        scroll = QScrollArea()  # the bars and words scroll rather than squeeze the heatmap
        scroll.setWidget(side)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.split.addWidget(scroll)
        self.split.setChildrenCollapsible(False)
        self.split.setSizes([500, 500])
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.layer_label)
        head.addWidget(self.layer)
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.setContentsMargins(8, 6, 8, 6)
        lay.setSpacing(4)
        lay.addLayout(head)
        lay.addWidget(self.note_box)
        lay.addWidget(self.split, 1)
        self.stack = HintStack(page)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)

        # bound methods (not lambdas): Qt disconnects them when this view is deleted
        bridge.sigTrace.connect(self._on_trace)
        bridge.sigCursor.connect(self._on_cursor)
        bridge.sigSnapshots.connect(self._on_snapshots)
        bridge.connect_relabel(self._on_lang)
        self._on_trace(session.trace)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Side by side when wide; in a narrow dock the bars go under the heatmap."""
        super().resizeEvent(event)
        wide = event.size().width() >= WIDE * get_scale()
        turn = Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical
        if self.split.orientation() != turn:
            self.split.setOrientation(turn)
            self.split.setSizes([550, 450] if wide else [600, 400])

    # -- updates ---------------------------------------------------------------------
    def _on_trace(self, trace: Trace | None) -> None:
        self._trace = trace
        self.index = RouterIndex(trace) if trace is not None else None
        self._shown = None
        if self.index and self.block not in self.index.blocks:
            self.block = self.index.blocks[0]
        self._follow_cursor()
        self.refresh(relabel=True)
        self._on_snapshots()

    def _on_cursor(self, _: object = None) -> None:
        if self.session.trace is not self._trace:
            self._on_trace(self.session.trace)
            return
        self._follow_cursor()
        self.refresh()

    def _on_lang(self, _: str) -> None:
        self.refresh(relabel=True)
        self._on_snapshots()

    def _on_snapshots(self, _: object = None) -> None:
        """The load-balancing loss of every layer across the last training run, and the
        shown layer's routing of the demo sentence at every snapshot."""
        lang, index = self.session.lang, self.index
        snaps = getattr(self.session, "snapshots", ())
        found = aux_history(snaps, index.blocks) if index else {}
        self.history.set_lines(
            [(block_name(b, lang, item=True), x, y) for b, (x, y) in found.items()],
            t("step_axis", lang),
        )
        self.history_title.setText(t("history_any", lang))
        self.history_title.setVisible(bool(found))
        self.history.setVisible(bool(found))
        self._show_timeline()

    def _show_timeline(self) -> None:
        routing = getattr(self.session, "snapshot_routing", ())
        block = self.block if self.index else None
        self.timeline.show_layer(routing, block, self.session.lang)

    def _follow_cursor(self) -> None:
        """Into the MoE layer the cursor is in; elsewhere the layer stays as it was."""
        step = self._cursor_step()
        found = self.index.block_of(step) if self.index and step is not None else None
        if found is not None:
            self.block = found

    def _cursor_step(self) -> Step | None:
        steps = self.session.trace.steps
        if not steps:
            return None
        return steps[max(0, min(self.session.cursor, len(steps) - 1))]

    def refresh(self, relabel: bool = False) -> None:
        """Bring every part up to date with the session; cheap when nothing changed."""
        lang, index, step = self.session.lang, self.index, self._cursor_step()
        self.stack.hint.setText(t("none", lang))
        if relabel:
            self._relabel()
        res = index.resolve(step, self.block) if index and step and self.block else None
        self.resolved = res
        self.stack.show_content(res is not None)
        if res is None or index is None or step is None:
            self.routing = None
            return
        routing = index.routing(res.call)
        self.routing = routing
        texts = describe(res, routing, step.index, self.session.mode == "train", lang)
        self.title.setText(texts.title)
        self.note_box.set_note(texts.note, texts.preview)
        self.layer.setCurrentIndex(index.blocks.index(res.call.block))
        if self.timeline.block != res.call.block:
            self._show_timeline()  # another layer: its routing over training
        if res.call.probs.key != self._shown or relabel:
            experts = [t("expert", lang, e=e) for e in range(routing.n_experts)]
            self.heatmap.set_matrix(
                routing.probs, routing.tokens, experts, mode="probability", title=texts.heat
            )
            self._shown = res.call.probs.key
            self._hover = None
        self.marks.set_cells(routing.cells())
        self.load_title.setText(texts.load)
        self.mean_title.setText(texts.mean)
        self.aux.setText(texts.aux)
        self.aux.setVisible(bool(texts.aux))
        self.words.setText(self._words_html(routing))
        rows = max(5, routing.n_experts)  # ProbBars keeps room for at least five
        for bars in (self.load_bars, self.mean_bars):
            bars.setMinimumHeight(round(rows * 24 * get_scale()) + 4)
        self._set_bars()

    def _set_bars(self) -> None:
        """Load and mean probability per expert; the hovered token's experts highlighted."""
        r, lang = self.routing, self.session.lang
        if r is None:
            return
        mine: set[int] = set()
        if self._hover is not None and 0 <= self._hover < len(r.chosen):
            mine = {int(e) for e in r.chosen[self._hover]}
        names = [t("expert", lang, e=e) for e in range(r.n_experts)]
        self.load_bars.set_bars(
            [Bar(names[e], float(r.share[e]), e in mine) for e in range(r.n_experts)]
        )
        self.mean_bars.set_bars(
            [Bar(names[e], float(r.mean_prob[e]), e in mine) for e in range(r.n_experts)]
        )

    def _words_html(self, r: Routing) -> str:
        lang = self.session.lang
        rows = []
        for e, words in enumerate(r.words):
            shown = " · ".join(_escape(w) for w in words) if words else t("nothing", lang)
            rows.append(f"<b>{_escape(t('expert', lang, e=e))}</b> ({len(words)}): {shown}")
        return "<br>".join(rows)

    def _relabel(self) -> None:
        lang, index = self.session.lang, self.index
        self.layer_label.setText(t("layer", lang))
        self.layer.setToolTip(t("layer_tip", lang))
        self.words_title.setText(t("words", lang))
        blocks = index.blocks if index else []
        self.layer.clear()
        self.layer.addItems([block_name(b, lang, item=True) for b in blocks])
        self.layer_label.setVisible(len(blocks) > 1)
        self.layer.setVisible(len(blocks) > 1)

    # -- controls (they only change which layer this view shows) ---------------------
    def _on_layer(self, i: int) -> None:
        if self.index and 0 <= i < len(self.index.blocks):
            self.block = self.index.blocks[i]
            self.refresh()

    def _on_hover(self, row: int, _col: int) -> None:
        if row != self._hover:
            self._hover = row
            self._set_bars()

    def _on_hover_end(self) -> None:
        self._hover = None
        self._set_bars()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
