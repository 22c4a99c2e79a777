"""Breakpoints stop where a brute-force scan of the trace says, in both directions.

The expected hits are computed here from the torch tensors with independent code
(string tests instead of globs, torch reductions instead of the module's NumPy
measurements), and the divergence preset is trained until it really produces a
non-finite value, so the NaN breakpoint is checked on a real blow-up.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable

import pytest
import torch

from core.breakpoints import Breakpoint, Breakpoints, hits
from core.bundle import Bundle, new_bundle
from core.config import ModelConfig, preset
from core.corpus import Corpus
from core.trace import Step, Trace
from core.tracing import trace_batch_step, trace_step_on_copy, trace_translation
from core.train import Trainer, TrainingError

SRC, TGT = "The dog sees the cat", "Der Hund sieht die Katze"


@pytest.fixture(scope="module")
def translation(shipped_de: Bundle) -> Trace:
    return trace_translation(shipped_de, SRC)[0]


@pytest.fixture(scope="module")
def training(corpus_de: Corpus) -> Trace:
    """A training step of an untrained model: gradients large enough to tell apart."""
    return trace_step_on_copy(new_bundle(corpus_de, ModelConfig(), seed=1), SRC, TGT)


# -- independent reference ---------------------------------------------------------------


def _floats(x: torch.Tensor) -> bool:
    return x.is_floating_point() and x.numel() > 0


def _without_mask(step: Step, x: torch.Tensor) -> torch.Tensor:
    """A forward mask step's -inf entries are the mask, not a value."""
    if step.kind == "mask" and step.phase in ("forward", "decode"):
        return x[x != float("-inf")]
    return x.flatten()


def _nonfinite(trace: Trace, s: Step) -> bool:
    x = trace.tensors[s.tensors["out"]]
    return _floats(x) and not bool(torch.isfinite(_without_mask(s, x)).all())


def _absmax_over(threshold: float) -> Callable[[Trace, Step], bool]:
    def pred(trace: Trace, s: Step) -> bool:
        x = trace.tensors[s.tensors["out"]]
        if not _floats(x):
            return False
        y = _without_mask(s, x)
        y = y[~torch.isnan(y)]
        return y.numel() > 0 and float(y.abs().max()) > threshold

    return pred


def _attention_over(threshold: float) -> Callable[[Trace, Step], bool]:
    def pred(trace: Trace, s: Step) -> bool:
        parts = s.name.split(".")
        if s.phase == "backward" or parts[-1] != "weights":
            return False
        if len(parts) < 2 or parts[-2] not in ("self_attn", "cross_attn"):
            return False
        return float(trace.tensors[s.key].max()) > threshold

    return pred


def _gradnorm_over(threshold: float) -> Callable[[Trace, Step], bool]:
    def pred(trace: Trace, s: Step) -> bool:
        if s.phase == "backward":
            g = trace.tensors[s.tensors["out"]]
        elif s.phase == "update":
            g = trace.tensors[s.tensors["grad"]]
        else:
            return False
        return float(torch.linalg.vector_norm(g.double())) > threshold

    return pred


def _brute(trace: Trace, pred: Callable[[Trace, Step], bool]) -> list[int]:
    return [s.index for s in trace.steps if pred(trace, s)]


