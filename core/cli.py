"""The engine's command line: translate, train, trace, demo (no Qt, no window).

Scripts and tests rely on the contract below, so it is kept exact: the
translation is the first line of stdout; bad input of any kind is one line on
stderr and exit status 2, never a traceback.

    transformer-sim                                  the window
    transformer-sim open FILE.tsim                   the window on a saved session
    transformer-sim translate [--pair P | --model DIR] [--beam N] [--temperature T] TEXT
    transformer-sim train (--preset NAME | --corpus FILE.tsv) --out DIR [--steps N] [--seed S]
    transformer-sim trace SRC --target TGT --out FILE.npz [--json]
    transformer-sim shot --out FILE.png [--view NAME] [--step STEP] [--size WxH] [--lang en|zh]
    transformer-sim record --from STEP --to STEP --out FILE.gif|FILE.mp4 [--view NAME]
                    [--size WxH] [--fps N] [--scale S] [--lang en|zh] [--pair P]
                    [--source TEXT] [--mode translate|train]

The window commands (no command, ``open``, ``shot``, ``record``) are added by
``visualizer.cli``, the console script, which builds on ``build_parser`` and ``run``
here; ``python -m core`` has the engine commands only and never imports Qt.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from core import assets, desktop
from core.version import app_version

if TYPE_CHECKING:
    from core.bundle import Bundle

USER_ERRORS: tuple[type[Exception], ...] = (ValueError, OSError, RuntimeError)
ASSETS = assets.root()
PAIR_MODELS = {"en-de": "demo-de", "en-fr": "demo-fr"}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """One line instead of argparse's usage block."""
        self.exit(2, f"transformer-sim: error: {message} (see {self.prog} --help)\n")


Command = Callable[[argparse.Namespace], int]


def build_parser() -> tuple[argparse.ArgumentParser, argparse._SubParsersAction[_Parser]]:
    """The parser and its sub-command group (``visualizer.cli`` adds the window's)."""
    p = _Parser(prog="transformer-sim", description="Watch a Transformer translate and learn.")
    p.add_argument("--version", action="version", version=f"%(prog)s {app_version()}")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    t = sub.add_parser("translate", help="translate a sentence with a trained model")
    t.add_argument("text")
    _model_args(t)
    t.add_argument("--beam", type=int, default=1, help="beam width (1: greedy)")
    t.add_argument("--temperature", type=float, default=0.0, help="sample at this temperature")
    t.add_argument("--top-k", type=int, default=0)
    t.add_argument("--top-p", type=float, default=1.0)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--verbose", action="store_true", help="show tokens and decoding choices")

    tr = sub.add_parser("train", help="train a model and save it as a folder")
    tr.add_argument("--preset", help="model shape and built-in corpus (demo-de, demo-fr, base)")
    tr.add_argument("--corpus", help="a UTF-8 TSV file of source<TAB>target lines")
    tr.add_argument("--out", required=True, help="folder to write the model to")
    tr.add_argument("--steps", type=int)
    tr.add_argument("--seed", type=int)
    tr.add_argument("--lr", type=float)
    tr.add_argument("--batch-size", type=int)
    tr.add_argument("--tokenizer", choices=("word", "bpe"), help="default: word (built-in), bpe")

    c = sub.add_parser("trace", help="record every tensor of one training step")
    c.add_argument("source")
    c.add_argument("--target", required=True)
    c.add_argument("--out", required=True, help="the .npz to write (JSON goes beside it)")
    c.add_argument("--json", action="store_true", help="print the step list on stdout instead")
    c.add_argument("--lr", type=float, default=1e-4, help="learning rate of the traced step")
    _model_args(c)

    sub.add_parser("demo", help="translate the lecture sentences with the built-in models")
    d = sub.add_parser("install-desktop", help="add the app to the desktop menu (Linux)")
    d.add_argument("--force", action="store_true", help="replace files that differ")
    d.add_argument("--remove", action="store_true", help="take the menu entry away")
    return p, sub


