"""What the classification view draws, read from the trace (Qt-free, tested without Qt).

An encoder-only classifier answers from one position: ``[CLS]``, the first. Its final
vector (``cls.vector``) goes through the classification head (``cls.logits``) and a
softmax (``cls.probs``). What the [CLS] position read on the way is row 0 of every
layer's self-attention weights (``enc.L.self_attn.weights``, batch 0, per head). For a
picture the positions after [CLS] are the patches in raster order (``core.pictures``:
patch ``p = row * n_cols + col``), so row 0 without its first entry, reshaped to the
patch grid, is the overlay on the picture (``src.image``). A training step adds the
target label (``cls.target``) and the loss (``loss``; ``meta.loss_after`` after the update).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from core.trace import Trace


@dataclass(frozen=True)
class ClassifyData:
    labels: list[str]  # label names by label id (English, as the model keeps them)
    logits: np.ndarray  # (labels,) float32: cls.logits[0]
    probs: np.ndarray  # (labels,) float32: cls.probs[0]
    vector: np.ndarray  # (D,) float32: cls.vector[0]
    positions: list[str]  # what each attended position is: "[CLS]", tokens or "p0".."p15"
    cls_attn: np.ndarray  # (layers, heads, positions) float32: weights[0, h, 0, :] per layer
    picture: np.ndarray | None  # (C, H, W) float32 in [0, 1] (src.image[0]); None for text
    grid: tuple[int, int] | None  # patch rows, patch columns (pictures only)
    target: int | None  # the label id a training step learns (cls.target), else None
    loss: float | None  # the training step's loss −log p(target), else None
    loss_after: float | None  # the loss after the update, when the trace measured it

    @property
    def layers(self) -> int:
        return int(self.cls_attn.shape[0])

    @property
    def heads(self) -> int:
        return int(self.cls_attn.shape[1])

    def patch_attention(self, layer: int, head: int) -> np.ndarray:
        """(rows, cols): how much [CLS] attended to each patch, on the picture's grid."""
        assert self.grid is not None, "a sentence has no patches"
        return self.cls_attn[layer, head, 1:].reshape(self.grid)

    def order(self) -> list[int]:
        """Label ids, most likely first (ties keep label order)."""
        return [int(i) for i in np.argsort(-self.probs, kind="stable")]


def _forward(trace: Trace, name: str) -> np.ndarray:
    return trace.value(trace.first(name, "forward").key)


def classify_data(trace: Trace) -> ClassifyData | None:
    """None when the trace is not a classifier's (no ``cls.probs``)."""
    names = {s.name for s in trace.steps if s.phase == "forward"}
    if "cls.probs" not in names:
        return None
    layers = sorted(
        {int(n.split(".")[1]) for n in names if n.startswith("enc.") and n.endswith(".weights")}
    )
    # (layers, heads, positions): row 0 (the [CLS] query) of batch 0, every head
    attn = np.stack([_forward(trace, f"enc.{i}.self_attn.weights")[0, :, 0, :] for i in layers])
    picture, grid = None, None
    if "src.image" in names:
        picture = _forward(trace, "src.image")[0]  # (C, H, W)
        n_patches = attn.shape[-1] - 1
        height, width = picture.shape[1:]
        patch = int(np.sqrt(height * width / n_patches) + 0.5)  # square patches cover it
        grid = (height // patch, width // patch)
        named = [str(t) for t in trace.meta.get("src_tokens", [])]  # [CLS], ▦1 … ▦n
        positions = (
            named
            if len(named) == n_patches + 1
            else ["[CLS]"] + [f"▦{p + 1}" for p in range(n_patches)]
        )
    else:
        positions = [str(t) for t in trace.meta.get("src_tokens", [])]
    target = loss = after = None
    if "cls.target" in {s.name for s in trace.steps}:
        target = int(trace.value(trace.first("cls.target").key).reshape(-1)[0])
        loss = float(trace.value(trace.first("loss", "loss").key))
        after = trace.meta.get("loss_after")
    return ClassifyData(
        labels=[str(label) for label in trace.meta.get("labels", [])],
        logits=_forward(trace, "cls.logits")[0],
        probs=_forward(trace, "cls.probs")[0],
        vector=_forward(trace, "cls.vector")[0],
        positions=positions,
        cls_attn=attn,
        picture=picture,
        grid=grid,
        target=target,
        loss=loss,
        loss_after=None if after is None else float(after),
    )
