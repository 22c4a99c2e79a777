"""The Hugging Face models already on this machine, for the window's Open dialog.

Two places are looked in, never the network:

- the local Hugging Face hub cache: ``$HF_HUB_CACHE``, else ``$HF_HOME/hub``, else
  ``~/.cache/huggingface/hub``, where each repository is ``models--ORG--NAME`` with
  ``snapshots/<revision>/`` folders (``refs/main`` names the current one, which is
  listed; else the newest snapshot);
- the user's data folder where ``transformer-sim fetch`` puts models
  (``core.hf.fetch.models_home()``: one folder per model, ``ORG--NAME``).

Listing reads only each ``config.json`` (size- and nesting-capped through
``core.limits``) and the file sizes: no weights are loaded, no tokenizer is built, so
listing a cache with a dozen large models costs milliseconds. Each entry says whether
it can be opened; if not, ``problem`` says why in one line (another family, an option
the engine lacks, a pickle-only folder, a model past the size limit), which the dialog
shows instead of opening it.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from pathlib import Path

from core import limits
from core.desktop import APP_ID
from core.hf import FAMILIES
from core.hf.fetch import models_home
from core.hf.hf_folder import (
    CONFIG,
    INDEX,
    PICKLES,
    WEIGHTS,
    HFFolderError,
    read_config,
    weight_files,
)
from core.messages import Msg, joined, message_of, msg

MAX_REPOS = 500  # repositories looked at in one cache (a listing, not a crawl)
MAX_FILES = 2_000  # files counted for one model's size on disk
FAMILY_NAMES = {"gpt2": "GPT-2", "bert": "BERT", "marian": "Marian"}
PREFIX = "models--"


@dataclass(frozen=True)
class CachedModel:
    """One model folder found on disk.

    ``name``: the hub name (``openai-community/gpt2``); ``family``: config.json's
    ``model_type`` ("" if unreadable); ``where``: "cache" or "fetched"; ``size``: bytes
    on disk (symbolic links into the cache's blobs followed); ``problem``: why it
    cannot be opened, "" if it can."""

    name: str
    family: str
    folder: Path
    size: int
    where: str
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


def hub_cache(env: dict[str, str] | None = None) -> Path:
    """The hub cache folder as the Hugging Face libraries pick it (the same variables)."""
    env = dict(os.environ) if env is None else env
    if env.get("HF_HUB_CACHE"):
        return Path(env["HF_HUB_CACHE"]).expanduser()
    if env.get("HF_HOME"):
        return Path(env["HF_HOME"]).expanduser() / "hub"
    xdg = env.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "huggingface" / "hub"


def list_models(cache: Path | None = None, fetched: Path | None = None) -> list[CachedModel]:
    """Every model in the hub cache, then every fetched one, each sorted by name."""
    found = [_entry(name, folder, "cache") for name, folder in _cache_snapshots(cache)]
    found += [_entry(name, folder, "fetched") for name, folder in _fetched(fetched)]
    return found


def display_name(folder: str | Path) -> str:
    """A model folder's name as the hub knows it: ``…/models--ORG--NAME/snapshots/<rev>``
    -> ``ORG/NAME``, a fetched ``…/hf/ORG--NAME`` -> ``ORG/NAME``, else the folder's name."""
    path = Path(folder)
    if path.parent.name == "snapshots" and path.parent.parent.name.startswith(PREFIX):
        return path.parent.parent.name.removeprefix(PREFIX).replace("--", "/")
    if path.parent.name == "hf" and path.parent.parent.name == APP_ID:  # fetch's folders
        return path.name.replace("--", "/")
    return path.name or str(path)


def family_name(family: str) -> str:
    """``gpt2`` -> ``GPT-2`` (the families' own spelling; the same in every language)."""
    return FAMILY_NAMES.get(family, family)


def _cache_snapshots(cache: Path | None) -> list[tuple[str, Path]]:
    root = hub_cache() if cache is None else cache
    try:
        repos = sorted(p for p in root.iterdir() if p.name.startswith(PREFIX))[:MAX_REPOS]
    except OSError:  # no cache yet, or unreadable: nothing to list
        return []
    out = []
    for repo in repos:
        snapshot = _current_snapshot(repo)
        if snapshot is not None:
            out.append((repo.name.removeprefix(PREFIX).replace("--", "/"), snapshot))
    return sorted(out, key=lambda item: item[0].lower())


def _current_snapshot(repo: Path) -> Path | None:
    """``refs/main``'s snapshot if it is there, else the newest snapshot folder."""
    try:
        ref = limits.read_file(repo / "refs" / "main", 256).decode("ascii").strip()
    except (OSError, ValueError):
        ref = ""
    if ref and "/" not in ref and (repo / "snapshots" / ref).is_dir():
        return repo / "snapshots" / ref
    try:
        snaps = [p for p in (repo / "snapshots").iterdir() if p.is_dir()]
    except OSError:
        return None
    return max(snaps, key=_mtime) if snaps else None


def _fetched(home: Path | None) -> list[tuple[str, Path]]:
    root = models_home() if home is None else home
    try:
        folders = [p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")]
    except OSError:
        return []
    out = [(p.name.replace("--", "/"), p) for p in folders[:MAX_REPOS]]
    return sorted(out, key=lambda item: item[0].lower())


def _entry(name: str, folder: Path, where: str) -> CachedModel:
    family, problem = _check(folder)
    return CachedModel(name, family, folder, disk_size(folder), where, problem)


def _check(folder: Path) -> tuple[str, str]:
    """(family, problem): what ``core.hf.load_folder`` would refuse, found from
    config.json and the file names alone. The listing's own reasons are ``Msg``s (the
    dialog shows them in its language); a family's option check says its own line."""
    if not (folder / CONFIG).is_file():
        return "", msg("hf_list_no_config")
    try:
        config = read_config(folder)
    except HFFolderError as e:
        return "", _short(message_of(e), folder)
    family = config.get("model_type")
    if not isinstance(family, str):
        return "", msg("hf_list_no_model_type")
    if family not in FAMILIES:
        return family, msg("hf_list_family", family=repr(family), families=joined(FAMILIES))
    if not (folder / WEIGHTS).is_file() and not (folder / INDEX).is_file():
        pickled = [name for name in PICKLES if (folder / name).exists()]
        key = "hf_list_pickle" if pickled else "hf_list_no_weights"
        return family, msg(key, file=pickled[0] if pickled else "")
    try:
        weight_files(folder)
        _check_options(family, config, folder)
    except (HFFolderError, limits.LimitError) as e:
        return family, _short(message_of(e), folder)
    return family, ""


def _check_options(family: str, config: dict[str, object], folder: Path) -> None:
    """The family's own config check (unsupported options, the size limit), when the
    family's module has one (``core.hf.hf_<family>.model_config``)."""
    try:
        module = importlib.import_module(f"core.hf.hf_{family}")
    except ImportError:
        return
    model_config = getattr(module, "model_config", None)
    if model_config is None:
        return
    cfg, vocab = model_config(config, str(folder / "config.json"))
    limits.check_model(cfg, vocab, vocab, real=True)  # as load_folder: a real checkpoint


def disk_size(folder: Path) -> int:
    """Bytes of the files in ``folder`` (links followed: the cache's snapshots link to
    its blobs), at most ``MAX_FILES`` files counted."""
    total, seen = 0, 0
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            seen += 1
            if seen > MAX_FILES:
                return total
            try:
                total += os.stat(os.path.join(root, name)).st_size
            except OSError:
                continue  # a dangling link (a blob being downloaded): not on disk
    return total


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _short_msg(message: Msg, folder: Path) -> str:
    """``Msg`` form of ``_short``: ``folder[/config.json]: reason`` is the reason alone,
    a path inside the folder is named from the folder."""
    path = message.args.get("path")
    if not isinstance(path, str):
        return message
    if message.key == "in_file" and path in (str(folder), str(folder / CONFIG)):
        reason = message.args["reason"]
        return _short_msg(reason, folder) if isinstance(reason, Msg) else str(reason)
    inside = path.removeprefix(f"{folder}/")
    return message if inside == path else msg(message.key, **{**message.args, "path": inside})


def _short(message: str, folder: Path) -> str:
    """A loader message without the folder's long path in front (the dialog shows it);
    a ``Msg`` stays one, so it can still be shown in the window's language."""
    if isinstance(message, Msg):
        return _short_msg(message, folder)
    text = message.splitlines()[0] if message else ""
    for prefix in (f"{folder}/config.json: ", f"{folder}: ", f"{folder}/"):
        text = text.removeprefix(prefix)
    return text.replace(f"{folder}/", "")
