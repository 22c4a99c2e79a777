"""A whole training run from the command line: pick data and shape, fit, save.

Kept apart from ``Trainer`` so the GUI can reuse the trainer with its own worker
and progress display; this module adds the terminal's progress bar (tqdm, on
stderr), and saves the model even when the run is interrupted, so that minutes of
training are never lost to a Ctrl-C.
"""

from __future__ import annotations

import sys
from dataclasses import asdict, replace
from functools import partial
from pathlib import Path
from typing import Any

from tqdm import tqdm

from core import checkpoint
from core.builtin_corpus import builtin_corpus
from core.bundle import Bundle, new_bundle
from core.config import PRESETS, ConfigError, Preset, TrainConfig, preset
from core.corpus import Corpus, load_tsv
from core.train import Callbacks, EvalStats, StepStats, Trainer


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
) -> Path:
    """Train per the preset (default shape: demo-de) on its corpus or a TSV, then save."""
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out must be a folder: {out} is a file")
    chosen: Preset = preset(preset_name) if preset_name else PRESETS["demo-de"]
    corpus: Corpus = load_tsv(corpus_path) if corpus_path else builtin_corpus(chosen.pair)
    tcfg = chosen.train
    overrides: dict[str, Any] = {"steps": steps, "seed": seed, "lr": lr, "batch_size": batch_size}
    tcfg = replace(tcfg, **{k: v for k, v in overrides.items() if v is not None})
    kind = tokenizer or ("bpe" if corpus_path else "word")
    bundle = new_bundle(corpus, chosen.model, kind, seed=tcfg.seed)
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
        result = trainer.fit(callbacks=Callbacks(on_step=on_step, on_eval=on_eval))
    except KeyboardInterrupt:
        # Ctrl-C: keep what was learned so far. Other failures (a NaN loss) save nothing.
        bar.close()
        finish(reason="interrupted")
        raise
    bar.close()
    finish(reason=result.reason)
    return out


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
