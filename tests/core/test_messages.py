"""The engine's messages: English as text (the command line unchanged), Chinese on
request, the same keys and placeholders in both tables, every key the code raises
present in them."""

from __future__ import annotations

import ast
import json
import pickle
import re
from pathlib import Path

import pytest

from core.messages import Msg, message_of, msg, templates, text_in
from core.tokenizer import check_text

ROOT = Path(__file__).resolve().parents[2]
TABLES = {lang: ROOT / "assets" / "text" / f"messages.{lang}.json" for lang in ("en", "zh")}
CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")


def named() -> tuple[set[str], set[str]]:
    """The string constants of core/ and visualizer/, and the leading text of their
    f-strings: a key chosen at run time (``f"session_model_{reason}"``) is named there."""
    constants, prefixes = set(), set()
    for path in sorted((ROOT / "core").rglob("*.py")) + sorted((ROOT / "visualizer").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                constants.add(node.value)
            elif isinstance(node, ast.JoinedStr) and node.values:
                first = node.values[0]
                if isinstance(first, ast.Constant) and len(str(first.value)) >= 4:
                    prefixes.add(str(first.value))
    return constants, prefixes


def used_keys() -> dict[str, str]:
    """key -> where, for every ``msg("key", …)`` / ``Msg("key", …)`` in core/ and visualizer/."""
    out = {}
    for path in sorted((ROOT / "core").rglob("*.py")) + sorted((ROOT / "visualizer").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("msg", "Msg")
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                out[str(node.args[0].value)] = f"{path.relative_to(ROOT)}:{node.lineno}"
    return out


def test_both_tables_have_the_same_keys_and_every_used_key() -> None:
    en, zh = (json.loads(TABLES[k].read_text("utf-8")) for k in ("en", "zh"))
    assert sorted(en.keys() - zh.keys()) == [] and sorted(zh.keys() - en.keys()) == []
    used = used_keys()
    assert len(used) > 40  # the scan finds the converted messages
    missing = {k: w for k, w in used.items() if k not in en}
    assert not missing, f"keys used but not in messages.en.json: {missing}"
    constants, prefixes = named()
    unused = sorted(
        k for k in en if k not in constants and not any(k.startswith(p) for p in prefixes)
    )
    assert not unused, f"keys no code names: {unused}"


def test_english_is_english_and_chinese_is_chinese() -> None:
    en, zh = templates("en"), templates("zh")
    for key in en:
        assert not CJK.search(en[key]), key
        assert CJK.search(zh[key]), f"{key}: no Chinese in {zh[key]!r}"
        assert en[key] != zh[key], key


def test_a_raised_message_keeps_its_english_text_and_says_itself_in_chinese() -> None:
    with pytest.raises(ValueError) as caught:
        check_text("   ")
    assert str(caught.value) == "the sentence is empty: type a few words"  # the CLI's line
    kept = message_of(caught.value)
    assert isinstance(kept, Msg)
    assert kept == "the sentence is empty: type a few words"
    assert text_in(kept, "zh") == "句子是空的：请输入几个词"
    assert text_in("plain text", "zh") == "plain text"  # not a message: shown as it is
    assert message_of(ValueError("plain")) == "plain"


def test_arguments_and_nested_messages_render_in_the_same_language() -> None:
    inner = msg("model_folder_not_found", folder="/x")
    outer = msg("could_not_save_model", path="/y", reason=inner)
    assert str(outer) == "could not save the model to /y: model folder not found: /x"
    assert outer.in_lang("zh") == "无法把模型保存到 /y：找不到模型文件夹：/x"
    sized = msg("file_too_big", size=12345, limit=1000)
    assert str(sized) == "12,345 bytes; the limit is 1,000"
    assert sized.in_lang("zh") == "12,345 字节；上限是 1,000 字节"


def test_a_message_survives_pickling_as_the_training_process_sends_it() -> None:
    m = msg("training_ended", code=1)
    back = pickle.loads(pickle.dumps(m))
    assert isinstance(back, Msg) and back == m and back.in_lang("zh") == m.in_lang("zh")
    assert "退出码 1" in back.in_lang("zh")
