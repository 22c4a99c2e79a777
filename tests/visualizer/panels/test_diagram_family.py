"""The architecture diagram takes the shape of the model that ran: a GPT has one stack
and no cross-attention, a classifier ends in its classification head, a mixture of
experts draws its router and experts and lights the ones the current token went to."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from core.session import MODELS, Session
from visualizer import theme
from visualizer.bridge import SessionBridge
from visualizer.panels.diagram.diagram_view import DiagramView
from visualizer.widgets.numbers import percent

FAMILY = ("demo-de", "gpt-de", "moe-de", "bert-who", "vit-pets")


@pytest.fixture(scope="module")
def sessions(qapp: object) -> dict[str, tuple[Session, SessionBridge]]:
    """One session per shipped model (each opened from the translator, as the window does)."""
    out = {}
    for name in FAMILY:
        s = Session.open_builtin("en-de")
        if name != "demo-de":
            s.open_model(MODELS / name)
        out[name] = (s, SessionBridge(s))
    return out


def make_view(qtbot, s: Session, bridge: SessionBridge, w: int = 520, h: int = 820) -> DiagramView:
    s.lang, s.animate = "en", False
    s.seek(0)
    v = DiagramView(s, bridge)
    qtbot.addWidget(v)
    v.resize(w, h)
    v.show()
    return v


@pytest.fixture(params=FAMILY)
def family(request, qtbot, sessions) -> Iterator[tuple[str, Session, DiagramView]]:
    s, bridge = sessions[request.param]
    v = make_view(qtbot, s, bridge)
    yield request.param, s, v
    s.lang = "en"
    v.close()


def expected_box(name: str, classifier: bool) -> str | None:
    """Which box a step belongs to, written out from the trace format (docs/trace-format.md)
    independently of the view's code."""
    fixed = {
        "next.token": "output",
        "cls.target": "output",
        "next.probs": "softmax",
        "cls.probs": "softmax",
        "probs": "softmax",
        "logits": "linear",
        "cls.logits": "cls.head",
        "cls.vector": "cls",
        "tgt.target": "output",
    }
    if name in fixed:
        return fixed[name]
    if name.startswith("loss"):
        return "output"
    if name.startswith("head."):
        return "cls.head" if classifier else "linear"
    if name in ("cls_token", "tgt_embed.weight", "src_embed.weight") or name.startswith(
        "patch_embed."
    ):
        return "src.embed" if name != "tgt_embed.weight" else "tgt.embed"
    if m := re.fullmatch(
        r"(src|tgt)\.(tokens|embed|embed_scaled|image|patches|patch_embed|cls)", name
    ):
        return f"{m[1]}.embed"
    if m := re.fullmatch(r"(src|tgt)\.(pos|input)", name):
        return f"{m[1]}.pos"
    if m := re.fullmatch(r"((?:enc|dec)\.\d+)\.moe\.(?:router|topk|aux_loss)\b.*", name):
        return f"{m[1]}.moe.router"
    if m := re.fullmatch(r"((?:enc|dec)\.\d+)\.moe\.experts?\.(\d+)\..*", name):
        return f"{m[1]}.moe.expert.{m[2]}"
    if m := re.fullmatch(r"((?:enc|dec)\.\d+)\.moe\.combine", name):
        return f"{m[1]}.moe.combine"
    if m := re.fullmatch(r"((?:enc|dec)\.\d+)\.(self_attn|cross_attn|ffn)\..+", name):
        return f"{m[1]}.{m[2]}"
    if m := re.fullmatch(r"((?:enc|dec)\.\d+)\.(?:add|norm)(\d)(?:\..*)?", name):
        return f"{m[1]}.an{m[2]}"
    if m := re.fullmatch(r"(enc|dec)\.norm(?:\..*)?", name):
        return f"{m[1]}.norm"
    return None


def wanted_boxes(name: str, s: Session) -> set[str]:
    """The boxes each model's figure must have, from its config."""
    cfg = s.bundle.cfg
    moe = ["moe.router", *(f"moe.expert.{e}" for e in range(cfg.n_experts)), "moe.combine"]
    ffn = moe if cfg.ffn == "moe" else ["ffn"]
    if cfg.arch == "encoder-only":
        layers = [f"enc.{i}" for i in range(cfg.n_enc_layers)]
        subs = ["self_attn", "an1", *ffn, "an2"]
        ends = ["src.embed", "src.pos", "cls", "cls.head", "softmax", "output"]
    elif cfg.arch == "decoder-only":
        layers = [f"dec.{i}" for i in range(cfg.n_dec_layers)]
        subs = ["self_attn", "an1", *ffn, "an2"]
        ends = ["tgt.embed", "tgt.pos", "linear", "softmax", "output"]
    else:
        enc = {
            f"enc.{i}.{b}"
            for i in range(cfg.n_enc_layers)
            for b in ("self_attn", "an1", "ffn", "an2")
        }
        dec_subs = ("self_attn", "an1", "cross_attn", "an2", "ffn", "an3")
        dec = {f"dec.{i}.{b}" for i in range(cfg.n_dec_layers) for b in dec_subs}
        return (
            enc
            | dec
            | {"src.embed", "src.pos", "tgt.embed", "tgt.pos", "linear", "softmax", "output"}
        )
    norm = [f"{layers[0][:3]}.norm"] if cfg.final_norm else []
    return {f"{la}.{b}" for la in layers for b in subs} | set(ends) | set(norm)


