"""A plain rectangle for the diagram's geometry (kept free of Qt so layouts are testable)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    def contains(self, px: float, py: float) -> bool:
        return self.x <= px <= self.right and self.y <= py <= self.bottom

    def lerp(self, other: Rect, a: float) -> Rect:
        return Rect(
            *(p + (q - p) * a for p, q in zip(self.astuple(), other.astuple(), strict=True))
        )

    def astuple(self) -> tuple[float, float, float, float]:
        return (self.x, self.y, self.w, self.h)
