"""Fixtures of the hostile-input suite (the harness itself is ``hostile_kit.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile_kit import ASSETS, Hostile, Zygote, tree_hash


@pytest.fixture(scope="session")
def zygote() -> Iterator[Zygote]:
    """One warm interpreter per test process; every case is a child forked from it."""
    z = Zygote()
    yield z
    z.close()


@pytest.fixture
def hostile(tmp_path: Path, zygote: Zygote) -> Hostile:
    world = tmp_path / "world"
    world.mkdir()
    return Hostile(world, tmp_path / "usage.json", zygote)


@pytest.fixture(scope="session", autouse=True)
def shipped_assets_untouched() -> Iterator[None]:
    """Whatever the suite does, the real shipped assets end as they began."""
    before = tree_hash(ASSETS, ("__pycache__",))
    yield
    assert tree_hash(ASSETS, ("__pycache__",)) == before
