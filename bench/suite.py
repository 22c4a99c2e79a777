"""Test-suite benchmark: what `make test`'s pytest costs, and where, on this machine.

The suite's time depends as much on the machine as on the tests (the same commit took
133 s on one 2-core machine and 170-240 s on another, an AVX-512 Xeon shared with other
guests), so this prints, from one run:
  1. a machine reference: a window built and 100 steps walked, in a fresh process (the
     suite's typical work: Qt widgets, layouts, painting, small tensors); median of 3;
  2. pytest as `make test` runs it: wall time, CPU time of all its processes, how busy
     the workers kept the cores, and the wall time as a multiple of the reference;
  3. the test time by folder and the slowest files (call + setup + teardown).
Asserts nothing. Run with nothing else on the machine: .venv/bin/python bench/suite.py
"""

from __future__ import annotations

import collections
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = str(ROOT / ".venv" / "bin" / "python")
WORKERS = 2  # pyproject.toml's addopts: -n 2

REFERENCE = """
import os, time
os.environ["QT_QPA_PLATFORM"] = "offscreen"
import torch
torch.set_num_threads(1)
from PySide6.QtWidgets import QApplication
app = QApplication([])
t0 = time.perf_counter()
from core.session import Session
from visualizer.assemble import SimulatorWindow
from visualizer.bridge import SessionBridge
s = Session.open_builtin("en-de")
w = SimulatorWindow(s, SessionBridge(s), persist=False)
w.resize(1400, 900)
w.show()
app.processEvents()
s.animate = False
for _ in range(100):
    s.step_forward()
    app.processEvents()
print(time.perf_counter() - t0)
"""


def _env() -> dict[str, str]:
    """As the Makefile's test target: bytecode cached, Qt offscreen."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def reference(runs: int = 3) -> float:
    """Median seconds of the reference work, each run in a fresh process."""
    times = []
    for _ in range(runs):
        out = subprocess.run(
            [PY, "-c", REFERENCE], cwd=ROOT, env=_env(), capture_output=True, text=True
        )
        if out.returncode:
            raise SystemExit(f"the reference run failed:\n{out.stderr[-2000:]}")
        times.append(float(out.stdout.split()[-1]))
    return statistics.median(times)


def suite() -> tuple[float, float, str]:
    """Wall and CPU seconds of pytest (all workers), and its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "pytest"), "--durations=0", "-p", "no:cacheprovider"],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, out.stdout + out.stderr


def by_file(output: str) -> collections.Counter[str]:
    """Seconds per test file from pytest's ``--durations=0`` lines."""
    seconds: collections.Counter[str] = collections.Counter()
    for line in output.splitlines():
        m = re.match(r"\s*([\d.]+)s (?:setup|call|teardown)\s+(\S+?)::", line)
        if m:
            seconds[m.group(2)] += float(m.group(1))
    return seconds


def main() -> None:
    ref = reference()
    print(f"machine reference (window built + 100 steps, fresh process): median {ref:.2f} s")
    wall, cpu, output = suite()
    summary = [line for line in output.splitlines() if " passed" in line or " failed" in line]
    print(f"pytest: {summary[-1].strip('= ') if summary else 'no summary line'}")
    busy = cpu / (wall * WORKERS)
    print(
        f"  wall {wall:.1f} s = {wall / ref:.0f}x the reference; CPU {cpu:.1f} s "
        f"(the {WORKERS} cores {busy:.0%} busy)"
    )
    files = by_file(output)
    total = sum(files.values())
    folders: collections.Counter[str] = collections.Counter()
    for name, s in files.items():
        parts = name.split("/")
        folders["/".join(parts[:3]) if len(parts) > 3 else "/".join(parts[:2])] += s
    print(f"  test time {total:.1f} s; by folder:")
    for name, s in folders.most_common(12):
        print(f"    {s:6.1f} s  {s / total:5.1%}  {name}")
    print("  slowest files:")
    for name, s in files.most_common(10):
        print(f"    {s:6.1f} s  {name}")


if __name__ == "__main__":
    sys.exit(main())
