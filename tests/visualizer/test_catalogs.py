"""Every interface string exists in English and Simplified Chinese, with the same
placeholders; the narration catalogs have the same entries in both languages.

Three views of the same promise: the dict literals ``{"en": ..., "zh": ...}`` in the
source (found with ``ast``), the same dicts as the imported modules hold them (also
those built at import time), and the ``assets/text`` JSON catalogs. ``tr("name")``
with a plain string must name an entry of ``i18n.COMMON`` (anything else would be
shown untranslated in both languages).
"""

from __future__ import annotations

import ast
import importlib
import json
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from visualizer.i18n import COMMON

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted((ROOT / "visualizer").rglob("*.py")) + sorted((ROOT / "core").rglob("*.py"))
TEXT_DIR = ROOT / "assets" / "text"
LANGS = {"en", "zh"}
PLACEHOLDER = re.compile(r"\{[^{}]*\}|%[sdfr]")


def placeholders(text: str) -> list[str]:
    """``{name}``, ``{0:.2f}``, ``%s``: what a translation must keep (in any order)."""
    return sorted(set(PLACEHOLDER.findall(text.replace("{{", "").replace("}}", ""))))


def problems(entry: dict[str, Any]) -> list[str]:
    """What is wrong with one catalog entry ([] when nothing). ``{"en": name}`` with a
    computed or empty value is a fallback for data shown as it is, not a string; an
    entry empty in both languages is deliberately empty."""
    if set(entry) == {"en"} and not (isinstance(entry["en"], str) and entry["en"]):
        return []
    out = [f"no {lang!r}" for lang in sorted(LANGS - entry.keys())]
    texts = {k: v for k, v in entry.items() if k in LANGS}
    if all(v == "" for v in texts.values()) and len(texts) == 2:
        return []
    for lang, text in texts.items():
        if not isinstance(text, str):
            continue  # computed at run time: checked by the runtime walk
        if not text.strip():
            out.append(f"empty {lang!r}")
    both = len(texts) == 2 and all(isinstance(t, str) for t in texts.values())
    if both and placeholders(texts["en"]) != placeholders(texts["zh"]):
        out.append(
            f"placeholders differ: en {placeholders(texts['en'])} zh {placeholders(texts['zh'])}"
        )
    return out


def is_catalog(keys: set[object]) -> bool:
    """A dict keyed by language only (``{"en": ..}``, ``{"en": .., "zh": ..}``)."""
    return "en" in keys and keys <= LANGS


# -- the source, as written ---------------------------------------------------------------
def literal_entries() -> Iterator[tuple[str, dict[str, Any]]]:
    for path in SOURCES:
        tree = ast.parse(path.read_text("utf-8"), str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Dict) or not node.keys:
                continue
            keys = [k.value if isinstance(k, ast.Constant) else None for k in node.keys]
            if None in keys or not is_catalog(set(keys)):
                continue
            entry: dict[str, Any] = {}
            for key, value in zip(keys, node.values, strict=True):
                try:
                    entry[str(key)] = ast.literal_eval(value)
                except ValueError:
                    entry[str(key)] = None  # an f-string or a name: a run-time value
            yield f"{path.relative_to(ROOT)}:{node.lineno}", entry


def test_the_source_has_catalog_entries() -> None:
    assert len(list(literal_entries())) > 300  # the scan itself works


def test_every_literal_entry_has_both_languages_and_the_same_placeholders() -> None:
    bad = [f"{where}: {', '.join(p)}" for where, e in literal_entries() if (p := problems(e))]
    assert not bad, "untranslated or mismatched strings:\n" + "\n".join(bad)


def test_tr_with_a_plain_name_names_a_common_entry() -> None:
    bad = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "tr"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
                and node.args[0].value not in COMMON
            ):
                bad.append(f"{path.relative_to(ROOT)}:{node.lineno}: tr({node.args[0].value!r})")
    assert not bad, "shown untranslated in both languages:\n" + "\n".join(bad)


