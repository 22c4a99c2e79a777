"""The vocabulary a chapter file may use, and the checks for its smaller parts.

Kept apart from ``core/chapters.py`` (the format and the files) because these lists
mirror other modules: the window's dock names, the built-in model pairs, the labs'
settings. They are spelled out here rather than imported so that reading a chapter
needs neither Qt nor PyTorch; ``tests/core/test_chapters.py`` checks that they still
match the modules they mirror.
"""

from __future__ import annotations

import math
from typing import Any

LANGS = ("en", "zh")
ROOMS = ("transformer", "neuron", "playground", "stages")
PAIRS = ("en-de", "en-fr")  # core.session.BUILTIN_MODELS
MODELS = ("demo-de", "demo-fr", "gpt-de", "moe-de", "bert-who", "vit-pets")  # assets/models
PANELS = (  # the window's docks (visualizer/main_window.py DOCK_AREAS, plus the debugger's)
    "diagram",
    "attention",
    "decoding",
    "narration",
    "timeline",
    "training",
    "loss",
    "gradflow",
    "update",
    "inspector",
    "interventions",
    "breakpoints",
    "watches",
    "router",
    "classify",
)
FIGURES = ("token_split", "sinusoids")  # small pictures the narration bar can show
NEURON_ACTIVATIONS = ("identity", "step", "sigmoid", "tanh", "relu")  # core.basics.neuron
NETWORK_ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")  # core.basics.network
DATASETS = ("blobs", "xor", "circle", "spiral", "cat_dog")  # core.basics.datasets
MAX_LAYERS, MAX_NEURONS = 6, 8  # core.basics.network
STAGE_NAMES = ("pretrain", "sft", "grpo")  # core.stages.pipeline.STAGES
STAGE_PAGES = (*STAGE_NAMES, "trace", "compare")  # visualizer/rooms/stages PAGES


def need(ok: bool, where: str, at: str, message: str) -> None:
    """Raise the one-line error every check uses: "file: field: what is wrong" (a field
    name from the file with a newline or another control character in it is escaped,
    so the message stays one line)."""
    if not ok:
        line = f"{where}: {at}: {message}" if at else f"{where}: {message}"
        raise ValueError(
            "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in line)
        )


def bad(value: Any, known: tuple[str, ...], what: str) -> str:
    return f"unknown {what} {value!r}; known: {', '.join(known)}"


def plain_str(value: Any, where: str, at: str, limit: int, empty: bool) -> str:
    need(isinstance(value, str), where, at, "must be a string")
    text = str(value).strip()
    need(empty or bool(text), where, at, "must not be empty")
    need(len(text) <= limit, where, at, f"has {len(text)} characters; at most {limit}")
    return text


def _int(lo: int, hi: int) -> Any:
    def check(v: Any) -> str | None:
        ok = isinstance(v, int) and not isinstance(v, bool) and lo <= v <= hi
        return None if ok else f"must be an integer from {lo} to {hi}"

    return check


def _num(lo: float, hi: float, open_lo: bool = False) -> Any:
    def check(v: Any) -> str | None:
        ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
        ok = ok and (v > lo if open_lo else v >= lo) and v <= hi
        return None if ok else f"must be a number {'>' if open_lo else '≥'} {lo} and ≤ {hi}"

    return check


def _flag(v: Any) -> str | None:
    return None if isinstance(v, bool) else "must be true or false"


def _one_of(known: tuple[str, ...]) -> Any:
    return lambda v: None if v in known else f"must be one of {', '.join(known)}"


def _layers(v: Any) -> str | None:
    ok = isinstance(v, list) and len(v) <= MAX_LAYERS
    ok = ok and all(isinstance(n, int) and not isinstance(n, bool) for n in v)
    ok = ok and all(1 <= n <= MAX_NEURONS for n in v)
    return None if ok else f"must be a list of up to {MAX_LAYERS} sizes from 1 to {MAX_NEURONS}"


LAB_RULES: dict[str, dict[str, Any]] = {
    # Applied in this order: start over, settings, then the runs.
    "neuron": {
        "reset": _flag,  # new initial weights from "seed" (or the lab's seed)
        "seed": _int(0, 2**31 - 1),
        "activation": _one_of(NEURON_ACTIVATIONS),
        "lr": _num(0.0, 10.0),
        "sample": _int(0, 999),
        "train": _int(1, 100_000),  # that many gradient-descent steps at once
        "traced": _flag,  # one traced step (forward, loss, backward, update)
    },
    "playground": {
        "reset": _flag,  # back to iteration 0 with the seed's weights
        "dataset": _one_of(DATASETS),
        "noise": _num(0.0, 0.5),
        "split": _num(0.1, 0.9),
        "layers": _layers,
        "activation": _one_of(NETWORK_ACTIVATIONS),
        "lr": _num(0.0, 10.0, open_lo=True),
        "batch": _int(1, 1000),
        "l2": _num(0.0, 1.0),
        "seed": _int(0, 2**31 - 1),
        "classes": _int(2, 4),
        "points": _int(10, 5000),
        "train": _int(1, 100_000),  # untraced iterations, at once
        "traced": _flag,  # one recorded iteration for the timeline
        "play": _flag,  # keep training on the room's clock (the picture moves)
    },
    "stages": {  # the shipped run (assets/stages) is what the room opens on
        "trace": _flag,  # record the next GRPO update and put the timeline on it
        "evidence": _one_of(STAGE_NAMES),  # whose 9.11 evidence the answer panel shows
        "page": _one_of(STAGE_PAGES),  # the page in front
    },
}


def check_lab(room: str, data: Any, where: str, at: str) -> dict[str, Any]:
    rules = LAB_RULES[room]
    need(isinstance(data, dict) and bool(data), where, at, "must be a non-empty object")
    for key, value in data.items():
        need(
            key in rules, where, f"{at}.{key}", f"unknown {room} setting; known: {', '.join(rules)}"
        )
        problem = rules[key](value)
        need(problem is None, where, f"{at}.{key}", str(problem))
    return {k: data[k] for k in rules if k in data}  # in the order they are applied


def check_select(data: Any, where: str, at: str) -> dict[str, int]:
    need(isinstance(data, dict) and bool(data), where, at, "must be an object of head/row/col")
    for key, value in data.items():
        need(
            key in ("head", "row", "col"),
            where,
            f"{at}.{key}",
            "unknown field; known: head, row, col",
        )
        problem = _int(0, 63)(value)
        need(problem is None, where, f"{at}.{key}", str(problem))
    need(("row" in data) == ("col" in data), where, at, "row and col go together (one cell)")
    return dict(data)


def check_train(data: Any, where: str, at: str) -> dict[str, Any]:
    rules = {"steps": _int(10, 1_000_000), "scratch": _flag, "until_right": _flag}
    need(isinstance(data, dict), where, at, "must be an object of steps/scratch/until_right")
    for key, value in data.items():
        need(key in rules, where, f"{at}.{key}", f"unknown field; known: {', '.join(rules)}")
        problem = rules[key](value)
        need(problem is None, where, f"{at}.{key}", str(problem))
    return dict(data)
