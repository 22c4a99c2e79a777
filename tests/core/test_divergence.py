"""The divergence demo: training with diverge-de blows up, and the traced step that did it
holds a first non-finite value exactly where a brute-force scan finds it."""

from __future__ import annotations

import copy

import pytest
import torch

from core import divergence
from core.bundle import Bundle
from core.config import preset
from core.divergence import Divergence, diverge, first_nonfinite, load_divergence_demo
from core.session import Session
from core.trace import Trace


def brute_first(trace: Trace) -> int | None:
    """The first step whose output has NaN or ±Inf (a forward mask's -inf is the mask)."""
    for s in trace.steps:
        x = trace.tensors[s.tensors.get("out", s.key)]
        if not x.is_floating_point() or not x.numel():
            continue
        if s.kind == "mask" and s.phase in ("forward", "decode"):
            x = x[x != float("-inf")]
        if not bool(torch.isfinite(x).all()):
            return s.index
    return None


def _weights(bundle: Bundle) -> list[torch.Tensor]:
    return [p.detach().clone() for p in bundle.model.parameters()]


@pytest.fixture(scope="module")
def demo(shipped_de: Bundle) -> tuple[Divergence, list[torch.Tensor]]:
    before = _weights(shipped_de)
    pair = ("Time flies like an arrow", "Die Zeit fliegt wie ein Pfeil")
    return diverge(shipped_de, prefer=[pair]), before


def test_the_model_passed_in_is_untouched(
    shipped_de: Bundle, demo: tuple[Divergence, list[torch.Tensor]]
) -> None:
    for a, b in zip(demo[1], _weights(shipped_de), strict=True):
        assert torch.equal(a, b)


def test_the_demo_model_is_finite_and_its_step_blows_up(
    demo: tuple[Divergence, list[torch.Tensor]],
) -> None:
    d = demo[0]
    assert all(bool(torch.isfinite(p).all()) for p in d.bundle.model.parameters())
    assert 0 < d.steps < preset("diverge-de").train.steps
    assert d.trace.meta["kind"] == "train_step"
    assert d.trace.meta["source"] == d.source and d.trace.meta["target"] == d.target
    assert d.trace.meta["step"] == d.steps + 1  # the replayed step is the one that blew up
    after = [d.trace.tensors[s.tensors["out"]] for s in d.trace.steps if s.phase == "update"]
    assert any(not bool(torch.isfinite(x).all()) for x in after)  # it leaves a weight NaN


def test_first_nonfinite_is_the_brute_force_first(
    demo: tuple[Divergence, list[torch.Tensor]],
) -> None:
    d = demo[0]
    want = brute_first(d.trace)
    assert want is not None
    assert d.first == want == first_nonfinite(d.trace)
    assert d.trace.steps[want].phase in ("backward", "update")  # the forward pass was finite


def test_load_into_a_session_stops_on_the_first_nonfinite_step(
    shipped_de: Bundle,
    demo: tuple[Divergence, list[torch.Tensor]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked = []

    def trained(bundle: Bundle, **kw: object) -> Divergence:
        asked.append((bundle, kw))
        return demo[0]  # trained once, in the fixture

    monkeypatch.setattr(divergence, "diverge", trained)
    s = Session(copy.deepcopy(shipped_de), "en-de", "Time flies like an arrow")
    original = s.bundle
    load_divergence_demo(s)
    assert asked[0][0] is original
    assert asked[0][1]["prefer"] == [("Time flies like an arrow", "Die Zeit fliegt wie ein Pfeil")]
    assert s.error == "", s.error
    assert s.mode == "train" and s.trace.meta["kind"] == "train_step"
    assert s.bundle is not original and s.source == s.trace.meta["source"]
    assert s.target == s.trace.meta["target"]
    want = brute_first(s.trace)
    assert want is not None and s.cursor == want and s.stopped
    assert [bp.kind for bp in s.breakpoints] == ["nonfinite"]
    s.seek(0)
    assert s.run_to_breakpoint(+1) and s.cursor == want


def test_a_recipe_that_never_blows_up_is_a_message(shipped_de: Bundle) -> None:
    with pytest.raises(ValueError, match="did not blow up"):
        diverge(shipped_de, max_steps=1)
