"""A loaded Marian translator as a ``Bundle``: it translates like the built-in
encoder-decoder, with the checkpoint's own special ids.

The engine's built-in vocabularies put ``<pad> <bos> <eos> <unk>`` at ids 0-3; a Marian
vocabulary does not (opus-mt-en-de: ``</s>`` is 0, ``<unk>`` 1, ``<pad>`` 58100, and the
decoder starts with the padding id). So this bundle encodes with those ids (the source
+ ``</s>``; the target behind the start id, and followed by ``</s>`` as the labels) and
decodes with its own loop: the encoder runs once, then every step is the decoder over
the prefix, traced as ``t{step}/tgt.tokens`` … ``t{step}/logits``, ``t{step}/next.probs``,
``t{step}/next.token`` like the built-in translator's. The padding id is never chosen
as a next token (the opus-mt generation configs ban it: ``bad_words_ids``), so its
probability in ``next.probs`` is 0. Beam search runs untraced with ``core.decode``'s
search and its winner is replayed step by step, as for the built-in translator.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from core.bundle import Bundle, Translation
from core.config import ModelConfig
from core.decode import (
    BeamNode,
    DecodeSettings,
    Generation,
    beam_search,
    bounded,
    decode_steps,
)
from core.hf import hf_marian, hf_ref, hf_spm
from core.hf.hf_bundle import HFBundle
from core.hf.hf_folder import HFFolderError, at, read_weights, weight_files
from core.hf.hf_spm import SpmTokenizer
from core.hf.hf_tokenizer import HFTokenizerError
from core.messages import joined, message_of, msg
from core.model import Transformer
from core.prompt_task import PromptTokenizer
from core.tokenizer import EOS_ID, Encoded, InputError, check_text
from core.trace import Tracer, untraced


@dataclass
class MarianBundle(HFBundle):
    """``start_id``: the decoder's first token (``decoder_start_token_id``, the pad id)."""

    start_id: int = 0

    @property
    def spm_src(self) -> SpmTokenizer:
        assert isinstance(self.src_tok, SpmTokenizer)
        return self.src_tok

    @property
    def spm_tgt(self) -> SpmTokenizer:
        assert isinstance(self.tgt_tok, SpmTokenizer)
        return self.tgt_tok

    @property
    def prompt_tok(self) -> PromptTokenizer:  # type: ignore[override]
        return Bundle.prompt_tok.fget(self)  # type: ignore[attr-defined]

    def encode_source(self, text: str) -> tuple[Tensor, Encoded]:
        """The checked sentence as (1, S) ids ending in ``</s>`` (``enc`` without it)."""
        enc = self.spm_src.encode(check_text(text))
        if not enc.ids:
            raise InputError(msg("no_readable_words"))
        limit = self.cfg.max_len - 1
        if len(enc.ids) > limit:
            raise InputError(msg("sentence_too_long", n=len(enc.ids), limit=limit))
        return torch.tensor([[*enc.ids, self.spm_src.eos_id]]), enc

    def encode_target(self, text: str) -> tuple[Tensor, Tensor, Encoded]:
        """A reference translation -> decoder input (start id + ids) and labels
        (ids + ``</s>``), as ``MarianTokenizer(text_target=...)`` and ``shift_tokens_right``."""
        enc = self.spm_tgt.encode(check_text(text))
        limit = self.cfg.max_len - 1
        if not enc.ids or len(enc.ids) > limit:
            raise InputError(msg("target_tokens", limit=limit, n=len(enc.ids)))
        eos = self.spm_tgt.eos_id
        return torch.tensor([[self.start_id, *enc.ids]]), torch.tensor([[*enc.ids, eos]]), enc

    def translate(
        self, text: str, settings: DecodeSettings | None = None, tracer: Tracer | None = None
    ) -> Translation:
        settings = settings or DecodeSettings(max_len=self.cfg.max_len - 1)
        model = self.translator()
        src, enc = self.encode_source(text)
        model.eval()
        ids = MarianIds(self.start_id, self.spm_tgt.eos_id, self.spm_tgt.pad_id)
        if tracer is None:
            gen = translate_ids(model, src, settings, ids, None)
        else:
            tracer.trace.meta["tgt_start"] = self.spm_tgt.token(self.start_id)  # core.display
            with tracer.active():
                gen = translate_ids(model, src, settings, ids, tracer)
        warnings: list[str] = []
        if enc.unknown:
            warnings.append(msg("unknown_words", words=joined(enc.unknown)))
        if not gen.finished:
            warnings.append(msg("length_limit", n=len(gen.ids)))
        tokens = [self.spm_tgt.token(i) for i in gen.ids]
        return Translation(enc, self.spm_tgt.decode(gen.ids), tokens, gen, warnings)


