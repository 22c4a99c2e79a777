"""File ▸ Open model…: the local Hugging Face cache listed (name, family, size), a
double-click opens a model, a model that cannot be opened says why instead; and a
session file of a Hugging Face model on the command line (``open``)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from PySide6.QtWidgets import QTreeWidgetItem

from core.hf import FAMILIES, HFBundle
from core.hf.hf_cache import disk_size
from tests.core.hf.gpt2_kit import write_gpt2
from visualizer.assemble import SimulatorWindow
from visualizer.files.open_model_dialog import OpenModelDialog, human_size


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A hub cache with a tiny GPT-2 (``tiny/gpt2``) and a model of another family."""
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    hub = tmp_path / "hf" / "hub"
    write_gpt2(hub / "models--tiny--gpt2" / "snapshots" / "rev1")
    other = hub / "models--meta--llama" / "snapshots" / "rev2"
    other.mkdir(parents=True)
    (other / "config.json").write_text('{"model_type": "llama"}')
    monkeypatch.setattr(  # each test its own recovery folder (the window autosaves)
        "visualizer.files.files_menu.recovery_folder", lambda: tmp_path / "recovery"
    )
    return hub


def rows(dialog: OpenModelDialog) -> list[list[str]]:
    items: list[QTreeWidgetItem] = [
        dialog.tree.topLevelItem(i)  # type: ignore[misc]
        for i in range(dialog.tree.topLevelItemCount())
    ]
    return [[item.text(c) for c in range(4)] for item in items]


def test_lists_the_cache_with_family_and_size(qtbot: object, cache: Path) -> None:
    dialog = OpenModelDialog("en")
    snap = cache / "models--tiny--gpt2" / "snapshots" / "rev1"
    size = sum(p.stat().st_size for p in snap.iterdir())
    assert disk_size(snap) == size
    llama, gpt2 = rows(dialog)
    assert llama[:3] == ["meta/llama", "llama", human_size(len('{"model_type": "llama"}'))]
    assert llama[3].startswith("cannot open: model_type 'llama' is not supported")
    assert gpt2 == ["tiny/gpt2", "GPT-2", human_size(size), "Hugging Face cache"]
    assert dialog.tree.currentItem() is dialog.tree.topLevelItem(1)  # the first usable one
    dialog.relabel("zh")
    assert dialog.tree.headerItem().text(0) == "模型"
    assert rows(dialog)[1][3] == "Hugging Face 缓存"
    families = ", ".join(FAMILIES)
    assert rows(dialog)[0][3] == f"无法打开：不支持 model_type 'llama'（支持：{families}）"
    dialog.close()


def test_an_unusable_entry_says_why_instead_of_opening(qtbot: object, cache: Path) -> None:
    dialog = OpenModelDialog("en")
    got: list[str] = []
    dialog.chosen.connect(got.append)
    assert not dialog.activate(0)
    assert got == [] and not dialog.why.isHidden()
    assert "'llama' is not supported" in dialog.why.text()
    assert "\n" not in dialog.why.text()
    dialog.close()


def test_double_click_opens_the_model_in_the_window(
    make_window: object, fresh_session: object, cache: Path
) -> None:
    window: SimulatorWindow = make_window(fresh_session)  # type: ignore[operator]
    dialog = window.files.open_model_dialog()
    item = dialog.tree.topLevelItem(1)
    assert item is not None
    dialog._on_double_click(item, 0)  # what Qt calls on a double-click
    s = window.session
    assert s is not None and not s.error, s.error if s else ""
    assert isinstance(s.bundle, HFBundle)
    assert Path(s.bundle.folder) == cache / "models--tiny--gpt2" / "snapshots" / "rev1"


def test_an_empty_cache_says_where_it_looked(
    qtbot: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HOME", str(tmp_path / "none"))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    dialog = OpenModelDialog("en")
    assert dialog.tree.topLevelItemCount() == 0
    assert "No models found" in dialog.looked.text()
    assert str(tmp_path / "none" / "hub") in dialog.looked.text()
    assert not dialog.open_button.isEnabled()
    dialog.close()


def test_human_sizes() -> None:
    assert [human_size(n) for n in (0, 999, 1000, 548_105_171, 2_000_000_000_000)] == [
        "0 B",
        "999 B",
        "1.0 kB",
        "548.1 MB",
        "2000.0 GB",
    ]


def test_open_on_the_command_line_refuses_a_missing_model_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``transformer-sim open FILE.tsim``: one line on stderr and exit 2, no window."""
    from core.session import Session
    from visualizer.cli import main

    folder = tmp_path / "tiny-gpt2"
    write_gpt2(folder)
    session = Session.open_builtin("en-de")
    session.open_model(folder, "the cat")
    path = tmp_path / "s.tsim"
    assert session.save_file(path), session.error
    shutil.rmtree(folder)
    capsys.readouterr()  # what writing the folder printed
    assert main(["open", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "model folder is missing" in err[0] and str(folder) in err[0]
    assert os.path.basename(path) in err[0]


def test_autosave_keeps_a_large_hugging_face_model_by_reference(
    make_window: object, fresh_session: object, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Autosave is off past a size for embedded weights, not for a folder reference."""
    import zipfile

    import visualizer.files.files_menu as files_menu

    monkeypatch.setattr(files_menu, "AUTOSAVE_MAX_PARAMETERS", 1)  # every model is "large"
    window: SimulatorWindow = make_window(fresh_session)  # type: ignore[operator]
    files = window.files
    files.dirty = True
    assert not files.autosave()  # the built-in model's weights would be embedded
    files.open_model(str(cache / "models--tiny--gpt2" / "snapshots" / "rev1"))
    files.recovery.mkdir(parents=True)  # start_recovery's work, without its timer
    files.dirty = True
    assert files.autosave(), window.session.error if window.session else ""
    with zipfile.ZipFile(files.recovery / "last.tsim") as zf:
        assert sorted(zf.namelist()) == ["hf_model.json", "state.json"]
