"""The engine's command line: translate, train, trace, demo (no Qt, no window).

Scripts and tests rely on the contract below, so it is kept exact: the
translation is the first line of stdout; bad input of any kind is one line on
stderr and exit status 2, never a traceback.

    transformer-sim                                  the window
    transformer-sim open FILE.tsim                   the window on a saved session
    transformer-sim translate [--pair P | --model DIR] [--beam N] [--temperature T] TEXT
    transformer-sim classify [--model DIR] (TEXT | --image FILE)   label<TAB>probability, ...
    transformer-sim fill-mask --model DIR [--top-k K] "TEXT with [MASK]"   a BERT's best words
    transformer-sim train (--preset NAME | --corpus FILE.tsv) --out DIR [--steps N] [--seed S]
                    [--arch A] [--ffn dense|moe] [--experts N] [--top-k K] [--force]
    transformer-sim trace SRC --target TGT --out FILE.npz [--json] [--force]
    transformer-sim stages [--out DIR] [--seed S] [--beta B] [--group G] [--force]
    transformer-sim ask --model DIR TEXT             a stages model's answer
    transformer-sim generate --model DIR [--max-new-tokens N] [--beam K] TEXT   continue a GPT-2
    transformer-sim fetch NAME                       download a Hugging Face model (network)
    transformer-sim shot --out FILE.png [--view NAME] [--step STEP] [--size WxH] [--lang en|zh]
    transformer-sim record --from STEP --to STEP --out FILE.gif|FILE.mp4 [--view NAME]
                    [--size WxH] [--fps N] [--scale S] [--lang en|zh] [--pair P]
                    [--source TEXT] [--mode translate|train]

The window commands (no command, ``open``, ``shot``, ``record``) are added by
``visualizer.cli``, the console script, which builds on ``build_parser`` and ``run``
here; ``python -m core`` has the engine commands only and never imports Qt.

Every option is checked when it is parsed, against ``core.limits`` (beam, temperature,
top-p, seed, steps, learning rate …), so an accepted option never fails later for
being out of range. ``train --out`` and ``trace --out`` never replace existing files
without ``--force``, and are checked writable before any work starts.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from core import assets, desktop, limits
from core.stages import commands as stage_commands
from core.version import app_version

if TYPE_CHECKING:
    from core.bundle import Bundle

USER_ERRORS: tuple[type[Exception], ...] = (ValueError, OSError, RuntimeError)
ASSETS = assets.root()
PAIR_MODELS = {"en-de": "demo-de", "en-fr": "demo-fr"}
CLASSIFIER = "bert-who"  # the shipped sentence classifier
PICTURE_CLASSIFIER = "vit-pets"  # the shipped picture classifier (classify --image)


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
    t.add_argument(
        "--beam", type=_beam, default=1, help=f"beam width, 1 (greedy) to {limits.MAX_BEAM}"
    )
    t.add_argument(
        "--temperature",
        type=_temperature,
        default=0.0,
        help=f"sample at this temperature ({limits.MIN_TEMPERATURE:g} to "
        f"{limits.MAX_TEMPERATURE:g}; 0: greedy)",
    )
    t.add_argument("--top-k", type=_top_k, default=0)
    t.add_argument("--top-p", type=_top_p, default=1.0, help=f"{limits.MIN_TOP_P:g} to 1")
    t.add_argument("--seed", type=_seed, default=0)
    t.add_argument("--verbose", action="store_true", help="show tokens and decoding choices")

    k = sub.add_parser("classify", help="classify a sentence with an encoder-only model")
    k.add_argument("text", nargs="?")
    k.add_argument("--model", help="a classifier folder or name, e.g. vit-pets (default: bert-who)")
    k.add_argument("--image", help="a square picture (PNG, JPEG or .npy); default model: vit-pets")

    fm = sub.add_parser("fill-mask", help="fill in [MASK] with a pre-trained BERT folder")
    fm.add_argument("text", help="a sentence with [MASK] for each missing word")
    fm.add_argument("--model", required=True, help="a Hugging Face BERT folder (BertForMaskedLM)")
    fm.add_argument("--top-k", type=_fill_top_k, default=5, help="candidates shown per [MASK]")

    tr = sub.add_parser("train", help="train a model and save it as a folder")
    tr.add_argument(
        "--preset", help="model shape and built-in corpus (demo-de, demo-fr, gpt-de, base, ...)"
    )
    tr.add_argument("--corpus", help="a UTF-8 TSV file of source<TAB>target lines")
    tr.add_argument("--out", required=True, help="folder to write the model to")
    tr.add_argument("--steps", type=_steps)
    tr.add_argument("--seed", type=_seed)
    tr.add_argument("--lr", type=_lr)
    tr.add_argument("--batch-size", type=_batch_size)
    tr.add_argument("--tokenizer", choices=("word", "bpe"), help="default: word (built-in), bpe")
    tr.add_argument(
        "--arch",
        choices=("encoder-decoder", "decoder-only", "encoder-only"),
        help="the model's shape (default: the preset's); decoder-only translates with a prompt",
    )
    tr.add_argument("--ffn", choices=("dense", "moe"), help="feed-forward layers (default: dense)")
    tr.add_argument("--experts", type=int, help="experts per MoE layer (implies --ffn moe)")
    tr.add_argument(
        "--top-k", type=int, dest="moe_top_k", help="experts chosen per token (implies --ffn moe)"
    )
    tr.add_argument(
        "--force",
        action="store_true",
        help="replace a model in --out, write into a folder with other files, or retrain "
        "a shipped model",
    )

    c = sub.add_parser("trace", help="record every tensor of one training step")
    c.add_argument("source")
    c.add_argument("--target", required=True)
    c.add_argument("--out", required=True, help="the .npz to write (JSON goes beside it)")
    c.add_argument("--json", action="store_true", help="print the step list on stdout instead")
    c.add_argument("--lr", type=_lr, default=1e-4, help="learning rate of the traced step")
    c.add_argument("--force", action="store_true", help="replace existing .npz / .json files")
    c.add_argument(
        "--block",
        default="",
        help="record this block (e.g. dec.11) in full and every other parameter as norms: "
        "the light trace, used on its own (with the last block) for a model too large "
        "for a full trace",
    )
    _model_args(c)

    g = sub.add_parser("generate", help="continue a prompt with a GPT-2 model folder")
    g.add_argument("text")
    g.add_argument("--model", required=True, help="a Hugging Face GPT-2 folder (see fetch)")
    g.add_argument("--max-new-tokens", type=_new_tokens, default=20)
    g.add_argument(
        "--beam", type=_beam, default=1, help=f"beam width, 1 (greedy) to {limits.MAX_BEAM}"
    )
    g.add_argument("--temperature", type=_temperature, default=0.0, help="0: greedy")
    g.add_argument("--seed", type=_seed, default=0)
    f = sub.add_parser("fetch", help="download a Hugging Face model (needs a network)")
    f.add_argument("name", help="e.g. gpt2 or Helsinki-NLP/opus-mt-en-de")

    stage_commands.add_parsers(sub)
    sub.add_parser("demo", help="translate the lecture sentences with the built-in models")
    d = sub.add_parser("install-desktop", help="add the app to the desktop menu (Linux)")
    d.add_argument("--force", action="store_true", help="replace files that differ")
    d.add_argument("--remove", action="store_true", help="take the menu entry away")
    return p, sub


def _checked(check: Callable[[Any], Any], kind: type = int) -> Callable[[str], Any]:
    """An argparse ``type``: parse as ``kind``, then check against ``core.limits``; a
    bad value is argparse's one-line error naming the option."""

    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a {kind.__name__}: {text!r}") from None
        try:
            return check(value)
        except ValueError as e:
            raise argparse.ArgumentTypeError(str(e)) from None

    return parse


