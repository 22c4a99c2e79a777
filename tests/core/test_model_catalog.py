"""The shipped-model catalogue: every folder of assets/models listed with the shape its
own config.json says, under the right heading, and ``--model`` names resolved."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core import model_catalog
from core.config import ModelConfig

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "assets" / "models"


def _config(name: str) -> ModelConfig:
    data = json.loads((SHIPPED / name / "config.json").read_text("utf-8"))
    return ModelConfig.from_dict(data["model"])


def test_every_shipped_folder_is_listed_in_the_lecture_order() -> None:
    names = [m.name for m in model_catalog.shipped()]
    on_disk = sorted(p.name for p in SHIPPED.iterdir() if (p / "config.json").is_file())
    assert sorted(names) == on_disk
    assert names[:6] == ["demo-de", "demo-fr", "gpt-de", "moe-de", "bert-who", "vit-pets"]


@pytest.mark.parametrize(
    ("name", "arch", "ffn", "task", "group"),
    [
        ("demo-de", "encoder-decoder", "dense", "translate", "encoder-decoder"),
        ("demo-fr", "encoder-decoder", "dense", "translate", "encoder-decoder"),
        ("gpt-de", "decoder-only", "dense", "translate", "decoder-only"),
        ("moe-de", "decoder-only", "moe", "translate", "moe"),
        ("bert-who", "encoder-only", "dense", "classify-text", "encoder-only"),
        ("vit-pets", "encoder-only", "dense", "classify-picture", "encoder-only"),
    ],
)
def test_shape_and_task_come_from_the_folder(
    name: str, arch: str, ffn: str, task: str, group: str
) -> None:
    entry = {m.name: m for m in model_catalog.shipped()}[name]
    assert entry.cfg == _config(name)  # the very config the checkpoint loader reads
    assert (entry.arch, entry.ffn, entry.task, entry.group) == (arch, ffn, task, group)
    assert entry.folder.resolve() == (SHIPPED / name).resolve()
    en, zh = entry.describe("en"), entry.describe("zh")
    assert en and zh and en != zh and "\n" not in en + zh


def test_groups_hold_each_model_once() -> None:
    groups = model_catalog.by_group()
    assert list(groups) == list(model_catalog.GROUPS)
    assert [m.name for m in groups["decoder-only"]] == ["gpt-de"]
    assert [m.name for m in groups["moe"]] == ["moe-de"]
    listed = [m.name for ms in groups.values() for m in ms]
    assert sorted(listed) == sorted(m.name for m in model_catalog.shipped())
    for g in model_catalog.GROUPS:
        assert set(model_catalog.GROUP_NAMES[g]) == {"en", "zh"}


def test_a_reshaped_folder_is_listed_as_what_it_is_now(tmp_path: Path) -> None:
    data = json.loads((SHIPPED / "gpt-de" / "config.json").read_text("utf-8"))
    data["model"].update(ffn="moe", n_experts=2, top_k=2)
    (tmp_path / "config.json").write_text(json.dumps(data), "utf-8")
    entry = model_catalog.read_entry(tmp_path)
    assert (entry.group, entry.cfg.n_experts, entry.cfg.top_k) == ("moe", 2, 2)


def test_a_folder_without_a_config_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"no readable config\.json"):
        model_catalog.read_entry(tmp_path)


def test_resolve_takes_a_name_or_a_folder(tmp_path: Path) -> None:
    assert model_catalog.resolve("gpt-de").resolve() == (SHIPPED / "gpt-de").resolve()
    assert model_catalog.resolve(tmp_path) == tmp_path  # an existing folder wins
    with pytest.raises(ValueError, match="shipped: demo-de, demo-fr, gpt-de") as e:
        model_catalog.resolve("no-such-model")
    assert "\n" not in str(e.value)
    with pytest.raises(ValueError):
        model_catalog.resolve("../models/gpt-de/../nope")  # a path is never a name


def test_shipped_name_recognises_only_the_shipped_folders(tmp_path: Path) -> None:
    assert model_catalog.shipped_name(SHIPPED / "moe-de") == "moe-de"
    assert model_catalog.shipped_name(tmp_path) is None
