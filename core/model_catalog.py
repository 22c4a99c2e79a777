"""The shipped models as a list to choose from: name, shape, task and a one-line blurb.

The window's Models menu and the ``--model NAME`` option of the window commands need
to know which models come with the app and what shape each one is, without loading
any weights. The shape is read from each folder's ``config.json`` (the same
``ModelConfig`` the checkpoint loader checks), so a retrained or reshaped shipped
model is listed as what it is now; only the descriptions are written here, in English
and Chinese (the article's terms: 编码器-解码器, 仅解码器, 专家, 分类头 …).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from core import assets
from core.config import ModelConfig

Group = Literal["encoder-decoder", "decoder-only", "encoder-only", "moe"]
Task = Literal["translate", "classify-text", "classify-picture"]

GROUPS: tuple[Group, ...] = ("encoder-decoder", "decoder-only", "encoder-only", "moe")
ORDER = ("demo-de", "demo-fr", "gpt-de", "moe-de", "bert-who", "vit-pets")

DESCRIPTIONS: dict[str, dict[str, str]] = {
    "demo-de": {
        "en": "English → German translator: encoder, decoder and cross-attention",
        "zh": "英语 → 德语翻译：编码器、解码器和交叉注意力",
    },
    "demo-fr": {
        "en": "English → French translator (subject-verb agreement), same shape as demo-de",
        "zh": "英语 → 法语翻译（主谓一致），结构与 demo-de 相同",
    },
    "gpt-de": {
        "en": "GPT-style English → German: the sentence is a prompt the model continues",
        "zh": "GPT 式英语 → 德语：句子是提示，模型接着写出译文",
    },
    "moe-de": {
        "en": "gpt-de with a mixture of 4 experts in every feed-forward layer (router picks 1)",
        "zh": "每个前馈层换成 4 个专家的混合专家模型（路由器每个词元选 1 个）",
    },
    "bert-who": {
        "en": "BERT-style sentence classifier: who does the action (person, animal, thing)?",
        "zh": "BERT 式句子分类：谁在做这个动作（人、动物、物）？",
    },
    "vit-pets": {
        "en": "ViT-style picture classifier: 16 patches of a 16×16 picture, cat or dog?",
        "zh": "ViT 式图片分类：16×16 图片切成 16 个图块，是猫还是狗？",
    },
}

GROUP_NAMES: dict[Group, dict[str, str]] = {
    "encoder-decoder": {"en": "Encoder-decoder", "zh": "编码器-解码器"},
    "decoder-only": {"en": "Decoder-only (GPT)", "zh": "仅解码器（GPT）"},
    "encoder-only": {"en": "Encoder-only (BERT, ViT)", "zh": "仅编码器（BERT、ViT）"},
    "moe": {"en": "Mixture of experts", "zh": "混合专家（MoE）"},
}


@dataclass(frozen=True)
class ShippedModel:
    """One model folder of ``assets/models`` as the menus show it."""

    name: str
    folder: Path
    cfg: ModelConfig
    pair: str
    task: Task
    description: dict[str, str]  # {"en": ..., "zh": ...}

    @property
    def arch(self) -> str:
        return self.cfg.arch

    @property
    def ffn(self) -> str:
        return self.cfg.ffn

    @property
    def group(self) -> Group:
        """Where the menu lists it: a mixture of experts under its own heading (the FFN
        is what sets it apart), every other model under its architecture."""
        if self.cfg.ffn == "moe":
            return "moe"
        arch: Group = self.cfg.arch
        return arch

    def describe(self, lang: str) -> str:
        return self.description.get(lang) or self.description["en"]


def models_folder() -> Path:
    return assets.path("models")


def read_entry(folder: Path) -> ShippedModel:
    """One model folder's entry from its ``config.json`` (no weights are read);
    ValueError (one line) if the file is missing or not a model config."""
    try:
        data = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ValueError(f"{folder.name}: no readable config.json ({e})") from None
    if not isinstance(data, dict) or not isinstance(data.get("model"), dict):
        raise ValueError(f"{folder.name}: config.json has no model settings")
    cfg = ModelConfig.from_dict(data["model"])
    task: Task = "translate"
    if cfg.arch == "encoder-only":
        task = "classify-picture" if cfg.inputs == "patches" else "classify-text"
    blurb = DESCRIPTIONS.get(folder.name, {"en": folder.name, "zh": folder.name})
    return ShippedModel(folder.name, folder, cfg, str(data.get("pair", "")), task, blurb)


def shipped() -> list[ShippedModel]:
    """Every shipped model, in the lecture's order (translators first), then any other
    folder of ``assets/models`` by name."""
    root = models_folder()
    folders = [p for p in root.iterdir() if (p / "config.json").is_file()]
    rank = {name: i for i, name in enumerate(ORDER)}
    folders.sort(key=lambda p: (rank.get(p.name, len(ORDER)), p.name))
    return [read_entry(p) for p in folders]


def by_group() -> dict[Group, list[ShippedModel]]:
    """The shipped models under the menu's headings, in ``GROUPS`` order."""
    out: dict[Group, list[ShippedModel]] = {g: [] for g in GROUPS}
    for m in shipped():
        out[m.group].append(m)
    return out


def resolve(name_or_dir: str | Path) -> Path:
    """``--model``: a shipped model's name (``gpt-de``) or a model folder. An existing
    folder wins over a name; anything else is a ValueError that lists the names."""
    path = Path(name_or_dir)
    if path.is_dir():
        return path
    candidate = models_folder() / str(name_or_dir)
    if path.name == str(name_or_dir) and (candidate / "config.json").is_file():
        return candidate
    names = ", ".join(m.name for m in shipped())
    raise ValueError(f"no model folder or shipped model {str(name_or_dir)!r}; shipped: {names}")


def shipped_name(folder: str | Path) -> str | None:
    """The shipped model a folder is (the Models menu ticks it), else None."""
    try:
        real = Path(folder).resolve()
    except OSError:
        return None
    root = models_folder().resolve()
    return real.name if real.parent == root and (real / "config.json").is_file() else None
