"""Session files: an exact round trip, atomic saves, and one-line refusals of bad files."""

from __future__ import annotations

import copy
import io
import json
import pickle
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from safetensors.torch import load as load_weights
from safetensors.torch import save as save_weights

from core.breakpoints import Breakpoint, Breakpoints
from core.bundle import Bundle
from core.checkpoint import CONFIG, VOCAB, WEIGHTS
from core.interventions import edit_value, from_json, patch_from, run_with, to_json, zero_head
from core.session import Selection, Session
from core.session_file import (
    STATE,
    SessionFileError,
    check_state,
    decode_settings,
    load_session_file,
    save_session_file,
    state_of,
)
from core.trace import Trace
from core.tracing import trace_translation

SRC = "The dog sees the cat"


@pytest.fixture(scope="module")
def plain(shipped_de: Bundle) -> Trace:
    return trace_translation(shipped_de, SRC)[0]


@pytest.fixture(scope="module")
def state(shipped_de: Bundle, plain: Trace) -> dict[str, Any]:
    session = Session(shipped_de, "en-de", SRC)
    session.update(cursor=42, selection=Selection(head=2, row=1, col=3))
    session.set_decode(beam=3, max_len=20)
    marks = Breakpoints([Breakpoint("name", "dec.*.cross_attn.weights"), Breakpoint("nonfinite")])
    marks.toggle(1)
    interventions = [
        zero_head("dec.1.cross_attn", 2),
        edit_value("src.input", (0, 1, 2), 0.5, t=None),
        patch_from(plain, "t2/dec.0.ffn.out"),
    ]
    return state_of(
        session,
        breakpoints=marks.to_list(),
        watches=["enc.0.self_attn.weights", "t3/next.probs"],
        interventions=[to_json(i) for i in interventions],
        history={"loss": [3.5, 2.25, 1], "grad_norm": [10.0, float("inf")]},
    )


