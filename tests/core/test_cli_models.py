"""``--model`` takes a shipped model's name as well as a folder, and ``trace`` records a
training step of every shape: translators with a target sentence, classifiers with a
label (a picture classifier reads the picture its source names)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.core.cli_kit import assert_user_error, run_quiet

SRC, TGT = "Time flies like an arrow", "Die Zeit fliegt wie ein Pfeil"


def _names(out: Path) -> set[str]:
    return {s["name"] for s in json.loads(out.with_suffix(".json").read_text("utf-8"))["steps"]}


@pytest.mark.parametrize(
    ("model", "source", "target", "wanted"),
    [
        ("gpt-de", SRC, TGT, "loss.mask"),
        ("moe-de", SRC, TGT, "dec.0.moe.router.probs"),
        ("bert-who", "The dog eats", "animal", "cls.target"),
        ("vit-pets", "small cat", "cat", "src.patches"),
    ],
)
def test_trace_by_shipped_name_for_every_shape(
    tmp_path: Path, model: str, source: str, target: str, wanted: str
) -> None:
    out = tmp_path / "t.npz"
    res = run_quiet("trace", source, "--target", target, "--model", model, "--out", out)
    assert res.rc == 0, res.err
    names = _names(out)
    assert wanted in names and "loss" in names
    assert "after one step" in res.out


def test_a_label_the_classifier_does_not_know_is_one_line(
    tmp_path: Path,
) -> None:
    out = tmp_path / "t.npz"
    res = run_quiet(
        "trace", "The dog eats", "--target", "robot", "--model", "bert-who", "--out", out
    )
    assert_user_error(res, "unknown label 'robot'", "person, animal, thing")


def test_an_unknown_model_name_lists_the_shipped_ones() -> None:
    res = run_quiet("translate", "--model", "gpt-xl", SRC)
    assert_user_error(res, "gpt-xl", "gpt-de", "bert-who")


def test_translate_by_name() -> None:
    res = run_quiet("translate", "--model", "moe-de", SRC)
    assert res.rc == 0 and res.first_line == TGT


def test_classify_by_name() -> None:
    res = run_quiet("classify", "--model", "bert-who", "The dog eats")
    assert res.rc == 0 and res.first_line.startswith("animal\t")
