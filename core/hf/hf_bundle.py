"""A loaded Hugging Face GPT-2 as a ``Bundle``: "translating" a text continues it.

The built-in GPT answers the prompt ``source =``; a real GPT-2 has no such task, so
its bundle reads the text as the prompt and writes the continuation, token by token,
each step traced like the built-in models' decoding steps (``t{step}/tgt.tokens`` …
``t{step}/logits``, ``t{step}/next.probs``, ``t{step}/next.token``). It stops at the
model's end token (``<|endoftext|>``) or after ``settings.max_len`` tokens. Greedy,
beam search and sampling work as for the built-in GPT (``core.decode_prompt``): a beam
search runs untraced over the continuations (ending at the model's own end token), and
its winner is replayed step by step, so the trace and the beam tree are the built-in's.

A training step on a "sentence and target" is the built-in GPT's, on one sequence: the
prompt's tokens, then the target's (read with a leading space, as a continuation is
written) and the end token; the loss grades the target tokens and the end token only.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import torch
from torch import Tensor

from core.bundle import Bundle, Classification, Translation
from core.corpus import Pair
from core.decode import (
    BeamNode,
    DecodeSettings,
    Generation,
    beam_search,
    bounded,
    decode_steps,
)
from core.hf.hf_tokenizer import HFTextTokenizer
from core.messages import msg
from core.model_decoder import DecoderOnly
from core.prompt_task import PromptExample
from core.tokenizer import EOS_ID, Encoded, InputError, check_text
from core.trace import Tracer, untraced

DEFAULT_NEW_TOKENS = 20


class HFPrompts:
    """What the trainer asks of a decoder-only bundle's tokenizer (``prompt`` and
    ``example``), with a real checkpoint's ids: no separator, the end token last."""

    def __init__(self, tok: HFTextTokenizer) -> None:
        self.tok = tok

    def prompt(self, source: str) -> Encoded:
        enc = self.tok.encode(check_text(source))
        if not enc.ids:
            raise InputError(msg("hf_no_tokens"))
        return enc

    def example(self, pair: Pair) -> PromptExample:
        """prompt + " " + target + end token; the target and the end token are graded."""
        prompt = self.prompt(pair.source).ids
        answer = self.tok.encode(" " + check_text(pair.target)).ids
        end = () if self.tok.eos_id is None else (self.tok.eos_id,)
        ids = (*prompt, *answer, *end)
        graded = (False,) * len(prompt) + (True,) * (len(answer) + len(end))
        return PromptExample(ids, graded, len(prompt))


@dataclass
class HFBundle(Bundle):
    """``folder``: where the checkpoint was read from (shown, and kept by session files);
    ``fingerprint``: its ``core.hf.hf_ref.fingerprint`` when it was read, which a
    session file keeps instead of the weights."""

    folder: str = ""
    fingerprint: str = ""

    def decode_settings(self, current: DecodeSettings) -> DecodeSettings:
        """At most ``DEFAULT_NEW_TOKENS`` new tokens in the window: every new token is a
        whole traced forward pass, and a real checkpoint's 60 would pass the trace budget
        (GPT-2 small fits about 20 after a 32-token prompt)."""
        if current.max_len <= DEFAULT_NEW_TOKENS:
            return current
        return replace(current, max_len=DEFAULT_NEW_TOKENS)

    @property
    def hf_tok(self) -> HFTextTokenizer:
        assert isinstance(self.tgt_tok, HFTextTokenizer)
        return self.tgt_tok

    @property
    def prompt_tok(self) -> HFPrompts:  # type: ignore[override]
        return HFPrompts(self.hf_tok)

    def encode_prompt(self, text: str) -> tuple[Tensor, Encoded]:
        return self.encode_source(text)

    def encode_source(self, text: str) -> tuple[Tensor, Encoded]:
        """The text as a (1, P) prompt of the checkpoint's own ids."""
        enc = self.prompt_tok.prompt(text)
        limit = self.cfg.max_len - 1
        if len(enc.ids) > limit:
            raise InputError(msg("prompt_too_long", n=len(enc.ids), limit=limit))
        return torch.tensor([enc.ids]), enc

    def classify(self, text: str) -> Classification:
        """BERT: the sentence with the tokenizer's own ``[CLS]`` ... ``[SEP]``."""
        if self.cfg.mlm:  # a pre-trained BERT has no classification head (core.fill_mask)
            raise ValueError(msg("hf_bert_no_head"))
        model = self.classifier()
        enc = self.hf_tok.encode(check_text(text))
        if len(enc.ids) > self.cfg.max_len:
            raise InputError(msg("sentence_too_long", n=len(enc.ids), limit=self.cfg.max_len))
        return Classification(enc, self._ranked(model, torch.tensor([enc.ids])))

    def translate(
        self, text: str, settings: DecodeSettings | None = None, tracer: Tracer | None = None
    ) -> Translation:
        """Continue ``text`` (the decoding view and ``translate`` show the continuation)."""
        settings = settings or DecodeSettings(max_len=DEFAULT_NEW_TOKENS)
        assert isinstance(self.model, DecoderOnly)
        prompt, enc = self.encode_source(text)
        self.model.eval()
        if tracer is None:
            gen = continue_prompt(self.model, prompt, settings, self.hf_tok.eos_id, None)
        else:
            with tracer.active():
                gen = continue_prompt(self.model, prompt, settings, self.hf_tok.eos_id, tracer)
        # a Msg: the command line prints it in English, the window in its language
        warnings: list[str] = [] if gen.finished else [msg("hf_stopped_new_tokens", n=len(gen.ids))]
        tokens = [self.hf_tok.token(i) for i in gen.ids]
        return Translation(enc, self.hf_tok.decode(gen.ids), tokens, gen, warnings)


