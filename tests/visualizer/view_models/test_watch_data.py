"""The watch list's numbers, without Qt: the occurrences of a watched name in a real run,
the one shown for a cursor, its statistics and the sparkline's RMS per occurrence."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.inspector import TensorInfo
from core.session import Session
from visualizer.panels.watches.watch_data import WatchData, rms

NAME = "dec.1.cross_attn.weights"


def test_occurrences_are_one_per_decoding_step(translate: Session) -> None:
    trace = translate.trace
    data = WatchData(trace)
    found = data.steps(NAME)
    assert found == trace.find(NAME)
    assert [s.t for s in found] == list(range(len(trace.meta["tgt_tokens"]) + 1))
    assert data.steps("t9/nothing") == [] and data.pick("t9/nothing", found[0]) is None


def test_the_cursors_decoding_step_is_picked(translate: Session) -> None:
    trace = translate.trace
    data = WatchData(trace)
    shown = data.pick(NAME, trace.first("t3/dec.0.self_attn.q"))
    assert shown is not None
    assert shown.step.key == f"t3/{NAME}" and shown.position == 3
    assert shown.info == TensorInfo.of(trace.value(f"t3/{NAME}"))
    before = data.pick(NAME, trace.first("enc.1.ffn.out"))  # the encoder: the nearest, t0
    assert before is not None and before.step.key == f"t0/{NAME}"
    first = data.pick(NAME, None)  # no cursor: the first occurrence
    assert first is not None and first.position == 0


def test_sparkline_is_the_rms_of_every_occurrence(translate: Session) -> None:
    trace = translate.trace
    spark = WatchData(trace).sparkline(NAME)
    want = [
        float(np.sqrt(np.mean(trace.value(s.key).astype(np.float64) ** 2)))
        for s in trace.find(NAME)
    ]
    assert spark == pytest.approx(want)


def test_a_training_step_picks_the_same_phase(train: Session) -> None:
    trace = train.trace
    data = WatchData(trace)
    phases = [s.phase for s in data.steps(NAME)]
    assert phases == ["forward", "backward"]
    back = next(s for s in trace.steps if s.phase == "backward")
    shown = data.pick(NAME, back)
    assert shown is not None and shown.step.phase == "backward"
    assert shown.info == TensorInfo.of(trace.value(f"d/{NAME}"))


def test_rms_ignores_what_is_not_finite(translate: Session) -> None:
    masked = translate.trace.value("t2/dec.0.self_attn.masked")
    finite = masked[np.isfinite(masked)].astype(np.float64)
    assert np.isneginf(masked).any()
    assert rms(masked) == pytest.approx(float(np.sqrt(np.mean(finite**2))))
    assert math.isnan(rms(np.array([np.nan, np.inf]))) and math.isnan(rms(np.zeros(0)))
    assert rms(np.array([3, 4])) == pytest.approx(math.sqrt(12.5))  # integers too
