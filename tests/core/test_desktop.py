"""``transformer-sim install-desktop``: the menu entry and icons, written atomically,
never over a different file without ``--force``; and ``--version``."""

from __future__ import annotations

from pathlib import Path

import pytest

from core import assets, desktop
from core.cli import main
from core.version import app_version

ENTRY = "applications/transformer-sim.desktop"
SVG = "icons/hicolor/scalable/apps/transformer-sim.svg"
PNG = "icons/hicolor/256x256/apps/transformer-sim.png"


def test_data_home_follows_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert desktop.data_home({"XDG_DATA_HOME": "/x/share"}) == Path("/x/share")
    for unset in ({}, {"XDG_DATA_HOME": ""}, {"XDG_DATA_HOME": "relative/share"}):
        assert desktop.data_home(unset) == tmp_path / ".local" / "share"


def test_install_writes_entry_and_icons_then_leaves_them(tmp_path: Path) -> None:
    said = desktop.install(tmp_path, ["/opt/ts/bin/transformer-sim"])
    assert said == [f"wrote {tmp_path / p}" for p in (ENTRY, SVG, PNG)]
    entry = (tmp_path / ENTRY).read_text("utf-8").splitlines()
    assert entry[0] == "[Desktop Entry]"
    assert "Exec=/opt/ts/bin/transformer-sim" in entry
    assert "Icon=transformer-sim" in entry
    assert (tmp_path / PNG).read_bytes() == assets.path("icons", "transformer-sim.png").read_bytes()
    assert (tmp_path / ENTRY).stat().st_mode & 0o777 == 0o644
    assert not list((tmp_path / "applications").glob(".*"))  # no temporary file left
    again = desktop.install(tmp_path, ["/opt/ts/bin/transformer-sim"])
    assert again == [f"unchanged {tmp_path / p}" for p in (ENTRY, SVG, PNG)]


def test_a_different_file_is_kept_unless_forced(tmp_path: Path) -> None:
    (tmp_path / "applications").mkdir()
    (tmp_path / ENTRY).write_text("[Desktop Entry]\nName=Someone else's\n")
    with pytest.raises(ValueError, match="already there and different; --force"):
        desktop.install(tmp_path, ["/a/transformer-sim"])
    assert "Someone else's" in (tmp_path / ENTRY).read_text()
    assert not (tmp_path / SVG).exists()  # nothing written at all
    said = desktop.install(tmp_path, ["/a/transformer-sim"], force=True)
    assert said[0] == f"replaced {tmp_path / ENTRY}"
    assert desktop.remove(tmp_path) == [f"removed {tmp_path / p}" for p in (ENTRY, SVG, PNG)]
    assert desktop.remove(tmp_path) == ["nothing to remove"]


def test_exec_line_quotes_as_the_spec_says() -> None:
    assert desktop.exec_line(["/usr/bin/transformer-sim"]) == "/usr/bin/transformer-sim"
    assert desktop.exec_line(["/home/a b/x", "-m", "core"]) == '"/home/a b/x" -m core'
    assert desktop.exec_line(["/p/$HOME/100%"]) == '"/p/\\\\$HOME/100%%"'
    with pytest.raises(ValueError):
        desktop.exec_line(["/a\nb"])


def test_cli_install_desktop_and_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert main(["install-desktop"]) == 0
    assert (tmp_path / ENTRY).is_file()
    (tmp_path / SVG).write_text("<svg/>")
    assert main(["install-desktop"]) == 2
    assert "--force" in capsys.readouterr().err
    assert main(["install-desktop", "--remove"]) == 0
    assert not (tmp_path / ENTRY).exists()
    assert "removed" in capsys.readouterr().out
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out == f"transformer-sim {app_version()}\n"