def _in_range(name: str, lo: int, hi: int) -> Callable[[int], int]:
    def check(n: int) -> int:
        if not lo <= n <= hi:
            raise ValueError(f"{name} must be from {lo:,} to {hi:,}; got {n:,}")
        return n

    return check


_beam = _checked(limits.check_beam)
_seed = _checked(limits.check_seed)
_temperature = _checked(limits.check_temperature, float)
_top_p = _checked(limits.check_top_p, float)
_lr = _checked(limits.check_lr, float)
_top_k = _checked(_in_range("top-k", 0, limits.MAX_TOP_K))
_steps = _checked(_in_range("steps", 0, limits.MAX_STEPS))
_batch_size = _checked(_in_range("batch size", 1, limits.MAX_BATCH_SIZE))
_new_tokens = _checked(_in_range("max new tokens", 1, limits.MAX_DECODE_LEN))
_fill_top_k = _checked(_in_range("top-k", 1, 50))


def _model_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--pair", choices=tuple(PAIR_MODELS), default="en-de")
    p.add_argument(
        "--model",
        help="a model folder or a shipped model's name, e.g. gpt-de "
        "(default: the built-in model of --pair)",
    )


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
    except MemoryError:  # what core.limits did not foresee: still one line, not a traceback
        print("transformer-sim: error: out of memory", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("transformer-sim: interrupted", file=sys.stderr)
        return 130


def _one_line(e: BaseException) -> str:
    lines = str(e).strip().splitlines()
    return lines[0] if lines else type(e).__name__


def _load_model(args: argparse.Namespace) -> Bundle:
    from core import checkpoint
    from core.model_catalog import resolve

    if args.model:  # a folder, or a shipped model's name (gpt-de, bert-who …)
        return checkpoint.load(resolve(args.model))
    return checkpoint.load(ASSETS / "models" / PAIR_MODELS[args.pair])


def _translate(args: argparse.Namespace) -> int:
    from core.decode import DecodeSettings

    bundle = _load_model(args)  # the options were checked when parsed
    _check_writes_text(bundle)
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


def _check_writes_text(bundle: Bundle) -> None:
    """An encoder-only model writes no text: say which command it answers instead."""
    if bundle.cfg.mlm:
        raise ValueError('this BERT fills in masked words: use fill-mask "... [MASK] ..."')
    if bundle.cfg.arch == "encoder-only":
        raise ValueError("this model is a classifier (encoder-only): use classify")


def _classify(args: argparse.Namespace) -> int:
    """``label<TAB>probability`` per label, the most likely first (the first line)."""
    from core import checkpoint
    from core.model_catalog import resolve

    default = PICTURE_CLASSIFIER if args.image is not None else CLASSIFIER
    bundle = checkpoint.load(resolve(args.model) if args.model else ASSETS / "models" / default)
    if bundle.cfg.mlm:
        raise ValueError(
            "not a classifier: this BERT fills in masked words (no classification head); "
            'use fill-mask --model DIR "... [MASK] ..."'
        )
    if bundle.cfg.arch != "encoder-only":
        raise ValueError(
            f"not a classifier: this model is {bundle.cfg.arch} (a translator); "
            "use translate, or give --model a classifier folder"
        )
    if (args.text is None) == (args.image is None):
        raise ValueError("give a sentence, or --image FILE for a picture classifier")
    if args.image is not None:
        from core.classify_data import load_picture

        if bundle.cfg.inputs != "patches":
            raise ValueError("this classifier reads sentences, not pictures")
        picture = load_picture(args.image, bundle.cfg.image_size, bundle.cfg.channels)
        result = bundle.classify_image(picture)
    else:
        result = bundle.classify(args.text)
    for label, prob in result.ranked:
        print(f"{label}\t{prob:.2f}")
    if result.source is not None and result.source.unknown:
        words = ", ".join(result.source.unknown)
        print(f"transformer-sim: warning: unknown word(s) read as <unk>: {words}", file=sys.stderr)
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
        force=args.force,
        shape={
            "arch": args.arch,
            "ffn": args.ffn,
            "n_experts": args.experts,
            "top_k": args.moe_top_k,
        },
    )
    return 0


