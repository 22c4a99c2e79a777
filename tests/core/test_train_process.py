"""The training job the window runs in a child process, run here in-process: what it
reports, exact replay, restart from the same initial weights, cancel and failures; and
once in a real child process: its messages arrive as the message classes."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import TypeVar

import numpy as np
import pytest
from safetensors.numpy import load_file

from core.config import TrainConfig
from core.train_messages import (
    Evaluation,
    Failed,
    Finished,
    Message,
    Progress,
    Snapshot,
    Started,
)
from core.train_process import (
    Control,
    TrainJob,
    child_main,
    process_context,
    run_training_job,
)

MODEL = Path(__file__).resolve().parents[2] / "assets" / "models" / "demo-de"
CFG = TrainConfig(steps=40, eval_every=20, seed=3)
M = TypeVar("M", Started, Progress, Evaluation, Snapshot, Finished, Failed)


def run(job: TrainJob, ctl: Control | None = None) -> list[Message]:
    sent: list[Message] = []
    run_training_job(job, sent.append, ctl or Control(cancelled=lambda: False))
    return sent


def of(sent: list[Message], kind: type[M]) -> list[M]:
    """The messages of one kind, in order."""
    return [m for m in sent if isinstance(m, kind)]


def initial_dir(sent: list[Message]) -> str:
    assert isinstance(sent[0], Started)
    return sent[0].initial_dir


def final_dir(sent: list[Message]) -> str:
    assert isinstance(sent[-1], Finished)
    return sent[-1].final_dir


def weights(folder: str) -> dict[str, np.ndarray]:
    return load_file(str(Path(folder) / "model.safetensors"))


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> list[Message]:
    out = tmp_path_factory.mktemp("run1")
    return run(TrainJob(str(MODEL), str(out), CFG, from_scratch=True, snapshot_every=20))


def test_reports_start_progress_evals_snapshots_and_the_end(first):
    assert isinstance(first[0], Started) and isinstance(first[-1], Finished)
    assert first[-1].reason == "steps"
    assert [m.stats.step for m in of(first, Evaluation)] == [20, 40]
    progress = of(first, Progress)
    assert progress[0].step == 1 and progress[-1].step == 40
    assert progress[0].groups.keys() >= {"embed", "enc.0", "dec.1", "head"}
    snaps = of(first, Snapshot)
    assert [s.step for s in snaps] == [0, 20, 40]
    for s in snaps:
        assert len(s.cross) == 2  # one per decoder layer
        heads, _tgt, src = s.cross[0].shape
        assert (heads, src) == (4, len(s.src_tokens))
        np.testing.assert_allclose(s.cross[0].sum(-1), 1.0, atol=1e-5)


def test_from_scratch_really_starts_from_random_weights(first):
    shipped = load_file(str(MODEL / "model.safetensors"))
    initial = weights(initial_dir(first))
    assert not np.array_equal(initial["head.weight"], shipped["head.weight"])
    snaps = of(first, Snapshot)
    assert snaps[0].translation != "Die Zeit fliegt wie ein Pfeil"


def test_same_seed_and_settings_replay_the_same_run(first, tmp_path):
    again = run(TrainJob(str(MODEL), str(tmp_path), CFG, from_scratch=True, snapshot_every=20))
    a, b = weights(final_dir(first)), weights(final_dir(again))
    assert a.keys() == b.keys()
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)
    evals = [m.stats for m in of(first, Evaluation)]
    assert evals == [m.stats for m in of(again, Evaluation)]


def test_restart_from_the_saved_initial_weights_gives_the_same_result(first, tmp_path):
    again = run(TrainJob(initial_dir(first), str(tmp_path), CFG, snapshot_every=0))
    a, b = weights(final_dir(first)), weights(final_dir(again))
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)


def test_a_different_seed_gives_a_different_run(first, tmp_path):
    cfg = TrainConfig(steps=40, eval_every=20, seed=4)
    other = run(TrainJob(str(MODEL), str(tmp_path), cfg, from_scratch=True, snapshot_every=0))
    assert not np.array_equal(
        weights(final_dir(first))["head.weight"], weights(final_dir(other))["head.weight"]
    )


def test_cancel_stops_before_the_next_step_and_still_saves(tmp_path):
    calls = {"n": 0}

    def cancelled() -> bool:
        calls["n"] += 1
        return calls["n"] > 5

    sent = run(TrainJob(str(MODEL), str(tmp_path), CFG, snapshot_every=0), Control(cancelled))
    assert isinstance(sent[-1], Finished) and sent[-1].reason == "cancelled"
    assert max(m.step for m in of(sent, Progress)) == 5
    assert (Path(sent[-1].final_dir) / "model.safetensors").exists()


def test_a_bad_corpus_file_is_a_message(tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("hello\tHallo\nno tab on this line\n", "utf-8")
    sent = run(TrainJob(str(MODEL), str(tmp_path / "o"), CFG, corpus=str(bad)))
    assert isinstance(sent[-1], Failed)
    assert "bad.tsv" in sent[-1].message and "\n" not in sent[-1].message


def test_a_diverging_run_fails_with_a_message_not_a_crash(tmp_path):
    cfg = TrainConfig(lr=1e4, warmup=0, grad_clip=0.0, steps=200, eval_every=0)
    sent = run(TrainJob(str(MODEL), str(tmp_path), cfg, snapshot_every=0))
    assert isinstance(sent[-1], Failed)
    assert "loss became" in sent[-1].message


def test_every_message_survives_the_pickling_of_the_queue(first):
    for m in first:
        back = pickle.loads(pickle.dumps(m))
        assert type(back) is type(m)
        if isinstance(m, Snapshot):  # NumPy arrays: compared field by field
            assert (back.step, back.translation, back.rms) == (m.step, m.translation, m.rms)
            for x, y in zip(back.cross, m.cross, strict=True):
                np.testing.assert_array_equal(x, y)
        else:
            assert back == m


def test_the_child_process_sends_the_message_classes(tmp_path):
    """A real child from ``process_context``, as the window starts it: a few steps of
    the demo model, read until its last message (Finished or Failed) arrives."""
    cfg = TrainConfig(steps=4, eval_every=2, seed=3)
    job = TrainJob(str(MODEL), str(tmp_path), cfg, snapshot_every=2)
    ctx = process_context()
    queue, cancel, resume = ctx.Queue(), ctx.Event(), ctx.Event()
    resume.set()
    proc = ctx.Process(target=child_main, args=(job, queue, cancel, resume), daemon=True)
    proc.start()
    sent: list[Message] = []
    try:
        while not sent or not isinstance(sent[-1], Finished | Failed):
            sent.append(queue.get(timeout=300))  # a hung child fails the test, not CI
    finally:
        proc.join(timeout=60)
        if proc.is_alive():
            proc.kill()
    assert all(isinstance(m, Message) for m in sent)
    assert isinstance(sent[0], Started) and isinstance(sent[-1], Finished), sent[-1]
    assert sent[-1].reason == "steps" and Path(sent[-1].final_dir, "model.safetensors").exists()
    assert [m.stats.step for m in of(sent, Evaluation)] == [2, 4]
    assert [m.step for m in of(sent, Snapshot)] == [0, 2, 4]
    assert of(sent, Progress)[-1].step == 4
    assert {type(m) for m in sent} == {Started, Progress, Evaluation, Snapshot, Finished}
    assert proc.exitcode == 0
