"""Where the shipped data is: models, chapters, narration texts and icons.

``assets/`` sits at the top of the repository and is installed as the package
``transformer_sim_assets`` (setup.py maps the folder), so it is found the same way
from a wheel, a ``pipx install``, the editable install of ``make run``, or a zip:
through ``importlib.resources``. This is the only place that knows where it is.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

PACKAGE = "transformer_sim_assets"


@cache
def root() -> Path:
    """The assets folder as a real folder (safetensors and Qt need file paths)."""
    try:
        found = resources.files(PACKAGE)
    except ModuleNotFoundError:
        raise RuntimeError(
            f"the shipped assets (package {PACKAGE}) are not installed; reinstall "
            "transformer-sim (`make run` does it in a checkout)"
        ) from None
    if isinstance(found, Path):
        return found
    # Inside a zip: copy the tree out once, for as long as the process runs.
    tmp = Path(tempfile.mkdtemp(prefix="transformer-sim-assets."))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    _copy(found, tmp)
    return tmp


def path(*parts: str) -> Path:
    """A file or folder of the assets, e.g. ``path("models", "demo-de")``."""
    return root().joinpath(*parts)


def _copy(src: Traversable, dst: Path) -> None:
    for item in src.iterdir():
        if item.is_dir():
            (dst / item.name).mkdir()
            _copy(item, dst / item.name)
        else:
            (dst / item.name).write_bytes(item.read_bytes())