def _trace(args: argparse.Namespace) -> int:
    from core.atomic import check_target_files
    from core.config import TrainConfig
    from core.trace_io import json_text, save
    from core.tracing import trace_training_step
    from core.train import Trainer

    out = Path(args.out)
    if out.suffix != ".npz":
        raise ValueError(f"--out must end in .npz, got {out.name}")
    if not out.parent.is_dir():
        raise ValueError(f"folder not found: {out.parent}")
    json_out = None if args.json else out.with_suffix(".json")
    check_target_files([out] if json_out is None else [out, json_out], force=args.force)
    bundle = _load_model(args)
    trainer = Trainer(bundle, None, replace(TrainConfig(), lr=args.lr, warmup=0))
    item: Any = args.source
    if bundle.cfg.arch == "encoder-only" and not bundle.cfg.mlm:  # a picture: the one named
        from core.classify_run import classifier_input

        item = classifier_input(bundle, args.source)
    from core.light_trace import describe, plan_trace

    plan = plan_trace(bundle.model, args.block)  # checked before anything is copied
    if plan.light:
        print(f"note: {describe(plan)}", file=sys.stderr)
    if bundle.cfg.mlm:  # a pre-trained BERT: --target names a word piece per [MASK]
        from core.fill_mask import trace_fill_mask_step

        trace = trace_fill_mask_step(trainer, args.source, args.target, args.block)
    else:
        trace = trace_training_step(trainer, item, args.target, args.block)
    save(trace, out, json_out)
    if args.json:
        print(json_text(trace))
    else:
        m = trace.meta
        print(
            f"{len(trace)} steps, loss {m['loss']:.4f} -> {m['loss_after']:.4f} after one step;"
            f" wrote {out} and {out.with_suffix('.json')}"
        )
    return 0


