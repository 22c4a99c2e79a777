"""GPT-2 (``model_type: gpt2``) on the engine's ``DecoderOnly``.

GPT-2 is the engine's decoder-only shape with four switches set (``ModelConfig``):
pre-norm with a final LayerNorm, learned positions, embeddings added unscaled
(``embed_scale=False``), GELU's tanh approximation (``gelu_new``), and an output head
that is the token embedding table, with no bias (``tie_head``, ``head_bias=False``).
The weights map one to one onto the engine's modules, so every step keeps the names of
the built-in GPT (``dec.0.self_attn.weights``, ``dec.1.ffn.act``, ``logits``).

GPT-2 stores its projections as ``Conv1D`` (``y = x · W + b``, W of shape (in, out)):
the transpose of ``nn.Linear``'s (out, in). ``c_attn`` is Q, K and V side by side.
"""

from __future__ import annotations

from typing import Any

from torch import Tensor

from core import limits
from core.config import ConfigError, ModelConfig
from core.hf.hf_folder import HFFolderError, Renaming, at, bad_config, load_checked, option
from core.messages import message_of, msg
from core.model_decoder import DecoderOnly

ACTIVATIONS = {
    "gelu_new": "gelu_tanh",
    "gelu_pytorch_tanh": "gelu_tanh",
    "gelu": "gelu",
    "relu": "relu",
}
# Options whose non-default value changes the computation in a way the engine does not do.
UNSUPPORTED = {
    "add_cross_attention": False,
    "scale_attn_by_inverse_layer_idx": False,
    "reorder_and_upcast_attn": False,
    "scale_attn_weights": True,
}


def model_config(config: dict[str, Any], where: str) -> tuple[ModelConfig, int]:
    """HF GPT2Config JSON -> (the engine's config, the vocabulary size); an option the
    engine cannot reproduce is refused with its name and value."""
    for key, ok in UNSUPPORTED.items():
        if key in config and config[key] != ok:
            raise HFFolderError(option(where, "GPT-2", key, config[key]))
    act = config.get("activation_function", "gelu_new")
    if act not in ACTIVATIONS:
        raise HFFolderError(option(where, "GPT-2", "activation_function", act))
    try:
        d, vocab = int(config["n_embd"]), int(config["vocab_size"])
        n_positions = int(config.get("n_positions", config.get("n_ctx", 1024)))
        inner = config.get("n_inner")
        cfg = ModelConfig(
            arch="decoder-only",
            d_model=d,
            n_heads=int(config["n_head"]),
            n_enc_layers=0,
            n_dec_layers=int(config["n_layer"]),
            d_ff=int(inner) if inner is not None else 4 * d,
            activation=ACTIVATIONS[act],  # type: ignore[arg-type]
            norm="pre",
            final_norm=True,
            positions="learned",
            # Positions past the engine's ceiling are not read (GPT-2 has 1024).
            max_len=min(n_positions, limits.MAX_MODEL_LEN),
            embed_scale=False,
            head_bias=False,
            tie_head=bool(config.get("tie_word_embeddings", True)),
            norm_eps=float(config.get("layer_norm_epsilon", 1e-5)),
        )
    except (KeyError, TypeError, ValueError) as e:
        raise HFFolderError(bad_config(where, "GPT-2", e)) from None
    except ConfigError as e:  # pragma: no cover - ConfigError is a ValueError, kept for clarity
        raise HFFolderError(msg("in_file", path=where, reason=message_of(e))) from None
    return cfg, vocab


def engine_state(
    state: dict[str, Tensor], cfg: ModelConfig, vocab: int, where: str
) -> dict[str, Tensor]:
    """HF GPT-2 tensor names and layouts -> the engine's ``DecoderOnly`` state dict."""
    src = {_strip(k): v for k, v in state.items() if not _is_buffer(k)}
    moves = Renaming(src, where)
    out, take = moves.out, moves.take

    out["tgt_embed.weight"] = take("wte.weight")
    out["pos_embed.weight"] = take("wpe.weight")[: cfg.max_len]
    d = cfg.d_model
    for i in range(cfg.n_dec_layers):
        h, e = f"h.{i}.", f"dec.{i}."
        w, b = take(h + "attn.c_attn.weight").t(), take(h + "attn.c_attn.bias")  # (3D, D), (3D,)
        for j, part in enumerate(("w_q", "w_k", "w_v")):
            out[f"{e}self_attn.{part}.weight"] = w[j * d : (j + 1) * d].contiguous()
            out[f"{e}self_attn.{part}.bias"] = b[j * d : (j + 1) * d].contiguous()
        out[f"{e}self_attn.w_o.weight"] = take(h + "attn.c_proj.weight").t().contiguous()
        out[f"{e}self_attn.w_o.bias"] = take(h + "attn.c_proj.bias")
        out[f"{e}ffn.lin1.weight"] = take(h + "mlp.c_fc.weight").t().contiguous()
        out[f"{e}ffn.lin1.bias"] = take(h + "mlp.c_fc.bias")
        out[f"{e}ffn.lin2.weight"] = take(h + "mlp.c_proj.weight").t().contiguous()
        out[f"{e}ffn.lin2.bias"] = take(h + "mlp.c_proj.bias")
        for k in (1, 2):
            out[f"{e}norm{k}.weight"] = take(f"{h}ln_{k}.weight")
            out[f"{e}norm{k}.bias"] = take(f"{h}ln_{k}.bias")
    out["dec_norm.weight"], out["dec_norm.bias"] = take("ln_f.weight"), take("ln_f.bias")
    head = src.pop("lm_head.weight", None)
    if cfg.tie_head:
        out["head.weight"] = out["tgt_embed.weight"]
    elif head is None:
        raise HFFolderError(at(where, "hf_no_lm_head"))
    else:
        out["head.weight"] = head.float()
    if src:
        raise HFFolderError(at(where, "hf_unexpected_weight", name=sorted(src)[0]))
    return out


def build(state: dict[str, Tensor], cfg: ModelConfig, vocab: int, where: str) -> DecoderOnly:
    """The engine's GPT-2 with the checkpoint's weights; shapes checked one by one.

    ``pad_id=-1``: GPT-2 has no padding token, so no id is masked as padding."""
    mapped = engine_state(state, cfg, vocab, where)
    model = DecoderOnly(cfg, vocab, pad_id=-1)
    return load_checked(model, mapped, where)


def _strip(name: str) -> str:
    """``transformer.h.0...`` (GPT2LMHeadModel) and ``h.0...`` (GPT2Model) alike."""
    return name.removeprefix("transformer.")


def _is_buffer(name: str) -> bool:
    """Old checkpoints carry the causal-mask buffers ``attn.bias`` / ``attn.masked_bias``."""
    return name.endswith(".attn.masked_bias") or (
        name.endswith(".attn.bias") and ".c_attn" not in name
    )
