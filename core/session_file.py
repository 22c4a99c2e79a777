"""``.tsim`` session files: the model and everything needed to pick up where one left off.

A session file is a zip of four entries: the checkpoint's ``model.safetensors``,
``config.json`` and ``vocab.json`` (written and validated by ``core.checkpoint``,
so a session's model is held to the same rules as a model folder) and
``state.json``: the sentence, decoding settings, mode, cursor, selection,
breakpoints, watches, interventions and training history.

A Hugging Face model (``core.hf``: hundreds of MB of weights) is not embedded: its
session file has two entries, ``state.json`` and ``hf_model.json``, a reference to
the model's folder with a fingerprint of its config, tokenizer and weights
(``core.hf.hf_ref`` says what is hashed and why). Opening reads the folder again and
refuses, in one line, a folder that is missing or whose fingerprint differs (a
``core.messages.Msg``: English on the command line, the window's language in the
window); a missing folder is looked for in the local hub cache and the fetched models
under the same name first.

Session files get mailed around, so loading trusts nothing: it never unpickles or
evaluates anything, checks each entry's declared size before reading it (a zip
bomb is refused, not inflated), counts what each entry really inflates to against
its limit and the whole file's budget while reading (a header that lies does not
help), refuses encrypted entries and oversized central directories, accepts exactly
the four entries (or the two of a reference), parses JSON with a nesting limit, and
checks every JSON type and every count and range against ``core.limits``. Each refusal
is a ``SessionFileError`` with one line. Saving writes a temporary file beside the
target and renames it over, so a failed save never destroys the previous file.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import stat
import struct
import tempfile
import zipfile
import zlib
from dataclasses import fields
from pathlib import Path
from typing import Any, Protocol

from core import checkpoint, hf, limits
from core.breakpoints import Breakpoint
from core.bundle import Bundle
from core.checkpoint import CONFIG, VOCAB, WEIGHTS, CheckpointError
from core.decode import DecodeSettings
from core.hf.hf_ref import ENTRY as REF
from core.hf.hf_ref import ModelRef, ModelRefError, resolve
from core.interventions import from_json as intervention_from_json
from core.messages import Msg, message_of, msg
from core.navigator import Selection

FORMAT = "transformer-sim-session"
VERSION = 1
STATE = "state.json"
SUFFIX = ".tsim"
MiB = 1 << 20
# Largest uncompressed size of each entry (declared and real): weights of the largest
# model a checkpoint accepts (float32) plus a header; JSON limits for big BPE
# vocabularies and long training histories. All four together: limits.SESSION_BYTES.
LIMITS = {
    WEIGHTS: limits.WEIGHTS_BYTES,
    CONFIG: limits.CONFIG_BYTES,
    VOCAB: limits.VOCAB_BYTES,
    STATE: limits.STATE_BYTES,
    REF: limits.CONFIG_BYTES,
}
# The entries of a file: the model embedded, or referred to (a Hugging Face folder).
EMBEDDED = (STATE, CONFIG, VOCAB, WEIGHTS)
REFERRED = (STATE, REF)
MAX_CENTRAL_DIRECTORY = 64 * 1024  # four entries need a few hundred bytes
MAX_ENTRIES = 16  # more is refused unparsed; up to this, the message names the odd entry
_CHUNK = 1 * MiB
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
    @property
    def light_block(self) -> str: ...


def save_session_file(path: str | Path, bundle: Bundle, state: dict[str, Any]) -> Path:
    """Write ``bundle`` and ``state`` (checked with ``check_state`` first) to ``path``,
    atomically: the old file stays intact until the new one is complete."""
    out = Path(path)
    try:
        state = check_state(state)
    except SessionFileError as e:
        raise SessionFileError(msg("sf_cannot_save", path=str(out), reason=message_of(e))) from None
    if isinstance(bundle, hf.HFBundle):
        entries = {REF: _json_bytes(model_ref(bundle).to_json())}
    else:
        entries = checkpoint.to_bytes(bundle, extra={"saved_from": "transformer-sim session"})
    entries[STATE] = _json_bytes(state)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_DEFLATED) as zf:
                for name in REFERRED if REF in entries else EMBEDDED:
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


def model_ref(bundle: hf.HFBundle) -> ModelRef:
    """What a session file keeps of a Hugging Face model: its folder (absolute), hub
    name, family and the fingerprint taken when it was read."""
    from core.hf.hf_cache import display_name

    if not bundle.folder or not bundle.fingerprint:
        raise SessionFileError(msg("sf_no_hf_folder"))
    family = bundle.pair.removeprefix("hf:") or "?"
    folder = Path(bundle.folder).absolute()
    return ModelRef(str(folder), display_name(folder), family, bundle.fingerprint)


def _json_bytes(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def load_session_file(path: str | Path) -> tuple[Bundle, dict[str, Any]]:
    """Read a session file: the validated model and the validated state."""
    where = Path(path)
    entries = _read_entries(where)
    try:
        state_json = limits.parse_json(entries[STATE])
    except limits.LimitError as e:
        raise SessionFileError(_in(f"{where}/{STATE}", message_of(e))) from None
    try:
        state = check_state(state_json)
    except SessionFileError as e:
        raise SessionFileError(_in(f"{where}/{STATE}", message_of(e))) from None
    if REF in entries:
        return _referred_model(entries[REF], where), state
    try:
        bundle = checkpoint.from_bytes(entries, where)
    except CheckpointError as e:
        raise SessionFileError(message_of(e)) from None
    return bundle, state


def _referred_model(data: bytes, where: Path) -> Bundle:
    """The Hugging Face model ``hf_model.json`` refers to, read from its folder once
    its fingerprint matches (checked again on the loaded files)."""
    try:
        ref = ModelRef.from_json(limits.parse_json(data))
    except ValueError as e:
        raise SessionFileError(_in(f"{where}/{REF}", _reason(e))) from None
    try:
        folder = resolve(ref)
        bundle = hf.load_folder(folder)
        if bundle.fingerprint != ref.fingerprint:  # changed while it was being read
            raise ModelRefError("changed", folder=str(folder))
    except ModelRefError as e:
        raise SessionFileError(msg(f"session_model_{e.key}", file=str(where), **e.values)) from None
    except hf.HFFolderError as e:
        raise SessionFileError(_in(where, _reason(e))) from None
    return bundle


def _check_path(where: Path) -> None:
    """A regular file of at most the inflation budget (its entries can only be
    smaller compressed); a folder or a pipe is named for what it is."""
    if where.is_dir():
        model = (where / CONFIG).exists() or (where / WEIGHTS).exists()
        key = "sf_is_model_folder" if model else "sf_is_folder"
        raise SessionFileError(msg(key, path=str(where)))
    if not where.exists():
        raise SessionFileError(msg("sf_not_found", path=str(where)))
    if not where.is_file():
        what = limits.describe_path(where)
        raise SessionFileError(msg("sf_not_regular", path=str(where), what=what))
    size = where.stat().st_size
    if size > limits.SESSION_BYTES + MiB:
        raise SessionFileError(_at(where, "sf_too_big", size=size, limit=limits.SESSION_BYTES))


def _check_directory(where: Path) -> None:
    """Read the zip's end record before ``zipfile`` does: a handful of entries, a
    small central directory and no ZIP64 (which this program never writes), so a
    crafted directory of millions of entries is refused before it is parsed."""
    try:
        with where.open("rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - (1 << 16) - 22))
            tail = f.read()
    except OSError as e:
        reason = str(e.strerror or e)
        raise SessionFileError(msg("cannot_read", path=str(where), reason=reason)) from None
    end = tail.rfind(b"PK\x05\x06")
    if end < 0 or len(tail) - end < 22:
        raise SessionFileError(_at(where, "sf_not_zip"))
    count, cd_size = struct.unpack_from("<HI", tail, end + 10)
    zip64 = end >= 20 and tail[end - 20 : end - 16] == b"PK\x06\x07"
    if zip64 or count > MAX_ENTRIES or cd_size > MAX_CENTRAL_DIRECTORY:
        raise SessionFileError(
            _at(
                where,
                "sf_directory",
                count=count,
                size=cd_size,
                embedded=len(EMBEDDED),
                referred=len(REFERRED),
            )
        )


def _read_entries(where: Path) -> dict[str, bytes]:
    _check_path(where)
    _check_directory(where)
    try:
        zf = zipfile.ZipFile(where)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as e:
        raise SessionFileError(_at(where, "sf_not_zip_because", reason=_first_line(e))) from None
    with zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        expected = REFERRED if REF in names else EMBEDDED
        for name in names:
            if name not in expected:
                raise SessionFileError(_at(where, "sf_unexpected_entry", name=repr(name)))
            if names.count(name) > 1:
                raise SessionFileError(_at(where, "sf_entry_twice", name=repr(name)))
        missing = [n for n in expected if n not in names]
        if missing:
            raise SessionFileError(_at(where, "sf_missing_entry", name=repr(missing[0])))
        for info in infos:  # every declared size is checked before anything is inflated
            limit = LIMITS[info.filename]
            if info.file_size > limit:
                raise SessionFileError(
                    _at(
                        where,
                        "sf_entry_declares",
                        name=repr(info.filename),
                        size=info.file_size,
                        limit=limit,
                    )
                )
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise SessionFileError(_at(where, "sf_entry_compression", name=repr(info.filename)))
            if info.flag_bits & 0x1:
                raise SessionFileError(_at(where, "sf_entry_encrypted", name=repr(info.filename)))
        entries: dict[str, bytes] = {}
        budget = limits.SESSION_BYTES  # what all entries together may inflate to
        for info in infos:
            entries[info.filename] = _read_entry(zf, info, where, budget)
            budget -= len(entries[info.filename])
        return entries


def _read_entry(zf: zipfile.ZipFile, info: zipfile.ZipInfo, where: Path, budget: int) -> bytes:
    """Inflate one entry chunk by chunk, counting: never past its limit or what is left
    of the file's budget, whatever its header says."""
    limit = min(LIMITS[info.filename], budget)
    chunks: list[bytes] = []
    size = 0
    try:
        with zf.open(info) as f:
            while chunk := f.read(min(_CHUNK, limit + 1 - size)):
                chunks.append(chunk)
                size += len(chunk)
                if size > limit:
                    raise SessionFileError(
                        _at(where, "sf_entry_inflates", name=repr(info.filename), limit=limit)
                    )
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, RuntimeError) as e:
        raise SessionFileError(_damaged(where, info, e)) from None
    except NotImplementedError as e:
        entry = f"{where}: entry {info.filename!r}"
        raise SessionFileError(msg("in_file", path=entry, reason=_first_line(e))) from None
    except SessionFileError:
        raise
    except ValueError as e:
        raise SessionFileError(_damaged(where, info, e)) from None
    return b"".join(chunks)


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
# Fields a session file may leave out (older files): the block a large model's light
# training-step trace records in full (core.light_trace; "" = its default).
OPTIONAL_FIELDS = {"light_block": str}
BLOCK_NAME = re.compile(r"(enc|dec)\.\d{1,4}")


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
        raise SessionFileError(msg("sf_state_object"))
    if state.get("format") != FORMAT:
        raise SessionFileError(msg("sf_format", format=repr(FORMAT)))
    version = state.get("version")
    if version != VERSION or isinstance(version, bool):
        raise SessionFileError(msg("sf_version", version=repr(version), reads=VERSION))
    unknown = sorted(set(state) - set(STATE_FIELDS) - set(OPTIONAL_FIELDS))
    if unknown:
        raise SessionFileError(msg("sf_unknown_field", name=repr(unknown[0])))
    for name, kind in STATE_FIELDS.items():
        if name not in state:
            raise SessionFileError(msg("sf_no_field", name=repr(name)))
        _typed(state[name], kind, name)
    for name, kind in OPTIONAL_FIELDS.items():
        if name in state:
            _typed(state[name], kind, name)
    block = state.get("light_block", "")
    if block and not BLOCK_NAME.fullmatch(block):
        raise SessionFileError(msg("sf_light_block", block=repr(block[:40])))
    try:
        _check_fields(state)
    except RecursionError:
        raise SessionFileError(msg("sf_too_deep")) from None
    return state


