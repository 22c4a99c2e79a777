"""Hostile files and options that ask for unbounded memory or time: each is refused
before the work starts (one line, exit 2), or runs to a bounded end, in a process
held to ``core.limits.PROCESS_MEMORY``."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from hostile_kit import (
    SHIPPED,
    SRC,
    Hostile,
    model_folder,
    patch_central,
    refused,
    session_file,
    sparse,
    state,
)

from core import limits

GiB = limits.GiB

# -- decoding length and model size ------------------------------------------------------------


def test_a_session_whose_model_never_ends_with_a_huge_max_len_is_refused(
    hostile: Hostile,
) -> None:
    model = model_folder(hostile.world / "m", max_len=100_000, never_eos=True)
    decode = state()["decode"] | {"max_len": 99_999}
    tsim = session_file(hostile.world / "s.tsim", model, state(decode=decode))
    refused(hostile.run("open", tsim, timeout=30), "s.tsim")


def test_the_same_model_as_a_folder_is_refused(hostile: Hostile) -> None:
    model = model_folder(hostile.world / "m", max_len=100_000, never_eos=True)
    refused(hostile.run("translate", "--model", model, SRC), "max_len 100,000", "512")


def test_a_config_with_max_len_ten_million_is_refused(hostile: Hostile) -> None:
    model = model_folder(hostile.world / "m", max_len=10_000_000)
    refused(hostile.run("translate", "--model", model, SRC), "max_len 10,000,000")


def test_a_model_that_never_says_eos_stops_at_its_max_len(hostile: Hostile) -> None:
    """At the ceiling (max_len 512) the translation ends after 511 tokens, with a warning."""
    model = model_folder(hostile.world / "m", max_len=limits.MAX_MODEL_LEN, never_eos=True)
    o = hostile.run("translate", "--model", model, SRC)
    assert o.rc == 0, o.err
    assert len(o.out.splitlines()) == 1
    assert "length limit (511 tokens)" in o.err
    assert "Traceback" not in o.err


def test_tracing_such_a_model_in_a_session_stops_at_the_trace_budget(hostile: Hostile) -> None:
    """The window's traced translation keeps every tensor of every step: it stops at
    ``TRACE_BYTES`` with one message, and the session stays usable."""
    model = model_folder(hostile.world / "m", max_len=limits.MAX_MODEL_LEN, never_eos=True)
    decode = state()["decode"] | {"max_len": limits.MAX_DECODE_LEN}
    session_file(hostile.world / "s.tsim", model, state(decode=decode))
    o = hostile.run(
        code=(
            "from core.session import Session\n"
            "s = Session.open_builtin('en-de')\n"
            "before = len(s.trace.steps)\n"
            "s.open_file('s.tsim')\n"
            "print(s.error)\n"
            "s.source = 'The dog sees the cat'\n"  # still usable afterwards
            "print(len(s.trace.steps) == before or len(s.trace.steps) > 0)\n"
        )
    )
    assert o.rc == 0, o.err
    assert "MiB of tensors (the limit)" in o.out.splitlines()[0]


def test_weights_past_the_model_budget_are_refused_before_loading(hostile: Hostile) -> None:
    """d_model 2048 with 6 + 6 layers: 600 M parameters, refused from the config alone."""
    model = model_folder(hostile.world / "m")
    config = json.loads((model / "config.json").read_text("utf-8"))
    config["model"] |= {"d_model": 2048, "d_ff": 8192, "n_enc_layers": 6, "n_dec_layers": 6}
    (model / "config.json").write_text(json.dumps(config), "utf-8")
    o = hostile.run("translate", "--model", model, SRC)
    refused(o, "parameters", "the limit is 256 MiB")
    assert o.rss_mib < 600


def test_attention_past_the_activation_budget_is_refused(hostile: Hostile) -> None:
    """64 dims in 64 heads at max_len 512: 64 MiB per attention map and sentence (the
    limit is 32 MiB)."""
    model = model_folder(hostile.world / "m")
    config = json.loads((model / "config.json").read_text("utf-8"))
    config["model"] |= {"n_heads": 64, "max_len": 512}
    (model / "config.json").write_text(json.dumps(config), "utf-8")
    refused(hostile.run("translate", "--model", model, SRC), "activations")


def _zeros_entry(path: Path, name: str, size: int) -> None:
    """Append ``name``: ``size`` zero bytes, deflated (a few hundred KB on disk)."""
    with (
        zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as zf,
        zf.open(name, "w", force_zip64=False) as f,
    ):
        chunk = bytes(limits.MiB)
        for _ in range(size // limits.MiB):
            f.write(chunk)


def _session_with_zero_weights(path: Path, size: int) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("state.json", json.dumps(state()))
        for name in ("config.json", "vocab.json"):
            zf.writestr(name, (SHIPPED / name).read_bytes())
    _zeros_entry(path, "model.safetensors", size)
    return path


def test_weights_that_declare_more_than_the_budget_are_refused_unread(hostile: Hostile) -> None:
    tsim = _session_with_zero_weights(hostile.world / "bomb.tsim", 300 * limits.MiB)
    assert tsim.stat().st_size < 2 * limits.MiB
    o = hostile.run("open", tsim)
    refused(o, "model.safetensors", "declares 314,572,800 bytes")
    assert o.rss_mib < 600


def test_weights_that_lie_about_their_size_stop_inflating_where_they_said(
    hostile: Hostile,
) -> None:
    tsim = _session_with_zero_weights(hostile.world / "liar.tsim", 300 * limits.MiB)
    patch_central(tsim, "model.safetensors", size=1000)
    o = hostile.run("open", tsim)
    refused(o, "model.safetensors", "damaged")  # zipfile stops at the declared size: CRC
    assert o.rss_mib < 600


def test_a_state_that_lies_about_its_size_is_refused_while_reading(hostile: Hostile) -> None:
    tsim = session_file(hostile.world / "s.tsim", state_json=b" " * (40 * limits.MiB) + b"{}")
    patch_central(tsim, "state.json", size=100)
    o = hostile.run("open", tsim)
    refused(o, "state.json", "damaged")
    assert o.rss_mib < 600


@pytest.mark.parametrize("name", ["config.json", "vocab.json", "model.safetensors"])
def test_a_sparse_six_gigabyte_model_file_is_refused_unread(name: str, hostile: Hostile) -> None:
    model = model_folder(hostile.world / "m")
    sparse(model / name, 6 * GiB, b"{")
    o = hostile.run("translate", "--model", model, SRC)
    refused(o, name, "the limit is")
    assert o.rss_mib < 600


def test_a_sparse_ten_gigabyte_session_file_is_refused_unread(hostile: Hostile) -> None:
    tsim = sparse(hostile.world / "big.tsim", 10 * GiB, b"PK\x03\x04")
    refused(hostile.run("open", tsim), "a session file holds at most")


def test_deeply_nested_json_in_a_model_folder_is_refused(hostile: Hostile) -> None:
    model = model_folder(hostile.world / "m")
    (model / "config.json").write_bytes(b"[" * 200_000 + b"]" * 200_000)
    refused(hostile.run("translate", "--model", model, SRC), "config.json", "nested")


def test_json_that_exhausts_memory_is_one_line(hostile: Hostile) -> None:
    """Within the size limit but millions of tiny lists: under a tight address space the
    parser runs out of memory, and that is still one line."""
    lists = b'{"history": {"x": [' + b"[]," * 6_000_000 + b"[]]}}"
    tsim = session_file(hostile.world / "s.tsim", state_json=lists)
    refused(hostile.run("open", tsim, memory=768 * limits.MiB), "state.json")


def test_a_central_directory_of_twenty_thousand_entries_is_refused(hostile: Hostile) -> None:
    tsim = hostile.world / "many.tsim"
    with zipfile.ZipFile(tsim, "w") as zf:
        for i in range(20_000):
            zf.writestr(f"{i}", b"")
    refused(hostile.run("open", tsim), "20000 entries")


# -- options ----------------------------------------------------------------------------------

PARSE_TIME = {
    "beam 100000": (["translate", "--beam", "100000", SRC], "--beam"),
    "beam 1000000": (["translate", "--beam", "1000000", SRC], "--beam"),
    "temperature 1e-300": (["translate", "--temperature", "1e-300", SRC], "--temperature"),
    "temperature inf": (["translate", "--temperature", "inf", SRC], "--temperature"),
    "top-p 1e-300": (["translate", "--top-p", "1e-300", SRC], "--top-p"),
    "seed 10**30": (["translate", "--seed", str(10**30), SRC], "--seed"),
    "seed 2**63": (["translate", "--seed", str(2**63), SRC], "--seed"),
    "top-k 10**30": (["translate", "--top-k", str(10**30), SRC], "--top-k"),
    "trace lr inf": (["trace", SRC, "--target", "x", "--out", "t.npz", "--lr", "inf"], "--lr"),
    "trace lr nan": (["trace", SRC, "--target", "x", "--out", "t.npz", "--lr", "nan"], "--lr"),
    "train lr nan": (["train", "--preset", "demo-de", "--out", "m", "--lr", "nan"], "--lr"),
    "train steps 10**12": (
        ["train", "--preset", "demo-de", "--out", "m", "--steps", "1" + "0" * 12],
        "--steps",
    ),
    "train seed -1": (["train", "--preset", "demo-de", "--out", "m", "--seed", "-1"], "--seed"),
    "train batch 10**9": (
        ["train", "--preset", "demo-de", "--out", "m", "--batch-size", "1" + "0" * 9],
        "--batch-size",
    ),
}


@pytest.mark.parametrize("case", list(PARSE_TIME))
def test_out_of_range_options_are_refused_when_parsed(case: str, hostile: Hostile) -> None:
    argv, needle = PARSE_TIME[case]
    o = hostile.run(*argv, timeout=30)
    refused(o, needle)
    assert o.cpu_s < 5  # refused before a model was loaded


def test_a_session_with_beam_a_billion_is_refused(hostile: Hostile) -> None:
    decode = state()["decode"] | {"beam": 10**9}
    tsim = session_file(hostile.world / "s.tsim", state_json=state(decode=decode))
    refused(hostile.run("open", tsim, timeout=30), "beam")


@pytest.mark.parametrize(
    "size, scale", [("8000x8000", "8"), ("3000x3000", "8")], ids=["8000-scale-8", "3000-scale-8"]
)
def test_record_past_the_picture_ceiling_is_refused_and_leaves_no_file(
    size: str, scale: str, hostile: Hostile
) -> None:
    argv = ["record", "--from", "0", "--to", "1", "--out", "a.gif", "--size", size]
    o = hostile.run(*argv, "--scale", scale, timeout=30)
    refused(o, "pixels", f"{limits.MAX_PICTURE_PIXELS:,}")
    # the world is unchanged: no a.gif and no .part file (checked by the harness)


# -- debugger lists ---------------------------------------------------------------------------


@pytest.mark.parametrize("count", [2_000, 20_000])
def test_a_session_with_thousands_of_breakpoints_is_refused_at_once(
    count: int, hostile: Hostile
) -> None:
    points = [{"kind": "name", "pattern": f"p{i}"} for i in range(count)]
    tsim = session_file(hostile.world / "s.tsim", state_json=state(breakpoints=points))
    o = hostile.run("open", tsim, timeout=30)
    refused(o, f"{count:,} breakpoints", f"the limit is {limits.MAX_BREAKPOINTS}")
    assert o.wall_s < 10


@pytest.mark.parametrize("what", ["watches", "interventions"])
def test_too_many_watches_or_interventions_are_refused(what: str, hostile: Hostile) -> None:
    item: object = "x" if what == "watches" else {"name": "enc.0.self_attn.weights", "op": "zero"}
    tsim = session_file(
        hostile.world / "s.tsim", state_json=state(**{what: [item] * (limits.MAX_WATCHES + 1)})
    )
    refused(hostile.run("open", tsim, timeout=30), what, "the limit is")
