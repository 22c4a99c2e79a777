"""The worked arithmetic under the neuron figure: the current step's formula with the run's
real numbers, and the whole forward pass z = f(w1·a1 + w2·a2 + w3·a3 + b) worked out.

Why text, not a picture: a learner should be able to redo every number with a pocket
calculator, so each line writes the operands exactly as the trace holds them (rounded
to 3 decimals) and the result the engine computed, never a value recomputed here.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from PySide6.QtGui import QColor

from visualizer.rooms.neuron.neuron_state import FigureState
from visualizer.rooms.neuron.neuron_text import act_name, num, par, t
from visualizer.theme import MUTED, PHASE_COLORS, TEXT

if TYPE_CHECKING:
    from core.basics.neuron_lab import NeuronLab
    from core.trace import Step

SUB = "₁₂₃"


def narration_html(step: Step, lang: str) -> str:
    """The step's narration: title in its phase colour, the text, the formula."""
    from core.narration import narrate  # reads JSON only; no PyTorch

    try:
        n = narrate(step.narration, lang)
    except KeyError:
        return step.name
    color = PHASE_COLORS.get(step.phase, TEXT)
    return f"<b style='color:{color}'>{n.title}</b> &nbsp; {n.text}<br><i>{n.formula}</i>"


def status_html(lab: NeuronLab, lang: str) -> str:
    """Which sample the trace is about, and whether it is a preview or an applied step."""
    meta = lab.trace.meta
    if lab.sample is None:
        head = t("typed", lang)
    else:
        head = f"{t('sample', lang)} #{lab.sample} · y = {num(lab.data.train_y[lab.sample], 2)}"
    tail = t("preview", lang) if lab.sample is not None else ""
    if meta.get("applied"):
        tail = t("applied", lang).format(n=lab.history.steps)
        if "loss_after" in meta:
            tail += f" · {t('loss_after', lang)}: {num(meta['loss'])} → {num(meta['loss_after'])}"
    color = PHASE_COLORS["update"] if meta.get("applied") else MUTED
    return f"{head} &nbsp; <span style='color:{color}'>{tail}</span>"


def _c(text: str, phase: str) -> str:
    """Text in its phase's colour, darkened so the light update/loss hues stay readable."""
    color = QColor(PHASE_COLORS.get(phase, "#1d1d1f")).darker(135 if phase == "update" else 110)
    return f"<span style='color:{color.name()}'>{text}</span>"


def _apart(parts: list[str]) -> str:
    """Formulas side by side that wrap between them, never inside one (a formula cut
    after its "−" reads as another formula on a projector)."""
    return "&nbsp;&nbsp; ".join(part.replace(" ", "&nbsp;") for part in parts)


def forward_line(st: FigureState, activation: str, lang: str) -> str:
    """z = f(w1·a1 + w2·a2 + w3·a3 + b) with numbers, as far as the run has got."""
    f = act_name(activation, lang)
    head = f"z = f(w{SUB[0]}·a{SUB[0]} + w{SUB[1]}·a{SUB[1]} + w{SUB[2]}·a{SUB[2]} + b)"
    if st.a is None:
        return head
    terms = " + ".join(f"{par(st.w[i])}×{par(st.a[i])}" for i in range(3))
    text = f"{head} = {f}({terms} + {par(st.b)})"
    if st.s is not None:
        text += f" = {f}({num(st.s)})"
    if st.z is not None:
        text += f" = <b>{num(st.z)}</b>"
    return text


