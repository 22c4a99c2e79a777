"""Running the engine's command line in-process in tests: its exit status, stdout and
stderr, and the check that bad input is one error line with status 2."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from pathlib import Path

import pytest

from core.cli import main

ERROR = "transformer-sim: error:"


@dataclass
class Result:
    rc: int
    out: str
    err: str

    @property
    def first_line(self) -> str:
        return self.out.splitlines()[0] if self.out else ""

    @property
    def err_lines(self) -> list[str]:
        return self.err.splitlines()


def _exit_code(code: object) -> int:
    return code if isinstance(code, int) else (0 if code is None else 1)


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> Result:
    """``main`` in-process; argparse's own exits count as return codes."""
    capsys.readouterr()
    try:
        rc = main([str(a) for a in argv])
    except SystemExit as e:
        rc = _exit_code(e.code)
    out, err = capsys.readouterr()
    return Result(rc, out, err)


def run_quiet(*argv: str | Path) -> Result:
    """``main`` in-process for module fixtures, which cannot use ``capsys``."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = main([str(a) for a in argv])
        except SystemExit as e:
            rc = _exit_code(e.code)
    return Result(rc, out.getvalue(), err.getvalue())


def assert_user_error(res: Result, *needles: str) -> None:
    assert res.rc == 2, res
    assert "Traceback" not in res.err
    assert len(res.err_lines) == 1, res.err
    assert res.err_lines[0].startswith(ERROR), res.err
    for needle in needles:
        assert needle in res.err_lines[0], res.err
