"""Small generated pictures of a cat or a dog, and cutting them into patches (ViT-style).

The picture classifier reads an image the way a text model reads a sentence: cut into
square patches, each patch one token.  The data are drawn here, seeded, so ``make models``
rebuilds the shipped classifier and no image files ship.

The drawings are faces seen from the front, made to be told apart by the features a child
would name: a **cat** has pointed triangular ears on top and whiskers sticking out at the
sides; a **dog** has floppy ears hanging down beside its head and a longer snout below it
with a dark nose.  Each picture is jittered (position, size, ear shape, brightness) and
noised, so the model must learn the shapes, not the pixels.  Shapes are drawn 4x finer and
averaged down (anti-aliased), so a 16x16 picture still shows them.

Layout (what the model engineer's projection and the window's patch grid rely on):
images are float32 in [0, 1], shape (N, C, H, W) with C = 1 (grey), 0 = black.
:func:`patchify` gives (B, P, C*ps*ps): patch index ``p = row * n_cols + col`` (raster
order, row 0 at the top) and within a patch the order is (c, y, x), i.e. a patch's pixel
(c, y, x) is element ``c * ps * ps + y * ps + x``.  :func:`unpatchify` is its inverse.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from numpy.typing import NDArray
from torch import Tensor

LABELS: tuple[str, ...] = ("cat", "dog")  # index = label id
LABEL_NAMES: dict[str, dict[str, str]] = {
    "cat": {"en": "cat", "zh": "猫"},
    "dog": {"en": "dog", "zh": "狗"},
}
IMAGE_SIZE, PATCH_SIZE, CHANNELS = 16, 4, 1
_FINE = 4  # supersampling factor
_LECTURE_NOISE_SEED = 2024

ImageArray = NDArray[np.float32]


def label_name(label: int, lang: str = "en") -> str:
    """The label's name in ``lang`` ("en" or "zh"): ``label_name(1, "zh") == "狗"``."""
    return LABEL_NAMES[LABELS[label]][lang]


@dataclass(frozen=True)
class Look:
    """Where and how one animal is drawn, in units of the picture's side (0..1, y down)."""

    cx: float = 0.5
    cy: float = 0.56
    scale: float = 1.0  # head radius = 0.21 * scale
    ear: float = 1.0  # ear length factor (pointed height for cats, droop for dogs)
    fg: float = 0.9  # brightness of the animal
    bg: float = 0.05  # brightness of the background
    noise: float = 0.05  # standard deviation of the added Gaussian noise


@dataclass(frozen=True)
class Pictures:
    """``images`` (N, C, H, W) float32 in [0, 1] and ``labels`` (N,) int64 (0 cat, 1 dog)."""

    images: ImageArray
    labels: NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.labels)


@dataclass(frozen=True)
class PictureCorpus:
    """Train and valid pictures (balanced, disjoint draws) and the fixed lecture pictures."""

    name: str
    train: Pictures
    valid: Pictures
    lecture: Pictures


