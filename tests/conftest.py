"""Shared test setup: Qt offscreen, and small models built once per session."""

from __future__ import annotations

import gc
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# One torch thread per test worker (and per process a test starts): with two xdist
# workers on two cores, torch's default pool of two spinning threads each made the suite
# about 4x slower (core/threads.py says why the engine's training uses one thread too).
os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch  # after the environment it reads

torch.set_num_threads(1)

# The cyclic garbage collector runs on the main thread only, between tests. Switched on,
# it runs in whichever thread allocates past its threshold: the stage, training and
# model-run workers allocate the most, and a pass there can free cycles holding an
# earlier test's widgets from the wrong thread (a test worker aborted with "pure virtual
# method called" in pytest-qt's event processing after a stages-room test, in a clean-clone
# run; pyqtgraph's GarbageCollector exists for this). The window does the same with a
# GUI-thread timer (visualizer.app.collect_again).
gc.disable()
_THRESHOLDS = gc.get_threshold()


def pytest_runtest_teardown(item: object) -> None:
    """Collect as the collector would have, at its own thresholds, on this thread."""
    c0, c1, c2 = gc.get_count()
    t0, t1, t2 = _THRESHOLDS
    if c0 > t0:
        gc.collect(2 if c1 > t1 and c2 > t2 else 1 if c1 > t1 else 0)
