"""Fixtures for engine tests: the built-in corpora, the shipped models, small random ones
and a session on the shipped German model."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from core import checkpoint
from core.builtin_corpus import builtin_corpus
from core.bundle import Bundle, new_bundle
from core.config import ModelConfig, TrainConfig
from core.corpus import Corpus
from core.session import Session
from core.train import Trainer

ASSETS = Path(__file__).resolve().parents[2] / "assets"


@pytest.fixture(scope="session")
def corpus_de() -> Corpus:
    """The built-in English-German corpus (frozen: shared by every test)."""
    return builtin_corpus("en-de")


@pytest.fixture(scope="session")
def corpus_fr() -> Corpus:
    """The built-in English-French corpus (frozen: shared by every test)."""
    return builtin_corpus("en-fr")


@pytest.fixture(scope="session")
def shipped_de() -> Bundle:
    return checkpoint.load(ASSETS / "models" / "demo-de")


@pytest.fixture(scope="session")
def shipped_fr() -> Bundle:
    return checkpoint.load(ASSETS / "models" / "demo-fr")


@pytest.fixture
def fresh(corpus_de: Corpus) -> Bundle:
    """A randomly initialised demo-size model (seeded) on the German corpus."""
    return new_bundle(corpus_de, ModelConfig(), seed=1)


@pytest.fixture
def trainer(fresh: Bundle, corpus_de: Corpus) -> Trainer:
    torch.manual_seed(0)
    return Trainer(fresh, corpus_de, TrainConfig(warmup=0, lr=1e-3))


@pytest.fixture
def session(shipped_de: Bundle) -> Session:
    """A new session on the lecture sentence for one test. It shares the shipped German
    model's weights, which a session never changes (a training step runs on a copy)."""
    return Session(shipped_de, "en-de", "Time flies like an arrow")
