"""The claim of the room, on the built-in settings: the pre-trained model says 9.11 > 9.9
the way version numbers would, and after RL says 9.9 — on the run shipped in
assets/stages, which this code rebuilds stage by stage (bit for bit on the machine that
built it; tests/core/rebuild_check.py says what is checked elsewhere).

Checked by hand on seeds 0-5 (all six: pre-training answers 9.11 with p 0.68-0.96 and gets
every trap question wrong; GRPO answers 9.9 with p > 0.98); seed 0 is tested here.

Each stage draws its batches and groups from ``(seed, stage, step)`` alone and starts a
fresh optimiser, so a stage resumed from the shipped folder of the stage before it is the
same run as the uninterrupted one (``core.stages.pipeline``): the three rebuilds are
separate tests (pre-training ~7 s, GRPO ~6 s) that the two test workers share.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from core import assets
from core.stages.pipeline import STAGES, Pipeline, Settings, StageName, answers
from core.stages.questions import HELD_OUT
from tests.core.rebuild_check import assert_rebuilt, config, same_arithmetic

# Relative weight distance float rounding alone gives where the kernels differ from the
# builder's, with room (tests/core/rebuild_check.py): pre-training runs 1,000 steps from
# scratch, so there its loss curve, not the distance, tells a changed run apart.
DRIFT = {"pretrain": 0.2, "sft": 2e-3, "grpo": 3e-3}


def _shipped() -> Path:
    return assets.path("stages")


@pytest.mark.parametrize("stage", STAGES)
def test_each_shipped_stage_is_rebuilt(tmp_path: Path, stage: StageName) -> None:
    """What `make models` writes: each stage trained from the shipped stage before it."""
    before = STAGES[: STAGES.index(stage)]
    for name in before:
        shutil.copytree(_shipped() / name, tmp_path / "run" / name)
    p = (
        Pipeline.resume(tmp_path / "run", Settings(seed=0))
        if before
        else Pipeline(Settings(seed=0))
    )
    assert [n for n in STAGES if p.finished(n)] == list(before)
    assert p.run_stage(stage)
    folder = p.save(stage, tmp_path / "out" / stage)
    new, shipped = config(folder), config(_shipped() / stage)
    curves = [[row["loss"] for row in c["stages"].pop("history")] for c in (new, shipped)]
    identical = same_arithmetic(*curves)
    if identical:
        assert new == shipped  # evaluations, answers and their probabilities too
    else:  # the evaluations' probabilities drift with the weights
        for c in (new, shipped):
            del c["stages"]["evals"], c["stages"]["p_answer"], c["stages"]["accuracy"]
            del c["stages"]["answer"]
        assert new == shipped
    assert_rebuilt(folder, _shipped() / stage, DRIFT[stage], identical=identical)


def test_pretrained_says_9_11_and_rl_says_9_9() -> None:
    p = Pipeline.resume(_shipped(), Settings(seed=0))
    assert all(p.finished(n) for n in STAGES)
    pre = answers(p.model("pretrain"), p.tok)
    assert pre[0].answer == "9.11" and pre[0].p_wrong > pre[0].p_right
    assert pre[0].text.startswith("9.11")
    traps = [r for r, qn in zip(pre, HELD_OUT, strict=True) if qn.trap]
    assert all(not r.correct for r in traps)  # the version habit, not noise
    rl = answers(p.model("grpo"), p.tok)
    assert rl[0].answer == "9.9" and rl[0].p_right > 0.5
    assert sum(r.correct for r in rl) > sum(r.correct for r in pre)