def _check_fields(state: dict[str, Any]) -> None:
    if state["mode"] not in MODES:
        raise SessionFileError(msg("sf_mode", mode=repr(state["mode"])))
    _nonnegative(state["cursor"], "cursor")
    _check_decode(state["decode"])
    for what, most in (
        ("breakpoints", limits.MAX_BREAKPOINTS),
        ("watches", limits.MAX_WATCHES),
        ("interventions", limits.MAX_INTERVENTIONS),
    ):
        if len(state[what]) > most:
            raise SessionFileError(msg("sf_too_many", n=len(state[what]), what=what, limit=most))
    sel = state["selection"]
    if set(sel) != {"head", "row", "col"}:
        raise SessionFileError(msg("sf_selection"))
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
                raise SessionFileError(_in(f"{what}[{i}]", _reason(e))) from None
    for key, values in state["history"].items():
        _typed(values, list, f"history.{key}")
        if not all(_is_number(v) for v in values):
            raise SessionFileError(msg("sf_history", key=key))


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
        raise SessionFileError(msg("sf_decode_fields", name=repr(extra[0])))
    defaults = DecodeSettings()
    for name, value in decode.items():
        kind = type(getattr(defaults, name))
        if kind is float and _is_number(value) and math.isfinite(value):
            continue
        if kind is int and isinstance(value, int) and not isinstance(value, bool):
            continue
        raise SessionFileError(
            msg("sf_decode_type", name=name, kind=kind.__name__, value=repr(value))
        )
    ok = (
        decode["beam"] >= 1
        and decode["max_len"] >= 1
        and decode["candidates"] >= 1
        and decode["top_k"] >= 0
        and decode["temperature"] >= 0
        and 0 < decode["top_p"] <= 1
    )
    if not ok:
        raise SessionFileError(msg("sf_decode_range"))
    try:
        limits.check_beam(decode["beam"])
        limits.check_temperature(decode["temperature"])
        limits.check_top_p(decode["top_p"])
        limits.check_seed(decode["seed"])
        limits.check_count("decode.max_len tokens", decode["max_len"], limits.MAX_DECODE_LEN)
        limits.check_count("decode.candidates", decode["candidates"], limits.MAX_CANDIDATES)
        limits.check_count("decode.top_k", decode["top_k"], limits.MAX_TOP_K)
    except limits.LimitError as e:
        raise SessionFileError(msg("sf_decode_range_because", reason=message_of(e))) from None
    if not 0 <= decode["length_penalty"] <= limits.MAX_LENGTH_PENALTY:
        penalty = msg("sf_length_penalty", high=f"{limits.MAX_LENGTH_PENALTY:g}")
        raise SessionFileError(msg("sf_decode_range_because", reason=penalty))


def _typed(value: Any, kind: type, name: str) -> None:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        what = msg(f"sf_kind_{kind.__name__}")
        raise SessionFileError(msg("sf_typed", name=name, kind=what, got=_short(value)))


def _nonnegative(value: Any, name: str) -> None:
    _typed(value, int, name)
    if value < 0:
        raise SessionFileError(msg("sf_nonnegative", name=name, value=value))


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


def _at(where: Path, key: str, /, **args: Any) -> Msg:
    """``where: <message key>``: a message in English and Chinese."""
    return msg("in_file", path=str(where), reason=msg(key, **args))


def _in(where: str | Path, reason: str) -> Msg:
    """``where: reason`` (a ``Msg`` reason says itself in Chinese too)."""
    return msg("in_file", path=str(where), reason=reason)


def _damaged(where: Path, info: zipfile.ZipInfo, e: BaseException) -> Msg:
    return _at(where, "sf_entry_damaged", name=repr(info.filename), reason=_first_line(e))


def _reason(e: BaseException) -> str:
    """An error's reason: its ``Msg`` (translatable) or its first line."""
    kept = message_of(e)
    return kept if isinstance(kept, Msg) else _first_line(e)


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
        "light_block": session.light_block,
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
