"""``transformer-sim gallery --out DIR [--quick] [--only TEXT]`` (``make gallery``): a
picture of every chapter scene and room at every screen × language × mode, and an
``index.html`` that groups them, so a person can look through all of them in a minute.

Each picture is the window as laid out by ``stage.Stage`` (the same layouts the layout
check tests), saved full size with a thumbnail beside it; the page outlines in red the
pictures the layout check found fault with and lists the findings. ``--quick`` takes
``make test``'s rotation instead of the full cross-product.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from core.atomic import write_file
from visualizer.gallery import plan as plans
from visualizer.gallery.index_page import Shot, index_html

THUMB_WIDTH = 240


class GalleryError(ValueError):
    """A bad --out folder; one line for the user."""


@dataclass
class GalleryResult:
    folder: Path
    pictures: int = 0
    failed: int = 0  # pictures with at least one finding
    kinds: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    bytes: int = 0


def check_folder(out: Path) -> None:
    """The gallery writes into an empty or new folder, or one it wrote before (it has
    an ``index.html``): never over someone's other files."""
    if out.exists() and not out.is_dir():
        raise GalleryError(f"--out must be a folder: {out}")
    if out.is_dir() and any(out.iterdir()) and not (out / "index.html").is_file():
        raise GalleryError(f"{out} holds other files; give an empty or new folder")


def gallery(out: Path, quick: bool = False, only: str | None = None) -> GalleryResult:
    """Render every combination of the plan into ``out``; returns what was written."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    check_folder(out)
    from PySide6.QtCore import QStandardPaths, Qt
    from PySide6.QtWidgets import QApplication

    QStandardPaths.setTestModeEnabled(True)  # presentation settings stay the gallery's
    app = QApplication.instance() or QApplication([])
    del app
    from visualizer.gallery.stage import Stage

    start = time.monotonic()
    out.mkdir(parents=True, exist_ok=True)
    stage = Stage()
    subjects = plans.subjects((c.id, len(c)) for c in stage.chapters.values())
    if only:
        subjects = [s for s in subjects if only in s.name]
    plan = plans.quick_plan(subjects) if quick else plans.full_plan(subjects)
    result = GalleryResult(out)
    shots: dict[tuple[str, str], Shot] = {}
    try:
        for subject, combo, failures in stage.walk(plan, subjects):
            folder = out / subject.name
            folder.mkdir(exist_ok=True)
            name = f"{subject.name}/{combo.name}.png"
            thumb = f"{subject.name}/{combo.name}.thumb.png"
            picture = stage.grab()
            if not picture.save(str(out / name), "PNG"):
                raise GalleryError(f"could not write {out / name}")
            small = picture.scaledToWidth(THUMB_WIDTH, Qt.TransformationMode.SmoothTransformation)
            small.save(str(out / thumb), "PNG")
            shots[(subject.name, combo.name)] = Shot(name, thumb, tuple(map(str, failures)))
            result.pictures += 1
            result.failed += bool(failures)
            result.kinds.update(f.kind for f in failures)
    finally:
        stage.close()
    columns = [c.name for c in plans.all_combos()]
    title = f"Transformer Simulator: {result.pictures} layouts"
    rows = [s.name for s in subjects]
    page = index_html(title, rows, columns, shots, THUMB_WIDTH // 2 + 40)
    write_file(out / "index.html", page.encode("utf-8"))  # whole or not at all
    result.seconds = time.monotonic() - start
    result.bytes = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    return result
