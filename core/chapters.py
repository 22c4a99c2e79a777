"""Guided chapters for lecture mode: scripted scenes, stored as data, checked strictly.

A lecturer walks a class through the model one idea at a time: each *scene* sets the
room, the sentence and model, the visible panels and the cursor, and shows a sentence
or three of narration in large type. Chapters are JSON files (one per chapter, format in
``docs/chapters.md``) so a lecturer can reorder the built-in ones or write their own
without touching code. Loading is strict: a typo in a panel or step name would only
show up in front of an audience, so every field is checked here, and a bad file is
refused with one line naming the file and the field ("00-x.json: scenes[2].panels[0]:
unknown panel 'atention'; known: ...").

Scenes inherit what they leave out from the last earlier scene in the same room (the
sentence, the model, the panels, the cursor), so a scene states only what changes and
stepping back to a scene shows exactly what stepping forward did. Actions (``lab``,
``train``, ``figure``) are never inherited. No Qt and no PyTorch here: the player
(``visualizer/chapter_player.py``) applies scenes to the window.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from core import assets, limits
from core.chapter_rules import (
    FIGURES,
    LANGS,
    MODELS,
    PAIRS,
    PANELS,
    ROOMS,
    bad,
    check_lab,
    check_select,
    check_train,
    need,
    plain_str,
)

FORMAT = "transformer-sim-chapter/1"
BUILTIN_FOLDER = assets.path("chapters")
MAX_BYTES = limits.CHAPTER_BYTES  # checked before the file is read; nesting: MAX_JSON_DEPTH
MAX_SCENES = 100
MAX_TEXT = 400  # characters of narration per language: it is shown at 20+ pt
_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
CHAPTER_KEYS = ("format", "id", "title", "summary", "scenes")
SCENE_KEYS = (
    "room",
    "title",
    "text",
    "pair",
    "model",
    "source",
    "mode",
    "target",
    "panels",
    "raise",
    "step",
    "select",
    "lab",
    "train",
    "figure",
)
TRANSFORMER_ONLY = (
    "pair",
    "model",
    "source",
    "mode",
    "target",
    "panels",
    "raise",
    "select",
    "train",
)
INHERITED = ("pair", "model", "source", "mode", "target", "panels", "raise_", "step", "select")


@dataclass(frozen=True)
class Text:
    """One piece of narration in every language the app speaks."""

    en: str
    zh: str

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Select:
    """The head and the (query row, key column) cell a scene points at."""

    head: int | None = None
    row: int | None = None
    col: int | None = None


@dataclass(frozen=True)
class Train:
    """Start a live training run (in a child process; the scene does not wait)."""

    steps: int = 300
    scratch: bool = True
    until_right: bool = True


@dataclass(frozen=True)
class Scene:
    text: Text
    room: str = "transformer"
    title: Text | None = None
    pair: str | None = None
    model: str | None = None  # a shipped model (assets/models/NAME); excludes ``pair``
    source: str | None = None
    mode: str | None = None
    target: str | None = None
    panels: tuple[str, ...] | None = None
    raise_: str | None = None
    step: str | int | None = None  # a name/key glob (first match) or an index (<0: from the end)
    select: Select | None = None
    lab: dict[str, Any] = field(default_factory=dict)
    train: Train | None = None
    figure: str | None = None


@dataclass(frozen=True)
class Chapter:
    id: str
    title: Text
    scenes: tuple[Scene, ...]
    summary: Text | None = None
    path: str = ""

    def __len__(self) -> int:
        return len(self.scenes)

    def resolved(self, index: int) -> Scene:
        """Scene ``index`` with what it leaves out taken from the last earlier scene in
        the same room (which was itself resolved the same way)."""
        scene = self.scenes[index]
        for earlier in range(index - 1, -1, -1):
            if self.scenes[earlier].room == scene.room:
                before = self.resolved(earlier)
                kept = {n: getattr(before, n) for n in INHERITED if getattr(scene, n) is None}
                if scene.pair is not None or scene.model is not None:  # one model at a time
                    kept.pop("model" if scene.pair is not None else "pair", None)
                return replace(scene, **kept)
        return scene


# -- parsing ---------------------------------------------------------------------------
def parse_chapter(data: Any, where: str) -> Chapter:
    """A chapter from parsed JSON; ValueError (one line: where, field, what) if invalid."""
    need(isinstance(data, dict), where, "", "a chapter must be a JSON object")
    _known_keys(data, CHAPTER_KEYS, where, "")
    if "format" in data:
        need(data["format"] == FORMAT, where, "format", f"must be {FORMAT!r}")
    for key in ("id", "title", "scenes"):
        need(key in data, where, key, "is missing")
    cid = data["id"]
    need(
        isinstance(cid, str) and _ID.fullmatch(cid) is not None,
        where,
        "id",
        "must be 1-40 lowercase letters, digits, '-' or '_'",
    )
    scenes = data["scenes"]
    need(
        isinstance(scenes, list) and 0 < len(scenes) <= MAX_SCENES,
        where,
        "scenes",
        f"must be a list of 1 to {MAX_SCENES} scenes",
    )
    return Chapter(
        id=cid,
        title=_text(data["title"], where, "title", 80),
        summary=_text(data["summary"], where, "summary", MAX_TEXT) if "summary" in data else None,
        scenes=tuple(_scene(s, where, f"scenes[{i}]") for i, s in enumerate(scenes)),
        path=where,
    )


def _scene(data: Any, where: str, at: str) -> Scene:
    need(isinstance(data, dict), where, at, "a scene must be a JSON object")
    _known_keys(data, SCENE_KEYS, where, at)
    need("text" in data, where, f"{at}.text", "is missing")
    room = data.get("room", "transformer")
    need(room in ROOMS, where, f"{at}.room", bad(room, ROOMS, "room"))
    if room != "transformer":
        for key in TRANSFORMER_ONLY:
            need(key not in data, where, f"{at}.{key}", "is only for room 'transformer'")
    need("lab" not in data or room != "transformer", where, f"{at}.lab", "is only for lab rooms")
    out: dict[str, Any] = {"room": room, "text": _text(data["text"], where, f"{at}.text")}
    if "title" in data:
        out["title"] = _text(data["title"], where, f"{at}.title", 80)
    if "pair" in data:
        need(data["pair"] in PAIRS, where, f"{at}.pair", bad(data["pair"], PAIRS, "pair"))
        out["pair"] = data["pair"]
    if "model" in data:
        need("pair" not in data, where, f"{at}.model", "a scene names a pair or a model, not both")
        need(data["model"] in MODELS, where, f"{at}.model", bad(data["model"], MODELS, "model"))
        out["model"] = data["model"]
    if "source" in data:
        out["source"] = plain_str(data["source"], where, f"{at}.source", 200, empty=False)
    if "mode" in data:
        modes = ("translate", "train")
        need(data["mode"] in modes, where, f"{at}.mode", bad(data["mode"], modes, "mode"))
        out["mode"] = data["mode"]
    if "target" in data:  # "" means: the built-in reference translation of the source
        out["target"] = plain_str(data["target"], where, f"{at}.target", 200, empty=True)
    if "panels" in data:
        out["panels"] = _panels(data["panels"], where, f"{at}.panels")
    if "raise" in data:
        r = data["raise"]
        need(r in PANELS, where, f"{at}.raise", bad(r, PANELS, "panel"))
        shown = out.get("panels")
        need(
            shown is None or r in shown,
            where,
            f"{at}.raise",
            f"{r!r} is not in this scene's panels",
        )
        out["raise_"] = r
    if "step" in data:
        out["step"] = _step(data["step"], where, f"{at}.step")
    if "select" in data:
        out["select"] = Select(**check_select(data["select"], where, f"{at}.select"))
    if "lab" in data:
        out["lab"] = check_lab(room, data["lab"], where, f"{at}.lab")
    if "train" in data:
        out["train"] = Train(**check_train(data["train"], where, f"{at}.train"))
    if "figure" in data:
        fig = data["figure"]
        need(fig in FIGURES, where, f"{at}.figure", bad(fig, FIGURES, "figure"))
        out["figure"] = fig
    return Scene(**out)


def _text(data: Any, where: str, at: str, limit: int = MAX_TEXT) -> Text:
    need(isinstance(data, dict), where, at, 'must be {"en": "...", "zh": "..."}')
    _known_keys(data, LANGS, where, at)
    for lang in LANGS:
        need(lang in data, where, f"{at}.{lang}", "is missing (every text needs en and zh)")
    en, zh = (plain_str(data[lang], where, f"{at}.{lang}", limit, empty=False) for lang in LANGS)
    return Text(en, zh)


def _panels(data: Any, where: str, at: str) -> tuple[str, ...]:
    ok = isinstance(data, list) and len(data) > 0
    need(ok, where, at, "must be a non-empty list of panel names")
    for i, name in enumerate(data):
        need(name in PANELS, where, f"{at}[{i}]", bad(name, PANELS, "panel"))
    need(len(set(data)) == len(data), where, at, "names a panel twice")
    return tuple(data)


def _step(data: Any, where: str, at: str) -> str | int:
    if isinstance(data, bool) or not isinstance(data, (str, int)):
        raise ValueError(f"{where}: {at}: must be a step name/key glob or an index")
    if isinstance(data, str):
        return plain_str(data, where, at, 120, empty=False)
    return data


def _known_keys(data: dict[str, Any], known: tuple[str, ...], where: str, at: str) -> None:
    for key in data:
        name = f"{at}.{key}" if at else str(key)
        need(key in known, where, name, f"unknown field; known: {', '.join(known)}")


# -- files and folders -----------------------------------------------------------------
def load_chapter(path: str | Path) -> Chapter:
    """Read and check one chapter file; ValueError names the file on any problem."""
    p = Path(path)
    where = p.name
    try:
        raw = limits.read_file(p, MAX_BYTES)
    except OSError as e:
        raise ValueError(f"{where}: cannot read: {e.strerror or e}") from None
    except limits.LimitError as e:
        raise ValueError(f"{where}: {e}") from None
    try:
        data = limits.parse_json(raw)
    except limits.LimitError as e:
        raise ValueError(f"{where}: {e}") from None
    try:
        return replace(parse_chapter(data, where), path=str(p))
    except (TypeError, RecursionError, MemoryError) as e:  # a check that met an odd type
        raise ValueError(f"{where}: not a chapter ({type(e).__name__}: {e})") from None


def list_chapters(folder: str | Path, errors: list[str] | None = None) -> list[Chapter]:
    """Every ``*.json`` chapter in ``folder``, sorted by file name (so "03-…" comes
    before "10-…"). With ``errors`` given, bad files are skipped and their messages
    appended (a lecturer's folder with one typo still plays the rest); else they raise."""
    chapters: list[Chapter] = []
    seen: dict[str, str] = {}
    for path in sorted(Path(folder).glob("*.json"), key=lambda p: p.name):
        try:
            chapter = load_chapter(path)
            if chapter.id in seen:
                raise ValueError(
                    f"{path.name}: id: {chapter.id!r} is also used by {seen[chapter.id]}"
                )
        except ValueError as e:
            if errors is None:
                raise
            errors.append(str(e))
            continue
        seen[chapter.id] = path.name
        chapters.append(chapter)
    return chapters


def builtin_chapters() -> list[Chapter]:
    return list_chapters(BUILTIN_FOLDER)


def find_chapter(chapter_id: str, chapters: list[Chapter]) -> Chapter:
    for chapter in chapters:
        if chapter.id == chapter_id:
            return chapter
    known = ", ".join(c.id for c in chapters)
    raise ValueError(f"no chapter {chapter_id!r}; known: {known}")
