"""The stages room ("How an LLM is made"): it draws what the engine computed, in both
languages; stages run in a worker that pauses, resumes and cancels; the GRPO update
steps on the shared timeline.

Runs use tiny settings (about a second for all three stages); a test waits for the room's
signals, never for wall-clock time. Where a test must stop a run at a known step, the
stage's step function blocks on an event until the GUI thread has asked for the stop.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QScrollArea

from core.config import ModelConfig
from core.stages.grpo import GrpoSettings
from core.stages.pipeline import STAGES, Pipeline, Settings, comparison, drift
from core.stages.questions import HELD_OUT
from visualizer.rooms.stages.stages_room import PAGES, StagesRoom
from visualizer.rooms.stages.stages_text import GRPO_STEPS, STRINGS, t
from visualizer.widgets.numbers import percent

TINY = Settings(
    seed=3,
    corpus_lines=200,
    pretrain_steps=12,
    pretrain_batch=8,
    sft_examples=12,
    sft_steps=6,
    sft_batch=4,
    grpo_steps=4,
    grpo=GrpoSettings(group=4, prompts=2),
    eval_every=4,
    model=ModelConfig(
        arch="decoder-only", d_model=16, n_heads=2, n_dec_layers=1, d_ff=32, max_len=32, norm="pre"
    ),
)
WAIT_MS = 60_000  # a ceiling for a hung worker, not a timing the test depends on


@pytest.fixture
def room(qtbot: Any) -> Iterator[StagesRoom]:
    r = StagesRoom.create(settings=TINY)
    qtbot.addWidget(r)
    r.lab.animate = False
    r.resize(1400, 900)
    r.show()
    QApplication.processEvents()
    yield r
    r.shutdown()


def run(qtbot: Any, room: StagesRoom, name: str) -> list[Any]:
    """Run one stage through the room's worker; the end signal's arguments."""
    with qtbot.waitSignal(room.sigStageEnded, timeout=WAIT_MS) as blocker:
        assert room.run_stage(name)
    return list(blocker.args)


def run_all(qtbot: Any, room: StagesRoom) -> None:
    for name in STAGES:
        assert run(qtbot, room, name) == [name, True]


def block_at(room: StagesRoom, name: str, step: int) -> tuple[threading.Event, threading.Event]:
    """Make stage ``name``'s step ``step`` (1-based) wait, once it has trained, until
    ``go_on`` is set; ``reached`` is set when it waits."""
    reached, go_on = threading.Event(), threading.Event()
    attr = f"_{name}_step"
    original: Callable[[Any], Any] = getattr(room.pipeline, attr)

    def step_fn(st: Any) -> Any:
        out = original(st)
        if out.step == step:
            reached.set()
            go_on.wait(WAIT_MS / 1000)
        return out

    setattr(room.pipeline, attr, step_fn)
    return reached, go_on


def test_every_string_has_both_languages() -> None:
    for table in (STRINGS, GRPO_STEPS):
        for key, text in table.items():
            assert text.get("en") and text.get("zh"), key
            same = ("p_pair", "grpo.log_ratio_ref")  # formulas read the same in both
            assert text["en"] != text["zh"] or key in same, key


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_renders_in_both_languages(qtbot: Any, room: StagesRoom, lang: str) -> None:
    room.lab.lang = lang
    QApplication.processEvents()
    assert t("title", lang) in room.intro.text()
    assert [room.tabs.tabText(i) for i in range(3)] == [t(n, lang) for n in STAGES]
    assert room.boxes["pretrain"].run.text() == t("run", lang)
    assert room.boxes["pretrain"].run.isEnabled() and not room.boxes["sft"].run.isEnabled()
    assert room.answer.lines.text() == t("no_answer", lang)
    run_all(qtbot, room)
    sec = room.pipeline.states["grpo"].seconds
    assert room.boxes["grpo"].state.text() == t("done", lang, total=TINY.grpo_steps, sec=sec)
    assert t("answer", lang) in room.answer.title.text()
    for i in range(room.tabs.count()):
        room.tabs.setCurrentIndex(i)
        QApplication.processEvents()
        assert not room.grab().isNull()


def test_token_split_shows_the_engines_ids(room: StagesRoom) -> None:
    tok = room.pipeline.tok
    shown = room.split.text()
    for text, want in (("9.11", ("9", ".", "11")), ("9.9", ("9", ".", "9"))):
        split = tok.split(text)
        assert split.tokens == want
        for token, i in zip(split.tokens, split.ids, strict=True):
            assert tok.vocab[i] == token  # the id is the token's place in the vocabulary
            assert f"<b>{token}</b><br><span style='color:#6e6e73'>{i}</span>" in shown


def test_stages_run_to_their_end_and_the_curves_hold_the_engines_numbers(
    qtbot: Any, room: StagesRoom
) -> None:
    run_all(qtbot, room)
    p = room.pipeline
    again = Pipeline(TINY)  # the same seed, run without the window: the same numbers
    assert again.run()
    pt = p.states["pretrain"].history
    assert [h.loss for h in pt] == [h.loss for h in again.states["pretrain"].history]
    x, y = room.pt_loss.data[0]
    assert x.tolist() == list(range(1, TINY.pretrain_steps + 1))
    assert y.tolist() == [h.loss for h in pt]
    last = again.states["pretrain"].evals[-1]  # its greedy continuations, as written
    assert last.samples and all(x in room.samples.toPlainText() for x in last.samples)
    sft_evals = again.states["sft"].evals
    _, train = room.sft_loss.data[1]
    _, held = room.sft_loss.data[2]
    assert train.tolist() == [e.train_loss for e in sft_evals]
    assert held.tolist() == [e.held_out_loss for e in sft_evals]
    # held-out accuracy before fine-tuning is the pre-trained model's, then after it
    before, after = sft_evals[0].accuracy, sft_evals[-1].accuracy
    assert before == again.states["pretrain"].evals[-1].accuracy
    step = TINY.sft_steps
    assert t("sft_accuracy", "en", before=before, after=after, step=step) in room.overfit.text()
    rl = again.states["grpo"].history
    for plot, field in (
        (room.rl_reward, "reward"),
        (room.rl_kl, "kl"),
        (room.rl_length, "length"),
    ):
        assert plot.data[0][1].tolist() == [getattr(h, field) for h in rl], field
    acc = room.rl_accuracy.data[0][1].tolist()
    assert acc == [e.accuracy for e in again.states["grpo"].evals]
    d = drift(rl)
    key = "hacked" if d.hacked else "not_hacked"
    verdict = t(key, "en", dl=round(d.length_change, 1) + 0.0, dc=d.correct_change, kl=d.kl_last)
    assert verdict in room.verdict.text()
    # the answer after each stage, with P(9.9) and P(9.11), as the engine computes them
    for name in STAGES:
        row = room.answers[name].row
        assert percent(row.p_right) in room.answer.lines.text()
        ev = again.states[name].evals[-1]
        p_said = row.p_right if row.correct else row.p_wrong if row.answer == row.wrong else 0.0
        assert row.answer == ev.answer and math.isclose(p_said, ev.p_answer, rel_tol=1e-6)


def test_the_comparison_table_equals_comparison(qtbot: Any, room: StagesRoom) -> None:
    run_all(qtbot, room)
    p = room.pipeline
    table = comparison({n: p.model(n) for n in STAGES}, p.tok)
    c = room.compare
    assert c.rowCount() == len(HELD_OUT) + 1 and c.columnCount() == 2 + len(STAGES)
    for r, q in enumerate(HELD_OUT):
        assert c.cell_text(r, 1) == q.answer
        for k, name in enumerate(STAGES):
            row = table[name][r]
            assert c.cell_text(r, 2 + k) == f"{row.answer or '—'}  ({percent(row.p_right)})"
    for k, name in enumerate(STAGES):
        acc = sum(row.correct for row in table[name]) / len(HELD_OUT)
        assert c.cell_text(len(HELD_OUT), 2 + k) == f"{acc:.0%}"


def test_pause_stops_at_a_step_and_resume_gives_the_uninterrupted_numbers(
    qtbot: Any, room: StagesRoom
) -> None:
    reached, go_on = block_at(room, "pretrain", 5)
    with qtbot.waitSignal(room.sigStageEnded, timeout=WAIT_MS) as blocker:
        assert room.run_stage("pretrain")
        assert reached.wait(WAIT_MS / 1000)
        room.boxes["pretrain"].pause.click()
        go_on.set()
    assert blocker.args == ["pretrain", False]
    st = room.pipeline.states["pretrain"]
    assert st.step == 5
    assert room.boxes["pretrain"].run.text() == t("resume", "en")
    assert room.boxes["pretrain"].state.text() == t("paused", "en", step=5, total=12)
    assert run(qtbot, room, "pretrain") == ["pretrain", True]
    whole = Pipeline(TINY)
    assert whole.run_stage("pretrain")
    assert [h.loss for h in st.history] == [h.loss for h in whole.states["pretrain"].history]


def test_cancel_stops_a_run_and_forgets_the_stage(qtbot: Any, room: StagesRoom) -> None:
    reached, go_on = block_at(room, "pretrain", 3)
    with qtbot.waitSignal(room.sigStageEnded, timeout=WAIT_MS) as blocker:
        assert room.run_stage("pretrain")
        assert reached.wait(WAIT_MS / 1000)
        room.boxes["pretrain"].cancel.click()
        go_on.set()
    assert blocker.args == ["pretrain", False]
    assert "pretrain" not in room.pipeline.states
    assert not room.table and not room.answers  # what the worker read of it went too
    assert room.pt_loss.data[0][1].size == 0
    assert room.boxes["pretrain"].run.text() == t("run", "en")
    assert room.boxes["pretrain"].progress.value() == 0


def test_an_error_in_a_stage_is_shown_in_the_window(
    qtbot: Any, room: StagesRoom, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(qtbot, room, "pretrain") == ["pretrain", True]

    def broken(_st: Any) -> Any:
        raise RuntimeError("out of paper")

    monkeypatch.setattr(room.pipeline, "_sft_step", broken)
    assert run(qtbot, room, "sft") == ["sft", False]
    assert room.boxes["sft"].state.text() == t("error", "en", msg="RuntimeError: out of paper")
    assert room.boxes["sft"].run.isEnabled()  # it may be run again


def test_the_grpo_update_steps_on_the_shared_timeline(qtbot: Any, room: StagesRoom) -> None:
    assert not room.trace_button.isEnabled()
    run(qtbot, room, "pretrain")
    run(qtbot, room, "sft")
    with qtbot.waitSignal(room.sigTraced, timeout=WAIT_MS):
        assert room.trace_update()
    lab = room.lab
    trace = lab.trace
    names = [s.name for s in trace.steps]
    for name in ("grpo.group", "grpo.rewards", "grpo.advantages", "grpo.ratio", "grpo.kl"):
        assert name in names
    assert lab.cursor == 0 and room.step_view.values is not None
    assert len(room.timeline.scrubber.phases) == len(trace.steps)  # the shared timeline has it
    lab.seek_name("grpo.rewards")
    lab.step_forward()  # what the Right key does: the next op, the advantages
    QApplication.processEvents()
    assert lab.step.name == "grpo.advantages"
    rewards = trace.value("grpo.rewards")  # (P, G)
    want = (rewards - rewards.mean(1, keepdims=True)) / (
        rewards.std(1, ddof=1, keepdims=True) + 1e-4
    )
    shown = room.step_view.values
    assert shown is not None
    np.testing.assert_allclose(shown, want, rtol=1e-5, atol=1e-6)
    assert "grpo.advantages" in room.step_view.head.text()
    lab.go_end()
    QApplication.processEvents()
    assert lab.step.phase == "update"
    shown = room.step_view.values
    assert shown is not None
    np.testing.assert_array_equal(shown.ravel(), trace.value(lab.step.key).ravel())
    assert room.timeline.scrubber.current == lab.cursor


# -- the shipped run and chapter scenes ----------------------------------------------------
@pytest.fixture(scope="module")
def shipped() -> Pipeline:
    """The shipped run (``make models``: assets/stages), loaded apart from any room."""
    from core import assets

    return Pipeline.resume(assets.path("stages"))


@pytest.fixture
def shipped_room(qtbot: Any) -> Iterator[StagesRoom]:
    r = StagesRoom.create()  # no settings: the room opens on the shipped run
    qtbot.addWidget(r)
    r.lab.animate = False
    r.resize(1400, 900)
    r.show()
    QApplication.processEvents()
    yield r
    r.shutdown()


def test_the_room_opens_on_the_shipped_run(shipped_room: StagesRoom, shipped: Pipeline) -> None:
    """Every page shows the shipped run's numbers at once: the same as ``Pipeline.resume``
    computes from the folders, with the curves the run saved."""
    from visualizer.rooms.stages.stages_room import _overfit_text

    room, lang = shipped_room, shipped_room.lab.lang
    assert all(room.pipeline.finished(n) for n in STAGES) and "shipped" not in room.errors
    models = {n: st.model for n, st in shipped.states.items()}
    assert room.table == comparison(models, shipped.tok)
    for name in STAGES:
        total = shipped.states[name].total
        assert room.boxes[name].state.text() == t("loaded", lang, total=total)
        assert room.boxes[name].run.isEnabled()  # a finished stage can be trained again
        assert room.pipeline.states[name].evals == shipped.states[name].evals
    x, y = room.pt_loss.data[0]
    assert len(x) == shipped.settings.pretrain_steps == 1000
    assert y.tolist() == [h.loss for h in shipped.states["pretrain"].history]
    assert room.overfit.text() == _overfit_text(shipped.states["sft"].evals, lang)
    the = room.table["pretrain"][0]  # the shipped pre-trained model falls for 9.11
    assert the.answer == "9.11" and the.p_wrong > the.p_right
    assert room.table["grpo"][0].correct
    shown = room.answer.lines.text()
    for name in STAGES:
        row = room.table[name][0]
        assert percent(row.p_right) in shown and percent(row.p_wrong) in shown
    for c in range(3):
        assert room.compare.cell_text(0, 2 + c) != ""


def test_a_chapter_scene_sets_the_page_the_evidence_and_the_trace(
    shipped_room: StagesRoom, shipped: Pipeline
) -> None:
    from visualizer.rooms.stages.stages_room import PAGES

    room = shipped_room
    room.apply_scene({"trace": True, "evidence": "sft", "page": "trace"})
    assert room.tabs.currentIndex() == PAGES.index("trace") and room.answer.picked == "sft"
    assert room.answer.which.currentText() == t("sft_short", room.lab.lang)
    want = shipped.trace_grpo_update()  # the next update of the shipped RL stage
    got = room.lab.trace
    assert [s.name for s in got.steps] == [s.name for s in want.steps]
    assert np.array_equal(got.value("grpo.advantages"), want.value("grpo.advantages"))
    assert got.meta["kl"] == want.meta["kl"] and room.lab.cursor == 0
    room.apply_scene({"page": "compare", "evidence": "grpo"})
    assert room.tabs.currentIndex() == PAGES.index("compare") and room.answer.picked == "grpo"
    assert room.lab.trace is got  # no "trace": the timeline keeps what it holds


def test_a_scene_that_needs_a_stage_not_run_says_so(room: StagesRoom) -> None:
    from core.stages.pipeline import StageError

    with pytest.raises(StageError, match="fine-tuned"):
        room.apply_scene({"trace": True})
    with pytest.raises(StageError, match="no model"):
        room.apply_scene({"evidence": "pretrain"})


def test_run_on_a_finished_stage_trains_it_again(qtbot: Any, room: StagesRoom) -> None:
    """Run on a finished stage (a shipped one, say) trains it from step 0; the stages
    after it go, and the seeded run gives the same numbers again."""
    run_all(qtbot, room)
    first = [h.loss for h in room.pipeline.states["sft"].history]
    assert room.boxes["sft"].run.isEnabled()
    assert run(qtbot, room, "sft") == ["sft", True]
    assert "grpo" not in room.pipeline.states and not room.boxes["grpo"].progress.value()
    assert [h.loss for h in room.pipeline.states["sft"].history] == first


def test_without_the_shipped_run_the_room_opens_fresh_and_says_why(
    qtbot: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from core import assets

    (tmp_path / "stages" / "pretrain").mkdir(parents=True)
    (tmp_path / "stages" / "pretrain" / "config.json").write_text("{}", "utf-8")
    shipped = assets.path  # only the stages move; the message tables stay where they are
    monkeypatch.setattr(
        assets,
        "path",
        lambda *parts: tmp_path.joinpath(*parts) if parts[0] == "stages" else shipped(*parts),
    )
    r = StagesRoom.create()
    qtbot.addWidget(r)
    assert not r.pipeline.states and "not a transformer-sim model" in r.errors["shipped"]
    assert r.message.text() == t("not_shipped", "en", msg=r.errors["shipped"])
    assert r.boxes["pretrain"].run.isEnabled()
    r.shutdown()


def test_the_worker_reads_the_models_so_the_window_never_does(
    qtbot: Any, room: StagesRoom, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading the models (every held-out answer, the 9.11 evidence) takes 0.2 s: the
    stage's worker does it after its stage, not the GUI thread when the stage ends."""
    from visualizer.rooms.stages import stages_room, stages_worker
    from visualizer.rooms.stages.stages_reading import read_models

    threads: list[threading.Thread] = []

    def spy(p: Pipeline) -> Any:
        threads.append(threading.current_thread())
        return read_models(p)

    monkeypatch.setattr(stages_worker, "read_models", spy)
    monkeypatch.setattr(stages_room, "read_models", spy)
    run(qtbot, room, "pretrain")
    assert len(threads) == 1 and threads[0] is not threading.main_thread()
    p = room.pipeline
    assert room.table == comparison({"pretrain": p.model("pretrain")}, p.tok)
    assert room.answers["pretrain"].row == room.table["pretrain"][0]
    room.lab.lang = "zh"  # a new language draws what was read, reads nothing
    room.cancel("pretrain")  # a finished stage forgotten: its rows go, nothing is read
    assert len(threads) == 1 and not room.table
    room.lab.lang = "en"


