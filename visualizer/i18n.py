"""Interface strings in English and Simplified Chinese, switchable at run time.

Each view keeps its own strings next to its code as ``{"en": ..., "zh": ...}``
dicts and reads them through ``tr``, so switching ``session.lang`` relabels the
window without a restart. Shared labels live in ``COMMON``.
"""

from __future__ import annotations

Text = dict[str, str]

COMMON: dict[str, Text] = {
    "app": {"en": "Transformer Simulator", "zh": "Transformer 模拟器"},
    "loading": {"en": "Loading the model…", "zh": "正在加载模型…"},
    "forward": {"en": "forward", "zh": "前向"},
    "decode": {"en": "decoding", "zh": "解码"},
    "loss": {"en": "loss", "zh": "损失"},
    "backward": {"en": "backward", "zh": "反向"},
    "update": {"en": "update", "zh": "更新"},
    "step": {"en": "Step", "zh": "步骤"},
    "head": {"en": "Head", "zh": "注意力头"},
    "language": {"en": "Language", "zh": "语言"},
}


def tr(text: Text | str, lang: str) -> str:
    """The text in ``lang`` (English when missing); a COMMON key may be given by name."""
    entry = COMMON.get(text, {"en": text}) if isinstance(text, str) else text
    return entry.get(lang) or entry.get("en", "")


def say(message: object, lang: str) -> str:
    """A message from the engine in ``lang``: a ``core.messages.Msg`` (an error, a
    warning) renders itself in that language; other text is shown as it is. Duck-typed,
    so this module stays free of ``core`` (the window paints before the engine loads)."""
    in_lang = getattr(message, "in_lang", None)
    if callable(in_lang):
        return str(in_lang(lang))
    return "" if message is None else str(message)
