"""Beam search on a GPT-2 continuation: every node's score is ``transformers``'
log-probability of its path, the winner is replayed step by step like greedy, and the
model's own end token (not the engine's ``<eos>`` id) ends a hypothesis."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from torch import Tensor, nn
from transformers import GPT2LMHeadModel

from core.config import ModelConfig
from core.decode import BeamNode, DecodeSettings
from core.hf import load_folder
from core.hf.hf_bundle import continue_prompt
from core.session import Session
from core.tokenizer import EOS_ID
from tests.core.hf.gpt2_kit import gpt2_tokenizer


def path_of(tree: list[BeamNode], node: int) -> list[int]:
    """The tokens from the root (the prompt's last token, excluded) to ``node``."""
    out = []
    parent = tree[node].parent
    while parent is not None:
        out.append(tree[node].token)
        node, parent = parent, tree[parent].parent
    return out[::-1]


def test_beam_scores_are_transformers_log_probabilities(
    gpt2_folder: tuple[Path, GPT2LMHeadModel],
) -> None:
    folder, ref = gpt2_folder
    bundle = load_folder(folder)
    prompt = gpt2_tokenizer().encode("time flies").ids
    result = bundle.translate("time flies", DecodeSettings(beam=3, max_len=4))
    gen = result.generation
    assert len(gen.tree) > 4
    with torch.no_grad():
        for node in gen.tree[1:]:
            path = path_of(gen.tree, node.id)
            logp = torch.log_softmax(ref(torch.tensor([prompt + path])).logits[0], -1)
            want = sum(float(logp[len(prompt) - 1 + i, tok]) for i, tok in enumerate(path))
            assert node.logp == pytest.approx(want, abs=1e-4)
    last = max(n.t for n in gen.tree)
    pool = [n for n in gen.tree if n.finished] or [n for n in gen.tree if n.t == last]
    winner = max(pool, key=lambda n: n.score)  # beam_search's rule: finished ones first
    assert gen.ids == [t for t in path_of(gen.tree, winner.id) if t != ref.config.eos_token_id]
    assert [c.chosen for c in gen.choices][: len(gen.ids)] == gen.ids  # replayed


def test_the_window_runs_beam_search_on_gpt2(gpt2_folder: tuple[Path, GPT2LMHeadModel]) -> None:
    session = Session.open_builtin("en-de")
    session.open_model(gpt2_folder[0], "the cat")
    session.set_decode(beam=3, max_len=4)
    assert not session.error, session.error
    assert session.translation is not None and session.translation.generation.tree
    assert any(s.key.startswith("t0/") for s in session.trace.steps)
    session.set_decode(beam=1, temperature=0.8, top_k=5)
    assert not session.error, session.error
    assert not session.translation.generation.tree


class Scripted(nn.Module):
    """A stand-in decoder-only model whose next-token logits depend only on how many
    tokens follow the prompt: first the real token 2 (the engine's ``<eos>`` id, an
    ordinary token for GPT-2), then the model's own end token."""

    def __init__(self, end: int, prompt_len: int) -> None:
        super().__init__()
        self.cfg = ModelConfig(arch="decoder-only", n_enc_layers=0, max_len=16)
        self.end, self.prompt_len = end, prompt_len

    def forward(self, ids: Tensor) -> Tensor:  # (B, T) -> (B, T, V)
        out = torch.zeros(ids.shape[0], ids.shape[1], 10)
        step = ids.shape[1] - self.prompt_len
        out[:, -1, EOS_ID if step == 0 else self.end] = 5.0
        return out


def test_the_models_own_end_token_ends_a_beam() -> None:
    end = 7
    model = Scripted(end, prompt_len=2)
    gen = continue_prompt(model, torch.tensor([[4, 5]]), DecodeSettings(beam=2, max_len=6), end)  # type: ignore[arg-type]
    assert gen.finished and gen.ids == [EOS_ID]  # token 2 is kept as a token, 7 ends it
    assert [c.chosen for c in gen.choices] == [EOS_ID, end]
    assert gen.tree[0].token == 5  # the root is the prompt's last token
    ended = [n for n in gen.tree if n.finished]
    assert ended and all(n.token == end for n in ended)


def test_without_an_end_token_no_hypothesis_ends() -> None:
    """A model with no end token: token 2 (the engine's ``<eos>`` id) is a plain token
    and the search runs to its length limit."""
    model = Scripted(end=2, prompt_len=2)  # prefers token 2 at every step after the first
    gen = continue_prompt(model, torch.tensor([[4, 5]]), DecodeSettings(beam=2, max_len=3), None)  # type: ignore[arg-type]
    assert not gen.finished and gen.ids == [EOS_ID, EOS_ID, EOS_ID]
    assert not any(n.finished for n in gen.tree)
