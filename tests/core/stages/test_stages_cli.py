"""``stages`` and ``ask``: answers, and bad input as one line with exit status 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.cli import main
from core.stages.pipeline import Pipeline


@pytest.fixture(scope="module")
def saved(tiny_pipeline: Pipeline, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_pipeline.save("grpo", tmp_path_factory.mktemp("m") / "grpo")


def _one_line_error(capsys: pytest.CaptureFixture[str], argv: list[str], says: str) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("transformer-sim: error:") and says in err, err


def test_ask_prints_the_models_answer(
    saved: Path, tiny_pipeline: Pipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    from core.stages.lm import ask
    from core.stages.questions import THE_QUESTION

    assert main(["ask", "--model", str(saved), "Which is bigger: 9.11 or 9.9?"]) == 0
    want = ask(tiny_pipeline.model("grpo"), tiny_pipeline.tok, THE_QUESTION)
    assert capsys.readouterr().out == want + "\n"


def test_ask_errors(saved: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _one_line_error(capsys, ["ask", "--model", str(tmp_path / "none"), "x"], "not found")
    _one_line_error(capsys, ["ask", "--model", str(saved), "which is zebra?"], "zebra")
    (tmp_path / "junk").mkdir()
    _one_line_error(capsys, ["ask", "--model", str(tmp_path / "junk"), "x"], "missing")


def test_stages_refuses_to_overwrite(saved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _one_line_error(capsys, ["stages", "--out", str(saved.parent)], "--force")


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["stages", "--group", "1"], "group"),
        (["stages", "--beta", "-1"], "beta"),
        (["stages", "--seed", "x"], "seed"),
        (["ask", "hi"], "--model"),
    ],
)
def test_bad_options_are_one_line(
    argv: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and says in err, err
