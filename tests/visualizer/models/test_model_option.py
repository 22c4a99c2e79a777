"""``--model NAME|DIR`` of the window commands: ``shot`` and ``record`` render any shape
of the family, ``open`` starts the window on a model; a bad name is one line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

import visualizer.cli as window_cli
from core import model_catalog
from visualizer.shot import ShotError, _offscreen_session

ERROR = "transformer-sim: error:"


def one_error_line(capsys: pytest.CaptureFixture[str], *needles: str) -> None:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(ERROR), err
    for needle in needles:
        assert needle in err[0]


@pytest.mark.parametrize(
    ("model", "source", "arch"),
    [
        ("gpt-de", None, "decoder-only"),
        ("moe-de", None, "decoder-only"),
        ("bert-who", "The dog eats an apple", "encoder-only"),
        ("vit-pets", "big dog", "encoder-only"),
    ],
)
def test_the_offscreen_session_runs_the_model_asked_for(
    qtbot: QtBot, model: str, source: str | None, arch: str
) -> None:
    _app, session, _bridge = _offscreen_session(
        "en-de", source, "en", "translate", ShotError, animate=False, model=model
    )
    entry = {m.name: m for m in model_catalog.shipped()}[model]
    assert session.bundle.cfg == entry.cfg and session.trace.meta["arch"] == arch
    if source is not None:
        assert session.source == source
    if model == "vit-pets":
        assert session.classification is not None and session.classification.label == "dog"


@pytest.mark.parametrize("model", ["moe-de", "bert-who"])
def test_shot_with_a_model_writes_a_picture(model: str, tmp_path: Path, qtbot: QtBot) -> None:
    out = tmp_path / f"{model}.png"
    rc = window_cli.main(
        ["shot", "--out", str(out), "--model", model, "--view", "attention", "--size", "800x600"]
    )
    assert rc == 0
    image = QImage(str(out)).convertToFormat(QImage.Format.Format_RGB32)
    pixels = np.frombuffer(image.constBits(), np.uint8).reshape(600, 800, 4)[..., :3]
    assert pixels.std() > 10


def test_a_model_folder_works_too(tmp_path: Path, qtbot: QtBot) -> None:
    folder = model_catalog.resolve("gpt-de")
    _app, session, _bridge = _offscreen_session(
        "en-de", None, "zh", "train", ShotError, animate=False, model=str(folder)
    )
    assert session.bundle.cfg.arch == "decoder-only" and session.mode == "train"
    assert any(s.name == "loss.mask" for s in session.trace.steps)  # a GPT training step


def test_record_with_a_model(tmp_path: Path, qtbot: QtBot) -> None:
    out = tmp_path / "moe.gif"
    argv = ["record", "--from", "0", "--to", "2", "--out", str(out), "--model", "moe-de"]
    rc = window_cli.main([*argv, "--view", "timeline", "--size", "600x120"])
    assert rc == 0 and out.is_file()


def test_a_bad_model_is_one_line_and_no_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], qtbot: QtBot
) -> None:
    out = tmp_path / "x.png"
    assert window_cli.main(["shot", "--out", str(out), "--model", "gpt-9"]) == 2
    one_error_line(capsys, "gpt-9", "gpt-de")
    assert not out.exists()


def test_open_takes_a_model(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    opened: list[str | None] = []

    def fake_window(_args: object = None, open_file: str | None = None) -> int:
        opened.append(open_file)
        return 0

    monkeypatch.setattr(window_cli, "_window", fake_window)
    assert window_cli.main(["open", "--model", "bert-who"]) == 0
    assert opened == [str(model_catalog.resolve("bert-who"))]  # the window opens the folder
    assert window_cli.main(["open"]) == 2
    one_error_line(capsys, "--model")
    assert window_cli.main(["open", "x.tsim", "--model", "gpt-de"]) == 2
    one_error_line(capsys, "one of them")
    (tmp_path / "config.json").write_text("{}", "utf-8")
    assert window_cli.main(["open", "--model", str(tmp_path)]) == 2  # checked first
    one_error_line(capsys)
    assert opened == [str(model_catalog.resolve("bert-who"))]
