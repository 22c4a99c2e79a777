"""The hostile-input suite's kit: the harness and the file crafting.

Every case runs in a fresh subprocess under an address-space limit
(``core.limits.PROCESS_MEMORY``) and a timeout, in a folder of its own ("the world"),
which is hashed before and after so a case proves that nothing outside its intended
target changed.

``hostile.run(*argv)`` runs the console script; ``hostile.run(code=...)`` runs Python.
Each run's peak memory and CPU time come back in the ``Outcome``; with
``HOSTILE_STATS=file`` in the environment every case appends them there as a JSON
line (how the README's "largest memory and time" numbers are measured).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import select
import shutil
import signal
import stat
import struct
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from core import limits

ROOT = Path(__file__).resolve().parents[2]
ASSETS = ROOT / "assets"
SHIPPED = ASSETS / "models" / "demo-de"
RUNNER = Path(__file__).with_name("limited.py")
ERROR = "transformer-sim: error:"
SRC = "Time flies like an arrow"
EOS_ID = 2


@dataclass
class Outcome:
    rc: int
    out: str
    err: str
    rss_mib: float  # peak resident memory of the case's process
    vm_mib: float  # peak address space (held below the limit)
    cpu_s: float
    wall_s: float

    @property
    def err_lines(self) -> list[str]:
        return self.err.splitlines()


def refused(o: Outcome, *needles: str) -> None:
    """The clear refusal: exit status 2, exactly one ``transformer-sim: error:`` line on
    stderr, no traceback, nothing on stdout."""
    assert o.rc == 2, o
    assert "Traceback" not in o.err, o.err
    assert len(o.err_lines) == 1, o.err
    assert o.err_lines[0].startswith(ERROR), o.err
    for needle in needles:
        assert needle in o.err_lines[0], o.err
    assert o.out == "", o.out


def tree_hash(folder: Path, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """Every entry under ``folder`` (relative path -> digest). Regular files up to
    16 MiB by content; larger (sparse) files, pipes and devices by type, size and
    modification time, never opened; folders by their entries. Paths under ``skip`` are left out."""
    out: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if any(rel == s or rel.startswith(s + "/") for s in skip):
            continue
        info = path.lstat()
        if stat.S_ISDIR(info.st_mode):
            out[rel] = "folder"  # its entries count, not its modification time
        elif stat.S_ISREG(info.st_mode) and info.st_size <= 16 * limits.MiB:
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            out[rel] = f"{stat.S_IFMT(info.st_mode)}:{info.st_size}:{info.st_mtime_ns}"
    return out


def base_env() -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONFAULTHANDLER": "1",
        # one thread: on two shared cores OpenMP's spinning threads can multiply the
        # CPU time of a case by ten, which is noise, not what a case measures
        "OMP_NUM_THREADS": "1",
    }


class Zygote:
    """``limited.py --zygote``: PyTorch imported once, one forked child per case."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(RUNNER), "--zygote"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=base_env(),
            cwd=ROOT,
            text=True,
        )
        assert self.proc.stdout is not None and "ready" in self.proc.stdout.readline()

    def run(
        self, args: list[str], cwd: Path, env: dict[str, str], logs: Path, timeout: float
    ) -> int:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        request = {
            "args": args,
            "cwd": str(cwd),
            "env": env,
            "stdout": str(logs / "stdout"),
            "stderr": str(logs / "stderr"),
        }
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        pid = json.loads(self.proc.stdout.readline())["pid"]
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            os.kill(pid, signal.SIGKILL)
            self.proc.stdout.readline()
            raise subprocess.TimeoutExpired(args, timeout)
        return int(json.loads(self.proc.stdout.readline())["status"])

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)


class Hostile:
    """Runs cases in ``world`` (the working folder) and checks it is unchanged but for
    the paths a case names in ``may_change``. Cases fork from ``zygote`` (a warm
    interpreter) when one is given, else start a fresh one."""

    def __init__(self, world: Path, report: Path, zygote: Zygote | None = None) -> None:
        self.world = world
        self.report = report
        self.assets: Path | None = None
        self.zygote = zygote

    def fake_assets(self) -> Path:
        """A copy of the shipped assets the next runs use instead of the real ones."""
        self.assets = self.world / "assets"
        shutil.copytree(ASSETS, self.assets, ignore=shutil.ignore_patterns("__pycache__"))
        return self.assets

    def run(
        self,
        *argv: str | Path,
        code: str | None = None,
        timeout: float = 60,
        memory: int = limits.PROCESS_MEMORY,
        may_change: tuple[str, ...] = (),
        fresh: bool = False,
    ) -> Outcome:
        """Run the console script with ``argv`` (or ``code``) in a new process held to
        ``memory`` bytes of address space; ``fresh`` starts a new interpreter instead of
        forking the zygote."""
        before = tree_hash(self.world, may_change)
        env = base_env() | {"HOSTILE_MEMORY": str(memory), "HOSTILE_REPORT": str(self.report)}
        if self.assets is not None:
            env["HOSTILE_ASSETS"] = str(self.assets)
        args = ["-c", code] if code is not None else [str(a) for a in argv]
        self.report.unlink(missing_ok=True)
        logs = self.report.parent
        if self.zygote is not None and not fresh:
            rc = self.zygote.run(args, self.world, env, logs, timeout)
            out, err = (logs / "stdout").read_bytes(), (logs / "stderr").read_bytes()
        else:
            proc = subprocess.run(
                [sys.executable, str(RUNNER), *args],
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=timeout,
                cwd=self.world,
                env=env,
            )
            rc, out, err = proc.returncode, proc.stdout, proc.stderr
        usage = json.loads(self.report.read_text("utf-8")) if self.report.exists() else {}
        outcome = Outcome(
            rc,
            out.decode("utf-8", "replace"),
            _quiet(err.decode("utf-8", "replace")),
            usage.get("rss_mib", -1.0),
            usage.get("vm_mib", -1.0),
            usage.get("cpu_s", -1.0),
            usage.get("wall_s", -1.0),
        )
        _record(outcome, argv or ("-c",))
        after = tree_hash(self.world, may_change)
        changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        assert not changed, f"outside the target, these changed: {changed[:5]}"
        return outcome


