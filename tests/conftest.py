"""Shared test setup: Qt offscreen, and small models built once per session."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# One torch thread per test worker (and per process a test starts): with two xdist
# workers on two cores, torch's default pool of two spinning threads each made the suite
# about 4x slower (core/threads.py says why the engine's training uses one thread too).
os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch  # after the environment it reads

torch.set_num_threads(1)
