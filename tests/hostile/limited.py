"""Run one ``transformer-sim`` command (or a snippet of Python) the way the hostile
suite does: in its own process, under an address-space limit.

    python limited.py ARGS...        the console script's main(ARGS), in this process
    python limited.py -c CODE        exec(CODE)
    python limited.py --zygote       a server: imports the heavy libraries once, then
                                     forks one child per request (JSON lines on stdin)

Each run reads ``HOSTILE_MEMORY`` (bytes of address space), and optionally
``HOSTILE_REPORT`` (a file that receives {"rss_mib", "vm_mib", "cpu_s", "wall_s"} when
the run ends, also after an error) and ``HOSTILE_ASSETS`` (a folder that stands in for
the shipped assets, so a case can aim at "the shipped models" or add a narration file
without touching the real ones).

The zygote is only a speed-up: importing PyTorch costs most of a second of CPU, and
the suite runs dozens of cases on two shared cores. It imports third-party libraries
only (nothing of ``core`` or ``visualizer``, which read the environment when imported),
and each forked child is a fresh process in every way a case can observe: its own
folder, environment, limit, standard streams and exit status.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import sys
import time
import traceback
from pathlib import Path


def _status(field: str) -> float:
    """A /proc/self/status size in MiB (VmHWM: peak resident memory of this process
    since it started or forked; VmPeak: peak address space); -1 where there is none."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return -1.0


def _report(start: float, cpu_start: float) -> None:
    path = os.environ.get("HOSTILE_REPORT")
    if not path:
        return
    usage = resource.getrusage(resource.RUSAGE_SELF)
    Path(path).write_text(
        json.dumps(
            {
                "rss_mib": _status("VmHWM"),
                "vm_mib": _status("VmPeak"),
                "cpu_s": usage.ru_utime + usage.ru_stime - cpu_start,
                "wall_s": time.perf_counter() - start,
            }
        ),
        "utf-8",
    )


def run(args: list[str], cpu_start: float = 0.0) -> int:
    """One case in this process: limit, assets, then the command or the code."""
    start = time.perf_counter()
    limit = int(os.environ["HOSTILE_MEMORY"])
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    assets = os.environ.get("HOSTILE_ASSETS")
    if assets:  # before any module reads it
        import core.assets

        core.assets.root = lambda: Path(assets)
    try:
        if args[:1] == ["-c"]:
            exec(compile(args[1], "<case>", "exec"), {"__name__": "__case__"})
            return 0
        from visualizer.cli import main as cli

        return cli(args)
    finally:
        _report(start, cpu_start)


def _exit_status(e: SystemExit) -> int:
    if e.code is None or isinstance(e.code, int):
        return e.code or 0
    print(e.code, file=sys.stderr)
    return 1


def zygote() -> None:
    """Serve requests ({"args", "cwd", "env", "stdout", "stderr"} per line): fork, run the
    case in the child, answer {"pid"} at once and {"status"} when it ends."""
    import numpy  # noqa: F401
    import sacrebleu  # noqa: F401
    import safetensors.torch  # noqa: F401
    import tokenizers  # noqa: F401
    import torch  # noqa: F401
    import tqdm  # noqa: F401

    print(json.dumps({"ready": os.getpid()}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child(request)  # never returns
        print(json.dumps({"pid": pid}), flush=True)
        _, status = os.waitpid(pid, 0)
        print(json.dumps({"status": os.waitstatus_to_exitcode(status)}), flush=True)


def _child(request: dict[str, object]) -> None:
    code = 1
    try:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu_start = usage.ru_utime + usage.ru_stime  # the zygote's own, inherited
        os.chdir(str(request["cwd"]))
        os.environ.clear()
        os.environ.update(request["env"])  # type: ignore[arg-type]
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        for fd, key in ((1, "stdout"), (2, "stderr")):
            out = os.open(str(request[key]), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(out, fd)
            os.close(out)
        sys.stdin = open(0, closefd=False)  # noqa: SIM115
        sys.stdout = open(1, "w", encoding="utf-8", errors="backslashreplace", closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False)  # noqa: SIM115
        try:
            code = run(list(request["args"]), cpu_start)  # type: ignore[call-overload]
        except SystemExit as e:
            code = _exit_status(e)
        except BaseException:
            traceback.print_exc()
            code = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(code)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--zygote"]:
        zygote()
    else:
        sys.exit(run(sys.argv[1:]))
