"""Every failure is one clear line: no traceback, no hang, no silent wrong result; and
a bad chapter or narration file is skipped while the rest still works."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest
from hostile_kit import SRC, Hostile, model_folder, patch_central, refused, session_file, sparse


def test_an_encrypted_entry_is_refused(hostile: Hostile) -> None:
    tsim = session_file(hostile.world / "s.tsim")
    patch_central(tsim, "state.json", flags=0x1)
    refused(hostile.run("open", tsim), "encrypted")


def test_an_encrypted_entry_in_the_window_is_a_message(hostile: Hostile) -> None:
    tsim = session_file(hostile.world / "s.tsim")
    patch_central(tsim, "vocab.json", flags=0x1)
    code = (
        "from core.session import Session\n"
        "s = Session.open_builtin('en-de')\n"
        "print(s.open_file('s.tsim'))\n"
        "print(s.error)\n"
    )
    o = hostile.run(code=code)
    assert o.rc == 0, o.err
    assert o.out.splitlines()[0] == "None"
    assert "encrypted" in o.out.splitlines()[1]


def test_open_on_a_model_folder_says_what_it_is(hostile: Hostile) -> None:
    model_folder(hostile.world / "m")
    refused(hostile.run("open", "m", timeout=30), "is a folder", "model folder")


def test_open_on_a_pipe_does_not_block(hostile: Hostile) -> None:
    os.mkfifo(hostile.world / "pipe.tsim")
    refused(hostile.run("open", "pipe.tsim", timeout=30), "a pipe")


@pytest.mark.parametrize("corpus", ["pipe", "/dev/zero"], ids=["fifo", "dev-zero"])
def test_a_corpus_that_is_not_a_file_is_refused_without_reading(
    corpus: str, hostile: Hostile
) -> None:
    os.mkfifo(hostile.world / "pipe")
    o = hostile.run("train", "--corpus", corpus, "--out", "m", timeout=30)
    refused(o, "not a regular file")
    assert o.rss_mib < 600


@pytest.mark.parametrize(
    "line, what",
    [
        ("I like it 😀\tIch mag es", "U+1F600"),
        ("I like\x07 it\tIch mag es", "U+0007"),
        ("I like it\tIch mag\x00 es", "U+0000"),
    ],
    ids=["emoji", "bell", "nul"],
)
def test_a_corpus_line_with_characters_typing_refuses_names_file_and_line(
    line: str, what: str, hostile: Hostile
) -> None:
    good = "I see the dog.\tIch sehe den Hund.\n"
    (hostile.world / "c.tsv").write_text(good + line + "\n", "utf-8")
    refused(hostile.run("train", "--corpus", "c.tsv", "--out", "m"), "c.tsv:2", what)


def test_a_config_json_that_is_a_pipe_does_not_block(hostile: Hostile) -> None:
    model = model_folder(hostile.world / "m")
    (model / "config.json").unlink()
    os.mkfifo(model / "config.json")
    refused(hostile.run("translate", "--model", model, SRC, timeout=30), "not a regular file")


def test_a_diverging_trace_writes_standard_json(hostile: Hostile) -> None:
    """A learning rate of 10,000 makes the loss after the step non-finite: JSON has no
    NaN, so it is written as null, and the file parses strictly."""
    argv = ["trace", SRC, "--target", "Die Zeit", "--out", "t.npz", "--lr", "10000"]
    o = hostile.run(*argv, may_change=("t.npz", "t.json"))
    assert o.rc == 0, o.err

    def no_constants(name: str) -> float:
        raise AssertionError(f"{name} in the JSON")

    data = json.loads((hostile.world / "t.json").read_text("utf-8"), parse_constant=no_constants)
    after = data["meta"]["loss_after"]
    assert after is None or math.isfinite(after)


def test_bad_chapter_files_are_skipped_and_the_built_in_ones_still_load(
    hostile: Hostile,
) -> None:
    folder = hostile.world / "chapters"
    folder.mkdir()
    (folder / "01-deep.json").write_bytes(b"[" * 100_000 + b"]" * 100_000)
    sparse(folder / "02-huge.json", 3 << 30, b"{")
    os.mkfifo(folder / "03-pipe.json")
    (folder / "04-ok.json").write_text(
        json.dumps(
            {
                "id": "ok",
                "title": {"en": "A", "zh": "甲"},
                "scenes": [{"text": {"en": "Hello", "zh": "你好"}}],
            }
        ),
        "utf-8",
    )
    code = (
        "from core.chapters import list_chapters, builtin_chapters\n"
        "errors = []\n"
        "mine = list_chapters('chapters', errors)\n"
        "print([c.id for c in mine])\n"
        "for e in errors: print(e)\n"
        "print(len(builtin_chapters()))\n"
    )
    o = hostile.run(code=code)
    assert o.rc == 0, o.err
    lines = o.out.splitlines()
    assert lines[0] == "['ok']"
    assert "01-deep.json" in lines[1] and "nested" in lines[1]
    assert "02-huge.json" in lines[2] and "the limit" in lines[2]
    assert "03-pipe.json" in lines[3] and "not a regular file" in lines[3]
    assert int(lines[4]) >= 10
    assert o.rss_mib < 600


NARRATION = {
    "unknown key": {"forward.extra": {"title": "t", "text": "x", "formula": "f", "colour": 1}},
    "missing field": {"forward.extra": {"title": "t", "text": "x"}},
    "not json": None,
}


@pytest.mark.parametrize("case", list(NARRATION))
def test_a_bad_extra_narration_file_hides_nothing(case: str, hostile: Hostile) -> None:
    assets = hostile.fake_assets()
    extra = assets / "text" / "lecture.en.json"
    data = NARRATION[case]
    extra.write_text("{ oops" if data is None else json.dumps(data), "utf-8")
    o = hostile.run(
        "shot", "--view", "narration", "--size", "300x200", "--out", "n.png", may_change=("n.png",)
    )
    assert o.rc == 0, o.err
    assert "Traceback" not in o.err
    assert Path(hostile.world / "n.png").stat().st_size > 1000
    code = (
        "from core.narration import narrate, problems\n"
        "print(narrate('forward.softmax').title)\n"
        "print(problems('en'))\n"
    )
    o = hostile.run(code=code)
    assert o.rc == 0, o.err
    title, problems = o.out.splitlines()[:2]
    assert title.strip() and "lecture.en.json" in problems
