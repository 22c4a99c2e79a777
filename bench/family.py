"""Family benchmark: the decoder-only and encoder-only models and the MoE layer against
PyTorch's own modules, measured side by side in one run (calls interleaved).

Prints medians and ratios (never asserts: timing belongs here, not in tests).
  1. untraced training step, DecoderOnly / nn.TransformerEncoder with a causal mask
     (d_model 64, 4 heads, 2 layers, d_ff 128, batch 64, length 16; target <= 1.0);
  2. the same for EncoderClassifier / nn.TransformerEncoder + a linear head on [CLS];
  3. one MoE layer forward + backward / a dense FFN with the same active parameters,
     top-1 with 2, 4, 8, 16 experts (target <= 1.5 at top-1), top-2 for reference, and
     top-1 at a wider size (the MoE's extra cost is a fixed number of small ops per layer
     and per expert, so it shrinks relative to the matrix products as they grow).
Run: .venv/bin/python bench/family.py [--quick]
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor, nn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.engine import interleaved  # noqa: E402
from core.config import ModelConfig  # noqa: E402
from core.model_base import sinusoids  # noqa: E402
from core.models import build_model  # noqa: E402
from core.moe import MoEFeedForward, aux_loss  # noqa: E402

PAD, VOCAB, LABELS, BATCH, LENGTH = 0, 300, 3, 64, 16
SIZE = {"d_model": 64, "n_heads": 4, "n_enc_layers": 2, "n_dec_layers": 2, "d_ff": 128}


class TorchReference(nn.Module):
    """Embeddings + sinusoids, nn.TransformerEncoder, a linear head: our shapes in
    PyTorch's modules (``causal``: GPT; else a classifier reading position 0)."""

    def __init__(self, cfg: ModelConfig, n_out: int, causal: bool) -> None:
        super().__init__()
        self.d, self.causal = cfg.d_model, causal
        self.embed = nn.Embedding(VOCAB, cfg.d_model)
        self.register_buffer("pe", sinusoids(cfg.max_len, cfg.d_model))
        layer = nn.TransformerEncoderLayer(
            cfg.d_model, cfg.n_heads, cfg.d_ff, cfg.dropout, batch_first=True
        )
        self.encoder = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
        self.head = nn.Linear(cfg.d_model, n_out)

    def forward(self, ids: Tensor) -> Tensor:
        t = ids.shape[1]
        x = self.embed(ids) * math.sqrt(self.d) + self.pe[:t]  # (B, T, D)
        mask = torch.ones(t, t, dtype=torch.bool).triu(1) if self.causal else None
        out = self.encoder(x, mask=mask, src_key_padding_mask=ids == PAD)  # (B, T, D)
        return self.head(out if self.causal else out[:, 0])


def batches(n: int, seed: int) -> list[tuple[Tensor, Tensor]]:
    """Padded (B, T) id batches (lengths 8..16) with next-token / class labels."""
    g = torch.Generator().manual_seed(seed)
    out = []
    for _ in range(n):
        ids = torch.randint(4, VOCAB, (BATCH, LENGTH), generator=g)
        lengths = torch.randint(8, LENGTH + 1, (BATCH,), generator=g)
        ids[torch.arange(LENGTH)[None, :] >= lengths[:, None]] = PAD
        out.append((ids, torch.randint(0, LABELS, (BATCH,), generator=g)))
    return out


def train_step(model: nn.Module, causal: bool) -> Callable[[tuple[Tensor, Tensor]], None]:
    """One untraced step: forward, cross-entropy, backward, clip, Adam (same for both)."""
    opt = torch.optim.Adam(model.parameters(), lr=1e-4, betas=(0.9, 0.98), eps=1e-9, fused=True)

    def step(batch: tuple[Tensor, Tensor]) -> None:
        ids, labels = batch
        model.train()
        logits = model(ids)
        if causal:  # predict token t+1 at position t
            loss = F.cross_entropy(
                logits[:, :-1].reshape(-1, VOCAB), ids[:, 1:].reshape(-1), ignore_index=PAD
            )
        else:
            loss = F.cross_entropy(logits, labels)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()

    return step


