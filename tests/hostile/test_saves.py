"""Saves never destroy what was there: no overwriting without ``--force`` (never the
shipped models), the target checked writable before any training, and a failed save
(a full disk) leaves the previous files intact and no partial file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hostile_kit import (
    ERROR,
    SHIPPED,
    SRC,
    Hostile,
    model_folder,
    refused,
    tmpfs,
    tree_hash,
)

TGT = "Die Zeit fliegt wie ein Pfeil"
MODEL_FILES = {"model.safetensors", "config.json", "vocab.json"}


def _train(out: Path | str, *more: str) -> list[str]:
    return ["train", "--preset", "demo-de", "--steps", "0", "--out", str(out), *more]


def test_train_refuses_to_replace_a_model(hostile: Hostile) -> None:
    model_folder(hostile.world / "m")
    o = hostile.run(*_train("m"))
    refused(o, "already holds a model", "--force")
    assert o.cpu_s < 5  # refused before the corpus or the model was built


def test_train_refuses_a_users_config_json(hostile: Hostile) -> None:
    (hostile.world / "mine").mkdir()
    (hostile.world / "mine" / "config.json").write_text('{"mine": true}', "utf-8")
    refused(hostile.run(*_train("mine")), "already holds a model")


def test_train_refuses_a_folder_with_other_files_and_keeps_them_with_force(
    hostile: Hostile,
) -> None:
    (hostile.world / "notes").mkdir()
    (hostile.world / "notes" / "todo.txt").write_text("keep me", "utf-8")
    refused(hostile.run(*_train("notes")), "holds other files", "todo.txt")
    o = hostile.run(*_train("notes", "--force"), may_change=("notes",))
    assert o.rc == 0, o.err
    names = {p.name for p in (hostile.world / "notes").iterdir()}
    assert names == MODEL_FILES | {"todo.txt"}  # no temporary file left
    assert (hostile.world / "notes" / "todo.txt").read_text("utf-8") == "keep me"


def test_the_shipped_models_are_no_target_without_force(hostile: Hostile) -> None:
    assets = hostile.fake_assets()
    target = assets / "models" / "demo-de"
    refused(hostile.run(*_train(target)), "shipped models", "--force")
    o = hostile.run(*_train(target, "--force"), may_change=("assets/models/demo-de",))
    assert o.rc == 0, o.err  # `make models` retrains them this way
    assert json.loads((target / "config.json").read_text("utf-8"))["steps_done"] == 0


def test_trace_refuses_to_replace_its_files(hostile: Hostile) -> None:
    (hostile.world / "t.json").write_text("{}", "utf-8")  # a user's file beside the .npz
    refused(hostile.run("trace", SRC, "--target", TGT, "--out", "t.npz"), "t.json", "--force")
    o = hostile.run(
        "trace", SRC, "--target", TGT, "--out", "t.npz", "--force", may_change=("t.npz", "t.json")
    )
    assert o.rc == 0, o.err
    assert {p.name for p in hostile.world.iterdir()} == {"t.npz", "t.json"}


@pytest.mark.parametrize("out", ["/proc/x", "afile/model"], ids=["proc", "through-a-file"])
def test_an_unwritable_out_is_refused_before_training(out: str, hostile: Hostile) -> None:
    (hostile.world / "afile").write_text("a file, not a folder", "utf-8")
    o = hostile.run("train", "--preset", "demo-de", "--out", out)
    refused(o, "cannot write to")
    assert o.cpu_s < 5  # no training happened (3000 steps would take minutes)


def test_a_read_only_folder_is_refused_before_training(hostile: Hostile) -> None:
    with tmpfs(hostile.world / "ro", "64k", readonly=True) as ro:
        o = hostile.run("train", "--preset", "demo-de", "--out", ro / "model")
        refused(o, "cannot write to", "Read-only")
        assert o.cpu_s < 5


def test_a_full_disk_keeps_the_previous_model(hostile: Hostile) -> None:
    """Retraining (with --force) into a model on a disk with no room for a second copy:
    the save fails with one line, and the old model is intact, with no partial file."""
    with tmpfs(hostile.world / "disk", "1100k") as disk:
        model_folder(disk / "m")
        before = tree_hash(disk)
        o = hostile.run(*_train(disk / "m", "--force"))
        assert o.rc == 2, o
        assert "Traceback" not in o.err  # the progress bar, then one error line
        assert o.err_lines[-1].startswith(ERROR) and "No space left" in o.err_lines[-1]
        assert tree_hash(disk) == before


def test_a_full_disk_keeps_the_previous_session_file(hostile: Hostile) -> None:
    with tmpfs(hostile.world / "disk", "1100k") as disk:
        code = (
            "import os\n"
            "from core.session import Session\n"
            "s = Session.open_builtin('en-de')\n"
            "assert s.save_file('disk/s.tsim')\n"
            "open('disk/filler', 'wb').write(b'x' * (os.statvfs('disk').f_bavail"
            " * os.statvfs('disk').f_frsize - 4096))\n"
            "print(s.save_file('disk/s.tsim'))\n"
            "print(s.error)\n"
        )
        o = hostile.run(code=code, may_change=("disk",))
        assert o.rc == 0, o.err
        ok, error = o.out.splitlines()[:2]
        assert ok == "False" and "No space left" in error
        names = sorted(os.listdir(disk))
        assert names == ["filler", "s.tsim"]  # the old file, and no temporary one
        assert (disk / "s.tsim").stat().st_size > 100_000


def test_a_model_saved_from_the_window_keeps_the_other_files(hostile: Hostile) -> None:
    """Saving a model from the window into a folder that holds a session: atomic, and the
    session file is kept."""
    folder = hostile.world / "f"
    folder.mkdir()
    (folder / "keep.tsim").write_bytes(b"not really a session")
    code = (
        "from core.session import Session\n"
        "s = Session.open_builtin('en-de')\n"
        "print(s.save_model('f'))\n"
    )
    o = hostile.run(code=code, may_change=("f",))
    assert o.out.strip() == "True", o.err
    assert {p.name for p in folder.iterdir()} == MODEL_FILES | {"keep.tsim"}
    assert (folder / "keep.tsim").read_bytes() == b"not really a session"
    assert (folder / "model.safetensors").read_bytes() == (
        SHIPPED / "model.safetensors"
    ).read_bytes()
