"""``transformer-sim fetch NAME``: download a Hugging Face model into the user's data folder.

The one place the simulator touches the network, and only when the user types this
command: nothing else downloads at run time. Only the files the loader reads are
fetched (config, safetensors weights, tokenizer data files) — never a pickled
``pytorch_model.bin``, never code. Without a network the command says so in one line
and how to open a folder copied by hand instead.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from core import desktop
from core.messages import Msg, msg

# What core/hf reads; everything else in a hub repository is left on the hub.
FILES = [
    "config.json",
    "generation_config.json",
    "model.safetensors",
    "model-*.safetensors",
    "model.safetensors.index.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "vocab.json",
    "merges.txt",
    "vocab.txt",
    "*.spm",
]
_NAME = re.compile(r"^[A-Za-z0-9][\w.-]{0,95}(/[A-Za-z0-9][\w.-]{0,95})?$")


class FetchError(ValueError):
    """The model cannot be fetched; one line for the user."""


def models_home() -> Path:
    """Where fetched models live: ``$XDG_DATA_HOME/transformer-sim/hf`` (one folder each)."""
    return desktop.data_home() / desktop.APP_ID / "hf"


def target_folder(name: str, home: Path | None = None) -> Path:
    """``Helsinki-NLP/opus-mt-en-de`` -> ``…/hf/Helsinki-NLP--opus-mt-en-de``."""
    check_name(name)
    return (home or models_home()) / name.replace("/", "--")


def check_name(name: str) -> str:
    if not _NAME.match(name) or ".." in name:
        raise FetchError(msg("fetch_bad_name", name=repr(name)))
    return name


def _snapshot_download(**kwargs: Any) -> str:
    """The hub client's download (imported here: only this command needs it)."""
    from huggingface_hub import snapshot_download

    return str(snapshot_download(**kwargs))


def fetch(name: str, home: Path | None = None, download: Callable[..., str] | None = None) -> Path:
    """Download ``name``'s loadable files (with the hub client's progress bars) and
    return the folder; ``--model FOLDER`` opens it. A folder already fetched is reused
    file by file (the hub client skips what is there)."""
    folder = target_folder(name, home)
    fresh = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    get = download or _snapshot_download
    try:
        get(repo_id=name, local_dir=str(folder), allow_patterns=FILES)
    except Exception as e:  # the hub client raises its own, httpx's and OSError types
        if fresh:  # leave no empty folder behind a failed first download
            shutil.rmtree(folder, ignore_errors=True)
        raise FetchError(_explain(name, e)) from None
    if not (folder / "config.json").is_file():
        raise FetchError(msg("fetch_no_config", name=name))
    return folder


def _explain(name: str, e: BaseException) -> Msg:
    """One line for a failed download: offline, unknown name, gated, or the error itself."""
    kind = type(e).__name__
    text = (str(e).strip().splitlines() or [kind])[0][:160]
    if kind in ("RepositoryNotFoundError", "RevisionNotFoundError"):
        return msg("fetch_no_model", name=repr(name))
    if kind == "GatedRepoError":
        return msg("fetch_gated", name=repr(name))
    offline = (
        "LocalEntryNotFoundError",
        "ConnectError",
        "ConnectionError",
        "ConnectTimeout",
        "OfflineModeIsEnabled",
        "TimeoutException",
        "gaierror",
    )
    if kind in offline or "offline" in text.lower() or "connect" in text.lower():
        return msg("fetch_offline", name=repr(name))
    return msg("fetch_failed", name=repr(name), kind=kind, text=text)