def bench_models(rounds: int) -> None:
    data = batches(8, seed=0)
    shapes = {
        "decoder-only": (ModelConfig(arch="decoder-only", **SIZE), True, VOCAB),
        "encoder-only": (ModelConfig(arch="encoder-only", n_labels=LABELS, **SIZE), False, LABELS),
    }
    fns: dict[str, Callable[[], None]] = {}
    for name, (cfg, causal, n_out) in shapes.items():
        torch.manual_seed(0)
        ours = train_step(build_model(cfg, VOCAB, VOCAB, PAD), causal)
        ref = train_step(TorchReference(cfg, n_out, causal), causal)
        for who, step in (("ours", ours), ("torch", ref)):
            it = iter(range(10**9))
            fns[f"{name}/{who}"] = lambda s=step, i=it: s(data[next(i) % len(data)])
    med = interleaved(fns, rounds)
    print(
        f"untraced training step, d_model 64, 4 heads, 2 layers, d_ff 128, batch {BATCH}, "
        f"length <= {LENGTH} ({torch.get_num_threads()} threads), median of {rounds}:"
    )
    for name, ref_name in (
        ("decoder-only", "nn.TransformerEncoder, causal"),
        ("encoder-only", "nn.TransformerEncoder + head"),
    ):
        ours, ref = med[f"{name}/ours"], med[f"{name}/torch"]
        print(f"  {ref_name:30s} {ref * 1e3:7.2f} ms")
        print(f"  ours, {name:24s} {ours * 1e3:7.2f} ms   ratio {ours / ref:.2f}x  (target <= 1.0)")


def moe_pair(d_model: int, d_ff: int, n_experts: int, top_k: int) -> dict[str, Callable[[], None]]:
    """Forward + backward of one MoE layer (its aux loss included, as training adds it)
    and of a dense FFN with the k chosen experts' active size, on the same tokens."""
    torch.manual_seed(0)
    size = {**SIZE, "d_model": d_model, "d_ff": d_ff}
    cfg = ModelConfig(**size, ffn="moe", n_experts=n_experts, top_k=top_k)
    moe = MoEFeedForward(cfg, "enc.0.moe")
    dense = nn.Sequential(
        nn.Linear(d_model, d_ff * top_k), nn.ReLU(), nn.Linear(d_ff * top_k, d_model)
    )
    x = torch.randn(BATCH, LENGTH, d_model, requires_grad=True)
    seed = torch.randn_like(x)

    def run_moe() -> None:
        out = moe(x, "x", ("batch", "src", "dim"))
        ((out * seed).sum() + cfg.aux_loss_weight * aux_loss(moe)).backward()

    def run_dense() -> None:
        (dense(x) * seed).sum().backward()

    return {"moe": run_moe, "dense": run_dense}


def bench_moe(rounds: int) -> None:
    print(
        f"MoE layer forward + backward ({BATCH * LENGTH} tokens) / a dense FFN with the same "
        f"active parameters, median of {rounds}:"
    )
    runs = [(64, 128, e, k) for k in (1, 2) for e in (2, 4, 8, 16)]
    runs += [(256, 512, e, 1) for e in (4, 16)]  # wider: the overhead is per op, not per FLOP
    for d_model, d_ff, n_experts, top_k in runs:
        med = interleaved(moe_pair(d_model, d_ff, n_experts, top_k), rounds)
        target = "  (target <= 1.5)" if top_k == 1 else ""
        print(
            f"  d_model {d_model:3d}, d_ff {d_ff:3d}, top-{top_k}, {n_experts:2d} experts: "
            f"MoE {med['moe'] * 1e3:6.2f} ms, dense {med['dense'] * 1e3:6.2f} ms, "
            f"ratio {med['moe'] / med['dense']:.2f}x{target}"
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(2)
    bench_models(rounds=10 if args.quick else 60)
    bench_moe(rounds=20 if args.quick else 200)


if __name__ == "__main__":
    main()