@torch.no_grad()
def continue_prompt(
    model: DecoderOnly,
    prompt: Tensor,
    settings: DecodeSettings,
    eos_id: int | None,
    tracer: Tracer | None = None,
) -> Generation:
    """Greedy, beam or sampled continuation of a (1, P) prompt, every step a full traced
    forward pass (no KV cache, as ``core.decode_prompt``), ending at ``eos_id``.

    Beam search runs untraced first; its winner (with the end token if it ended) is then
    replayed token by token, so a beam continuation has the same per-step trace and
    candidates as a greedy one, plus the search tree."""
    settings = bounded(model, settings)
    seq = [int(i) for i in prompt[0]]
    steps = max(0, min(settings.max_len, model.cfg.max_len - len(seq)))
    forced: list[int] | None = None
    tree: list[BeamNode] = []
    if settings.strategy == "beam":
        with untraced():
            searched = _beam(model, seq, steps, settings, eos_id)
        end = [eos_id] if searched.finished and eos_id is not None else []
        forced = [*searched.ids, *end]
        steps, tree = len(forced), searched.tree

    def next_logits(prefix: list[int]) -> Tensor:
        return model(torch.tensor([prefix]))[:, -1]  # (1, V): the last position's guess

    return decode_steps(next_logits, seq, steps, settings, forced, tree, tracer, eos=eos_id)


def _beam(
    model: DecoderOnly, base: list[int], steps: int, s: DecodeSettings, eos_id: int | None
) -> Generation:
    """Beam search over continuations of ``base``; the root node is its last token.
    ``core.decode.beam_search`` ends a hypothesis at the engine's ``<eos>`` id, so the
    model's own end token is swapped into that column of the logits (and back in the
    result): the search is the built-in's, with this model's end token. A model with
    no end token gets an extra column of -inf in its place, which nothing chooses."""
    end = eos_id  # the column that plays <eos> (set on the first call without one)

    def logits(paths: list[list[int]]) -> Tensor:
        nonlocal end
        out = model(torch.tensor([[*base, *(_back(i) for i in p)] for p in paths]))[:, -1]
        if eos_id is None:  # (beam, V + 1): a column no hypothesis can choose
            end = out.shape[-1]
            out = torch.cat([out, torch.full_like(out[:, :1], float("-inf"))], -1)
        if end == EOS_ID:
            return out
        out = out.clone()
        out[:, [EOS_ID, end]] = out[:, [end, EOS_ID]]
        return out  # the end token in the engine's <eos> column

    def _back(i: int) -> int:
        """An id of the search (end token at ``EOS_ID``) -> the model's own id."""
        if end is None:  # before the first call: no token has been chosen yet
            return i
        return end if i == EOS_ID else EOS_ID if i == end else i

    found = beam_search(logits, base[-1], steps, s)
    nodes = [replace(n, token=_back(n.token)) for n in found.tree]
    nodes[0] = found.tree[0]  # the root is the prompt's last token, not a choice
    return Generation(ids=[_back(i) for i in found.ids], tree=nodes, finished=found.finished)
