"""What each step means, in words and a formula, in English and Simplified Chinese.

The texts live in ``assets/text/{lang}.json`` (one entry per ``phase.kind`` key)
so translators and lecturers edit data, not code; each room may add its own file,
``assets/text/{room}.{lang}.json`` (e.g. ``neuron.zh.json``), merged in. A decoding
step reads the same op as in the forward pass, so ``decode.*`` falls back to ``forward.*``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

from core import assets

TEXT_DIR = assets.path("text")
LANGUAGES = ("en", "zh")


@dataclass(frozen=True)
class Narration:
    title: str
    text: str
    formula: str


@cache
def catalog(lang: str) -> dict[str, Narration]:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; choose one of: {', '.join(LANGUAGES)}")
    raw = json.loads((TEXT_DIR / f"{lang}.json").read_text("utf-8"))
    for extra in sorted(TEXT_DIR.glob(f"*.{lang}.json")):
        raw.update(json.loads(extra.read_text("utf-8")))
    return {key: Narration(**entry) for key, entry in raw.items()}


def narrate(key: str, lang: str = "en") -> Narration:
    """The narration for a step's key (``Step.narration``); KeyError if none exists."""
    texts = catalog(lang)
    if key in texts:
        return texts[key]
    phase, _, kind = key.partition(".")
    if phase == "decode" and f"forward.{kind}" in texts:
        return texts[f"forward.{kind}"]
    raise KeyError(f"no {lang} narration for {key!r}")
