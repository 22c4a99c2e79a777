"""What the diagram says at the cursor: labels, header, token chips, op pills (no drawing).

``SceneTexts`` is built once per trace and language; ``scene(box, step, n_pills)`` is
called on every repaint and only looks things up (the chosen token per decoding step
is read from the trace once and cached).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from visualizer.i18n import tr
from visualizer.panels.diagram.diagram_frame import Scene
from visualizer.panels.diagram.diagram_index import DiagramIndex, op_name
from visualizer.panels.diagram.diagram_layout import all_boxes
from visualizer.panels.diagram.diagram_text import (
    ABBR,
    box_label,
    kind,
    layer_label,
    op_label,
    short_label,
    ui,
)
from visualizer.widgets.numbers import percent

if TYPE_CHECKING:
    from core.session import Session
    from core.trace import Step


class SceneTexts:
    def __init__(self, session: Session, index: DiagramIndex) -> None:
        self.session, self.index = session, index
        self._chosen: dict[int, str] = {}
        cfg = session.bundle.cfg
        self.boxes = all_boxes(cfg.n_enc_layers, cfg.n_dec_layers, cfg.final_norm, cfg.final_norm)
        self.dim = {b for b in self.boxes if not index.count(b)}  # never ran in this trace
        self.relabel(session.lang)

    def relabel(self, lang: str) -> None:
        cfg, translation = self.session.bundle.cfg, self.index.translation
        self.lang = lang
        self.labels = {b: box_label(b, lang, translation) for b in self.boxes}
        self.short = {b: short_label(b, lang) for b in self.boxes}
        layers = [
            (f"{side}.{i}", n)
            for side, n in (("enc", cfg.n_enc_layers), ("dec", cfg.n_dec_layers))
            for i in range(n)
        ]
        self.legends = {la: layer_label(la, n, lang) for la, n in layers}
        self.alt = {b: box_label(b, lang, translation, ABBR) for b in self.boxes}
        self.alt.update({la: layer_label(la, n, lang, short=True) for la, n in layers})

    def ops(self, box: str | None, step: Step | None, n: int) -> list[int]:
        """Step indices of the (at most n) pills of the box; a window around the cursor."""
        ops = self.index.ops(box, step) if box and step else []
        if len(ops) <= n or step is None:
            return ops[:n]
        at = ops.index(step.index) if step.index in ops else 0
        start = max(0, min(len(ops) - n, at - n // 2))
        return ops[start : start + n]

    def scene(self, box: str | None, step: Step | None, n_pills: int) -> Scene:
        s, lang, index = self.session, self.lang, self.index
        steps = s.trace.steps
        ops = self.ops(box, step, n_pills)
        act, k = s.bundle.cfg.activation, kind(box or "")
        pills = [
            ("∂" if steps[i].phase == "backward" else "")
            + op_label(op_name(box or "", steps[i].name), lang, k, act)
            for i in ops
        ]
        sc = Scene(
            labels=self.labels,
            legends=self.legends,
            short=self.short,
            alt=self.alt,
            current=box,
            pills=pills,
            memory=ui("memory", lang),
            kv=ui("kv", lang),
            dim=self.dim,
        )
        sc.pill_current = ops.index(step.index) if step and step.index in ops else None
        t = step.t if step else None
        sc.phase = step.phase if step else "forward"
        sc.phase_text = tr(sc.phase, lang)
        src = index.tokens("src", None, safe(s.bundle.src_tok.token))
        tgt = index.tokens("tgt", 0 if t is None else t, safe(s.bundle.tgt_tok.token))
        sc.tokens = {"src": src, "tgt": tgt}
        sc.captions = {"src": ui("src_caption", lang), "tgt": ui("tgt_caption", lang)}
        chosen = self.chosen(t, step)
        if index.translation and t is not None:
            sc.title = ui("decoding", lang, t=t, k=t + 1, n=index.n_decode)
            sc.sentence, sc.sentence_next = " ".join(tgt[1:]), chosen or "?"
        elif index.translation:
            sc.title, sc.sentence = ui("encoding", lang), " ".join(src)
        else:
            sc.title = ui("other", lang, phase=sc.phase_text, name=step.name if step else "")
            sc.sentence = " ".join(tgt)
        if chosen and index.translation:
            sc.labels = {**sc.labels, "output": f"{self.labels['output']}: {chosen}"}
            sc.alt = {**self.alt, "output": chosen}  # when the full label does not fit
        return sc

    def chosen(self, t: int | None, step: Step | None) -> str | None:
        """The token picked at decoding step t, once the cursor has reached the pick."""
        pick = self.index.groups.get("output", {}).get(("decode", t), [])
        if t is None or step is None or not pick or step.index < pick[0]:
            return None
        if t not in self._chosen:
            trace = self.session.trace
            key = trace.steps[pick[0]].key
            tid = int(trace.value(key).reshape(-1)[0])
            probs = trace.tensors.get(key.replace("next.token", "next.probs"))
            word = safe(self.session.bundle.tgt_tok.token)(tid)
            p = float(probs.reshape(-1)[tid]) if probs is not None else None
            self._chosen[t] = word if p is None else f"{word} {percent(p)}"
        return self._chosen[t]

    def tooltip(self, box: str | None, step: Step | None) -> str:
        if box is None:
            return ""
        label, steps = self.labels.get(box, box), self.session.trace.steps
        here = self.index.ops(box, step)
        if not here:
            return ui("tip_none", self.lang, label=label)
        return ui(
            "tip",
            self.lang,
            label=label,
            n=len(here),
            total=self.index.count(box),
            first=steps[here[0]].key,
        )


def safe(token: Callable[[int], str]) -> Callable[[int], str]:
    """A vocabulary lookup that shows the id when a trace came from another vocabulary."""

    def label(i: int) -> str:
        try:
            return token(i)
        except (IndexError, KeyError):
            return str(i)

    return label
