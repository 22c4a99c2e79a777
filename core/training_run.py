"""A whole training run from the command line: pick data and shape, fit, save.

Kept apart from ``Trainer`` so the GUI can reuse the trainer with its own worker
and progress display; this module adds the terminal's progress bar (tqdm, on
stderr), and saves the model even when the run is interrupted, so that minutes of
training are never lost to a Ctrl-C. The target folder is checked before any work
(``core.atomic.check_target_folder``: no overwriting without ``force``, never the
shipped models without it, writable), and the save is atomic, so a failed save
leaves what was in the folder intact.
"""

from __future__ import annotations

import sys
from dataclasses import asdict, replace
from functools import partial
from pathlib import Path
from typing import Any

from tqdm import tqdm

from core import atomic, checkpoint, limits
from core.builtin_corpus import builtin_corpus
from core.bundle import Bundle, new_bundle, new_classifier
from core.classify_data import ClassCorpus
from core.classify_task import classify_corpus
from core.config import PRESETS, ConfigError, ModelConfig, Preset, TrainConfig, preset
from core.corpus import Corpus, load_tsv
from core.pictures import picture_corpus
from core.threads import one_thread
from core.tokenizer import WordTokenizer
from core.train import Callbacks, EvalStats, StepStats, Trainer

BPE_VOCAB = 2000  # SubwordTokenizer.fit's vocabulary size (at most)


def run_training(
    *,
    preset_name: str | None,
    corpus_path: str | None,
    out: Path,
    steps: int | None = None,
    seed: int | None = None,
    lr: float | None = None,
    batch_size: int | None = None,
    tokenizer: str | None = None,
    force: bool = False,
    shape: dict[str, Any] | None = None,
) -> Path:
    """Train per the preset (default shape: demo-de) on its corpus or a TSV, then save.

    ``shape``: ModelConfig fields that replace the preset's (``arch``, ``ffn``,
    ``n_experts``, ``top_k``; checked by ``model_shape``: a bad combination is one line)."""
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out must be a folder: {out} is a file")
    chosen: Preset = preset(preset_name) if preset_name else PRESETS["demo-de"]
    if shape:
        chosen = replace(chosen, model=model_shape(chosen.model, shape))
    atomic.check_target_folder(out, force=force)
    if chosen.model.arch == "encoder-only":
        if corpus_path:
            raise ConfigError(
                "a classifier trains on its built-in task; --corpus is for translators"
            )
        if tokenizer == "bpe":
            raise ConfigError("a classifier uses the word tokenizer")
    corpus: Corpus | ClassCorpus
    if chosen.model.arch == "encoder-only":
        corpus = classifier_corpus(chosen.model)
    else:
        corpus = load_tsv(corpus_path) if corpus_path else builtin_corpus(chosen.pair)
    tcfg = chosen.train
    overrides: dict[str, Any] = {"steps": steps, "seed": seed, "lr": lr, "batch_size": batch_size}
    tcfg = replace(tcfg, **{k: v for k, v in overrides.items() if v is not None})
    kind = tokenizer or ("bpe" if corpus_path else "word")
    if corpus_path and isinstance(corpus, Corpus):
        _check_model_size(chosen, corpus, kind)
    if isinstance(corpus, Corpus):
        bundle = new_bundle(corpus, chosen.model, kind, seed=tcfg.seed)
    else:
        bundle = new_classifier(corpus, chosen.model, seed=tcfg.seed)
    trainer = Trainer(bundle, corpus, tcfg)
    bar = tqdm(total=tcfg.steps, desc="training", unit="step", file=sys.stderr, dynamic_ncols=True)
    last: list[EvalStats] = []

    def on_step(s: StepStats) -> None:
        bar.update(1)
        if s.step % 10 == 0:
            bar.set_postfix(loss=f"{s.loss:.3f}", lr=f"{s.lr:.1e}")

    def on_eval(e: EvalStats) -> None:
        last.append(e)
        bar.write(
            f"step {e.step}: val loss {e.val_loss:.3f}, token acc {e.token_acc:.3f}, "
            f"BLEU {e.bleu:.1f}, lecture {e.lecture_correct}/{e.lecture_total}",
            file=sys.stderr,
        )

    finish = partial(
        _save, out, bundle, trainer, tcfg, chosen.name, corpus_path or corpus.name, kind, evals=last
    )
    try:
        with one_thread():  # the same bits on any machine (core/threads.py)
            result = trainer.fit(callbacks=Callbacks(on_step=on_step, on_eval=on_eval))
    except KeyboardInterrupt:
        # Ctrl-C: keep what was learned so far. Other failures (a NaN loss) save nothing.
        bar.close()
        finish(reason="interrupted")
        raise
    bar.close()
    finish(reason=result.reason)
    return out


