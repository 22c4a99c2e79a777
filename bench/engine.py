"""Engine benchmark: our traced model against PyTorch's own nn.Transformer.

Prints medians and ratios (never asserts: timing belongs here, not in tests).
  1. untraced training step, ours / nn.Transformer, same size and batch, interleaved;
  2. fully traced training step (every tensor, gradient and update recorded) / untraced;
  3. seconds from random weights to every lecture sentence right (demo-de, 2 threads);
  4. memory of tracing one training step on the demo model.
Run: make bench   (or .venv/bin/python bench/engine.py [--quick])
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor, nn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.batches import Batch  # noqa: E402
from core.builtin_corpus import builtin_corpus  # noqa: E402
from core.bundle import new_bundle  # noqa: E402
from core.config import ModelConfig, TrainConfig, preset  # noqa: E402
from core.tokenizer import PAD_ID  # noqa: E402
from core.tracing import trace_batch_step  # noqa: E402
from core.train import Trainer  # noqa: E402


class TorchReference(nn.Module):
    """Same shape as ours: embeddings + positions, nn.Transformer, linear head."""

    def __init__(self, cfg: ModelConfig, src_vocab: int, tgt_vocab: int, pe: Tensor) -> None:
        super().__init__()
        self.d = cfg.d_model
        self.src_embed = nn.Embedding(src_vocab, cfg.d_model)
        self.tgt_embed = nn.Embedding(tgt_vocab, cfg.d_model)
        self.register_buffer("pe", pe)
        self.core = nn.Transformer(
            cfg.d_model,
            cfg.n_heads,
            cfg.n_enc_layers,
            cfg.n_dec_layers,
            cfg.d_ff,
            dropout=cfg.dropout,
            batch_first=True,
        )
        self.head = nn.Linear(cfg.d_model, tgt_vocab)

    def forward(self, src: Tensor, tgt: Tensor) -> Tensor:
        x = self.src_embed(src) * self.d**0.5 + self.pe[: src.shape[1]]
        y = self.tgt_embed(tgt) * self.d**0.5 + self.pe[: tgt.shape[1]]
        t = tgt.shape[1]
        causal = torch.ones(t, t, dtype=torch.bool).triu(1)
        out = self.core(
            x,
            y,
            tgt_mask=causal,
            src_key_padding_mask=src == PAD_ID,
            tgt_key_padding_mask=tgt == PAD_ID,
            memory_key_padding_mask=src == PAD_ID,
        )
        return self.head(out)


def reference_step(model: TorchReference, opt: torch.optim.Optimizer) -> Callable[[Batch], None]:
    def step(batch: Batch) -> None:
        model.train()
        logits = model(batch.src, batch.tgt_in)
        b, t, v = logits.shape
        loss = F.cross_entropy(
            logits.reshape(b * t, v), batch.tgt_out.reshape(b * t), ignore_index=PAD_ID
        )
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()

    return step


def interleaved(fns: dict[str, Callable[[], None]], rounds: int) -> dict[str, float]:
    """Median seconds per call of each function, calls interleaved round by round."""
    times: dict[str, list[float]] = {k: [] for k in fns}
    for fn in fns.values():  # warm up
        fn()
    for _ in range(rounds):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    return {k: statistics.median(v) for k, v in times.items()}


def bench_steps(rounds: int) -> None:
    corpus = builtin_corpus("en-de")
    cfg = ModelConfig()
    bundle = new_bundle(corpus, cfg, seed=0)
    trainer = Trainer(bundle, corpus, TrainConfig(eval_every=0))
    ref = TorchReference(cfg, bundle.src_tok.size, bundle.tgt_tok.size, bundle.model.pe)
    ref_opt = torch.optim.Adam(ref.parameters(), lr=1e-4, betas=(0.9, 0.98), eps=1e-9, fused=True)
    batches = [trainer.next_batch() for _ in range(8)]
    i = 0

    def nxt() -> Batch:
        nonlocal i
        i += 1
        return batches[i % len(batches)]

    ref_step = reference_step(ref, ref_opt)
    med = interleaved(
        {
            "ours": lambda: trainer.step(nxt()),
            "torch": lambda: ref_step(nxt()),
            "traced": lambda: trace_batch_step(trainer, nxt(), loss_after=False),
            "traced_after": lambda: trace_batch_step(trainer, nxt()),
        },
        rounds,
    )
    b = trainer.cfg.batch_size
    print(
        f"training step, demo-de size, batch {b} ({torch.get_num_threads()} threads), "
        f"median of {rounds}:"
    )
    print(f"  nn.Transformer          {med['torch'] * 1e3:7.2f} ms")
    print(
        f"  ours, untraced          {med['ours'] * 1e3:7.2f} ms   "
        f"ratio {med['ours'] / med['torch']:.2f}x  (target <= 1.0)"
    )
    print(
        f"  ours, fully traced      {med['traced'] * 1e3:7.2f} ms   "
        f"ratio {med['traced'] / med['ours']:.2f}x untraced  (target <= 2)"
    )
    print(
        f"  same + loss after update {med['traced_after'] * 1e3:6.2f} ms   "
        f"ratio {med['traced_after'] / med['ours']:.2f}x untraced  (one more forward pass)"
    )


def bench_time_to_lecture(runs: int) -> None:
    p = preset("demo-de")
    corpus = builtin_corpus(p.pair)
    secs, steps = [], []
    for seed in range(runs):
        t0 = time.perf_counter()
        bundle = new_bundle(corpus, p.model, seed=seed)
        cfg = TrainConfig(seed=seed, steps=3000, eval_every=0, stop_when_lecture_correct=True)
        result = Trainer(bundle, corpus, cfg).fit()
        secs.append(time.perf_counter() - t0)
        steps.append(result.steps)
        ok = result.reason == "lecture"
        print(
            f"  seed {seed}: {secs[-1]:5.2f} s, {result.steps} steps, "
            f"{'all lecture sentences right' if ok else 'NOT reached'}"
        )
    print(
        f"random weights -> all {len(corpus.lecture)} lecture sentences exact (demo-de): "
        f"median {statistics.median(secs):.2f} s over {runs} seeds  (target <= 10 s)"
    )


def bench_trace_memory() -> None:
    """Resident memory before and after tracing one training step (the trace kept alive),
    the process's peak, and the bytes of tensors the trace holds."""
    code = (
        "import re\n"
        "from core import checkpoint\n"
        "from core.config import TrainConfig\n"
        "from core.tracing import trace_training_step\n"
        "from core.train import Trainer\n"
        "def rss(key):\n"
        "    text = open('/proc/self/status').read()\n"
        "    return int(re.search(key + r':\\s+(\\d+)', text).group(1)) / 1024\n"
        "bundle = checkpoint.load('assets/models/demo-de')\n"
        "trainer = Trainer(bundle, None, TrainConfig(warmup=0, lr=1e-4))\n"
        "trace_training_step(trainer, 'Time flies', 'Die Zeit fliegt')  # warm up\n"
        "before = rss('VmRSS')\n"
        "trace = trace_training_step(trainer, 'Time flies like an arrow',"
        " 'Die Zeit fliegt wie ein Pfeil')\n"
        "held = sum(t.numel() * t.element_size() for t in trace.tensors.values()) / 2**20\n"
        "print(before, rss('VmRSS'), rss('VmHWM'), held, len(trace.steps))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    before, after, peak, held, steps = (float(x) for x in out.stdout.split()[-5:])
    print(
        f"trace of one training step (demo-de, {steps:.0f} steps): tensors held {held:.1f} MB; "
        f"RSS {before:.0f} -> {after:.0f} MB (+{after - before:.1f}); process peak {peak:.0f} MB"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(2)
    bench_steps(rounds=20 if args.quick else 100)
    bench_time_to_lecture(runs=1 if args.quick else 5)
    bench_trace_memory()


if __name__ == "__main__":
    main()
