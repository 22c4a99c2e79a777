"""Checkpoints: a faithful round trip, and a one-line refusal of anything malformed."""

from __future__ import annotations

import json
import os
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch
from safetensors.torch import load_file, save_file

from core import checkpoint
from core.builtin_corpus import builtin_corpus
from core.bundle import Bundle, new_bundle
from core.checkpoint import CONFIG, VOCAB, WEIGHTS, CheckpointError
from core.config import ModelConfig
from core.corpus import Corpus

ASSETS = Path(__file__).resolve().parents[2] / "assets"
SHIPPED = ASSETS / "models" / "demo-de"
LECTURE = [p.source for p in builtin_corpus("en-de").lecture]


def _assert_same_weights(a: Bundle, b: Bundle) -> None:
    sa, sb = a.model.state_dict(), b.model.state_dict()
    assert sa.keys() == sb.keys()
    for name in sa:
        assert sa[name].dtype == sb[name].dtype, name
        assert torch.equal(sa[name], sb[name]), name


def test_round_trip_is_exact(shipped_de: Bundle, tmp_path: Path) -> None:
    out = checkpoint.save(tmp_path / "nested" / "model", shipped_de, extra={"note": "hi"})
    assert out == tmp_path / "nested" / "model"
    assert {p.name for p in out.iterdir()} == {WEIGHTS, CONFIG, VOCAB}
    again = checkpoint.load(out)
    _assert_same_weights(shipped_de, again)
    assert again.cfg == shipped_de.cfg
    assert again.pair == shipped_de.pair == "en-de"
    assert again.src_tok.to_json() == shipped_de.src_tok.to_json()
    assert again.tgt_tok.to_json() == shipped_de.tgt_tok.to_json()
    assert not again.model.training
    for text in LECTURE:
        assert again.translate(text).text == shipped_de.translate(text).text
    config = checkpoint.read_config(out)
    assert config["note"] == "hi"
    assert config["format"] == checkpoint.FORMAT


def test_round_trip_of_a_bpe_model_with_other_shape(corpus_de: Corpus, tmp_path: Path) -> None:
    cfg = ModelConfig(
        d_model=32,
        n_heads=2,
        n_enc_layers=1,
        n_dec_layers=1,
        d_ff=48,
        norm="pre",
        positions="learned",
        final_norm=True,
        max_len=24,
    )
    bundle = new_bundle(corpus_de, cfg, tokenizer="bpe", seed=3)
    checkpoint.save(tmp_path, bundle)
    again = checkpoint.load(tmp_path)
    assert again.cfg == cfg
    assert again.src_tok.kind == again.tgt_tok.kind == "bpe"
    _assert_same_weights(bundle, again)
    text = "The dog sees the cat"
    assert again.src_tok.encode(text) == bundle.src_tok.encode(text)
    bundle.model.eval()
    assert again.translate(text).text == bundle.translate(text).text


def test_shipped_models_load() -> None:
    for name in ("demo-de", "demo-fr"):
        bundle = checkpoint.load(ASSETS / "models" / name)
        assert bundle.src_tok.kind == "word"
        assert bundle.cfg.max_len > 1


