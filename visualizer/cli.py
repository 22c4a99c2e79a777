"""The ``transformer-sim`` console script: the engine's commands plus the window's.

    transformer-sim                                  the window
    transformer-sim open (FILE.tsim | --model NAME|DIR)   the window on a session or a model
    transformer-sim shot --out FILE.png [--view NAME] [--step STEP] [--size WxH] [--lang en|zh]
                    [--model NAME|DIR]
    transformer-sim record --from STEP --to STEP --out FILE.gif|FILE.mp4 [--view NAME]
                    [--size WxH] [--fps N] [--scale S] [--lang en|zh] [--pair P]
                    [--model NAME|DIR] [--source TEXT] [--mode translate|train]
    transformer-sim gallery [--out DIR] [--quick] [--only TEXT]
                    every chapter scene and room at every screen, language and zoom
    transformer-sim translate | train | trace | demo …   (``core.cli``)

``--model`` takes a shipped model's name (demo-de, gpt-de, moe-de, bert-who, vit-pets …)
or a model folder, so views of every shape of the family can be rendered.
``shot`` and ``record`` print the file written; ``record`` writes one frame per step
from --from to --to (indices, or names / key globs such as t2/dec.0.*), and leaves no
file behind when it fails. Nothing here imports Qt until a window command runs, so
``transformer-sim translate`` starts as fast as ``python -m core translate``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from core import cli as engine
from visualizer.panels import VIEWS


def add_window_commands(sub: argparse._SubParsersAction[engine._Parser]) -> None:
    """``open``, ``shot`` and ``record`` on the engine's sub-command group."""
    op = sub.add_parser("open", help="open a saved session (.tsim) or a model in the window")
    op.add_argument(
        "file", nargs="?", help="a .tsim file saved by the window (File > Save session)"
    )
    op.add_argument("--model", help=MODEL_HELP)

    sh = sub.add_parser("shot", help="render the window or one view to a PNG, offscreen")
    sh.add_argument("--out", required=True, help="the .png to write")
    sh.add_argument(
        "--view",
        default="window",
        help="window or one view: " + ", ".join(VIEWS),
    )
    sh.add_argument("--step", help="a step index or name, e.g. dec.1.cross_attn.weights")
    _picture_args(sh)
    sh.add_argument(
        "--mode",
        default="translate",
        choices=("translate", "train"),
        help="trace a translation, or one training step on it",
    )
    rec = sub.add_parser("record", help="record a GIF or MP4, one frame per step, offscreen")
    rec.add_argument("--from", dest="start", required=True, help="first step: index or name")
    rec.add_argument("--to", dest="stop", required=True, help="last step (included)")
    rec.add_argument("--out", required=True, help="the .gif or .mp4 to write")
    rec.add_argument("--view", default="window", help="window or one view, as for shot")
    rec.add_argument("--fps", type=float, default=4.0, help="frames (steps) per second")
    rec.add_argument("--scale", type=float, default=1.0, help="pixels per screen pixel")
    _picture_args(rec)
    rec.add_argument("--mode", default="translate", choices=("translate", "train"))
    gal = sub.add_parser(
        "gallery",
        help="a PNG of every chapter scene and room at every screen, language and zoom, "
        "with an index.html",
    )
    gal.add_argument("--out", default="gallery", help="the folder to write (default: gallery)")
    gal.add_argument(
        "--quick", action="store_true", help="make test's rotation, not every combination"
    )
    gal.add_argument("--only", help="only subjects whose name contains this (e.g. ch04, room-)")


MODEL_HELP = "a shipped model's name (gpt-de, moe-de, bert-who, vit-pets …) or a model folder"


def _picture_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--size", default="1600x1000", help="WIDTHxHEIGHT in pixels")
    p.add_argument("--lang", default="en", choices=("en", "zh"))
    p.add_argument("--pair", choices=tuple(engine.PAIR_MODELS), default="en-de")
    p.add_argument("--model", help=MODEL_HELP + " (default: the built-in model of --pair)")
    p.add_argument("--source", help="the English sentence (default: the pair's first example)")


def main(argv: Sequence[str] | None = None) -> int:
    parser, sub = engine.build_parser()
    add_window_commands(sub)
    args = parser.parse_args(argv)
    return engine.run(
        args,
        {
            **engine.COMMANDS,
            None: _window,
            "open": _open,
            "shot": _shot,
            "record": _record,
            "gallery": _gallery,
        },
    )


def _window(_args: argparse.Namespace | None = None, open_file: str | None = None) -> int:
    """The simulator window on the built-in EN->DE model (needs the GUI extras)."""
    import gc

    gc.disable()  # until the window is interactive (visualizer.app.pause_collector says why)
    try:
        from visualizer.app import main as window_main
    except ImportError as e:
        raise RuntimeError(
            f"the window needs PySide6 and pyqtgraph ({e}); `make run` installs them"
        ) from None
    return window_main(open_file=open_file)


def _open(args: argparse.Namespace) -> int:
    """Check the session file or the model first (a bad one is one line and exit 2,
    before any window appears), then open the window on it."""
    if (args.file is None) == (args.model is None):
        raise ValueError("give a session file or --model NAME|DIR (one of them)")
    if args.model is not None:
        from core import checkpoint
        from core.model_catalog import resolve

        folder = resolve(args.model)
        checkpoint.load(folder)
        return _window(open_file=str(folder))  # the window opens a folder as a model
    from core.session_file import load_session_file

    load_session_file(args.file)
    return _window(open_file=args.file)


def _shot(args: argparse.Namespace) -> int:
    from visualizer.shot import shot

    out = shot(
        Path(args.out),
        view=args.view,
        step=args.step,
        size=args.size,
        lang=args.lang,
        pair=args.pair,
        source=args.source,
        mode=args.mode,
        model=args.model,
    )
    print(out)
    return 0


def _record(args: argparse.Namespace) -> int:
    try:
        from visualizer.shot import record_view
    except ImportError as e:
        raise RuntimeError(f"record needs the GUI extras ({e}); `make run` installs them") from None

    out = Path(args.out)
    frames = record_view(
        out,
        args.start,
        args.stop,
        view=args.view,
        size=args.size,
        fps=args.fps,
        scale=args.scale,
        lang=args.lang,
        pair=args.pair,
        source=args.source,
        mode=args.mode,
        model=args.model,
    )
    print(out)
    print(f"{frames} frames")
    return 0


def _gallery(args: argparse.Namespace) -> int:
    from visualizer.gallery.gallery import gallery

    result = gallery(Path(args.out), quick=args.quick, only=args.only)
    kinds = ", ".join(f"{k} {n}" for k, n in result.kinds.most_common()) or "none"
    print(f"{result.folder}/index.html")
    print(
        f"{result.pictures} pictures ({result.bytes / 1e6:.0f} MB) in "
        f"{result.seconds:.0f} s; {result.failed} with findings ({kinds})"
    )
    return 0
