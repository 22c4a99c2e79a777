"""Every step a run produces has a narration in English and in Chinese."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.bundle import Bundle
from core.narration import LANGUAGES, TEXT_DIR, narrate
from core.tracing import trace_training_step, trace_translation
from core.train import Trainer


def test_catalogs_have_the_same_keys_and_no_empty_text() -> None:
    keys = [set(json.loads((TEXT_DIR / f"{lang}.json").read_text("utf-8"))) for lang in LANGUAGES]
    assert keys[0] == keys[1]
    for lang in LANGUAGES:
        for key in keys[0]:
            n = narrate(key, lang)
            assert n.title.strip() and n.text.strip() and n.formula.strip()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_step_is_narrated(lang: str, trainer: Trainer, shipped_de: Bundle) -> None:
    steps = trace_training_step(trainer, "Time flies", "Die Zeit fliegt").steps
    steps += trace_translation(shipped_de, "Time flies like an arrow")[0].steps
    for key in {s.narration for s in steps}:
        narrate(key, lang)  # raises KeyError when missing
    if lang == "zh":
        assert any("\u4e00" <= ch <= "\u9fff" for ch in narrate("forward.softmax", lang).text)


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError):
        narrate("forward.softmax", "fr")


@pytest.mark.parametrize(
    "extra, problem",
    [
        ('{"forward.x": {"title": "t", "text": "x", "formula": "f", "colour": 1}}', "unknown"),
        ('{"forward.x": {"title": "t", "text": "x"}}', "missing field 'formula'"),
        ('{"forward.x": {"title": 1, "text": "x", "formula": "f"}}', "title must be text"),
        ("[1, 2]", "not a JSON object"),
        ("{ oops", "not valid JSON"),
    ],
    ids=["unknown key", "missing field", "not text", "a list", "not json"],
)
def test_a_bad_extra_file_is_skipped_and_hides_nothing(
    extra: str, problem: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from core import narration

    folder = Path(shutil.copytree(TEXT_DIR, tmp_path / "text"))
    (folder / "lecture.en.json").write_text(extra, "utf-8")
    monkeypatch.setattr(narration, "TEXT_DIR", folder)
    narration.catalog.cache_clear()
    try:
        assert narrate("forward.softmax", "en").title  # the rest still narrates
        assert narrate("forward.softmax", "zh").title
        found = narration.problems("en")
        assert len(found) == 1 and found[0].startswith("lecture.en.json")
        assert problem in found[0] and "\n" not in found[0]
        assert narration.problems("zh") == []
    finally:
        monkeypatch.undo()
        narration.catalog.cache_clear()
