"""BERT (``model_type: bert``) on the engine's ``EncoderClassifier``: a sentence
classifier (``BertForSequenceClassification``), or a pre-trained BERT that fills in
masked words (``BertForMaskedLM``, ``BertForPreTraining``: ``bert-base-uncased``).

BERT is the engine's encoder-only shape with these switches (``ModelConfig``): post-norm
(the paper's), exact GELU, learned positions, embeddings unscaled, a token-type
(segment) table of which segment 0 is added to every token (``type_vocab``), a
LayerNorm on the embedding sum (``embed_norm``, BERT's eps 1e-12 everywhere:
``norm_eps``) and the pooler, ``tanh(W·[CLS] + b)``, before the classification head
(``pooler``). ``nn.Linear`` layouts: no transposes.

A folder without a classification head opens in masked-word mode (``cfg.mlm``,
``core.mlm``): ``cls.predictions.transform.dense`` / ``.transform.LayerNorm`` and
``cls.predictions.bias`` become ``mlm.dense``, ``mlm.norm`` and ``mlm.bias``; the
decoder is the word embedding table (tied, as ``transformers`` ties it, so a stored
``cls.predictions.decoder.weight`` is not read). What that mode never uses is skipped
as ``transformers`` skips it: the pooler and the next-sentence head
(``cls.seq_relationship``) of a ``BertForPreTraining`` checkpoint. Old checkpoints'
LayerNorm names ``gamma`` / ``beta`` read as ``weight`` / ``bias``.
"""

from __future__ import annotations

from typing import Any

from torch import Tensor

from core import limits
from core.config import ModelConfig
from core.hf.hf_folder import HFFolderError, Renaming, at, bad_config, dump, load_checked, option
from core.messages import joined
from core.model_encoder import EncoderClassifier

ACTIVATIONS = {"gelu": "gelu", "relu": "relu", "gelu_new": "gelu_tanh"}
UNSUPPORTED = {
    "add_cross_attention": False,
    "is_decoder": False,
    "position_embedding_type": "absolute",
    "tie_word_embeddings": True,
}
CLASSIFIER = "BertForSequenceClassification"
MASKED_LM = ("BertForMaskedLM", "BertForPreTraining")  # both carry the masked-word head
UNUSED_BY_MLM = ("pooler.", "cls.seq_relationship.", "cls.predictions.decoder.")


def is_masked_lm(config: dict[str, Any]) -> bool:
    """A folder whose ``architectures`` name a masked-word head and no classifier."""
    archs = config.get("architectures") or [CLASSIFIER]
    return CLASSIFIER not in archs and any(a in MASKED_LM for a in archs)


def model_config(config: dict[str, Any], where: str) -> tuple[ModelConfig, int]:
    """HF BertConfig JSON -> (the engine's config, the vocabulary size)."""
    for key, ok in UNSUPPORTED.items():
        if key in config and config[key] != ok:
            raise HFFolderError(option(where, "BERT", key, config[key]))
    archs = config.get("architectures") or [CLASSIFIER]
    mlm = is_masked_lm(config)
    if CLASSIFIER not in archs and not mlm:
        raise HFFolderError(
            at(
                where,
                "hf_bert_head",
                archs=dump(archs),
                classifier=CLASSIFIER,
                masked=joined(MASKED_LM),
            )
        )
    act = config.get("hidden_act", "gelu")
    if act not in ACTIVATIONS:
        raise HFFolderError(option(where, "BERT", "hidden_act", act))
    try:
        d, vocab = int(config["hidden_size"]), int(config["vocab_size"])
        labels = config.get("id2label") or {}
        n_labels = int(config.get("num_labels", len(labels) or 2))
        cfg = ModelConfig(
            arch="encoder-only",
            d_model=d,
            n_heads=int(config["num_attention_heads"]),
            n_enc_layers=int(config["num_hidden_layers"]),
            n_dec_layers=0,
            d_ff=int(config["intermediate_size"]),
            activation=ACTIVATIONS[act],  # type: ignore[arg-type]
            norm="post",
            positions="learned",
            max_len=min(int(config.get("max_position_embeddings", 512)), limits.MAX_MODEL_LEN),
            n_labels=0 if mlm else (len(labels) if labels else n_labels),
            embed_scale=False,
            norm_eps=float(config.get("layer_norm_eps", 1e-12)),
            type_vocab=int(config.get("type_vocab_size", 2)),
            embed_norm=True,
            pooler=not mlm,
            mlm=mlm,
        )
    except (KeyError, TypeError, ValueError) as e:
        raise HFFolderError(bad_config(where, "BERT", e)) from None
    return cfg, vocab


