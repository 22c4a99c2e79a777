"""The compare mode's numbers: one German word looking back at the English sentence,
in the encoder-decoder model (cross-attention) and in the decoder-only model
(self-attention over the prompt), per layer and head. No Qt: computed and tested alone.

Which row: the query that *produced* the word. At decoding step ``t`` (the step whose
output is ``tgt_tokens[t]``) both models recompute every position, and the last row of
that step's attention matrix is the one the new word came from: in the translator
``t{t}/dec.L.cross_attn.weights`` (1, H, t+1, S), in the GPT-style model
``t{t}/dec.L.self_attn.weights`` (1, H, P+t, P+t) whose first P columns are the prompt
``time flies like an arrow =``. Both rows are shown over the English words; what the
row puts elsewhere (the translator's ``<eos>``; the GPT model's ``=`` and the German
written so far) is one more column, the sum of those entries of the same row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from core.bundle import Bundle
    from core.trace import Trace

ENCDEC, DECONLY = "demo-de", "gpt-de"  # the shipped pair the compare mode opens
DEFAULT_WORD = "Pfeil"
SEPARATORS = {"encoder-decoder": "<eos>", "decoder-only": "="}  # end of the English part
ATTENTION = {"encoder-decoder": "cross_attn", "decoder-only": "self_attn"}


@dataclass(frozen=True)
class Side:
    """One model's rows: ``weights[layer, head, j]`` is the attention the word's query
    puts on English word ``j``; ``elsewhere[layer, head]`` what it puts on the rest."""

    arch: str
    t: int  # the decoding step that wrote the word
    keys: tuple[str, ...]  # the trace entry of each layer
    weights: np.ndarray  # (layers, heads, words)
    elsewhere: np.ndarray  # (layers, heads)

    @property
    def layers(self) -> int:
        return int(self.weights.shape[0])

    @property
    def heads(self) -> int:
        return int(self.weights.shape[1])

    def peak(self, word: int) -> tuple[float, int, int]:
        """(largest weight on English word ``word``, its layer, its head)."""
        column = self.weights[:, :, word]  # (layers, heads)
        layer, head = np.unravel_index(int(np.argmax(column)), column.shape)
        return float(column[layer, head]), int(layer), int(head)


@dataclass(frozen=True)
class Comparison:
    word: str
    source_words: tuple[str, ...]  # the English words both models read, in order
    encdec: Side
    deconly: Side

    def focus(self) -> int | None:
        """The English word the translator's strongest head reads for this word (the
        column both heatmaps mark); None when there are no columns."""
        if not self.source_words:
            return None
        totals = self.encdec.weights.max(axis=(0, 1))  # (words,)
        return int(np.argmax(totals))


def english_words(trace: Trace) -> list[str]:
    """The sentence's words as the model read them (without ``<eos>`` or ``=``)."""
    tokens = list(trace.meta["src_tokens"])
    sep = SEPARATORS.get(str(trace.meta.get("arch")))
    return tokens[:-1] if tokens and tokens[-1] == sep else tokens


def answer(trace: Trace) -> list[str]:
    return list(trace.meta.get("tgt_tokens", []))


def shared_words(encdec: Trace, deconly: Trace) -> list[str]:
    """The words both models wrote, in the translator's order: the choices of word."""
    theirs = set(answer(deconly))
    return [w for w in dict.fromkeys(answer(encdec)) if w in theirs]


def side(trace: Trace, word: str) -> Side:
    """The attention of ``word``'s query over the English words, in every layer and
    head of a translation trace (encoder-decoder or decoder-only)."""
    arch = str(trace.meta.get("arch"))
    if arch not in ATTENTION or trace.meta.get("kind") != "translation":
        raise ValueError(f"the compare mode needs a translation by a translator, not {arch}")
    written = answer(trace)
    if word not in written:
        said = " ".join(written) or "nothing"
        raise ValueError(f"{word!r} is not in the {arch} model's answer ({said})")
    t = written.index(word)
    n = len(english_words(trace))
    name = ATTENTION[arch]
    keys = sorted(
        (s.layer, s.key)
        for s in trace.steps
        if s.t == t and s.layer is not None and s.name == f"dec.{s.layer}.{name}.weights"
    )
    if not keys:
        raise ValueError(f"the trace has no {name} weights at decoding step {t}")
    rows = [trace.value(key)[0, :, -1, :] for _layer, key in keys]  # each (H, S) or (H, P+t)
    full = np.stack(rows).astype(np.float64)  # (layers, heads, columns)
    weights = full[:, :, :n]
    elsewhere = full[:, :, n:].sum(axis=-1)
    return Side(arch, t, tuple(k for _l, k in keys), weights, elsewhere)


def compare(encdec: Trace, deconly: Trace, word: str = DEFAULT_WORD) -> Comparison:
    """Both models' rows for ``word``; ValueError (one line) if the traces are not an
    encoder-decoder and a decoder-only translation of the same words, or the word is
    missing from either answer."""
    if encdec.meta.get("arch") != "encoder-decoder" or deconly.meta.get("arch") != "decoder-only":
        raise ValueError("compare an encoder-decoder translation with a decoder-only one")
    words = english_words(encdec)
    if english_words(deconly) != words:
        raise ValueError(
            f"the two models read different words: {' '.join(words)} / "
            f"{' '.join(english_words(deconly))}"
        )
    return Comparison(word, tuple(words), side(encdec, word), side(deconly, word))


def run_both(encdec: Bundle, deconly: Bundle, text: str) -> tuple[Trace, Trace]:
    """Translate ``text`` with both models, traced (greedy, as the window's default)."""
    from core.tracing import trace_translation

    first, _ = trace_translation(encdec, text)
    second, _ = trace_translation(deconly, text)
    return first, second


def head_labels(layers: int, heads: int) -> list[str]:
    """Row names of the heatmaps: one row per layer and head, "dec.0 H0" … (counted from
    0, as the trace names layers and the attention view names heads)."""
    return [f"dec.{layer} H{head}" for layer in range(layers) for head in range(heads)]
