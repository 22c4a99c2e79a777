"""Which views a model's shape has a use for (no Qt: the shell asks, the views decide).

A view that only means something for one shape of model says so here, as a predicate
on the model's ``ModelConfig``: the Router view needs mixture-of-experts layers, the
Classification head an encoder-only model, and the Decoding view a model that writes
text. Views not named apply to every shape. The shell shows and hides the docks by
these predicates when a model of another shape opens, so it needs no knowledge of
any feature; the View menu still lists every dock, and any can be opened by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.config import ModelConfig


def _has_experts(cfg: ModelConfig) -> bool:
    """The router's probabilities, top-k and loads exist only in MoE layers."""
    return cfg.ffn == "moe"


def _classifies(cfg: ModelConfig) -> bool:
    """A classification head sits only on an encoder-only model (not on a pre-trained
    BERT, which fills in masked words instead)."""
    return cfg.arch == "encoder-only" and not cfg.mlm


def _writes_text(cfg: ModelConfig) -> bool:
    """Decoding (next token, top-k, beam) needs a decoder: a classifier decodes nothing.
    A pre-trained BERT writes the words of its [MASK]s (the view's fill-mask face)."""
    return cfg.arch != "encoder-only" or cfg.mlm


SHAPES: dict[str, Callable[[ModelConfig], bool]] = {
    "decoding": _writes_text,
    "router": _has_experts,
    "classify": _classifies,
}
# Brought forward when a model of another shape opens: the first of these that applies
# (the view that says what is new about this shape, else the attention).
FRONT = ("classify", "router", "attention")


def applies(view: str, cfg: ModelConfig) -> bool:
    """Whether the view ``view`` (a key of ``VIEWS``) has something to show for ``cfg``."""
    predicate = SHAPES.get(view)
    return predicate is None or predicate(cfg)


def front(cfg: ModelConfig) -> str:
    """The view to bring forward when a model of this shape opens (a pre-trained BERT:
    the Decoding view, where its [MASK]s are filled)."""
    if cfg.mlm:
        return "decoding"
    return next(name for name in FRONT if applies(name, cfg))
