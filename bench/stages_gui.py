"""How smooth the window stays while a stage trains in the stages room.

The room trains in a QThread of the window's process (visualizer/rooms/stages/
stages_worker.py). A 10 ms QTimer on the GUI thread records the gap between its ticks
while the built-in pre-training stage runs from step 0 and for half a second after it
ended: a gap of 50 ms or more is a stall the user sees (the Training tab once measured
233 ms with a training thread and moved to a child process). As a user meets it, the
room is on screen (painted) on its comparison page before Run is pressed, so Run also
switches to the pre-training page. Prints the number of stalls at the start (the first
0.6 s), while it trains and at the end (reading the models), the median, p95 and max gap,
and the stage's time beside the same stage without the window. Asserts nothing.
``--unpainted`` presses Run right after ``show()``, before the room was ever painted
(what this benchmark did first): then the room's first layout and paint race the
worker's first evaluation for the interpreter, which no user can do.

Measured on the 2-core machine while other jobs ran (load 6; so counts, not times),
1000 steps. Before (the worker only trained: the GUI thread read the models when the
stage ended, and a fresh room's first optimiser imported torch._dynamo, ~1 s, in the
worker's first second): stalls start 2 (58, 198 ms), training 6 (53-274 ms), end 1
(566 ms). Now (the worker reads the models; the room imports what the optimiser needs
when it is built): start 0, training 0, end 0, longest gap 39 ms. With --unpainted
(300 steps): start 1 (73 ms: the room's first paint racing the worker, faulthandler).
Run: QT_QPA_PLATFORM=offscreen .venv/bin/python bench/stages_gui.py [--steps N] [--unpainted]
"""

from __future__ import annotations

import argparse
import statistics
import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from core.stages.pipeline import Callbacks, Pipeline, Settings
from visualizer.rooms.stages.stages_room import PAGES, StagesRoom

STALL_MS = 50.0
START_S = 0.6
AFTER_S = 0.5


def pump(app: QApplication, seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.001)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=1000, help="pre-training steps")
    ap.add_argument("--unpainted", action="store_true", help="press Run before the first paint")
    args = ap.parse_args()
    settings = Settings(seed=0, pretrain_steps=args.steps)
    app = QApplication([])
    room = StagesRoom.create(settings=settings)
    room.resize(1600, 1000)
    room.tabs.setCurrentIndex(PAGES.index("compare"))
    room.show()
    if not args.unpainted:
        pump(app, 0.5)  # on screen, as a user sees it before pressing Run

    ticks: list[float] = []  # when each tick came
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    ended = [0.0]

    def on_end(_name: str, _finished: bool) -> None:
        ended[0] = time.perf_counter()

    room.sigStageEnded.connect(on_end)
    timer.start(10)
    t0 = time.perf_counter()
    assert room.run_stage("pretrain")
    while not ended[0]:
        app.processEvents()
        time.sleep(0.001)
    in_room = ended[0] - t0
    pump(app, AFTER_S)  # what the room does once the stage has ended
    timer.stop()

    gaps = [((b - a) * 1000, b) for a, b in zip([t0, *ticks], ticks, strict=False)]
    start = [g for g, at in gaps if at - t0 <= START_S]
    during = [g for g, at in gaps if at - t0 > START_S and at <= ended[0]]
    after = [g for g, at in gaps if at > ended[0]]

    def stalls(part: list[float]) -> str:
        long = [f"{g:.0f}" for g in part if g >= STALL_MS]
        return f"{len(long)}" + (f" ({', '.join(long)} ms)" if long else "")

    every = sorted(g for g, _ in gaps)
    t1 = time.perf_counter()
    Pipeline(settings).run_stage("pretrain", Callbacks())
    bare = time.perf_counter() - t1
    print(
        f"pre-training ({args.steps} steps) in the room: {in_room:.1f} s "
        f"(alone: {bare:.1f} s, {in_room / bare:.2f}x); GUI timer gaps (10 ms timer, "
        f"{len(every)} ticks): median {statistics.median(every):.1f} ms, "
        f"p95 {every[int(0.95 * (len(every) - 1))]:.1f} ms, max {every[-1]:.1f} ms; "
        f"stalls >= {STALL_MS:.0f} ms: start {stalls(start)}, training {stalls(during)}, "
        f"end {stalls(after)}"
    )


if __name__ == "__main__":
    main()
