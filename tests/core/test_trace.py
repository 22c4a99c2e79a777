"""The trace records what the model computes, exactly, forward and backward."""

from __future__ import annotations

import torch

from core.batches import Batch
from core.bundle import Bundle
from core.trace import GRAD, Tracer
from core.tracing import trace_training_step
from core.train import Trainer

SRC, TGT = "Time flies like an arrow", "Die Zeit fliegt wie ein Pfeil"


def _batch(bundle: Bundle) -> Batch:
    src, _ = bundle.encode_source(SRC)
    tgt_in, tgt_out, _ = bundle.encode_target(TGT)
    return Batch(src, tgt_in, tgt_out)


def test_traced_forward_equals_untraced_bitwise(trainer: Trainer) -> None:
    batch = _batch(trainer.bundle)
    plain = trainer.loss(trainer.forward(batch), batch)
    tracer = Tracer(grads=True)
    with tracer.active():
        logits = trainer.forward(batch)
        traced = trainer.loss(logits, batch)
    assert torch.equal(plain, traced)
    assert torch.equal(tracer.trace.tensors["logits"], logits.detach())
    assert len(tracer.trace.find("enc.*.self_attn.weights")) == trainer.bundle.cfg.n_enc_layers


def test_recorded_gradients_equal_autograd(trainer: Trainer) -> None:
    model = trainer.bundle.model
    batch = _batch(trainer.bundle)
    tracer = Tracer(grads=True, keep_graph=True)
    tracer.watch_parameters(model, clone=False)
    with tracer.active():
        loss = trainer.loss(trainer.forward(batch), batch)
    model.zero_grad(set_to_none=True)
    loss.backward(retain_graph=True)
    tracer.close()
    tracer.recording = False
    live = {k: v for k, v in tracer.live.items() if v.requires_grad}
    params = dict(model.named_parameters())
    wanted = list(live.values()) + list(params.values())
    grads = torch.autograd.grad(loss, wanted, allow_unused=True)
    names = list(live) + list(params)
    recorded = tracer.trace.tensors
    checked = 0
    for name, grad in zip(names, grads, strict=True):
        if grad is None:
            assert GRAD + name not in recorded
            continue
        torch.testing.assert_close(recorded[GRAD + name], grad, atol=0, rtol=0)
        checked += 1
    # every activation that needs a gradient and every parameter was recorded
    assert checked == len([g for g in grads if g is not None]) > 150


def test_backward_steps_follow_autograd_order(trainer: Trainer) -> None:
    """A tensor's gradient is only known after the gradients of everything it fed."""
    trace = trace_training_step(trainer, SRC, TGT)
    back = {s.tensors["value"]: s.index for s in trace.steps if s.phase == "backward"}
    assert trace.steps[min(back.values())].name == "loss"
    pairs = 0
    for step in trace.steps:
        if step.phase != "forward" or step.key not in back:
            continue
        for role, key in step.tensors.items():
            if role != "out" and key in back:
                assert back[key] > back[step.key], (key, step.key)
                pairs += 1
    assert pairs > 100
    phases = [s.phase for s in trace.steps]
    assert phases == sorted(phases, key=["forward", "loss", "backward", "update"].index)


def test_update_step_records_adam(trainer: Trainer) -> None:
    model = trainer.bundle.model
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    trace = trace_training_step(trainer, SRC, TGT)
    updates = {s.name: s for s in trace.steps if s.phase == "update"}
    assert set(updates) == set(before)
    for name, p in model.named_parameters():
        roles = {r: trace.tensors[k] for r, k in updates[name].tensors.items()}
        assert torch.equal(roles["before"], before[name])
        assert torch.equal(roles["out"], p.detach())  # "after" is the model's new weight
        assert torch.equal(roles["update"], p.detach() - before[name])
        state = trainer.opt.state[p]
        assert torch.equal(roles["m"], state["exp_avg"])
        assert torch.equal(roles["v"], state["exp_avg_sq"])
    # the loss after the step is computed, not guessed: recompute it independently
    batch = _batch(trainer.bundle)
    with torch.no_grad():
        again = float(trainer.loss(trainer.forward(batch), batch))
    assert trace.meta["loss_after"] == again
    assert trace.meta["loss_after"] < trace.meta["loss"]


def test_attention_rows_masks_and_padding(trainer: Trainer) -> None:
    bundle = trainer.bundle
    data = trainer.train_data
    long_i = max(range(len(data)), key=lambda i: len(data.src[i]))
    short_i = min(range(len(data)), key=lambda i: len(data.src[i]))
    batch = data.batch([long_i, short_i])
    tracer = Tracer(grads=False)
    with torch.no_grad(), tracer.active():
        bundle.model.eval()
        bundle.model(batch.src, batch.tgt_in)
    t = tracer.trace
    for step in t.find("*.weights"):
        w = t.tensors[step.key]
        torch.testing.assert_close(w.sum(-1), torch.ones(w.shape[:-1]))
    for step in t.find("dec.*.self_attn.weights"):
        w = t.tensors[step.key]
        assert torch.all(w.triu(1) == 0)  # no token attends to a later one
    src_pad = batch.src == 0  # (B, S)
    assert src_pad[1].any()
    for pattern in ("enc.*.self_attn.weights", "dec.*.cross_attn.weights"):
        for step in t.find(pattern):
            w = t.tensors[step.key]  # (B, H, Tq, S)
            assert torch.all(w[1][..., src_pad[1]] == 0)
    assert t.find("enc.0.self_attn.masked")  # padding made a mask step


def test_single_sentence_has_named_steps(trainer: Trainer) -> None:
    trace = trace_training_step(trainer, SRC, TGT)
    names = [s.name for s in trace.steps if s.phase == "forward"]
    for expected in (
        "src.tokens",
        "src.embed",
        "src.pos",
        "src.input",
        "enc.0.self_attn.q",
        "enc.1.norm2",
        "dec.0.self_attn.masked",
        "dec.1.cross_attn.weights",
        "dec.1.norm3",
        "logits",
        "probs",
    ):
        assert expected in names
    assert "enc.0.self_attn.masked" not in names  # nothing to mask in one sentence
    step = trace.first("dec.0.cross_attn.scores")
    assert step.axes == ("batch", "head", "tgt", "src")
    assert step.tensors["k"] == "dec.0.cross_attn.k"
    assert trace.first("dec.0.cross_attn.k").tensors["x"] == "enc.1.norm2"  # the memory
    assert step.block == ("dec", "dec.0", "dec.0.cross_attn") and step.layer == 0
    assert trace.meta["tgt_in_tokens"][:3] == ["<bos>", "die", "Zeit"]