def test_boxes_match_the_model(family) -> None:
    name, s, v = family
    lay = v.diagram_layout()
    boxes = set(lay.boxes)
    assert boxes == wanted_boxes(name, s)
    cross = {b for b in boxes if b.endswith("cross_attn")}
    if name == "gpt-de":
        assert not cross and not any(b.startswith(("enc.", "src.")) for b in boxes)
        assert set(lay.frames) == {"dec.0", "dec.1"} and set(lay.tokens) == {"tgt"}
        assert v.scene().labels["dec.0.self_attn"] == "Masked Self-Attention"
        assert "vocabulary" in v.scene().labels["linear"]
    if name == "demo-de":
        assert cross == {"dec.0.cross_attn", "dec.1.cross_attn"}
    if name == "moe-de":
        assert not cross
        for layer in ("dec.0", "dec.1"):
            experts = [b for b in boxes if b.startswith(f"{layer}.moe.expert.")]
            assert len(experts) == 4 and f"{layer}.moe.router" in boxes
            assert f"{layer}.ffn" not in boxes
            row = [lay.boxes[e] for e in sorted(experts)]
            assert len({round(r.y) for r in row}) == 1  # side by side, in one row
            assert all(a.right < b.x for a, b in itertools.pairwise(row))
            assert lay.boxes[f"{layer}.moe.router"].y > row[0].bottom  # router below them
            assert lay.boxes[f"{layer}.moe.combine"].bottom < row[0].y  # the sum above
    if name in ("bert-who", "vit-pets"):
        assert not cross and not any(b.startswith(("dec.", "tgt.")) for b in boxes)
        head = lay.boxes["cls.head"]
        assert v.scene().labels["cls.head"].startswith("Classification head")
        assert lay.boxes["cls"].y > head.bottom > lay.boxes["softmax"].bottom
        assert head.bottom < lay.frames["enc.1"].y  # on top of the encoder stack
        s.lang = "zh"
        assert v.scene().labels["cls.head"].startswith("分类头")
    assert lay.height <= v.height()


def test_every_step_highlights_its_box(family) -> None:
    _, s, v = family
    classifier = s.bundle.cfg.arch == "encoder-only"
    seen = set()
    for i in range(len(s)):
        s.seek(i)
        want = expected_box(s.step.name, classifier)
        assert want is not None, s.step.name
        assert v.current == want, (i, s.step.key)
        lay, sc = v.diagram_layout(), v.scene()
        assert sc.current == want and sc.glow == lay.boxes[want]
        if len(lay.pills) > 1:
            assert lay.boxes[want].contains(lay.pills[0].cx, lay.pills[0].cy)
            assert v.ops()[sc.pill_current] == i  # the current op's pill is lit
        seen.add(want)
    boxes = set(v.diagram_layout().boxes)
    assert seen == boxes - ({"output"} if classifier else set())  # a classifier's answer
    assert "output" not in v.scene().dim  # the label box shows the softmax's best label


def test_clicking_a_box_seeks_its_step(qtbot, family) -> None:
    _, s, v = family
    classifier = s.bundle.cfg.arch == "encoder-only"
    start = s.trace.first("t3/tgt.tokens" if not classifier else "src.pos").index
    for box in list(v.diagram_layout().boxes):
        if classifier and box == "output":
            continue  # nothing ran there: the label is read from the softmax
        s.seek(start)
        qtbot.mouseClick(v, Qt.MouseButton.LeftButton, pos=v.box_center(box))
        assert v.current == box, box
        assert expected_box(s.step.name, classifier) == box
        assert s.step.t == (None if classifier or box[:3] in ("src", "enc") else 3)


def test_chosen_experts_light_up(sessions, qtbot) -> None:
    s, bridge = sessions["moe-de"]
    v = make_view(qtbot, s, bridge)
    k = s.bundle.cfg.top_k
    lit_somewhere = set()
    for i in range(len(s)):
        s.seek(i)
        want: dict[str, str] = {}
        for layer in ("dec.0", "dec.1"):
            key = f"t{s.step.t}/{layer}.moe.topk.experts"
            step = s.trace.first(key)
            if step.index > i:
                continue  # this layer has not routed the token yet
            probs = s.trace.value(f"t{s.step.t}/{layer}.moe.router.probs")[0, -1]  # (experts,)
            top = np.argsort(probs)[::-1][:k]  # the router's k most likely experts
            assert sorted(s.trace.value(key)[0, -1].tolist()) == sorted(top.tolist())
            for e in top:
                want[f"{layer}.moe.expert.{e}"] = f"Expert {e} · {probs[e]:.2f}"
        sc = v.scene()
        assert sc.lit == want, s.step.key
        lit_somewhere |= set(want)
    assert len({b.rsplit(".", 1)[1] for b in lit_somewhere}) > 1  # not always one expert
    s.seek(s.trace.first("t2/dec.1.moe.combine").index)
    box, w = next(iter(v.index.experts(s.step).items()))
    assert box.startswith("dec.0.") or box.startswith("dec.1.")
    tip = v.tooltip(QPointF(v.box_center(box)))
    assert f"chosen by the router for the current token (weight {w:.2f})" in tip
    v.close()


