"""Guided chapters: the built-in files load, say real things in both languages, and a
bad file is refused with one line that names the file and the field."""

from __future__ import annotations

import ast
import copy
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from core import chapter_rules
from core.chapters import (
    BUILTIN_FOLDER,
    Chapter,
    builtin_chapters,
    find_chapter,
    list_chapters,
    load_chapter,
    parse_chapter,
)

ORDER = [
    "neuron",
    "tokens",
    "embeddings",
    "attention",
    "why-attention",
    "multi-head",
    "decoder",
    "loss",
    "backprop",
    "gradient-descent",
    "training",
    "family",
    "mixture-of-experts",
    "llm-stages",
    "nine-eleven",
]
CJK = re.compile(r"[\u4e00-\u9fff]")

GOOD: dict[str, Any] = {
    "format": "transformer-sim-chapter/1",
    "id": "demo",
    "title": {"en": "Demo", "zh": "演示"},
    "scenes": [
        {
            "title": {"en": "First", "zh": "第一"},
            "pair": "en-de",
            "source": "Time flies like an arrow",
            "mode": "translate",
            "panels": ["attention", "timeline"],
            "raise": "attention",
            "step": "enc.0.self_attn.weights",
            "select": {"head": 1, "row": 1, "col": 0},
            "text": {"en": "One.", "zh": "一。"},
        },
        {"source": "Fruit flies like a banana", "text": {"en": "Two.", "zh": "二。"}},
        {
            "room": "neuron",
            "lab": {"reset": True, "traced": True},
            "step": -1,
            "text": {"en": "Three.", "zh": "三。"},
        },
        {"figure": "token_split", "text": {"en": "Four.", "zh": "四。"}},
        {"train": {"steps": 50}, "text": {"en": "Five.", "zh": "五。"}},
    ],
}


def test_the_builtin_chapters_are_the_lecture_in_order() -> None:
    chapters = builtin_chapters()
    assert [c.id for c in chapters] == ORDER
    names = [Path(c.path).name for c in chapters]
    assert names == sorted(names) and names[0].startswith("00-") and names[-1].startswith("14-")
    assert all(Path(c.path).parent == BUILTIN_FOLDER for c in chapters)


@pytest.mark.parametrize("chapter", builtin_chapters(), ids=lambda c: c.id)
def test_every_text_is_real_in_english_and_chinese(chapter: Chapter) -> None:
    texts = [chapter.title] + [s.text for s in chapter.scenes] + [s.title for s in chapter.scenes]
    for text in texts:
        assert text is not None, "every built-in scene has a title"
        assert text.en.strip() and text.zh.strip()
        assert CJK.search(text.zh) or text.zh == text.en, text.zh  # a proper name may stay
        assert not CJK.search(text.en), text.en
    for scene in chapter.scenes:
        assert CJK.search(scene.text.zh) and scene.text.en != scene.text.zh
        sentences = [x for x in re.split(r"(?<=[.!?])\s+", scene.text.en) if x]
        assert 1 <= len(sentences) <= 3, scene.text.en  # the issue: 1-3 sentences


def test_the_vocabulary_mirrors_the_modules_it_names() -> None:
    from core.basics import datasets, network, neuron
    from core.session import BUILTIN_MODELS

    assert set(chapter_rules.PAIRS) == set(BUILTIN_MODELS)
    assert chapter_rules.NEURON_ACTIVATIONS == neuron.ACTIVATIONS
    assert set(chapter_rules.NETWORK_ACTIVATIONS) == set(network.ACTIVATIONS)
    assert chapter_rules.DATASETS == datasets.DATASETS
    assert (chapter_rules.MAX_LAYERS, chapter_rules.MAX_NEURONS) == (
        network.MAX_LAYERS,
        network.MAX_NEURONS,
    )
    from core.stages.pipeline import STAGES

    assert chapter_rules.STAGE_NAMES == STAGES
    room = Path(__file__).resolve().parents[2] / "visualizer/rooms/stages/stages_room.py"
    found = re.search(r"^PAGES = (\(.*?\))$", room.read_text("utf-8"), re.M)
    assert found is not None  # the room's pages, read without importing Qt
    assert ast.literal_eval(found[1]) == chapter_rules.STAGE_PAGES


