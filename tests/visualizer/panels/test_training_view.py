"""Live training in the window: it learns in a child process, reports, can be paused,
cancelled and replayed exactly, shows snapshots, and fails politely."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pytestqt.qtbot import QtBot
from safetensors.numpy import load_file

from core.config import ModelConfig, TrainConfig
from core.session import Session
from visualizer.bridge import SessionBridge
from visualizer.panels.training.training_view import TrainingView

# A failure guard, not a speed assumption: every wait below ends on the run's own signal;
# on a loaded two-core machine a 60-step run with two evaluations can take minutes.
GUARD_MS = 600_000


@pytest.fixture
def view(qtbot: QtBot, fresh_session: Session) -> TrainingView:
    v = TrainingView(fresh_session, SessionBridge(fresh_session))
    qtbot.addWidget(v)
    v.resize(1000, 600)
    v.show()
    yield v
    v.shutdown()


def idle(view: TrainingView) -> bool:
    return view.proc is None


def test_training_from_scratch_lowers_the_loss_and_hands_the_model_back(
    view: TrainingView, qtbot: QtBot
) -> None:
    s = view.session
    old_bundle = s.bundle
    view.steps.setValue(60)
    view.scratch.setChecked(True)
    view.start()
    assert not view.start_button.isEnabled() and view.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: idle(view), timeout=GUARD_MS)
    losses = view.history["loss"]
    assert len(losses) >= 2 and losses[-1] < 0.8 * losses[0]  # still in warm-up: lr rising
    assert view.history["e_step"] == [50, 60]  # evaluations every 50 steps and at the end
    assert view.history["lr"][-1] > view.history["lr"][0]  # warm-up: the rate climbs
    assert {"embed", "enc.0", "dec.1", "head"} <= view.charts.groups.keys()
    assert s.bundle is not old_bundle  # the trained copy replaced the session's model
    assert view.last_saved is not None and (view.last_saved / "model.safetensors").is_file()
    assert view.bar.value() == 60 and view.start_button.isEnabled()
    # snapshots of the demo sentence before training and every 50 steps
    snaps = view.snapshots.snapshots
    assert [sn.step for sn in snaps] == [0, 50]
    assert [step for step, _rms in s.snapshots] == [0, 50]  # for the watch list
    assert s.snapshots[1][1]["dec.1.cross_attn.weights"] > 0
    assert view.snapshots.slider.maximum() == 1 and view.snapshots.slider.value() == 1
    view.snapshots.slider.setValue(0)
    shown = view.snapshots.map.values
    np.testing.assert_allclose(shown, snaps[0].cross[-1].mean(axis=0), atol=1e-6)
    assert view.restart_button.isEnabled()


def test_replay_gives_the_same_run_step_for_step(view: TrainingView, qtbot: QtBot) -> None:
    view.steps.setValue(30)
    view.scratch.setChecked(True)
    view.start()
    qtbot.waitUntil(lambda: idle(view), timeout=GUARD_MS)
    first = view.last_saved
    initial = view.initial_dir
    view.restart()
    qtbot.waitUntil(lambda: idle(view), timeout=GUARD_MS)
    assert view.last_saved != first and view.initial_dir is not None
    a = load_file(str(Path(first) / "model.safetensors"))
    b = load_file(str(Path(view.last_saved) / "model.safetensors"))
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)
    assert initial is not None


def test_cancel_stops_the_run_and_keeps_its_weights(view: TrainingView, qtbot: QtBot) -> None:
    """Cancel ends a 100,000-step run at once (how fast: bench/training_gui.py), with the
    weights it reached saved and loaded. Waits for the run's own signals, not a clock."""
    view.steps.setValue(100_000)
    view.start()
    qtbot.waitUntil(lambda: len(view.history["step"]) >= 2, timeout=GUARD_MS)
    finished: list[tuple[str, str]] = []
    assert view.proc is not None
    view.proc.sigFinished.connect(lambda folder, reason: finished.append((folder, reason)))
    view.cancel()
    qtbot.waitUntil(lambda: idle(view), timeout=GUARD_MS)
    assert finished and finished[0][1] == "cancelled"
    assert "cancelled" in view.status.text()
    assert int(view.history["step"][-1]) < 100_000  # it stopped, long before the end
    assert (Path(finished[0][0]) / "model.safetensors").is_file()