CASES: dict[str, tuple[str, Breakpoint, Callable[[Trace, Step], bool]]] = {
    "name glob": (
        "translation",
        Breakpoint("name", "dec.*.cross_attn.weights"),
        lambda t, s: s.name.startswith("dec.") and s.name.endswith(".cross_attn.weights"),
    ),
    "name glob, training": (
        "training",
        Breakpoint("name", "enc.1.*"),
        lambda t, s: s.name.startswith("enc.1."),
    ),
    "key glob": ("translation", Breakpoint("name", "t3/*"), lambda t, s: s.key[:3] == "t3/"),
    "kind": ("translation", Breakpoint("kind", "softmax"), lambda t, s: s.kind == "softmax"),
    "kind glob": ("training", Breakpoint("kind", "layer*"), lambda t, s: s.kind == "layernorm"),
    "phase backward": (
        "training",
        Breakpoint("phase", "backward"),
        lambda t, s: s.key.startswith("d/") and "@" not in s.key,
    ),
    "phase update": ("training", Breakpoint("phase", "update"), lambda t, s: s.kind == "adam"),
    "phase loss": ("training", Breakpoint("phase", "loss"), lambda t, s: s.phase == "loss"),
    "phase forward": (
        "translation",
        Breakpoint("phase", "forward"),
        lambda t, s: s.t is None,
    ),
    "absmax": ("translation", Breakpoint("absmax", threshold=20.0), _absmax_over(20.0)),
    "absmax, training": ("training", Breakpoint("absmax", threshold=4.0), _absmax_over(4.0)),
    "attention": ("translation", Breakpoint("attention", threshold=0.99), _attention_over(0.99)),
    "attention, training": (
        "training",
        Breakpoint("attention", threshold=0.5),
        _attention_over(0.5),
    ),
    "gradnorm": ("training", Breakpoint("gradnorm", threshold=0.5), _gradnorm_over(0.5)),
}


def _expected_next(found: list[int], start: int, direction: int) -> int | None:
    if direction > 0:
        return next((i for i in found if i > start), None)
    return next((i for i in reversed(found) if i < start), None)


@pytest.mark.parametrize("case", list(CASES))
def test_each_kind_stops_where_a_brute_force_scan_says(
    case: str, request: pytest.FixtureRequest
) -> None:
    which, bp, pred = CASES[case]
    trace: Trace = request.getfixturevalue(which)
    want = _brute(trace, pred)
    assert 0 < len(want) < len(trace)  # the case tests something
    assert hits(trace, bp).tolist() == want
    bps = Breakpoints([bp])
    for start in range(-1, len(trace) + 1):
        for direction in (1, -1):
            got = bps.next_hit(trace, start, direction)
            expected = _expected_next(want, start, direction)
            assert (got[0] if got else None) == expected, (start, direction)
            assert got is None or got[1] == bp
    assert bps.marks(trace) == want
    assert bps.hit_counts(trace) == [len(want)]


def test_mask_infinities_are_not_nonfinite(translation: Trace) -> None:
    masked = [s for s in translation.steps if s.kind == "mask"]
    assert any(bool(torch.isneginf(translation.tensors[s.key]).any()) for s in masked)
    bps = Breakpoints([Breakpoint("nonfinite")])
    assert _brute(translation, _nonfinite) == []
    assert bps.marks(translation) == []
    assert bps.next_hit(translation, -1) is None
    assert bps.next_hit(translation, len(translation), -1) is None


def test_several_breakpoints_nearest_wins_and_disabled_are_ignored(translation: Trace) -> None:
    cross = Breakpoint("name", "dec.1.cross_attn.weights")
    soft = Breakpoint("kind", "softmax")  # also matches every cross_attn.weights step
    bps = Breakpoints([soft, cross])
    want_cross = [s.index for s in translation.find("dec.1.cross_attn.weights")]
    want_soft = [s.index for s in translation.steps if s.kind == "softmax"]
    first_cross = want_cross[0]
    # at a step both match, the first breakpoint in list order is reported
    assert bps.next_hit(translation, first_cross - 1) == (first_cross, soft)
    assert bps.marks(translation) == sorted(set(want_soft) | set(want_cross))
    bps.toggle(0)
    assert not bps[0].enabled
    assert bps.next_hit(translation, first_cross - 1) == (first_cross, bps[1])
    assert bps.marks(translation) == want_cross
    assert bps.hit_counts(translation) == [len(want_soft), len(want_cross)]  # disabled too
    last = want_cross[-1]
    assert bps.next_hit(translation, last) is None  # no wrap-around
    assert bps.next_hit(translation, last, -1) == (want_cross[-2], bps[1])
    with pytest.raises(ValueError, match="direction"):
        bps.next_hit(translation, 0, 0)


