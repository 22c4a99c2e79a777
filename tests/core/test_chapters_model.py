"""A scene may name a shipped model (``"model"``): checked, inherited, exclusive of ``pair``."""

from __future__ import annotations

import pytest

from core import assets, chapter_rules
from core.chapters import parse_chapter


def _chapter(*scenes: dict[str, object]) -> dict[str, object]:
    return {"id": "m", "title": {"en": "M", "zh": "模"}, "scenes": list(scenes)}


def _text() -> dict[str, str]:
    return {"en": "Text.", "zh": "文字。"}


def test_the_model_names_are_the_shipped_model_folders() -> None:
    shipped = {p.name for p in assets.path("models").iterdir() if (p / "config.json").is_file()}
    assert set(chapter_rules.MODELS) == shipped


def test_a_model_is_inherited_until_a_scene_names_a_pair_or_another_model() -> None:
    chapter = parse_chapter(
        _chapter(
            {"text": _text(), "pair": "en-de", "source": "Time flies like an arrow"},
            {"text": _text(), "model": "gpt-de"},
            {"text": _text(), "step": "dec.0.self_attn.weights"},
            {"text": _text(), "pair": "en-fr"},
            {"text": _text(), "model": "vit-pets", "source": "cat"},
        ),
        "m.json",
    )
    got = [(s.pair, s.model, s.source) for s in map(chapter.resolved, range(len(chapter)))]
    sentence = "Time flies like an arrow"
    assert got == [
        ("en-de", None, sentence),
        (None, "gpt-de", sentence),
        (None, "gpt-de", sentence),
        ("en-fr", None, sentence),
        (None, "vit-pets", "cat"),
    ]


@pytest.mark.parametrize(
    "scene, message",
    [
        ({"model": "gpt-3"}, "scenes[0].model: unknown model 'gpt-3'; known: demo-de"),
        ({"model": "gpt-de", "pair": "en-de"}, "scenes[0].model: a scene names a pair or a model"),
        ({"model": "gpt-de", "room": "neuron"}, "scenes[0].model: is only for room 'transformer'"),
    ],
    ids=["unknown", "with a pair", "in a lab"],
)
def test_a_bad_model_is_refused_with_one_line(scene: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError) as e:
        parse_chapter(_chapter({"text": _text(), **scene}), "m.json")
    assert message in str(e.value) and "\n" not in str(e.value)
