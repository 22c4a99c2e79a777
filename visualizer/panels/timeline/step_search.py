"""Find a step by name: a search box completing every step name and key of the trace.

Completion is case-insensitive and matches anywhere ("cross" offers
``dec.0.cross_attn.q`` … and ``t3/dec.1.cross_attn.weights``). Enter or picking a
completion seeks: an exact key (``t3/next.token``) goes to that step, a name or glob
to its next occurrence after the cursor (pressing Enter again walks through them), a
fragment to the next step whose name contains it; nothing found sets the session's
error. ``focus_search()`` is for the lead's Ctrl+F.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, QStringListModel, Qt
from PySide6.QtWidgets import QCompleter, QLineEdit, QSizePolicy, QWidget

from visualizer.i18n import tr

if TYPE_CHECKING:
    from core.navigator import Navigator
    from visualizer.bridge import SessionBridge

STRINGS = {
    "placeholder": {"en": "Find a step…", "zh": "查找步骤…"},
    "tip": {
        "en": "Type a step name or key (e.g. dec.1.cross_attn.weights, t3/next.token, a glob "
        "like dec.*.ffn.out); Enter jumps to the next match",
        "zh": "输入步骤名称或键（如 dec.1.cross_attn.weights、t3/next.token，或通配符 "
        "dec.*.ffn.out）；按回车跳到下一个匹配",
    },
}
GLOB = set("*?[")


class StepSearch(QLineEdit):
    def __init__(
        self, session: Navigator, bridge: SessionBridge, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self._names: dict[str, str] = {}  # lower case → name, for case-insensitive entry
        self._keys: dict[str, str] = {}  # lower case → key
        self._trace: object = None
        self._error = ""  # the last "no step matches" message this box caused
        self.model = QStringListModel(self)
        self.completer_ = QCompleter(self.model, self)
        self.completer_.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer_.setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer_.setMaxVisibleItems(16)
        self.setCompleter(self.completer_)
        self.completer_.activated.connect(self._on_pick)
        self.returnPressed.connect(self._on_return)
        self.setClearButtonEnabled(True)
        self.setMaximumWidth(260)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        bridge.sigTrace.connect(self.refresh)
        bridge.connect_relabel(lambda _: self.relabel(), owner=self)
        self.refresh()
        self.relabel()

    def sizeHint(self) -> QSize:
        return QSize(180, super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:
        """No minimum width: a narrow timeline hides the box rather than growing."""
        return QSize(0, super().minimumSizeHint().height())

    def focus_search(self) -> None:
        """Put the keyboard in the box with its text selected (bind Ctrl+F to this)."""
        self.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.selectAll()

    def completions(self) -> list[str]:
        return self.model.stringList()

    def refresh(self) -> None:
        """Rebuild the completion list for the current trace (once per trace)."""
        trace = self.session.trace
        if trace is self._trace:
            return
        self._trace = trace
        names = list(dict.fromkeys(s.name for s in trace.steps))
        keys = [s.key for s in trace.steps]
        self._names = {n.lower(): n for n in names}
        self._keys = {k.lower(): k for k in keys}
        self.model.setStringList(list(dict.fromkeys([*names, *keys])))

    def go(self, text: str | None = None) -> bool:
        """Seek to what ``text`` (default: the box's text) names; False, with the
        session's error set, when no step matches."""
        s = self.session
        self.refresh()
        query = (self.text() if text is None else text).strip()
        if not query:
            return False
        low = query.lower()
        if low in self._keys and low not in self._names:
            s.seek_key(self._keys[low])
            self._clear_own_error()
            return True
        pattern = self._names.get(low, query)
        if not s.trace.find(pattern) and not GLOB & set(query):
            fragment = f"*{query}*"
            if s.trace.find(fragment):
                pattern = fragment
        ok = s.seek_name(pattern)  # sets the error when nothing matches
        if ok:
            self._clear_own_error()
        else:
            self._error = s.error
        return ok

    def _clear_own_error(self) -> None:
        """A found step clears the "no step matches" this box caused, nothing else."""
        if self._error and self.session.error == self._error:
            self.session.error = ""
        self._error = ""

    def _on_pick(self, text: str) -> None:
        self.setText(text)
        self.go(text)

    def _on_return(self) -> None:
        popup = self.completer_.popup()
        assert popup is not None  # QCompleter makes its default list view on demand
        if popup.isVisible() and popup.currentIndex().isValid():
            return  # this Enter picks a completion: ``activated`` follows and seeks
        self.go()

    def relabel(self) -> None:
        lang = getattr(self.session, "lang", "en")
        self.setPlaceholderText(tr(STRINGS["placeholder"], lang))
        self.setToolTip(tr(STRINGS["tip"], lang))