# -- the modules, as imported ---------------------------------------------------------------
def modules() -> list[ModuleType]:
    names = [
        info.name
        # the folder, not ``visualizer.__path__``: under pytest that name may also
        # reach tests/visualizer
        for info in pkgutil.walk_packages([str(ROOT / "visualizer")], "visualizer.")
        if not info.name.endswith("__main__")
    ]
    return [importlib.import_module(n) for n in sorted(names)] + [
        importlib.import_module("core.narration")
    ]


def runtime_entries(value: object, where: str, seen: set[int]) -> Iterator[tuple[str, dict]]:
    if id(value) in seen or not isinstance(value, (dict, list, tuple)):
        return
    seen.add(id(value))
    if isinstance(value, dict):
        if is_catalog(set(value.keys())):
            yield where, value
            return
        for k, v in value.items():
            yield from runtime_entries(v, f"{where}[{k!r}]", seen)
    else:
        for i, v in enumerate(value):
            yield from runtime_entries(v, f"{where}[{i}]", seen)


def test_every_catalog_the_modules_hold_is_complete(qapp: object) -> None:
    found, bad = 0, []
    for module in modules():
        seen: set[int] = set()
        for name, value in vars(module).items():
            for where, entry in runtime_entries(value, f"{module.__name__}.{name}", seen):
                found += 1
                if p := problems(entry):
                    bad.append(f"{where}: {', '.join(p)}")
                elif not all(isinstance(entry[lang], str) for lang in LANGS):
                    bad.append(f"{where}: not text")
    assert found > 300
    assert not bad, "untranslated or mismatched strings:\n" + "\n".join(bad)


# -- the narration (assets/text) ------------------------------------------------------------
def json_pairs() -> list[tuple[Path, Path]]:
    pairs = []
    for en in sorted(TEXT_DIR.glob("*.json")):
        name = en.name
        if name == "en.json" or name.endswith(".en.json"):
            pairs.append((en, en.with_name(name[: -len("en.json")] + "zh.json")))
    return pairs


def flat(value: object, prefix: str = "") -> dict[str, object]:
    if isinstance(value, dict):
        out: dict[str, object] = {}
        for k, v in value.items():
            out.update(flat(v, f"{prefix}/{k}"))
        return out
    if isinstance(value, list):
        out = {}
        for i, v in enumerate(value):
            out.update(flat(v, f"{prefix}[{i}]"))
        return out
    return {prefix: value}


def test_every_english_narration_file_has_a_chinese_twin() -> None:
    pairs = json_pairs()
    assert len(pairs) >= 3
    for en, zh in pairs:
        assert zh.exists(), f"{en.name} has no {zh.name}"
    en_names = {p.name for p, _ in pairs}
    for zh in TEXT_DIR.glob("*zh.json"):
        twin = zh.name[: -len("zh.json")] + "en.json"
        assert twin in en_names, f"{zh.name} has no {twin}"


@pytest.mark.parametrize("pair", json_pairs(), ids=lambda p: p[0].name)
def test_narration_catalogs_have_the_same_entries_and_placeholders(
    pair: tuple[Path, Path],
) -> None:
    en = flat(json.loads(pair[0].read_text("utf-8")))
    zh = flat(json.loads(pair[1].read_text("utf-8")))
    assert sorted(en.keys() - zh.keys()) == [], f"missing in {pair[1].name}"
    assert sorted(zh.keys() - en.keys()) == [], f"missing in {pair[0].name}"
    bad = []
    for key, text in en.items():
        other = zh[key]
        if isinstance(text, str) and isinstance(other, str):
            if bool(text.strip()) != bool(other.strip()):
                bad.append(f"{key}: empty in one language")
            elif placeholders(text) != placeholders(other):
                bad.append(f"{key}: placeholders {placeholders(text)} vs {placeholders(other)}")
    assert not bad, "\n".join(bad)


def test_the_checks_can_fail() -> None:
    assert problems({"en": "Step {i} of {n}", "zh": "第 {i} 步"})
    assert problems({"en": "Loss"})
    assert problems({"en": "Loss", "zh": " "})
    assert problems({"en": "", "zh": "损失"})
    assert not problems({"en": None})  # {"en": label}: a fallback, shown as it is
    assert not problems({"en": "Step {i} of {n}", "zh": "第 {i} 步，共 {n} 步"})
    assert not is_catalog({"en", "de"})  # a language pair, not an interface string
