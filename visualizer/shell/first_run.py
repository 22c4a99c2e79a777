"""The first-run tip: a slim bar with the three keys to start (→, Space, F1).

Not a dialog: the window stays usable around it. It is shown until dismissed once;
the dismissal is kept in QSettings (``first_run_done``), so it never comes back.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from visualizer.i18n import tr
from visualizer.theme import ui_font

SETTINGS = ("transformer-sim", "transformer-sim")
KEY = "first_run_done"
STRINGS = {
    "tip": {
        "en": "New here? Press <b>→</b> to step through the model one operation at a time, "
        "<b>Space</b> to play, <b>F1</b> for every shortcut.",
        "zh": "第一次使用？按 <b>→</b> 逐个操作单步执行模型，按 <b>空格键</b> 自动播放，"
        "按 <b>F1</b> 查看全部快捷键。",
    },
    "ok": {"en": "Got it", "zh": "知道了"},
}


def first_run_done() -> bool:
    return QSettings(*SETTINGS).value(KEY, False) in (True, "true")


def set_first_run_done(done: bool = True) -> None:
    settings = QSettings(*SETTINGS)
    if done:
        settings.setValue(KEY, True)
    else:
        settings.remove(KEY)


class FirstRunTip(QWidget):
    """``sigDismissed`` when closed; ``set_lang`` relabels it."""

    sigDismissed = Signal()

    def __init__(self, lang: str = "en", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("first-run-tip")
        self.setAutoFillBackground(True)
        self.setStyleSheet(
            "#first-run-tip { background: #e7f0fd; border-bottom: 1px solid #b9cff2; }"
            " #first-run-tip QLabel { color: #123a6b; }"
        )
        self.text = QLabel()
        self.text.setFont(ui_font(11))
        self.text.setWordWrap(True)
        self.ok = QPushButton()
        self.ok.setFont(ui_font(10, bold=True))
        self.ok.clicked.connect(self.dismiss)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(12, 6, 8, 6)
        lay.addWidget(self.text, 1)
        lay.addWidget(self.ok)
        self.set_lang(lang)

    def set_lang(self, lang: str) -> None:
        self.text.setText(tr(STRINGS["tip"], lang))
        self.ok.setText(tr(STRINGS["ok"], lang))

    def dismiss(self) -> None:
        set_first_run_done(True)
        self.hide()
        self.sigDismissed.emit()
