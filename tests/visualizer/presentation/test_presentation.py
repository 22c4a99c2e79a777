"""Presentation mode: full screen, chosen panels, zoom, clicker keys, blanking,
annotations; themes; the About box and the first-run tip."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from importlib import metadata

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from core.session import Session
from visualizer import theme
from visualizer.assemble import SimulatorWindow
from visualizer.presentation import themes
from visualizer.presentation.mode import DEFAULT_PANELS, ZOOMS, Presentation
from visualizer.presentation.scale import apply_scale
from visualizer.shell.first_run import FirstRunTip, first_run_done, set_first_run_done
from visualizer.widgets.heatmap import Heatmap

SETTINGS = ("transformer-sim", "transformer-sim")


@pytest.fixture
def window(
    make_window: Callable[..., SimulatorWindow], fresh_session: Session
) -> Iterator[SimulatorWindow]:
    settings = QSettings(*SETTINGS)
    for key in ("presentation/panels", "presentation/zoom", "theme"):
        settings.remove(key)
    fresh_session.animate = False
    w = make_window(fresh_session, (1400, 900))
    assert isinstance(w.presentation, Presentation)  # type: ignore[attr-defined]  # attach installs it
    w.activateWindow()
    yield w
    pres: Presentation = w.presentation  # type: ignore[attr-defined]
    pres.leave()
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    themes.apply_theme(app, "light", remember=False)
    if theme.get_scale() != 1.0:
        apply_scale(w, 1.0)
    for key in ("presentation/panels", "presentation/zoom", "theme"):
        settings.remove(key)


def pres_of(w: SimulatorWindow) -> Presentation:
    return w.presentation  # type: ignore[attr-defined]


def session_of(w: SimulatorWindow) -> Session:
    assert w.session is not None
    return w.session


def add_to(view: QWidget, widget: QWidget) -> None:
    layout = view.layout()
    assert layout is not None
    layout.addWidget(widget)


def shown_docks(w: SimulatorWindow) -> set[str]:
    return {name for name, d in w.docks.items() if d.isVisible()}


def test_entering_enlarges_fonts_and_hides_the_other_panels(
    window: SimulatorWindow, qtbot: QtBot
) -> None:
    p = pres_of(window)
    title = window.views["narration"].title  # type: ignore[attr-defined]
    plain = QLabel("inherits the application font")
    add_to(window.views["narration"], plain)
    size, plain_size = title.font().pointSizeF(), plain.font().pointSizeF()
    before = shown_docks(window)
    assert before > set(DEFAULT_PANELS)
    p.zoom = 2.0
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert p.active and window.isFullScreen()
    assert title.font().pointSizeF() == pytest.approx(size * 2.0)
    assert plain.font().pointSizeF() == pytest.approx(plain_size * 2.0)
    assert shown_docks(window) == set(DEFAULT_PANELS)
    assert not window.menuBar().isVisible()
    assert p.action.isChecked()  # type: ignore[attr-defined]
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert not p.active and not window.isFullScreen()
    assert title.font().pointSizeF() == pytest.approx(size)
    assert plain.font().pointSizeF() == pytest.approx(plain_size)
    assert shown_docks(window) == before
    assert window.menuBar().isVisible()


def test_chosen_panels_and_the_settings_panel(window: SimulatorWindow, qtbot: QtBot) -> None:
    p = pres_of(window)
    p.enter()
    dialog = window.presentation_actions.show_settings()  # type: ignore[attr-defined]
    assert dialog.isVisible() and not dialog.isModal()
    dialog.checks["diagram"].setChecked(False)
    dialog.checks["decoding"].setChecked(True)
    assert p.panels == {"attention", "narration", "timeline", "decoding"}
    assert "diagram" not in shown_docks(window)
    assert {"attention", "narration", "timeline"} <= shown_docks(window)
    assert (
        QSettings(*SETTINGS).value("presentation/panels") == "attention,decoding,narration,timeline"
    )
    dialog.hide()


def test_zoom_keys_scale_fonts_axes_and_the_narration(
    window: SimulatorWindow, qtbot: QtBot
) -> None:
    p = pres_of(window)
    p.zoom = 1.5
    p.enter()
    assert theme.get_scale() == 1.5
    qtbot.keyClick(window, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert theme.get_scale() == ZOOMS[ZOOMS.index(1.5) + 1]
    assert p.zoom == theme.get_scale()  # remembered as the presentation's zoom
    qtbot.keyClick(window, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert theme.get_scale() == ZOOMS[ZOOMS.index(1.5) - 1]
    p.set_zoom(2.0)
    assert theme.ui_font(9).pointSizeF() == pytest.approx(18)
    heat = window.views["tensor"].findChild(Heatmap)
    assert heat is not None
    tick = heat.plot.getAxis("left").style["tickFont"]
    assert tick.pointSizeF() == pytest.approx(18)
    assert heat.text.fonts[0][0].pointSizeF() == pytest.approx(16)  # the cells' numbers
    browser = window.views["narration"].browser  # type: ignore[attr-defined]
    sizes = _point_sizes(browser.document())
    assert 24.0 in sizes  # the narration's 12 pt text, zoomed
    title = window.views["narration"].title  # type: ignore[attr-defined]
    assert title.font().pointSizeF() == pytest.approx(30)  # its 15 pt heading
    session_of(window).step_forward()  # a new text is zoomed as well
    assert 24.0 in _point_sizes(browser.document())
    qtbot.keyClick(window, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert theme.get_scale() == 1.0
    assert tick.pointSizeF() != heat.plot.getAxis("left").style["tickFont"].pointSizeF()
    assert heat.plot.getAxis("left").style["tickFont"].pointSizeF() == pytest.approx(9)
    assert 12.0 in _point_sizes(browser.document())
    assert title.font().pointSizeF() == pytest.approx(15)


def _point_sizes(doc: object) -> set[float]:
    sizes, block = set(), doc.begin()  # type: ignore[attr-defined]
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            sizes.add(round(it.fragment().charFormat().fontPointSize(), 3))
            it += 1
        block = block.next()
    return sizes


def test_clicker_keys_step_and_b_blanks(window: SimulatorWindow, qtbot: QtBot) -> None:
    s, p = window.session, pres_of(window)
    assert s is not None
    s.seek(10)
    qtbot.keyClick(window, Qt.Key.Key_B)  # not presenting: nothing
    assert not p.blank.isVisible()
    p.enter()
    qtbot.keyClick(window, Qt.Key.Key_PageDown)
    assert s.cursor == 11
    qtbot.keyClick(window, Qt.Key.Key_PageUp)
    qtbot.keyClick(window, Qt.Key.Key_PageUp)
    assert s.cursor == 9
    qtbot.keyClick(window, Qt.Key.Key_B)
    assert p.blank.isVisible() and p.blank.geometry() == window.rect()
    img = window.grab().toImage()
    assert QColor(img.pixel(img.width() // 2, img.height() // 2)) == QColor("black")
    qtbot.keyClick(window, Qt.Key.Key_PageDown)  # the first press brings the screen back
    assert not p.blank.isVisible() and s.cursor == 9
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert s.lang == "zh"  # the hidden menu bar's keys still work
    s.lang = "en"
    qtbot.keyClick(window, Qt.Key.Key_B)
    qtbot.keyClick(window, Qt.Key.Key_Escape)  # Esc: first the blank …
    assert not p.blank.isVisible() and p.active
    qtbot.keyClick(window, Qt.Key.Key_Escape)  # … then the mode
    assert not p.active


def test_annotations_draw_highlight_and_clear_on_the_next_step(
    window: SimulatorWindow, qtbot: QtBot
) -> None:
    s, p = window.session, pres_of(window)
    assert s is not None
    p.enter()
    a = p.annotations
    qtbot.keyClick(window, Qt.Key.Key_D)
    assert a.mode == "pen" and a.isVisible()
    qtbot.mousePress(a, Qt.MouseButton.LeftButton, pos=QPoint(100, 100))
    qtbot.mouseMove(a, QPoint(200, 150))
    qtbot.mouseRelease(a, Qt.MouseButton.LeftButton, pos=QPoint(200, 150))
    assert len(a.strokes) == 1 and a.strokes[0].boundingRect().width() > 50
    qtbot.keyClick(window, Qt.Key.Key_H)
    assert a.mode == "highlight"
    qtbot.mousePress(a, Qt.MouseButton.LeftButton, pos=QPoint(300, 300))
    qtbot.mouseMove(a, QPoint(500, 380))
    qtbot.mouseRelease(a, Qt.MouseButton.LeftButton, pos=QPoint(500, 380))
    assert len(a.highlights) == 1 and a.highlights[0].width() == pytest.approx(200)
    s.step_forward()  # the next step clears the screen
    assert not a.has_marks()
    qtbot.mousePress(a, Qt.MouseButton.LeftButton, pos=QPoint(50, 50))
    qtbot.mouseRelease(a, Qt.MouseButton.LeftButton, pos=QPoint(90, 90))
    assert a.has_marks()
    qtbot.keyClick(window, Qt.Key.Key_C)
    assert not a.has_marks()
    qtbot.keyClick(window, Qt.Key.Key_H)  # off again: the mouse reaches the views
    assert a.mode is None
    assert a.testAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)


def test_annotation_overlay_paints_over_the_views(window: SimulatorWindow) -> None:
    from PySide6.QtCore import QRectF

    p = pres_of(window)
    p.enter()
    a = p.annotations
    a.set_mode("highlight")
    a.highlights.append(QRectF(200, 200, 300, 100))
    window.repaint()
    img = window.grab().toImage()
    c = QColor(img.pixel(350, 250))
    assert c.red() > c.blue() + 40  # the yellow highlight shows on top


def test_themes_switch_the_palette_and_the_plots(window: SimulatorWindow) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    light_window = app.palette().color(QPalette.ColorRole.Window)
    attention = window.views["attention"].findChild(Heatmap)
    tensor = window.views["tensor"].findChild(Heatmap)
    assert attention is not None and tensor is not None
    assert themes.apply_theme(app, "dark", window) == "dark"
    assert app.palette().color(QPalette.ColorRole.Window) == QColor(themes.THEMES["dark"].window)
    dark_bg = QColor(themes.THEMES["dark"].plot_bg)
    assert attention.plot.backgroundBrush().color() == dark_bg
    axis = attention.plot.getAxis("left")
    assert axis.textPen().color() == QColor(themes.THEMES["dark"].plot_fg)
    assert tensor.plot.backgroundBrush().color() == QColor("white")  # on the white panel
    browser = window.views["narration"].browser  # type: ignore[attr-defined]
    assert "color" in browser.styleSheet().split("}")[-2]  # its text stays dark
    assert QSettings(*SETTINGS).value("theme") == "dark"
    window.presentation_actions.set_theme("contrast")  # type: ignore[attr-defined]
    assert app.palette().color(QPalette.ColorRole.WindowText) == QColor("#ffffff")
    assert attention.plot.backgroundBrush().color() == QColor("#000000")
    assert window.presentation_actions.theme_actions["contrast"].isChecked()  # type: ignore[attr-defined]
    themes.apply_theme(app, "light", window)
    assert app.palette().color(QPalette.ColorRole.Window) == light_window
    assert attention.plot.backgroundBrush().color() == QColor("white")
    assert browser.styleSheet() == "QTextBrowser { background: white; border: none; }"
    assert themes.saved_theme() == "light"


def test_presenting_in_dark_walks_every_step(window: SimulatorWindow) -> None:
    s, p = window.session, pres_of(window)
    assert s is not None
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    themes.apply_theme(app, "contrast", window, remember=False)
    p.zoom = 2.0
    p.enter()
    s.lang = "zh"
    for i in range(0, len(s), 7):
        s.seek(i)
    s.seek(len(s) - 1)
    assert window.grab().width() > 0
    window.rooms.switch("neuron")  # a room built while zoomed
    window.rooms.switch("transformer")
    assert shown_docks(window) == set(DEFAULT_PANELS)
    p.leave()
    s.lang = "en"


def test_about_box_shows_versions(window: SimulatorWindow) -> None:
    actions = window.presentation_actions  # type: ignore[attr-defined]
    box = actions.show_about()
    assert box.isVisible() and not box.isModal()
    text = box.body.text()
    for dist in ("transformer-sim", "numpy", "torch", "pyqtgraph", "PySide6-Essentials"):
        assert metadata.version(dist) in text
    import platform

    from PySide6 import QtCore

    assert platform.python_version() in text and QtCore.qVersion() in text
    session_of(window).lang = "zh"
    assert "版本" in box.body.text() and "关于" in box.windowTitle()
    session_of(window).lang = "en"
    box.hide()


def test_first_run_tip_is_shown_until_dismissed(qtbot: QtBot) -> None:
    set_first_run_done(False)
    assert not first_run_done()
    tip = FirstRunTip("zh")
    qtbot.addWidget(tip)
    tip.show()
    assert "F1" in tip.text.text() and "空格" in tip.text.text()
    tip.set_lang("en")
    assert "Space" in tip.text.text()
    with qtbot.waitSignal(tip.sigDismissed):
        qtbot.mouseClick(tip.ok, Qt.MouseButton.LeftButton)
    assert not tip.isVisible() and first_run_done()
    set_first_run_done(False)


def test_menus_and_keys_are_installed_and_relabelled(window: SimulatorWindow) -> None:
    actions = window.presentation_actions  # type: ignore[attr-defined]
    assert actions.present in window.menu_view.actions()
    assert actions.about in window.menu_help.actions()
    assert "F5" in [k.toString() for k in actions.present.shortcuts()]
    session_of(window).lang = "zh"
    assert actions.present.text() == "演示模式"
    session_of(window).lang = "en"
    assert actions.present.text() == "Presentation mode"


def test_zoom_scales_line_widths_of_plots(window: SimulatorWindow) -> None:
    import pyqtgraph as pg

    plot = pg.PlotWidget()
    add_to(window.views["tensor"], plot)
    curve = plot.plot(np.arange(5.0), pen=pg.mkPen("r", width=2))
    apply_scale(window, 2.0)
    assert curve.opts["pen"].widthF() == pytest.approx(4)
    apply_scale(window, 1.0)
    assert curve.opts["pen"].widthF() == pytest.approx(2)


def test_zooming_there_and_back_leaves_every_font_as_it_was(window: SimulatorWindow) -> None:
    import pyqtgraph as pg

    def fonts() -> dict[int, float]:
        # (a widget never shown may hold a stale font until Qt polishes it)
        out = {id(w): w.font().pointSizeF() for w in window.findChildren(QWidget) if shown(w)}
        for axis in window.findChildren(pg.PlotWidget):
            tick = axis.getAxis("left").style["tickFont"]
            if tick is not None:
                out[id(axis)] = tick.pointSizeF()
        return out

    shown_before = {id(w) for w in window.findChildren(QWidget) if w.isVisible()}

    def shown(w: QWidget) -> bool:
        return id(w) in shown_before

    before = fonts()
    p = pres_of(window)
    p.zoom = 2.5
    p.enter()
    assert fonts() != before
    late = QLabel("made while zoomed")
    late.setFont(theme.ui_font(12))  # a view builds a widget at zoom 2.5
    add_to(window.views["narration"], late)
    assert late.font().pointSizeF() == pytest.approx(30)
    p.zoom_out()
    p.zoom_in()
    p.zoom_in()
    assert late.font().pointSizeF() == pytest.approx(12 * theme.get_scale())
    session_of(window).step_forward()
    p.leave()
    assert late.font().pointSizeF() == pytest.approx(12)
    after = fonts()
    changed = {k: (v, after[k]) for k, v in before.items() if k in after and after[k] != v}
    names = {id(w): type(w).__name__ for w in window.findChildren(QWidget)}
    assert not {names.get(k, k): v for k, v in changed.items()}