def step_line(st: FigureState, activation: str, lang: str) -> str:
    """The current step's own arithmetic, in its phase colour."""
    step = st.step
    if step is None:
        return ""
    key, ph = (step.phase, step.name), step.phase
    a, w = st.a or [0.0] * 3, st.w
    if key == ("forward", "neuron.inputs"):
        feats = ", ".join(f"a{SUB[i]} = {num(a[i])}" for i in range(3))
        return _c(feats, ph)
    if key == ("forward", "neuron.w"):
        return _c(", ".join(f"w{SUB[i]} = {num(w[i])}" for i in range(3)), ph)
    if key == ("forward", "neuron.b"):
        return _c(f"b = {num(st.b)}", ph)
    if key == ("forward", "neuron.weighted") and st.wa:
        parts = [
            f"w{SUB[i]}·a{SUB[i]} = {par(w[i])}×{par(a[i])} = {num(st.wa[i])}" for i in range(3)
        ]
        return _c(_apart(parts), ph)
    if key == ("forward", "neuron.sum") and st.wa and st.s is not None:
        terms = " + ".join(par(v) for v in st.wa)
        return _c(f"s = {terms} + {par(st.b)} = <b>{num(st.s)}</b>", ph)
    if key == ("forward", "neuron.out") and st.z is not None:
        return _c(f"z = {act_name(activation, lang)}({num(st.s or 0)}) = <b>{num(st.z)}</b>", ph)
    if key == ("loss", "target") and st.y is not None:
        return _c(f"y = {num(st.y)}", ph)
    if key == ("loss", "loss") and st.loss is not None:
        return _c(
            f"L = (z − y)² = ({num(st.z or 0)} − {par(st.y or 0)})² = <b>{num(st.loss)}</b>", ph
        )
    return _backward_or_update(st, activation, lang)


def _backward_or_update(st: FigureState, activation: str, lang: str) -> str:
    step = st.step
    assert step is not None
    key, ph, g = (step.phase, step.name), step.phase, st.g
    if key == ("backward", "loss"):
        return _c("∂L/∂L = 1", ph)
    if key == ("backward", "neuron.out"):
        gz_text = num(g("neuron.out") or 0)
        zy = f"2×({num(st.z or 0)} − {par(st.y or 0)})"
        return _c(f"∂L/∂z = 2·(z − y) = {zy} = <b>{gz_text}</b>", ph)
    if key == ("backward", "neuron.sum"):
        gz, gs = g("neuron.out") or 0.0, g("neuron.sum") or 0.0
        slope = par(gs / gz) if gz and math.isfinite(gz) else "f′(s)"
        text = f"∂L/∂s = ∂L/∂z · f′(s) = {par(gz)}×{slope} = <b>{num(gs)}</b>"
        if activation == "step":
            text += f" &nbsp;— {t('dead', lang)}"
        return _c(text, ph)
    if key == ("backward", "neuron.b"):
        return _c(f"∂L/∂b = ∂L/∂s = <b>{num(g('neuron.b') or 0)}</b>", ph)
    if key == ("backward", "neuron.weighted"):
        gw = num(g("neuron.weighted") or 0)
        return _c(
            f"∂L/∂(w<sub>i</sub>·a<sub>i</sub>) = ∂L/∂s = <b>{gw}</b> &nbsp;({t('each', lang)})", ph
        )
    if key == ("backward", "neuron.w"):
        gs, a = g("neuron.sum") or 0.0, st.a or [0.0] * 3
        parts = [
            f"∂L/∂w{SUB[i]} = {par(gs)}×{par(a[i])} = <b>{num(g('neuron.w', i) or 0)}</b>"
            for i in range(3)
        ]
        return _c(_apart(parts), ph)
    lr = num(st.lr or 0)
    if key == ("update", "neuron.w") and st.w_after is not None:
        after = st.w_after
        parts = [
            f"w{SUB[i]} ← {num(st.w[i])} − {lr}×{par(g('neuron.w', i) or 0)}"
            f" = <b>{num(after[i])}</b>"
            for i in range(3)
        ]
        return _c(_apart(parts), ph)
    if key == ("update", "neuron.b") and st.b_after is not None:
        text = f"b ← {num(st.b)} − {lr}×{par(g('neuron.b') or 0)} = <b>{num(st.b_after)}</b>"
        return _c(text, ph)
    return ""