def label_names(config: dict[str, Any], n: int) -> tuple[str, ...]:
    """``id2label`` in id order (``"0"``, ``"1"``, ... when absent or malformed)."""
    names = config.get("id2label")
    if isinstance(names, dict) and len(names) == n:
        try:
            return tuple(str(names[k])[:64] for k in sorted(names, key=int))
        except (ValueError, TypeError):
            pass
    return tuple(str(i) for i in range(n))


def engine_state(state: dict[str, Tensor], cfg: ModelConfig, where: str) -> dict[str, Tensor]:
    """HF BERT tensor names -> the engine's ``EncoderClassifier`` state dict (either head)."""
    src = {
        _new_name(k.removeprefix("bert.")): v
        for k, v in state.items()
        if not k.endswith("position_ids")
        and not (cfg.mlm and k.removeprefix("bert.").startswith(UNUSED_BY_MLM))
    }
    moves = Renaming(src, where)
    out, take, linear = moves.out, moves.take, moves.linear

    out["src_embed.weight"] = take("embeddings.word_embeddings.weight")
    out["pos_embed.weight"] = take("embeddings.position_embeddings.weight")[: cfg.max_len]
    out["type_embed.weight"] = take("embeddings.token_type_embeddings.weight")
    linear("embeddings.LayerNorm", "embed_norm")
    for i in range(cfg.n_enc_layers):
        h, e = f"encoder.layer.{i}.", f"enc.{i}."
        for part, ours in (("query", "w_q"), ("key", "w_k"), ("value", "w_v")):
            linear(f"{h}attention.self.{part}", f"{e}self_attn.{ours}")
        linear(f"{h}attention.output.dense", f"{e}self_attn.w_o")
        linear(f"{h}attention.output.LayerNorm", f"{e}norm1")
        linear(f"{h}intermediate.dense", f"{e}ffn.lin1")
        linear(f"{h}output.dense", f"{e}ffn.lin2")
        linear(f"{h}output.LayerNorm", f"{e}norm2")
    if cfg.mlm:
        linear("cls.predictions.transform.dense", "mlm.dense")
        linear("cls.predictions.transform.LayerNorm", "mlm.norm")
        out["mlm.bias"] = take("cls.predictions.bias")
    else:
        linear("pooler.dense", "pool")
        linear("classifier", "head")
    if src:
        raise HFFolderError(at(where, "hf_unexpected_weight", name=sorted(src)[0]))
    return out


def _new_name(key: str) -> str:
    """Old TensorFlow-era names (``LayerNorm.gamma`` / ``.beta``) as ``transformers``
    reads them today (``.weight`` / ``.bias``)."""
    if key.endswith(".gamma"):
        return key.removesuffix(".gamma") + ".weight"
    if key.endswith(".beta"):
        return key.removesuffix(".beta") + ".bias"
    return key


def build(
    state: dict[str, Tensor], cfg: ModelConfig, vocab: int, pad_id: int, where: str
) -> EncoderClassifier:
    """The engine's BERT (classifier or masked-word) with the checkpoint's weights
    (shapes checked)."""
    mapped = engine_state(state, cfg, where)
    model = EncoderClassifier(cfg, vocab, pad_id)
    return load_checked(model, mapped, where)