def test_pause_and_resume(view: TrainingView, qtbot: QtBot) -> None:
    view.steps.setValue(100_000)
    view.start()
    qtbot.waitUntil(lambda: len(view.history["step"]) >= 1, timeout=GUARD_MS)
    view._toggle_pause()
    assert view.pause_button.text() == "Resume"
    # Messages already on their way still arrive: wait until the bar settles, then it
    # must stay where it is (no steps while paused).
    seen = [-1, view.bar.value()]
    while seen[-1] != seen[-2]:
        qtbot.wait(500)
        seen.append(view.bar.value())
    frozen = seen[-1]
    qtbot.wait(1000)
    assert view.bar.value() == frozen
    view._toggle_pause()
    qtbot.waitUntil(lambda: view.bar.value() > frozen, timeout=GUARD_MS)
    view.cancel()
    qtbot.waitUntil(lambda: idle(view), timeout=GUARD_MS)


def test_a_failing_run_is_a_message_in_the_window(view: TrainingView, qtbot: QtBot) -> None:
    view.corpus_spec = "/nonexistent/corpus.tsv"
    view.start()
    qtbot.waitUntil(lambda: idle(view), timeout=GUARD_MS)
    assert "training stopped" in view.status.text()
    assert "corpus.tsv" in view.session.error
    assert view.start_button.isEnabled()


def test_a_child_that_dies_is_reported(view: TrainingView, qtbot: QtBot) -> None:
    view.steps.setValue(100_000)
    view.start()
    qtbot.waitUntil(lambda: len(view.history["step"]) >= 1, timeout=GUARD_MS)
    assert view.proc is not None
    view.proc._proc.kill()
    qtbot.waitUntil(lambda: idle(view), timeout=GUARD_MS)
    assert "ended unexpectedly" in view.session.error


def test_model_dialog_new_shape_resets_to_random_weights(view: TrainingView) -> None:
    view.open_dialog()
    d = view.dialog
    d.d_model.setValue(32)
    d.heads.setValue(2)
    d.enc.setValue(1)
    d.lr.setValue(0.002)
    d.seed.setValue(7)
    model, train, corpus = d.settings()
    assert model == ModelConfig(d_model=32, n_heads=2, n_enc_layers=1)
    assert (train.lr, train.seed, corpus) == (0.002, 7, "builtin:en-de")
    d._apply()
    assert view.session.bundle.cfg.d_model == 32 and len(view.session.bundle.model.enc) == 1
    assert view.train_cfg.lr == 0.002 and view.train_cfg.eval_every == 50
    assert view.session.translation is not None  # the sentence ran on the new model
    d.close()


def test_model_dialog_impossible_shape_is_a_message(view: TrainingView) -> None:
    view.open_dialog()
    d = view.dialog
    before = view.session.bundle
    d.d_model.setValue(30)
    d.heads.setValue(4)  # 30 is not a multiple of 4
    d._apply()
    assert "multiple" in d.note.text() and view.session.bundle is before
    d.close()


def test_model_dialog_checks_a_user_corpus_at_once(view: TrainingView, tmp_path: Path) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("a cat\teine Katze\nbroken line\n", "utf-8")
    good = tmp_path / "mine.tsv"
    good.write_text("".join(f"the cat {i}\tdie Katze {i}\n" for i in range(40)), "utf-8")
    view.open_dialog()
    d = view.dialog
    assert not d.use_file(str(bad)) and "bad.tsv" in d.note.text()
    assert d.corpus_spec == "builtin:en-de"
    assert d.use_file(str(good)) and d.corpus_spec == str(good)
    d._apply()
    assert view.corpus_spec == str(good)
    assert view.session.bundle.src_tok.size < 100  # vocabulary of the user's corpus
    d.close()


