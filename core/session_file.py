"""``.tsim`` session files: the model and everything needed to pick up where one left off.

A session file is a zip of four entries: the checkpoint's ``model.safetensors``,
``config.json`` and ``vocab.json`` (written and validated by ``core.checkpoint``,
so a session's model is held to the same rules as a model folder) and
``state.json``: the sentence, decoding settings, mode, cursor, selection,
breakpoints, watches, interventions and training history.

Session files get mailed around, so loading trusts nothing: it never unpickles or
evaluates anything, checks each entry's declared size before reading it (a zip
bomb is refused, not inflated), accepts exactly the four entries, and checks every
JSON type. Each refusal is a ``SessionFileError`` with one line. Saving writes a
temporary file beside the target and renames it over, so a failed save never
destroys the previous file.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import stat
import tempfile
import zipfile
import zlib
from dataclasses import fields
from pathlib import Path
from typing import Any, Protocol

from core import checkpoint
from core.breakpoints import Breakpoint
from core.bundle import Bundle
from core.checkpoint import CONFIG, VOCAB, WEIGHTS, CheckpointError
from core.decode import DecodeSettings
from core.interventions import from_json as intervention_from_json
from core.navigator import Selection

FORMAT = "transformer-sim-session"
VERSION = 1
STATE = "state.json"
SUFFIX = ".tsim"
MiB = 1 << 20
# Largest uncompressed size each entry may declare: weights of the largest model a
# checkpoint accepts (float32) plus a header; generous JSON limits for big BPE
# vocabularies and long training histories.
LIMITS = {
    WEIGHTS: 4 * checkpoint.MAX_PARAMETERS + 64 * MiB,
    CONFIG: 16 * MiB,
    VOCAB: 64 * MiB,
    STATE: 64 * MiB,
}
MODES = ("translate", "train")


class SessionFileError(ValueError):
    """A session file cannot be read or written; the message is one line."""


class SessionFields(Protocol):
    """What ``state_of`` reads of a session: ``core.session.Session`` has all of it.

    Named here, not imported from ``core.session``, so this module stays below the
    session (whose ``Debugging`` half saves and opens these files)."""

    @property
    def pair(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def decode(self) -> DecodeSettings: ...
    @property
    def mode(self) -> str: ...
    @property
    def target(self) -> str: ...
    @property
    def cursor(self) -> int: ...
    @property
    def selection(self) -> Selection: ...


def save_session_file(path: str | Path, bundle: Bundle, state: dict[str, Any]) -> Path:
    """Write ``bundle`` and ``state`` (checked with ``check_state`` first) to ``path``,
    atomically: the old file stays intact until the new one is complete."""
    out = Path(path)
    try:
        state = check_state(state)
    except SessionFileError as e:
        raise SessionFileError(f"cannot save {out}: {e}") from None
    entries = checkpoint.to_bytes(bundle, extra={"saved_from": "transformer-sim session"})
    entries[STATE] = (json.dumps(state, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_DEFLATED) as zf:
                for name in (STATE, CONFIG, VOCAB, WEIGHTS):
                    zf.writestr(name, entries[name])
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, stat.S_IMODE(out.stat().st_mode) if out.exists() else 0o644)
        os.replace(tmp, out)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return out


def load_session_file(path: str | Path) -> tuple[Bundle, dict[str, Any]]:
    """Read a session file: the validated model and the validated state."""
    where = Path(path)
    entries = _read_entries(where)
    try:
        state_json = json.loads(entries[STATE].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise SessionFileError(f"{where}/{STATE}: not valid JSON ({_first_line(e)})") from None
    try:
        state = check_state(state_json)
    except SessionFileError as e:
        raise SessionFileError(f"{where}/{STATE}: {e}") from None
    try:
        bundle = checkpoint.from_bytes(entries, where)
    except CheckpointError as e:
        raise SessionFileError(str(e)) from None
    return bundle, state


def _read_entries(where: Path) -> dict[str, bytes]:
    if not where.is_file():
        raise SessionFileError(f"session file not found: {where}")
    try:
        zf = zipfile.ZipFile(where)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as e:
        raise SessionFileError(
            f"{where}: not a session file (not a zip, or truncated: {_first_line(e)})"
        ) from None
    with zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        for name in names:
            if name not in LIMITS:
                raise SessionFileError(f"{where}: unexpected entry {name!r}")
            if names.count(name) > 1:
                raise SessionFileError(f"{where}: entry {name!r} appears twice")
        missing = [n for n in LIMITS if n not in names]
        if missing:
            raise SessionFileError(f"{where}: missing entry {missing[0]!r}")
        for info in infos:  # every declared size is checked before anything is inflated
            limit = LIMITS[info.filename]
            if info.file_size > limit:
                raise SessionFileError(
                    f"{where}: entry {info.filename!r} declares {info.file_size:,} bytes "
                    f"(the limit is {limit:,})"
                )
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise SessionFileError(f"{where}: entry {info.filename!r} uses another compression")
        return {info.filename: _read_entry(zf, info, where) for info in infos}


def _read_entry(zf: zipfile.ZipFile, info: zipfile.ZipInfo, where: Path) -> bytes:
    limit = LIMITS[info.filename]
    try:
        with zf.open(info) as f:
            data = f.read(limit + 1)  # never more than the limit, whatever the header says
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as e:
        raise SessionFileError(
            f"{where}: entry {info.filename!r} is damaged ({_first_line(e)})"
        ) from None
    if len(data) > limit:
        raise SessionFileError(f"{where}: entry {info.filename!r} is larger than it says")
    return data


# -- the state ----------------------------------------------------------------------------

STATE_FIELDS = {
    "format": str,
    "version": int,
    "pair": str,
    "source": str,
    "decode": dict,
    "mode": str,
    "target": str,
    "cursor": int,
    "selection": dict,
    "breakpoints": list,
    "watches": list,
    "interventions": list,
    "history": dict,
}


def check_state(state: Any) -> dict[str, Any]:
    """Validate a session state (the JSON in ``state.json``) and return it unchanged.

    Fields: ``format`` (``"transformer-sim-session"``), ``version`` (1), ``pair``,
    ``source``, ``target`` (text), ``decode`` (every ``DecodeSettings`` field),
    ``mode`` (translate / train), ``cursor`` (a step index), ``selection``
    (``{"head", "row", "col"}``), ``breakpoints`` (``Breakpoint.to_dict`` objects),
    ``watches`` (step keys or name globs), ``interventions``
    (``core.interventions.to_json`` objects) and ``history`` (name -> list of
    numbers, e.g. ``{"loss": [...], "grad_norm": [...]}``). Numbers may be NaN or
    ±Infinity (Python's JSON spelling): a diverged run's history holds them.
    """
    if not isinstance(state, dict):
        raise SessionFileError("the state must be a JSON object")
    if state.get("format") != FORMAT:
        raise SessionFileError(f"not a transformer-sim session (format {FORMAT!r} expected)")
    version = state.get("version")
    if version != VERSION or isinstance(version, bool):
        raise SessionFileError(
            f"session version {version!r} is not supported (this program reads {VERSION})"
        )
    unknown = sorted(set(state) - set(STATE_FIELDS))
    if unknown:
        raise SessionFileError(f"unknown state field {unknown[0]!r}")
    for name, kind in STATE_FIELDS.items():
        if name not in state:
            raise SessionFileError(f"the state has no {name!r}")
        _typed(state[name], kind, name)
    try:
        _check_fields(state)
    except RecursionError:
        raise SessionFileError("the state is nested too deeply") from None
    return state


def _check_fields(state: dict[str, Any]) -> None:
    if state["mode"] not in MODES:
        raise SessionFileError(f"mode must be translate or train; got {state['mode']!r}")
    _nonnegative(state["cursor"], "cursor")
    _check_decode(state["decode"])
    sel = state["selection"]
    if set(sel) != {"head", "row", "col"}:
        raise SessionFileError('selection must have exactly "head", "row" and "col"')
    _nonnegative(sel["head"], "selection.head")
    for axis in ("row", "col"):
        if sel[axis] is not None:
            _nonnegative(sel[axis], f"selection.{axis}")
    for i, w in enumerate(state["watches"]):
        _typed(w, str, f"watches[{i}]")
    for what, parse in (("breakpoints", Breakpoint.from_dict), ("interventions", _intervention)):
        for i, item in enumerate(state[what]):
            try:
                parse(item)
            except ValueError as e:
                raise SessionFileError(f"{what}[{i}]: {_first_line(e)}") from None
    for key, values in state["history"].items():
        _typed(values, list, f"history.{key}")
        if not all(_is_number(v) for v in values):
            raise SessionFileError(f"history.{key} must be a list of numbers")


def _intervention(data: Any) -> None:
    """An intervention as ``to_json`` writes it, plus an optional ``enabled`` switch."""
    if isinstance(data, dict) and "enabled" in data:
        _typed(data["enabled"], bool, "interventions[].enabled")
        data = {k: v for k, v in data.items() if k != "enabled"}
    intervention_from_json(data)


def _check_decode(decode: dict[str, Any]) -> None:
    known = {f.name: f for f in fields(DecodeSettings)}
    if set(decode) != set(known):
        extra = sorted(set(decode) - set(known)) or sorted(set(known) - set(decode))
        raise SessionFileError(f"decode settings do not match (field {extra[0]!r})")
    defaults = DecodeSettings()
    for name, value in decode.items():
        kind = type(getattr(defaults, name))
        if kind is float and _is_number(value) and math.isfinite(value):
            continue
        if kind is int and isinstance(value, int) and not isinstance(value, bool):
            continue
        raise SessionFileError(f"decode.{name} must be a {kind.__name__}; got {value!r}")
    ok = (
        decode["beam"] >= 1
        and decode["max_len"] >= 1
        and decode["candidates"] >= 1
        and decode["top_k"] >= 0
        and decode["temperature"] >= 0
        and 0 < decode["top_p"] <= 1
    )
    if not ok:
        raise SessionFileError("decode settings out of range")


def _typed(value: Any, kind: type, name: str) -> None:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise SessionFileError(f"{name} must be {_JSON_NAMES[kind]}; got {_short(value)}")


_JSON_NAMES = {str: "text", int: "a whole number", dict: "a JSON object", list: "a JSON list"}


def _nonnegative(value: Any, name: str) -> None:
    _typed(value, int, name)
    if value < 0:
        raise SessionFileError(f"{name} must be 0 or more; got {value}")


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return text[0][:120] if text else type(e).__name__


def state_of(
    session: SessionFields,
    breakpoints: list[dict[str, Any]] | None = None,
    watches: list[str] | None = None,
    interventions: list[dict[str, Any]] | None = None,
    history: dict[str, list[float]] | None = None,
) -> dict[str, Any]:
    """A session's state as ``save_session_file`` takes it (the debugger's lists are
    passed in as JSON: ``Breakpoints.to_list()``, ``interventions.to_json``)."""
    sel = session.selection
    return {
        "format": FORMAT,
        "version": VERSION,
        "pair": session.pair,
        "source": session.source,
        "decode": {f.name: getattr(session.decode, f.name) for f in fields(DecodeSettings)},
        "mode": session.mode,
        "target": session.target,
        "cursor": session.cursor,
        "selection": {"head": sel.head, "row": sel.row, "col": sel.col},
        "breakpoints": list(breakpoints or []),
        "watches": list(watches or []),
        "interventions": list(interventions or []),
        "history": {k: list(v) for k, v in (history or {}).items()},
    }


def decode_settings(state: dict[str, Any]) -> DecodeSettings:
    """The ``DecodeSettings`` a checked state holds."""
    return DecodeSettings(**state["decode"])


__all__ = [
    "FORMAT",
    "LIMITS",
    "SUFFIX",
    "VERSION",
    "SessionFields",
    "SessionFileError",
    "check_state",
    "decode_settings",
    "load_session_file",
    "save_session_file",
    "state_of",
]
