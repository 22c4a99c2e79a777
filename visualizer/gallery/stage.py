"""One window that every subject of the layout check is shown on.

A scene is applied once per language (its model runs then, synchronously: the bridge
is not threaded), and the window is then re-laid out for each screen and mode — a
resize, entering or leaving presentation mode, a zoom — without running a model
again. Presentation mode's full screen is the screen being checked: the offscreen
platform's one screen is 800×800, so the window's ``showFullScreen`` is replaced on
this window by one that fills the screen under test. A scene that would start a
training run in a child process does not start it here (the layout is that of the
training panel before its first chart point, as a lecturer sees it on the click).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QApplication

from visualizer.gallery import fit_rules as rules
from visualizer.gallery.plan import LANGS, Combo, Mode, Subject
from visualizer.presentation.layout import size_docks

if TYPE_CHECKING:
    from core.chapters import Scene
    from visualizer.assemble import SimulatorWindow


class Stage:
    """``show(subject, lang)``, ``lay_out(combo)``, ``check()``, ``grab()``."""

    def __init__(self, size: tuple[int, int] = (1920, 1080)) -> None:
        from core.session import Session
        from visualizer.assemble import SimulatorWindow
        from visualizer.bridge import SessionBridge
        from visualizer.fonts import install_fonts

        app = QApplication.instance()
        assert isinstance(app, QApplication), "a QApplication must exist"
        install_fonts(app)
        s = Session.open_builtin("en-de")
        s.animate = False
        self.session = s
        self._bundle, self._source = s.bundle, s.source  # the Transformer room's own run
        self.window: SimulatorWindow = SimulatorWindow(s, SessionBridge(s), persist=False)
        self.screen = size
        self.mode = Mode(False, 1.0)
        self.window.showFullScreen = self._full_screen  # type: ignore[method-assign]
        self.window.resize(*size)
        self.window.show()
        self.player: Any = self.window.chapters.player
        self.chapters = {c.id: c for c in self.player.chapters()}
        self.subject: Subject | None = None
        self.lang = ""
        self.settle()

    def walk(
        self, plan: Mapping[Subject, Sequence[Combo]], subjects: Sequence[Subject]
    ) -> Iterator[tuple[Subject, Combo, list[rules.Failure]]]:
        """Each subject of ``plan`` shown once per language (chapters in order, so a
        scene follows its predecessor as in a lecture), then laid out for each of its
        combinations in that language, checked; yields what each layout found."""
        for lang in LANGS:
            for i, subject in enumerate(subjects):
                combos = sorted((c for c in plan.get(subject, ()) if c.lang == lang), key=_order)
                if not combos:
                    continue
                self.show(subject, lang)
                for combo in combos if i % 2 == 0 else reversed(combos):  # fewer mode changes
                    self.lay_out(combo)
                    yield subject, combo, self.check()

    # -- subjects ----------------------------------------------------------------------
    def show(self, subject: Subject, lang: str) -> None:
        """Apply a chapter's scene (the next scene by ``next``, as a lecturer moves on;
        any other by ``start``) or a room without a chapter, in ``lang``."""
        s, p = self.session, self.player
        if s.lang != lang:
            s.lang = lang
        if subject.chapter is None:
            if p.active:
                p.stop()
            if subject.room == "transformer":
                self._builtin_model()
            self.window.rooms.switch(subject.room)
            if subject.room == "transformer" and self.window.presentation.active:
                self.window.presentation.show_panels()
        else:
            following = (
                p.active
                and p.chapter.id == subject.chapter
                and p.scene_index == subject.index - 1
                and self.lang == lang
            )
            with _no_training_runs():
                if following:
                    p.next()
                else:
                    p.start(subject.chapter, subject.index)
        # continuous training (a playground scene's "play") would make the layout depend
        # on how many steps ran by the time it is checked: the check sees the first
        from visualizer.lecture.chapter_scene import stop_playground

        stop_playground(self.window.rooms.pages)
        self.subject, self.lang = subject, lang
        self.settle()

    def _builtin_model(self) -> None:
        """The Transformer room as the window opens it: the built-in EN→DE model on its
        first example, translating (not what the last chapter left open)."""
        from core.session import BUILTIN_MODELS, MODELS

        s = self.session
        if s.bundle is not self._bundle or s.source != self._source or s.mode != "translate":
            s.open_model(MODELS / BUILTIN_MODELS["en-de"], self._source)
            s.mode = "translate"
            self._bundle = s.bundle

    @property
    def scene(self) -> Scene | None:
        return self.player.scene if self.player.active else None

    # -- layouts -----------------------------------------------------------------------
    def lay_out(self, combo: Combo) -> None:
        """The window on ``combo``'s screen in its mode (the language is the subject's)."""
        w, pres = self.window, self.window.presentation
        self.screen = combo.size
        mode = combo.mode
        if mode.presenting:
            if not pres.active:
                pres.choose_zoom(mode.zoom)
                pres.enter()
            elif abs(pres.zoom - mode.zoom) > 1e-6:
                pres.set_zoom(mode.zoom)
            self._full_screen()
            pres.size_docks()
        else:
            if pres.active:
                pres.leave()
                self.settle()  # leaving puts back the old geometry first
            w.resize(*combo.size)
        self.mode = mode
        self._scene_panels()
        self.settle()
        if mode.presenting:
            self._full_screen()
        else:
            w.resize(*combo.size)  # again: bars that fit to the height have settled
        self._scene_panels()  # leaving put back the layout from before presenting
        self.settle()
        # the docks' shares of the screen as presentation mode gives them, in either mode:
        # a layout must not depend on what was laid out before it (the plan's order)
        size_docks(w, w.docks)
        self.settle()

    def rest(self) -> None:
        """Back to the normal window at zoom 1 (the zoom is global: another window made
        now would be built zoomed)."""
        if self.window.presentation.active:
            self.window.presentation.leave()
        self.mode = Mode(False, 1.0)
        self.settle()

    def _full_screen(self) -> None:
        self.window.setGeometry(0, 0, *self.screen)
        self.window.show()

    def _scene_panels(self) -> None:
        """Presentation mode shows its own panels on entering; a scene shows its own
        (as when the lecturer moves to it while presenting)."""
        from visualizer.lecture import chapter_scene as act

        scene = self.scene
        if (
            scene is not None
            and scene.room == "transformer"
            and self.window.rooms.current == ("transformer")
        ):
            act.panels(self.window.docks, scene)

    def settle(self) -> None:
        """Let layouts, deferred fits and zero timers run (a few rounds: a bar that grows
        to its wrapped text asks for another layout)."""
        for _ in range(4):
            QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest.value)
            QCoreApplication.processEvents()

    # -- checks ------------------------------------------------------------------------
    def chosen_panels(self) -> list[str]:
        """The docks the subject shows: the scene's, the presentation's, or the layout's."""
        w = self.window
        if w.rooms.current != "transformer":
            return []
        scene = self.scene
        if scene is not None and scene.panels is not None:
            return list(scene.panels)
        if w.presentation.active:
            pres = w.presentation
            return [n for n in w.docks if n in pres.panels and pres.applies(n)]
        return [n for n, d in w.docks.items() if not d.isHidden()]

    def check(self) -> list[rules.Failure]:
        from visualizer.panels.timeline.timeline_view import TimelineView
        from visualizer.widgets.heatmap import Heatmap

        w = self.window
        out = rules.check_window(w, self.screen)
        chosen = self.chosen_panels()
        room = w.rooms.current
        timelines: list[Any] = []
        if self.player.active:
            out += rules.check_wholly_shown(self.player.overlay, w, "narration bar")
        if room == "transformer":
            if "narration" in chosen and not self.player.active:  # its panel (it scrolls)
                out += rules.check_wholly_shown(w.docks["narration"].widget(), w, "narration")
            if "timeline" in chosen:
                timelines.append(w.views["timeline"])
            out += rules.check_panels(w, dict(w.docks), chosen)
        else:
            page: Any = w.rooms.pages[room]
            narration = getattr(page, "narration", None)
            if narration is not None and narration.isVisibleTo(page) and not self.player.active:
                out += rules.check_wholly_shown(narration, w, "the room's narration")
            timeline = getattr(page, "timeline", None)
            if isinstance(timeline, TimelineView) and timeline.isVisibleTo(page):
                timelines.append(timeline)
        for tl in timelines:
            out += rules.check_wholly_shown(tl, w, "timeline")
            out += rules.check_wholly_shown(tl.buttons["play"], w, "transport")
        out += rules.check_timeline_labels(timelines)
        out += rules.check_heatmaps(w.findChildren(Heatmap), self.mode.zoom)
        out += rules.check_clipped(w)
        out += rules.check_type_size(w, self.mode.zoom if self.mode.presenting else 1.0)
        out += rules.check_language(w, self.lang, self.allowed_words())
        return out

    def allowed_words(self) -> frozenset[str]:
        """Words that are data in any language: the open models' vocabularies and
        labels, the room's own tokens, the words the scene quotes in both languages."""
        words: set[str] = set()
        bundle: Any = self.session.bundle
        for tok in (getattr(bundle, "src_tok", None), getattr(bundle, "tgt_tok", None)):
            words |= set(getattr(tok, "vocab", ()) or ())
        page: Any = self.window.rooms.pages.get(self.window.rooms.current)
        pipeline = getattr(page, "pipeline", None)
        tok = getattr(pipeline, "tok", None)
        words |= set(getattr(tok, "vocab", ()) or ())
        words |= set(self.session.source.split())
        scene = self.scene
        if scene is not None:  # what the scene quotes in both languages is data
            words |= rules.quoted_data([scene.text.en, scene.text.zh])
        return frozenset(str(x) for x in words) | frozenset(str(x).lower() for x in words)

    def grab(self) -> QPixmap:
        return self.window.grab()

    def close(self) -> None:
        self.rest()
        if self.player.active:
            self.player.stop()
        training: Any = self.window.views["training"]
        training.shutdown()
        self.window.close()
        self.window.deleteLater()


def _order(combo: Combo) -> tuple[Mode, tuple[int, int]]:
    return combo.mode, combo.size


@contextmanager
def _no_training_runs() -> Iterator[None]:
    from visualizer.lecture import chapter_scene

    real = chapter_scene.start_training
    chapter_scene.start_training = lambda *_a, **_k: False
    try:
        yield
    finally:
        chapter_scene.start_training = real
