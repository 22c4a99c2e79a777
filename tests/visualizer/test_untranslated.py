"""No interface string is left untranslated, in either direction.

Every string table (the ``{"en", "zh"}`` dicts in visualizer/ and core/, the
``assets/text`` JSON catalogs, the engine's messages) has its keys in both languages;
a Chinese text is not its English copy (unless it is a name or a formula, listed
below); an English text holds no Chinese. And through the real threaded bridge an
engine error, a warning and Qt's own buttons are shown in Chinese in Chinese mode.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from core.session import Session
from core.step_titles import step_title

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

ROOT = Path(__file__).resolve().parents[2]
TEXT = ROOT / "assets" / "text"
CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")
# The same in both languages on purpose: names, symbols, units of the formulas.
SAME_ALLOWED = {
    "·V", "W_Q", "W_K", "W_V", "W_O", "×√d", "logits", "softmax", "Softmax", "Σ w·E", "[CLS]",
    "+[CLS]", "B − A", "A = {label}", "—", "NaN/Inf", "NaN / Inf", "BLEU", "#", "tanh",
    "ReLU", "sigmoid", "“{src}” → “{out}”", "P(9.9) {right} · P(9.11) {wrong}",
    "log π_ref − log π", "Transformer", "top-k", "top-p",
    "forward · decode · backward …",  # the phase names a breakpoint pattern is typed in
}  # fmt: skip
CJK_IN_ENGLISH_ALLOWED = {"中文界面"}  # the button that switches to Chinese says so in Chinese


def literal_tables() -> Iterator[tuple[str, dict[str, Any]]]:
    """Every ``{"en": …, "zh": …}`` dict literal in visualizer/ and core/."""
    for path in sorted((ROOT / "visualizer").rglob("*.py")) + sorted((ROOT / "core").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Dict) or not node.keys:
                continue
            keys = [k.value if isinstance(k, ast.Constant) else None for k in node.keys]
            if "en" not in keys or not set(keys) <= {"en", "zh"}:
                continue
            entry = {}
            for k, v in zip(keys, node.values, strict=True):
                try:
                    entry[str(k)] = ast.literal_eval(v)
                except ValueError:
                    entry[str(k)] = None
            yield f"{path.relative_to(ROOT)}:{node.lineno}", entry


def flat(value: object, prefix: str = "") -> dict[str, object]:
    if isinstance(value, dict):
        return {k2: v2 for k, v in value.items() for k2, v2 in flat(v, f"{prefix}/{k}").items()}
    if isinstance(value, list):
        return {k2: v2 for i, v in enumerate(value) for k2, v2 in flat(v, f"{prefix}[{i}]").items()}
    return {prefix: value}


def json_tables() -> Iterator[tuple[str, dict[str, object], dict[str, object]]]:
    for en in sorted(TEXT.glob("*.json")):
        if en.name == "en.json" or en.name.endswith(".en.json"):
            zh = en.with_name(en.name[: -len("en.json")] + "zh.json")
            yield (
                en.name,
                flat(json.loads(en.read_text("utf-8"))),
                flat(json.loads(zh.read_text("utf-8"))),
            )


def words(text: str) -> str:
    """The text without its placeholders ({label}, {w}): what a reader reads."""
    return re.sub(r"\{[^{}]*\}", "", text)


def pairs() -> Iterator[tuple[str, str, str]]:
    """(where, English, Chinese) of every string both languages have."""
    for where, e in literal_tables():
        if isinstance(e.get("en"), str) and isinstance(e.get("zh"), str):
            yield where, e["en"], e["zh"]
    for name, en, zh in json_tables():
        for key, text in en.items():
            other = zh.get(key)
            if isinstance(text, str) and isinstance(other, str) and not key.endswith("formula"):
                yield f"{name}{key}", text, other
    for path in sorted((ROOT / "assets" / "chapters").glob("*.json")):  # titles, narration
        yield from chapter_pairs(json.loads(path.read_text("utf-8")), path.name)


def chapter_pairs(value: object, where: str) -> Iterator[tuple[str, str, str]]:
    if isinstance(value, dict):
        if isinstance(value.get("en"), str) and isinstance(value.get("zh"), str):
            yield where, value["en"], value["zh"]
        for k, v in value.items():
            yield from chapter_pairs(v, f"{where}/{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from chapter_pairs(v, f"{where}[{i}]")


def test_every_table_has_every_key_in_both_languages() -> None:
    bad = [
        w for w, e in literal_tables() if "zh" not in e and isinstance(e.get("en"), str) and e["en"]
    ]
    for name, en, zh in json_tables():
        bad += [f"{name}{k}: no zh" for k in sorted(en.keys() - zh.keys())]
        bad += [f"{name}{k}: no en" for k in sorted(zh.keys() - en.keys())]
    assert "messages.en.json" in {n for n, _, _ in json_tables()}
    assert not bad, "\n".join(bad)


def test_no_chinese_text_is_its_english_copy() -> None:
    found = list(pairs())
    assert len(found) > 500
    bad = [
        f"{w}: {en!r}"
        for w, en, zh in found
        if en == zh and en not in SAME_ALLOWED and re.search("[A-Za-z]{2}", words(en))
    ]
    assert not bad, "untranslated (Chinese equal to English):\n" + "\n".join(bad)


def test_no_english_text_holds_chinese() -> None:
    bad = [
        f"{w}: {en!r}"
        for w, en, _ in pairs()
        if CJK.search(en) and en not in CJK_IN_ENGLISH_ALLOWED
    ]
    assert not bad, "Chinese in English texts:\n" + "\n".join(bad)


def test_the_scan_can_fail() -> None:
    assert CJK.search("损失") and not CJK.search("loss")
    assert "Loss" not in SAME_ALLOWED


# -- step titles ---------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_step_of_a_translation_and_a_training_step_has_a_persons_title(
    builtin_session: Session, lang: str
) -> None:
    s = Session(builtin_session.bundle, "en-de", "Time flies like an arrow")
    s.mode = "train"
    names = {(st.name, st.phase) for st in s.trace.steps}
    assert len(names) > 100
    untitled = sorted(n for n, ph in names if step_title(n, lang, ph) in (n, "") and n != "loss")
    assert not untitled, untitled
    for name, phase in names:
        title = step_title(name, lang, phase)
        assert bool(CJK.search(title)) == (lang == "zh"), (name, title)
    assert step_title("dec.0.self_attn.masked", "en") == (
        "Decoder layer 0 · masked self-attention · masked scores"
    )
    assert step_title("head.weight", "zh", "backward") == "分类头 · 权重 · 梯度"
    assert step_title("no.such.point", lang) == "no.such.point"  # never invented


# -- the window, in Chinese -----------------------------------------------------------------
def test_an_engine_error_a_warning_and_qt_buttons_are_chinese_in_chinese_mode(
    qtbot: QtBot,
) -> None:
    from PySide6.QtWidgets import QDialogButtonBox

    from visualizer.assemble import SimulatorWindow
    from visualizer.bridge import SessionBridge

    session = Session.open_builtin("en-de")
    bridge = SessionBridge(session, threaded=True)
    window = SimulatorWindow(session, bridge, persist=False)
    qtbot.addWidget(window)
    window.show()
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    qtbot.addWidget(box)
    session.lang = "zh"
    bar = window.input_bar
    session.source = "   "  # the engine refuses it: tokenizer.check_text
    qtbot.waitUntil(lambda: not session.busy and bool(session.error), timeout=30_000)
    assert bar.message.text() == "句子是空的：请输入几个词"
    assert str(session.error) == "the sentence is empty: type a few words"  # core: English
    session.source = "Time flies like a zebra"  # "zebra" is no word of the model
    qtbot.waitUntil(lambda: not session.busy and "zebra" in bar.notice.text(), timeout=30_000)
    assert "不认识的词被读作 <unk>：zebra" in bar.notice.text()
    qtbot.waitUntil(lambda: box.button(QDialogButtonBox.StandardButton.Close).text() == "关闭")
    session.lang = "en"  # and back, without a new run
    assert "unknown word(s) read as <unk>: zebra" in bar.notice.text()
    qtbot.waitUntil(lambda: box.button(QDialogButtonBox.StandardButton.Close).text() == "Close")
    bridge.wait_idle()
