"""Real checkpoints in the Hugging Face format, opened on the simulator's engine.

``load_folder(DIR)`` reads a folder as ``save_pretrained`` writes it (or a snapshot of
the local hub cache): ``config.json`` says the family, the weights come from safetensors
only, the tokenizer from its data files through the ``tokenizers`` library, and the
result is a ``Bundle`` whose model is the engine's own (every op a named trace point).
Families: GPT-2 (``hf_gpt2``) and BERT sentence classifiers (``hf_bert``). Any other
``model_type`` is refused with one line.
"""

from __future__ import annotations

from pathlib import Path

from core import limits
from core.hf import hf_bert, hf_gpt2
from core.hf.hf_bundle import HFBundle
from core.hf.hf_folder import HFFolderError, is_hf_folder, read_config, read_weights, weight_files
from core.hf.hf_tokenizer import HFTextTokenizer, HFTokenizerError

__all__ = ["FAMILIES", "HFBundle", "HFFolderError", "is_hf_folder", "load_folder", "trace_bytes"]

FAMILIES = ("gpt2", "bert")
EOT = "<|endoftext|>"  # GPT-2's one special token: the end of a text


def load_folder(path: str | Path) -> HFBundle:
    """Open a Hugging Face GPT-2 or BERT folder as a Bundle; anything unusable is an
    ``HFFolderError`` with one line (the family, the option, the file)."""
    folder = Path(path)
    if not folder.is_dir():
        raise HFFolderError(f"model folder not found: {folder}")
    config = read_config(folder)
    where = str(folder / "config.json")
    family = config.get("model_type")
    if family not in FAMILIES:
        raise HFFolderError(
            f"{where}: model_type {family!r} is not supported (supported: {', '.join(FAMILIES)})"
        )
    bert = family == "bert"
    cfg, vocab = (hf_bert if bert else hf_gpt2).model_config(config, where)
    try:
        limits.check_model(cfg, vocab, vocab)
    except limits.LimitError as e:
        params = cfg.parameter_count(vocab, vocab)
        raise HFFolderError(
            f"{where}: {e} (a traced training step would hold about "
            f"{_gib(trace_bytes(params))} more)"
        ) from None
    try:
        tok = HFTextTokenizer.from_folder(folder, None if bert else EOT, specials=bert)
    except HFTokenizerError as e:
        raise HFFolderError(str(e)) from None
    if tok.size > vocab:
        raise HFFolderError(
            f"{folder}: the tokenizer has {tok.size} tokens; the model reads {vocab}"
        )
    state = read_weights(weight_files(folder))
    weights = str(folder / "model.safetensors")
    if bert:
        pad = config.get("pad_token_id", 0)
        pad_id = pad if isinstance(pad, int) else 0
        names = hf_bert.label_names(config, cfg.n_labels)
        classifier = hf_bert.build(state, cfg, vocab, pad_id, weights)
        return HFBundle(classifier, tok, tok, f"hf:{family}", names, folder=str(folder))
    gpt = hf_gpt2.build(state, cfg, vocab, weights)
    return HFBundle(gpt, tok, tok, pair=f"hf:{family}", folder=str(folder))


def trace_bytes(params: int) -> int:
    """A rough lower bound of what a full training-step trace adds for a model of
    ``params`` parameters (float32): the weights before and after, their gradients and
    the update, each recorded once."""
    return 4 * 4 * params


def _gib(n: int) -> str:
    return f"{n / limits.GiB:.1f} GiB"