def test_presets_fill_the_dialog(view: TrainingView) -> None:
    view.open_dialog()
    d = view.dialog
    d.preset.setCurrentText("base")
    model, train, _corpus = d.settings()
    assert (model.d_model, model.n_heads, model.n_enc_layers) == (512, 8, 6)
    assert train == TrainConfig(lr=5e-4, warmup=400, batch_size=32, steps=2000)
    d.preset.setCurrentText("demo-fr")
    assert d.settings()[2] == "builtin:en-fr"
    d.close()


def test_language_switch_relabels(view: TrainingView) -> None:
    view.session.lang = "zh"
    assert view.start_button.text() == "训练"
    assert "损失" in view.charts.plots["loss"].titleLabel.text
    view.session.lang = "en"


def test_model_dialog_loads_and_saves_models(view: TrainingView, tmp_path) -> None:
    view.open_dialog()
    d = view.dialog
    s = view.session
    before = s.bundle
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "model.safetensors").write_bytes(b"garbage")
    d.sigOpenModel.emit(str(bad))
    assert s.bundle is before and s.error  # refused with a message
    d.sigSaveModel.emit(str(tmp_path / "saved"))
    assert (tmp_path / "saved" / "model.safetensors").is_file()
    s.error = ""
    d.sigOpenModel.emit(str(tmp_path / "saved"))
    assert s.bundle is not before and s.error == ""
    d.close()


def test_a_run_never_deletes_other_folders_of_the_autosave_folder(
    view: TrainingView, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every run's weights are kept (the README says so): starting one more run removes
    nothing, neither older runs nor a user's folder whose name looks like a run's."""
    import visualizer.panels.training.training_view as tv

    monkeypatch.setattr(tv, "autosave_folder", lambda: tmp_path)
    others = [tmp_path / f"20200101-0000{i:02d}-000001" for i in range(12)]
    others.append(tmp_path / "my-notes")
    for folder in others:
        folder.mkdir()
        (folder / "keep.txt").write_text("mine", "utf-8")
    view.steps.setValue(2)
    view.start()
    qtbot.waitUntil(lambda: idle(view), timeout=GUARD_MS)
    assert all((folder / "keep.txt").read_text("utf-8") == "mine" for folder in others)
    assert len([p for p in tmp_path.iterdir() if p.is_dir()]) == len(others) + 1


def test_a_result_is_not_loaded_under_another_pair(view: TrainingView, qtbot: QtBot) -> None:
    """The pair switched while an EN→DE run trained: the EN→FR model stays in place and
    the status line says why the trained weights were not loaded."""
    s = view.session
    assert s.pair == "en-de"
    view.steps.setValue(2)
    view.start()
    s.pair = "en-fr"  # loads the built-in EN→FR model (at once in tests)
    french = s.bundle
    qtbot.waitUntil(lambda: idle(view), timeout=GUARD_MS)
    assert s.pair == "en-fr" and s.bundle is french
    assert "EN-DE" in view.status.text() and "not loaded" in view.status.text()
    assert view.last_saved is not None and (view.last_saved / "model.safetensors").is_file()


def test_closing_mid_run_saves_and_reaches_no_view(
    view: TrainingView, qtbot: QtBot, capsys: pytest.CaptureFixture[str]
) -> None:
    """The window closes while training: the run stops and saves, the folder is named on
    stderr, and no message reaches the (dying) views — the session keeps its model."""
    s = view.session
    before = s.bundle
    view.steps.setValue(100_000)
    view.start()
    qtbot.waitUntil(lambda: len(view.history["step"]) >= 1, timeout=GUARD_MS)
    steps_seen = len(view.history["step"])
    view.shutdown(timeout_s=GUARD_MS / 1000)  # the window waits 5 s; a loaded machine more
    said = capsys.readouterr().err
    assert "the weights so far are in" in said
    folder = Path(said.split("the weights so far are in")[-1].strip())
    assert (folder / "model.safetensors").is_file()
    assert s.bundle is before and len(view.history["step"]) == steps_seen
