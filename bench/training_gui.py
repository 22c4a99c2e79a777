"""Training in the window (offscreen): event-loop stalls, speed against the command line,
and memory growth of the window process (the training itself runs in a child process,
so the charts, snapshots and messages are what can grow here). Prints figures;
asserts nothing.
  1. the longest gap between 10 ms timer ticks while the worker trains (target <= 100 ms);
  2. training steps/s in the window as a ratio to the same training without Qt (>= 0.8);
  3. resident memory growth from step 500 to the last step of a long run (<= 50 MB);
  4. cancel: from the Cancel press to the run's end in the window (target <= 0.5 s; the
     test only checks that cancel stops the run, whatever the machine's speed).
Run: .venv/bin/python bench/training_gui.py [--steps N]
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

if TYPE_CHECKING:
    from core.train_messages import Progress


def rss_mb() -> float:
    text = Path("/proc/self/status").read_text()
    match = re.search(r"VmRSS:\s+(\d+)", text)
    return int(match.group(1)) / 1024 if match else float("nan")


def cli_rate(steps: int) -> float:
    """Steps/s of the same training (from random weights) without any window."""
    import copy

    import torch

    from core.builtin_corpus import builtin_corpus
    from core.config import TrainConfig
    from core.model import Transformer
    from core.session import Session
    from core.train import Trainer

    bundle = copy.deepcopy(Session.open_builtin().bundle)
    cfg = replace(TrainConfig(), steps=steps, eval_every=50)
    torch.manual_seed(cfg.seed)
    bundle.model = Transformer(bundle.cfg, bundle.src_tok.size, bundle.tgt_tok.size)
    trainer = Trainer(bundle, builtin_corpus("en-de"), cfg)
    t0 = time.perf_counter()
    trainer.fit()
    return steps / (time.perf_counter() - t0)


def window_run(steps: int) -> tuple[float, float, float, float]:
    """(steps/s, longest stall ms, RSS at step ~500, RSS at the end) of a run in the window."""
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from core.session import Session
    from visualizer.bridge import SessionBridge
    from visualizer.panels.training.training_view import TrainingView

    _app = QApplication.instance() or QApplication([])  # kept alive for the run
    session = Session.open_builtin()
    view = TrainingView(session, SessionBridge(session, threaded=True))  # as in the app
    view.resize(800, 700)
    view.show()
    view.steps.setValue(steps)
    view.scratch.setChecked(True)
    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start(10)
    marks: dict[str, float] = {}

    def note(p: Progress) -> None:
        if p.step >= 500 and "early" not in marks:
            marks["early"] = rss_mb()

    loop = QEventLoop()
    t0 = time.perf_counter()
    view.start()
    assert view.proc is not None
    view.proc.sigProgress.connect(note)
    view.proc.sigFinished.connect(lambda *_: QTimer.singleShot(0, loop.quit))
    view.proc.sigFailed.connect(lambda *_: QTimer.singleShot(0, loop.quit))
    loop.exec()  # the real event loop: it sleeps in Qt between events, as the app does
    seconds = time.perf_counter() - t0  # includes starting the training process
    timer.stop()
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    return steps / seconds, max(gaps) * 1e3, marks.get("early", float("nan")), rss_mb()


def cancel_latency(runs: int = 3) -> list[float]:
    """Seconds from ``cancel()`` to the Finished signal, for runs cancelled after a few steps."""
    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication

    from core.session import Session
    from visualizer.bridge import SessionBridge
    from visualizer.panels.training.training_view import TrainingView

    _app = QApplication.instance() or QApplication([])
    out = []
    for _ in range(runs):
        session = Session.open_builtin()
        view = TrainingView(session, SessionBridge(session, threaded=True))
        view.steps.setValue(100_000)
        loop = QEventLoop()
        asked: list[float] = []
        done: list[float] = []

        def progress(p: Progress, view: TrainingView = view, asked: list[float] = asked) -> None:
            if p.step >= 20 and not asked:
                asked.append(time.perf_counter())
                view.cancel()

        view.start()
        assert view.proc is not None
        view.proc.sigProgress.connect(progress)
        view.proc.sigFinished.connect(
            lambda *_, done=done, loop=loop: (done.append(time.perf_counter()), loop.quit())
        )
        loop.exec()
        out.append(done[0] - asked[0])
        view.shutdown()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=5000)
    args = ap.parse_args()
    import torch

    torch.set_num_threads(2)
    rate, stall, early, late = window_run(args.steps)
    base = cli_rate(args.steps)
    print(f"training from random weights, demo-de, {args.steps} steps in the window (offscreen):")
    print(f"  longest event-loop stall {stall:.0f} ms (target <= 100 ms)")
    print(
        f"  {rate:.1f} steps/s in the window vs {base:.1f} steps/s without Qt: "
        f"ratio {rate / base:.2f} (target >= 0.8)"
    )
    print(
        f"  resident memory at step 500 {early:.0f} MB, at step {args.steps} {late:.0f} MB: "
        f"growth {late - early:+.1f} MB (target <= 50 MB)"
    )
    lat = cancel_latency()
    print(
        f"  cancel -> run ended: median {sorted(lat)[len(lat) // 2]:.2f} s, "
        f"max {max(lat):.2f} s over {len(lat)} runs (target <= 0.5 s)"
    )


if __name__ == "__main__":
    main()
