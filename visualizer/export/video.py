"""The Qt-free half of recording: which steps, and the GIF (imageio, pillow) or MP4 writer.

Both write to a hidden temporary file beside the target and rename it only when the
last frame is in, so a cancelled or failed recording never leaves a half-written GIF
or MP4 where a lecture slide expects a good one. No Qt here: frames are RGB arrays.
MP4 is H.264 in yuv420p, which players need even sizes for; the writer pads an odd
width or height by one repeated edge pixel rather than letting ffmpeg rescale (blur).
"""

from __future__ import annotations

import contextlib
import fnmatch
import importlib
import os
import tempfile
from collections.abc import Generator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from core.messages import Msg

if TYPE_CHECKING:
    from core.session import Session

FORMATS = (".gif", ".mp4")
StepSpec = int | str
GIF_MAX_FPS = 50  # GIF delays are in 1/100 s, and viewers slow anything faster than 50 fps


class ExportError(ValueError):
    """Bad export arguments (format, path, steps, sizes); one line for the user."""


def check_target(out: Path, formats: tuple[str, ...] = FORMATS) -> None:
    """Fail early, with one line, on a wrong extension or a folder we cannot write."""
    if out.suffix.lower() not in formats:
        raise ExportError(f"--out must end in {' or '.join(formats)}, got {out.name}")
    folder = out.parent
    if out.is_dir():
        raise ExportError(Msg("target_is_folder", path=str(out)))
    if not folder.is_dir():
        raise ExportError(Msg("folder_not_found", path=str(folder)))
    if not os.access(folder, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise ExportError(f"cannot write to {out}")


def check_fps(fps: float) -> None:
    if not 0.1 <= fps <= 60:
        raise ExportError(f"--fps must be between 0.1 and 60, got {fps:g}")


def resolve_step(session: Session, spec: StepSpec, after: int = 0) -> int:
    """A step index from an index (negative counts from the end) or a name / key glob;
    a glob takes its first match at or after ``after``, else its first match."""
    n = len(session.trace.steps)
    text = str(spec).strip()
    if text.lstrip("-").isdigit():
        i = int(text)
        if not -n <= i < n:
            raise ExportError(f"step {i} is out of range (0..{n - 1})")
        return i % n
    found = [
        s.index
        for s in session.trace.steps
        if fnmatch.fnmatchcase(s.name, text) or fnmatch.fnmatchcase(s.key, text)
    ]
    if not found:
        raise ExportError(f"no step named {text!r} (e.g. dec.1.cross_attn.weights or t2/logits)")
    return next((i for i in found if i >= after), found[0])


def temp_beside(out: Path) -> Path:
    """A fresh hidden file in the target's folder (so the final rename is atomic)."""
    fd, name = tempfile.mkstemp(prefix=f".{out.stem}.", suffix=f".part{out.suffix}", dir=out.parent)
    os.close(fd)
    return Path(name)


def publish(tmp: Path, out: Path) -> None:
    """Rename the finished temporary file onto ``out``, readable like any new file
    (mkstemp made it private)."""
    mask = os.umask(0)
    os.umask(mask)
    tmp.chmod(0o666 & ~mask)
    os.replace(tmp, out)


class FrameWriter:
    """Append RGB frames (h, w, 3 uint8), then ``commit()`` (rename into place) or ``abort()``.

    The first frame fixes the size; later frames are cropped or padded to it, so a
    window resized mid-recording cannot break the file.
    """

    def __init__(self, out: Path, fps: float) -> None:
        check_target(out)
        check_fps(fps)
        self.out, self.fps = out, float(fps)
        self.tmp = temp_beside(out)
        self.size: tuple[int, int] | None = None  # (height, width) of every frame
        self.frames = 0
        self._closed = False

    def append(self, frame: np.ndarray) -> None:
        if self.size is None:
            h, w = frame.shape[:2]
            self.size = (h, w)
            self._open(h, w)
        self._write(np.ascontiguousarray(fit(frame, *self.size)))
        self.frames += 1

    def commit(self) -> Path:
        """Finish the file and move it to ``out``; returns ``out``."""
        if self.frames == 0:
            self.abort()
            raise ExportError("no frames were recorded")
        try:
            self._close()
        except BaseException:
            self.abort()
            raise
        publish(self.tmp, self.out)
        return self.out

    def abort(self) -> None:
        """Drop everything written so far; the target is left as it was."""
        with contextlib.suppress(Exception):
            self._close()
        self.tmp.unlink(missing_ok=True)

    def _close(self) -> None:
        if not self._closed:
            self._closed = True
            self._finish()

    # -- per format ---------------------------------------------------------------
    def _open(self, h: int, w: int) -> None:
        raise NotImplementedError

    def _write(self, frame: np.ndarray) -> None:
        raise NotImplementedError

    def _finish(self) -> None:
        raise NotImplementedError


class GifWriter(FrameWriter):
    """Frames are quantised to 256 colours as they arrive (a third of the memory of RGB);
    Pillow stores only what changed between frames and loops forever."""

    def _open(self, h: int, w: int) -> None:
        import imageio.v3 as iio

        self._file: Any = iio.imopen(self.tmp, "w", plugin="pillow", extension=".gif")
        self._ms = round(1000 / min(self.fps, GIF_MAX_FPS), -1)

    def _write(self, frame: np.ndarray) -> None:
        self._file.write(frame, is_batch=False, bits=8, duration=self._ms, loop=0)

    def _finish(self) -> None:
        if self.size is not None:
            self._file.close()


class Mp4Writer(FrameWriter):
    """H.264 through the ffmpeg binary that imageio-ffmpeg ships (no system ffmpeg)."""

    def _open(self, h: int, w: int) -> None:
        import imageio_ffmpeg

        self._gen: Generator[None, Any, None] = imageio_ffmpeg.write_frames(
            str(self.tmp),
            (w + w % 2, h + h % 2),
            fps=self.fps,
            codec="libx264",
            quality=8,
            macro_block_size=2,
            ffmpeg_log_level="error",
            output_params=["-movflags", "+faststart"],
        )
        self._gen.send(None)

    def _write(self, frame: np.ndarray) -> None:
        h, w = frame.shape[:2]
        if h % 2 or w % 2:
            frame = np.pad(frame, ((0, h % 2), (0, w % 2), (0, 0)), mode="edge")
        self._gen.send(np.ascontiguousarray(frame))

    def _finish(self) -> None:
        if self.size is not None:
            self._gen.close()


def open_writer(out: Path, fps: float) -> FrameWriter:
    """The writer for ``out``'s format; a missing package is an ExportError, not a crash."""
    check_target(out)
    gif = out.suffix.lower() == ".gif"
    package = "imageio" if gif else "imageio_ffmpeg"
    try:
        importlib.import_module("imageio.v3" if gif else package)
    except ImportError:
        raise ExportError(f"{out.suffix} export needs {package}: pip install {package}") from None
    return GifWriter(out, fps) if gif else Mp4Writer(out, fps)


def fit(frame: np.ndarray, h: int, w: int) -> np.ndarray:
    """Crop or pad (with the edge colour) ``frame`` to exactly h × w."""
    frame = frame[:h, :w]
    dh, dw = h - frame.shape[0], w - frame.shape[1]
    if dh or dw:
        frame = np.pad(frame, ((0, dh), (0, dw), (0, 0)), mode="edge")
    return frame