def _quiet(err: str) -> str:
    """Drop the offscreen platform's note that docks cannot hint sizes (Qt's, not ours)."""
    return "".join(
        line for line in err.splitlines(keepends=True) if "propagateSizeHints" not in line
    )


def _record(o: Outcome, argv: tuple[Any, ...]) -> None:
    stats = os.environ.get("HOSTILE_STATS")
    if stats:
        case = os.environ.get("PYTEST_CURRENT_TEST", "").split(" ")[0]
        line = {"case": case, "argv0": str(argv[0]), "rc": o.rc, "rss_mib": o.rss_mib}
        line |= {"vm_mib": o.vm_mib}
        line |= {"cpu_s": o.cpu_s, "wall_s": o.wall_s}
        with open(stats, "a", encoding="utf-8") as f:
            f.write(json.dumps(line) + "\n")


# -- crafting hostile files ------------------------------------------------------------------
def model_folder(out: Path, max_len: int | None = None, never_eos: bool = False) -> Path:
    """A copy of the shipped German model; optionally another ``max_len`` in its config
    (positions are sinusoids, so the weights still fit) and an output bias that makes
    ``<eos>`` impossible (the model then never stops by itself)."""
    shutil.copytree(SHIPPED, out)
    if max_len is not None:
        config = json.loads((out / "config.json").read_text("utf-8"))
        config["model"]["max_len"] = max_len
        (out / "config.json").write_text(json.dumps(config), "utf-8")
    if never_eos:
        from safetensors.torch import load_file, save_file

        weights = load_file(str(out / "model.safetensors"))
        weights["head.bias"][EOS_ID] = -1000.0
        save_file(weights, str(out / "model.safetensors"), metadata={"format": FORMAT})
    return out


FORMAT = "transformer-sim/1"


def state(**changes: Any) -> dict[str, Any]:
    """A valid session state on the shipped German model (``check_state`` accepts it)."""
    base: dict[str, Any] = {
        "format": "transformer-sim-session",
        "version": 1,
        "pair": "en-de",
        "source": SRC,
        "decode": {
            "beam": 1,
            "temperature": 0.0,
            "top_k": 0,
            "top_p": 1.0,
            "max_len": 63,
            "seed": 0,
            "length_penalty": 0.6,
            "candidates": 5,
        },
        "mode": "translate",
        "target": "",
        "cursor": 0,
        "selection": {"head": 0, "row": None, "col": None},
        "breakpoints": [],
        "watches": [],
        "interventions": [],
        "history": {},
    }
    return base | changes


def session_file(
    out: Path,
    model: Path = SHIPPED,
    state_json: dict[str, Any] | bytes | None = None,
    entries: dict[str, bytes] | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> Path:
    """A ``.tsim`` zip of ``model``'s three files and a state (or any ``entries``)."""
    files = {
        "state.json": state_json
        if isinstance(state_json, bytes)
        else json.dumps(state_json if state_json is not None else state()).encode(),
        **{name: (model / name).read_bytes() for name in ("config.json", "vocab.json")},
        "model.safetensors": (model / "model.safetensors").read_bytes(),
    }
    files.update(entries or {})
    with zipfile.ZipFile(out, "w", compression=compression) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return out


def patch_central(path: Path, name: str, *, size: int | None = None, flags: int = 0) -> None:
    """Rewrite ``name``'s central-directory entry (and local header flags): a declared
    uncompressed ``size`` that lies, or extra general-purpose ``flags`` (0x1: encrypted)."""
    data = bytearray(path.read_bytes())
    end = data.rfind(b"PK\x05\x06")
    (count,) = struct.unpack_from("<H", data, end + 10)
    (at,) = struct.unpack_from("<I", data, end + 16)
    for _ in range(count):
        n, m, k = struct.unpack_from("<HHH", data, at + 28)
        if data[at + 46 : at + 46 + n].decode() == name:
            if size is not None:
                struct.pack_into("<I", data, at + 24, size)
            if flags:
                (bits,) = struct.unpack_from("<H", data, at + 8)
                struct.pack_into("<H", data, at + 8, bits | flags)
                (local,) = struct.unpack_from("<I", data, at + 42)
                (lbits,) = struct.unpack_from("<H", data, local + 6)
                struct.pack_into("<H", data, local + 6, lbits | flags)
            path.write_bytes(bytes(data))
            return
        at += 46 + n + m + k
    raise AssertionError(f"no entry {name}")


def sparse(path: Path, size: int, head: bytes = b"") -> Path:
    """A file that says it holds ``size`` bytes but occupies almost no disk."""
    with path.open("wb") as f:
        f.write(head)
        f.truncate(size)
    return path


@contextlib.contextmanager
def tmpfs(where: Path, size: str, readonly: bool = False) -> Iterator[Path]:
    """A small tmpfs mounted at ``where`` (root only); skips the test where mounting
    is not allowed."""
    where.mkdir()
    options = f"size={size}" + (",ro" if readonly else "")
    proc = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({proc.stderr.strip() or 'not root'})")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)
