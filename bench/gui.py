"""GUI benchmark (offscreen, 1600x1000): step latency, animation frames, cold start, base model.

Prints medians, p95s and ratios; asserts nothing (timing belongs here, not in tests).
  1. step command -> repainted window, demo model: median, p95   (target p95 <= 50 ms)
  2. animation frame time while transitions run                   (target p95 <= 16.7 ms)
  3. cold start: first painted window (target <= 1 s) and fully interactive, as a ratio
     to `python -c "import torch, PySide6.QtWidgets"` measured in the same run (<= 1.3x)
  4. base-size model (d_model 512, 6+6 layers, 8 heads), 60-token sentence: step p95
     (target <= 100 ms)
Run: .venv/bin/python bench/gui.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report(name: str, ms: list[float], target: str) -> None:
    print(
        f"  {name:44s} median {statistics.median(ms):6.2f} ms   p95 {pct(ms, 0.95):6.2f} ms"
        f"   (n={len(ms)}, {target})"
    )


def make_window(session: object) -> tuple[object, object]:
    from PySide6.QtWidgets import QApplication

    from visualizer.assemble import SimulatorWindow
    from visualizer.bridge import SessionBridge
    from visualizer.fonts import install_fonts

    app = QApplication.instance() or QApplication([])
    install_fonts(app)  # type: ignore[arg-type]
    bridge = SessionBridge(session)  # type: ignore[arg-type]
    window = SimulatorWindow(session, bridge, persist=False)  # type: ignore[arg-type]
    window.resize(1600, 1000)
    window.show()
    app.processEvents()
    return app, window


def step_latency(
    session: object, app: object, window: object, limit: int, full: bool = False
) -> list[float]:
    """Per step: the session call, every view's update and the repaint of what changed,
    as one pass of the event loop does it; ``full`` also repaints the whole window
    synchronously (a pessimistic bound: unchanged docks are painted again)."""
    s = session
    s.animate = False  # type: ignore[attr-defined]
    s.go_start()  # type: ignore[attr-defined]
    app.processEvents()  # type: ignore[attr-defined]
    times = []
    for _ in range(min(limit, len(s) - 1)):  # type: ignore[arg-type]
        t0 = time.perf_counter()
        s.step_forward()  # type: ignore[attr-defined]
        app.processEvents()  # type: ignore[attr-defined]
        if full:
            window.repaint()  # type: ignore[attr-defined]
        times.append((time.perf_counter() - t0) * 1e3)
    return times


def animation_frames(session: object, app: object, window: object, steps: int) -> list[float]:
    """Frame cost while transitions run: one event-loop pass per 16 ms tick, which runs the
    animations' updates and repaints what they dirtied (as the real event loop would)."""
    s = session
    s.animate = True  # type: ignore[attr-defined]
    s.go_start()  # type: ignore[attr-defined]
    frames = []
    for _ in range(steps):
        s.step_forward()  # type: ignore[attr-defined]
        end = time.perf_counter() + 0.25
        while time.perf_counter() < end:
            t0 = time.perf_counter()
            app.processEvents()  # type: ignore[attr-defined]
            frames.append((time.perf_counter() - t0) * 1e3)
            time.sleep(max(0.0, 0.016 - (time.perf_counter() - t0)))
    return frames


def cold_start(runs: int) -> None:
    """Start the window in a new process ``runs`` times, beside the bare imports.

    Both sides read compiled bytecode, as after an install (pip compiles torch's and
    our modules): PYTHONDONTWRITEBYTECODE, if this shell sets it, is dropped and one
    unmeasured start writes the project's caches first; otherwise the window's side
    would compile ~300 project modules on every start and torch's side none."""
    exe = str(ROOT / ".venv" / "bin" / "python")
    plain = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    quick = dict(plain, TSIM_QUIT_AFTER="0.01")
    subprocess.run([exe, "-m", "visualizer"], env=quick, capture_output=True, check=True)
    base, painted, ready = [], [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([exe, "-c", "import torch, PySide6.QtWidgets"], env=plain, check=True)
        base.append(time.perf_counter() - t0)
        env = dict(plain, TSIM_TIMINGS="1", TSIM_QUIT_AFTER="0.2", TSIM_T0=repr(time.time()))
        out = subprocess.run(
            [exe, "-m", "visualizer"], env=env, capture_output=True, text=True, check=True
        )
        fields = dict(tok.split("=") for tok in out.stderr.split() if "=" in tok)
        painted.append(float(fields["painted"]))
        ready.append(float(fields["interactive"]))
    b, p, r = statistics.median(base), statistics.median(painted), statistics.median(ready)
    print(
        f"cold start (median of {runs}): first painted window {p:.2f} s (target <= 1 s); "
        f"interactive {r:.2f} s = {r / b:.2f}x `import torch, PySide6.QtWidgets` "
        f"({b:.2f} s) (target <= 1.3x)"
    )


def base_model(limit: int) -> None:
    import torch

    from core.bundle import Bundle
    from core.config import preset
    from core.decode import DecodeSettings
    from core.model import Transformer
    from core.session import Session

    demo = Session.open_builtin("en-de").bundle
    torch.manual_seed(0)
    model = Transformer(preset("base").model, demo.src_tok.size, demo.tgt_tok.size).eval()
    bundle = Bundle(model, demo.src_tok, demo.tgt_tok, "en-de")
    words = [
        "the",
        "dog",
        "sees",
        "the",
        "cat",
        "and",
        "the",
        "bird",
        "flies",
        "like",
        "an",
        "arrow",
    ]
    sentence = " ".join(words[i % len(words)] for i in range(59)) + "."
    t0 = time.perf_counter()
    session = Session(bundle, "en-de", "Time flies")
    session.decode = DecodeSettings(max_len=30)
    session.source = sentence
    build = time.perf_counter() - t0
    app, window = make_window(session)
    ms = step_latency(session, app, window, limit)
    full = step_latency(session, app, window, limit, full=True)
    print(
        f"base model (d_model 512, 6+6 layers, 8 heads), 60-token source, 30 decoding steps: "
        f"{len(session)} steps, traced in {build:.1f} s"
    )
    report("step -> repainted window", ms, "target p95 <= 100 ms")
    report("  same, whole window repainted too", full, "pessimistic bound")
    window.close()  # type: ignore[attr-defined]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    from core.session import Session

    session = Session.open_builtin("en-de")
    app, window = make_window(session)
    print(f"demo-de, 'Time flies like an arrow', {len(session)} steps, window 1600x1000:")
    report(
        "step -> repainted window",
        step_latency(session, app, window, 10_000),
        "target p95 <= 50 ms",
    )
    report(
        "  same, whole window repainted too",
        step_latency(session, app, window, 10_000, full=True),
        "pessimistic bound",
    )
    report(
        "animation frame (event-loop pass)",
        animation_frames(session, app, window, 10 if args.quick else 40),
        "target p95 <= 16.7 ms",
    )
    window.close()  # type: ignore[attr-defined]
    cold_start(1 if args.quick else 3)
    base_model(60 if args.quick else 300)


if __name__ == "__main__":
    main()
