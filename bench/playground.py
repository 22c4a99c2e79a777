"""Network playground benchmark (offscreen, 1400x900): Play's frame time and training speed.

Prints medians, p95s and ratios; asserts nothing (timing belongs here, not in tests).
  1. Play, frame by frame: one tick (a measured slice of training, then the decision
     boundary at 100x100 and every neuron's picture recomputed and redrawn) plus the
     event-loop pass that paints it. Target: p95 <= 16.7 ms. Also iterations per second
     while playing, and the iterations per frame the tick settled on.
  2. Raw training speed: untraced iterations per second (no drawing), and one traced
     iteration (what Step records).
  3. Stepping through one recorded iteration: cursor change -> repainted room.
Each for the default network (XOR, 2 x 4 tanh) and the largest (spiral, 3 classes, 6 x 8).
The CPU time of this process per frame is printed beside the wall time: on a shared
machine the difference is other programs' load, not the playground's.
Run: .venv/bin/python bench/playground.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report(name: str, ms: list[float], target: str = "") -> None:
    print(
        f"  {name:44s} median {statistics.median(ms):6.2f} ms   p95 {pct(ms, 0.95):6.2f} ms"
        f"   (n={len(ms)}{', ' + target if target else ''})"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer frames")
    args = parser.parse_args()
    frames = 120 if args.quick else 600

    from PySide6.QtWidgets import QApplication

    from visualizer.fonts import install_fonts
    from visualizer.rooms.playground.playground_room import PlaygroundRoom

    app = QApplication.instance() or QApplication([])
    install_fonts(app)  # type: ignore[arg-type]
    setups = {
        "default (XOR, 2 x 4 tanh)": {},
        "largest (spiral, 3 classes, 6 x 8 ReLU)": dict(
            dataset="spiral", classes=3, layers=(8,) * 6, activation="relu"
        ),
    }
    for title, config in setups.items():
        room = PlaygroundRoom.create()
        lab = room.lab
        lab.configure(**config)
        room.resize(1400, 900)
        room.show()
        app.processEvents()
        print(
            f"\n{title}: boundary {lab.plane().res}x{lab.plane().res}, "
            f"{sum(lab.model.sizes[1:-1])} hidden neurons pictured every frame"
        )

        # 1. Play, as the timer would drive it (the timer itself is not waited for).
        room.set_training(True)
        room.timer.stop()  # drive the ticks by hand, back to back
        for _ in range(20):  # warm up, and let the slice size settle
            room.tick()
            app.processEvents()
        it0, times, cpu, t_start = lab.iteration, [], [], time.perf_counter()
        for _ in range(frames):
            t0, c0 = time.perf_counter(), time.process_time()
            room.tick()
            app.processEvents()
            times.append((time.perf_counter() - t0) * 1e3)
            cpu.append((time.process_time() - c0) * 1e3)
        elapsed = time.perf_counter() - t_start
        room.set_training(False)
        report("Play frame (train slice + redraw + paint)", times, "target p95 <= 16.7 ms")
        report("  the same frames in CPU time of this process", cpu, "other load excluded")
        done = lab.iteration - it0
        print(
            f"  {'iterations per second while playing':44s} {done / elapsed:8.0f} /s"
            f"   ({done / frames:.1f} per frame, ratio to 60 fps frames: {done / frames:.1f}x)"
        )

        # 2. Raw training speed.
        n = 500 if args.quick else 3000
        t0 = time.perf_counter()
        lab.train(n)
        raw = n / (time.perf_counter() - t0)
        print(
            f"  {'untraced training, no drawing':44s} {raw:8.0f} it/s"
            f"   (playing reaches {done / elapsed / raw:.0%} of it)"
        )
        traced = []
        for _ in range(10 if args.quick else 30):
            t0 = time.perf_counter()
            lab.step_traced()
            traced.append((time.perf_counter() - t0) * 1e3)
        lab.playing = False
        report("Step: record one iteration + redraw the room", traced)

        # 3. Stepping through the recorded iteration.
        lab.animate = False
        lab.go_start()
        app.processEvents()
        steps = []
        for _ in range(len(lab) - 1):
            t0 = time.perf_counter()
            lab.step_forward()
            app.processEvents()
            steps.append((time.perf_counter() - t0) * 1e3)
        report(f"step through the iteration ({len(lab)} steps)", steps, "target p95 <= 16.7 ms")
        room.close()
        room.deleteLater()
        app.processEvents()


if __name__ == "__main__":
    main()
