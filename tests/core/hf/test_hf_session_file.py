"""Session files with a Hugging Face model: a reference to the folder and its fingerprint
instead of the weights; a missing or changed folder is refused with one line (English
and Chinese); a moved folder is found again in the local hub cache."""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest
import torch

from core.hf import HFBundle
from core.hf.hf_ref import fingerprint
from core.messages import Msg
from core.session import Session
from core.session_file import SessionFileError, load_session_file
from tests.core.hf.gpt2_kit import write_gpt2

PROMPT = "the cat sat"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A tiny GPT-2 of its own (each test may move, change or delete it)."""
    out = tmp_path / "tiny-gpt2"
    write_gpt2(out)
    return out


def opened(folder: Path, source: str = PROMPT) -> Session:
    session = Session.open_builtin("en-de")
    session.open_model(folder, source)
    assert not session.error, session.error
    assert isinstance(session.bundle, HFBundle)
    return session


def test_round_trip_refers_to_the_folder_and_reopens_exactly(folder: Path, tmp_path: Path) -> None:
    s = opened(folder)
    s.set_decode(beam=3)
    s.cursor = len(s.trace.steps) // 2
    s.watch("t0/logits")
    path = tmp_path / "gpt2.tsim"
    assert s.save_file(path), s.error
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == ["hf_model.json", "state.json"]
        ref = json.loads(zf.read("hf_model.json"))
    assert ref["folder"] == str(folder.absolute())
    assert ref["family"] == "gpt2" and ref["name"] == "tiny-gpt2"
    assert ref["fingerprint"] == fingerprint(folder)
    weights = (folder / "model.safetensors").stat().st_size
    assert path.stat().st_size < 4096 < weights  # the weights stay in the folder

    again = Session.open_builtin("en-de")
    assert again.open_file(path) is not None, again.error
    assert isinstance(again.bundle, HFBundle)
    assert again.bundle.folder == str(folder.absolute())
    want = s.bundle.model.state_dict()
    got = again.bundle.model.state_dict()
    assert want.keys() == got.keys()
    assert all(torch.equal(want[k], got[k]) for k in want)
    assert again.source == PROMPT and again.decode.beam == 3
    assert again.cursor == s.cursor and again.watches == ("t0/logits",)
    assert [st.key for st in again.trace.steps] == [st.key for st in s.trace.steps]
    assert again.translation is not None and s.translation is not None
    assert again.translation.generation.ids == s.translation.generation.ids


def test_a_missing_folder_is_one_line_in_both_languages(folder: Path, tmp_path: Path) -> None:
    s = opened(folder)
    path = tmp_path / "s.tsim"
    assert s.save_file(path)
    shutil.rmtree(folder)
    with pytest.raises(SessionFileError) as caught:
        load_session_file(path)
    line = str(caught.value)
    assert "\n" not in line and "missing" in line and str(folder) in line
    assert "tiny-gpt2" in line  # the model's name, to fetch or find it again
    other = Session.open_builtin("en-de")
    before = other.bundle
    assert other.open_file(path) is None
    assert other.bundle is before  # the model in the window stays
    assert isinstance(other.error, Msg)
    assert other.error == line
    zh = other.error.in_lang("zh")
    assert "不存在" in zh and str(folder) in zh and zh != line


def test_a_changed_folder_is_refused(folder: Path, tmp_path: Path) -> None:
    s = opened(folder)
    path = tmp_path / "s.tsim"
    assert s.save_file(path)
    shutil.rmtree(folder)
    write_gpt2(folder, seed=1)  # same shapes, same names, other weights
    with pytest.raises(SessionFileError, match="is not the one this session was saved with"):
        load_session_file(path)
    other = Session.open_builtin("en-de")
    assert other.open_file(path) is None
    assert isinstance(other.error, Msg) and "哈希值不同" in other.error.in_lang("zh")


def test_a_moved_folder_is_found_in_the_hub_cache(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same model under the same name elsewhere (another machine's cache) opens;
    a different model under that name does not."""
    s = opened(folder)
    path = tmp_path / "s.tsim"
    assert s.save_file(path)
    cache = tmp_path / "hf-home" / "hub"
    snap = cache / "models--tiny-gpt2" / "snapshots" / "abc"
    snap.parent.mkdir(parents=True)
    shutil.move(folder, snap)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    bundle, _ = load_session_file(path)
    assert isinstance(bundle, HFBundle) and bundle.folder == str(snap)
    shutil.rmtree(snap)
    write_gpt2(snap, seed=2)
    with pytest.raises(SessionFileError, match="missing"):
        load_session_file(path)


def test_the_fingerprint_reads_content_not_times(folder: Path, tmp_path: Path) -> None:
    """Copies and new file times keep it; other config, tokenizer or sampled weight
    bytes change it."""
    mark = fingerprint(folder)
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)  # new mtimes
    os.utime(copy / "model.safetensors", (1e9, 1e9))
    assert fingerprint(copy) == mark
    weights = copy / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 1  # the last byte is inside the last sampled block
    weights.write_bytes(bytes(data))
    assert fingerprint(copy) != mark
    data[-1] ^= 1
    weights.write_bytes(bytes(data))
    assert fingerprint(copy) == mark
    config = json.loads((copy / "config.json").read_text())
    (copy / "config.json").write_text(json.dumps({**config, "n_positions": 40}))
    assert fingerprint(copy) != mark


def test_a_tampered_reference_is_refused(folder: Path, tmp_path: Path) -> None:
    s = opened(folder)
    path = tmp_path / "s.tsim"
    assert s.save_file(path)
    with zipfile.ZipFile(path) as zf:
        state, ref = zf.read("state.json"), json.loads(zf.read("hf_model.json"))
    for bad, needle in (
        ({**ref, "extra": 1}, "unknown model reference field"),
        ({**ref, "fingerprint": "md5:0"}, "sha256"),
        ({**ref, "folder": 3}, "'folder'"),
    ):
        out = tmp_path / "bad.tsim"
        with zipfile.ZipFile(out, "w") as zf:
            zf.writestr("state.json", state)
            zf.writestr("hf_model.json", json.dumps(bad))
        with pytest.raises(SessionFileError, match=needle):
            load_session_file(out)
    mixed = tmp_path / "mixed.tsim"
    with zipfile.ZipFile(mixed, "w") as zf:
        zf.writestr("state.json", state)
        zf.writestr("hf_model.json", json.dumps(ref))
        zf.writestr("model.safetensors", b"")
    with pytest.raises(SessionFileError, match=r"unexpected entry 'model\.safetensors'"):
        load_session_file(mixed)


@pytest.mark.parametrize("family", ["bert", "marian"])
def test_bert_and_marian_sessions_refer_to_their_folders(family: str, tmp_path: Path) -> None:
    from tests.core.hf.gpt2_kit import write_bert
    from tests.core.hf.marian_kit import write_marian

    folder = tmp_path / family
    (write_bert if family == "bert" else write_marian)(folder)
    s = opened(folder, "the cat sat on the mat")
    path = tmp_path / "s.tsim"
    assert s.save_file(path), s.error
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == ["hf_model.json", "state.json"]
        assert json.loads(zf.read("hf_model.json"))["family"] == family
    bundle, _ = load_session_file(path)
    assert type(bundle) is type(s.bundle)
    want, got = s.bundle.model.state_dict(), bundle.model.state_dict()
    assert all(torch.equal(want[k], got[k]) for k in want)
