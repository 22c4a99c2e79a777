"""The command-line side of the stages: ``transformer-sim stages`` and ``ask``.

Kept here so ``core.cli`` only registers two parsers and two commands. Both follow the
engine's contract: bad input is a ``ValueError``/``OSError`` that ``core.cli.run`` turns into
one line on stderr and exit status 2. ``stages --out`` checks all three stage folders before
any training (never replacing a model without ``--force``, like ``train``) and writes each
folder atomically when its stage ends.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from core import limits
from core.messages import joined, msg


def _float_in(name: str, lo: float, hi: float) -> object:
    def parse(text: str) -> float:
        try:
            x = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not lo <= x <= hi:
            raise argparse.ArgumentTypeError(f"{name} must be from {lo:g} to {hi:g}; got {x:g}")
        return x

    return parse


def _int_in(name: str, lo: int, hi: int) -> object:
    def parse(text: str) -> int:
        try:
            n = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not an int: {text!r}") from None
        if not lo <= n <= hi:
            raise argparse.ArgumentTypeError(f"{name} must be from {lo:,} to {hi:,}; got {n:,}")
        return n

    return parse


MAX_GROUP = 64
MAX_BETA = 100.0


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register ``stages`` and ``ask`` on ``core.cli``'s sub-command group."""
    s = sub.add_parser("stages", help="pre-train, fine-tune and RL (GRPO) a tiny GPT: 9.11 vs 9.9")
    s.add_argument("--out", help="folder for the three stage models (pretrain/, sft/, grpo/)")
    s.add_argument("--seed", type=_int_in("seed", 0, limits.MAX_SEED), default=0)
    s.add_argument("--beta", type=_float_in("beta", 0.0, MAX_BETA), help="KL weight (default 0.04)")
    s.add_argument(
        "--group", type=_int_in("group", 2, MAX_GROUP), help="answers per prompt (default 8)"
    )
    s.add_argument("--force", action="store_true", help="replace stage models already in --out")
    a = sub.add_parser("ask", help="ask a stages model a question")
    a.add_argument("text")
    a.add_argument("--model", required=True, help="a stage folder written by `stages`")


def stages(args: argparse.Namespace) -> int:
    """Run the three stages; print per stage the held-out accuracy and the 9.11 answer."""
    from core.stages.pipeline import STAGES, Pipeline, Settings, check_out

    folders = check_out(args.out, args.force) if args.out else {}
    base = Settings(seed=args.seed)
    g = base.grpo
    g = replace(g, beta=g.beta if args.beta is None else args.beta)
    g = replace(g, group=g.group if args.group is None else args.group)
    pipe = Pipeline(replace(base, grpo=g))
    for name in STAGES:
        pipe.run_stage(name)
        ev = pipe.states[name].evals[-1]
        print(
            f"{name:8s} held-out accuracy {ev.accuracy:.0%}   9.11 vs 9.9 -> "
            f"{ev.answer or '(no number)'} (p={ev.p_answer:.3f})",
            flush=True,
        )
        if name in folders:
            pipe.save(name, folders[name])
    if folders:
        print(f"models written to {Path(args.out)}/{{{','.join(STAGES)}}}")
    return 0


def ask(args: argparse.Namespace) -> int:
    """Print a stages model's greedy answer to one question."""
    from core.stages.lm import generate
    from core.stages.pipeline import load_stage
    from core.stages.tokenizer import ARROW
    from core.tokenizer import BOS_ID, InputError

    model, tok, _info = load_stage(args.model)
    text = args.text.strip()
    if not text.endswith(ARROW):
        text += f" {ARROW}"
    split = tok.split(text)
    if split.unknown:
        raise InputError(msg("stage_unknown_words", words=joined(split.unknown[:5])))
    if len(split.ids) + 1 + 8 > model.cfg.max_len:
        raise InputError(msg("stage_question_long", n=len(split.ids)))
    print(generate(model, tok, [[BOS_ID, *split.ids]]).texts[0])
    return 0
