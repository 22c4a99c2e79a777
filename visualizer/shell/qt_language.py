"""Qt's own words (the Close / Cancel / OK / Yes / No buttons of message boxes, button
boxes and file dialogs, a line edit's context menu) in the session's language.

Our strings switch through ``visualizer.i18n.tr``; Qt's are translated by Qt's own
catalog, ``qtbase_zh_CN.qm``, which PySide6 ships in its translations folder. One
``QTranslator`` is installed on the application while the language is Chinese and
removed for English; Qt then sends every widget a ``LanguageChange`` event, and the
standard buttons relabel themselves (``QDialogButtonBox`` does).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QTranslator

CATALOGS = {"zh": "qtbase_zh_CN"}  # lang -> Qt's catalog (numbers keep their format)
_installed: dict[str, QTranslator] = {}  # lang -> the translator on the application


def use_qt_language(lang: str) -> bool:
    """Install Qt's catalog for ``lang`` (remove the others); False when Qt ships none
    for it (English needs none) or there is no application yet."""
    app = QCoreApplication.instance()
    if app is None:
        return False
    for other in [k for k in _installed if k != lang]:
        app.removeTranslator(_installed.pop(other))
    if lang in _installed or lang not in CATALOGS:
        return lang in _installed
    name = CATALOGS[lang]
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    translator = QTranslator(app)
    if not translator.load(name, folder):
        return False
    app.installTranslator(translator)
    _installed[lang] = translator
    return True
