"""The documented ceilings (core.limits): files read only when small and regular, JSON
nesting measured before parsing, models sized from their config, options in range."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core import limits
from core.config import PRESETS, ModelConfig


@pytest.mark.parametrize(
    "text, depth",
    [
        ("1", 0),
        ("[]", 1),
        ('{"a": [1, {"b": []}]}', 4),
        ('["[[[[", "\\"[[", "\\\\"]', 1),  # brackets in strings, escaped quotes, backslashes
        ('"\\\\\\"[["', 0),
        ("[" * 70 + "]" * 70, 70),
    ],
)
def test_json_depth(text: str, depth: int) -> None:
    assert limits.json_depth(text.encode()) == depth


def test_json_depth_across_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "_CHUNK", 3)
    text = '{"k\\\\\\"[": [[1], "]]]\\\\", {"x": [[[]]]}]}'
    assert limits.json_depth(text.encode()) == 6


def test_parse_json_refuses_deep_and_broken_input_in_one_line() -> None:
    assert limits.parse_json(b'{"a": [1]}') == {"a": [1]}
    for data, needle in [
        (b"[" * 100_000, "nested 100000 levels"),
        (b"{oops", "not valid JSON"),
        (b"\xff", "not UTF-8"),
        (b"1" * 5000, "not valid JSON"),
    ]:
        with pytest.raises(limits.LimitError, match=needle) as info:
            limits.parse_json(data)
        assert "\n" not in str(info.value)


def test_read_file_checks_size_and_kind_before_reading(tmp_path: Path) -> None:
    small = tmp_path / "small"
    small.write_bytes(b"12345")
    assert limits.read_file(small, 5) == b"12345"
    with pytest.raises(limits.LimitError, match="5 bytes; the limit is 4"):
        limits.read_file(small, 4)
    big = tmp_path / "big"
    with big.open("wb") as f:
        f.truncate(1 << 40)  # a terabyte that is not there
    with pytest.raises(limits.LimitError, match="the limit"):
        limits.read_file(big, 1 << 20)
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(limits.LimitError, match="not a regular file"):
        limits.read_file(tmp_path / "pipe", 100)  # never blocks
    with pytest.raises(limits.LimitError, match="not a regular file"):
        limits.read_file("/dev/zero", 100)
    with pytest.raises(IsADirectoryError):
        limits.read_file(tmp_path, 100)
    with pytest.raises(FileNotFoundError):
        limits.read_file(tmp_path / "missing", 100)


def test_every_preset_fits_the_model_budget_with_a_large_vocabulary() -> None:
    for preset in PRESETS.values():  # BPE vocabularies have 2,000 tokens; words more
        limits.check_model(preset.model, 10_000, 10_000)


def test_model_budget_counts_the_position_table() -> None:
    cfg = ModelConfig(max_len=500)
    assert limits.model_bytes(cfg, 100, 100) == 4 * (
        cfg.parameter_count(100, 100) + 500 * cfg.d_model
    )


@pytest.mark.parametrize(
    "changes, needle",
    [
        ({"max_len": 513}, "max_len 513"),
        ({"d_model": 2048, "d_ff": 8192, "n_enc_layers": 6, "n_dec_layers": 6}, "parameters"),
        ({"d_model": 64, "n_heads": 64, "max_len": 512}, "activations"),
    ],
)
def test_check_model_refuses_past_the_ceilings(changes: dict[str, int], needle: str) -> None:
    with pytest.raises(limits.LimitError, match=needle):
        limits.check_model(ModelConfig(**changes), 100, 100)


def test_a_vocabulary_too_wide_for_the_activation_budget() -> None:
    with pytest.raises(limits.LimitError, match="vocabulary"):
        limits.check_model(ModelConfig(max_len=512), 100, 100_000)


@pytest.mark.parametrize(
    "check, good, bad",
    [
        (limits.check_seed, [0, 2**63 - 1], [-1, 2**63, 10**30, True, 1.5]),
        (limits.check_temperature, [0, 0.01, 1.0, 100.0], [1e-300, 0.001, 101, float("nan")]),
        (limits.check_top_p, [0.001, 0.5, 1], [0, 1e-300, 1.01, float("inf")]),
        (limits.check_beam, [1, limits.MAX_BEAM], [0, limits.MAX_BEAM + 1, 10**9]),
        (limits.check_lr, [1e-6, 200.0], [0, -1, float("inf"), float("nan"), 1e5]),
    ],
)
def test_option_checks(check: object, good: list[object], bad: list[object]) -> None:
    assert callable(check)
    for value in good:
        assert check(value) == value
    for value in bad:
        with pytest.raises(limits.LimitError):
            check(value)


def test_picture_ceiling() -> None:
    limits.check_picture(8000, 8000)
    limits.check_picture(4000, 4000, 2)
    with pytest.raises(limits.LimitError, match="4,096,000,000 pixels"):
        limits.check_picture(8000, 8000, 8)


def test_finite_json_turns_non_finite_numbers_into_null() -> None:
    value = {"a": [1.0, float("nan"), {"b": float("inf")}], "c": "NaN", "d": 3}
    assert limits.finite_json(value) == {"a": [1.0, None, {"b": None}], "c": "NaN", "d": 3}
