"""The router view over a training run: each expert's load at every snapshot is counted
from the routing the snapshots carry, the word table lists which words went to which
expert at the chosen snapshot and marks the words that moved, and the training view
hands the snapshots' routing to the session."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from core import assets, checkpoint
from core.config import TrainConfig
from core.session import Session
from core.train_messages import Message, Snapshot
from core.train_process import Control, TrainJob, run_training_job
from visualizer.bridge import SessionBridge
from visualizer.panels.router.router_view import RouterView
from visualizer.panels.router.train_routing import word_table
from visualizer.panels.router.train_routing_panel import GAP

LECTURE = "Time flies like an arrow"
CFG = TrainConfig(steps=6, eval_every=10**6, seed=1, warmup=0, lr=1e-2)


@pytest.fixture(scope="module")
def snaps(tmp_path_factory: pytest.TempPathFactory) -> list[Snapshot]:
    """Six steps of moe-de from its shipped weights, a snapshot every two."""
    sent: list[Message] = []
    job = TrainJob(
        str(assets.path("models", "moe-de")),
        str(tmp_path_factory.mktemp("moe")),
        CFG,
        demo_source=LECTURE,
        snapshot_every=2,
    )
    run_training_job(job, sent.append, Control(cancelled=lambda: False))
    out = [m for m in sent if isinstance(m, Snapshot)]
    assert [s.step for s in out] == [0, 2, 4, 6]
    return out


@pytest.fixture
def view(qtbot: QtBot, snaps: list[Snapshot]) -> Iterator[RouterView]:
    s = Session(checkpoint.load(assets.path("models", "moe-de")), "en-de", LECTURE)
    v = RouterView(s, SessionBridge(s))
    qtbot.addWidget(v)
    v.resize(1000, 900)
    v.show()
    qtbot.waitExposed(v)
    assert not v.timeline.isVisibleTo(v)  # no training run yet
    give(s, snaps)
    yield v


def give(s: Session, snaps: list[Snapshot]) -> None:
    """What the training view does with each snapshot it receives."""
    s.update(
        snapshot_routing=tuple((x.step, x.routing) for x in snaps),
        snapshots=tuple((x.step, x.rms) for x in snaps),
    )


def first_choices(snap: Snapshot, layer: int) -> list[int]:
    r = snap.routing[layer]
    assert r.block == f"dec.{layer}.moe"
    return [row[0] for row in r.chosen]


def test_load_over_steps_is_counted_from_the_snapshots(
    view: RouterView, snaps: list[Snapshot]
) -> None:
    assert view.timeline.isVisibleTo(view)
    for layer in (0, 1):
        view.layer.activated.emit(layer)
        lines = view.timeline.chart.lines
        assert [name for name, _, _ in lines] == [f"Expert {e}" for e in range(4)]
        for e, (_name, x, y) in enumerate(lines):
            assert x == [0, 2, 4, 6]
            expected = []
            for snap in snaps:
                picks = first_choices(snap, layer)
                expected.append(Counter(picks)[e] / len(picks))
            assert y == pytest.approx(expected, abs=1e-12)
        # the shares of one snapshot add up to the whole sentence
        assert sum(y[-1] for _, _, y in lines) == pytest.approx(1.0)
    assert view.timeline.chart.even.value() == pytest.approx(0.25)
    # the routing moved in six steps: the chart is not flat
    assert any(len(set(y)) > 1 for _, _, y in view.timeline.chart.lines)


def test_word_table_and_what_moved_since_the_snapshot_before(
    view: RouterView, snaps: list[Snapshot]
) -> None:
    panel = view.timeline
    view.layer.activated.emit(1)
    assert panel.slider.maximum() == 3 and panel.slider.value() == 3  # the newest
    for i in (3, 1, 0):
        panel.slider.setValue(i)
        table = panel.table
        assert table is not None and table.step == snaps[i].step
        now = snaps[i].routing[1]
        picks = first_choices(snaps[i], 1)
        for e in range(4):
            assert [p.token for p in table.rows[e]] == [
                tok for tok, c in zip(now.tokens, picks, strict=True) if c == e
            ]
            row = f"Expert {e}</b></td><td align='right' style='{GAP}'>{picks.count(e)}</td>"
            assert row in panel.words.text()
        if i == 0:
            assert table.previous is None and panel.changes.text().startswith("The first")
            continue
        before = snaps[i - 1].routing[1]
        same = [
            p for p in range(min(len(now.tokens), len(before.tokens)))
            if now.tokens[p] == before.tokens[p]
        ]  # fmt: skip
        moved = [p for p in same if now.chosen[p] != before.chosen[p]]
        assert (table.moved, table.compared) == (len(moved), len(same))
        marked = {(p.position, p.was) for row in table.rows for p in row if p.was is not None}
        assert marked == {(p, before.chosen[p][0]) for p in moved}
        assert panel.words.text().count("←") == len(moved)
        assert f"{len(moved)} of {len(same)} words changed expert since step " in (
            panel.changes.text()
        )
    # somewhere in the run a word changed expert: the marks are exercised
    assert any(
        word_table([(s.step, s.routing) for s in snaps], "dec.1.moe", i).moved  # type: ignore[union-attr]
        for i in range(1, 4)
    )


def test_the_slider_stays_where_the_user_put_it_while_snapshots_arrive(
    view: RouterView, snaps: list[Snapshot]
) -> None:
    give(view.session, snaps[:2])
    panel = view.timeline
    assert panel.slider.maximum() == 1 and panel.slider.value() == 1
    give(view.session, snaps[:3])  # following the newest
    assert panel.slider.value() == 2 and panel.table is not None and panel.table.step == 4
    panel.slider.setValue(0)
    give(view.session, snaps)  # scrubbed back: it stays on step 0
    assert panel.slider.maximum() == 3 and panel.slider.value() == 0
    assert panel.table is not None and panel.table.step == 0
    give(view.session, [])  # a new run starts: nothing to show
    assert not panel.isVisibleTo(view)


def test_labels_follow_the_language(view: RouterView, snaps: list[Snapshot]) -> None:
    panel = view.timeline
    view.layer.activated.emit(0)
    panel.slider.setValue(2)
    assert panel.title.text() == (
        "During the last training run: how decoder layer 0 routed the demo sentence"
    )
    assert panel.at.text() == "After 4 steps (snapshot 3 of 4)"
    assert "Expert" in panel.words.text() and "Words" in panel.words.text()
    view.session.lang = "zh"
    assert panel.title.text() == "上一次训练过程中：解码器第 0 层如何路由示例句子"
    assert panel.at.text() == "训练 4 步后（第 3 / 4 个快照）"
    assert panel.load_title.text().startswith("每个快照中各专家的负载")
    assert [name for name, _, _ in panel.chart.lines] == [f"专家 {e}" for e in range(4)]
    assert "词元数" in panel.words.text() and "专家 0" in panel.words.text()
    assert "自第 2 步以来" in panel.changes.text()
    assert panel.slider.value() == 2  # a language switch keeps the snapshot
    view.session.lang = "en"
    assert panel.at.text() == "After 4 steps (snapshot 3 of 4)"


def test_the_training_view_hands_the_routing_to_the_session(
    qtbot: QtBot, snaps: list[Snapshot]
) -> None:
    from visualizer.panels.training.training_view import TrainingView

    s = Session(checkpoint.load(assets.path("models", "moe-de")), "en-de", LECTURE)
    seen: list[object] = []
    s.events.snapshots.connect(lambda _v: seen.append(s.snapshot_routing))
    v = TrainingView(s, SessionBridge(s))
    qtbot.addWidget(v)
    for snap in snaps[:2]:
        v._on_snapshot(snap)
    assert s.snapshot_routing == ((0, snaps[0].routing), (2, snaps[1].routing))
    assert [step for step, _ in s.snapshots] == [0, 2]
    # when the snapshots' event fires, the routing of that snapshot is already there
    assert [len(r) for r in seen] == [1, 2]  # type: ignore[arg-type]