def test_hits_are_per_trace(translation: Trace, training: Trace) -> None:
    bp = Breakpoint("kind", "softmax")
    a, b = hits(translation, bp).tolist(), hits(training, bp).tolist()
    assert a == [s.index for s in translation.steps if s.kind == "softmax"]
    assert b == [s.index for s in training.steps if s.kind == "softmax"]
    assert a != b


# -- the list holder -----------------------------------------------------------------------


def test_add_remove_toggle_and_change_events() -> None:
    seen: list[tuple[Breakpoint, ...]] = []
    bps = Breakpoints()
    bps.changed.connect(seen.append)
    a, b = Breakpoint("nonfinite"), Breakpoint("absmax", threshold=3)
    assert bps.add(a) == 0
    assert bps.add(b) == 1
    assert bps.add(Breakpoint("nonfinite")) == 0  # the same condition is kept once
    assert len(bps) == 2
    off = bps.toggle(1)
    assert off == Breakpoint("absmax", threshold=3, enabled=False) and bps[1] == off
    assert bps.add(b) == 1 and bps[1].enabled  # re-adding enables it again
    assert bps.remove(0) == a
    assert list(bps) == [b]
    bps.clear()
    assert len(bps) == 0
    assert [len(items) for items in seen] == [1, 2, 2, 2, 1, 0]


def test_adding_many_takes_linear_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """20,000 distinct breakpoints (the cap lifted), twice over, then each added again:
    duplicates are found through an index, so this takes a fraction of a second where a
    scan per add (the old way) took minutes; a whole list comes with one event."""
    from core import limits

    monkeypatch.setattr(limits, "MAX_BREAKPOINTS", 50_000)
    items = [Breakpoint("name", f"p{i}") for i in range(20_000)]
    marks = Breakpoints()
    events: list[object] = []
    marks.changed.connect(lambda _items: events.append(None))
    start = time.perf_counter()
    marks.set_items([*items, *items])
    for i, bp in enumerate(items):
        assert marks.add(bp) == i  # already there: found at once, no event
    assert time.perf_counter() - start < 1.0
    assert len(marks) == 20_000
    assert len(events) == 1


def test_the_list_is_capped_with_one_message() -> None:
    from core import limits
    from core.navigator import Navigator

    nav = Navigator()
    for i in range(limits.MAX_BREAKPOINTS):
        assert nav.add_breakpoint(Breakpoint("name", f"p{i}")) == i
    assert nav.add_breakpoint(Breakpoint("name", "one more")) == -1
    assert nav.error == "201 breakpoints; the limit is 200"
    assert nav.add_breakpoint(Breakpoint("name", "p0", enabled=False)) == 0  # a change is fine
    with pytest.raises(ValueError, match="the limit is 200"):
        Breakpoints.from_list([{"kind": "name", "pattern": f"p{i}"} for i in range(201)])
    marks = Breakpoints([Breakpoint("nonfinite")])
    with pytest.raises(ValueError):
        marks.set_items(Breakpoint("name", f"p{i}") for i in range(201))
    assert marks.items == (Breakpoint("nonfinite"),)  # unchanged


def test_round_trip_and_labels() -> None:
    items = [
        Breakpoint("name", "dec.*.cross_attn.weights"),
        Breakpoint("kind", "softmax", enabled=False),
        Breakpoint("phase", "backward"),
        Breakpoint("nonfinite"),
        Breakpoint("absmax", threshold=100),
        Breakpoint("attention", threshold=0.9),
        Breakpoint("gradnorm", threshold=2.5),
    ]
    again = Breakpoints.from_list(Breakpoints(items).to_list())
    assert again.items == tuple(items)
    labels = [bp.label() for bp in items]
    assert len(set(labels)) == len(labels)
    assert "dec.*.cross_attn.weights" in labels[0] and "100" in labels[4] and "2.5" in labels[6]