def _generate(args: argparse.Namespace) -> int:
    """The continuation is the first line of stdout (GPT-2 folders: ``core.hf``)."""
    from core import checkpoint
    from core.decode import DecodeSettings
    from core.hf import HFBundle
    from core.model_catalog import resolve

    bundle = checkpoint.load(resolve(args.model))
    _check_writes_text(bundle)
    if not isinstance(bundle, HFBundle):
        raise ValueError("generate continues text with a GPT-2 folder; use translate here")
    if args.beam > 1 and args.temperature > 0:
        raise ValueError("--beam and --temperature: choose beam search or sampling")
    settings = DecodeSettings(
        beam=args.beam, temperature=args.temperature, seed=args.seed, max_len=args.max_new_tokens
    )
    result = bundle.translate(args.text, settings)
    print(result.text.replace("\n", " "))
    for w in result.warnings:
        print(f"transformer-sim: warning: {w}", file=sys.stderr)
    return 0


def _fill_mask(args: argparse.Namespace) -> int:
    """The best word for each [MASK] is the first line of stdout (space-separated, in
    order); then one line per mask: its top-k candidates with their probabilities."""
    from core import checkpoint
    from core.fill_mask import fill_mask
    from core.model_catalog import resolve

    bundle = checkpoint.load(resolve(args.model))
    if not bundle.cfg.mlm:
        kind = "a classifier: use classify" if bundle.cfg.arch == "encoder-only" else "not a BERT"
        raise ValueError(
            f"this model does not fill in [MASK] ({kind}); give --model a pre-trained BERT "
            "folder (BertForMaskedLM, e.g. bert-base-uncased)"
        )
    result = fill_mask(bundle, args.text, args.top_k)
    print(" ".join(result.words))
    for n, (pos, cands) in enumerate(zip(result.positions, result.candidates, strict=True), 1):
        shown = "\t".join(f"{token} {p:.4f}" for token, p in cands)
        print(f"[MASK] {n} (token {pos}):\t{shown}")
    return 0


def _fetch(args: argparse.Namespace) -> int:
    """Download into the user's data folder; the folder is the first line of stdout."""
    from core.hf.fetch import fetch

    print(fetch(args.name))
    return 0


def _demo(_args: argparse.Namespace) -> int:
    """Translate the lecture sentences with the built-in translators, the decoder-only
    ones included, and classify them with the built-in classifier (no window)."""
    from core import checkpoint
    from core.builtin_corpus import builtin_corpus
    from core.classify_task import LABELS, lecture_sentences

    translators = [*PAIR_MODELS.items(), ("en-de", "gpt-de"), ("en-de", "moe-de")]
    for pair, name in translators:
        bundle = checkpoint.load(ASSETS / "models" / name)
        print(f"{pair} ({name}):")
        for p in builtin_corpus(pair).lecture:
            got = bundle.translate(p.source).text
            mark = "ok" if got == p.target else f"expected {p.target}"
            print(f"  {p.source}  ->  {got}   [{mark}]")
    classifier = checkpoint.load(ASSETS / "models" / CLASSIFIER)
    print(f"who does the action? ({CLASSIFIER}):")
    for s in lecture_sentences():
        result = classifier.classify(s.text)
        mark = "ok" if result.label == LABELS[s.label] else f"expected {LABELS[s.label]}"
        print(f"  {s.text}  ->  {result.label} {result.prob:.2f}   [{mark}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())


COMMANDS: dict[str | None, Command] = {
    "translate": _translate,
    "classify": _classify,
    "train": _train,
    "trace": _trace,
    "demo": _demo,
    "generate": _generate,
    "fill-mask": _fill_mask,
    "fetch": _fetch,
    "stages": stage_commands.stages,
    "ask": stage_commands.ask,
    "install-desktop": lambda a: desktop.command(force=a.force, undo=a.remove),
}
