"""The engine's messages to a person, in English and Chinese, without Qt.

The engine speaks English on the command line, but a window user who reads Chinese
meets the same messages (an empty sentence, an unknown word, a patch that does not
fit). So a message is raised or returned as a ``Msg``: a ``str`` holding the English
text (``str(e)``, tracebacks and the command line are unchanged) that also keeps its
key and arguments, so the window can render it again in the session's language
(``Msg.in_lang``). The templates live in ``assets/text/messages.{en,zh}.json``, one
entry per key, with the same ``str.format`` placeholders in both (a test checks).

    raise InputError(msg("empty_sentence"))
    session.error.in_lang("zh")  # when it is a Msg; plain text stays as it is

An argument may itself be a ``Msg`` (a reason inside "could not open …: {reason}"):
it is rendered in the same language. ``text_in(value, lang)`` is the one call a
window needs: a ``Msg`` in ``lang``, any other text as it is.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from typing import Any

from core import assets

LANGS = ("en", "zh")


@cache
def templates(lang: str) -> dict[str, str]:
    """key -> ``str.format`` template of one language (``assets/text/messages.*.json``)."""
    raw = assets.path("text", f"messages.{lang}.json").read_text("utf-8")
    table = json.loads(raw)
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise RuntimeError(f"messages.{lang}.json must map keys to text")
    return table


def render(key: str, lang: str, args: dict[str, Any]) -> str:
    """The message ``key`` in ``lang`` (English where a language lacks it)."""
    table = templates(lang if lang in LANGS else "en")
    template = table.get(key) or templates("en")[key]
    shown = {k: text_in(v, lang) if isinstance(v, str) else v for k, v in args.items()}
    return template.format(**shown)


class Msg(str):
    """English text that remembers how to say itself in another language.

    Equal to, and hashed as, its English text: code comparing messages (a view that
    clears "its" error) works unchanged. Pickles with its key, so a message crossing
    the training process' queue stays translatable."""

    key: str
    args: dict[str, Any]

    def __new__(cls, key: str, /, **args: Any) -> Msg:
        self = super().__new__(cls, render(key, "en", args))
        self.key, self.args = key, args
        return self

    def in_lang(self, lang: str) -> str:
        return render(self.key, lang, self.args)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.key, self.args))


def _rebuild(key: str, args: dict[str, Any]) -> Msg:
    return Msg(key, **args)


def msg(key: str, /, **args: Any) -> Msg:
    """The message ``key`` with its arguments (English as text, other languages on request)."""
    return Msg(key, **args)


def text_in(value: object, lang: str) -> str:
    """What to show a person: a ``Msg`` in ``lang``; other text as it is."""
    if isinstance(value, Msg):
        return value.in_lang(lang)
    return "" if value is None else str(value)


def message_of(error: BaseException) -> str:
    """An exception's one-line message, keeping a ``Msg`` (its first argument) intact:
    ``str(error)`` would turn it into plain English."""
    first = error.args[0] if len(error.args) == 1 else None
    return first if isinstance(first, Msg) else str(error)


def joined(parts: Iterable[str], sep: str = ", ") -> str:
    """Names joined for a message (tokens, files): data, shown as it is in every language."""
    return sep.join(parts)
