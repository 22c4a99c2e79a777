"""Interventions: change one thing in the model's computation and see what follows.

The list of interventions (each can be switched off or removed), the controls that add
one at the cursor (zero or scale the selected head of this attention block, ablate
this sublayer, set the selected cell, patch this tensor from another sentence's run),
and what changed: the translation and the loss before → after, how many steps
changed and where first, and the biggest changes, each a jump. Every control only
calls the session (``add_intervention`` ... ``patch_from_sentence``); the model
re-runs there and keeps the clean run for comparison. Errors go to
``session.error`` (one line), and are shown here too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from visualizer.i18n import say
from visualizer.panels.interventions import intervention_build as build
from visualizer.panels.interventions.intervention_add import AddControls
from visualizer.panels.interventions.intervention_changes import ChangesPanel
from visualizer.panels.interventions.intervention_list import InterventionList
from visualizer.panels.interventions.intervention_text import t
from visualizer.theme import ui_font

if TYPE_CHECKING:
    from core.session import Session
    from core.trace import Intervention, Step
    from core.tracing import Change
    from visualizer.bridge import SessionBridge

ON = "#d9480f"
BAD = "#c0392b"


class InterventionsView(QWidget):
    """Public: ``zero_head()``, ``scale_head(factor)``, ``ablate()``, ``set_cell(value)``,
    ``patch(sentence)``, ``toggle(n)``, ``remove(n)``, ``clear()``,
    ``jump_to_first_change()``, ``jump_to_change(k)`` (k-th biggest)."""

    def __init__(
        self, session: Session, bridge: SessionBridge, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session, self.bridge = session, bridge
        self.title = QLabel()
        self.title.setFont(ui_font(11, bold=True))
        self.badge = QLabel()
        self.badge.setFont(ui_font(9, bold=True))
        self.badge.setStyleSheet(
            f"background: {ON}; color: white; border-radius: 8px; padding: 1px 8px;"
        )
        self.items = InterventionList()
        self.add = AddControls()
        self.changes = ChangesPanel()
        self.add_box, self.changes_box = QGroupBox(), QGroupBox()
        QVBoxLayout(self.add_box).addWidget(self.add)
        QVBoxLayout(self.changes_box).addWidget(self.changes)
        self.error = QLabel()
        self.error.setFont(ui_font(9))
        self.error.setStyleSheet(f"color: {BAD}")
        self.error.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addWidget(self.badge)
        top.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 4, 6, 4)
        lay.setSpacing(4)
        lay.addLayout(top)
        lay.addWidget(self.items)
        lay.addWidget(self.add_box)
        lay.addWidget(self.changes_box, 1)
        lay.addWidget(self.error)
        self.found: list[Change] = []
        self._ran: tuple[object, object] | None = None  # (trace, clean) changes were for
        self._dirty = True

        self.items.sigToggle.connect(self.toggle)
        self.items.sigRemove.connect(self.remove)
        self.items.sigClear.connect(self.clear)
        self.add.sigZero.connect(self.zero_head)
        self.add.sigScale.connect(self.scale_head)
        self.add.sigAblate.connect(self.ablate)
        self.add.sigSet.connect(self.set_cell)
        self.add.sigPatch.connect(self.patch)
        self.changes.sigJump.connect(self.session.seek)
        bridge.sigInterventions.connect(self._on_list)
        bridge.sigDisabled.connect(self._on_list)
        for sig in (bridge.sigCursor, bridge.sigSelection, bridge.sigMode):
            sig.connect(self._on_context)
        bridge.sigTrace.connect(self._on_run)
        bridge.sigClean.connect(self._on_run)
        bridge.sigError.connect(self._on_error)
        bridge.connect_relabel(self._on_lang)
        self._on_lang(session.lang)

    # -- session -> widgets ------------------------------------------------------------
    def _on_lang(self, lang: str) -> None:
        self.title.setText(t("title", lang))
        self.items.relabel(t("remove", lang), t("clear", lang), t("none", lang))
        self._on_error(self.session.error)
        self.add_box.setTitle(t("add", lang))
        self.changes_box.setTitle(t("changed", lang))
        self._ran = None
        self._on_list()
        self._on_run()

    def _on_list(self, _value: object = None) -> None:
        s = self.session
        self.items.set_items([build.describe(i, s.lang) for i in s.interventions], s.disabled)
        n = len(s.active_interventions())
        self.badge.setText(t("on", s.lang, n=n))
        self.badge.setVisible(n > 0)

    def _on_error(self, message: str) -> None:
        text = say(message, self.session.lang)  # an engine message: in the window's language
        self.error.setText(text.splitlines()[0] if text else "")

    def showEvent(self, e: QShowEvent) -> None:
        super().showEvent(e)
        if self._dirty:
            self._on_run()

    def _on_run(self, _value: object = None) -> None:
        if not self.isVisible():
            self._dirty = True
            return
        self._dirty = False
        s = self.session
        if (s.trace, s.clean) != self._ran:
            self._ran = (s.trace, s.clean)
            if s.clean is None:
                self.found = []
                self.changes.show_nothing(s.lang)
            else:
                from core.tracing import changes

                self.found = changes(s.clean, s.trace)
                self.changes.show_changes(s.clean, s.trace, self.found, s.lang)
        self._on_context()

    def step(self) -> Step | None:
        s = self.session
        return s.trace.steps[min(max(s.cursor, 0), len(s) - 1)] if s.trace.steps else None

    def allowed(self, step: Step | None) -> bool:
        mode = getattr(self.session, "mode", "translate")
        return step is not None and mode == "translate" and build.can_intervene(step)

    def head(self) -> int:
        n = self.session.bundle.cfg.n_heads
        return max(0, min(self.session.selection.head, n - 1))

    def _on_context(self, _value: object = None) -> None:
        step, s = self.step(), self.session
        if step is None:
            self.add.show_context(None, False, 0, None, None, None, s.lang)
            return
        ok = self.allowed(step)
        cell = build.selected_cell(s.trace, step, s.selection) if ok else None
        block, sub = build.attention_block(step), build.sublayer(step)
        self.add.show_context(step, ok, self.head(), block, sub, cell, s.lang)

    # -- public commands ---------------------------------------------------------------
    def _add(self, make: Callable[[Step], Intervention]) -> bool:
        """Build an intervention at the cursor and add it (the model re-runs); a bad one
        becomes the session's error and nothing is added."""
        step = self.step()
        if step is None or not self.allowed(step):
            return False
        try:
            item = make(step)
        except ValueError as e:
            from core.messages import message_of  # plain Python: no PyTorch

            self.session.error = message_of(e)
            return False
        self.session.add_intervention(item)
        return True

    def _only_t(self) -> bool:
        return self.add.only_t.isEnabled() and self.add.only_t.isChecked()

    def zero_head(self) -> bool:
        """Zero the selected head of the attention block at the cursor."""
        return self._add(lambda st: build.head_change(st, self.head(), None, self._only_t()))

    def scale_head(self, factor: float | None = None) -> bool:
        """Scale the selected head (by ``factor``, else the spin box's value)."""
        f = self.add.factor.value() if factor is None else float(factor)
        return self._add(lambda st: build.head_change(st, self.head(), f, self._only_t()))

    def ablate(self) -> bool:
        """Remove the sublayer at the cursor (its output zeroed before the residual add)."""
        return self._add(lambda st: build.ablation(st, self._only_t()))

    def set_cell(self, value: float | str | None = None) -> bool:
        """Set the selected cell of the step's output (``value``, else the typed one)."""
        text = self.add.value.text() if value is None else value
        try:
            v = float(text)
        except ValueError:
            self.session.error = t("bad_value", self.session.lang, text=text)
            return False
        s = self.session
        return self._add(lambda st: build.edit(s.trace, st, s.selection, v))

    def patch(self, sentence: str | None = None) -> bool:
        """Run sentence A and put its tensor for the cursor's key into this run."""
        text = (self.add.sentence.text() if sentence is None else sentence).strip()
        step = self.step()
        if step is None or not self.allowed(step):
            return False
        if not text:
            self.session.error = t("no_sentence", self.session.lang)
            return False
        before = len(self.session.interventions)
        self.session.patch_from_sentence(text, step.key)
        return len(self.session.interventions) > before

    def toggle(self, n: int) -> None:
        self.session.toggle_intervention(n)

    def remove(self, n: int) -> None:
        self.session.remove_intervention(n)

    def clear(self) -> None:
        self.session.clear_interventions()

    def jump_to_first_change(self) -> None:
        if self.found:
            self.session.seek(self.found[0].step)

    def jump_to_change(self, k: int) -> None:
        """Go to the k-th biggest change (0: the biggest)."""
        self.changes.jump(k)
