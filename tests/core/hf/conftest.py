"""The shared tiny GPT-2 folder (``gpt2_kit``) for the loader's tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from transformers import GPT2LMHeadModel

from tests.core.hf.gpt2_kit import write_gpt2


@pytest.fixture(scope="module")
def gpt2_folder(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GPT2LMHeadModel]:
    folder = tmp_path_factory.mktemp("gpt2")
    return folder, write_gpt2(folder)