BAD: dict[str, object] = {
    "not an object": ["name", "x"],
    "unknown field": {"kind": "nonfinite", "colour": "red"},
    "no kind": {"pattern": "x"},
    "unknown kind": {"kind": "sometimes"},
    "kind not text": {"kind": 3},
    "name without pattern": {"kind": "name"},
    "unknown phase": {"kind": "phase", "pattern": "lunch"},
    "threshold text": {"kind": "absmax", "threshold": "big"},
    "threshold bool": {"kind": "absmax", "threshold": True},
    "threshold negative": {"kind": "absmax", "threshold": -1},
    "threshold nan": {"kind": "absmax", "threshold": float("nan")},
    "enabled text": {"kind": "nonfinite", "enabled": "yes"},
    "pattern a list": {"kind": "name", "pattern": ["a"]},
}


@pytest.mark.parametrize("case", list(BAD))
def test_from_dict_is_strict(case: str) -> None:
    with pytest.raises(ValueError) as info:
        Breakpoint.from_dict(BAD[case])
    assert "\n" not in str(info.value) and 0 < len(str(info.value)) < 200


def test_from_list_refuses_a_non_list() -> None:
    with pytest.raises(ValueError, match="list"):
        Breakpoints.from_list({"kind": "nonfinite"})


# -- the divergence demo ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def diverged(corpus_de: Corpus) -> tuple[Trainer, Trace]:
    """Train ``diverge-de`` until a step's gradient norm is not finite; return the
    trainer (past that step) and that same step re-run traced from a saved state."""
    p = preset("diverge-de")
    assert p.pair == corpus_de.name == "en-de"
    bundle = new_bundle(corpus_de, p.model, seed=p.train.seed)
    trainer = Trainer(bundle, corpus_de, p.train)
    for _ in range(36):  # "within a few dozen steps"
        batch = trainer.next_batch()
        saved = copy.deepcopy(
            (bundle.model.state_dict(), trainer.opt.state_dict(), trainer.sched.state_dict())
        )
        step_count = trainer.step_count
        stats = trainer.step(batch)
        if not math.isfinite(stats.grad_norm):
            break
    else:
        pytest.fail("diverge-de trained 36 steps without a non-finite gradient norm")
    replay = Trainer(copy.deepcopy(bundle), None, p.train)
    replay.bundle.model.load_state_dict(saved[0])
    replay.opt.load_state_dict(saved[1])
    replay.sched.load_state_dict(saved[2])
    replay.step_count = step_count
    return trainer, trace_batch_step(replay, batch)


def test_diverge_preset_blows_up(diverged: tuple[Trainer, Trace]) -> None:
    trainer, trace = diverged
    assert trainer.cfg.grad_clip == 0 and trainer.cfg.warmup == 0
    assert trainer.step_count <= 36
    weights = list(trainer.bundle.model.parameters())
    assert not all(bool(torch.isfinite(w).all()) for w in weights)
    with pytest.raises(TrainingError, match="nan"):
        trainer.step()
    assert math.isfinite(trace.meta["loss"]) and not math.isfinite(trace.meta["grad_norm"])


def test_nonfinite_breakpoint_stops_at_the_first_nonfinite_step(
    diverged: tuple[Trainer, Trace],
) -> None:
    _, trace = diverged
    want = _brute(trace, _nonfinite)
    assert want, "the traced step holds no NaN or Inf"
    first, bp = want[0], Breakpoint("nonfinite")
    bps = Breakpoints([Breakpoint("phase", "loss", enabled=False), bp])
    assert bps.next_hit(trace, -1) == (first, bp)
    assert bps.next_hit(trace, len(trace), -1) == (want[-1], bp)
    assert bps.marks(trace) == want
    # the mask's -inf came earlier and did not stop it
    masks = [s for s in trace.steps[:first] if s.kind == "mask" and s.phase == "forward"]
    assert masks and all(bool(torch.isneginf(trace.tensors[s.key]).any()) for s in masks)
    for s in trace.steps[:first]:
        x = trace.tensors[s.key]
        assert not _floats(x) or s.kind == "mask" or bool(torch.isfinite(x).all()), s.key
