"""How smooth the window stays while a stage trains in the stages room.

The room trains in a QThread of the window's process (visualizer/rooms/stages/
stages_worker.py). A 10 ms QTimer on the GUI thread records the gap between its ticks
while the built-in pre-training stage runs from step 0: a gap far above 10 ms is a stall
the user sees (the Training tab once measured 233 ms with a training thread and moved to
a child process). Prints the median, p95 and max gap, and the stage's time beside the
same stage without the window. Asserts nothing.
Run: QT_QPA_PLATFORM=offscreen .venv/bin/python bench/stages_gui.py
"""

from __future__ import annotations

import statistics
import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from core.stages.pipeline import Callbacks, Pipeline, Settings
from visualizer.rooms.stages.stages_room import StagesRoom


def main() -> None:
    app = QApplication([])
    t0 = time.perf_counter()
    Pipeline(Settings(seed=0)).run_stage("pretrain", Callbacks())
    bare = time.perf_counter() - t0

    room = StagesRoom.create(settings=Settings(seed=0))
    room.resize(1600, 1000)
    room.show()
    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append((now - last[0]) * 1000)
        last[0] = now

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(10)
    done = [False]
    room.sigStageEnded.connect(lambda _n, _f: done.__setitem__(0, True))
    t0 = time.perf_counter()
    assert room.run_stage("pretrain")
    while not done[0]:
        app.processEvents()
        time.sleep(0.001)
    in_room = time.perf_counter() - t0
    timer.stop()
    gaps.sort()
    p95 = gaps[int(0.95 * (len(gaps) - 1))]
    print(
        f"pre-training in the room: {in_room:.1f} s (alone: {bare:.1f} s, {in_room / bare:.2f}x); "
        f"GUI timer gaps (10 ms timer, {len(gaps)} ticks): "
        f"median {statistics.median(gaps):.1f} ms, "
        f"p95 {p95:.1f} ms, max {gaps[-1]:.1f} ms"
    )


if __name__ == "__main__":
    main()
