"""The debugger's half of the session: watches, interventions, session files.

Kept apart from ``session.py`` (which runs the model and moves the cursor) so each
file reads on its own. ``Debugging`` is a mixin for ``Session``: it adds observable
fields (``interventions``, ``watches``, ``clean``) and the commands an engineer
uses beyond breakpoints (which every room's ``Navigator`` has): add / toggle /
remove interventions (the model
re-runs; ``clean`` keeps the run without them so views can show before / after /
difference), and save / open a ``.tsim`` file that reopens exactly where it was.
Watches and interventions are capped (``core.limits.MAX_WATCHES``,
``MAX_INTERVENTIONS``): one more is refused with a message in ``error``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core import limits
from core.breakpoints import Breakpoints
from core.interventions import from_json, label, patch_from, to_json
from core.messages import message_of, msg
from core.session_file import decode_settings, load_session_file, save_session_file, state_of
from core.trace import Intervention, Trace
from core.tracing import trace_translation

FIELDS = ("interventions", "watches", "clean", "disabled", "snapshots", "snapshot_routing")


class Debugging:
    """Mixin; expects the Session's fields and ``rerun`` (declared here for the type
    checker; the Session provides them)."""

    breakpoints: Breakpoints
    if TYPE_CHECKING:
        from core.bundle import Bundle
        from core.decode import DecodeSettings
        from core.navigator import Selection
        from core.train_messages import LayerRouting

        bundle: Bundle
        trace: Trace
        cursor: int
        error: str
        playing: bool
        decode: DecodeSettings
        selection: Selection
        pair: str
        mode: str
        target: str
        light_block: str
        source: str
        interventions: tuple[Intervention, ...]
        disabled: frozenset[int]
        watches: tuple[str, ...]
        clean: Trace | None
        stopped: str
        snapshots: tuple[tuple[int, dict[str, float]], ...]
        snapshot_routing: tuple[tuple[int, tuple[LayerRouting, ...]], ...]

        def rerun(self, text: str | None = None) -> None: ...
        def restore_run(self, source: str, cursor: int, **fields: Any) -> None: ...
        def update(self, **fields: Any) -> None: ...

    def _init_debugging(self) -> None:
        self.interventions = ()
        self.disabled = frozenset()  # indices of interventions switched off
        self.watches = ()  # step names pinned in the watch list
        self.clean = None  # the same run without interventions, when some are on
        # (step, {name: RMS}) of the demo sentence during the last live training run
        self.snapshots = ()
        # (step, routing of each MoE layer) of the same snapshots, for the router view;
        # set together with ``snapshots`` (``update``), whose event announces both
        self.snapshot_routing = ()
        # (interventions, disabled) before the last ``add_intervention``: the next run
        # puts them back if it fails; ``Session.rerun`` takes it (``_take_undo``)
        self._undo_interventions: tuple[tuple[Intervention, ...], frozenset[int]] | None = None

    # -- watches -----------------------------------------------------------------------
    def watch(self, name: str) -> None:
        if name not in self.watches:
            if len(self.watches) >= limits.MAX_WATCHES:
                self.error = msg("max_watches", n=limits.MAX_WATCHES)
                return
            self.watches = (*self.watches, name)

    def unwatch(self, name: str) -> None:
        self.watches = tuple(w for w in self.watches if w != name)

    # -- interventions -----------------------------------------------------------------
    def active_interventions(self) -> list[Intervention]:
        return [i for n, i in enumerate(self.interventions) if n not in self.disabled]

    def add_intervention(self, intervention: Intervention) -> None:
        """Switch an intervention on; the model re-runs with it (a bad one is refused
        with a message and the list stays as it was)."""
        if len(self.interventions) >= limits.MAX_INTERVENTIONS:
            self.error = msg("max_interventions", n=limits.MAX_INTERVENTIONS)
            return
        self._undo_interventions = (self.interventions, self.disabled)
        self.interventions = (*self.interventions, intervention)
        self.rerun()

    def _take_undo(self) -> tuple[tuple[Intervention, ...], frozenset[int]] | None:
        """The list as it was before the last ``add_intervention`` (once; then None)."""
        undo, self._undo_interventions = self._undo_interventions, None
        return undo

    def remove_intervention(self, index: int) -> None:
        items = list(self.interventions)
        del items[index]
        shifted = {n - (n > index) for n in self.disabled if n != index}
        self.update(interventions=tuple(items), disabled=frozenset(shifted))
        self.rerun()

    def toggle_intervention(self, index: int) -> None:
        self.disabled = self.disabled ^ {index}
        self.rerun()

    def clear_interventions(self) -> None:
        self.update(interventions=(), disabled=frozenset())
        self.rerun()

    def intervention_labels(self) -> list[str]:
        return [label(i) for i in self.interventions]

    def patch_from_sentence(self, other: str, key: str) -> None:
        """Activation patching: run ``other`` (sentence A), take the tensor it recorded
        under ``key`` and put it into this sentence's run in its place."""
        try:
            if self.bundle.cfg.arch == "encoder-only":
                from core.classify_run import trace_classify

                trace_a, _ = trace_classify(self.bundle, other)
            else:
                trace_a, _ = trace_translation(self.bundle, other, self.decode)
            into = self.clean or self.trace
            self.add_intervention(patch_from(trace_a, key, into=into))
        except ValueError as e:
            self.error = str(e)

    # -- session files -----------------------------------------------------------------
    def save_file(self, path: str | Path, history: dict[str, list[float]] | None = None) -> bool:
        """Write everything to a ``.tsim`` file; errors land in ``error``."""
        state = state_of(
            self,
            breakpoints=self.breakpoints.to_list(),
            watches=list(self.watches),
            interventions=[
                {**to_json(i), "enabled": n not in self.disabled}
                for n, i in enumerate(self.interventions)
            ],
            history=history,
        )
        try:
            save_session_file(path, self.bundle, state)
        except (OSError, ValueError) as e:
            self.error = msg("could_not_save_session", path=str(path), reason=message_of(e))
            return False
        return True

    def open_file(self, path: str | Path) -> dict[str, Any] | None:
        """Reopen a ``.tsim`` file exactly where it was saved (model, sentence, decoding,
        mode, cursor, selection, breakpoints, watches, interventions); returns its state
        (the training history is in it), or None with a message in ``error``."""
        try:
            bundle, state = load_session_file(path)
            items = [_intervention(d) for d in state["interventions"]]
            breakpoints = Breakpoints.from_list(state["breakpoints"])
        except (OSError, ValueError) as e:
            self.error = message_of(e)  # a Msg (a missing model folder …) keeps its Chinese
            return None
        self.breakpoints.set_items(breakpoints)  # linear time, one event
        sel = state["selection"]
        self.restore_run(  # one run after all fields are set, not one per field
            state["source"],
            state["cursor"],
            bundle=bundle,
            pair=state["pair"],
            decode=decode_settings(state),
            mode=state["mode"],
            target=state["target"],
            light_block=state.get("light_block", ""),
            watches=tuple(state["watches"]),
            interventions=tuple(items),
            disabled=frozenset(
                n for n, d in enumerate(state["interventions"]) if not d.get("enabled", True)
            ),
            selection=replace(self.selection, head=sel["head"], row=sel["row"], col=sel["col"]),
        )
        return state


def _intervention(data: dict[str, Any]) -> Intervention:
    return from_json({k: v for k, v in data.items() if k != "enabled"})
