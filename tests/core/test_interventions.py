"""Interventions change exactly what they should, and re-runs report what changed."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable

import numpy as np
import pytest
import torch
from torch import Tensor, nn

from core.bundle import Bundle
from core.interventions import (
    AtStep,
    ablate_sublayer,
    edit_value,
    from_json,
    label,
    patch_from,
    run_with,
    scale_head,
    to_json,
    zero_head,
)
from core.trace import Intervention, Trace
from core.tracing import changes, trace_forward, trace_translation
from core.train import Trainer

SRC, TGT = "Time flies like an arrow", "Die Zeit fliegt wie ein Pfeil"


def test_zeroing_a_head_equals_a_hand_made_run(trainer: Trainer) -> None:
    """Zero head 2's context in enc.0 == drop that head's slice before the output projection."""
    model = trainer.bundle.model
    model.eval()
    head, dk = 2, model.cfg.d_head
    patched = trace_forward(
        trainer, SRC, TGT, [Intervention("enc.0.self_attn.context", "zero", head=head)]
    )

    def zero_slice(_: nn.Module, args: tuple[Tensor]) -> tuple[Tensor]:
        x = args[0].clone()  # (B, S, D): heads side by side
        x[..., head * dk : (head + 1) * dk] = 0
        return (x,)

    handle = model.enc[0].self_attn.w_o.register_forward_pre_hook(zero_slice)
    try:
        src, _ = trainer.bundle.encode_source(SRC)
        tgt_in, _, _ = trainer.bundle.encode_target(TGT)
        with torch.no_grad():
            want = model(src, tgt_in)
    finally:
        handle.remove()
    assert torch.equal(patched.tensors["logits"], want)


def test_changes_are_exactly_downstream(trainer: Trainer) -> None:
    base = trace_forward(trainer, SRC, TGT)
    target = "dec.0.cross_attn.weights"
    patched = trace_forward(trainer, SRC, TGT, [Intervention(target, "scale", 0.5, head=1)])
    changed = {c.key for c in changes(base, patched)}
    first = base.first(target).index
    before = {s.key for s in base.steps[:first]}
    assert not changed & before  # nothing upstream moves
    assert target in changed and "logits" in changed and "loss" in changed
    assert "enc.1.norm2" not in changed  # the encoder does not depend on the decoder
    assert patched.meta["loss"] != base.meta["loss"]


def test_replace_with_array_and_index(trainer: Trainer) -> None:
    base = trace_forward(trainer, SRC, TGT)
    shape = base.tensors["src.input"][0, 1].shape
    patched = trace_forward(
        trainer,
        SRC,
        TGT,
        [
            Intervention("src.input", "replace", np.ones(shape, np.float32), index=(0, 1)),
        ],
    )
    x = patched.tensors["src.input"]
    assert torch.all(x[0, 1] == 1)
    assert torch.equal(x[0, 0], base.tensors["src.input"][0, 0])


def test_patch_activation_from_another_sentence(shipped_de: Bundle) -> None:
    """Copy one named tensor from sentence A's run into sentence B's run."""
    a, _ = trace_translation(shipped_de, "The dog sees the cat")
    memory = a.tensors["enc.1.norm2"].numpy()
    b_plain, b_result = trace_translation(shipped_de, "The cat sees the dog")
    assert memory.shape == b_plain.tensors["enc.1.norm2"].shape  # same length: patchable
    _, patched = trace_translation(
        shipped_de,
        "The cat sees the dog",
        interventions=[Intervention("enc.1.norm2", "replace", memory)],
    )
    assert b_result.text == "Die Katze sieht den Hund"
    assert patched.text == "Der Hund sieht die Katze"  # the decoder read A's memory


def test_bad_intervention_shape_is_an_error(trainer: Trainer) -> None:
    with pytest.raises((RuntimeError, ValueError)):
        trace_forward(
            trainer,
            SRC,
            TGT,
            [
                Intervention("src.input", "replace", np.ones((3, 3), np.float32), index=(0, 1)),
            ],
        )


# -- the helpers of core.interventions, on the shipped model's traced translations ----------


A_SRC, B_SRC = "The dog sees the cat", "The cat sees the dog"


@pytest.fixture(scope="module")
def run_a(shipped_de: Bundle) -> Trace:
    return trace_translation(shipped_de, A_SRC)[0]


@pytest.fixture(scope="module")
def run_b(shipped_de: Bundle) -> Trace:
    return trace_translation(shipped_de, B_SRC)[0]


def _logits(trace: Trace) -> list[Tensor]:
    return [trace.tensors[s.key] for s in trace.find("logits", "decode")]


def _hooked(bundle: Bundle, module: nn.Module, hook: Callable[..., object], pre: bool) -> Trace:
    """A plain translation with a hand-made hook on one module (no intervention)."""
    add = module.register_forward_pre_hook if pre else module.register_forward_hook
    handle = add(hook)
    try:
        return trace_translation(bundle, B_SRC)[0]
    finally:
        handle.remove()


@pytest.mark.parametrize(
    ("layer", "head", "factor"),
    [("dec.1.cross_attn", 2, 0.0), ("enc.1.self_attn", 1, 0.5), ("dec.0.self_attn", 3, -1.0)],
)
def test_head_helpers_equal_a_hook_on_the_output_projection(
    shipped_de: Bundle, run_b: Trace, layer: str, head: int, factor: float
) -> None:
    """zero_head / scale_head through run_with == scaling that head's slice of the
    concatenated heads right before W_o, in every decoding step, bit for bit."""
    model = shipped_de.model
    side, i, attn = layer.split(".")
    w_o = getattr(getattr(model, side)[int(i)], attn).w_o
    dk = model.cfg.d_head

    def scale_slice(_: nn.Module, args: tuple[Tensor]) -> tuple[Tensor]:
        x = args[0].clone()  # (B, T, D): heads side by side
        x[..., head * dk : (head + 1) * dk] *= factor
        return (x,)

    helper = zero_head(layer, head) if factor == 0 else scale_head(layer, head, factor)
    patched, _ = run_with(shipped_de, B_SRC, [helper])
    want = _hooked(shipped_de, w_o, scale_slice, pre=True)
    got_logits, want_logits = _logits(patched), _logits(want)
    assert len(got_logits) == len(want_logits)
    assert all(torch.equal(g, w) for g, w in zip(got_logits, want_logits, strict=True))
    assert not torch.equal(got_logits[0], _logits(run_b)[0])  # it did something


def test_ablating_a_sublayer_equals_a_hook_returning_zeros(
    shipped_de: Bundle, run_b: Trace
) -> None:
    model = shipped_de.model
    patched, _ = run_with(shipped_de, B_SRC, [ablate_sublayer("dec.0.ffn")])
    want = _hooked(shipped_de, model.dec[0].ffn, lambda m, a, out: torch.zeros_like(out), False)
    assert all(torch.equal(g, w) for g, w in zip(_logits(patched), _logits(want), strict=True))
    assert all(bool((patched.tensors[s.key] == 0).all()) for s in patched.find("dec.0.ffn.out"))
    assert not torch.equal(_logits(patched)[0], _logits(run_b)[0])
    assert torch.equal(patched.tensors["enc.1.norm2"], run_b.tensors["enc.1.norm2"])


def _downstream(trace: Trace, key: str) -> set[str]:
    """Every step key computed from ``key``: the data flow the steps record, plus each
    decoding step's input tokens depending on every earlier choice."""
    users: dict[str, list[str]] = defaultdict(list)
    for s in trace.steps:
        for role, k in s.tensors.items():
            if role != "out":
                users[k].append(s.key)
    tokens = {s.t: s.key for s in trace.find("tgt.tokens", "decode")}
    for s in trace.find("next.token", "decode"):
        users[s.key] += [
            k for t, k in tokens.items() if t is not None and s.t is not None and t > s.t
        ]
    seen, todo = {key}, [key]
    while todo:
        for k in users[todo.pop()]:
            if k not in seen:
                seen.add(k)
                todo.append(k)
    return seen