@dataclass(frozen=True)
class MarianIds:
    """The decoder's start id, its end id, and the id it never writes (padding)."""

    start: int
    eos: int
    banned: int


@torch.no_grad()
def translate_ids(
    model: Transformer,
    src: Tensor,
    settings: DecodeSettings,
    ids: MarianIds,
    tracer: Tracer | None = None,
) -> Generation:
    """Greedy, sampled or beam translation of (1, S) source ids, every decoding step a
    full traced pass of the decoder over the prefix (no cache, as ``core.decode``)."""
    settings = bounded(model, settings)
    forced: list[int] | None = None
    tree: list[BeamNode] = []
    if settings.strategy == "beam":
        with untraced():
            searched = _beam(model, src, settings, ids)
        forced = [*searched.ids, ids.eos] if searched.finished else searched.ids
        tree = searched.tree
    memory, mem_key, pad = model.encode(src)  # (1, S, D)
    steps = settings.max_len if forced is None else len(forced)

    def next_logits(prefix: list[int]) -> Tensor:  # (1, V), the padding id never chosen
        return _ban(model.decode(torch.tensor([prefix]), memory, mem_key, pad)[:, -1], ids.banned)

    return decode_steps(
        next_logits, [ids.start], steps, settings, forced, tree, tracer, eos=ids.eos
    )


def _ban(logits: Tensor, banned: int) -> Tensor:
    """(B, V) logits with the banned id at -inf (a copy: the traced logits stay whole)."""
    out = logits.clone()
    out[:, banned] = float("-inf")
    return out


def _beam(model: Transformer, src: Tensor, s: DecodeSettings, ids: MarianIds) -> Generation:
    """``core.decode.beam_search`` ends a hypothesis at the engine's ``<eos>`` id, so the
    model's own end id and that id swap columns in the logits it ranks (and back in the
    result): the search is the built-in's, with this model's end token."""
    memory, mem_key, pad = model.encode(src)  # (1, S, D)
    order = list(range(model.head.out_features))
    order[ids.eos], order[EOS_ID] = EOS_ID, ids.eos

    def swap(i: int) -> int:
        return order[i]

    def logits(paths: list[list[int]]) -> Tensor:
        rows = torch.tensor([[ids.start, *(swap(i) for i in p)] for p in paths])  # (beam, t+1)
        mem = memory.expand(len(paths), -1, -1)  # (beam, S, D)
        mpad = None if pad is None else pad.expand(len(paths), -1, -1, -1)
        out = _ban(model.decode(rows, mem, mem_key, mpad)[:, -1], ids.banned)  # (beam, V)
        return out[:, order]

    found = beam_search(logits, ids.start, s.max_len, s)
    tree = [
        node if node.parent is None else replace(node, token=swap(node.token))
        for node in found.tree
    ]
    return Generation(ids=[swap(i) for i in found.ids], tree=tree, finished=found.finished)


def load(folder: Path, config: dict[str, Any], cfg: ModelConfig, vocab: int) -> MarianBundle:
    """A Marian folder whose config passed ``hf_marian.model_config`` and the size
    limits: its tokenizers, weights and special ids, as a bundle."""
    where = str(folder / "config.json")
    try:
        src_tok, tgt_tok = hf_spm.from_folder(folder)
    except HFTokenizerError as e:
        raise HFFolderError(message_of(e)) from None
    if src_tok.size > vocab:
        raise HFFolderError(at(folder, "hf_tokenizer_size", n=src_tok.size, vocab=vocab))
    pad, eos, start = hf_marian.special_ids(config, where)
    if (pad, eos) != (src_tok.pad_id, src_tok.eos_id):
        raise HFFolderError(
            at(
                where,
                "hf_marian_special",
                pad=pad,
                eos=eos,
                pad_id=src_tok.pad_id,
                eos_id=src_tok.eos_id,
            )
        )
    if not 0 <= start < vocab:
        raise HFFolderError(at(where, "hf_start_token", name=hf_marian.DECODER_START, start=start))
    state = read_weights(weight_files(folder))
    mark = hf_ref.fingerprint(folder)  # what a session file keeps instead of the weights
    model = hf_marian.build(state, cfg, vocab, pad, str(folder / "model.safetensors"))
    return MarianBundle(
        model,
        src_tok,
        tgt_tok,
        pair="hf:marian",
        folder=str(folder),
        fingerprint=mark,
        start_id=start,
    )
