"""Interventions change exactly what they should, and re-runs report what changed."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import Tensor, nn

from core.bundle import Bundle
from core.trace import Intervention
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
