"""Numbers as the views write them (Qt-free: view models use these too)."""

from __future__ import annotations


def percent(p: float) -> str:
    """99.7%, 2.4%, 0.011%: always readable, never a misleading 0.0%."""
    v = 100.0 * p
    if 99.95 <= v < 100.0:  # 0.99996 is not 100%
        return f"{v:.3f}%"
    if v >= 1.0:
        return f"{v:.1f}%"
    if v >= 0.1:
        return f"{v:.2f}%"
    if v <= 0.0:
        return "0%"
    return f"{v:.2g}%" if v >= 1e-4 else f"{v:.1e}%"


def significant(x: float) -> str:
    """Loss values from 5.2 down to 0.00012: always with significant digits."""
    if x == 0:
        return "0"
    if abs(x) >= 0.01:
        return f"{x:.3f}"
    return f"{x:.2e}"