def _grid(size: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    n = size * _FINE
    c = (np.arange(n, dtype=np.float64) + 0.5) / n
    return np.meshgrid(c, c, indexing="xy")  # x varies along columns, y along rows


def _ellipse(
    x: NDArray, y: NDArray, cx: float, cy: float, rx: float, ry: float, tilt: float = 0.0
) -> NDArray:
    """Inside an ellipse with semi-axes (rx, ry) turned by ``tilt`` radians."""
    c, s = np.cos(tilt), np.sin(tilt)
    u, v = (x - cx) * c + (y - cy) * s, -(x - cx) * s + (y - cy) * c
    return (u / rx) ** 2 + (v / ry) ** 2 <= 1.0


def _triangle(x: NDArray, y: NDArray, pts: Sequence[tuple[float, float]]) -> NDArray:
    (ax, ay), (bx, by), (qx, qy) = pts
    d1 = (x - bx) * (ay - by) - (ax - bx) * (y - by)
    d2 = (x - qx) * (by - qy) - (bx - qx) * (y - qy)
    d3 = (x - ax) * (qy - ay) - (qx - ax) * (y - ay)
    neg = (d1 < 0) | (d2 < 0) | (d3 < 0)
    pos = (d1 > 0) | (d2 > 0) | (d3 > 0)
    return ~(neg & pos)


def _segment(
    x: NDArray, y: NDArray, a: tuple[float, float], b: tuple[float, float], w: float
) -> NDArray:
    (ax, ay), (bx, by) = a, b
    dx, dy = bx - ax, by - ay
    t = np.clip(((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy), 0.0, 1.0)
    return np.hypot(x - (ax + t * dx), y - (ay + t * dy)) <= w / 2


def _layers(label: int, look: Look, size: int) -> list[tuple[NDArray, float]]:
    """(mask, brightness) on the fine grid, painted in order over the background."""
    x, y = _grid(size)
    cx, cy, r = look.cx, look.cy, 0.21 * look.scale
    head = _ellipse(x, y, cx, cy, r, r)
    eyes = _ellipse(x, y, cx - 0.4 * r, cy - 0.15 * r, 0.16 * r, 0.2 * r)
    eyes |= _ellipse(x, y, cx + 0.4 * r, cy - 0.15 * r, 0.16 * r, 0.2 * r)
    if LABELS[label] == "cat":
        h = 1.55 * look.ear
        for s in (-1.0, 1.0):  # pointed ears on top
            ear = ((cx + s * 0.9 * r, cy - 0.3 * r), (cx + s * 0.15 * r, cy - 0.9 * r))
            head |= _triangle(x, y, (*ear, (cx + s * 0.8 * r, cy - h * r)))
            for dy in (0.15, 0.5):  # whiskers: out and slightly up / down from the cheeks
                a, b = (cx + s * 0.45 * r, cy + 0.35 * r), (cx + s * 1.75 * r, cy + dy * r)
                head |= _segment(x, y, a, b, 0.035)
        nose = _ellipse(x, y, cx, cy + 0.3 * r, 0.12 * r, 0.09 * r)
        return [(head, look.fg), (eyes | nose, look.bg)]
    drop = 0.9 * look.ear
    ears = np.zeros_like(head)
    for s in (-1.0, 1.0):  # floppy ears: darker, hanging beside the head, splayed a little
        ears |= _ellipse(x, y, cx + s * 1.15 * r, cy + 0.3 * r, 0.4 * r, drop * r, s * 0.25)
    snout = _ellipse(x, y, cx, cy + 0.9 * r, 0.45 * r, 0.6 * r)  # longer snout below
    nose = _ellipse(x, y, cx, cy + 1.2 * r, 0.25 * r, 0.17 * r)
    ear_tone = look.bg + 0.6 * (look.fg - look.bg)
    return [(ears, ear_tone), (head | snout, look.fg), (eyes | nose, look.bg)]


def draw(
    label: int, look: Look, rng: np.random.Generator | None = None, size: int = IMAGE_SIZE
) -> ImageArray:
    """One (1, size, size) picture of ``LABELS[label]``; ``rng`` adds the noise (None: none)."""
    fine = np.full((size * _FINE, size * _FINE), look.bg)
    for mask, tone in _layers(label, look, size):
        fine[mask] = tone
    img = fine.reshape(size, _FINE, size, _FINE).mean(axis=(1, 3))
    if rng is not None and look.noise > 0:
        img = img + rng.normal(0.0, look.noise, img.shape)
    return np.clip(img, 0.0, 1.0).astype(np.float32)[None]


def random_look(rng: np.random.Generator) -> Look:
    """A jittered look: about +-2 pixels of shift at 16x16, +-15 % size, varied ears and tones."""
    u = rng.uniform
    return Look(
        cx=0.5 + u(-0.12, 0.12),
        cy=0.56 + u(-0.08, 0.08),
        scale=u(0.85, 1.15),
        ear=u(0.85, 1.15),
        fg=u(0.7, 1.0),
        bg=u(0.0, 0.15),
        noise=u(0.02, 0.08),
    )


def make_pictures(n: int, rng: np.random.Generator, size: int = IMAGE_SIZE) -> Pictures:
    """``n`` random pictures, exactly half cats (one more cat when n is odd), shuffled."""
    labels = rng.permutation(np.arange(n) % len(LABELS)).astype(np.int64)
    images = np.stack([draw(int(lab), random_look(rng), rng, size) for lab in labels])
    return Pictures(images.reshape(n, CHANNELS, size, size), labels)


def lecture_pictures(size: int = IMAGE_SIZE) -> Pictures:
    """Four fixed pictures to show and test on: a cat and a dog centred, then one of each
    smaller / larger and off-centre.  The noise has its own fixed seed."""
    rng = np.random.default_rng(_LECTURE_NOISE_SEED)
    looks = [
        (0, Look()),
        (1, Look()),
        (0, Look(cx=0.4, cy=0.6, scale=0.88, fg=0.8)),
        (1, Look(cx=0.58, cy=0.5, scale=1.1, fg=0.8)),
    ]
    images = np.stack([draw(label, look, rng, size) for label, look in looks])
    return Pictures(images, np.array([lab for lab, _ in looks], dtype=np.int64))


def picture_corpus(
    seed: int = 0, n_train: int = 2000, n_valid: int = 200, size: int = IMAGE_SIZE
) -> PictureCorpus:
    """Train and valid drawn from one seeded generator (identical for equal arguments)."""
    rng = np.random.default_rng(seed)
    train = make_pictures(n_train, rng, size)
    valid = make_pictures(n_valid, rng, size)
    return PictureCorpus("cat-dog", train, valid, lecture_pictures(size))


def patch_grid(image_size: int, patch_size: int) -> tuple[int, int]:
    """(rows, cols) of patches; the picture side must be a multiple of the patch side."""
    if patch_size <= 0 or image_size % patch_size:
        raise ValueError(f"patch size {patch_size} does not divide the picture size {image_size}")
    n = image_size // patch_size
    return n, n


def patchify(images: Tensor | ImageArray, patch_size: int) -> Tensor:
    """(B, C, H, W) -> (B, P, C*ps*ps): patches in raster order, pixels in (c, y, x) order."""
    x = torch.as_tensor(images)
    b, c, h, w = x.shape
    if h != w:
        raise ValueError(f"pictures must be square, got {h}x{w}")
    rows, cols = patch_grid(h, patch_size)
    x = x.reshape(b, c, rows, patch_size, cols, patch_size)
    return x.permute(0, 2, 4, 1, 3, 5).reshape(b, rows * cols, c * patch_size * patch_size)


def unpatchify(patches: Tensor, patch_size: int, channels: int = CHANNELS) -> Tensor:
    """The inverse of :func:`patchify`: (B, P, C*ps*ps) -> (B, C, H, W) for a square grid."""
    b, p, d = patches.shape
    rows = round(p**0.5)
    if rows * rows != p or d != channels * patch_size * patch_size:
        raise ValueError(
            f"{p} patches of {d} values are not a square grid of {channels}-channel patches"
        )
    x = patches.reshape(b, rows, rows, channels, patch_size, patch_size)
    return x.permute(0, 3, 1, 4, 2, 5).reshape(b, channels, rows * patch_size, rows * patch_size)


@dataclass(frozen=True)
class PictureBatch:
    """``patches`` (B, P, C*ps*ps) float32 and ``labels`` (B,) int64; no padding needed."""

    patches: Tensor
    labels: Tensor


def picture_batch(
    pictures: Pictures, indices: Sequence[int], patch_size: int = PATCH_SIZE
) -> PictureBatch:
    """The pictures at ``indices`` cut into patches, with their labels."""
    idx = np.asarray(indices, dtype=np.int64)
    patches = patchify(torch.from_numpy(pictures.images[idx]), patch_size)
    return PictureBatch(patches, torch.from_numpy(pictures.labels[idx]))


def picture_batches(
    pictures: Pictures, size: int, patch_size: int = PATCH_SIZE
) -> list[PictureBatch]:
    """All pictures in order, in batches of ``size`` (for evaluation)."""
    n = len(pictures)
    return [
        picture_batch(pictures, range(i, min(i + size, n)), patch_size) for i in range(0, n, size)
    ]