def test_a_scene_inherits_from_the_last_scene_in_its_room() -> None:
    ch = parse_chapter(GOOD, "demo.json")
    first, second, third, fourth, fifth = (ch.resolved(i) for i in range(len(ch)))
    assert second.source == "Fruit flies like a banana"  # its own
    assert second.pair == "en-de" and second.step == "enc.0.self_attn.weights"  # inherited
    assert second.panels == ("attention", "timeline") and second.raise_ == "attention"
    assert second.select == first.select and second.title is None  # titles are not inherited
    assert third.room == "neuron" and third.pair is None and third.step == -1  # a new room
    assert third.lab == {"reset": True, "traced": True}
    assert fourth.room == "transformer" and fourth.source == "Fruit flies like a banana"
    assert fourth.step == "enc.0.self_attn.weights" and fourth.lab == {}  # past the lab
    assert fourth.figure == "token_split" and fifth.figure is None  # actions stay put
    assert fifth.train is not None and fifth.train.steps == 50 and fifth.train.scratch
    assert ch.resolved(3).train is None


def _edit(path: str, value: Any) -> dict[str, Any]:
    """GOOD with the field at ``path`` ("scenes.0.panels.0") set, or deleted (value DEL)."""
    data = copy.deepcopy(GOOD)
    *parents, last = path.split(".")
    node: Any = data
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    key: Any = int(last) if isinstance(node, list) else last
    if value is DEL:
        del node[key]
    else:
        node[key] = value
    return data


DEL = object()
BAD = [
    ("colour", "blue", "colour: unknown field"),
    ("id", DEL, "id: is missing"),
    ("id", "Big Chapter", "id: must be 1-40 lowercase"),
    ("format", "v2", "format: must be"),
    ("title.zh", DEL, "title.zh: is missing"),
    ("title.fr", "Démo", "title.fr: unknown field"),
    ("scenes", [], "scenes: must be a list of 1 to"),
    ("scenes.0.text.en", "  ", "scenes[0].text.en: must not be empty"),
    ("scenes.0.text.en", "x" * 401, "scenes[0].text.en: has 401 characters"),
    ("scenes.0.text", "Hello", 'scenes[0].text: must be {"en"'),
    ("scenes.1.text", DEL, "scenes[1].text: is missing"),
    ("scenes.0.room", "kitchen", "scenes[0].room: unknown room 'kitchen'"),
    ("scenes.0.pair", "en-es", "scenes[0].pair: unknown pair 'en-es'"),
    ("scenes.0.mode", "learn", "scenes[0].mode: unknown mode"),
    ("scenes.0.source", 42, "scenes[0].source: must be a string"),
    ("scenes.0.panels.0", "atention", "scenes[0].panels[0]: unknown panel 'atention'"),
    ("scenes.0.panels", ["timeline", "timeline"], "scenes[0].panels: names a panel twice"),
    ("scenes.0.raise", "loss", "scenes[0].raise: 'loss' is not in this scene's panels"),
    ("scenes.0.step", True, "scenes[0].step: must be a step name"),
    ("scenes.0.select", {"row": 1}, "scenes[0].select: row and col go together"),
    ("scenes.0.select", {"head": -1}, "scenes[0].select.head: must be an integer"),
    ("scenes.0.select", {"layer": 1}, "scenes[0].select.layer: unknown field"),
    ("scenes.0.lab", {"reset": True}, "scenes[0].lab: is only for lab rooms"),
    ("scenes.2.pair", "en-de", "scenes[2].pair: is only for room 'transformer'"),
    ("scenes.2.lab", {"speed": 3}, "scenes[2].lab.speed: unknown neuron setting"),
    ("scenes.2.lab", {"activation": "gelu"}, "scenes[2].lab.activation: must be one of"),
    ("scenes.2.lab", {"train": 0}, "scenes[2].lab.train: must be an integer from 1"),
    ("scenes.3.figure", "venn", "scenes[3].figure: unknown figure 'venn'"),
    ("scenes.4.train", {"steps": 5}, "scenes[4].train.steps: must be an integer from 10"),
    ("scenes.4.train", {"epochs": 5}, "scenes[4].train.epochs: unknown field"),
]


