"""The app's version, from the installed package's metadata (``pyproject.toml``).

``transformer-sim --version`` and Help ▸ About both show this string.
"""

from __future__ import annotations

from importlib import metadata

DISTRIBUTION = "transformer-sim"


def app_version() -> str:
    """E.g. ``0.1.0``; ``unknown`` when the package is not installed (a bare checkout)."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "unknown"