def test_at_presentation_zoom_the_room_fits_a_1366_wide_window(qtbot: Any) -> None:
    """At 200 % the stage controls, the pages and the answer fit 1366 px side by side
    (labels wrap, the samples table scrolls), and page tabs that do not fit scroll."""
    from visualizer import theme

    theme.set_scale(2.0)
    try:
        r = StagesRoom.create(settings=TINY)
    finally:
        theme.set_scale(1.0)
    qtbot.addWidget(r)
    r.lab.lang = "zh"
    r.resize(1300, 700)
    r.show()
    QApplication.processEvents()
    assert r.minimumSizeHint().width() <= 1366 - 20  # the window's scroll bar
    assert r.tabs.usesScrollButtons() and r.tabs.elideMode() == Qt.TextElideMode.ElideNone
    assert [r.tabs.tabText(i) for i in range(3)] == [t(n, "zh") for n in STAGES]
    r.shutdown()


def test_at_200_percent_on_a_short_screen_every_page_text_reads_whole(qtbot: Any) -> None:
    """Under a chapter's narration bar at 200 % the room has a few hundred pixels: the
    page scrolls, and no wrapped text (the corpus heading, the curves' titles and
    numbers, the verdicts) is squeezed below the lines it wraps to (issue 16)."""
    from visualizer import theme

    theme.set_scale(2.0)
    try:
        r = StagesRoom.create()  # the shipped run: every page has its texts
    finally:
        theme.set_scale(1.0)
    area = QScrollArea()  # as the window holds a lab room
    area.setWidget(r)
    area.setWidgetResizable(True)
    qtbot.addWidget(area)
    area.resize(1366, 330)
    area.show()
    for lang in ("en", "zh"):
        r.lab.lang = lang
        for page in ("pretrain", "sft", "grpo"):
            r.tabs.setCurrentIndex(PAGES.index(page))

            def shown() -> list[QLabel]:
                return [
                    w
                    for w in r.tabs.currentWidget().findChildren(QLabel)
                    if w.isVisible() and w.wordWrap() and w.text().strip()
                ]

            def cut() -> list[str]:
                return [w.text()[:40] for w in shown() if w.height() < w.heightForWidth(w.width())]

            def whole(where: tuple[str, str] = (lang, page)) -> None:
                assert shown(), where
                assert cut() == [], where

            # a label's height follows its width through a few layout rounds (the page's
            # scroll area re-reads its minimum): wait for them (the last failure is
            # raised if they never settle), not for a clock
            qtbot.waitUntil(whole, timeout=30_000)
    r.shutdown()
