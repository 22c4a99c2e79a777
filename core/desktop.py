"""``transformer-sim install-desktop``: the app in the desktop menu of the current user.

Writes a freedesktop.org desktop entry and the app's icon into the user's data folder
(``$XDG_DATA_HOME``, by default ``~/.local/share``), where Linux (and BSD) desktops
look for them, so "Transformer Simulator" appears in the menu:

    applications/transformer-sim.desktop
    icons/hicolor/scalable/apps/transformer-sim.svg
    icons/hicolor/256x256/apps/transformer-sim.png

Each file is written to a temporary file beside it and renamed into place, so a menu
never reads half a file. A file already there with other content is left as it is
(nothing is written, and the message says which file) unless ``force``; ``remove``
deletes the three files. No Qt here: this runs without the GUI extras.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from core import assets

APP_ID = "transformer-sim"
ICONS = (  # (file in assets/icons, folder under the data folder)
    (f"{APP_ID}.svg", "icons/hicolor/scalable/apps"),
    (f"{APP_ID}.png", "icons/hicolor/256x256/apps"),
)
# Characters that make the desktop entry spec quote an Exec argument.
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


def data_home(env: Mapping[str, str] = os.environ) -> Path:
    """``$XDG_DATA_HOME``, or ``~/.local/share`` when unset, empty or relative (the spec)."""
    value = env.get("XDG_DATA_HOME", "")
    if value and Path(value).is_absolute():
        return Path(value)
    return Path.home() / ".local" / "share"


def launcher_command() -> list[str]:
    """What the menu entry runs: the ``transformer-sim`` script beside this Python (the
    venv's or pipx's ``bin``), else the one on PATH, else ``python -m core``."""
    beside = Path(sys.executable).parent / APP_ID
    if beside.is_file():
        return [str(beside.absolute())]
    import shutil

    found = shutil.which(APP_ID)
    if found:
        return [str(Path(found).absolute())]
    return [str(Path(sys.executable).absolute()), "-m", "core"]


def exec_line(command: Sequence[str]) -> str:
    """The ``Exec`` value for ``command``: arguments quoted where the spec asks, then
    escaped as a desktop entry string (``%`` as ``%%``, ``\\`` doubled)."""
    out = []
    for arg in command:
        if "\n" in arg or "\r" in arg:
            raise ValueError(f"cannot put a line break in a menu entry: {arg!r}")
        arg = arg.replace("%", "%%")
        if not arg or _RESERVED & set(arg):
            arg = '"' + "".join("\\" + c if c in '"`$\\' else c for c in arg) + '"'
        out.append(_string(arg))
    return " ".join(out)


def _string(value: str) -> str:
    """Escaped as a desktop entry string value."""
    return value.replace("\\", "\\\\")


def desktop_entry(command: Sequence[str]) -> str:
    return "\n".join(
        [
            "[Desktop Entry]",
            "Type=Application",
            "Version=1.0",
            "Name=Transformer Simulator",
            "Name[zh_CN]=Transformer 模拟器",
            "GenericName=Transformer simulator",
            "Comment=Watch a real Transformer translate and learn, one operation at a time.",
            "Comment[zh_CN]=一步一个操作，看真实的 Transformer 如何翻译与学习。",
            f"Exec={exec_line(command)}",
            f"TryExec={_string(command[0])}",  # hidden from the menu once uninstalled
            f"Icon={APP_ID}",
            "Terminal=false",
            "StartupNotify=true",
            "Categories=Education;ArtificialIntelligence;",
            "Keywords=transformer;attention;neural network;machine learning;translation;",
            "",
        ]
    )


def planned(folder: Path, command: Sequence[str]) -> list[tuple[Path, bytes]]:
    """The files ``install`` writes: (path, content)."""
    files = [(folder / "applications" / f"{APP_ID}.desktop", desktop_entry(command).encode())]
    for name, sub in ICONS:
        files.append((folder / sub / name, assets.path("icons", name).read_bytes()))
    return files


def install(
    folder: Path | None = None, command: Sequence[str] | None = None, force: bool = False
) -> list[str]:
    """Write the menu entry and icons; one line per file ("wrote", "replaced",
    "unchanged"). ValueError, before anything is written, if a file with other
    content is in the way and not ``force``."""
    files = planned(folder or data_home(), command or launcher_command())
    differ = [p for p, content in files if p.exists() and p.read_bytes() != content]
    if differ and not force:
        names = ", ".join(str(p) for p in differ)
        raise ValueError(f"{names}: already there and different; --force replaces it")
    said = []
    for path, content in files:
        if path.exists() and path.read_bytes() == content:
            said.append(f"unchanged {path}")
            continue
        verb = "replaced" if path.exists() else "wrote"
        _write_atomically(path, content)
        said.append(f"{verb} {path}")
    return said


def remove(folder: Path | None = None) -> list[str]:
    said = []
    for path, _content in planned(folder or data_home(), [APP_ID]):
        if path.exists():
            path.unlink()
            said.append(f"removed {path}")
    return said or ["nothing to remove"]


def command(force: bool = False, undo: bool = False) -> int:
    """The ``install-desktop`` subcommand: prints what it did."""
    if sys.platform in ("darwin", "win32"):
        raise ValueError(
            "install-desktop writes a freedesktop menu entry (Linux, BSD); "
            "for macOS and Windows see the README"
        )
    for line in remove() if undo else install(force=force):
        print(line)
    if not undo:
        print('"Transformer Simulator" is in the menu (some desktops show it after a re-login)')
    return 0


def _write_atomically(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp made it private; menus and icon caches read it
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
