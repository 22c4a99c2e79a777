"""Real checkpoints in the Hugging Face format, opened on the simulator's engine.

``load_folder(DIR)`` reads a folder as ``save_pretrained`` writes it (or a snapshot of
the local hub cache): ``config.json`` says the family, the weights come from safetensors
only, the tokenizer from its data files through the ``tokenizers`` library, and the
result is a ``Bundle`` whose model is the engine's own (every op a named trace point).
Families: GPT-2 (``hf_gpt2``), BERT (``hf_bert``: a sentence classifier, or a
pre-trained BERT that fills in ``[MASK]``, ``core.fill_mask``) and Marian translators
(``hf_marian``, tokenizer ``hf_spm`` through ``sentencepiece``). Any other
``model_type`` is refused with one line.
"""

from __future__ import annotations

from pathlib import Path

from core import limits
from core.hf import hf_bert, hf_gpt2, hf_marian, hf_marian_bundle, hf_ref
from core.hf.hf_bundle import HFBundle
from core.hf.hf_folder import (
    HFFolderError,
    at,
    is_hf_folder,
    read_config,
    read_weights,
    weight_files,
)
from core.hf.hf_tokenizer import HFTextTokenizer, HFTokenizerError
from core.messages import joined, message_of, msg

__all__ = ["FAMILIES", "HFBundle", "HFFolderError", "is_hf_folder", "load_folder", "trace_bytes"]

FAMILIES = ("gpt2", "bert", "marian")
EOT = "<|endoftext|>"  # GPT-2's one special token: the end of a text


def load_folder(path: str | Path) -> HFBundle:
    """Open a Hugging Face GPT-2 or BERT folder as a Bundle; anything unusable is an
    ``HFFolderError`` with one line (the family, the option, the file)."""
    folder = Path(path)
    if not folder.is_dir():
        raise HFFolderError(msg("model_folder_not_found", folder=str(folder)))
    config = read_config(folder)
    where = str(folder / "config.json")
    family = config.get("model_type")
    if family not in FAMILIES:
        raise HFFolderError(
            at(where, "hf_list_family", family=repr(family), families=joined(FAMILIES))
        )
    bert = family == "bert"
    family_module = {"bert": hf_bert, "gpt2": hf_gpt2, "marian": hf_marian}[family]
    cfg, vocab = family_module.model_config(config, where)
    try:
        limits.check_model(cfg, vocab, vocab, real=True)  # a real checkpoint's own budget
    except limits.LimitError as e:
        params = cfg.parameter_count(vocab, vocab)
        need = _gib(limits.train_step_bytes(params))
        raise HFFolderError(at(where, "hf_limit_train", reason=message_of(e), need=need)) from None
    if family == "marian":  # its tokenizer is sentencepiece's, its ids its own
        return hf_marian_bundle.load(folder, config, cfg, vocab)
    try:
        tok = HFTextTokenizer.from_folder(folder, None if bert else EOT, specials=bert)
    except HFTokenizerError as e:
        raise HFFolderError(message_of(e)) from None
    if tok.size > vocab:
        raise HFFolderError(at(folder, "hf_tokenizer_size", n=tok.size, vocab=vocab))
    state = read_weights(weight_files(folder))
    mark = hf_ref.fingerprint(folder)  # what a session file keeps instead of the weights
    weights = str(folder / "model.safetensors")
    if bert:
        pad = config.get("pad_token_id", 0)
        pad_id = pad if isinstance(pad, int) else 0
        names = hf_bert.label_names(config, cfg.n_labels)
        classifier = hf_bert.build(state, cfg, vocab, pad_id, weights)
        return HFBundle(
            classifier, tok, tok, f"hf:{family}", names, folder=str(folder), fingerprint=mark
        )
    gpt = hf_gpt2.build(state, cfg, vocab, weights)
    return HFBundle(gpt, tok, tok, pair=f"hf:{family}", folder=str(folder), fingerprint=mark)


def trace_bytes(params: int) -> int:
    """What a full training-step trace keeps for a model of ``params`` parameters
    (float32; ``limits.train_trace_bytes``). Past ``limits.PARAM_TRACE_BYTES`` a traced
    step records chosen layers only (``core.light_trace.plan_trace``: the light trace)."""
    return limits.train_trace_bytes(params)


def _gib(n: int) -> str:
    return f"{n / limits.GiB:.1f} GiB"