def _model_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--pair", choices=tuple(PAIR_MODELS), default="en-de")
    p.add_argument("--model", help="a model folder (default: the built-in model of --pair)")


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m core``: the engine commands."""
    parser, _sub = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.exit(2, "transformer-sim: error: name a command (see --help)\n")
    return run(args, COMMANDS)


def run(args: argparse.Namespace, commands: Mapping[str | None, Command]) -> int:
    """Run ``commands[args.command]``: bad input is one line on stderr and exit 2."""
    try:
        return commands[args.command](args)
    except BrokenPipeError:  # e.g. `transformer-sim trace ... --json | head`: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except USER_ERRORS as e:
        print(f"transformer-sim: error: {_one_line(e)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("transformer-sim: interrupted", file=sys.stderr)
        return 130


def _one_line(e: BaseException) -> str:
    lines = str(e).strip().splitlines()
    return lines[0] if lines else type(e).__name__


def _load_model(args: argparse.Namespace) -> Bundle:
    from core import checkpoint

    return checkpoint.load(args.model or ASSETS / "models" / PAIR_MODELS[args.pair])


def _translate(args: argparse.Namespace) -> int:
    from core.decode import DecodeSettings

    bundle = _load_model(args)
    temp_ok = math.isfinite(args.temperature) and args.temperature >= 0
    if args.beam < 1 or not temp_ok or not 0 < args.top_p <= 1 or args.top_k < 0:
        raise ValueError("--beam must be >= 1, --temperature >= 0, --top-p in (0, 1], --top-k >= 0")
    settings = DecodeSettings(
        beam=args.beam,
        temperature=args.temperature,
        top_k=args.top_k,
        top_p=args.top_p,
        seed=args.seed,
        max_len=bundle.cfg.max_len - 1,
    )
    result = bundle.translate(args.text, settings)
    print(result.text)
    for w in result.warnings:
        print(f"transformer-sim: warning: {w}", file=sys.stderr)
    if args.verbose:
        src = result.source
        print(
            "source tokens:",
            " ".join(f"{t}({i})" for t, i in zip(src.tokens, src.ids, strict=True)),
        )
        for ch in result.generation.choices:
            cands = ", ".join(f"{bundle.tgt_tok.token(i)} {p:.3f}" for i, p in ch.candidates)
            print(f"step {ch.t}: {bundle.tgt_tok.token(ch.chosen)}  [{cands}]")
    return 0


def _train(args: argparse.Namespace) -> int:
    from core.training_run import run_training

    if not args.preset and not args.corpus:
        raise ValueError("give --preset NAME or --corpus FILE.tsv")
    run_training(
        preset_name=args.preset,
        corpus_path=args.corpus,
        out=Path(args.out),
        steps=args.steps,
        seed=args.seed,
        lr=args.lr,
        batch_size=args.batch_size,
        tokenizer=args.tokenizer,
    )
    return 0


def _trace(args: argparse.Namespace) -> int:
    from core.config import TrainConfig
    from core.trace_io import save_npz, trace_json
    from core.tracing import trace_training_step
    from core.train import Trainer

    out = Path(args.out)
    if out.suffix != ".npz":
        raise ValueError(f"--out must end in .npz, got {out.name}")
    if not out.parent.is_dir():
        raise ValueError(f"folder not found: {out.parent}")
    bundle = _load_model(args)
    trainer = Trainer(bundle, None, replace(TrainConfig(), lr=args.lr, warmup=0))
    trace = trace_training_step(trainer, args.source, args.target)
    save_npz(trace, out)
    text = json.dumps(trace_json(trace), ensure_ascii=False, indent=1)
    if args.json:
        print(text)
    else:
        out.with_suffix(".json").write_text(text + "\n", "utf-8")
        m = trace.meta
        print(
            f"{len(trace)} steps, loss {m['loss']:.4f} -> {m['loss_after']:.4f} after one step;"
            f" wrote {out} and {out.with_suffix('.json')}"
        )
    return 0


def _demo(_args: argparse.Namespace) -> int:
    """Translate the lecture sentences with both built-in models (no window)."""
    from core import checkpoint
    from core.builtin_corpus import builtin_corpus

    for pair, name in PAIR_MODELS.items():
        bundle = checkpoint.load(ASSETS / "models" / name)
        print(f"{pair} ({name}):")
        for p in builtin_corpus(pair).lecture:
            got = bundle.translate(p.source).text
            mark = "ok" if got == p.target else f"expected {p.target}"
            print(f"  {p.source}  ->  {got}   [{mark}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())


COMMANDS: dict[str | None, Command] = {
    "translate": _translate,
    "train": _train,
    "trace": _trace,
    "demo": _demo,
    "install-desktop": lambda a: desktop.command(force=a.force, undo=a.remove),
}
