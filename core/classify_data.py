"""Labelled data for the encoder-only classifiers, sentences or pictures, in one shape.

The trainer treats both built-in classification tasks alike: a :class:`LabelBatch` holds
the model's input -- token ids with ``[CLS]`` first, right-padded (``classify_task``), or
pictures (B, C, H, W) (``pictures``) -- and one label id per item. :class:`LabelData` is a
split of either, and :func:`task_data` picks the right one for a corpus.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import Tensor

from core.classify_task import ClassifyCorpus, EncodedSentences, Sentence
from core.messages import msg
from core.pictures import PictureCorpus, Pictures
from core.tokenizer import Tokenizer, WordTokenizer

ClassCorpus = ClassifyCorpus | PictureCorpus


@dataclass(frozen=True)
class LabelBatch:
    """``inputs``: (B, L) int64 token ids ([CLS] first) or (B, C, H, W) float pictures;
    ``labels``: (B,) int64 label ids."""

    inputs: Tensor
    labels: Tensor

    @property
    def n_tokens(self) -> int:
        """How many items count in the loss (one per sentence or picture)."""
        return int(self.labels.numel())


class LabelData:
    """A split as batches on demand; ``labels[i]`` is item i's label id."""

    def __init__(self, make: Callable[[Sequence[int]], LabelBatch], labels: Sequence[int]) -> None:
        self._make = make
        self.labels = list(labels)

    def __len__(self) -> int:
        return len(self.labels)

    def batch(self, indices: Sequence[int]) -> LabelBatch:
        return self._make(list(indices))

    def batches(self, size: int) -> list[LabelBatch]:
        """The whole split in order, in batches of ``size`` (for evaluation)."""
        return [self.batch(range(i, min(i + size, len(self)))) for i in range(0, len(self), size)]


def sentence_data(sentences: Sequence[Sentence], tok: Tokenizer, max_len: int) -> LabelData:
    """Sentences as ``[CLS]`` + word ids (longer than ``max_len`` are left out). No
    sentences need no word vocabulary: a Hugging Face BERT's trainer takes single traced
    steps on batches it is given (``core.tracing``, ``core.fill_mask``)."""
    if not sentences:
        return LabelData(_no_items, [])
    if not isinstance(tok, WordTokenizer):
        raise ValueError("the sentence classifier reads words (a word tokenizer)")
    enc = EncodedSentences(sentences, tok, max_len)

    def make(indices: Sequence[int]) -> LabelBatch:
        b = enc.batch(indices)
        return LabelBatch(b.tokens, b.labels)

    return LabelData(make, [s.label for s in enc.sentences])


def _no_items(indices: Sequence[int]) -> LabelBatch:
    raise IndexError(f"an empty split has no items {list(indices)[:3]}")


def picture_data(pictures: Pictures) -> LabelData:
    """Pictures as (B, C, H, W) float32 tensors (the model cuts them into patches)."""

    def make(indices: Sequence[int]) -> LabelBatch:
        idx = np.asarray(indices, dtype=np.int64)
        images = torch.from_numpy(pictures.images[idx].copy())
        return LabelBatch(images, torch.from_numpy(pictures.labels[idx].copy()))

    return LabelData(make, [int(x) for x in pictures.labels])


def task_data(corpus: ClassCorpus, split: str, tok: Tokenizer, max_len: int) -> LabelData:
    """``split`` ("train", "valid" or "lecture") of a sentence or picture corpus."""
    part = getattr(corpus, split)
    if isinstance(corpus, PictureCorpus):
        return picture_data(part)
    return sentence_data(part, tok, max_len)


def load_picture(path: str | Path, size: int, channels: int = 1) -> Tensor:
    """A picture file as the picture classifier reads it: (channels, size, size) float32 in
    [0, 1], grey, scaled to ``size`` x ``size`` (a 0 background and a bright animal, as
    ``core.pictures`` draws them). ``.npy``: an (H, W) or (1, H, W) array in [0, 1]; other
    files (PNG, JPEG …) need Pillow. A file that cannot be read is a one-line ValueError."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(msg("picture_not_found", path=str(path)))
    if path.stat().st_size > 20_000_000:
        raise ValueError(f"{path}: larger than 20 MB; not a small picture")
    if path.suffix.lower() == ".npy":
        try:
            arr = np.load(path, allow_pickle=False)
        except (OSError, ValueError) as e:
            raise ValueError(f"{path}: not a NumPy array file ({e})") from None
        x = torch.as_tensor(np.asarray(arr, dtype=np.float32))
        if x.ndim == 3 and x.shape[0] == 1:
            x = x[0]
        if x.ndim != 2 or not bool(torch.isfinite(x).all()):
            raise ValueError(f"{path}: expected a finite (H, W) grey picture, got {tuple(x.shape)}")
        x = x.clamp(0.0, 1.0)
    else:
        try:
            from PIL import Image, UnidentifiedImageError
        except ImportError:
            raise ValueError("reading PNG / JPEG pictures needs Pillow; give a .npy") from None
        try:
            with Image.open(path) as img:
                grey = img.convert("L")
                x = torch.from_numpy(np.asarray(grey, dtype=np.float32) / 255.0)
        except (OSError, UnidentifiedImageError, ValueError) as e:
            raise ValueError(
                msg("picture_unreadable", path=str(path), why=type(e).__name__)
            ) from None
    if x.shape[0] != x.shape[1]:
        raise ValueError(msg("picture_square", path=str(path), w=x.shape[1], h=x.shape[0]))
    if x.shape[0] != size:
        x = torch.nn.functional.interpolate(x[None, None], size=(size, size), mode="area")[0, 0]
    return x[None].expand(channels, size, size).contiguous()
