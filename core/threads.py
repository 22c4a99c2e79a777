"""Run the engine's small tensor work on the calling thread only.

Two reasons, both measured: handing a 64 × 64 product to a thread pool costs more than
the product (and the pool's spinning workers stall badly when the cores are busy — a
test run with two workers was 4× slower with torch's default pool); and training on one
thread gives the same bits whatever the machine's number of cores, so ``make models``
rebuilds the shipped weights bit for bit on any machine with the builder's float kernels
(another vector unit rounds differently: tests/core/rebuild_check.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch


@contextmanager
def one_thread() -> Iterator[None]:
    """Set torch's intra-op pool to one thread for the block, then restore it."""
    n = torch.get_num_threads()
    if n > 1:
        torch.set_num_threads(1)
    try:
        yield
    finally:
        if n > 1:
            torch.set_num_threads(n)