@pytest.mark.parametrize("key", ["t2/dec.1.ffn.out", "t1/dec.0.cross_attn.weights", "enc.1.add1"])
def test_patching_changes_exactly_what_is_downstream(
    shipped_de: Bundle, run_a: Trace, run_b: Trace, key: str
) -> None:
    """A's tensor in B's run: nothing before it changes, nothing off its data flow
    changes, and within its own decoding step everything on its data flow changes."""
    patch = patch_from(run_a, key, into=run_b)
    patched, _ = run_with(shipped_de, B_SRC, [patch])
    diff = changes(run_b, patched)
    changed = {c.key for c in diff}
    at = next(s for s in run_b.steps if s.key == key)
    down = _downstream(run_b, key)
    assert min(c.step for c in diff) == at.index  # the patched step first, nothing before
    assert key in changed
    assert changed <= down
    window = {at.t} if at.t is not None else {None, 0}  # before any later token is chosen
    same_step = {s.key for s in run_b.steps if s.key in down and s.t in window}
    floats = {
        k
        for k in same_step
        if run_b.tensors[k].is_floating_point()
        and not (k.endswith(".weights") and run_b.tensors[k].shape[-1] == 1)  # softmax of 1 key
    }
    assert floats and floats <= changed  # the patch reached everything it feeds
    assert len(changed) < len(run_b.tensors)


def test_patching_refuses_other_shapes(shipped_de: Bundle, run_a: Trace) -> None:
    short, _ = trace_translation(shipped_de, "The cat")
    with pytest.raises(ValueError) as info:
        patch_from(run_a, "enc.1.norm2", into=short)
    assert "shapes differ" in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(ValueError) as info:
        run_with(shipped_de, "The cat", [patch_from(run_a, "enc.1.norm2")])
    assert "does not fit enc.1.norm2" in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(ValueError, match="no tensor"):
        patch_from(run_a, "t99/logits")
    for not_activation in ("enc.0.self_attn.w_q.weight", "src_embed.weight"):
        with pytest.raises(ValueError, match="not an activation"):
            patch_from(run_a, not_activation)


