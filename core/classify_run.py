"""A classifier's run in a session: what its ``source`` names, and the traced run.

A sentence classifier (bert-who) reads ``source`` as a sentence. A picture classifier
(vit-pets) has no text to read: its ``source`` names one of the four lecture pictures
(``cat``, ``dog``, ``small cat``, ``big dog``, or their number ``1``-``4``) or a
picture file (PNG, JPEG, ``.npy``: ``core.classify_data.load_picture``). Both give the
same traced forward pass (``core.tracing.trace_classification``), with interventions
applied like a translator's (``core.interventions``).

A pre-trained BERT without a classification head (``core.fill_mask``) answers by filling
the ``[MASK]``s of ``source`` instead: ``trace_answer`` runs whichever the model does,
``trace_fill_step`` traces its training step.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch

from core.bundle import Bundle, Classification
from core.classify_data import load_picture
from core.classify_task import LABELS as SENTENCE_LABELS
from core.classify_task import lecture_sentences
from core.corpus import sentence_key
from core.fill_mask import (
    FillMask,
    fill_mask,
    is_masked_lm,
    trace_fill_mask,
    trace_fill_mask_step_on_copy,
)
from core.interventions import Intervention, chain
from core.messages import msg
from core.pictures import lecture_pictures
from core.trace import Trace
from core.tracing import trace_classification

# The lecture pictures by name, in lecture_pictures() order (label: 0 cat, 1 dog).
PICTURE_NAMES = ("cat", "dog", "small cat", "big dog")
PICTURE_NAMES_ZH = {"cat": "猫", "dog": "狗", "small cat": "小猫", "big dog": "大狗"}


def is_picture_model(bundle: Bundle) -> bool:
    return bundle.cfg.arch == "encoder-only" and bundle.cfg.inputs == "patches"


def picture(bundle: Bundle, source: str) -> torch.Tensor:
    """(C, H, W) float32 picture that ``source`` names (see the module docstring)."""
    name = source.strip().lower()
    zh = {v: k for k, v in PICTURE_NAMES_ZH.items()}
    name = zh.get(name, name)
    if name.isdigit() and 1 <= int(name) <= len(PICTURE_NAMES):
        name = PICTURE_NAMES[int(name) - 1]
    if name in PICTURE_NAMES:
        images = lecture_pictures(bundle.cfg.image_size).images
        return torch.from_numpy(images[PICTURE_NAMES.index(name)]).float()
    choices = ", ".join(PICTURE_NAMES)
    if not name:
        raise ValueError(msg("name_a_picture", choices=choices))
    if not Path(source.strip()).is_file():
        raise ValueError(msg("no_picture_named", name=repr(source.strip()), choices=choices))
    return load_picture(source.strip(), bundle.cfg.image_size, bundle.cfg.channels)


def classifier_input(bundle: Bundle, source: str) -> str | torch.Tensor:
    """What the classifier reads for ``source``: the sentence, or the picture it names."""
    if is_picture_model(bundle):
        return picture(bundle, source)
    if not source.strip():
        raise ValueError(msg("empty_sentence"))
    return source


def trace_classify(
    bundle: Bundle, source: str, interventions: Sequence[Intervention] = ()
) -> tuple[Trace, Classification]:
    """The traced forward pass of ``source``, and its result (labels by probability).
    A name no trace point has is a one-line ValueError, as for a translation."""
    trace = trace_classification(bundle, classifier_input(bundle, source), chain(interventions))
    named = {s.name for s in trace.steps}
    unknown = [i.name for i in interventions if i.name not in named]
    if unknown:
        raise ValueError(msg("no_trace_point", name=repr(unknown[0])))
    trace.meta["source"] = source
    ranked = [(str(label), float(p)) for label, p in trace.meta["ranked"]]
    return trace, Classification(None, ranked)


def trace_answer(
    bundle: Bundle, source: str, interventions: Sequence[Intervention] = ()
) -> tuple[Trace, Classification | FillMask]:
    """An encoder-only model's traced run: a classifier's labels, or a pre-trained
    BERT's fills for the ``[MASK]``s of ``source``."""
    if is_masked_lm(bundle):
        trace, result = trace_fill_mask(bundle, source, chain(interventions))
        _check_names(trace, interventions)
        return trace, result
    return trace_classify(bundle, source, interventions)


def trace_fill_step(
    bundle: Bundle, source: str, target: str, block: str = ""
) -> tuple[Trace, FillMask]:
    """A pre-trained BERT's traced training step on a copy: ``target`` names a word
    piece per mask (default: the model's own best fills, which the step makes likelier);
    ``block``: the light trace's (``core.light_trace``); the result is what the model
    fills before learning."""
    result = fill_mask(bundle, source)
    words = target or " ".join(result.words)
    return trace_fill_mask_step_on_copy(bundle, source, words, block=block), result


def _check_names(trace: Trace, interventions: Sequence[Intervention]) -> None:
    named = {s.name for s in trace.steps}
    unknown = [i.name for i in interventions if i.name not in named]
    if unknown:
        raise ValueError(msg("no_trace_point", name=repr(unknown[0])))


def known_label(bundle: Bundle, source: str) -> str | None:
    """The right label of a lecture sentence or picture, if ``source`` is one."""
    if is_picture_model(bundle):
        try:
            index = PICTURE_NAMES.index(source.strip().lower())
        except ValueError:
            return None
        return bundle.labels[int(lecture_pictures(bundle.cfg.image_size).labels[index])]
    for s in lecture_sentences():
        if sentence_key(s.text) == sentence_key(source):
            return SENTENCE_LABELS[s.label]
    return None
