"""The decoding panel: the translation growing token by token, and why each token won.

For the cursor's decoding step ``t`` it shows the tokens generated so far (the one
being produced is "?" until the cursor reaches ``t{t}/next.token``), the top five
next-token probabilities exactly as traced in ``t{t}/next.probs`` (the chosen one
highlighted), and with beam search the tree of hypotheses up to ``t``. The strategy
controls only call ``session.set_decode``; the new run arrives on ``sigTrace``.
A classifier (encoder-only) decodes nothing: one line says so instead. A pre-trained
BERT fills its ``[MASK]``s at once: the view shows ``FillMaskView`` instead.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from visualizer.i18n import tr
from visualizer.panels.decoding.beam_tree import BeamTree, winning_path
from visualizer.panels.decoding.decode_controls import DecodeControls
from visualizer.panels.decoding.decoding_candidates import QUIET, closest_step, listed
from visualizer.panels.decoding.decoding_text import STRINGS
from visualizer.panels.decoding.fill_mask_data import is_fill_trace
from visualizer.panels.decoding.fill_mask_view import FillMaskView
from visualizer.panels.decoding.token_strip import Chip, TokenStrip
from visualizer.theme import MUTED, get_scale, ui_font
from visualizer.widgets.hint_stack import HintStack
from visualizer.widgets.numbers import percent
from visualizer.widgets.prob_bars import Bar, ProbBars

if TYPE_CHECKING:
    from core.session import Session
    from visualizer.bridge import SessionBridge

TOP = 5
HISTORY = 12  # chosen-token probabilities shown when there is no beam tree
WIDE = 760  # from this width on, bars and beam tree sit side by side


class DecodingView(QWidget):
    def __init__(
        self, session: Session, bridge: SessionBridge, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.controls = DecodeControls()
        self.gen_title = self._label(11, bold=True)
        self.strip = TokenStrip()
        self.status = self._label(10)
        self.status.setStyleSheet(f"color: {MUTED}")
        self.status.setWordWrap(True)
        self.bars_title = self._label(10, bold=True)
        self.bars_title.setWordWrap(True)
        self.bars = ProbBars()
        # sampling: the same step at T = 1, beside what temperature and the filters made of it
        self.plain_title = self._label(10, bold=True)
        self.plain_title.setWordWrap(True)
        self.plain_bars = ProbBars()
        self.closest = QPushButton()
        self.closest.setFont(ui_font(9))
        self.how = self._label(9)
        self.how.setWordWrap(True)
        self.how.setStyleSheet(f"color: {MUTED}")
        self.tree_title = self._label(9)
        self.tree_title.setWordWrap(True)
        self.tree = BeamTree()
        self.hist_title = self._label(10, bold=True)
        self.hist_title.setWordWrap(True)
        self.hist = ProbBars()
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.setContentsMargins(8, 8, 8, 8)
        lay.setSpacing(5)
        for w in (self.controls, self.gen_title, self.strip, self.status):
            lay.addWidget(w)
        self.body = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.body.setSpacing(8)
        left, right = QVBoxLayout(), QVBoxLayout()
        columns = QHBoxLayout()  # T = 1 | tempered and filtered (only the second unless sampling)
        columns.setSpacing(10)
        for title, bars in ((self.plain_title, self.plain_bars), (self.bars_title, self.bars)):
            column = QVBoxLayout()
            column.setSpacing(3)
            column.addWidget(title)
            column.addWidget(bars)
            column.addStretch(1)
            columns.addLayout(column, 1)
        left.setSpacing(3)
        left.addLayout(columns)
        left.addWidget(self.how)
        left.addWidget(self.closest)
        right.setSpacing(3)
        for widget in (self.tree_title, self.tree, self.hist_title, self.hist):
            right.addWidget(widget)
        left.addStretch(1)
        right.setStretchFactor(self.tree, 1)
        right.addStretch(0)
        self.body.addLayout(left, 0)
        self.body.addLayout(right, 1)
        lay.addLayout(self.body, 1)
        self.stack = HintStack(page)  # a classifier's trace: nothing to decode
        self.fill = FillMaskView(session, bridge)  # a pre-trained BERT's [MASK]s instead
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)
        outer.addWidget(self.fill)
        # per trace
        self._t: dict[int, tuple[int, int, int]] = {}  # t -> (first, next.probs, next.token)
        self._chosen: dict[int, int] = {}
        self._top: dict[int, list[tuple[int, float]]] = {}
        self._first = 0
        self._targets: list[int] = []  # chip -> step index to seek to
        self._shown_t: int | None = None
        # bound methods, not lambdas: Qt drops them when this widget is deleted
        self.controls.sigChanged.connect(self._on_controls)
        self.strip.sigChipClicked.connect(self._on_chip)
        self.closest.clicked.connect(self._on_closest)
        bridge.sigTrace.connect(self._on_trace)
        bridge.sigCursor.connect(self._on_cursor)
        bridge.connect_relabel(self._relabel)
        bridge.sigDecode.connect(self.controls.set_settings)
        self.controls.set_settings(session.decode)
        self._on_trace()
        self._relabel()

    @staticmethod
    def _label(pt: int, bold: bool = False) -> QLabel:
        lab = QLabel()
        lab.setFont(ui_font(pt, bold))
        return lab

    # -- per trace -------------------------------------------------------------------
    def _on_controls(self, changes: dict) -> None:
        self.session.set_decode(**changes)

    def _on_cursor(self, _: int) -> None:
        self.refresh()

    def _on_trace(self, _: object = None) -> None:
        trace = self.session.trace
        self._t, self._chosen, self._top = {}, {}, {}
        for s in trace.steps:
            if s.phase == "decode" and s.t is not None:
                first, probs, token = self._t.get(s.t, (s.index, -1, -1))
                if s.name == "next.probs":
                    probs = s.index
                elif s.name == "next.token":
                    token = s.index
                    self._chosen[s.t] = int(trace.value(s.key).reshape(-1)[0])
                self._t[s.t] = (first, probs, token)
        self._t = {t: v for t, v in self._t.items() if v[1] >= 0 and v[2] >= 0}
        self._first = min((v[0] for v in self._t.values()), default=len(trace.steps))
        self.stack.show_content(trace.meta.get("arch") != "encoder-only")
        fills = is_fill_trace(trace)
        self.stack.setVisible(not fills)
        self.fill.setVisible(fills)
        self.gen_title.setText(tr(STRINGS[self._words("generated")], self.session.lang))
        tr_ = self.session.translation
        gen = tr_.generation if tr_ is not None else None
        tree = list(gen.tree) if gen is not None and len(gen.choices) == len(self._t) else []
        self.tree.set_tree(tree, [self.token(n.token) for n in tree])
        width = max((sum(1 for n in tree if n.t == t) for t in {n.t for n in tree}), default=0)
        self.tree_title.setText(tr(STRINGS["tree"], self.session.lang).format(k=width))
        d = self.session.decode
        how = tr(STRINGS[self._words(f"how_{d.strategy}")], self.session.lang)
        how = how.format(
            k=d.beam, T=f"{d.temperature:g}", p=f"{d.top_p:g}", s=d.seed, topk=d.top_k or "–"
        )
        if d.strategy == "sample" and self.session.bundle.cfg.arch != "decoder-only":
            space = "" if self.session.lang == "zh" else " "  # Chinese runs sentences on
            how += space + tr(STRINGS["try_sample"], self.session.lang)
        self.how.setText(how)
        self._shown_t = None
        self.refresh()

    def token(self, token_id: int) -> str:
        return self.session.bundle.tgt_tok.token(int(token_id))

    def top(self, t: int) -> list[tuple[int, float]]:
        """The traced top-5 (id, probability) of decoding step t that could be drawn
        (``decoding_candidates.listed``), cached per trace."""
        if t not in self._top:
            p = self.session.trace.value(f"t{t}/next.probs").reshape(-1)
            order = np.argsort(-p, kind="stable")[: TOP + len(QUIET)]
            self._top[t] = listed([(int(i), float(p[i])) for i in order], self.token, TOP)
        return self._top[t]

    def plain(self, t: int) -> list[tuple[int, float]]:
        """Sampling: step t's top candidates at temperature 1 (``Choice.plain``, computed
        by the decoder from the same logits); [] for greedy and beam."""
        result = self.session.translation
        choices = result.generation.choices if result is not None else []
        if len(choices) != len(self._t) or not 0 <= t < len(choices):
            return []
        return listed(choices[t].plain, self.token, TOP)

    def _on_closest(self) -> None:
        """Go to the step (its probabilities) where the two best candidates are closest."""
        tops = {t: self.plain(t) or self.top(t) for t in self._t}
        t = closest_step(tops)
        if t is not None:
            self.session.seek(self._t[t][1])

    def prob(self, t: int, token_id: int) -> float:
        return float(self.session.trace.value(f"t{t}/next.probs").reshape(-1)[token_id])

    def _continues(self) -> bool:
        """A plain language model (a Hugging Face GPT-2) continues the text: no "=", no
        translation (the built-in GPT answers its prompt ``source =``)."""
        from core.prompt_task import translates

        bundle = self.session.bundle
        return bundle.cfg.arch == "decoder-only" and not translates(bundle)

    def _words(self, key: str) -> str:
        """``key``, or its language-model wording ``{key}_lm`` where one exists."""
        return f"{key}_lm" if self._continues() and f"{key}_lm" in STRINGS else key

    def _is_end(self, token_id: int) -> bool:
        """<eos>, or a checkpoint's own end token (GPT-2's ``<|endoftext|>``)."""
        eos = getattr(self.session.bundle.tgt_tok, "eos_id", None)
        return self.token(token_id) == "<eos>" or (eos is not None and int(token_id) == eos)

    def _start(self) -> str:
        """What the answer follows: the translator's decoder starts from <bos> (a Marian
        checkpoint from its own start token, which the trace names), the built-in GPT from
        its prompt, which ends in "=", a language model from the text."""
        if self.session.bundle.cfg.arch != "decoder-only":
            return str(self.session.trace.meta.get("tgt_start", "<bos>"))
        return "…" if self._continues() else "… ="

    # -- per cursor ------------------------------------------------------------------
    def refresh(self) -> None:
        s, lang = self.session, self.session.lang
        beam = bool(self.tree.nodes)
        for w in (self.tree, self.tree_title):
            w.setVisible(beam)
        for h in (self.hist, self.hist_title):
            h.setVisible(not beam)
        self._arrange()
        if not 0 <= s.cursor < len(s.trace.steps):
            return  # a new, shorter trace: the cursor event follows
        if not self._t:
            self._set_chips([Chip(self._start(), kind="bos", clickable=False)], [])
            self.status.setText(tr(STRINGS["none"], lang))
            self.bars_title.setText(tr(STRINGS["bars_wait"], lang))
            self.bars.set_bars([], message=tr(STRINGS["none"], lang))
            self.hist.set_bars([])
            return
        step, last = s.step, max(self._t)
        if step.t is None and step.index < self._first:
            self._set_chips(
                [
                    Chip(self._start(), kind="bos"),
                    Chip(tr(STRINGS["waiting"], lang), kind="note", clickable=False),
                ],
                [self._first, -1],
            )
            self.status.setText(tr(STRINGS["encoder"], lang))
            self.bars_title.setText(tr(STRINGS["bars_wait"], lang))
            self.bars.set_bars([], message=tr(STRINGS["no_probs"], lang))
            self.hist.set_bars([])
            self.tree.set_state(-1, winning_path(self.tree.nodes, self._chosen, -1))
            self._shown_t = None
            return
        t = min(step.t if step.t is not None else last, last)
        _, probs_at, token_at = self._t[t]
        produced, ready = s.cursor >= token_at, s.cursor >= probs_at
        chips, targets = [Chip(self._start(), kind="bos")], [self._first]
        for i in range(t + 1):
            tok = self._chosen[i]
            if i == t and not produced:
                chips.append(Chip("?", "", "pending", clickable=False))
            else:
                kind = "eos" if self._is_end(tok) else ("current" if i == t else "done")
                chips.append(Chip(self.token(tok), percent(self.prob(i, tok)), kind))
            targets.append(self._t[i][2])
        self._set_chips(chips, targets)
        self._status(t, last, produced)
        end = t + 1 if produced else t
        done = range(max(0, end - HISTORY), end)
        self.hist.set_bars(
            [
                Bar(
                    f"t{i}  {self.token(self._chosen[i])}",
                    self.prob(i, self._chosen[i]),
                    chosen=i == t,
                )
                for i in done
            ],
            message=tr(STRINGS["nothing"], lang),
        )
        title = tr(STRINGS["bars"], lang).format(t=t, k=TOP)
        plain = self.plain(t)
        self.plain_bars.setVisible(bool(plain))
        self.plain_title.setVisible(bool(plain))
        chosen = self._chosen[t]
        if plain:
            d = s.decode
            self.plain_title.setText(tr(STRINGS["plain"], lang).format(t=t))
            self.plain_bars.set_bars(
                [Bar(self.token(i), p, produced and i == chosen) for i, p in plain]
            )
            title = tr(STRINGS["tempered"], lang).format(
                T=f"{d.temperature:g}", topk=d.top_k or "–", p=f"{d.top_p:g}"
            )
        self.bars_title.setText(title + ("" if ready else tr(STRINGS["pending"], lang)))
        bars = [Bar(self.token(i), p, chosen=produced and i == chosen) for i, p in self.top(t)]
        if produced and chosen not in {i for i, _ in self.top(t)}:  # sampled from the tail
            bars.append(Bar(self.token(chosen), self.prob(t, chosen), True, detached=True))
        self.bars.set_bars(
            bars, pending=not ready, animate=s.animate and self._shown_t not in (None, t)
        )
        self._shown_t = t
        limit = (math.inf if t == last else t) if produced else t - 1
        self.tree.set_state(limit, winning_path(self.tree.nodes, self._chosen, limit))

    def _status(self, t: int, last: int, produced: bool) -> None:
        lang = self.session.lang
        if produced and t == last:
            ended = self._is_end(self._chosen[last])
            n = last if ended else last + 1
            key = self._words("eos" if ended else "limit")
            self.status.setText(tr(STRINGS[key], lang).format(n=n))
        elif produced:
            tok = self._chosen[t]
            self.status.setText(
                tr(STRINGS["produced"], lang).format(
                    t=t, tok=self.token(tok), p=percent(self.prob(t, tok))
                )
            )
        else:
            self.status.setText(tr(STRINGS["producing"], lang).format(t=t, n=t + 1))

    def _set_chips(self, chips: list[Chip], targets: list[int]) -> None:
        self._targets = targets
        self.strip.set_chips(chips)

    def _on_chip(self, i: int) -> None:
        if 0 <= i < len(self._targets) and self._targets[i] >= 0:
            self.session.seek(self._targets[i])

    def _relabel(self, _: str = "") -> None:
        lang = self.session.lang
        self.controls.relabel(lang)
        self.stack.hint.setText(tr(STRINGS["classifier"], lang))
        self.hist_title.setText(tr(STRINGS["history"], lang))
        self.closest.setText(tr(STRINGS["closest"], lang))
        self.tree.start_label = tr(STRINGS["start"], lang)
        self.tree.update()
        self.closest.setToolTip(tr(STRINGS["closest_tip"], lang))
        self._on_trace()

    def _arrange(self) -> None:
        """Side by side from ``WIDE`` zoomed pixels on: the bars are drawn at the zoom, so
        at 200 % two columns need twice the width (else the top-5 got a sliver)."""
        wide = self.width() >= WIDE * get_scale()
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        if self.body.direction() != direction:
            self.body.setDirection(direction)
            self.body.setStretch(0, 2 if wide else 0)
            self.body.setStretch(1, 3 if wide else 1)

    def resizeEvent(self, event: object) -> None:
        self._arrange()

    def apply_scale(self, _scale: float) -> None:
        """The presentation zoom changed: the columns' threshold follows it."""
        self._arrange()
