"""Export of pictures and animations: crisp PNGs, vector SVGs, GIF / MP4 recordings with
the right frames, no half-written file on cancel or error, and ``transformer-sim record``."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

import imageio.v3 as iio
import imageio_ffmpeg
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QGuiApplication, QImage
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from core.session import Session
from visualizer.bridge import SessionBridge
from visualizer.cli import main as cli_main
from visualizer.export.record import RecordJob, record, resolve_step
from visualizer.export.render import copy_to_clipboard, export_png, export_svg, render_image
from visualizer.export.video import ExportError, fit
from visualizer.panels.attention.attention_view import AttentionView
from visualizer.panels.timeline.timeline_view import TimelineView

CROSS = "t2/dec.1.cross_attn.weights"


@pytest.fixture
def session(translate: Session) -> Session:
    """Shared by this file's tests (building one takes seconds); reset for each."""
    translate.animate, translate.lang, translate.playing = False, "en", False
    translate.seek(0)
    return translate


def shown(qtbot: QtBot, widget: QWidget, w: int, h: int) -> QWidget:
    qtbot.addWidget(widget)
    widget.resize(w, h)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def timeline(qtbot: QtBot, session: Session) -> QWidget:
    """A small real view (its height is fixed at 80 px)."""
    view = shown(qtbot, TimelineView(session, SessionBridge(session)), 640, 80)
    assert (view.width(), view.height()) == (640, 80)
    return view


def gray(image: QImage) -> np.ndarray:
    from visualizer.export.render import to_rgb

    return to_rgb(image).astype(float).mean(axis=2)


def edge_energy(g: np.ndarray) -> float:
    return float((np.diff(g, axis=1) ** 2).sum() + (np.diff(g, axis=0) ** 2).sum())


def ink_box(g: np.ndarray) -> tuple[int, int, int, int]:
    """Rows and columns spanned by dark (text) pixels: top, bottom, left, right."""
    rows, cols = np.nonzero(g < 128)
    return rows.min(), rows.max() + 1, cols.min(), cols.max() + 1


