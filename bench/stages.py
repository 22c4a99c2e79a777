"""Stages benchmark: one GRPO update untraced vs traced, and the whole pipeline.

Prints medians (never asserts: timing belongs here, not in tests).
  1. one GRPO update on one sampled group (1 prompt x G = 8 answers of at most 8 tokens,
     the group the window steps through): untraced (``grpo.update``) and traced
     (``grpo.trace_update``, every op, backward and Adam's update recorded), milliseconds
     and the traced / untraced ratio (target <= 2); also the pipeline's batch of 8 prompts;
     calls interleaved round by round (``bench.engine.interleaved``), on one thread;
  2. the whole pipeline on the built-in settings (``Pipeline(Settings())``: corpus,
     pre-training, SFT, GRPO, evaluations), seconds per stage and in all (target <= 60 s),
     and the held-out accuracy and 9.11 vs 9.9 answer after each stage.

The machine the figures come from is shared with other processes (2 cores, load average
often above 4), so the spread of repeated runs is printed too.
Run: .venv/bin/python bench/stages.py [--quick]
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.engine import interleaved  # noqa: E402
from core.stages import grpo  # noqa: E402
from core.stages.pipeline import STAGES, Pipeline, Settings  # noqa: E402
from core.threads import one_thread  # noqa: E402


def bench_update(rounds: int) -> None:
    base = Settings()
    pipe = Pipeline(replace(base, grpo_steps=1))
    pipe.run_stage("pretrain")
    pipe.run_stage("sft")
    pipe.run_stage("grpo")
    for prompts in (1, 8):
        _time_group(pipe, base, prompts, rounds)
    # the pre-trained model as the policy: it writes on ("9.11 is the newer version."), so
    # every answer runs to the 8-token cap -- the longest group an update can see
    pipe.states["grpo"].model = copy.deepcopy(pipe.model("pretrain"))
    _time_group(pipe, base, 1, rounds)


def _none(_result: object) -> None:
    """What ``interleaved`` times returns nothing."""


def _time_group(pipe: Pipeline, base: Settings, prompts: int, rounds: int) -> None:
    s = replace(base.grpo, prompts=prompts)
    pipe.settings = replace(base, grpo=s)
    group = pipe.grpo_group(0)
    longest = int(group.answers.mask.sum(1).max())
    policy = copy.deepcopy(pipe.model("grpo"))
    traced_policy = copy.deepcopy(policy)
    opt = torch.optim.Adam(policy.parameters(), lr=1e-6)
    topt = torch.optim.Adam(traced_policy.parameters(), lr=1e-6)
    with one_thread():
        med = interleaved(
            {
                "untraced": lambda: _none(grpo.update(policy, opt, group, s)),
                "traced": lambda: _none(grpo.trace_update(traced_policy, topt, group, s, pipe.tok)),
                "sample": lambda: _none(pipe.grpo_group(0)),
            },
            rounds,
        )
    n = prompts * s.group
    print(
        f"GRPO update, {prompts} prompt(s) x G={s.group} = {n} answers (<= {longest} tokens "
        f"incl. <eos>): untraced {med['untraced'] * 1e3:.1f} ms, traced "
        f"{med['traced'] * 1e3:.1f} ms, ratio {med['traced'] / med['untraced']:.2f} "
        f"(target <= 2); sampling the group {med['sample'] * 1e3:.1f} ms",
        flush=True,
    )


def bench_pipeline(runs: int) -> None:
    totals: list[float] = []
    per_stage: dict[str, list[float]] = {n: [] for n in STAGES}
    for _ in range(runs):
        t0 = time.perf_counter()
        pipe = Pipeline(Settings())
        pipe.run()
        totals.append(time.perf_counter() - t0)
        for n in STAGES:
            per_stage[n].append(pipe.states[n].seconds)
    print(
        f"whole pipeline (built-in settings, seed 0): median {statistics.median(totals):.1f} s "
        f"(runs: {', '.join(f'{t:.1f}' for t in totals)}; target <= 60 s)"
    )
    for n in STAGES:
        ev = pipe.states[n].evals[-1]
        print(
            f"  {n:8s} {statistics.median(per_stage[n]):5.1f} s training; held-out accuracy "
            f"{ev.accuracy:.0%}; 9.11 vs 9.9 -> {ev.answer} (p={ev.p_answer:.3f})"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer rounds, one pipeline run")
    args = ap.parse_args()
    bench_update(10 if args.quick else 30)
    bench_pipeline(1 if args.quick else 3)


if __name__ == "__main__":
    main()
