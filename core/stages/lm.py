"""The stages' tiny GPT and what every stage asks of it: batches, log-probs, answers.

One ``ModelConfig(arch="decoder-only")`` (``MODEL``), built by ``core.models.build_model``,
reads ``<bos>`` + text + ``<eos>``. A question is ``<bos>`` + ``which is bigger: a or b? →``
and its answer is the tokens after the arrow up to ``<eos>``; ``answer_logprobs`` scores any
answer under a model (what the comparison table and GRPO's per-token log-probs use), and
``generate`` samples or picks answers for a batch of equal-length prompts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from core.config import ModelConfig
from core.model_decoder import DecoderOnly
from core.models import build_model
from core.stages.questions import Question
from core.stages.tokenizer import BOS_ID, EOS_ID, PAD_ID, StageTokenizer

MODEL = ModelConfig(
    arch="decoder-only",
    d_model=64,
    n_heads=4,
    n_dec_layers=2,
    d_ff=128,
    max_len=32,
    norm="pre",
    final_norm=True,
    positions="learned",
)
MAX_ANSWER = 8  # answer tokens sampled at most (then the answer is cut, not ended)


def new_model(cfg: ModelConfig, tok: StageTokenizer, seed: int) -> DecoderOnly:
    """A randomly initialised model, the same for the same seed."""
    torch.manual_seed(seed)
    model = build_model(cfg, tok.size, tok.size, PAD_ID)
    assert isinstance(model, DecoderOnly)
    return model


def pad_rows(rows: Sequence[Sequence[int]]) -> Tensor:
    """Right-pad id lists with ``<pad>`` -> (B, L) int64."""
    width = max(len(r) for r in rows)
    return torch.tensor([[*r, *([PAD_ID] * (width - len(r)))] for r in rows], dtype=torch.long)


def prompt_ids(tok: StageTokenizer, question: Question) -> list[int]:
    return [BOS_ID, *tok.encode(question.prompt)]


def answer_ids(tok: StageTokenizer, text: str) -> list[int]:
    return [*tok.encode(text), EOS_ID]


def token_logprobs(model: DecoderOnly, seqs: Tensor) -> Tensor:
    """(B, L) ids -> (B, L - 1) log-probability of token t + 1 given tokens 0..t."""
    logits = model(seqs[:, :-1])  # (B, L-1, V)
    logp = F.log_softmax(logits.float(), -1)  # (B, L-1, V)
    return logp.gather(-1, seqs[:, 1:, None])[..., 0]  # (B, L-1)


@dataclass(frozen=True)
class Answers:
    """Sampled (or greedy) answers to equal-length prompts.

    ``seqs`` (B, P + A): prompt then answer, ``<pad>`` after ``<eos>``; ``mask`` (B, P + A - 1)
    is True where ``token_logprobs`` scores an answer token (``<eos>`` included);
    ``texts`` the answers as text, ``lengths`` their token counts without ``<eos>``, ``ended``
    whether each reached ``<eos>`` within ``MAX_ANSWER`` tokens."""

    seqs: Tensor
    mask: Tensor
    prompt_len: int
    texts: tuple[str, ...]
    lengths: tuple[int, ...]
    ended: tuple[bool, ...]


@torch.no_grad()
def generate(
    model: DecoderOnly,
    tok: StageTokenizer,
    prompts: Sequence[Sequence[int]],
    temperature: float = 0.0,
    generator: torch.Generator | None = None,
    max_new: int = MAX_ANSWER,
) -> Answers:
    """Continue each prompt (all of one length) until ``<eos>``; temperature 0 is greedy."""
    model.eval()
    seqs = torch.tensor([list(p) for p in prompts], dtype=torch.long)  # (B, P)
    plen = seqs.shape[1]
    done = torch.zeros(len(prompts), dtype=torch.bool)
    for _ in range(max_new):
        logits = model(seqs)[:, -1]  # (B, V)
        if temperature > 0:
            probs = torch.softmax(logits / temperature, -1)
            nxt = torch.multinomial(probs, 1, generator=generator)[:, 0]  # (B,)
        else:
            nxt = logits.argmax(-1)
        nxt = torch.where(done, torch.full_like(nxt, PAD_ID), nxt)
        seqs = torch.cat([seqs, nxt[:, None]], 1)
        done |= nxt == EOS_ID
        if bool(done.all()):
            break
    body = seqs[:, plen:]  # (B, A)
    mask = torch.zeros(seqs.shape[0], seqs.shape[1] - 1, dtype=torch.bool)
    mask[:, plen - 1 :] = body != PAD_ID
    texts, lengths, ended = [], [], []
    for row in body.tolist():
        n = row.index(EOS_ID) if EOS_ID in row else len([t for t in row if t != PAD_ID])
        texts.append(tok.decode(row[:n]))
        lengths.append(n)
        ended.append(EOS_ID in row)
    return Answers(seqs, mask, plen, tuple(texts), tuple(lengths), tuple(ended))


@torch.no_grad()
def answer_logprob(
    model: DecoderOnly, tok: StageTokenizer, question: Question, text: str, eos: bool = False
) -> float:
    """log P(the answer starts with ``text`` | question) under the model (natural log); with
    ``eos`` the answer must also end there. Without it a pre-trained model that writes "9.11
    is the newer version." is scored on the 9.11 it chose, as a reader would."""
    model.eval()
    p = prompt_ids(tok, question)
    body = answer_ids(tok, text) if eos else tok.encode(text)
    seq = torch.tensor([[*p, *body]])
    lp = token_logprobs(model, seq)[0, len(p) - 1 :]  # the answer's tokens
    return float(lp.sum())


def ask(model: DecoderOnly, tok: StageTokenizer, question: Question) -> str:
    """The model's greedy answer to one question."""
    return generate(model, tok, [prompt_ids(tok, question)]).texts[0]


@torch.no_grad()
def answer_logprobs(
    model: DecoderOnly, tok: StageTokenizer, questions: Sequence[Question], texts: Sequence[str]
) -> list[float]:
    """``answer_logprob`` (without ``<eos>``) of many (question, text) pairs in one pass."""
    model.eval()
    rows, spans = [], []
    for qn, text in zip(questions, texts, strict=True):
        p, body = prompt_ids(tok, qn), tok.encode(text)
        rows.append([*p, *body])
        spans.append((len(p) - 1, len(p) - 1 + len(body)))
    lp = token_logprobs(model, pad_rows(rows))  # (B, L-1)
    return [float(lp[i, a:b].sum()) for i, (a, b) in enumerate(spans)]


def continue_text(model: DecoderOnly, tok: StageTokenizer, text: str, max_new: int = 10) -> str:
    """The model's greedy continuation of a plain text (what pre-training "writes")."""
    out = generate(model, tok, [[BOS_ID, *tok.encode(text)]], max_new=max_new)
    return out.texts[0]
