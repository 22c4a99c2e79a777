"""The training job the window runs in a child process, run here in-process: what it
reports, exact replay, restart from the same initial weights, cancel and failures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from safetensors.numpy import load_file

from core.config import TrainConfig
from core.train_process import Control, Snapshot, TrainJob, run_training_job

MODEL = Path(__file__).resolve().parents[2] / "assets" / "models" / "demo-de"
CFG = TrainConfig(steps=40, eval_every=20, seed=3)


def run(job: TrainJob, ctl: Control | None = None) -> list[tuple[Any, ...]]:
    sent: list[tuple[Any, ...]] = []
    run_training_job(job, sent.append, ctl or Control(cancelled=lambda: False))
    return sent


def weights(folder: str) -> dict[str, np.ndarray]:
    return load_file(str(Path(folder) / "model.safetensors"))


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Any, ...]]:
    out = tmp_path_factory.mktemp("run1")
    return run(TrainJob(str(MODEL), str(out), CFG, from_scratch=True, snapshot_every=20))


def test_reports_start_progress_evals_snapshots_and_the_end(first):
    kinds = [m[0] for m in first]
    assert kinds[0] == "started" and kinds[-1] == "finished"
    assert first[-1][2] == "steps"
    assert [m[1].step for m in first if m[0] == "eval"] == [20, 40]
    progress = [m[1] for m in first if m[0] == "progress"]
    assert progress[0]["step"] == 1 and progress[-1]["step"] == 40
    assert progress[0]["groups"].keys() >= {"embed", "enc.0", "dec.1", "head"}
    snaps: list[Snapshot] = [m[1] for m in first if m[0] == "snapshot"]
    assert [s.step for s in snaps] == [0, 20, 40]
    for s in snaps:
        assert len(s.cross) == 2  # one per decoder layer
        heads, _tgt, src = s.cross[0].shape
        assert (heads, src) == (4, len(s.src_tokens))
        np.testing.assert_allclose(s.cross[0].sum(-1), 1.0, atol=1e-5)


def test_from_scratch_really_starts_from_random_weights(first):
    shipped = load_file(str(MODEL / "model.safetensors"))
    initial = weights(first[0][1])
    assert not np.array_equal(initial["head.weight"], shipped["head.weight"])
    snaps = [m[1] for m in first if m[0] == "snapshot"]
    assert snaps[0].translation != "Die Zeit fliegt wie ein Pfeil"


def test_same_seed_and_settings_replay_the_same_run(first, tmp_path):
    again = run(TrainJob(str(MODEL), str(tmp_path), CFG, from_scratch=True, snapshot_every=20))
    a, b = weights(first[-1][1]), weights(again[-1][1])
    assert a.keys() == b.keys()
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)
    evals = [m[1] for m in first if m[0] == "eval"]
    assert evals == [m[1] for m in again if m[0] == "eval"]


def test_restart_from_the_saved_initial_weights_gives_the_same_result(first, tmp_path):
    again = run(TrainJob(first[0][1], str(tmp_path), CFG, snapshot_every=0))
    a, b = weights(first[-1][1]), weights(again[-1][1])
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)


def test_a_different_seed_gives_a_different_run(first, tmp_path):
    cfg = TrainConfig(steps=40, eval_every=20, seed=4)
    other = run(TrainJob(str(MODEL), str(tmp_path), cfg, from_scratch=True, snapshot_every=0))
    assert not np.array_equal(
        weights(first[-1][1])["head.weight"], weights(other[-1][1])["head.weight"]
    )


def test_cancel_stops_before_the_next_step_and_still_saves(tmp_path):
    calls = {"n": 0}

    def cancelled() -> bool:
        calls["n"] += 1
        return calls["n"] > 5

    sent = run(TrainJob(str(MODEL), str(tmp_path), CFG, snapshot_every=0), Control(cancelled))
    assert sent[-1][0] == "finished" and sent[-1][2] == "cancelled"
    assert max(m[1]["step"] for m in sent if m[0] == "progress") == 5
    assert (Path(sent[-1][1]) / "model.safetensors").exists()


def test_a_bad_corpus_file_is_a_message(tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("hello\tHallo\nno tab on this line\n", "utf-8")
    sent = run(TrainJob(str(MODEL), str(tmp_path / "o"), CFG, corpus=str(bad)))
    assert sent[-1][0] == "failed"
    assert "bad.tsv" in sent[-1][1] and "\n" not in sent[-1][1]


def test_a_diverging_run_fails_with_a_message_not_a_crash(tmp_path):
    cfg = TrainConfig(lr=1e4, warmup=0, grad_clip=0.0, steps=200, eval_every=0)
    sent = run(TrainJob(str(MODEL), str(tmp_path), cfg, snapshot_every=0))
    assert sent[-1][0] == "failed"
    assert "loss became" in sent[-1][1]
