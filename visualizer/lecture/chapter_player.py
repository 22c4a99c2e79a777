"""Lecture mode: plays a guided chapter (``core/chapters.py``) on the main window.

Each scene switches the room, loads the model and sentence it names, shows only its
panels, puts the cursor on its step and the selection on its head and cell, and
shows its narration in ``overlay`` (a large-type bar; the window decides where it
sits). One key moves on (``next``), one goes back (``previous``), one ends (``stop``,
which gives back the lecturer's room and panels).

Nothing here blocks: in the app the model runs in a worker thread, so a scene is
applied in stages (the model, then sentence/target/mode, then cursor and training),
each waiting for the session's ``busy`` to fall, and a newer scene cancels the
stages of an older one. A scene that trains starts the run in the training view's
child process and moves on. Whatever cannot be applied (a step the trace lacks, a
panel this window does not have) goes to ``problems`` and is shown small under the
narration: never an exception in front of an audience.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from core.chapters import Chapter, Scene, builtin_chapters, find_chapter, list_chapters
from visualizer.i18n import tr
from visualizer.lecture import chapter_scene as act
from visualizer.lecture.chapter_bar import STRINGS, ChapterBar
from visualizer.lecture.chapter_scene import FIGURES  # noqa: F401 (re-exported)

if TYPE_CHECKING:
    from pathlib import Path

    from core.navigator import Navigator
    from visualizer.shell.context import WindowContext

KEYS = (("PgDown", "next"), ("PgUp", "previous"), ("Escape", "stop"))  # for the window to bind


class ChapterPlayer(QObject):
    sigScene = Signal(int)  # the scene now shown (-1: the chapter ended)

    def __init__(self, ctx: WindowContext) -> None:
        super().__init__(ctx.qwindow)
        self.ctx = ctx
        self.overlay = ChapterBar()
        self.overlay.hide()
        self.chapter: Chapter | None = None
        self.scene_index = -1
        self.problems: list[str] = []
        self.pending = False  # a scene waits for the model
        self.folders: list[Path] = []  # the lecturer's own chapter folders
        self.load_errors: list[str] = []
        self._gen = 0  # bumped per scene: stale stages of an older scene do nothing
        self._builtin: dict[str, object] = {}  # pair -> the bundle loaded as built-in
        self._models: dict[str, object] = {}  # a scene's "model" -> the bundle it loaded
        self._saved: tuple[str, act.Layout] | None = None
        self._numbers: dict[str, int] = {}
        self._figures: dict[str, QWidget] = {}
        ctx.bridge.connect_relabel(self._show_text)
        # presentation mode left, or the Transformer room back: the scene's panels again
        ctx.rooms.on_docks_given_back(self._panels_again)

    def chapters(self) -> list[Chapter]:
        """The built-in chapters, then those in ``folders`` (bad files: ``load_errors``)."""
        self.load_errors = []
        found = builtin_chapters()
        for folder in self.folders:
            found += list_chapters(folder, self.load_errors)
        return found

    @property
    def active(self) -> bool:
        return self.chapter is not None

    @property
    def scene(self) -> Scene | None:
        """The current scene as applied (with what it inherits)."""
        return self.chapter.resolved(self.scene_index) if self.chapter else None

    # -- moving ----------------------------------------------------------------------
    def start(self, chapter: str | Chapter, scene: int = 0) -> None:
        """Play ``chapter`` (an id, or a Chapter) from scene ``scene``."""
        listed = self.chapters()
        if isinstance(chapter, str):
            chapter = find_chapter(chapter, listed)
        self._numbers = {c.id: i for i, c in enumerate(listed)}
        if self._saved is None:  # the lecturer's room and panels, for stop()
            room = self.ctx.rooms.current
            self.ctx.rooms.switch("transformer")
            self._saved = (room, act.layout_now(self.ctx.docks))
        self.chapter = chapter
        self.overlay.show()
        self.goto(scene)

    def next(self) -> bool:
        """The next scene; False (and nothing changes) at the last one."""
        if self.chapter is None or self.scene_index + 1 >= len(self.chapter):
            return False
        self.goto(self.scene_index + 1)
        return True

    def previous(self) -> bool:
        if self.chapter is None or self.scene_index <= 0:
            return False
        self.goto(self.scene_index - 1)
        return True

    def goto(self, index: int) -> None:
        if self.chapter is None:
            return
        self.scene_index = max(0, min(index, len(self.chapter) - 1))
        self._apply(self.chapter.resolved(self.scene_index))
        self.sigScene.emit(self.scene_index)

    def stop(self) -> None:
        """End the chapter: the bar goes, the lecturer's room and panels come back. The
        session keeps the chapter's sentence and model; a training run goes on."""
        self._gen += 1
        self.pending = False
        act.stop_playground(self.ctx.rooms.pages)
        if self._saved is not None:
            room, layout = self._saved
            self._saved = None
            self.ctx.rooms.switch("transformer")
            act.restore_layout(self.ctx.docks, layout)
            self.ctx.rooms.switch(room)
        self.chapter, self.scene_index = None, -1
        self.overlay.set_figure(None)
        self.overlay.hide()
        self.sigScene.emit(-1)

    def _panels_again(self, _layout: object = None) -> None:
        """A dock layout from before (presentation mode's, a room's) was given back while
        a scene that chose its own panels is shown: the scene's panels come back."""
        scene = self.scene
        if self._saved is not None and scene is not None and scene.room == "transformer":
            act.panels(self.ctx.docks, scene)

    # -- applying a scene --------------------------------------------------------------
    def _apply(self, scene: Scene) -> None:
        self._gen += 1
        self.problems = []
        rooms = self.ctx.rooms
        act.stop_playground(rooms.pages)
        self._try(rooms.switch, scene.room)
        self._show_text()
        self.overlay.set_figure(self._figure(scene.figure) if scene.figure else None)
        if scene.room == "transformer":
            self.problems += act.panels(self.ctx.docks, scene)
            self._model(scene, self._gen)
        elif scene.room in rooms.pages:
            page: Any = rooms.pages[scene.room]
            if scene.step is not None and not len(page.lab) and not scene.lab.get("traced"):
                # the iteration this scene shows was traced by an earlier scene, and the
                # lab has none now: it trained on since (back from a scene that plays)
                # or the chapter was entered here. Its earlier scenes' settings again,
                # from the last reset, without their playing.
                for earlier in self._lab_before(scene.room):
                    self._try(act.apply_lab, page, scene.room, earlier)
            if scene.lab:
                self._try(act.apply_lab, page, scene.room, scene.lab)
            self._cursor(page.lab, scene)
        self._show_problems()

    def _lab_before(self, room: str) -> list[dict[str, Any]]:
        """The lab settings of this chapter's scenes in ``room`` before this one, back to
        the last that resets the lab (in order; "play" left out)."""
        assert self.chapter is not None
        out: list[dict[str, Any]] = []
        for j in range(self.scene_index - 1, -1, -1):
            earlier = self.chapter.resolved(j)
            if earlier.room != room:
                break
            out.append({k: v for k, v in earlier.lab.items() if k != "play"})
            if earlier.lab.get("reset"):
                break
        return out[::-1]

    def _model(self, scene: Scene, gen: int) -> None:
        """Stage 1 the model; stage 2 target, mode, sentence; stage 3 cursor, training.
        The model must be in place before the sentence runs: a run started earlier
        would use the old model, and only the newest run is applied."""
        from core.session import BUILTIN_MODELS, MODELS

        s = self.ctx.session
        assert s is not None and self.chapter is not None
        pair, own = scene.pair, self.chapter.scenes[self.scene_index].pair
        old = s.bundle
        self.pending = True

        def stage2() -> None:
            loaded = s.bundle is not old
            if pair is not None and s.pair == pair and loaded:
                self._builtin[pair] = s.bundle  # what the session just loaded
            if scene.model is not None and loaded:
                self._models[scene.model] = s.bundle
            wanted = (("target", scene.target), ("mode", scene.mode), ("source", scene.source))
            changes = {k: v for k, v in wanted if v is not None and getattr(s, k) != v}
            s.set_without_rerun(**changes)  # one run for all three, below
            train = s.mode == "train"
            if {"source", "mode"} & changes.keys() or (train and ("target" in changes or loaded)):
                s.rerun()  # a model load traced a translation: train mode needs its step
            self._when_idle(stage3, gen)

        def stage3() -> None:
            self.pending = False
            self._cursor(s, scene)
            if scene.select is not None:
                from core.navigator import Selection

                sel = scene.select
                head = s.selection.head if sel.head is None else sel.head
                s.selection = Selection(head, sel.row, sel.col)
            act.panels(self.ctx.docks, scene)  # a new mode brought its own dock forward
            if scene.train is not None:
                t = scene.train
                view = self.ctx.views["training"]
                self._try(act.start_training, view, t.steps, t.scratch, t.until_right)
            if s.error:
                self.problems.append(s.error)
            self._show_problems()

        # A scene that names its pair gets that pair's built-in model, also after a
        # training run replaced it; an inherited pair only switches when it differs.
        if scene.model is not None:
            act.open_model(s, scene.model, self._models, scene.source)
        elif pair is not None and s.pair != pair:
            s.pair = pair  # the session loads the pair's built-in model
        elif pair is not None and own is not None and s.bundle is not self._builtin.get(pair):
            s.open_model(MODELS / BUILTIN_MODELS[pair])
        self._when_idle(stage2, gen)

    def _when_idle(self, then: Callable[[], None], gen: int) -> None:
        """Run ``then`` once the session's model run is applied, unless a newer scene
        came first (at once when the session is idle)."""
        if gen == self._gen:
            act.when_idle(self.ctx.session, then, lambda: gen == self._gen)

    def _cursor(self, nav: Navigator, scene: Scene) -> None:
        if scene.step is None or not len(nav):
            return
        index, why = act.step_index(nav, scene.step)
        if index is None:
            self.problems.append(why)
            return
        nav.playing = False
        nav.seek(index)

    def _figure(self, name: str) -> QWidget:
        if name not in self._figures:  # built on first use, then kept
            self._figures[name] = act.make_figure(name, self.ctx.session, self.ctx.bridge)
        return self._figures[name]

    # -- text ------------------------------------------------------------------------
    def _lang(self) -> str:
        s = self.ctx.session
        return s.lang if s is not None else "en"

    def _show_text(self, _lang: str = "") -> None:
        if self.chapter is None:
            return
        lang, scene = self._lang(), self.chapter.resolved(self.scene_index)
        self.overlay.show_scene(
            self.chapter.title.get(lang),
            self._numbers.get(self.chapter.id),
            scene.title.get(lang) if scene.title else "",
            scene.text.get(lang),
            self.scene_index,
            len(self.chapter),
            lang,
        )
        self._show_problems()

    def _show_problems(self) -> None:
        note = "  ·  ".join(self.problems)
        if self.pending and not note:
            note = tr(STRINGS["waiting"], self._lang())
        self.overlay.set_note(note)

    def _try(self, fn: Callable[..., object], *args: object) -> None:
        """One part of a scene; a failure becomes a problem line, not an exception."""
        try:
            fn(*args)
        except (ValueError, KeyError, RuntimeError, OSError) as e:
            self.problems.append(str(e) or type(e).__name__)
