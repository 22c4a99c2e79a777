"""Generated cat / dog pictures and the patch cut the picture classifier reads."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
import torch

from core.pictures import (
    LABELS,
    Look,
    PictureCorpus,
    draw,
    label_name,
    lecture_pictures,
    make_pictures,
    patch_grid,
    patchify,
    picture_batch,
    picture_batches,
    picture_corpus,
    unpatchify,
)


@pytest.fixture(scope="module")
def corpus() -> PictureCorpus:
    return picture_corpus(seed=0, n_train=600, n_valid=200)


def test_deterministic_by_seed(corpus: PictureCorpus) -> None:
    again = picture_corpus(seed=0, n_train=600, n_valid=200)
    for a, b in ((corpus.train, again.train), (corpus.valid, again.valid)):
        assert np.array_equal(a.images, b.images) and np.array_equal(a.labels, b.labels)
    other = picture_corpus(seed=1, n_train=600, n_valid=200)
    assert not np.array_equal(other.train.images, corpus.train.images)
    assert np.array_equal(lecture_pictures().images, corpus.lecture.images)


def test_shapes_range_and_balance(corpus: PictureCorpus) -> None:
    for part, n in ((corpus.train, 600), (corpus.valid, 200)):
        assert part.images.shape == (n, 1, 16, 16) and part.images.dtype == np.float32
        assert part.labels.dtype == np.int64
        assert part.images.min() >= 0.0 and part.images.max() <= 1.0
        assert Counter(part.labels.tolist()) == {0: n // 2, 1: n // 2}
    odd = make_pictures(7, np.random.default_rng(0))
    assert Counter(odd.labels.tolist()) == {0: 4, 1: 3}
    assert not np.array_equal(corpus.train.images[:5], corpus.valid.images[:5])


def test_lecture_pictures_and_names() -> None:
    lecture = lecture_pictures()
    assert lecture.labels.tolist() == [0, 1, 0, 1]
    assert LABELS == ("cat", "dog")
    assert [label_name(i, "zh") for i in range(2)] == ["猫", "狗"]
    assert [label_name(i) for i in range(2)] == ["cat", "dog"]


def test_cat_and_dog_differ_where_the_features_are() -> None:
    """Pointed ears stick up above a cat's head; a dog's ears and snout hang lower."""
    plain = Look(bg=0.0, noise=0.0)
    cat, dog = draw(0, plain, size=32)[0], draw(1, plain, size=32)[0]
    head_top = int((0.56 - 0.21) * 32)
    assert cat[: head_top - 1].sum() > 3 * dog[: head_top - 1].sum()
    chin = int((0.56 + 0.21) * 32) + 1
    assert dog[chin:].sum() > 2 * cat[chin:].sum()


def test_learnable_by_a_linear_read_out(corpus: PictureCorpus) -> None:
    """A ridge regression on the pixels separates the classes: the drawings carry the label."""

    def features(images: np.ndarray) -> np.ndarray:
        flat = images.reshape(len(images), -1).astype(np.float64)
        return np.c_[flat, np.ones(len(flat))]

    x, y = features(corpus.train.images), corpus.train.labels * 2.0 - 1.0
    w = np.linalg.solve(x.T @ x + np.eye(x.shape[1]), x.T @ y)
    valid = (features(corpus.valid.images) @ w > 0) == (corpus.valid.labels == 1)
    assert valid.mean() >= 0.95
    lecture = features(corpus.lecture.images) @ w > 0
    assert lecture.tolist() == (corpus.lecture.labels == 1).tolist()


@pytest.mark.parametrize(("size", "ps", "channels"), [(16, 4, 1), (32, 8, 1), (16, 4, 3)])
def test_patch_layout_raster_then_c_y_x(size: int, ps: int, channels: int) -> None:
    images = torch.randn(2, channels, size, size)
    patches = patchify(images, ps)
    rows, cols = patch_grid(size, ps)
    assert patches.shape == (2, rows * cols, channels * ps * ps)
    for row in range(rows):
        for col in range(cols):
            p = row * cols + col
            for c in range(channels):
                for y in (0, ps - 1):
                    for x in (0, 1, ps - 1):
                        got = patches[1, p, c * ps * ps + y * ps + x]
                        assert got == images[1, c, row * ps + y, col * ps + x]
    assert torch.equal(unpatchify(patches, ps, channels), images)


def test_patches_reassemble_the_pictures_exactly(corpus: PictureCorpus) -> None:
    batch = picture_batch(corpus.train, range(10))
    assert batch.patches.shape == (10, 16, 16) and batch.patches.dtype == torch.float32
    assert batch.labels.tolist() == corpus.train.labels[:10].tolist()
    back = unpatchify(batch.patches, 4)
    assert torch.equal(back, torch.from_numpy(corpus.train.images[:10]))
    batches = picture_batches(corpus.valid, 64)
    assert sum(len(b.labels) for b in batches) == len(corpus.valid)


def test_bad_patch_sizes() -> None:
    with pytest.raises(ValueError, match="divide"):
        patch_grid(16, 5)
    with pytest.raises(ValueError, match="square"):
        patchify(torch.zeros(1, 1, 16, 8), 4)
    with pytest.raises(ValueError, match="grid"):
        unpatchify(torch.zeros(1, 15, 16), 4)
