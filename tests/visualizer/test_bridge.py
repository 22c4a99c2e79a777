"""The bridge's connections end with the views that asked for them."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QLabel

from core.session import Session
from visualizer.bridge import SessionBridge


def test_a_deleted_view_is_never_relabelled(qapp: object, fresh_session: Session) -> None:
    bridge = SessionBridge(fresh_session)
    calls: list[tuple[str, str]] = []

    class View(QLabel):
        def relabel(self, lang: str) -> None:
            calls.append(("method", lang))
            self.setText(lang)  # raises once the C++ label is gone

    kept, gone, by_lambda = View(), View(), QLabel()
    bridge.connect_relabel(kept.relabel)
    bridge.connect_relabel(gone.relabel)
    bridge.connect_relabel(
        lambda lang: (calls.append(("lambda", lang)), by_lambda.setText(lang)), owner=by_lambda
    )
    fresh_session.lang = "zh"
    assert calls == [("method", "zh"), ("method", "zh"), ("lambda", "zh")]
    calls.clear()
    gone.deleteLater()
    by_lambda.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    bridge.sigZoom.emit(1.5)  # the zoom relabels in the same language
    fresh_session.lang = "en"
    assert calls == [("method", "zh"), ("method", "en")]  # only the live view
    assert kept.text() == "en"
    fresh_session.lang = "en"


def test_a_deleted_view_gets_no_more_cursor_moves(qapp: object, fresh_session: Session) -> None:
    from visualizer.panels.loss.loss_view import LossView

    seen: list[LossView] = []

    class Spy(LossView):  # a method of the class body, as in the views themselves
        def _on_cursor(self) -> None:
            seen.append(self)
            super()._on_cursor()  # raises once the C++ view is gone

    bridge = SessionBridge(fresh_session)
    kept, gone = Spy(fresh_session, bridge), Spy(fresh_session, bridge)
    fresh_session.seek(2)
    assert seen == [kept, gone]
    seen.clear()
    gone.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    fresh_session.seek(3)
    assert seen == [kept]  # the deleted view is not called