def test_classifier_answer_and_inputs(sessions, qtbot) -> None:
    for name in ("bert-who", "vit-pets"):
        s, bridge = sessions[name]
        v = make_view(qtbot, s, bridge)
        logits = s.trace.value("cls.logits").reshape(-1)
        p = np.exp(logits - logits.max())
        p /= p.sum()
        best = int(p.argmax())
        label = f"{s.trace.meta['labels'][best]} {percent(float(p[best]))}"
        s.seek(s.trace.first("cls.logits").index)
        assert v.scene().sentence_next == "?"  # not revealed before the softmax ran
        s.seek(s.trace.first("cls.probs").index)
        sc = v.scene()
        assert sc.sentence_next == label and sc.labels["output"] == f"Label: {label}"
        chips = sc.tokens["src"]
        if name == "vit-pets":
            n = s.trace.value("src.patches").shape[1]
            assert chips[0] == "[CLS]" and len(chips) == n + 1 == s.trace.value("src.cls").shape[1]
            assert sc.title == "Classifying the picture"
        else:
            ids = s.trace.value("src.tokens").reshape(-1)
            assert chips == [s.bundle.src_tok.token(int(i)) for i in ids] and chips[0] == "[CLS]"
        v.close()


def test_gpt_reads_prompt_and_answer(sessions, qtbot) -> None:
    s, bridge = sessions["gpt-de"]
    v = make_view(qtbot, s, bridge)
    s.seek(s.trace.first("t3/dec.0.self_attn.q").index)
    sc = v.scene()
    ids = s.trace.value("t3/tgt.tokens").reshape(-1)
    assert sc.tokens == {"tgt": [s.bundle.tgt_tok.token(int(i)) for i in ids]}
    assert sc.tokens["tgt"][:6] == ["time", "flies", "like", "an", "arrow", "="]
    assert sc.sentence == "die Zeit fliegt" and sc.sentence_next == "?"
    assert sc.title == "Decoding step t=3 (token 4 of 7)"
    v.close()


def test_training_step_of_a_mixture(sessions, qtbot) -> None:
    s, bridge = sessions["moe-de"]
    v = make_view(qtbot, s, bridge)
    s.mode = "train"
    try:
        assert s.trace.meta["kind"] == "train_step"
        for i in range(len(s)):
            s.seek(i)
            assert v.current == expected_box(s.step.name, False), s.step.key
        s.seek(s.trace.first("dec.1.moe.experts.2.lin1.weight", "update").index)
        sc = v.scene()
        assert sc.current == "dec.1.moe.expert.2" and sc.pills[sc.pill_current] == "W₁"
        chosen = {int(e) for e in s.trace.value("dec.0.moe.topk.experts").reshape(-1)}
        assert {b for b in sc.lit if b.startswith("dec.0.")} == {
            f"dec.0.moe.expert.{e}" for e in chosen
        }  # every position's choice, outside decoding
        v.grab()
    finally:
        s.mode = "translate"
        v.close()


def test_new_model_rebuilds_the_figure(sessions, qtbot) -> None:
    s = Session.open_builtin("en-de")
    bridge = SessionBridge(s)
    v = make_view(qtbot, s, bridge)
    assert "dec.0.cross_attn" in v.diagram_layout().boxes
    s.open_model(MODELS / "gpt-de")
    assert "dec.0.cross_attn" not in v.diagram_layout().boxes
    assert not any(b.startswith("enc.") for b in v.diagram_layout().boxes)
    s.open_model(MODELS / "bert-who")
    assert "cls.head" in v.diagram_layout().boxes and v.index.trace is s.trace
    s.open_model(MODELS / "moe-de")
    assert "dec.1.moe.expert.3" in v.diagram_layout().boxes
    s.open_model(MODELS / "demo-de")
    assert "dec.1.cross_attn" in v.diagram_layout().boxes
    v.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_renders_in_both_languages_and_at_presentation_zoom(family, lang: str) -> None:
    name, s, v = family
    s.lang = lang
    mid = s.trace.steps[len(s) // 2].index
    s.seek(mid)
    assert all(v.scene().labels.values())
    if name == "moe-de":
        assert v.scene().labels["dec.0.moe.router"] == ("Router" if lang == "en" else "路由器")
    image = v.grab().toImage()
    assert not image.isNull()
    theme.set_scale(1.5)
    try:
        v.bridge.sigZoom.emit(1.5)
        v.resize(360, 600)  # a small dock: drawn scaled, still whole
        assert v.diagram_layout().height <= 600 / v.scale() + 1
        v.grab()
    finally:
        theme.set_scale(1.0)
        v.bridge.sigZoom.emit(1.0)
