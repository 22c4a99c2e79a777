"""Marian translators (``model_type: marian``, ``MarianMTModel``: the Helsinki-NLP
``opus-mt-*`` models) on the engine's encoder-decoder ``Transformer``.

Marian is the paper's translator with these switches (``ModelConfig``): post-norm, no
LayerNorm after either stack, sinusoidal positions in Marian's layout (sines in the
first half of each vector, cosines in the second: ``positions="sinusoidal-halves"``,
computed, never read), token embeddings scaled by sqrt(d_model) (``scale_embedding``),
SiLU (``"swish"``) in the feed-forward layers, one token table for the source, the
target and the output head (``tie_embeddings``, ``tie_head``, ``head_bias=False``) and a
fixed bias added to the logits (``final_logits_bias``, a buffer ``transformers`` never
trains: ``logits_bias``). The names of every step stay the built-in translator's
(``enc.0.self_attn.weights``, ``dec.1.cross_attn.weights``, ``logits``).

Two details follow ``transformers`` exactly: the shared table's row of the padding id
gets no gradient from the tokens that read it (``nn.Embedding(padding_idx=pad)``), and
the decoder starts with the padding id and masks no target id as padding
(``tgt_pad_id=-1``). Dropout is not applied (as for GPT-2 and BERT here), so a traced
training step is exactly repeatable. ``nn.Linear`` layouts: no transposes.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from core import limits
from core.config import ModelConfig
from core.hf.hf_folder import HFFolderError, Renaming, at, bad_config, dump, load_checked, option
from core.model import Transformer
from core.model_base import sinusoid_halves

ACTIVATIONS = {"swish": "silu", "silu": "silu", "gelu": "gelu", "relu": "relu"}
ACTIVATIONS |= {"gelu_new": "gelu_tanh", "gelu_pytorch_tanh": "gelu_tanh"}
# Options whose other value changes the computation in a way the engine does not do
# (the BART-era keys some opus-mt configs still carry included).
UNSUPPORTED: dict[str, object] = {
    "share_encoder_decoder_embeddings": True,
    "normalize_before": False,
    "normalize_embedding": False,
    "add_final_layer_norm": False,
    "add_bias_logits": False,
    "static_position_embeddings": True,
    "is_decoder": False,
    "add_cross_attention": False,
}
# Both stacks share one width, head count and feed-forward size in the engine.
SAME = (
    ("encoder_attention_heads", "decoder_attention_heads"),
    ("encoder_ffn_dim", "decoder_ffn_dim"),
)
DECODER_START = "decoder_start_token_id"


def model_config(config: dict[str, Any], where: str) -> tuple[ModelConfig, int]:
    """HF MarianConfig JSON -> (the engine's config, the vocabulary size); an option the
    engine cannot reproduce is refused with its name and value."""
    for key, ok in UNSUPPORTED.items():
        if key in config and config[key] != ok:
            raise HFFolderError(option(where, "Marian", key, config[key]))
    archs = config.get("architectures") or ["MarianMTModel"]
    if "MarianMTModel" not in archs:
        raise HFFolderError(at(where, "hf_marian_head", archs=dump(archs)))
    act = config.get("activation_function", "gelu")
    if act not in ACTIVATIONS:
        raise HFFolderError(option(where, "Marian", "activation_function", act))
    try:
        d, vocab = int(config["d_model"]), int(config["vocab_size"])
        decoder_vocab = config.get("decoder_vocab_size")
        if decoder_vocab is not None and int(decoder_vocab) != vocab:
            raise HFFolderError(
                at(where, "hf_marian_vocab", value=dump(decoder_vocab), vocab=vocab)
            )
        for enc, dec in SAME:
            if enc in config and dec in config and int(config[enc]) != int(config[dec]):
                raise HFFolderError(
                    at(
                        where,
                        "hf_marian_differs",
                        dec=dec,
                        value=dump(config[dec]),
                        enc=enc,
                        other=dump(config[enc]),
                    )
                )
        cfg = ModelConfig(
            arch="encoder-decoder",
            d_model=d,
            n_heads=int(config.get("encoder_attention_heads", 8)),
            n_enc_layers=int(config["encoder_layers"]),
            n_dec_layers=int(config["decoder_layers"]),
            d_ff=int(config.get("encoder_ffn_dim", 2048)),
            activation=ACTIVATIONS[act],  # type: ignore[arg-type]
            norm="post",
            positions="sinusoidal-halves",
            # Positions past the engine's ceiling are not read (opus-mt has 512).
            max_len=min(int(config.get("max_position_embeddings", 1024)), limits.MAX_MODEL_LEN),
            embed_scale=bool(config.get("scale_embedding", False)),
            tie_embeddings=True,
            tie_head=bool(config.get("tie_word_embeddings", True)),
            head_bias=False,
            logits_bias=True,
        )
    except (KeyError, TypeError, ValueError) as e:
        if isinstance(e, HFFolderError):
            raise
        raise HFFolderError(bad_config(where, "Marian", e)) from None
    return cfg, vocab


def special_ids(config: dict[str, Any], where: str) -> tuple[int, int, int]:
    """(pad, eos, decoder start) from the config; the start defaults to the pad id."""
    try:
        pad = int(config["pad_token_id"])
        eos = int(config.get("eos_token_id", 0))
        start = config.get(DECODER_START)
        return pad, eos, pad if start is None else int(start)
    except (KeyError, TypeError, ValueError) as e:
        raise HFFolderError(bad_config(where, "Marian", e)) from None


def engine_state(state: dict[str, Tensor], cfg: ModelConfig, where: str) -> dict[str, Tensor]:
    """HF Marian tensor names -> the engine's ``Transformer`` state dict (the shared
    table under all three names it has there: ``src_embed``, ``tgt_embed``, ``head``)."""
    src = {k.removeprefix("model."): v for k, v in state.items()}
    moves = Renaming(src, where)
    out, take, linear = moves.out, moves.take, moves.linear

    table = take("shared.weight")  # (V, D)
    out["src_embed.weight"] = out["tgt_embed.weight"] = table
    for copy in ("encoder.embed_tokens.weight", "decoder.embed_tokens.weight"):
        src.pop(copy, None)  # the same table, when a checkpoint stores it again
    head = src.pop("lm_head.weight", None)
    if cfg.tie_head:
        out["head.weight"] = table
    elif head is None:
        raise HFFolderError(at(where, "hf_no_lm_head"))
    else:
        out["head.weight"] = head.float()
    out["logits_bias"] = take("final_logits_bias").reshape(-1)  # (1, V) -> (V,)
    for side in ("encoder", "decoder"):
        _check_positions(src.pop(f"{side}.embed_positions.weight", None), cfg, where)
    for i in range(cfg.n_enc_layers):
        h, e = f"encoder.layers.{i}.", f"enc.{i}."
        _attention(linear, f"{h}self_attn", f"{e}self_attn")
        linear(f"{h}self_attn_layer_norm", f"{e}norm1")
        linear(f"{h}fc1", f"{e}ffn.lin1")
        linear(f"{h}fc2", f"{e}ffn.lin2")
        linear(f"{h}final_layer_norm", f"{e}norm2")
    for i in range(cfg.n_dec_layers):
        h, e = f"decoder.layers.{i}.", f"dec.{i}."
        _attention(linear, f"{h}self_attn", f"{e}self_attn")
        linear(f"{h}self_attn_layer_norm", f"{e}norm1")
        _attention(linear, f"{h}encoder_attn", f"{e}cross_attn")
        linear(f"{h}encoder_attn_layer_norm", f"{e}norm2")
        linear(f"{h}fc1", f"{e}ffn.lin1")
        linear(f"{h}fc2", f"{e}ffn.lin2")
        linear(f"{h}final_layer_norm", f"{e}norm3")
    if src:
        raise HFFolderError(at(where, "hf_unexpected_weight", name=sorted(src)[0]))
    return out


def _attention(linear: Any, hf: str, ours: str) -> None:
    for part, name in (
        ("q_proj", "w_q"),
        ("k_proj", "w_k"),
        ("v_proj", "w_v"),
        ("out_proj", "w_o"),
    ):
        linear(f"{hf}.{part}", f"{ours}.{name}")


def _check_positions(stored: Tensor | None, cfg: ModelConfig, where: str) -> None:
    """A checkpoint that stores its position table must hold Marian's sinusoids (the
    engine computes them): another table would be silently ignored otherwise."""
    if stored is None:
        return
    n = min(stored.shape[0], cfg.max_len)
    want = sinusoid_halves(n, cfg.d_model)
    if stored.shape[1:] != want.shape[1:] or not torch.allclose(
        stored[:n].float(), want, atol=1e-4, rtol=0
    ):
        raise HFFolderError(at(where, "hf_marian_positions"))


def build(
    state: dict[str, Tensor], cfg: ModelConfig, vocab: int, pad_id: int, where: str
) -> Transformer:
    """The engine's Marian with the checkpoint's weights; shapes checked one by one."""
    if not 0 <= pad_id < vocab:
        raise HFFolderError(at(where, "hf_pad_id", pad=pad_id, vocab=vocab))
    mapped = engine_state(state, cfg, where)
    model = Transformer(cfg, vocab, vocab, pad_id=pad_id, tgt_pad_id=-1)
    # transformers' nn.Embedding(padding_idx=pad): lookups of the padding id (the
    # decoder's start token) add nothing to that row's gradient.
    model.src_embed.padding_idx = pad_id
    return load_checked(model, mapped, where)
