"""The Open dialog's list of local models (``core.hf.hf_cache``), on a fake hub cache
built in tmp_path the way ``huggingface_hub`` lays one out: blobs, snapshot folders of
symbolic links, ``refs/main``."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from core.hf import hf_cache
from core.hf.hf_cache import display_name, hub_cache, list_models


def snapshot(cache: Path, repo: str, rev: str, files: dict[str, bytes], main: bool = True) -> Path:
    """``models--ORG--NAME/snapshots/<rev>/`` with each file a link into ``blobs/``."""
    root = cache / ("models--" + repo.replace("/", "--"))
    snap = root / "snapshots" / rev
    snap.mkdir(parents=True)
    (root / "blobs").mkdir(exist_ok=True)
    for name, data in files.items():
        blob = root / "blobs" / f"{rev}-{name}"
        blob.write_bytes(data)
        os.symlink(os.path.relpath(blob, snap), snap / name)
    if main:
        (root / "refs").mkdir(exist_ok=True)
        (root / "refs" / "main").write_text(rev)
    return snap


def gpt2_config(**extra: object) -> bytes:
    cfg = {"model_type": "gpt2", "n_layer": 2, "n_embd": 32, "n_head": 4, "n_positions": 48}
    return json.dumps({**cfg, "vocab_size": 320, **extra}).encode()


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path / "hf-home" / "hub"


def test_the_cache_folder_follows_the_hub_variables(tmp_path: Path) -> None:
    assert hub_cache({"HF_HUB_CACHE": str(tmp_path / "a")}) == tmp_path / "a"
    assert hub_cache({"HF_HOME": str(tmp_path / "h")}) == tmp_path / "h" / "hub"
    assert hub_cache({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "huggingface" / "hub"
    assert hub_cache({}) == Path.home() / ".cache" / "huggingface" / "hub"


def test_lists_each_model_with_family_size_and_why_not(cache: Path) -> None:
    weights = b"x" * 1000
    gpt = snapshot(
        cache,
        "openai-community/gpt2",
        "abc",
        {"config.json": gpt2_config(), "model.safetensors": weights},
    )
    snapshot(cache, "meta/llama", "d1", {"config.json": b'{"model_type": "llama"}'})
    snapshot(
        cache,
        "old/bert",
        "e1",
        {
            "config.json": b'{"model_type": "bert"}',
            "pytorch_model.bin": b"pickle",
        },
    )
    snapshot(
        cache,
        "odd/gpt",
        "f1",
        {
            "config.json": gpt2_config(scale_attn_by_inverse_layer_idx=True),
            "model.safetensors": b"w",
        },
    )
    snapshot(cache, "broken/json", "g1", {"config.json": b"{not json"})
    (cache / "models--empty--repo" / "snapshots").mkdir(parents=True)  # nothing downloaded
    (cache / "datasets--some--set").mkdir(parents=True)  # not a model: not listed
    found = {m.name: m for m in list_models()}
    assert list(found) == [
        "broken/json",
        "meta/llama",
        "odd/gpt",
        "old/bert",
        "openai-community/gpt2",
    ]
    ok = found["openai-community/gpt2"]
    assert ok.ok and ok.family == "gpt2" and ok.folder == gpt and ok.where == "cache"
    config_size = len(gpt2_config())
    assert ok.size == config_size + len(weights)  # the blobs' sizes, through the links
    assert "'llama' is not supported" in found["meta/llama"].problem
    assert "pytorch_model.bin" in found["old/bert"].problem
    assert "safetensors" in found["old/bert"].problem
    assert "scale_attn_by_inverse_layer_idx" in found["odd/gpt"].problem
    assert "not valid JSON" in found["broken/json"].problem
    for m in found.values():  # one short line each, no folder path in front
        assert "\n" not in m.problem and str(m.folder) not in m.problem


def test_refs_main_picks_the_snapshot_else_the_newest(cache: Path) -> None:
    snapshot(cache, "org/a", "old", {"config.json": gpt2_config()})
    new = snapshot(cache, "org/a", "new", {"config.json": gpt2_config()}, main=False)
    os.utime(new, (2e9, 2e9))
    assert list_models()[0].folder.name == "old"  # refs/main says so
    (cache / "models--org--a" / "refs" / "main").unlink()
    assert list_models()[0].folder.name == "new"


def test_fetched_models_are_listed_after_the_cache(cache: Path, tmp_path: Path) -> None:
    from core.hf.fetch import models_home

    home = models_home()
    assert home == tmp_path / "data" / "transformer-sim" / "hf"
    folder = home / "Helsinki-NLP--opus-mt-en-de"
    folder.mkdir(parents=True)
    (folder / "config.json").write_bytes(b'{"model_type": "marian"}')
    snapshot(cache, "gpt2", "r", {"config.json": gpt2_config(), "model.safetensors": b"w"})
    models = list_models()
    assert [(m.name, m.where) for m in models] == [
        ("gpt2", "cache"),
        ("Helsinki-NLP/opus-mt-en-de", "fetched"),
    ]
    assert models[1].family == "marian" and models[1].folder == folder
    assert display_name(folder) == "Helsinki-NLP/opus-mt-en-de"


def test_no_cache_lists_nothing(cache: Path) -> None:
    assert not cache.exists()
    assert list_models() == []


def test_listing_never_reads_weights(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The weights file is only stat-ed: a listing opens config.json and nothing else."""
    snapshot(cache, "gpt2", "r", {"config.json": gpt2_config(), "model.safetensors": b"w" * 10})
    opened: list[str] = []
    real_open = os.open

    def spy(path: str, flags: int, *args: int) -> int:
        opened.append(os.fspath(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(hf_cache.limits.os, "open", spy)
    [entry] = list_models()
    assert entry.ok
    assert not [p for p in opened if p.endswith(".safetensors")]
    assert any(p.endswith("config.json") for p in opened)


def test_display_names(tmp_path: Path) -> None:
    snap = tmp_path / "models--openai-community--gpt2" / "snapshots" / "0123abc"
    assert display_name(snap) == "openai-community/gpt2"
    assert display_name(tmp_path / "my-gpt2") == "my-gpt2"
    assert display_name(tmp_path / "a--b") == "a--b"  # only fetch's own folders are renamed
