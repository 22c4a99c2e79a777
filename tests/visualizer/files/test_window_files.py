"""The File menu's session files, recent files, drag and drop, autosave and recovery."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

import visualizer.files.files_menu as window_files
from core.breakpoints import Breakpoint
from core.session import Session
from visualizer.assemble import SimulatorWindow


@pytest.fixture(autouse=True)
def _own_recovery_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test gets its own recovery folder (other runs may share the test data folder)."""
    folder = tmp_path / "recovery"
    monkeypatch.setattr("visualizer.files.files_menu.recovery_folder", lambda: folder)


def test_save_and_open_a_session_file(window: SimulatorWindow, tmp_path: Path) -> None:
    s = window.session
    assert s is not None
    s.add_breakpoint(Breakpoint("kind", "softmax"))
    s.seek(42)
    path = tmp_path / "lecture"
    assert window.files.save_to(path)  # the suffix is added
    saved = tmp_path / "lecture.tsim"
    assert saved.is_file() and window.files.path == saved
    assert str(saved.resolve()) == window.files.recent()[0]
    s.source = "Fruit flies like a banana"
    s.breakpoints.clear()
    assert window.files.open_path(saved)
    assert s.source == "Time flies like an arrow" and s.cursor == 42
    assert [bp.label() for bp in s.breakpoints] == [Breakpoint("kind", "softmax").label()]


def test_a_corrupt_session_file_is_a_message_and_nothing_is_lost(
    window: SimulatorWindow, tmp_path: Path
) -> None:
    s = window.session
    assert s is not None
    bad = tmp_path / "bad.tsim"
    bad.write_bytes(b"\x00" * 100)
    trace, bundle = s.trace, s.bundle
    assert not window.files.open_path(bad)
    assert "bad.tsim" in s.error and s.trace is trace and s.bundle is bundle


def test_dropping_a_session_file_opens_it(window: SimulatorWindow, tmp_path: Path) -> None:
    s = window.session
    assert s is not None
    s.seek(7)
    path = tmp_path / "dropped.tsim"
    assert window.files.save_to(path)
    s.seek(0)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)
    assert s.cursor == 7


def test_crash_recovery_offers_the_last_session(
    make_window: Callable[..., SimulatorWindow], builtin_session: Session
) -> None:
    first = Session(builtin_session.bundle, "en-de", "The dog sees the cat")
    w1 = make_window(first, show=False)
    w1.files.start_recovery()
    assert (window_files.recovery_folder() / "running").is_file()
    assert not w1.files.banner.isVisible()
    first.seek(30)
    assert w1.files.dirty and w1.files.autosave()
    assert (window_files.recovery_folder() / "last.tsim").is_file()
    # no clean close: the "running" marker stays, as after a crash
    second = Session(builtin_session.bundle, "en-de", "Time flies like an arrow")
    w2 = make_window(second, show=False)
    w2.show()
    w2.files.start_recovery()
    assert w2.files.banner.isVisible()
    assert not w2.files.autosave()  # the session on offer is not overwritten
    assert w2.files.restore()
    assert second.source == "The dog sees the cat" and second.cursor == 30
    assert not w2.files.banner.isVisible()
    w2.files.closed_cleanly()
    assert not (window_files.recovery_folder() / "running").exists()
    third = Session(builtin_session.bundle, "en-de", "Time flies like an arrow")
    w3 = make_window(third, show=False)
    w3.files.start_recovery()
    assert not w3.files.banner.isVisible()  # a clean close offers nothing
    w3.files.closed_cleanly()


def test_unchanged_sessions_are_not_autosaved(window: SimulatorWindow) -> None:
    window.files.dirty = False
    assert not window.files.autosave()


def test_saving_a_model_over_another_asks_first(
    window: SimulatorWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = window.files
    asked: list[str] = []
    answer = [False]

    def confirm(question: str) -> bool:
        asked.append(question)
        return answer[0]

    monkeypatch.setattr(files, "confirm_overwrite", confirm)
    assert files.save_model_to(tmp_path / "new")  # a new folder: no question
    assert asked == []
    before = (tmp_path / "new" / "config.json").read_bytes()
    assert not files.save_model_to(tmp_path / "new")  # declined: nothing written
    assert "already holds a model" in asked[-1]
    assert (tmp_path / "new" / "config.json").read_bytes() == before
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.txt").write_text("mine", "utf-8")
    answer[0] = True
    assert files.save_model_to(tmp_path / "notes")
    assert "holds other files" in asked[-1]
    assert sorted(p.name for p in (tmp_path / "notes").iterdir()) == [
        "a.txt",
        "config.json",
        "model.safetensors",
        "vocab.json",
    ]


def test_cli_open_on_a_model_folder_says_so(tmp_path: Path, capsys) -> None:
    from core import assets
    from visualizer.cli import main

    assert main(["open", str(assets.path("models", "demo-de"))]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "model folder" in err


def test_cli_open_refuses_a_bad_file_with_one_line(tmp_path: Path, capsys) -> None:
    from visualizer.cli import main

    bad = tmp_path / "x.tsim"
    bad.write_text("not a zip", "utf-8")
    assert main(["open", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "x.tsim" in err
    assert main(["open", str(tmp_path / "missing.tsim")]) == 2
