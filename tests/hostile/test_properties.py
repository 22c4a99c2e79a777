"""Property-based hostile input (hypothesis): generated session-file states, chapter
files, corpora and JSON. Whatever is generated, the reader answers with its own one-line
error or a valid result, never another exception; what it accepts round-trips.

Example counts are kept small: these run in ``make test`` on two cores."""

from __future__ import annotations

import json
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hostile_kit import SHIPPED, state
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import limits
from core.chapters import load_chapter, parse_chapter
from core.corpus import CorpusError, load_tsv
from core.session_file import SessionFileError, check_state, load_session_file, save_session_file
from core.tokenizer import check_text

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


def _depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    return 0


# -- JSON ---------------------------------------------------------------------------------------
@FAST
@given(json_values, st.booleans())
def test_json_depth_is_exact_for_any_json(value: Any, ascii_only: bool) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only)
    assert limits.json_depth(text.encode("utf-8")) == _depth(value)


@FAST
@given(st.binary(max_size=200) | st.text(alphabet='[]{}"\\:,0 ae', max_size=200).map(str.encode))
def test_parsing_any_bytes_is_a_value_or_one_line(data: bytes) -> None:
    try:
        limits.parse_json(data)
    except limits.LimitError as e:
        assert "\n" not in str(e)


# -- session-file states ----------------------------------------------------------------------
FIELDS = list(state())


@FAST
@given(st.sampled_from(FIELDS), json_values)
def test_any_state_field_value_is_accepted_or_refused_in_one_line(field: str, value: Any) -> None:
    broken = state(**{field: value})
    try:
        check_state(broken)
    except SessionFileError as e:
        assert "\n" not in str(e)


@FAST
@given(st.sampled_from(list(state()["decode"])), json_values | st.integers())
def test_any_decode_setting_is_accepted_or_refused_in_one_line(field: str, value: Any) -> None:
    decode = state()["decode"] | {field: value}
    try:
        checked = check_state(state(decode=decode))
    except SessionFileError as e:
        assert "\n" not in str(e)
    else:  # accepted: within every documented ceiling
        d = checked["decode"]
        assert 1 <= d["beam"] <= limits.MAX_BEAM
        assert d["max_len"] <= limits.MAX_DECODE_LEN
        assert 0 <= d["seed"] <= limits.MAX_SEED


breakpoints = st.lists(
    st.builds(
        lambda kind, pattern, threshold, enabled: {
            "kind": kind,
            "pattern": pattern,
            "threshold": threshold,
            "enabled": enabled,
        },
        st.sampled_from(["name", "kind", "absmax", "nonfinite", "gradnorm"]),
        st.text(alphabet="abc.*?", min_size=1, max_size=10),
        st.floats(0, 1e6),
        st.booleans(),
    ),
    max_size=5,
)
valid_states = st.builds(
    lambda beam, max_len, temperature, seed, bps, watches, history: state(
        decode=state()["decode"]
        | {"beam": beam, "max_len": max_len, "temperature": temperature, "seed": seed},
        breakpoints=bps,
        watches=watches,
        history={"loss": history},
    ),
    st.integers(1, limits.MAX_BEAM),
    st.integers(1, limits.MAX_DECODE_LEN),
    st.just(0.0) | st.floats(limits.MIN_TEMPERATURE, limits.MAX_TEMPERATURE),
    st.integers(0, limits.MAX_SEED),
    breakpoints,
    st.lists(st.text(alphabet="abcdef.*0123", min_size=1, max_size=12), max_size=4),
    st.lists(st.floats(allow_nan=False, allow_infinity=False), max_size=8),
)


@cache
def _bundle() -> Any:
    from core import checkpoint

    return checkpoint.load(SHIPPED)


@SLOW
@given(valid_states)
def test_valid_states_round_trip_through_a_session_file(value: dict[str, Any]) -> None:
    pattern_kinds = {"name", "kind"}
    value["breakpoints"] = [
        bp | ({} if bp["kind"] in pattern_kinds else {"pattern": ""}) for bp in value["breakpoints"]
    ]
    with tempfile.TemporaryDirectory() as tmp:
        path = save_session_file(Path(tmp) / "s.tsim", _bundle(), value)
        _, loaded = load_session_file(path)
        assert loaded == json.loads(json.dumps(value))
        assert sorted(p.name for p in Path(tmp).iterdir()) == ["s.tsim"]  # no temporary left


# -- chapter files ------------------------------------------------------------------------------
scene_keys = st.sampled_from(
    ["room", "title", "text", "pair", "source", "panels", "step", "select", "lab", "figure"]
)
texts = st.fixed_dictionaries({"en": st.text(max_size=30), "zh": st.text(max_size=30)})
scenes = st.dictionaries(scene_keys, json_values | texts, max_size=4).map(
    lambda d: {"text": {"en": "Hi", "zh": "你好"}} | d
)
chapters = st.fixed_dictionaries(
    {
        "id": st.text(alphabet="abc-_09", min_size=0, max_size=8),
        "title": texts | json_values,
        "scenes": st.lists(scenes, max_size=3) | json_values,
    }
)


@FAST
@given(chapters | json_values)
def test_any_chapter_is_parsed_or_refused_in_one_line(data: Any) -> None:
    try:
        chapter = parse_chapter(data, "gen.json")
    except ValueError as e:
        assert "\n" not in str(e) and str(e).startswith("gen.json")
    else:
        assert len(chapter.scenes) >= 1


@FAST
@given(st.binary(max_size=300) | chapters.map(lambda c: json.dumps(c).encode()))
def test_any_chapter_file_is_loaded_or_refused_in_one_line(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "c.json"
        path.write_bytes(data)
        try:
            load_chapter(path)
        except ValueError as e:
            assert "\n" not in str(e) and str(e).startswith("c.json")


# -- corpora ------------------------------------------------------------------------------------
cells = st.text(max_size=25) | st.sampled_from(["I see it.", "Ich sehe es.", "😀", "a\x00b", " "])
lines = st.lists(
    st.lists(cells, min_size=1, max_size=3).map("\t".join), min_size=0, max_size=12
).map("\n".join)


@FAST
@given(lines)
def test_any_corpus_is_read_or_refused_naming_its_line(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "c.tsv"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        try:
            corpus = load_tsv(path)
        except CorpusError as e:
            assert "\n" not in str(e) and str(path) in str(e)
        else:
            for pair in corpus.train + corpus.valid:
                check_text(pair.source)  # what training sees follows the typed-text rules
                check_text(pair.target)


@pytest.mark.parametrize("size", [limits.CORPUS_BYTES + 1])
def test_a_corpus_past_the_limit_is_refused_unread(size: int, tmp_path: Path) -> None:
    path = tmp_path / "big.tsv"
    with path.open("wb") as f:
        f.truncate(size)
    with pytest.raises(CorpusError, match="the limit"):
        load_tsv(path)
