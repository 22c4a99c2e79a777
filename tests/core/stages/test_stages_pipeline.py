"""The seeded pipeline replays exactly, resumes exactly, saves and loads; held-out
questions stay held out."""

from __future__ import annotations

import json
import random
from dataclasses import asdict
from pathlib import Path

import pytest
import torch

from core.stages.corpus import generate
from core.stages.pipeline import (
    STAGES,
    Callbacks,
    Pipeline,
    Settings,
    StageError,
    accuracy,
    answers,
    load_stage,
)
from core.stages.questions import HELD_OUT, first_number, q, sample_questions, seen


def _numbers(p: Pipeline) -> list[object]:
    out: list[object] = []
    for name, st in p.states.items():
        out += [
            name,
            [h.loss for h in st.history],
            [(e.accuracy, e.answer, e.p_answer) for e in st.evals],
        ]
        out += [[h.reward for h in st.history if name == "grpo"]]
    return out


def test_same_seed_same_numbers(tiny_settings: Settings) -> None:
    a, b = Pipeline(tiny_settings), Pipeline(tiny_settings)
    assert a.run() and b.run()
    assert _numbers(a) == _numbers(b)
    for x, y in zip(a.model("grpo").parameters(), b.model("grpo").parameters(), strict=True):
        assert torch.equal(x, y)


def test_stopped_stage_resumes_exactly(tiny_settings: Settings, tiny_pipeline: Pipeline) -> None:
    p = Pipeline(tiny_settings)
    calls = {"n": 0}

    def stop() -> bool:
        calls["n"] += 1
        return calls["n"] in (5, 20)  # stop twice, in pre-training and in GRPO

    seen_steps: list[int] = []
    cb = Callbacks(on_step=lambda pr: seen_steps.append(pr.step), should_stop=stop)
    runs = 0
    while not p.run(cb):
        runs += 1
    assert runs == 2
    assert _numbers(p)[:2] == _numbers(tiny_pipeline)[:2]
    for x, y in zip(
        p.model("grpo").parameters(), tiny_pipeline.model("grpo").parameters(), strict=True
    ):
        assert torch.equal(x, y)


def test_stages_run_in_order(tiny_settings: Settings) -> None:
    with pytest.raises(StageError, match="pretrain"):
        Pipeline(tiny_settings).run_stage("sft")


def test_saved_stage_loads_and_answers_the_same(tiny_pipeline: Pipeline, tmp_path: Path) -> None:
    folder = tiny_pipeline.save("grpo", tmp_path / "grpo")
    model, tok, info = load_stage(folder)
    assert info["stage"] == "grpo" and tok.vocab == tiny_pipeline.tok.vocab
    for x, y in zip(model.parameters(), tiny_pipeline.model("grpo").parameters(), strict=True):
        assert torch.equal(x, y)


def test_held_out_questions_never_trained_on(tiny_pipeline: Pipeline) -> None:
    keys = {x.key for x in HELD_OUT}
    assert all(seen(x) for x in sample_questions(random.Random(1), 500))
    assert all(x.key not in keys for x in tiny_pipeline.sft_examples)
    held = [f"{x.a.text} or {x.b.text}?" for x in HELD_OUT] + [
        f"{x.b.text} or {x.a.text}?" for x in HELD_OUT
    ]
    corpus = generate(0, 3000)
    assert not any(h in line for line in corpus.lines for h in held)
    assert any("9.9" in line and "9.11" in line for line in corpus.lines)  # as versions etc.


def test_questions_rules() -> None:
    the = q("9.11", "9.9")
    assert the.answer == "9.9" and the.wrong == "9.11" and the.trap
    assert not q("2.14", "2.17").trap
    assert first_number("9.11 is the newer version.") == "9.11"


def test_corpus_spans_mark_numbers() -> None:
    c = generate(5, 500)
    assert c.spans and all(c.text[s.start : s.end].replace(".", "").isdigit() for s in c.spans)
    assert generate(5, 500) == c
    assert 0 < c.share("arithmetic") < 0.3


