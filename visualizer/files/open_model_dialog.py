"""File ▸ Open model…: the models already on this machine, or any folder.

Lists what ``core.hf.hf_cache`` finds (the local Hugging Face hub cache and the models
``transformer-sim fetch`` put in the data folder): name, family, size on disk, and
where it lies. Listing reads only each ``config.json``, never weights, so the dialog
opens at once however large the models are. A model the simulator cannot open is
greyed, with the reason in its row; double-clicking it says that reason in the line
under the list instead of trying. "Choose a folder…" opens any other model folder
(the simulator's own or a ``save_pretrained`` one).

The dialog only picks a folder: ``chosen`` is emitted with it and the File menu opens
it through ``session.open_model`` (off the GUI thread, a refusal is the session's
one-line error). Tests call ``pick`` / ``activate`` instead of clicking.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from visualizer.i18n import say, tr

if TYPE_CHECKING:
    from core.hf.hf_cache import CachedModel

STRINGS = {
    "title": {"en": "Open model", "zh": "打开模型"},
    "intro": {
        "en": "Models already on this computer (nothing is downloaded). Double-click one to "
        "open it.",
        "zh": "这台电脑上已有的模型（不会下载任何东西）。双击即可打开。",
    },
    "name": {"en": "Model", "zh": "模型"},
    "family": {"en": "Family", "zh": "类型"},
    "size": {"en": "Size", "zh": "大小"},
    "where": {"en": "Where", "zh": "位置"},
    "cache": {"en": "Hugging Face cache", "zh": "Hugging Face 缓存"},
    "fetched": {"en": "fetched", "zh": "已下载（fetch）"},
    "cannot": {"en": "cannot open: {why}", "zh": "无法打开：{why}"},
    "empty": {
        "en": "No models found in {cache} or {fetched}. `transformer-sim fetch gpt2` "
        "downloads one (with a network); or choose a folder.",
        "zh": "在 {cache} 和 {fetched} 中没有找到模型。有网络时，`transformer-sim fetch gpt2` "
        "可以下载一个；也可以选择一个文件夹。",
    },
    "looked": {
        "en": "Looked in {cache} and {fetched}",
        "zh": "查找位置：{cache} 和 {fetched}",
    },
    "folder": {"en": "Choose a folder…", "zh": "选择文件夹…"},
    "open": {"en": "Open", "zh": "打开"},
    "cancel": {"en": "Cancel", "zh": "取消"},
    "pick_folder": {"en": "Open model folder", "zh": "打开模型文件夹"},
}
GREY = QColor("#8a8a8e")


class OpenModelDialog(QDialog):
    """The list of local models and a folder chooser; ``chosen(folder)`` when one is
    picked (the dialog closes then)."""

    chosen = Signal(str)

    def __init__(self, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lang = lang
        self.models: list[CachedModel] = []
        self.setModal(True)
        self.resize(760, 420)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setRootIsDecorated(False)
        self.tree.setColumnCount(4)
        self.tree.setAlternatingRowColors(True)
        header = self.tree.header()
        header.setStretchLastSection(True)
        for col in (0, 1, 2):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.itemDoubleClicked.connect(self._on_double_click)
        self.tree.currentItemChanged.connect(self._on_current)
        self.why = QLabel()  # why the chosen entry cannot be opened (one line)
        self.why.setStyleSheet("color: #c1121f")
        self.why.setWordWrap(True)
        self.looked = QLabel()
        self.looked.setStyleSheet("color: #6e6e73")
        self.looked.setWordWrap(True)
        self.looked.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.folder_button = QPushButton()
        self.folder_button.clicked.connect(self.ask_folder)
        self.open_button = QPushButton()
        self.open_button.setDefault(True)
        self.open_button.clicked.connect(self._open_current)
        self.cancel_button = QPushButton()
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.folder_button)
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.cancel_button)
        lay = QVBoxLayout(self)
        lay.addWidget(self.intro)
        lay.addWidget(self.tree, 1)
        lay.addWidget(self.why)
        lay.addWidget(self.looked)
        lay.addLayout(buttons)
        self.refresh()

    # -- the list ----------------------------------------------------------------------
    def refresh(self) -> None:
        """List the models again (the cache may have changed since the last time)."""
        from core.hf.hf_cache import list_models

        self.models = list_models()
        self._fill()

    def _fill(self) -> None:
        """One row per model; the Where column's words are set by ``relabel``."""
        from core.hf.hf_cache import family_name

        self.tree.clear()
        for n, model in enumerate(self.models):
            size = human_size(model.size)
            item = QTreeWidgetItem([model.name, family_name(model.family) or "?", size, ""])
            item.setData(0, Qt.ItemDataRole.UserRole, n)
            item.setToolTip(0, str(model.folder))
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if not model.ok:
                for col in range(4):
                    item.setForeground(col, GREY)
            self.tree.addTopLevelItem(item)
        first = next((i for i, m in enumerate(self.models) if m.ok), None)
        current = self.tree.topLevelItem(first) if first is not None else None
        if current is not None:
            self.tree.setCurrentItem(current)
        self.relabel(self.lang)

    def _model_of(self, item: QTreeWidgetItem | None) -> CachedModel | None:
        if item is None:
            return None
        n = item.data(0, Qt.ItemDataRole.UserRole)
        return self.models[n] if isinstance(n, int) and 0 <= n < len(self.models) else None

    # -- choosing ----------------------------------------------------------------------
    def activate(self, index: int) -> bool:
        """Open entry ``index`` (what a double-click does): emits ``chosen`` and closes,
        or, for an entry that cannot be opened, says why and stays. True if opened."""
        model = self.models[index]
        if not model.ok:
            self.why.setText(
                tr(STRINGS["cannot"], self.lang).format(why=say(model.problem, self.lang))
            )
            self.why.setVisible(True)
            return False
        self.chosen.emit(str(model.folder))
        self.accept()
        return True

    def pick(self, folder: str | Path) -> None:
        """A folder chosen by hand (or by a test): emitted as it is, the session checks it."""
        self.chosen.emit(str(folder))
        self.accept()

    def ask_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, tr(STRINGS["pick_folder"], self.lang))
        if folder:
            self.pick(folder)

    def _on_double_click(self, item: QTreeWidgetItem, _column: int) -> None:
        n = item.data(0, Qt.ItemDataRole.UserRole)
        if isinstance(n, int):
            self.activate(n)

    def _open_current(self) -> None:
        item = self.tree.currentItem()
        n = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        if isinstance(n, int):
            self.activate(n)

    def _on_current(self, item: QTreeWidgetItem | None, _previous: object = None) -> None:
        model = self._model_of(item)
        self.open_button.setEnabled(model is not None and model.ok)
        self.why.setVisible(False)

    # -- words -------------------------------------------------------------------------
    def relabel(self, lang: str) -> None:
        from core.hf.fetch import models_home
        from core.hf.hf_cache import hub_cache

        self.lang = lang
        t = {key: tr(entry, lang) for key, entry in STRINGS.items()}
        self.setWindowTitle(t["title"])
        self.intro.setText(t["intro"])
        self.tree.setHeaderLabels([t["name"], t["family"], t["size"], t["where"]])
        places = {"cache": str(hub_cache()), "fetched": str(models_home())}
        self.looked.setText((t["looked"] if self.models else t["empty"]).format(**places))
        self.folder_button.setText(t["folder"])
        self.open_button.setText(t["open"])
        self.cancel_button.setText(t["cancel"])
        for n in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(n)
            model = self._model_of(item)
            if model is not None and item is not None:
                status = (
                    t[model.where] if model.ok else t["cannot"].format(why=say(model.problem, lang))
                )
                item.setText(3, status)
                item.setToolTip(3, status)
        self._on_current(self.tree.currentItem())


def human_size(n: int) -> str:
    """Bytes as people read them: 548.1 MB, 12.0 kB (decimal units, as the hub shows)."""
    size = float(n)
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} GB"  # pragma: no cover - the loop returns