def no_litter(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_png_at_scale_2_is_twice_the_size_and_really_sharper(qtbot: QtBot, tmp_path: Path) -> None:
    label = QLabel("Zeit fliegt · ∑ softmax(QKᵀ/√d)")
    label.setFont(QFont("DejaVu Sans", 11))
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    shown(qtbot, label, 301, 57)
    out = export_png(label, tmp_path / "label.png", scale=2.0)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    image = QImage(str(out))
    assert (image.width(), image.height()) == (602, 114)
    assert no_litter(tmp_path) == ["label.png"]
    sharp = gray(image)
    # Not the 1x picture blown up: nearest-neighbour would make every 2x2 block uniform,
    # a smooth upscale halves the steepest steps (a quarter of the squared gradient).
    blocks = sharp.reshape(57, 2, 301, 2).transpose(0, 2, 1, 3).reshape(57, 301, 4)
    assert (np.ptp(blocks, axis=2) > 40).mean() > 0.01
    small = render_image(label, 1.0)
    upscaled = small.scaled(602, 114, mode=Qt.TransformationMode.SmoothTransformation)
    assert edge_energy(sharp) > 1.4 * edge_energy(gray(upscaled))
    # and the same picture: the text spans twice the pixels (not 1x drawn in a corner)
    assert np.allclose(np.array(ink_box(sharp)) / 2, ink_box(gray(small)), atol=1.5)


def test_png_keeps_the_view_and_rejects_bad_arguments(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    view = timeline(qtbot, session)
    image = QImage(str(export_png(view, tmp_path / "t.png", scale=1.5)))
    assert (image.width(), image.height()) == (960, 120)
    assert len(np.unique(gray(image))) > 10  # painted, not a blank fill
    with pytest.raises(ExportError, match=r"end in \.png"):
        export_png(view, tmp_path / "t.jpg")
    with pytest.raises(ExportError, match="folder not found"):
        export_png(view, tmp_path / "missing" / "t.png")
    with pytest.raises(ExportError, match="scale"):
        export_png(view, tmp_path / "u.png", scale=0)
    big = QLabel("big")
    qtbot.addWidget(big)
    big.resize(4000, 3000)  # at scale 8: 768 million pixels, past the ceiling
    with pytest.raises(ExportError, match="pixels; the limit is 64,000,000"):
        export_png(big, tmp_path / "v.png", scale=8)
    assert no_litter(tmp_path) == ["t.png"]


def test_svg_is_vector_xml_with_the_tokens(qtbot: QtBot, session: Session, tmp_path: Path) -> None:
    session.animate = False
    view = shown(qtbot, AttentionView(session, SessionBridge(session)), 900, 600)
    session.seek_key(CROSS)
    qtbot.wait(10)
    root = ET.parse(export_svg(view, tmp_path / "a.svg")).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") == "0 0 900 600"
    tags = [e.tag.rsplit("}", 1)[-1] for e in root.iter()]
    assert tags.count("path") + tags.count("polyline") + tags.count("rect") > 20
    texts = {"".join(e.itertext()).strip() for e in root.iter() if e.tag.endswith("text")}
    assert {"time", "flies", "arrow", "Zeit"} <= texts  # labels stay text, not pixels


def test_clipboard_gets_the_scaled_picture(qtbot: QtBot, session: Session) -> None:
    view = timeline(qtbot, session)
    copy_to_clipboard(view, 2.0)
    got = QGuiApplication.clipboard().image()
    assert (got.width(), got.height()) == (1280, 160)


def test_steps_are_named_like_shot(session: Session) -> None:
    first = resolve_step(session, CROSS)
    assert session.trace.steps[first].key == CROSS
    assert resolve_step(session, "3") == 3
    assert resolve_step(session, -1) == len(session) - 1
    # a bare name matches every decoding step: the stop is the first one after the start
    after = resolve_step(session, "dec.1.cross_attn.weights", after=first + 1)
    assert session.trace.steps[after].key == "t3/dec.1.cross_attn.weights"
    for bad in ("nope.*", "99999"):
        with pytest.raises(ExportError):
            resolve_step(session, bad)


def test_gif_has_one_frame_per_step_at_the_widget_size(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    view = timeline(qtbot, session)
    session.seek(7)
    seen: list[tuple[int, int]] = []
    n = record(session, view, 10, 13, tmp_path / "t.gif", fps=5, progress=lambda *a: seen.append(a))
    assert n == 4 and seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
    frames = iio.imread(tmp_path / "t.gif", index=None)
    assert frames.shape == (4, 80, 640, 3)
    assert len({f.tobytes() for f in frames}) == 4  # the cursor moved in every frame
    assert iio.immeta(tmp_path / "t.gif", index=0)["duration"] == 200
    assert session.cursor == 7  # put back
    mask = os.umask(0)
    os.umask(mask)
    assert (tmp_path / "t.gif").stat().st_mode & 0o777 == 0o666 & ~mask  # not left private
    assert no_litter(tmp_path) == ["t.gif"]


def test_mp4_from_a_factory_has_even_size_and_every_frame(session: Session, tmp_path: Path) -> None:
    out = tmp_path / "t.mp4"
    n = record(
        session,
        lambda: TimelineView(session, SessionBridge(session)),
        "enc.0.self_attn.q",
        "enc.0.self_attn.weights",
        out,
        fps=10,
        size=(641, 80),
    )
    want = resolve_step(session, "enc.0.self_attn.weights") - resolve_step(
        session, "enc.0.self_attn.q"
    )
    assert n == want + 1 > 2
    assert imageio_ffmpeg.count_frames_and_secs(str(out))[0] == n
    frames = iio.imread(out, index=None, plugin="FFMPEG")
    assert frames.shape == (n, 80, 642, 3)  # yuv420p: an odd width padded by one pixel
    assert no_litter(tmp_path) == ["t.mp4"]


def test_cancel_and_errors_leave_no_file(qtbot: QtBot, session: Session, tmp_path: Path) -> None:
    view = timeline(qtbot, session)
    calls: list[int] = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 2

    for ext in ("gif", "mp4"):
        calls.clear()
        assert record(session, view, 0, 9, tmp_path / f"c.{ext}", cancelled=cancelled) == 0
        assert len(calls) == 3
    (tmp_path / "keep.gif").write_bytes(b"old")

    def boom(i: int, n: int) -> None:
        if i == 2:
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        record(session, view, 0, 5, tmp_path / "keep.gif", progress=boom)
    assert (tmp_path / "keep.gif").read_bytes() == b"old"  # the old file is untouched
    assert no_litter(tmp_path) == ["keep.gif"]
    with pytest.raises(ExportError, match="before"):
        record(session, view, 9, 3, tmp_path / "x.gif")
    with pytest.raises(ExportError, match="end in"):
        record(session, view, 0, 3, tmp_path / "x.webm")
    assert no_litter(tmp_path) == ["keep.gif"]


def test_record_job_reports_progress_and_can_be_cancelled(
    qtbot: QtBot, session: Session, tmp_path: Path
) -> None:
    view = timeline(qtbot, session)
    job = RecordJob(session, view, 0, 4, tmp_path / "j.gif")
    progress: list[tuple[int, int]] = []
    job.sigProgress.connect(lambda i, n: progress.append((i, n)))
    with qtbot.waitSignal(job.sigDone, timeout=20000) as done:
        job.start()
    assert done.args == [str(tmp_path / "j.gif")]
    assert progress == [(i, 5) for i in range(1, 6)]
    assert iio.imread(tmp_path / "j.gif", index=None).shape[0] == 5

    job = RecordJob(session, view, 0, 50, tmp_path / "k.mp4")
    job.sigProgress.connect(lambda i, n: job.cancel() if i == 2 else None)
    with qtbot.waitSignal(job.sigCancelled, timeout=20000):
        job.start()
    assert job.finished and not job.running
    assert no_litter(tmp_path) == ["j.gif"]

    job = RecordJob(session, view, 0, 1, tmp_path / "l.gif")  # cancelled on the last frame
    failed: list[str] = []
    job.sigFailed.connect(failed.append)
    job.sigProgress.connect(lambda i, n: job.cancel() if i == n else None)
    with qtbot.waitSignal(job.sigCancelled, timeout=20000):
        job.start()
    qtbot.wait(20)
    assert failed == [] and no_litter(tmp_path) == ["j.gif"]


def test_fit_crops_and_pads_to_the_first_frame() -> None:
    frame = np.arange(5 * 4 * 3, dtype=np.uint8).reshape(5, 4, 3)
    assert fit(frame, 3, 6).shape == (3, 6, 3)
    assert (fit(frame, 3, 6)[:, 5] == frame[:3, 3]).all()


def test_cli_record_writes_a_gif_and_bad_input_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cli.gif"
    args = ["record", "--view", "timeline", "--size", "640x100", "--out", str(out)]
    assert cli_main([*args, "--from", "enc.0.self_attn.q", "--to", "enc.0.self_attn.k"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == str(out)
    assert iio.imread(out, index=None).shape == (2, 80, 640, 3)
    bad = {
        "--from 9 --to 3": "before",
        "--from nope --to 3": "no step named",
        "--from 0 --to 3 --view nope": "unknown view",
    }
    for extra, why in bad.items():
        assert cli_main([*args, *extra.split()]) == 2
        err = capsys.readouterr().err
        assert len(err.splitlines()) == 1 and why in err
    for target, why in (("x.avi", "end in .gif or .mp4"), ("no/x.gif", "folder not found")):
        argv = ["record", "--from", "0", "--to", "1", "--out", str(tmp_path / target)]
        assert cli_main(argv) == 2
        err = capsys.readouterr().err
        assert len(err.splitlines()) == 1 and why in err
    assert no_litter(tmp_path) == ["cli.gif"]