def classifier_corpus(cfg: ModelConfig) -> ClassCorpus:
    """The built-in task of an encoder-only model: pictures (``core.pictures``, cat / dog)
    for patch inputs, else sentences (``core.classify_task``, who does the action)."""
    if cfg.inputs == "patches":
        return picture_corpus(size=cfg.image_size)
    return classify_corpus()


def model_shape(base: ModelConfig, shape: dict[str, Any]) -> ModelConfig:
    """``base`` with the family fields in ``shape`` replaced (None values ignored).

    A decoder-only model keeps the preset's decoder layer count; asking for experts or
    top-k without ``ffn="moe"`` on a dense preset turns MoE on. Raises ConfigError (one
    line) for a bad combination, e.g. top-k larger than the number of experts."""
    fields = {k: v for k, v in shape.items() if v is not None}
    if ("n_experts" in fields or "top_k" in fields) and "ffn" not in fields:
        fields["ffn"] = "moe"
    arch = fields.get("arch", base.arch)
    if arch == "encoder-only" and base.arch != "encoder-only":
        raise ConfigError("an encoder-only model is a classifier; train one with --preset bert-who")
    if base.arch == "encoder-only" and arch != "encoder-only":
        raise ConfigError(
            f"a {arch} model translates; start from a translation preset (demo-de, gpt-de)"
        )
    if arch == "encoder-decoder" and base.n_enc_layers == 0:  # from a decoder-only preset
        fields["n_enc_layers"] = base.n_dec_layers
    if fields.get("ffn") == "moe" and "n_experts" in fields and "top_k" not in fields:
        fields["top_k"] = min(base.top_k, fields["n_experts"]) or 1
    return replace(base, **fields)


def _check_model_size(chosen: Preset, corpus: Corpus, kind: str) -> None:
    """A user corpus decides the vocabularies: refuse, before anything is built or
    trained, a model too large to load again (``core.limits.check_model``)."""
    if kind == "word":
        src = WordTokenizer.fit((p.source for p in corpus.train), True, False).size
        tgt = WordTokenizer.fit((p.target for p in corpus.train), False, True).size
        if chosen.model.arch == "decoder-only":  # one joint vocabulary
            src = tgt = src + tgt
    else:
        src = tgt = BPE_VOCAB
    try:
        limits.check_model(chosen.model, src, tgt)
    except limits.LimitError as e:
        raise ConfigError(f"the {chosen.name} shape on this corpus: {e}") from None


def _save(
    out: Path,
    bundle: Bundle,
    trainer: Trainer,
    tcfg: TrainConfig,
    preset_name: str,
    corpus: str,
    tokenizer: str,
    reason: str,
    evals: list[EvalStats],
) -> None:
    metrics = asdict(evals[-1]) if evals else {}
    checkpoint.save(
        out,
        bundle,
        extra={
            "train": tcfg.to_dict(),
            "preset": preset_name,
            "corpus": corpus,
            "tokenizer": tokenizer,
            "steps_done": trainer.step_count,
            "stopped": reason,
            "metrics": {k: v for k, v in metrics.items() if k != "lecture_outputs"},
        },
    )
    print(f"saved {out} after {trainer.step_count} steps ({reason})", file=sys.stderr)
