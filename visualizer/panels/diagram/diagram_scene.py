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
from visualizer.panels.diagram.diagram_layout import Shape
from visualizer.panels.diagram.diagram_text import (
    ABBR,
    BOX,
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
        self._chosen: dict[int | None, str] = {}
        self.shape = Shape.of(session.bundle.cfg, index.trace.meta.get("arch"))
        self.boxes = self.shape.boxes()
        self.dim = {b for b in self.boxes if not index.count(b)}  # never ran in this trace
        if index.classification:  # the label box shows the softmax's most likely label
            self.dim.discard("output")
        self.relabel(session.lang)

    def relabel(self, lang: str) -> None:
        sh, answer = self.shape, self.index.translation or self.index.classification
        self.lang = lang
        arch, pic = sh.arch, sh.picture
        self.labels = {b: box_label(b, lang, answer, BOX, arch, pic) for b in self.boxes}
        self.short = {b: short_label(b, lang) for b in self.boxes}
        layers = sh.layers()
        self.legends = {la: layer_label(la, n, lang) for la, n in layers}
        self.alt = {b: box_label(b, lang, answer, ABBR, arch, pic) for b in self.boxes}
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
        s, lang = self.session, self.lang
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
        sc.lit, sc.lit_alt = self.lit(step, self.labels), self.lit(step, self.alt)
        arch = self.shape.arch
        if arch == "encoder-decoder":
            self._translator(sc, t, step)
        elif arch == "decoder-only":
            self._gpt(sc, t, step)
        else:
            self._classifier(sc, step)
        return sc

    def _translator(self, sc: Scene, t: int | None, step: Step | None) -> None:
        """Source under the encoder, the decoder's input under the decoder."""
        s, lang, index = self.session, self.lang, self.index
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
        self._answer(sc, chosen)

    def _gpt(self, sc: Scene, t: int | None, step: Step | None) -> None:
        """One sequence, prompt and answer together, under the one stack."""
        s, lang, index = self.session, self.lang, self.index
        seq = index.tokens("tgt", 0 if t is None else t, safe(s.bundle.tgt_tok.token))
        sc.tokens = {"tgt": seq}
        from core.prompt_task import translates

        # the built-in GPT answers "source ="; a language model (GPT-2) continues the text
        sc.captions = {"tgt": ui("gpt_caption" if translates(s.bundle) else "lm_caption", lang)}
        chosen = self.chosen(t, step)
        if index.translation and t is not None:
            prompt = len(index.trace.meta.get("src_tokens", []))
            sc.title = ui("decoding", lang, t=t, k=t + 1, n=index.n_decode)
            sc.sentence, sc.sentence_next = " ".join(seq[prompt:]), chosen or "?"
        else:
            sc.title = ui("other", lang, phase=sc.phase_text, name=step.name if step else "")
            sc.sentence = " ".join(seq)
        self._answer(sc, chosen)

    def _classifier(self, sc: Scene, step: Step | None) -> None:
        """[CLS] + the sentence (or + the picture's patches) under the encoder stack."""
        s, lang, index = self.session, self.lang, self.index
        meta = index.trace.meta
        if self.shape.picture:
            n = self.n_patches()
            named = [str(w) for w in meta.get("src_tokens", [])]  # [CLS], ▦1 … ▦n
            sc.tokens = {
                "src": named
                if len(named) == n + 1
                else ["[CLS]"] + [ui("patch", lang, k=k + 1) for k in range(n)]
            }
            sc.captions = {"src": ui("patch_caption", lang, n=n)}
        else:
            sc.tokens = {"src": index.tokens("src", None, safe(s.bundle.src_tok.token))}
            sep = [str(w) for w in meta.get("src_tokens", [])][-1:] == ["[SEP]"]  # a BERT's own
            sc.captions = {"src": ui("cls_sep_caption" if sep else "cls_caption", lang)}
        source = str(meta.get("source", ""))
        if index.classification:
            chosen = self.chosen(None, step)
            sc.title = ui("classify_pic" if self.shape.picture else "classify", lang)
            picture = ui("picture", lang, name=source)
            sc.sentence = picture if self.shape.picture else source
            sc.sentence_next = chosen or "?"
            self._answer(sc, chosen)
        else:
            sc.title = ui("other", lang, phase=sc.phase_text, name=step.name if step else "")
            sc.sentence = source if isinstance(meta.get("source"), str) else ""

    def _answer(self, sc: Scene, chosen: str | None) -> None:
        if chosen and (self.index.translation or self.index.classification):
            sc.labels = {**sc.labels, "output": f"{self.labels['output']}: {chosen}"}
            sc.alt = {**self.alt, "output": chosen}  # when the full label does not fit

    def n_patches(self) -> int:
        """How many patches the picture was cut into (the trace's ``src.patches``)."""
        patches = self.index.trace.tensors.get("src.patches")
        return int(patches.shape[1]) if patches is not None else 0

    def lit(self, step: Step | None, labels: dict[str, str]) -> dict[str, str]:
        """Expert box -> its label with the router's weight, for the chosen experts."""
        out = {}
        for box, w in self.index.experts(step).items():
            label = labels.get(box, box)
            out[box] = label if w is None else ui("lit", self.lang, label=label, w=f"{w:.2f}")
        return out

    def chosen(self, t: int | None, step: Step | None) -> str | None:
        """The token picked at decoding step t, once the cursor has reached the pick (a
        classifier: its most likely label, once the cursor has reached the softmax)."""
        if self.index.classification:
            return self._label(step)
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

    def _label(self, step: Step | None) -> str | None:
        soft = self.index.groups.get("softmax", {}).get(("forward", None), [])
        if step is None or not soft or step.index < soft[0]:
            return None
        if None not in self._chosen:
            trace = self.session.trace
            probs = trace.value(trace.steps[soft[0]].key).reshape(-1)  # (labels,)
            best = int(probs.argmax())
            labels = list(trace.meta.get("labels", []))
            name = labels[best] if best < len(labels) else str(best)
            self._chosen[None] = f"{name} {percent(float(probs[best]))}"
        return self._chosen[None]

    def tooltip(self, box: str | None, step: Step | None) -> str:
        if box is None:
            return ""
        label, steps = self.labels.get(box, box), self.session.trace.steps
        here = self.index.ops(box, step)
        if not here:
            return ui("tip_none", self.lang, label=label)
        tip = ui(
            "tip",
            self.lang,
            label=label,
            n=len(here),
            total=self.index.count(box),
            first=steps[here[0]].key,
        )
        w = self.index.experts(step).get(box)
        if w is not None:  # an expert the router chose for the current token
            tip += "\n" + ui("lit_tip", self.lang, w=f"{w:.2f}")
        return tip


def safe(token: Callable[[int], str]) -> Callable[[int], str]:
    """A vocabulary lookup that shows the id when a trace came from another vocabulary."""

    def label(i: int) -> str:
        try:
            return token(i)
        except (IndexError, KeyError):
            return str(i)

    return label