def test_two_heads_of_one_tensor_are_both_zeroed(shipped_de: Bundle) -> None:
    trace, _ = run_with(
        shipped_de, B_SRC, [zero_head("enc.0.self_attn", 1), zero_head("enc.0.self_attn", 3)]
    )
    ctx = trace.tensors["enc.0.self_attn.context"]  # (B, H, S, K)
    assert bool((ctx[:, [1, 3]] == 0).all()) and bool((ctx[:, [0, 2]] != 0).any())


def test_at_step_acts_at_that_decoding_step_only(shipped_de: Bundle, run_b: Trace) -> None:
    edit = edit_value("dec.0.add1", (0, 0, 5), 7.0, t=1)
    trace, _ = run_with(shipped_de, B_SRC, [edit])
    assert float(trace.tensors["t1/dec.0.add1"][0, 0, 5]) == 7.0
    for t in (0, 2):
        assert torch.equal(trace.tensors[f"t{t}/dec.0.add1"], run_b.tensors[f"t{t}/dec.0.add1"])


def test_unknown_names_and_bad_helpers_are_one_line_errors(shipped_de: Bundle) -> None:
    with pytest.raises(ValueError, match=re.escape("named 'enc.7.self_attn.context'")):
        run_with(shipped_de, B_SRC, [zero_head("enc.7.self_attn", 0)])
    for bad in (
        lambda: zero_head("enc.0.ffn.out", 1),
        lambda: zero_head("enc.0.self_attn", -1),
        lambda: scale_head("dec.0.cross_attn", 0, float("nan")),
        lambda: ablate_sublayer("enc.0.cross_attn"),
        lambda: ablate_sublayer("dec.0"),
        lambda: edit_value("src.input", (), 1.0),
        lambda: edit_value("src.input", (0, 1), float("inf")),
    ):
        with pytest.raises(ValueError) as info:
            bad()
        assert "\n" not in str(info.value)


def test_json_round_trip_is_exact(run_a: Trace) -> None:
    items = [
        zero_head("dec.1.cross_attn", 2),
        scale_head("enc.0.self_attn.weights", 1, 0.25, t=None),
        ablate_sublayer("dec.1.ffn", t=3),
        edit_value("src.input", (0, 1, 2), 0.1),
        patch_from(run_a, "t2/dec.0.ffn.out"),
        Intervention("src.input", "zero", index=(0, slice(1, None, 2))),
    ]
    for item in items:
        data = json.loads(json.dumps(to_json(item)))
        back = from_json(data)
        assert type(back) is type(item) and to_json(back) == data
        assert label(back) == label(item)
        assert np.array_equal(np.asarray(back.value), np.asarray(item.value))
    assert isinstance(items[4], AtStep) and items[4].t == 2
    assert (
        np.asarray(from_json(to_json(items[4])).value).tobytes()
        == run_a.value("t2/dec.0.ffn.out").tobytes()
    )


BAD_JSON: dict[str, object] = {
    "not an object": ["zero"],
    "unknown field": {"name": "src.input", "op": "zero", "when": "now"},
    "no name": {"op": "zero"},
    "unknown op": {"name": "src.input", "op": "explode"},
    "head text": {"name": "src.input", "op": "zero", "head": "1"},
    "negative t": {"name": "src.input", "op": "zero", "t": -1},
    "value text": {"name": "src.input", "op": "replace", "value": "1.0"},
    "value ragged": {"name": "src.input", "op": "replace", "value": [[1.0], [1.0, 2.0]]},
    "value of text": {"name": "src.input", "op": "replace", "value": [["1.0"]]},
    "index text": {"name": "src.input", "op": "zero", "index": ["0"]},
    "index empty": {"name": "src.input", "op": "zero", "index": []},
    "bad slice": {"name": "src.input", "op": "zero", "index": [{"slice": [0, "x", None]}]},
}


@pytest.mark.parametrize("case", list(BAD_JSON))
def test_from_json_is_strict(case: str) -> None:
    with pytest.raises(ValueError) as info:
        from_json(BAD_JSON[case])
    assert "\n" not in str(info.value)


def test_ablating_a_mixture_of_experts_zeroes_its_combined_output() -> None:
    """``dec.0.moe`` (the shipped MoE model) is a sublayer like ``dec.0.ffn``: its output
    is ``.combine``; ablated, the residual add passes the stream through unchanged."""
    from core import assets, checkpoint

    bundle = checkpoint.load(assets.path("models", "moe-de"))
    plain, _ = run_with(bundle, B_SRC, [])
    patched, _ = run_with(bundle, B_SRC, [ablate_sublayer("dec.0.moe")])
    combines = patched.find("dec.0.moe.combine")
    assert combines and all(bool((patched.tensors[s.key] == 0).all()) for s in combines)
    for add in patched.find("dec.0.add2"):
        stream = patched.tensors[add.tensors["x"]]
        assert torch.equal(patched.tensors[add.key], stream)
    assert not all(bool((plain.tensors[s.key] == 0).all()) for s in plain.find("dec.0.moe.combine"))
    with pytest.raises(ValueError, match="not a sublayer"):
        ablate_sublayer("dec.0.moe.router")
