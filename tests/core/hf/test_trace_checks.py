"""A loaded GPT-2, BERT and Marian pass the checks every built-in shape's trace passes
(tests/core/test_family_trace.py): traced == untraced bit for bit, every recorded
gradient == autograd's exactly, every step's inputs name recorded tensors."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from torch import Tensor

from core.hf import load_folder
from core.models import Model
from core.trace import GRAD, point
from tests.core.grad_check import assert_traced_is_untraced, trace_and_autograd
from tests.core.hf.gpt2_kit import bert_tokenizer, gpt2_tokenizer, write_bert, write_gpt2
from tests.core.hf.marian_kit import write_marian


def _setup(family: str, folder: Path) -> tuple[Model, tuple[Tensor, ...], Tensor]:
    """The loaded model (training mode), a padded batch of two (the model's inputs) and
    its labels."""
    texts = ["time flies like an arrow", "the cat sat"]
    if family == "marian":
        return _marian(folder, texts)
    if family == "gpt2":
        write_gpt2(folder)
        rows = [gpt2_tokenizer().encode(t).ids for t in texts]
    else:
        write_bert(folder)
        rows = [bert_tokenizer().encode(t).ids for t in texts]
    n = max(map(len, rows))
    ids = torch.tensor([r + [0] * (n - len(r)) for r in rows])  # (2, n)
    labels = ids.roll(-1, 1) if family == "gpt2" else torch.tensor([1, 2])
    return load_folder(folder).model.train(), (ids,), labels


def _marian(folder: Path, texts: list[str]) -> tuple[Model, tuple[Tensor, ...], Tensor]:
    """Padded sources, and targets behind the start (padding) id."""
    write_marian(folder)
    bundle = load_folder(folder)
    rows = [bundle.encode_source(t)[0][0].tolist() for t in texts]
    pad = bundle.translator().pad_id
    n = max(map(len, rows))
    src = torch.tensor([r + [pad] * (n - len(r)) for r in rows])  # (2, n)
    tgt_in = torch.cat([torch.full_like(src[:, :1], pad), src[:, :-1]], dim=1)  # (2, n)
    return bundle.model.train(), (src, tgt_in), src


def _loss(model: Model, inputs: tuple[Tensor, ...], labels: Tensor) -> Tensor:
    logits = model(*inputs)
    loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1))
    return point("loss", loss, "loss", {"logits": "cls.logits" if logits.ndim == 2 else "logits"})


@pytest.mark.parametrize("family", ["gpt2", "bert", "marian"])
def test_traced_equals_untraced_bitwise(family: str, tmp_path: Path) -> None:
    model, inputs, labels = _setup(family, tmp_path)
    assert_traced_is_untraced(model, lambda: _loss(model, inputs, labels))


@pytest.mark.parametrize("family", ["gpt2", "bert", "marian"])
def test_recorded_gradients_equal_autograd(family: str, tmp_path: Path) -> None:
    model, inputs, labels = _setup(family, tmp_path)
    recorded, pairs = trace_and_autograd(model, lambda: _loss(model, inputs, labels))
    checked = 0
    for name, grad in pairs:
        if grad is None:
            continue
        torch.testing.assert_close(recorded[GRAD + name], grad, atol=0, rtol=0, msg=name)
        checked += 1
    assert checked > 60
