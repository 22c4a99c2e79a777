"""What each step means, in words and a formula, in English and Simplified Chinese.

The texts live in ``assets/text/{lang}.json`` (one entry per ``phase.kind`` key)
so translators and lecturers edit data, not code; each room may add its own file,
``assets/text/{room}.{lang}.json`` (e.g. ``neuron.zh.json``), merged in. A decoding
step reads the same op as in the forward pass, so ``decode.*`` falls back to ``forward.*``.

Some ops mean something else in another shape of the family: the tokens of a decoder-only
model are prompt and answer in one sequence (no <bos>, no source), an encoder-only model's
input starts with [CLS] and its target is a label. Such texts have a variant key
``{key}@{shape}`` (``shape``: ``decoder-only``, ``encoder-only``, ``picture``; ``lm``: a
decoder-only language model that continues a text, no "=" and no translation; ``hf-bert``:
a BERT checkpoint's own ``[CLS] … [SEP]`` word pieces). A step whose op means something of
its own in one place has a variant by step name, ``{key}@{step name}`` (BERT's
``forward.add@src.segment`` is the segment vector, not a residual connection), and one
by name in one shape, ``{key}@{step name}@{shape}`` (a masked-word BERT's ``logits``:
``forward.linear@logits@mlm``). A step is
narrated with ``narrate_step(trace, step, lang)``, which tries the step's name, then the
model's shapes (a traced GRPO update first tries its texts by step name:
``core.narration_grpo``).

Each file is read with ``core.limits`` (size and nesting checked first) and each entry
must be ``{"title", "text", "formula"}``, all text. A file that cannot be read, or an
entry that is malformed, is skipped and its one-line reason kept (``problems(lang)``):
one bad extra file never hides the rest of the narration.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core import assets, limits

if TYPE_CHECKING:
    from core.trace import Step, Trace

TEXT_DIR = assets.path("text")
LANGUAGES = ("en", "zh")


@dataclass(frozen=True)
class Narration:
    title: str
    text: str
    formula: str


NARRATION_FIELDS = tuple(f.name for f in fields(Narration))
_PROBLEMS: list[tuple[str, str]] = []  # (language, one line) of what was skipped


# Tables in assets/text that are not narration: the engine's messages (core.messages).
NOT_NARRATION = frozenset({"messages.en.json", "messages.zh.json"})


@cache
def catalog(lang: str) -> dict[str, Narration]:
    """Every narration of ``lang``: ``{lang}.json``, then each ``*.{lang}.json`` merged
    in (sorted by name); bad files and entries are skipped (see ``problems``)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; choose one of: {', '.join(LANGUAGES)}")
    problems: list[str] = []
    out: dict[str, Narration] = {}
    extra = [p for p in sorted(TEXT_DIR.glob(f"*.{lang}.json")) if p.name not in NOT_NARRATION]
    for path in [TEXT_DIR / f"{lang}.json", *extra]:
        out.update(_read(path, problems))
    _PROBLEMS[:] = [p for p in _PROBLEMS if p[0] != lang] + [(lang, m) for m in problems]
    return out


def problems(lang: str) -> list[str]:
    """Why files or entries of ``lang``'s narration were skipped (one line each)."""
    catalog(lang)
    return [message for language, message in _PROBLEMS if language == lang]


def _read(path: Path, problems: list[str]) -> dict[str, Narration]:
    try:
        raw = limits.read_json(path, limits.NARRATION_BYTES)
    except (OSError, limits.LimitError) as e:
        problems.append(f"{path.name}: skipped: {getattr(e, 'strerror', None) or e}")
        return {}
    if not isinstance(raw, dict):
        problems.append(f"{path.name}: skipped: not a JSON object of narrations")
        return {}
    out: dict[str, Narration] = {}
    for key, entry in raw.items():
        error = _entry_error(entry)
        if error:
            problems.append(f"{path.name}: {key}: skipped: {error}")
        else:
            out[key] = Narration(**entry)
    return out


def _entry_error(entry: Any) -> str:
    if not isinstance(entry, dict):
        return "must be an object with " + ", ".join(NARRATION_FIELDS)
    unknown = sorted(set(entry) - set(NARRATION_FIELDS))
    if unknown:
        return f"unknown field {unknown[0]!r}"
    missing = [f for f in NARRATION_FIELDS if f not in entry]
    if missing:
        return f"missing field {missing[0]!r}"
    bad = [f for f in NARRATION_FIELDS if not isinstance(entry[f], str)]
    return f"{bad[0]} must be text" if bad else ""


# trace -> (what its shapes follow from, its shapes): a walk through a trace narrates every
# step, and each narration scanned all of its steps again (quadratic: a base model has 5,381)
_SHAPES: weakref.WeakKeyDictionary[Trace, tuple[tuple[object, ...], tuple[str, ...]]] = (
    weakref.WeakKeyDictionary()
)


def shapes(trace: Trace) -> tuple[str, ...]:
    """The model's shapes whose variant texts apply, most specific first: a picture model is
    ``("picture", "encoder-only")``, a translator ``()`` (it reads the general texts); a
    language model that continues text (``trace.meta["task"] == "continue"``, set by
    ``core.tracing``) is ``("lm", "decoder-only")``; a BERT checkpoint (its segment
    step) is ``("hf-bert", "encoder-only")``, and ``("mlm", "hf-bert", "encoder-only")``
    when it fills in ``[MASK]`` (its ``mlm.norm`` step: ``core.mlm``)."""
    key = (len(trace.steps), trace.meta.get("arch"), trace.meta.get("task"))
    known = _SHAPES.get(trace)
    if known is None or known[0] != key:
        known = (key, _shapes(trace))
        _SHAPES[trace] = known
    return known[1]


def _shapes(trace: Trace) -> tuple[str, ...]:
    """``shapes`` without the cache: one scan over the steps."""
    arch = str(trace.meta.get("arch", "encoder-decoder"))
    found = [arch] if arch in ("decoder-only", "encoder-only") else []
    if any(s.name == "src.image" for s in trace.steps):
        found.insert(0, "picture")
    if arch == "decoder-only" and trace.meta.get("task") == "continue":
        found.insert(0, "lm")
    if arch == "encoder-only" and any(s.name == "src.segment" for s in trace.steps):
        found.insert(0, "hf-bert")
    if arch == "encoder-only" and any(s.name == "mlm.norm" for s in trace.steps):
        found.insert(0, "mlm")
    return tuple(found)


def narrate_step(trace: Trace, step: Step, lang: str = "en") -> Narration:
    """The narration of ``step`` for the shape of the model that made ``trace``: the first
    ``{key}@{shape}`` variant that exists, else the general text of ``step.narration``."""
    from core.narration_grpo import keys as grpo_keys

    named = f"{step.narration}@{step.name}"  # e.g. forward.add@src.segment
    shaped = shapes(trace)
    variants = [
        *(f"{named}@{shape}" for shape in shaped),  # a name in one shape: linear@logits@mlm
        named,
        *(f"{step.narration}@{shape}" for shape in shaped),
    ]
    for key in [*grpo_keys(trace, step), *variants]:
        try:
            return narrate(key, lang)
        except KeyError:
            continue
    return narrate(step.narration, lang)


def narrate(key: str, lang: str = "en") -> Narration:
    """The narration for a step's key (``Step.narration``); KeyError if none exists."""
    texts = catalog(lang)
    if key in texts:
        return texts[key]
    phase, _, kind = key.partition(".")
    if phase == "decode" and f"forward.{kind}" in texts:
        return texts[f"forward.{kind}"]
    raise KeyError(f"no {lang} narration for {key!r}")
