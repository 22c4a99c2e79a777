"""Which box of the architecture figure each traced step belongs to, and the figure's
words, without Qt: checked against a real translation and a real training step."""

from __future__ import annotations

import pytest

from core.session import Session
from visualizer.panels.diagram import diagram_layout as dl
from visualizer.panels.diagram.diagram_frame import Scene
from visualizer.panels.diagram.diagram_index import DiagramIndex, box_of, op_name
from visualizer.panels.diagram.diagram_text import (
    BOX,
    OPS,
    SHORT,
    STRINGS,
    box_label,
    layer_label,
    op_label,
)


def test_every_step_of_a_translation_has_a_box(translate: Session) -> None:
    trace, cfg = translate.trace, translate.bundle.cfg
    index = DiagramIndex(trace)
    boxes = dl.all_boxes(cfg.n_enc_layers, cfg.n_dec_layers)
    missing = [s.key for s, b in zip(trace.steps, index.box, strict=True) if b not in boxes]
    assert not missing
    assert set(index.box) == set(boxes)  # and every box of the figure runs
    assert sum(index.count(b) for b in boxes) == len(trace)
    assert index.translation and index.n_decode == len(trace.meta["tgt_tokens"]) + 1


def test_a_boxs_ops_are_its_steps_at_one_decoding_step(translate: Session) -> None:
    trace = translate.trace
    index = DiagramIndex(trace)
    cur = trace.first("t2/dec.0.self_attn.q")
    ops = index.ops("dec.1.cross_attn", cur)
    assert ops == [s.index for s in trace.find("t2/dec.1.cross_attn.*")]
    assert index.target("dec.1.cross_attn", cur) == trace.first("t2/dec.1.cross_attn.q").index
    enc = trace.first("enc.0.self_attn.scores")  # from the encoder, the decoder's t=0
    assert index.target("dec.0.ffn", enc) == trace.first("t0/dec.0.ffn.hidden").index
    ops = [
        op_name("enc.0.self_attn", trace.steps[i].name) for i in index.ops("enc.0.self_attn", enc)
    ]
    assert ops[:3] == ["q", "k", "v"]


def test_the_token_rows_are_the_traced_tokens(translate: Session) -> None:
    trace = translate.trace
    index = DiagramIndex(trace)
    tok = translate.bundle
    src = index.tokens("src", None, tok.src_tok.token)
    assert src == trace.meta["src_tokens"]
    tgt = index.tokens("tgt", 3, tok.tgt_tok.token)
    assert tgt == ["<bos>", *trace.meta["tgt_tokens"][:3]]


def test_every_step_of_a_training_step_has_a_box(train: Session) -> None:
    trace = train.trace
    index = DiagramIndex(trace)
    assert not index.translation
    missing = [s.key for s, b in zip(trace.steps, index.box, strict=True) if b is None]
    assert not missing
    update = trace.first("enc.0.self_attn.w_q.weight", "update")
    assert box_of(update.name) == "enc.0.self_attn"
    assert op_label(op_name("enc.0.self_attn", update.name), "en") == "W_Q"


@pytest.mark.parametrize(
    ("name", "box"),
    [
        ("src.tokens", "src.embed"),
        ("tgt.input", "tgt.pos"),
        ("enc.1.norm2", "enc.1.an2"),
        ("dec.0.add3", "dec.0.an3"),
        ("dec.1.cross_attn.weights", "dec.1.cross_attn"),
        ("logits", "linear"),
        ("next.probs", "softmax"),
        ("next.token", "output"),
        ("loss.per_token", "output"),
        ("lr", None),
    ],
)
def test_box_of(name: str, box: str | None) -> None:
    assert box_of(name) == box


def test_labels_in_both_languages() -> None:
    assert box_label("dec.0.cross_attn", "en") == "Cross-Attention"
    assert box_label("dec.0.self_attn", "en") == "Masked Self-Attention"
    assert box_label("enc.0.self_attn", "zh") == "自注意力"
    assert box_label("output", "en", translation=False) == "Loss"
    assert layer_label("dec.1", 2, "en") == "Decoder layer 1 (of 2)"
    assert layer_label("enc.0", 2, "zh") == "编码器 第 0 层（共 2 层）"
    assert op_label("scores", "en") == "Q·Kᵀ" and op_label("masked", "zh") == "掩码"
    assert op_label("out", "en", box_kind="ffn") == "Linear₂"
    assert op_label("norm1.weight", "en", box_kind="an") == "γ"
    for table in (BOX, STRINGS, OPS, SHORT):
        assert all(entry.get("en") and entry.get("zh") for entry in table.values())


def test_a_scene_starts_empty() -> None:
    scene = Scene(labels={"linear": "Linear"}, legends={})
    assert scene.current is None and scene.glow is None and not scene.marked
    assert scene.phase == "forward" and scene.pills == []
