"""The assembled window, the timeline, the input bar and `transformer-sim shot`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from core.session import Session
from visualizer.assemble import SimulatorWindow
from visualizer.bridge import SessionBridge
from visualizer.cli import main as cli_main
from visualizer.panels import VIEWS
from visualizer.panels.input.input_bar import InputBar
from visualizer.panels.timeline.timeline_view import TimelineView


@pytest.fixture
def window_size() -> tuple[int, int]:
    return (1600, 1000)  # the shared ``window`` at this size


def test_window_walks_every_step_of_a_translation(window: SimulatorWindow, qtbot: QtBot) -> None:
    s = window.session
    assert s is not None
    for i in range(len(s)):
        s.seek(i)
    assert s.cursor == len(s) - 1
    assert s.step.name == "next.token"
    assert set(VIEWS) <= set(window.views)


def test_keyboard_drives_the_session(window: SimulatorWindow, qtbot: QtBot) -> None:
    s = window.session
    assert s is not None
    window.activateWindow()
    window.views["tensor"].setFocus()
    qtbot.keyClick(window, Qt.Key.Key_Right)
    assert s.cursor == 1
    qtbot.keyClick(window, Qt.Key.Key_End)
    assert s.cursor == len(s) - 1
    qtbot.keyClick(window, Qt.Key.Key_Home)
    assert s.cursor == 0
    qtbot.keyClick(window, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert s.step.name == "enc.0.self_attn.q"
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert s.playing
    qtbot.waitUntil(lambda: s.cursor > 6, timeout=3000)  # the playback clock advances
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert not s.playing


def test_language_switch_relabels_docks(window: SimulatorWindow) -> None:
    s = window.session
    assert s is not None
    s.lang = "zh"
    assert window.docks["attention"].windowTitle() == "注意力"
    assert "模拟器" in window.windowTitle()
    s.lang = "en"
    assert window.docks["attention"].windowTitle() == "Attention"
    assert "Space" in window.shortcuts_text()


def test_timeline_buttons_and_scrubber(qtbot: QtBot, fresh_session: Session) -> None:
    view = TimelineView(fresh_session, SessionBridge(fresh_session))
    qtbot.addWidget(view)
    view.resize(1200, 110)
    view.show()
    qtbot.mouseClick(view.buttons["end"], Qt.MouseButton.LeftButton)
    assert fresh_session.cursor == len(fresh_session) - 1
    qtbot.mouseClick(view.buttons["start"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(view.buttons["forward"], Qt.MouseButton.LeftButton)
    assert fresh_session.cursor == 1
    assert "2" in view.position.text() and str(len(fresh_session)) in view.position.text()
    bar = view.scrubber
    x = bar.width() * 0.5
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.rect().center())
    assert fresh_session.cursor == bar.index_at(x)
    assert len(bar.phases) == len(fresh_session)
    assert [label for _, label in bar.sections][:2] == ["forward", "t0"]


def test_input_bar_runs_and_shows_unknown_words(qtbot: QtBot, fresh_session: Session) -> None:
    bar = InputBar(fresh_session, SessionBridge(fresh_session))
    qtbot.addWidget(bar)
    bar.edit.setText("The zebra sees the cat")
    assert "&lt;unk&gt;" in bar.chips.text() and "zebra" in bar.chips.toolTip()
    qtbot.keyClick(bar.edit, Qt.Key.Key_Return)
    assert fresh_session.source == "The zebra sees the cat"
    assert fresh_session.translation is not None
    assert "zebra" in bar.notice.text() and bar.notice.isVisibleTo(bar)
    bar.edit.setText("x" * 1500)
    qtbot.keyClick(bar.edit, Qt.Key.Key_Return)
    assert "limit is 1000" in bar.message.text() and bar.message.isVisibleTo(bar)
    bar.edit.setText("The dog sees the cat")
    qtbot.keyClick(bar.edit, Qt.Key.Key_Return)
    assert not bar.message.isVisibleTo(bar)


OWN_MODEL = {  # view: (model, step)
    "classify": ("vit-pets", "enc.1.self_attn.weights"),
    "router": ("moe-de", "t2/dec.0.moe.router.probs"),
}


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("view", ["window", *VIEWS])
def test_shot_writes_a_non_blank_png(view: str, lang: str, tmp_path: Path, qtbot: QtBot) -> None:
    out = tmp_path / f"{view}-{lang}.png"
    size = "1600x1000" if view == "window" else "800x600"
    learning = view in ("loss", "gradflow", "update")  # they show a training step
    step = "d/dec.1.cross_attn.weights" if learning else "t2/dec.1.cross_attn.weights"
    mode = "train" if learning else "translate"
    model = []  # a view of another shape of the family is shot on a model of that shape
    if view in OWN_MODEL:
        model, step = ["--model", OWN_MODEL[view][0]], OWN_MODEL[view][1]
    rc = cli_main(
        [
            "shot",
            *model,
            "--out",
            str(out),
            "--view",
            view,
            "--lang",
            lang,
            "--mode",
            mode,
            "--step",
            step,
            "--size",
            size,
        ]
    )
    assert rc == 0
    image = QImage(str(out))
    min_height = 60 if view == "timeline" else 600  # the timeline is a strip
    assert image.width() >= 800 and image.height() >= min_height
    ptr = image.convertToFormat(QImage.Format.Format_RGB32).constBits()
    pixels = np.frombuffer(ptr, np.uint8).reshape(image.height(), image.width(), 4)[..., :3]
    assert pixels.std() > 10  # not blank: text, boxes and colours were drawn
    assert len(np.unique(pixels.reshape(-1, 3)[::97], axis=0)) > 20


def test_shot_refuses_bad_arguments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for args in (
        ["--view", "nope"],
        ["--step", "no.such.step"],
        ["--size", "huge"],
        ["--step", "99999"],
    ):
        rc = cli_main(["shot", "--out", str(tmp_path / "x.png"), *args])
        err = capsys.readouterr().err.strip().splitlines()
        assert rc == 2 and len(err) == 1 and err[0].startswith("transformer-sim: error:")
    assert not (tmp_path / "x.png").exists()


def test_threaded_runs_keep_the_gui_free_and_apply_the_newest(
    qtbot: QtBot, fresh_session: Session
) -> None:
    bridge = SessionBridge(fresh_session, threaded=True)
    bar = InputBar(fresh_session, bridge)
    qtbot.addWidget(bar)
    busy: list[bool] = []
    bridge.sigBusy.connect(busy.append)
    fresh_session.source = "The dog sees the cat"
    fresh_session.source = "Fruit flies like a banana"  # supersedes the first request
    assert fresh_session.busy
    qtbot.waitUntil(lambda: not fresh_session.busy, timeout=10_000)
    assert fresh_session.translation is not None
    assert fresh_session.translation.text == "Fruchtfliegen mögen eine Banane"
    assert busy[0] is True and busy[-1] is False
    fresh_session.source = "Hi 😀"
    qtbot.waitUntil(lambda: not fresh_session.busy, timeout=10_000)
    assert "unsupported character" in bar.message.text()
    assert fresh_session.translation.text == "Fruchtfliegen mögen eine Banane"
    bridge.wait_idle()


def test_the_app_starts_loads_the_model_and_quits(tmp_path: Path) -> None:
    """`transformer-sim` with no arguments: window first, model loaded behind it."""
    import os
    import subprocess
    import sys

    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        TSIM_TIMINGS="1",
        TSIM_QUIT_AFTER="0.2",
        XDG_CONFIG_HOME=str(tmp_path),
    )
    out = subprocess.run(
        [sys.executable, "-m", "visualizer"], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    timings = dict(tok.split("=") for tok in out.stderr.split() if "=" in tok)
    assert 0 < float(timings["painted"]) < float(timings["interactive"])
    # the collector, paused for the start-up, runs again, past the start-up's objects and
    # on the GUI thread only
    assert timings["collector"] == "gui-thread" and int(timings["frozen"]) > 100_000


def test_after_start_up_garbage_is_collected_on_the_gui_thread_only(qapp: object) -> None:
    """Cycles made on a worker thread wait for the GUI thread's pass (a pass on the worker
    could free widgets from there)."""
    import gc
    import threading

    from visualizer import app

    was = gc.isenabled()
    gc.enable()
    try:
        app.collect_again()
        assert not gc.isenabled() and app.gui_collector() is not None

        def allocate() -> None:
            for _ in range(50_000):
                cycle: list[object] = []
                cycle.append(cycle)

        worker = threading.Thread(target=allocate)
        worker.start()
        worker.join()
        assert gc.get_count()[0] > gc.get_threshold()[0]  # nothing collected over there
        app.gui_collector().check()  # the timer's pass, on this thread
        assert gc.get_count()[0] < gc.get_threshold()[0]
    finally:
        app.stop_collecting()
        gc.unfreeze()
        gc.enable() if was else gc.disable()


def test_no_display_is_one_clear_line(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")
    }
    out = subprocess.run(
        [sys.executable, "-m", "visualizer"], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        "transformer-sim: error: no display found (set DISPLAY, or run "
        "`transformer-sim demo` for the text demo)"
    ]


def test_train_mode_from_the_input_bar(window: SimulatorWindow, qtbot: QtBot) -> None:
    s = window.session
    assert s is not None
    row = window.input_bar.train_row
    assert not row.target.isVisibleTo(window)
    row.mode.activated.emit(1)  # "Train one step"
    assert s.mode == "train"
    assert row.target.isVisibleTo(window) and "→" in row.loss.text()
    strips = row.strips.text()  # teacher forcing: <bos> + target over target + <eos>
    assert strips.index("&lt;bos&gt;") < strips.index("Pfeil") < strips.index("&lt;eos&gt;")
    for i in range(len(s)):  # every view draws forward, loss, backward and update steps
        s.seek(i)
    row.target.setText("Die Zeit fliegt wie ein Vogel")
    qtbot.keyClick(row.target, Qt.Key.Key_Return)
    assert s.trace.meta["target"] == "Die Zeit fliegt wie ein Vogel"
    s.lang = "zh"
    assert row.mode.currentText() == "训练一步" and "损失" in row.loss.text()


def test_save_and_open_a_model_folder_and_refuse_a_corrupt_one(
    window: SimulatorWindow, tmp_path: Path
) -> None:
    s = window.session
    assert s is not None
    assert s.save_model(tmp_path / "mine")
    (tmp_path / "bad").mkdir()
    for name in ("config.json", "vocab.json"):
        (tmp_path / "bad" / name).write_bytes((tmp_path / "mine" / name).read_bytes())
    data = (tmp_path / "mine" / "model.safetensors").read_bytes()
    (tmp_path / "bad" / "model.safetensors").write_bytes(data[: len(data) // 2])  # truncated
    before = s.bundle
    s.open_model(tmp_path / "bad")
    assert "safetensors" in s.error and s.bundle is before
    assert "safetensors" in window.input_bar.message.text()  # said in the window
    s.open_model(tmp_path / "mine")
    assert s.error == "" and s.bundle is not before
    assert s.translation is not None
    assert s.translation.text == "Die Zeit fliegt wie ein Pfeil"
