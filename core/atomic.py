"""Saves that never destroy: files and folders written beside their target and renamed
into place only when complete, and targets checked before the work that fills them.

A failed save (a full disk, a killed process, an unwritable folder) leaves what was
there before intact and no partial file behind: every byte goes to a hidden
temporary file in the target's own folder first (so the final ``os.replace`` is an
atomic rename on the same file system), flushed to disk, and only then renamed.

``check_target_folder`` / ``check_target_files`` are the overwrite policy of the
command line: an existing model, a folder holding other files, or a file we would
replace needs ``force``; the shipped ``assets/models`` need it too; and the folder is
proven writable (a probe file is created and removed) before any training starts.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from core import assets

MODEL_FILES = ("model.safetensors", "config.json", "vocab.json")


class TargetError(ValueError):
    """A target we must not or cannot write; one line for the user."""


# -- writing ---------------------------------------------------------------------------------
def temp_beside(target: Path, suffix: str = ".tmp") -> Path:
    """A fresh hidden file in the target's folder (closed, empty)."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix, dir=target.parent)
    os.close(fd)
    return Path(name)


def _mode_for(target: Path) -> int:
    """An existing target's permissions, else those of a new file under the umask."""
    with contextlib.suppress(OSError):
        return stat.S_IMODE(target.stat().st_mode)
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _sync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def staged(*targets: Path) -> Iterator[list[Path]]:
    """Temporary files beside each target, for the block to write; when it ends without
    an error each is flushed to disk and renamed onto its target, in order (the last
    one last). On any error they are removed and every target is left as it was."""
    temps: list[Path] = []
    try:
        for target in targets:
            temps.append(temp_beside(target, f".part{target.suffix}"))
        yield list(temps)
        for tmp, target in zip(temps, targets, strict=True):
            tmp.chmod(_mode_for(target))
            _sync(tmp)
        for tmp, target in zip(temps, targets, strict=True):
            os.replace(tmp, target)
    finally:
        for tmp in temps:
            with contextlib.suppress(OSError):
                tmp.unlink()


def write_file(target: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``target`` atomically (the old file stays until the new one is
    complete on disk)."""
    out = Path(target)
    with staged(out) as (tmp,):
        tmp.write_bytes(data)
    return out


def write_folder(target: str | os.PathLike[str], files: Mapping[str, bytes]) -> Path:
    """Write ``files`` (name -> bytes) as a folder at ``target``, never half-written.

    A new folder is filled under a hidden temporary name beside it and renamed into
    place (parents are created, and removed again if the save fails). Into an existing
    folder, every file is first written in full under a temporary name inside it; only
    when all are on disk are they renamed over the old ones (in the given order: put
    the file that marks the folder as complete last), and other files are kept."""
    out = Path(target)
    if out.is_dir():
        with staged(*(out / name for name in files)) as temps:
            for tmp, data in zip(temps, files.values(), strict=True):
                tmp.write_bytes(data)
        return out
    created = _make_parents(out.parent)
    tmp_dir: Path | None = None
    try:
        tmp_dir = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
        for name, data in files.items():
            (tmp_dir / name).write_bytes(data)  # a new file: 0o666 less the umask
            _sync(tmp_dir / name)
        tmp_dir.chmod(0o777 & ~_umask())
        os.rename(tmp_dir, out)  # fails, rather than replaces, if a folder appeared there
        tmp_dir = None
    except BaseException:
        if tmp_dir is not None:
            shutil.rmtree(tmp_dir, ignore_errors=True)
        for folder in reversed(created):
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    return out


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _make_parents(folder: Path) -> list[Path]:
    """``mkdir -p``; returns the folders it created, outermost first."""
    missing: list[Path] = []
    here = folder
    while not here.exists():
        missing.append(here)
        if here.parent == here:
            break
        here = here.parent
    missing.reverse()
    for f in missing:
        f.mkdir()
    return missing


# -- checking targets before the work ---------------------------------------------------------
def shipped_models() -> Path:
    return Path(os.path.realpath(assets.root() / "models"))


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_target_folder(out: str | os.PathLike[str], force: bool = False) -> Path:
    """Refuse, before any work, a model folder target we must not or cannot write:
    a file; an existing model or a folder holding other files (unless ``force``); the
    shipped models (unless ``force``); a folder that cannot be written (probed)."""
    path = Path(out)
    real = Path(os.path.realpath(path))
    if not force and _inside(real, shipped_models()):
        raise TargetError(
            f"{path} is inside the shipped models ({shipped_models()}); "
            "pass --force to retrain them (make models does)"
        )
    if path.exists() and not path.is_dir():
        raise TargetError(f"--out must be a folder: {path} is a file")
    if path.is_dir():
        try:
            names = sorted(p.name for p in path.iterdir() if not p.name.startswith("."))
        except OSError as e:
            raise TargetError(f"cannot read {path}: {e.strerror or e}") from None
        if names and not force:
            if any(n in MODEL_FILES for n in names):
                raise TargetError(f"{path} already holds a model; pass --force to replace it")
            raise TargetError(
                f"{path} holds other files ({names[0]}{', …' if len(names) > 1 else ''}); "
                "pass --force to write the model into it"
            )
    probe_writable(path)
    return path


def check_target_files(paths: Iterable[Path], force: bool = False) -> None:
    """Refuse to replace existing files (unless ``force``) or to write where we cannot."""
    for path in paths:
        if path.is_dir():
            raise TargetError(f"{path} is a folder")
        if path.exists() and not force:
            raise TargetError(f"{path} exists; pass --force to replace it")
        probe_writable(path.parent)


def probe_writable(path: Path) -> None:
    """Prove we can create files at ``path`` (or, if it does not exist yet, in its
    nearest existing parent, which must be a folder) by creating and removing one."""
    here = path
    while not here.exists() and here.parent != here:
        here = here.parent
    if not here.is_dir():
        raise TargetError(f"cannot write to {path}: {here} is not a folder")
    try:
        fd, name = tempfile.mkstemp(prefix=".transformer-sim-probe.", dir=here)
        os.close(fd)
        os.unlink(name)
    except OSError as e:
        raise TargetError(f"cannot write to {path}: {e.strerror or e}") from None