# -- refusals ------------------------------------------------------------------------------


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A writable copy of the shipped German model."""
    return Path(shutil.copytree(SHIPPED, tmp_path / "model"))


def _weights() -> dict[str, torch.Tensor]:
    # Cloned: load_file maps the file, and the folder's copy is about to be overwritten.
    return {k: v.clone() for k, v in load_file(str(SHIPPED / WEIGHTS)).items()}


def _edit_json(name: str, change: Callable[[dict[str, Any]], Any]) -> Callable[[Path], None]:
    def corrupt(folder: Path) -> None:
        data = json.loads((folder / name).read_text("utf-8"))
        change(data)
        (folder / name).write_text(json.dumps(data), "utf-8")

    return corrupt


def _edit_weights(change: Callable[[dict[str, torch.Tensor]], Any]) -> Callable[[Path], None]:
    def corrupt(folder: Path) -> None:
        state = _weights()
        change(state)
        save_file(state, str(folder / WEIGHTS))

    return corrupt


def _first(state: dict[str, torch.Tensor]) -> str:
    return sorted(state)[0]


def _truncate(folder: Path) -> None:
    data = (folder / WEIGHTS).read_bytes()
    (folder / WEIGHTS).write_bytes(data[: len(data) // 2])


def _random_bytes(folder: Path) -> None:
    gen = torch.Generator().manual_seed(0)
    noise = torch.randint(0, 256, (4096,), generator=gen, dtype=torch.uint8)
    (folder / WEIGHTS).write_bytes(bytes(noise.tolist()))


def _pickled(folder: Path) -> None:
    torch.save(_weights(), folder / WEIGHTS)


def _pickle_protocol(folder: Path) -> None:
    (folder / WEIGHTS).write_bytes(pickle.dumps(_weights()))


def _matrix(state: dict[str, torch.Tensor]) -> str:
    return next(k for k in sorted(state) if state[k].dim() == 2)


def _set_nan(state: dict[str, torch.Tensor]) -> None:
    state[_matrix(state)][0, 0] = float("nan")


def _set_inf(state: dict[str, torch.Tensor]) -> None:
    state[_matrix(state)][-1, -1] = float("-inf")


def _unlink(name: str) -> Callable[[Path], None]:
    return lambda folder: (folder / name).unlink()


def _write(name: str, content: bytes) -> Callable[[Path], None]:
    return lambda folder: (folder / name).write_bytes(content)


def _vocab_without_specials(data: dict[str, Any]) -> None:
    vocab = data["target"]["vocab"]
    data["target"]["vocab"] = [*vocab[4:5], *vocab[:4], *vocab[5:]]


REFUSALS: dict[str, tuple[Callable[[Path], None], str]] = {
    "missing weights": (_unlink(WEIGHTS), WEIGHTS),
    "missing config": (_unlink(CONFIG), CONFIG),
    "missing vocab": (_unlink(VOCAB), VOCAB),
    "weights is a folder": (lambda f: ((f / WEIGHTS).unlink(), (f / WEIGHTS).mkdir()), WEIGHTS),
    "truncated weights": (_truncate, WEIGHTS),
    "random bytes": (_random_bytes, WEIGHTS),
    "empty weights": (_write(WEIGHTS, b""), WEIGHTS),
    "torch.save pickle": (_pickled, WEIGHTS),
    "plain pickle": (_pickle_protocol, WEIGHTS),
    "wrong shape": (
        _edit_weights(lambda s: s.__setitem__(_first(s), torch.zeros(3, 3))),
        "shape",
    ),
    "wrong dtype": (
        _edit_weights(lambda s: s.__setitem__(_first(s), s[_first(s)].double())),
        "float64",
    ),
    "missing tensor": (_edit_weights(lambda s: s.pop(_first(s))), "missing"),
    "extra tensor": (
        _edit_weights(lambda s: s.__setitem__("sneaky.weight", torch.zeros(2))),
        "sneaky.weight",
    ),
    "nan weights": (_edit_weights(_set_nan), "NaN"),
    "inf weights": (_edit_weights(_set_inf), "infinite"),
    "config not json": (_write(CONFIG, b"{not json"), CONFIG),
    "config not utf-8": (_write(CONFIG, b"\xff\xfe{}"), CONFIG),
    "config deeply nested": (_write(CONFIG, b"[" * 100_000 + b"]" * 100_000), CONFIG),
    "config a list": (_write(CONFIG, b"[]"), CONFIG),
    "unknown config key": (_edit_json(CONFIG, lambda d: d["model"].update(bogus=1)), "bogus"),
    "wrong config type": (_edit_json(CONFIG, lambda d: d["model"].update(d_model="big")), "big"),
    "bool for int": (_edit_json(CONFIG, lambda d: d["model"].update(n_heads=True)), "n_heads"),
    "bad config value": (_edit_json(CONFIG, lambda d: d["model"].update(n_heads=5)), "n_heads"),
    "wrong format": (
        _edit_json(CONFIG, lambda d: d.update(format="other/9")),
        "not a transformer-sim",
    ),
    "no format": (_edit_json(CONFIG, lambda d: d.pop("format")), CONFIG),
    "no model settings": (_edit_json(CONFIG, lambda d: d.pop("model")), '"model"'),
    "model settings a list": (_edit_json(CONFIG, lambda d: d.update(model=[64])), CONFIG),
    "other shape than weights": (
        _edit_json(CONFIG, lambda d: d["model"].update(d_model=128)),
        "shape",
    ),
    "absurd size": (
        _edit_json(CONFIG, lambda d: d["model"].update(d_model=2**40, n_heads=1, d_ff=2**40)),
        CONFIG,
    ),
    "vocab not json": (_write(VOCAB, b"vocab"), VOCAB),
    "unknown tokenizer kind": (
        _edit_json(VOCAB, lambda d: d["source"].update(kind="sentencepiece")),
        "kind",
    ),
    "no target tokenizer": (_edit_json(VOCAB, lambda d: d.pop("target")), VOCAB),
    "vocab without specials first": (_edit_json(VOCAB, _vocab_without_specials), VOCAB),
    "vocab missing field": (_edit_json(VOCAB, lambda d: d["source"].pop("lowercase")), VOCAB),
    "vocab a string": (_edit_json(VOCAB, lambda d: d["source"].update(vocab="abc")), VOCAB),
    "vocab flag not bool": (
        _edit_json(VOCAB, lambda d: d["source"].update(lowercase="no")),
        VOCAB,
    ),
    "vocab one word short": (
        _edit_json(VOCAB, lambda d: d["target"]["vocab"].pop()),
        "shape",
    ),
    "max_len past the ceiling": (
        _edit_json(CONFIG, lambda d: d["model"].update(max_len=100_000)),
        "max_len 100,000",
    ),
    "a sparse 6 GB config": (
        lambda f: _sparse(f / CONFIG, 6 << 30),
        "the limit is",
    ),
    "a sparse 6 GB weights file": (
        lambda f: _sparse(f / WEIGHTS, 6 << 30),
        "the limit is",
    ),
    "a deeply nested vocab": (
        lambda f: (f / VOCAB).write_bytes(b"[" * 50_000 + b"]" * 50_000),
        "nested",
    ),
    "config a pipe": (lambda f: ((f / CONFIG).unlink(), os.mkfifo(f / CONFIG)), "regular file"),
}


def _sparse(path: Path, size: int) -> None:
    with path.open("wb") as f:
        f.truncate(size)


@pytest.mark.parametrize("case", list(REFUSALS))
def test_refuses_malformed_checkpoint(case: str, folder: Path) -> None:
    corrupt, needle = REFUSALS[case]
    corrupt(folder)
    with pytest.raises(CheckpointError) as info:
        checkpoint.load(folder)
    message = str(info.value)
    assert "\n" not in message
    assert 0 < len(message) < 400
    assert needle in message


def test_refuses_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match="not found"):
        checkpoint.load(tmp_path / "nowhere")
    (tmp_path / "file").write_text("x")
    with pytest.raises(CheckpointError, match="not found"):
        checkpoint.load(tmp_path / "file")


def test_a_failed_save_keeps_the_previous_model(
    folder: Path, fresh: Bundle, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk halfway through a save: the old three files stay as they were, and
    no temporary file is left in the folder."""
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    real = Path.write_bytes

    def disk_full(self: Path, data: bytes) -> int:
        if "vocab" in self.name:
            raise OSError(28, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", disk_full)
    with pytest.raises(OSError, match="space"):
        checkpoint.save(folder, fresh)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_config_json_is_standard_json(tmp_path: Path, shipped_de: Bundle) -> None:
    out = checkpoint.save(tmp_path / "m", shipped_de, extra={"metrics": {"loss": float("nan")}})
    text = (out / CONFIG).read_text("utf-8")
    assert "NaN" not in text
    assert json.loads(text)["metrics"]["loss"] is None


def test_checkpoint_error_is_a_value_error() -> None:
    """The command line turns ValueErrors into one line and exit status 2."""
    assert issubclass(CheckpointError, ValueError)


@pytest.fixture
def no_pickle(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every way of unpickling fail loudly (and not as a CheckpointError)."""

    class Unpickling(AssertionError):
        pass

    def refuse(*args: object, **kwargs: object) -> None:
        raise Unpickling("checkpoint loading used pickle")

    class NoUnpickler:
        def __init__(self, *args: object, **kwargs: object) -> None:
            refuse()

    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pickle, "Unpickler", NoUnpickler)
    monkeypatch.setattr(torch, "load", refuse)


@pytest.mark.usefixtures("no_pickle")
def test_loading_never_unpickles(folder: Path) -> None:
    checkpoint.load(folder)  # the real thing loads without pickle


@pytest.mark.usefixtures("no_pickle")
@pytest.mark.parametrize("case", ["torch.save pickle", "plain pickle"])
def test_pickled_weights_refused_without_unpickling(case: str, folder: Path) -> None:
    REFUSALS[case][0](folder)  # writing a pickle still works; reading one would fail loudly
    with pytest.raises(CheckpointError, match="safetensors"):
        checkpoint.load(folder)
