"""The divergence demo for the window's menu: a learning rate that blows up, and a NaN
breakpoint that stops where the first non-finite number appears.

The work is Qt-free (``core.divergence``); this module is the name the window binds a
menu item to. While the model trains (a few seconds, in the session's worker) the
session is busy; then the session shows the traced training step that blew up, in
train mode, with a ``nonfinite`` breakpoint, and the cursor on its first hit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.session import Session


def load_divergence_demo(session: Session, run: bool = True) -> None:
    """Train a copy of the session's model with the ``diverge-de`` recipe until it blows
    up; show that step with a ``nonfinite`` breakpoint (``run``: stopped on its first
    hit; else at step 0, for "run to breakpoint"). Errors land in ``session.error``."""
    from core.divergence import load_divergence_demo as load

    load(session, run=run)