@pytest.fixture(scope="module")
def saved(
    shipped_de: Bundle, state: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    return save_session_file(tmp_path_factory.mktemp("tsim") / "s.tsim", shipped_de, state)


def test_state_of_a_session(state: dict[str, Any]) -> None:
    assert check_state(state) is state
    assert (state["pair"], state["source"], state["mode"], state["cursor"]) == (
        "en-de",
        SRC,
        "translate",
        42,
    )
    assert state["selection"] == {"head": 2, "row": 1, "col": 3}
    assert decode_settings(state).beam == 3 and decode_settings(state).max_len == 20


def test_round_trip_is_exact(shipped_de: Bundle, state: dict[str, Any], saved: Path) -> None:
    sent = copy.deepcopy(state)
    bundle, again = load_session_file(saved)
    assert again == sent
    a, b = shipped_de.model.state_dict(), bundle.model.state_dict()
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    assert bundle.cfg == shipped_de.cfg and bundle.pair == "en-de"
    assert bundle.src_tok.to_json() == shipped_de.src_tok.to_json()
    assert bundle.tgt_tok.to_json() == shipped_de.tgt_tok.to_json()
    marks = Breakpoints.from_list(again["breakpoints"])
    assert marks[0].pattern == "dec.*.cross_attn.weights" and not marks[1].enabled
    patch = from_json(again["interventions"][2])
    assert np.array_equal(
        np.asarray(patch.value), np.asarray(from_json(sent["interventions"][2]).value)
    )


def test_retraced_values_are_identical(shipped_de: Bundle, saved: Path, plain: Trace) -> None:
    bundle, state = load_session_file(saved)
    again, _ = trace_translation(bundle, state["source"])
    assert [s.to_json() for s in again.steps] == [s.to_json() for s in plain.steps]
    assert all(torch.equal(again.tensors[k], plain.tensors[k]) for k in plain.tensors)
    interventions = [from_json(d) for d in state["interventions"]]
    ours, ours_result = run_with(bundle, SRC, interventions)
    theirs, their_result = run_with(shipped_de, SRC, interventions)
    assert ours_result.text == their_result.text
    assert not torch.equal(ours.tensors["t2/logits"], plain.tensors["t2/logits"])
    assert all(torch.equal(ours.tensors[k], theirs.tensors[k]) for k in theirs.tensors)


# -- atomic saving -------------------------------------------------------------------------------


def test_a_failed_save_keeps_the_old_file(
    shipped_de: Bundle, state: dict[str, Any], saved: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = saved.parent / "atomic.tsim"
    save_session_file(target, shipped_de, state)
    before = target.read_bytes()
    with pytest.raises(SessionFileError, match="cursor"):
        save_session_file(target, shipped_de, {**state, "cursor": "end"})

    def disk_full(self: zipfile.ZipFile, name: str, data: bytes) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(zipfile.ZipFile, "writestr", disk_full)
    with pytest.raises(OSError, match="space"):
        save_session_file(target, shipped_de, state)
    assert target.read_bytes() == before
    assert sorted(p.name for p in target.parent.iterdir()) == ["atomic.tsim", "s.tsim"]


# -- refusals --------------------------------------------------------------------------------


def _entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _zip(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


Corrupt = Callable[[dict[str, bytes]], bytes]


def _edit_state(change: Callable[[dict[str, Any]], Any]) -> Corrupt:
    def corrupt(entries: dict[str, bytes]) -> bytes:
        data = json.loads(entries[STATE])
        change(data)
        return _zip({**entries, STATE: json.dumps(data).encode()})

    return corrupt


def _with(name: str, data: bytes) -> Corrupt:
    return lambda entries: _zip({**entries, name: data})


def _without(name: str) -> Corrupt:
    return lambda entries: _zip({k: v for k, v in entries.items() if k != name})


def _declared_size(name: str, size: int) -> Corrupt:
    """A zip whose central directory claims ``name`` inflates to ``size`` bytes."""

    def corrupt(entries: dict[str, bytes]) -> bytes:
        data = bytearray(_zip(entries))
        end = data.rfind(b"PK\x05\x06")  # end of central directory record
        (count,) = struct.unpack_from("<H", data, end + 10)
        (at,) = struct.unpack_from("<I", data, end + 16)
        for _ in range(count):
            n, m, k = struct.unpack_from("<HHH", data, at + 28)
            if data[at + 46 : at + 46 + n].decode() == name:
                struct.pack_into("<I", data, at + 24, size)  # uncompressed size
                return bytes(data)
            at += 46 + n + m + k
        raise AssertionError(f"no central directory entry for {name}")

    return corrupt


def _encrypted(data: bytes, name: str) -> bytes:
    """Mark ``name`` as encrypted (general-purpose flag bit 0) in both of its headers."""
    out = bytearray(data)
    end = out.rfind(b"PK\x05\x06")
    (count,) = struct.unpack_from("<H", out, end + 10)
    (at,) = struct.unpack_from("<I", out, end + 16)
    for _ in range(count):
        n, m, k = struct.unpack_from("<HHH", out, at + 28)
        if out[at + 46 : at + 46 + n].decode() == name:
            (local,) = struct.unpack_from("<I", out, at + 42)
            for flags_at in (at + 8, local + 6):
                (bits,) = struct.unpack_from("<H", out, flags_at)
                struct.pack_into("<H", out, flags_at, bits | 1)
            return bytes(out)
        at += 46 + n + m + k
    raise AssertionError(f"no central directory entry for {name}")


def _tampered_shape(entries: dict[str, bytes]) -> bytes:
    weights = dict(load_weights(entries[WEIGHTS]))
    name = "dec.0.cross_attn.w_q.weight"
    weights[name] = weights[name][:, :-1].contiguous()
    return _zip({**entries, WEIGHTS: save_weights(weights)})


def _pickled_weights(entries: dict[str, bytes]) -> bytes:
    return _zip({**entries, WEIGHTS: pickle.dumps(dict(load_weights(entries[WEIGHTS])))})


def _truncated(entries: dict[str, bytes]) -> bytes:
    data = _zip(entries)
    return data[: len(data) * 2 // 3]


def _duplicate_state(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
        with pytest.warns(UserWarning, match="Duplicate"):
            zf.writestr(STATE, entries[STATE])
    return buf.getvalue()


REFUSALS: dict[str, tuple[Corrupt, str]] = {
    "not a zip": (lambda e: b"just some text, not a zip", "not a zip"),
    "empty file": (lambda e: b"", "not a zip"),
    "truncated": (_truncated, "truncated"),
    "a json file": (lambda e: e[STATE], "not a zip"),
    "missing state": (_without(STATE), "missing entry 'state.json'"),
    "missing weights": (_without(WEIGHTS), "missing entry 'model.safetensors'"),
    "missing vocab": (_without(VOCAB), "missing entry 'vocab.json'"),
    "extra entry": (_with("run_me.py", b"print('hi')"), "unexpected entry 'run_me.py'"),
    "entry in a folder": (_with("x/state.json", b"{}"), "unexpected entry"),
    "duplicate entry": (_duplicate_state, "twice"),
    "huge declared state": (_declared_size(STATE, 0xFFFF0000), "declares"),
    "huge declared weights": (_declared_size(WEIGHTS, 0xFFFF0000), "declares"),
    "other compression": (lambda e: _zip(e, zipfile.ZIP_LZMA), "compression"),
    "tampered tensor shape": (_tampered_shape, "dec.0.cross_attn.w_q.weight has shape"),
    "pickled weights": (_pickled_weights, "safetensors"),
    "config not json": (_with(CONFIG, b"{oops"), "config.json"),
    "state not json": (_with(STATE, b"{oops"), "not valid JSON"),
    "state not utf-8": (_with(STATE, b"\xff\xfe{}"), "not valid JSON"),
    "state a list": (_with(STATE, b"[]"), "JSON object"),
    "state deeply nested": (_with(STATE, b"[" * 100_000 + b"]" * 100_000), "state.json"),
    "unknown version": (_edit_state(lambda d: d.update(version=2)), "version 2"),
    "version as text": (_edit_state(lambda d: d.update(version="1")), "version"),
    "other format": (_edit_state(lambda d: d.update(format="zip")), "format"),
    "unknown field": (_edit_state(lambda d: d.update(colour="red")), "colour"),
    "missing field": (_edit_state(lambda d: d.pop("cursor")), "cursor"),
    "cursor as text": (_edit_state(lambda d: d.update(cursor="3")), "cursor"),
    "cursor a bool": (_edit_state(lambda d: d.update(cursor=True)), "cursor"),
    "negative cursor": (_edit_state(lambda d: d.update(cursor=-1)), "cursor"),
    "source a number": (_edit_state(lambda d: d.update(source=5)), "source"),
    "unknown mode": (_edit_state(lambda d: d.update(mode="fly")), "mode"),
    "decode a list": (_edit_state(lambda d: d.update(decode=[1])), "decode"),
    "decode field text": (_edit_state(lambda d: d["decode"].update(beam="3")), "decode.beam"),
    "decode unknown field": (_edit_state(lambda d: d["decode"].update(speed=1)), "speed"),
    "decode out of range": (_edit_state(lambda d: d["decode"].update(top_p=0.0)), "range"),
    "selection head text": (
        _edit_state(lambda d: d["selection"].update(head="2")),
        "selection.head",
    ),
    "selection extra key": (_edit_state(lambda d: d["selection"].update(z=1)), "selection"),
    "breakpoints an object": (_edit_state(lambda d: d.update(breakpoints={})), "breakpoints"),
    "bad breakpoint": (
        _edit_state(lambda d: d["breakpoints"].append({"kind": "absmax", "threshold": "x"})),
        "breakpoints[2]",
    ),
    "watch a number": (_edit_state(lambda d: d["watches"].append(7)), "watches[2]"),
    "bad intervention op": (
        _edit_state(lambda d: d["interventions"][0].update(op="explode")),
        "interventions[0]",
    ),
    "intervention value text": (
        _edit_state(lambda d: d["interventions"][2].update(value="__import__('os')")),
        "interventions[2]",
    ),
    "encrypted entry": (lambda e: _encrypted(_zip(e), STATE), "encrypted"),
    "many entries": (lambda e: _zip({f"x{i}": b"" for i in range(100)}), "100 entries"),
    "beam past the limit": (_edit_state(lambda d: d["decode"].update(beam=10**9)), "beam"),
    "decoding past the ceiling": (
        _edit_state(lambda d: d["decode"].update(max_len=99_999)),
        "decode.max_len",
    ),
    "seed past 2**63": (_edit_state(lambda d: d["decode"].update(seed=2**64)), "seed"),
    "temperature 1e-300": (
        _edit_state(lambda d: d["decode"].update(temperature=1e-300)),
        "temperature",
    ),
    "2,000 breakpoints": (
        _edit_state(lambda d: d.update(breakpoints=[{"kind": "nonfinite"}] * 2000)),
        "2,000 breakpoints; the limit is 200",
    ),
    "too many watches": (_edit_state(lambda d: d.update(watches=["x"] * 101)), "101 watches"),
    "history of text": (_edit_state(lambda d: d["history"].update(loss=["low"])), "history.loss"),
    "history not a list": (_edit_state(lambda d: d["history"].update(loss=1.0)), "history.loss"),
    "light block a number": (_edit_state(lambda d: d.update(light_block=3)), "light_block"),
    "light block no block": (_edit_state(lambda d: d.update(light_block="rm -rf")), "light_block"),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_refuses_malformed_session_files(case: str, saved: Path, tmp_path: Path) -> None:
    corrupt, needle = REFUSALS[case]
    bad = tmp_path / "bad.tsim"
    bad.write_bytes(corrupt(_entries(saved)))
    with pytest.raises(SessionFileError) as info:
        load_session_file(bad)
    message = str(info.value)
    assert "\n" not in message and 0 < len(message) < 400
    assert needle in message


def test_a_model_folder_or_a_pipe_is_named_for_what_it_is(tmp_path: Path) -> None:
    import os
    import shutil

    from core import assets

    model = shutil.copytree(assets.path("models", "demo-de"), tmp_path / "m")
    with pytest.raises(SessionFileError, match=r"is a folder, not a session file.*model folder"):
        load_session_file(model)
    os.mkfifo(tmp_path / "pipe.tsim")
    with pytest.raises(SessionFileError, match="a pipe"):
        load_session_file(tmp_path / "pipe.tsim")  # refused without blocking


def test_the_light_trace_block_is_kept_and_may_be_left_out(
    shipped_de: Bundle, state: dict[str, Any], tmp_path: Path
) -> None:
    """The block a large model's training step records in full (core.light_trace) comes
    back from the file; a file written before the field existed still opens."""
    path = save_session_file(tmp_path / "block.tsim", shipped_de, {**state, "light_block": "dec.1"})
    assert load_session_file(path)[1]["light_block"] == "dec.1"
    older = {k: v for k, v in state.items() if k != "light_block"}
    path = save_session_file(tmp_path / "older.tsim", shipped_de, older)
    assert "light_block" not in load_session_file(path)[1]


def test_refuses_a_missing_file_and_is_a_value_error(tmp_path: Path) -> None:
    with pytest.raises(SessionFileError, match="not found"):
        load_session_file(tmp_path / "nowhere.tsim")
    assert issubclass(SessionFileError, ValueError)


def test_loading_never_unpickles(saved: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("session loading used pickle")

    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(torch, "load", refuse)
    bundle, state = load_session_file(saved)
    assert state["source"] == SRC and bundle.pair == "en-de"