def test_resume_loads_finished_stages(tiny_pipeline: Pipeline, tmp_path: Path) -> None:
    for name in ("pretrain", "sft"):
        tiny_pipeline.save(name, tmp_path / name)
    p = Pipeline.resume(tmp_path, tiny_pipeline.settings)
    assert p.finished("pretrain") and p.finished("sft") and "grpo" not in p.states
    assert p.run_stage("grpo")
    for x, y in zip(
        p.model("grpo").parameters(), tiny_pipeline.model("grpo").parameters(), strict=True
    ):
        assert torch.equal(x, y)
    other = Settings(**{**tiny_pipeline.settings.__dict__, "sft_steps": 7})
    with pytest.raises(StageError, match="another run"):
        Pipeline.resume(tmp_path, other)


def test_resume_brings_back_the_curves(tiny_pipeline: Pipeline, tmp_path: Path) -> None:
    """A saved stage keeps its progress and evaluations (a resumed run -- the shipped
    one -- draws its curves at once, without evaluating again); the saved last
    evaluation is what the loaded model computes."""
    for name in STAGES:
        tiny_pipeline.save(name, tmp_path / name)
    p = Pipeline.resume(tmp_path, tiny_pipeline.settings)
    for name in STAGES:
        a, b = p.states[name], tiny_pipeline.states[name]
        assert len(a.history) == b.total and [asdict(h) for h in a.history] == [
            asdict(h) for h in b.history
        ]
        assert len(a.evals) == len(b.evals) and a.seconds == 0.0
        for x, y in zip(a.evals, b.evals, strict=True):  # NaN (no SFT loss) compares as NaN
            assert json.dumps(asdict(x)) == json.dumps(asdict(y))
        rows = answers(a.model, p.tok)  # the loaded model, evaluated here
        assert a.evals[-1].accuracy == accuracy(rows) and a.evals[-1].answer == rows[0].answer


def test_drift_reads_the_curves() -> None:
    from core.stages.pipeline import Progress, drift

    def run(lengths: list[float], correct: list[float]) -> list[Progress]:
        return [
            Progress("grpo", i + 1, 8, 0.0, correct=c, kl=0.1, length=n)
            for i, (n, c) in enumerate(zip(lengths, correct, strict=True))
        ]

    assert drift(run([3, 3, 5, 6, 7, 8, 8, 8], [0.5, 0.5, 0.4, 0.2, 0.1, 0, 0, 0])).hacked
    assert not drift(run([3] * 8, [0.5, 0.5, 0.6, 0.6, 0.7, 0.7, 0.8, 0.8])).hacked


def test_the_largest_seed_runs(tiny_settings: Settings) -> None:
    from dataclasses import replace

    p = Pipeline(replace(tiny_settings, seed=2**63 - 1, grpo_steps=1))
    assert p.run()


def test_discarded_stage_starts_again(tiny_settings: Settings, tiny_pipeline: Pipeline) -> None:
    p = Pipeline(tiny_settings)
    calls = {"n": 0}

    def stop() -> bool:
        calls["n"] += 1
        return calls["n"] == 4

    assert not p.run_stage("pretrain", Callbacks(should_stop=stop))
    p.discard("pretrain")
    assert p.run()
    for x, y in zip(
        p.model("grpo").parameters(), tiny_pipeline.model("grpo").parameters(), strict=True
    ):
        assert torch.equal(x, y)


def test_bad_settings_are_refused(tiny_settings: Settings) -> None:
    from dataclasses import replace

    with pytest.raises(StageError, match="group"):
        replace(tiny_settings, grpo=replace(tiny_settings.grpo, group=1))


def test_reward_rules() -> None:
    from core.stages.questions import reward

    the = q("9.11", "9.9")
    assert reward(the, "9.9", 3, True).total == 1.2
    assert reward(the, "9.11", 3, True).total == 0.2  # the format, not the answer
    assert reward(the, "9.9", 3, False).total == 0.0  # cut off before <eos>
    hacked = reward(the, "9.9 is the newer version.", 8, True, hack_weight=0.3)
    assert (hacked.correct, hacked.format) == (0.0, 0.0) and abs(hacked.hack - 1.5) < 1e-9
