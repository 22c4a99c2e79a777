"""Saves that never destroy (core.atomic): complete or not at all, and targets refused
before the work when they must not or cannot be written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core import atomic

FILES = {"model.safetensors": b"w" * 1000, "vocab.json": b"{}", "config.json": b'{"x": 1}'}


def _disk_full_on(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Writing a file whose name contains ``name`` fails as on a full disk."""
    real = Path.write_bytes

    def write_bytes(self: Path, data: bytes) -> int:
        if name in self.name:
            real(self, data[: len(data) // 2])
            raise OSError(28, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", write_bytes)


def test_a_new_folder_appears_complete(tmp_path: Path) -> None:
    out = atomic.write_folder(tmp_path / "a" / "b" / "model", FILES)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == FILES
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a"]  # no temporary folder left
    assert oct(out.stat().st_mode & 0o777) == oct(0o777 & ~_umask())


def test_a_failed_new_folder_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _disk_full_on("vocab", monkeypatch)
    with pytest.raises(OSError, match="space"):
        atomic.write_folder(tmp_path / "a" / "model", FILES)
    assert list(tmp_path.iterdir()) == []  # not even the parent it created


def test_a_failed_save_into_a_folder_keeps_every_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "m"
    atomic.write_folder(out, FILES)
    (out / "notes.txt").write_text("mine", "utf-8")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    _disk_full_on("config", monkeypatch)  # the last file fails: the others were staged
    new = {name: data + b" new" for name, data in FILES.items()}
    with pytest.raises(OSError, match="space"):
        atomic.write_folder(out, new)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    monkeypatch.undo()
    atomic.write_folder(out, new)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == new | {"notes.txt": b"mine"}


def test_staged_files_replace_together_or_not_at_all(tmp_path: Path) -> None:
    a, b = tmp_path / "t.npz", tmp_path / "t.json"
    a.write_text("old a")
    b.write_text("old b")
    os.chmod(a, 0o640)
    with pytest.raises(RuntimeError), atomic.staged(a, b) as (ta, tb):
        ta.write_text("new a")
        raise RuntimeError("the second file could not be made")
    assert (a.read_text(), b.read_text()) == ("old a", "old b")
    with atomic.staged(a, b) as (ta, tb):
        ta.write_text("new a")
        tb.write_text("new b")
    assert (a.read_text(), b.read_text()) == ("new a", "new b")
    assert a.stat().st_mode & 0o777 == 0o640  # the old file's permissions kept
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.json", "t.npz"]


def test_check_target_folder(tmp_path: Path) -> None:
    atomic.check_target_folder(tmp_path / "new" / "model")
    assert not (tmp_path / "new").exists()  # a check creates nothing
    (tmp_path / "empty").mkdir()
    atomic.check_target_folder(tmp_path / "empty")
    atomic.write_folder(tmp_path / "model", FILES)
    with pytest.raises(atomic.TargetError, match="already holds a model; pass --force"):
        atomic.check_target_folder(tmp_path / "model")
    atomic.check_target_folder(tmp_path / "model", force=True)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "a.txt").write_text("x")
    with pytest.raises(atomic.TargetError, match="holds other files"):
        atomic.check_target_folder(tmp_path / "other")
    (tmp_path / "file").write_text("x")
    with pytest.raises(atomic.TargetError, match="is a file"):
        atomic.check_target_folder(tmp_path / "file")
    with pytest.raises(atomic.TargetError, match="not a folder"):
        atomic.check_target_folder(tmp_path / "file" / "model")
    with pytest.raises(atomic.TargetError, match="cannot write"):
        atomic.check_target_folder("/proc/transformer-sim-model")


def test_the_shipped_models_need_force() -> None:
    shipped = atomic.shipped_models() / "demo-de"
    with pytest.raises(atomic.TargetError, match="shipped models"):
        atomic.check_target_folder(shipped)


def test_check_target_files(tmp_path: Path) -> None:
    atomic.check_target_files([tmp_path / "t.npz", tmp_path / "t.json"])
    (tmp_path / "t.json").write_text("{}")
    with pytest.raises(atomic.TargetError, match="exists; pass --force"):
        atomic.check_target_files([tmp_path / "t.npz", tmp_path / "t.json"])
    atomic.check_target_files([tmp_path / "t.json"], force=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
