"""The wheel is the program: built from the sdist, installed into a throwaway venv, it
runs ``demo`` (both shipped models), an offscreen ``shot`` and ``install-desktop`` from a
folder outside the source tree, with everything under ``assets/`` inside it.

Fast and offline: the sdist and the wheel are built without build isolation, and the
throwaway venv sees the project venv's site-packages (torch, Qt) through a ``.pth``
line placed after its own, so only the few MB of this project are installed. The
project venv's editable install is not active there (its ``.pth`` hooks are not
run), and the test checks that ``core`` is imported from the wheel's copy.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "setup.py", "README.md", "core", "visualizer", "assets")
PACKAGE_DIRS = {"core": "core", "visualizer": "visualizer", "assets": "transformer_sim_assets"}
JUNK = shutil.ignore_patterns("__pycache__", "*.pyc")


def _run(args: list[str | Path], cwd: Path, env: dict[str, str] | None = None) -> str:
    out = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, f"{args}\n{out.stdout}\n{out.stderr}"
    return out.stdout


def _source_files(folder: str) -> set[str]:
    """Files under ROOT/folder as the wheel names them (assets/ is transformer_sim_assets/)."""
    base = ROOT / folder
    return {
        f"{PACKAGE_DIRS[folder]}/{p.relative_to(base).as_posix()}"
        for p in base.rglob("*")
        if p.is_file()
        and "__pycache__" not in p.parts
        and p.suffix != ".pyc"
        and (folder == "assets" or p.suffix == ".py")
    }


def _installed_files(site: Path) -> set[str]:
    return {
        p.relative_to(site).as_posix()
        for name in PACKAGE_DIRS.values()
        for p in (site / name).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def _build_wheel(tmp: Path) -> Path:
    """sdist from a copy of the sources (the working tree gets no build/ or egg-info),
    then the wheel from the sdist, as ``python -m build`` does: so both must carry it all."""
    src = tmp / "src"
    src.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=JUNK)
        else:
            shutil.copy2(ROOT / name, src / name)
    sdist = _run(
        [
            sys.executable,
            "-c",
            f"from setuptools import build_meta as b; print(b.build_sdist({str(tmp / 'dist')!r}))",
        ],
        cwd=src,
    ).split()[-1]
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-q",
            "-w",
            tmp / "wheel",
            tmp / "dist" / sdist,
        ],
        cwd=tmp,
    )
    (found,) = (tmp / "wheel").glob("transformer_sim-*.whl")
    return found


def _assert_carries_everything(wheel: Path) -> None:
    """Every file under assets/ and every module; no bytecode."""
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in PACKAGE_DIRS:
        expected = _source_files(folder)
        assert expected, folder
        assert not expected - names, f"missing from the wheel: {sorted(expected - names)}"
    for kind in (
        "models/demo-de/model.safetensors",
        "models/demo-fr/vocab.json",
        "chapters/00-neuron.json",
        "text/en.json",
        "text/zh.json",
        "icons/transformer-sim.svg",
        "icons/transformer-sim.png",
    ):
        assert f"transformer_sim_assets/{kind}" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_wheel_installs_and_runs_outside_the_source_tree(tmp_path: Path) -> None:
    wheel = _build_wheel(tmp_path)
    _assert_carries_everything(wheel)

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=tmp_path)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / "python"
    site = Path(
        _run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            cwd=tmp_path,
        ).strip()
    )
    here = sysconfig.get_paths()
    (site / "zz_project_deps.pth").write_text(f"{here['purelib']}\n{here['platlib']}\n")
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            python,
            "install",
            "--no-deps",
            "--no-index",
            "-q",
            wheel,
        ],
        cwd=tmp_path,
    )

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env |= {
        "QT_QPA_PLATFORM": "offscreen",
        "OMP_NUM_THREADS": "1",  # tiny models: 5x faster on a busy machine than 2+ threads
        "HOME": str(tmp_path / "home"),  # settings and data of this run land here
        "XDG_CONFIG_HOME": str(tmp_path / "home" / "config"),
        "XDG_DATA_HOME": str(tmp_path / "home" / "data"),
    }
    before = _installed_files(site)

    where = _run(
        [
            python,
            "-c",
            "import core, visualizer, transformer_sim_assets as a; "
            "print(core.__file__, visualizer.__file__, a.__file__)",
        ],
        elsewhere,
        env,
    )
    assert all(Path(p).is_relative_to(site) for p in where.split()), where

    cli = bin_dir / "transformer-sim"
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert _run([cli, "--version"], elsewhere, env).strip() == f"transformer-sim {version}"
    demo = _run([cli, "demo"], elsewhere, env)
    assert "en-de (demo-de):" in demo and "en-fr (demo-fr):" in demo, demo
    assert "Time flies like an arrow  ->  Die Zeit fliegt wie ein Pfeil" in demo, demo
    _run([cli, "shot", "--out", "window.png", "--size", "800x500"], elsewhere, env)
    assert (elsewhere / "window.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    _run([cli, "install-desktop"], elsewhere, env)
    entry = tmp_path / "home/data/applications/transformer-sim.desktop"
    assert f"Exec={cli}" in entry.read_text().splitlines()
    assert (tmp_path / "home/data/icons/hicolor/256x256/apps/transformer-sim.png").is_file()

    assert _installed_files(site) == before  # nothing written into the installed package
