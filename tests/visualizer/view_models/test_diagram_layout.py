"""The architecture figure's geometry, without Qt: every layer of the model gets its boxes,
they fit the widget and do not overlap, and a point finds the box it is in."""

from __future__ import annotations

import itertools

import pytest

from core.session import Session
from visualizer.panels.diagram import diagram_layout as dl
from visualizer.panels.diagram.diagram_rect import Rect


def overlap(a: Rect, b: Rect) -> bool:
    return a.x < b.right and b.x < a.right and a.y < b.bottom and b.y < a.bottom


def test_sizes_and_deep_layout() -> None:
    for w, h in ((380, 700), (500, 800), (900, 1000)):
        lay = dl.compute(
            dl.Spec(2, 2, w, h, expanded="dec.0.self_attn", n_ops=10, focus=frozenset({"dec.0"}))
        )
        assert lay.height <= h and not lay.collapsed
        assert all(r.x >= 0 and r.right <= w for r in lay.boxes.values())
    deep = dl.compute(
        dl.Spec(6, 6, 380, 700, expanded="dec.3.cross_attn", n_ops=9, focus=frozenset({"dec.3"}))
    )
    assert deep.height <= 700
    assert "dec.3" not in deep.collapsed and {"dec.0", "enc.5"} <= deep.collapsed
    assert len(deep.boxes) == len(dl.all_boxes(6, 6))


def test_legends_have_their_own_row() -> None:
    lay = dl.compute(dl.Spec(2, 2, 600, 700))
    for layer, frame in lay.frames.items():
        first = min(r.y for b, r in lay.boxes.items() if b.startswith(layer + "."))
        assert first - frame.y >= 13  # room for the legend text above the boxes


@pytest.mark.parametrize("size", [(380, 700), (500, 800), (1200, 900)])
def test_every_layer_of_the_model_has_its_boxes(translate: Session, size: tuple[int, int]) -> None:
    cfg = translate.bundle.cfg
    lay = dl.compute(dl.Spec(cfg.n_enc_layers, cfg.n_dec_layers, *size))
    assert set(lay.boxes) == set(dl.all_boxes(cfg.n_enc_layers, cfg.n_dec_layers))
    layers = {f"enc.{i}" for i in range(cfg.n_enc_layers)}
    layers |= {f"dec.{i}" for i in range(cfg.n_dec_layers)}
    assert set(lay.frames) == layers
    for layer in layers:  # each layer's boxes sit inside its frame
        frame = lay.frames[layer]
        for box in dl.layer_boxes(layer):
            r = lay.boxes[box]
            assert frame.x <= r.x and r.right <= frame.right, box
            assert frame.y <= r.y and r.bottom <= frame.bottom, box
    for (a, ra), (b, rb) in itertools.combinations(lay.boxes.items(), 2):
        assert not overlap(ra, rb), (a, b)
    for box, r in lay.boxes.items():  # a click in the middle of a box finds that box
        assert lay.box_at(r.cx, r.cy) == box
    assert lay.height <= size[1]


def test_the_figure_reads_like_the_paper(translate: Session) -> None:
    cfg = translate.bundle.cfg
    lay = dl.compute(dl.Spec(cfg.n_enc_layers, cfg.n_dec_layers, 500, 800))
    top_enc, top_dec = f"enc.{cfg.n_enc_layers - 1}", f"dec.{cfg.n_dec_layers - 1}"
    assert lay.frames[top_enc].right < lay.frames[top_dec].x  # encoder left, decoder right
    for side in ("enc", "dec"):  # data flows bottom to top
        ys = [lay.boxes[b].y for b in lay.columns[side] if b in lay.boxes]
        assert ys == sorted(ys, reverse=True), side
    assert lay.boxes["output"].bottom < lay.boxes["softmax"].y < lay.boxes["linear"].y
    assert lay.boxes["src.embed"].bottom == lay.boxes["tgt.embed"].bottom


def test_an_expanded_box_holds_its_pills() -> None:
    lay = dl.compute(dl.Spec(2, 2, 500, 800, expanded="enc.0.self_attn", n_ops=9))
    box = lay.boxes["enc.0.self_attn"]
    assert len(lay.pills) == 9 and box.h > lay.unit
    assert all(box.contains(p.x, p.y) and box.contains(p.right, p.bottom) for p in lay.pills)
    for i, p in enumerate(lay.pills):
        assert lay.pill_at(p.cx, p.cy) == i
    assert lay.boxes["enc.1.self_attn"].h == lay.unit  # only the expanded box grows


def test_blend_moves_every_box_part_of_the_way() -> None:
    a = dl.compute(dl.Spec(2, 2, 500, 800, expanded="enc.0.ffn", n_ops=3))
    b = dl.compute(dl.Spec(2, 2, 500, 800, expanded="dec.1.ffn", n_ops=3))
    assert dl.blend(a, b, 1.0) is b
    half = dl.blend(a, b, 0.5)
    for box, r in half.boxes.items():
        assert r == a.boxes[box].lerp(b.boxes[box], 0.5)
    start = dl.blend(a, b, 0.0)
    assert all(r == a.boxes[box] for box, r in start.boxes.items())


def test_rect() -> None:
    r = Rect(10, 20, 30, 40)
    assert (r.right, r.bottom, r.cx, r.cy) == (40, 60, 25, 40)
    assert r.contains(10, 20) and r.contains(40, 60) and not r.contains(41, 30)
    assert r.lerp(Rect(20, 20, 30, 60), 0.5) == Rect(15, 20, 30, 50)
    assert r.astuple() == (10, 20, 30, 40)