@pytest.mark.parametrize(("path", "value", "message"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_chapter_is_refused_naming_file_and_field(
    tmp_path: Path, path: str, value: Any, message: str
) -> None:
    file = tmp_path / "07-mine.json"
    file.write_text(json.dumps(_edit(path, value)), encoding="utf-8")
    with pytest.raises(ValueError) as err:
        load_chapter(file)
    text = str(err.value)
    assert text.startswith("07-mine.json: ") and message in text, text
    assert "\n" not in text


def test_playground_settings_are_checked_too() -> None:
    data = _edit("scenes.2.room", "playground")
    data["scenes"][2]["lab"] = {"layers": [4, 9]}
    with pytest.raises(ValueError, match=r"scenes\[2\]\.lab\.layers: must be a list of up to 6"):
        parse_chapter(data, "x.json")
    data["scenes"][2]["lab"] = {"dataset": "xor", "layers": [4, 4], "play": True, "lr": 0.1}
    scene = parse_chapter(data, "x.json").scenes[2]
    assert scene.lab == {"dataset": "xor", "layers": [4, 4], "lr": 0.1, "play": True}


def test_stages_settings_are_checked_too() -> None:
    data = _edit("scenes.2.room", "stages")
    data["scenes"][2]["lab"] = {"page": "rl"}
    with pytest.raises(ValueError, match=r"scenes\[2\]\.lab\.page: must be one of pretrain, sft"):
        parse_chapter(data, "x.json")
    data["scenes"][2]["lab"] = {"evidence": "base"}
    with pytest.raises(ValueError, match=r"scenes\[2\]\.lab\.evidence: must be one of pretrain"):
        parse_chapter(data, "x.json")
    data["scenes"][2]["lab"] = {"trace": "yes"}
    with pytest.raises(ValueError, match=r"scenes\[2\]\.lab\.trace: must be true or false"):
        parse_chapter(data, "x.json")
    data["scenes"][2]["lab"] = {"page": "trace", "evidence": "sft", "trace": True}
    scene = parse_chapter(data, "x.json").scenes[2]
    assert scene.lab == {"trace": True, "evidence": "sft", "page": "trace"}  # applied in order


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b'{"id": "x",', "not valid JSON"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"[1, 2]", "a chapter must be a JSON object"),
    ],
)
def test_a_file_that_is_not_a_chapter_is_refused(tmp_path: Path, raw: bytes, message: str) -> None:
    file = tmp_path / "x.json"
    file.write_bytes(raw)
    with pytest.raises(ValueError, match=f"^x.json: .*{message}"):
        load_chapter(file)


def test_a_user_folder_loads_in_file_order_and_reports_bad_files(tmp_path: Path) -> None:
    for name, cid in (("20-b.json", "bee"), ("10-a.json", "ay"), ("30-c.json", "ay")):
        (tmp_path / name).write_text(json.dumps(_edit("id", cid)), encoding="utf-8")
    (tmp_path / "15-broken.json").write_text("{", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a chapter", encoding="utf-8")
    errors: list[str] = []
    chapters = list_chapters(tmp_path, errors)
    assert [c.id for c in chapters] == ["ay", "bee"]
    assert errors[0].startswith("15-broken.json: not valid JSON")
    assert errors[1] == "30-c.json: id: 'ay' is also used by 10-a.json"
    with pytest.raises(ValueError, match=r"15-broken\.json"):
        list_chapters(tmp_path)  # without an error list, the first bad file raises
    assert find_chapter("bee", chapters).path.endswith("20-b.json")
    with pytest.raises(ValueError, match="no chapter 'cee'; known: ay, bee"):
        find_chapter("cee", chapters)


def test_hostile_chapter_files_are_skipped_and_the_built_in_ones_still_load(
    tmp_path: Path,
) -> None:
    import os

    (tmp_path / "01-deep.json").write_bytes(b"[" * 100_000 + b"]" * 100_000)
    with (tmp_path / "02-huge.json").open("wb") as f:
        f.truncate(3 << 30)  # sparse: says 3 GB, occupies nothing
    os.mkfifo(tmp_path / "03-pipe.json")
    (tmp_path / "04-ok.json").write_text(json.dumps(_edit("id", "ok")), encoding="utf-8")
    (tmp_path / "05-newline.json").write_text(json.dumps({"a\nb": 1}), encoding="utf-8")
    errors: list[str] = []
    assert [c.id for c in list_chapters(tmp_path, errors)] == ["ok"]
    assert [e.split(":")[0] for e in errors] == [
        "01-deep.json",
        "02-huge.json",
        "03-pipe.json",
        "05-newline.json",
    ]
    assert "nested 100000 levels deep" in errors[0]
    assert "the limit is 1,000,000" in errors[1]
    assert "not a regular file" in errors[2]
    assert all("\n" not in e for e in errors)  # one line each, even for a key with a newline
    assert len(builtin_chapters()) == len(ORDER)


def test_reading_chapters_needs_neither_qt_nor_torch() -> None:
    code = (
        "import importlib.abc, sys\n"
        "class B(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('PySide6', 'torch', 'pyqtgraph', 'visualizer'):\n"
        "            raise ImportError(name)\n"
        "sys.meta_path.insert(0, B())\n"
        "from core.chapters import builtin_chapters\n"
        "print(len(builtin_chapters()))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(len(ORDER))
