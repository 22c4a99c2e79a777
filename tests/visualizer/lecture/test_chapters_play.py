"""Every guided chapter plays from its first scene to its last, in English and in Chinese,
and each scene really sets what it asks for: the room, the model and sentence, the
panels, the cursor, the selection, the figure and the narration. The numbers the
narration quotes are checked against the played state, so a retrained model that
changes them fails here instead of misleading a class."""

from __future__ import annotations

import fnmatch
import functools
import json
import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from core.chapters import Chapter, Scene, builtin_chapters
from core.session import Session
from core.stages.grpo import STD_EPS
from core.stages.pipeline import Pipeline
from visualizer.assemble import SimulatorWindow
from visualizer.bridge import SessionBridge
from visualizer.lecture.chapter_player import FIGURES, ChapterPlayer

CHAPTERS = builtin_chapters()


@pytest.fixture(scope="module")
def window(qapp: QApplication) -> Iterator[SimulatorWindow]:
    s = Session.open_builtin("en-de")
    w = SimulatorWindow(s, SessionBridge(s), persist=False)
    w.resize(1600, 1000)
    w.show()
    yield w
    w.views["training"].shutdown()  # type: ignore[attr-defined]
    w.close()
    w.deleteLater()


@pytest.fixture(scope="module")
def player(window: SimulatorWindow) -> ChapterPlayer:
    return ChapterPlayer(window)


def shown_panels(window: SimulatorWindow) -> set[str]:
    return {name for name, dock in window.docks.items() if not dock.isHidden()}


def in_front(window: SimulatorWindow, name: str) -> bool:
    return not window.docks[name].visibleRegion().isEmpty()


def check_step(nav: Any, spec: str | int) -> None:
    steps = nav.trace.steps
    if isinstance(spec, int):
        assert nav.cursor == (spec if spec >= 0 else len(steps) + spec)
    else:
        step = steps[nav.cursor]
        assert fnmatch.fnmatchcase(step.name, spec) or fnmatch.fnmatchcase(step.key, spec)
        assert nav.cursor == nav.trace.find(spec)[0].index  # the first match


def check_scene(window: SimulatorWindow, player: ChapterPlayer, scene: Scene, lang: str) -> None:
    assert player.problems == [], player.problems
    assert not player.pending
    assert window.rooms.current == scene.room
    bar = player.overlay
    assert bar.text.text() == scene.text.get(lang)
    assert bar.title.text() == (scene.title.get(lang) if scene.title else "")
    figure = bar.figure
    if scene.figure is None:
        assert figure is None
    else:
        assert figure is not None and type(figure).__name__ == FIGURES[scene.figure][1]
    if scene.room != "transformer":
        page: Any = window.rooms.pages[scene.room]
        playing = bool(scene.lab.get("play"))
        if scene.step is not None and not playing:  # a frame of play replaces the trace
            check_step(page.lab, scene.step)
        assert getattr(page, "training", False) == playing
        return
    s = window.session
    assert s is not None and s.error == ""
    for field in ("pair", "source", "mode", "target"):
        if getattr(scene, field) is not None:
            assert getattr(s, field) == getattr(scene, field), field
    if scene.model is not None:  # the shipped model the scene names is the one running
        from core.config import ModelConfig
        from core.session import MODELS

        shipped = json.loads((MODELS / scene.model / "config.json").read_text("utf-8"))
        assert s.bundle.cfg == ModelConfig.from_dict(shipped["model"]), scene.model
    if scene.step is not None:
        check_step(s, scene.step)
    if scene.select is not None:
        sel = scene.select
        assert (s.selection.row, s.selection.col) == (sel.row, sel.col)
        if sel.head is not None:
            assert s.selection.head == sel.head
    if scene.panels is not None:
        assert shown_panels(window) == set(scene.panels)
    if scene.raise_ is not None:
        assert in_front(window, scene.raise_)


# -- what the narration claims, checked where it is said -------------------------------
def _att(window: SimulatorWindow, key: str) -> np.ndarray:
    s = window.session
    assert s is not None
    return np.asarray(s.trace.value(key))[0]  # (head, query, key)


def _pct(x: float) -> int:
    return round(100 * float(x))


def _ch0(player: ChapterPlayer, i: int) -> None:
    window = player.ctx
    lab: Any = window.rooms.pages["neuron"].lab if i < 7 else None
    if i == 5:
        assert (round(lab.trace.meta["loss"], 2), round(lab.trace.meta["loss_after"], 2)) == (
            5.40,
            0.26,
        )
    if i == 6:
        assert lab.history.losses[-1] < lab.history.losses[0]
        assert np.allclose(lab.weights, (2.0, 1.2, 1.5), atol=0.2)
    net: Any = window.rooms.pages["playground"].lab if i >= 7 else None
    if i == 7:  # the story's example: cat or dog, two features, 50 iterations, 2 × 4 neurons
        assert net.data.classes == ("cat", "dog") and net.iteration == 50
        assert net.data.features == ("ear pointiness", "snout length")
        assert net.config.layers == (4, 4)
    if i in (8, 9):  # the highlighted animal (the batch's first) is a cat, seen 80 % / 20 %
        probs = np.asarray(net.trace.value("out.probs"))[0]
        assert int(np.asarray(net.trace.value("target"))[0]) == 0  # cat
        assert [_pct(p) for p in probs] == [80, 20]
        frame = window.rooms.pages["playground"].frame
        if i == 8:  # what the room shows for it is that very number
            assert frame.focus_probs is not None and np.array_equal(frame.focus_probs, probs)
    if i == 9:
        p_cat = float(np.asarray(net.trace.value("out.probs"))[0, 0])
        assert (
            round(-math.log(p_cat), 2) == 0.22 and round(float(net.trace.value("loss")), 2) == 0.10
        )
        assert len(net.trace.meta["batch_index"]) == 10


def _ch1(player: ChapterPlayer, i: int) -> None:
    window = player.ctx
    from visualizer.lecture.token_split import EXAMPLES, split, trained_bpe

    s = window.session
    assert s is not None
    if i == 0:
        assert len(s.trace.meta["src_tokens"]) == 6 and s.trace.meta["src_tokens"][-1] == "<eos>"
    if i == 1:
        assert s.bundle.src_tok.size == 85 and s.bundle.src_tok.kind == "word"
    if i >= 2:
        a, b = (split(trained_bpe(), t) for t in EXAMPLES)
        assert a.pieces[0] != b.pieces[0]  # "cut at different places"
        assert all(sp.ids == trained_bpe().encode(sp.text).ids for sp in (a, b))
        word = split(s.bundle.src_tok, "9.11")
        assert "<unk>" in word.pieces  # "our model has no digits"
        figure: Any = player.overlay.figure  # it draws exactly these splits
        assert figure.rows == [("bpe", [a, b]), ("word", [word, split(s.bundle.src_tok, "9.9")])]


def _ch2(player: ChapterPlayer, i: int) -> None:
    window = player.ctx
    s = window.session
    assert s is not None
    if i == 1:
        scale = s.trace.value("src.embed_scaled") / s.trace.value("src.embed")
        assert np.allclose(scale, 8.0) and s.bundle.cfg.d_model == 64
    if i in (2, 3):  # the waves pass through the traced dots
        from visualizer.lecture.sinusoids import DIMS, wave

        figure: Any = player.overlay.figure
        pos = np.asarray(s.trace.value("src.pos"))[0]
        assert np.array_equal(figure.values, pos) and figure.tokens == s.trace.meta["src_tokens"]
        at = np.arange(len(pos), dtype=np.float64)
        for dim in DIMS:
            assert np.allclose(wave(at, dim, 64), pos[:, dim], atol=1e-5)


def _ch3(player: ChapterPlayer, i: int) -> None:
    window = player.ctx
    if i == 3:
        row = _att(window, "enc.0.self_attn.weights")[0, 1]  # head 0, "flies"
        assert int(np.argmax(row)) == 1  # "mostly to itself"


def _ch4(player: ChapterPlayer, i: int) -> None:
    window = player.ctx
    s = window.session
    assert s is not None
    if i in (0, 1):
        assert s.translation is not None and s.translation.text == "Vous aimez ce cours"
        w = _att(window, "t1/dec.1.cross_attn.weights")[:, 1]  # query "Vous" -> "aimez"
        assert w[0, 0] > 0.95 and int(np.argmax(w[1])) == 1  # head 0 "you", head 1 "like"
    if i == 2:
        assert s.translation is not None and s.translation.text == "Nous aimons ce livre"
        assert _pct(_att(window, "t1/dec.1.cross_attn.weights")[0, 1, 0]) == 85
    if i == 3:
        assert s.translation is not None and s.translation.text == "Die Zeit fliegt wie ein Pfeil"
        assert _pct(_att(window, "enc.0.self_attn.weights")[3, 1, 0]) == 5
    if i == 4:
        assert s.translation is not None
        assert s.translation.text == "Fruchtfliegen mögen eine Banane"
        w = _att(window, "enc.0.self_attn.weights")[3, 1]  # head 3, "flies"
        assert _pct(w[0]) == 41 and int(np.argmax(w)) == 0  # "more than to any other word"


def _ch6(player: ChapterPlayer, i: int) -> None:
    window = player.ctx
    s = window.session
    assert s is not None
    vocab = s.bundle.tgt_tok
    if i == 2:
        w = _att(window, "t3/dec.1.cross_attn.weights")[:, -1]
        src = s.trace.meta["src_tokens"]
        assert {src[int(np.argmax(h))] for h in w} == {"like", "an"}
    if i == 3:
        probs = np.asarray(s.trace.value("t3/next.probs"))[0]
        assert vocab.size == 109 and vocab.token(int(np.argmax(probs))) == "wie"
        assert round(100 * float(probs.max()), 2) == 99.98
    if i == 5:
        assert vocab.token(int(np.asarray(s.trace.value("t6/next.token"))[0])) == "<eos>"


def _ch7(player: ChapterPlayer, i: int) -> None:
    window = player.ctx
    s = window.session
    assert s is not None
    per = np.asarray(s.trace.value("loss.per_token"))[0]
    if i == 1:
        assert np.all(np.exp(-per) > 0.99)
    if i >= 2:
        p = math.exp(-float(per[5]))
        assert round(100 * p, 3) == 0.001 and round(p, 6) == 0.000014 and round(per[5]) == 11
        assert len(per) == 7 and round(s.trace.meta["loss"], 2) == 1.60


def _ch8(player: ChapterPlayer, i: int) -> None:
    window = player.ctx
    s = window.session
    assert s is not None
    if i == 1:
        d = np.asarray(s.trace.value("d/logits"))[0, 5]
        ids = s.bundle.tgt_tok
        assert d[ids.vocab.index("Vogel")] < 0 < d[ids.vocab.index("Pfeil")]  # type: ignore[attr-defined]
    if i == 4:
        assert round(s.trace.meta["grad_norm"], 1) == 6.1 and s.trace.meta["clip"] == 1.0


def _ch9(player: ChapterPlayer, i: int) -> None:
    window = player.ctx
    s = window.session
    assert s is not None
    m = s.trace.meta
    if i in (0, 1):
        step = s.trace.first("head.weight@after")
        grad, upd = (np.asarray(s.trace.value(step.tensors[r])) for r in ("grad", "update"))
        moved = grad != 0
        assert np.all(np.sign(upd[moved]) == -np.sign(grad[moved]))
        near = np.isclose(np.abs(upd[moved]), 1e-4, rtol=0.05)
        assert m["lr"] == 0.0001 and near.mean() > 0.9  # "most weights by nearly that much"
        updates = [x for x in s.trace.steps if x.phase == "update"]
        top = max(float(np.abs(s.trace.value(x.tensors["update"])).max()) for x in updates)
        assert top <= 1.001e-4  # "by at most the learning rate"
    if i == 2:
        assert (round(m["loss"], 2), round(m["loss_after"], 2)) == (1.60, 1.49)


def _pct1(x: float) -> float:
    return round(100 * float(x), 1)


def _next_word(s: Any, t: int) -> str:
    return str(s.bundle.tgt_tok.token(int(np.asarray(s.trace.value(f"t{t}/next.token"))[0])))


def _ch11(player: ChapterPlayer, i: int) -> None:
    window = player.ctx
    s = window.session
    assert s is not None
    arch = s.bundle.cfg.arch
    if i == 0:
        assert arch == "encoder-decoder" and s.translation is not None
        assert s.translation.text == "Die Zeit fliegt wie ein Pfeil" and _next_word(s, 5) == "Pfeil"
        w = _att(window, "t5/dec.1.cross_attn.weights")[1, 5]  # head 1, the newest row
        assert s.trace.meta["src_tokens"][4] == "arrow" and _pct1(w[4]) == 99.8
    if i == 1:
        prompt = ["time", "flies", "like", "an", "arrow", "="]
        assert arch == "decoder-only" and s.trace.meta["src_tokens"] == prompt
        assert _next_word(s, 5) == "Pfeil" and not s.trace.find("enc.*")  # no encoder
        w = _att(window, "t5/dec.1.self_attn.weights")[0]  # head 0: (query, key)
        assert w.shape[0] == 11 and _pct1(w[10, 4]) == 99.6
    if i == 2:
        assert arch == "encoder-only" and s.trace.meta["src_tokens"][:2] == ["[CLS]", "time"]
        assert not s.trace.find("enc.*.self_attn.masked")  # "no mask"
        assert _pct(_att(window, "enc.1.self_attn.weights")[2, 0, 1]) == 81
    if i in (3, 5):
        assert s.classification is not None and s.bundle.cfg.d_model == 32
        assert np.asarray(s.trace.value("cls.vector")).shape == (1, 32)
        ranked = [(label, _pct1(p)) for label, p in s.classification.ranked]
        assert ranked == [("thing", 99.6), ("animal", 0.2), ("person", 0.2)]
    if i == 4:
        assert s.classification is not None and s.source == "cat"
        image, patches = (np.asarray(s.trace.value(k)) for k in ("src.image", "src.patches"))
        side = image.shape[-1] // math.isqrt(patches.shape[1])
        assert patches.shape[1] == 16 and side == 4 and side * side == patches.shape[2]
        label, p = s.classification.ranked[0]
        assert (label, _pct1(p)) == ("cat", 99.1)


def _moe_parameters(model: Any, layers: int, experts: int, top_k: int) -> tuple[int, int, int]:
    """All parameters, those of the experts, and those one token uses."""
    sizes = {n: p.numel() for n, p in model.named_parameters()}
    total, in_experts = sum(sizes.values()), sum(v for n, v in sizes.items() if ".experts." in n)
    one = sum(v for n, v in sizes.items() if ".experts.0." in n) // layers
    assert in_experts == layers * experts * one
    return total, in_experts, total - layers * (experts - top_k) * one


def _ch12(player: ChapterPlayer, i: int) -> None:
    window = player.ctx
    s = window.session
    assert s is not None
    cfg = s.bundle.cfg
    assert cfg.ffn == "moe" and (cfg.n_experts, cfg.top_k, cfg.n_dec_layers) == (4, 1, 2)
    aux = [float(s.trace.value(f"{'t6/' if i != 3 else ''}dec.{n}.moe.aux_loss")) for n in (0, 1)]
    if i in (0, 1):
        probs = np.asarray(s.trace.value("t6/dec.0.moe.router.probs"))[0]
        tokens = [s.bundle.tgt_tok.token(int(x)) for x in s.trace.value("t6/tgt.tokens")[0]]
        assert tokens[7] == "Zeit" and int(np.argmax(probs[7])) == 0
        assert round(float(probs[7, 0]), 2) == 0.52
        chosen = np.asarray(s.trace.value("t6/dec.0.moe.topk.experts"))[0, :, 0]
        assert np.array_equal(chosen, probs.argmax(-1))  # top-1 is the argmax
        assert np.bincount(chosen, minlength=4).tolist() == [8, 2, 0, 2]
    if i == 2:
        probs = np.asarray(s.trace.value("t6/dec.0.moe.router.probs"), dtype=np.float64)[0]
        f = np.bincount(probs.argmax(-1), minlength=4) / len(probs)
        assert math.isclose(aux[0], 4 * float(np.sum(f * probs.mean(0))), rel_tol=1e-4)
        assert [round(a, 2) for a in aux] == [1.58, 1.12]
    if i == 3:
        task, loss = float(s.trace.value("loss.task")), float(s.trace.value("loss"))
        part = cfg.aux_loss_weight * sum(aux)
        assert cfg.aux_loss_weight == 0.01 and math.isclose(loss, task + part, rel_tol=1e-5)
        assert (round(task, 2), round(part, 2), round(loss, 2)) == (0.27, 0.03, 0.30)
    if i == 4:
        total, in_experts, active = _moe_parameters(s.bundle.model, 2, 4, 1)
        assert (total, in_experts, in_experts // 8, active) == (191_422, 132_608, 16_576, 91_966)
        assert round(100 * active / total) == 48


@functools.cache
def _shipped() -> Any:
    """The shipped stages run, loaded apart from the room: what its numbers must be."""
    from core import assets

    return Pipeline.resume(assets.path("stages"))


def _stages_room(player: ChapterPlayer, page: str) -> tuple[Any, dict[Any, list[Any]]]:
    """The stages room, checked to show ``page``, and its table checked against the
    comparison computed here from the shipped models (rows per stage, by question)."""
    from core.stages.pipeline import comparison
    from visualizer.rooms.stages.stages_room import PAGES

    room: Any = player.ctx.rooms.pages["stages"]
    assert room.tabs.currentIndex() == PAGES.index(page)
    p = _shipped()
    table = comparison({n: st.model for n, st in p.states.items()}, p.tok)
    assert room.table == table
    return room, table


def _acc(rows: list[Any]) -> int:
    return _pct(sum(r.correct for r in rows) / len(rows))


def _group(room: Any, question: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    """One group of the traced GRPO update: its answers, rewards, and advantages as the
    trace holds them, after checking them against a hand computation (reward minus the
    group mean, over the group's standard deviation, unbiased, kept off 0 by STD_EPS)."""
    trace, m = room.lab.trace, room.lab.trace.meta
    g = m["questions"].index(question)
    n = m["group"]
    rewards = np.asarray(trace.value("grpo.rewards"), dtype=np.float64)[g]
    adv = np.asarray(trace.value("grpo.advantages"), dtype=np.float64)[g]
    hand = (rewards - rewards.mean()) / (rewards.std(ddof=1) + STD_EPS)  # STD_EPS: 1e-4
    assert np.allclose(adv, hand, atol=1e-4) and abs(adv.sum()) < 1e-4
    return list(m["answers"][g * n : (g + 1) * n]), rewards, adv


def _ch13(player: ChapterPlayer, i: int) -> None:
    page = ("pretrain", "sft", "sft", "grpo", "trace", "trace", "compare")[i]
    room, table = _stages_room(player, page)
    s = room.pipeline.settings
    pre, sft, rl = (table[n] for n in ("pretrain", "sft", "grpo"))
    if i == 0:
        assert (s.corpus_lines, s.pretrain_steps, len(room.pipeline.corpus.lines)) == (
            3000,
            1000,
            3000,
        )
        assert pre[0].question.endswith("9.11 or 9.9? →") and pre[0].answer == "9.11"
        assert (_pct(pre[0].p_wrong), _pct(pre[0].p_right)) == (68, 12)
        assert room.answer.picked == "pretrain"
    if i == 1:
        assert (len(room.pipeline.sft_examples), s.sft_steps) == (40, 60)
        assert (_acc(pre), _acc(sft)) == (30, 70)
        assert sft[0].answer == "9.9" and _pct1(sft[0].p_right) == 99.4
        assert room.answer.picked == "sft"
    if i == 2:
        last = room.pipeline.states["sft"].evals[-1]
        assert last == _shipped().states["sft"].evals[-1]
        assert (round(last.train_loss, 3), round(last.held_out_loss, 3)) == (0.007, 0.273)
        assert round(last.held_out_loss / last.train_loss) == 38
        assert "38×" in room.overfit.text()
    if i == 3:
        g = s.grpo
        assert (g.group, g.format_weight, s.grpo_steps, _acc(rl)) == (8, 0.2, 150, 80)
        assert room.answer.picked == "grpo"
    if i == 4:
        answers, rewards, adv = _group(room, "which is bigger: 6.26 or 6.21? →")
        assert sorted(answers) == ["6.21"] + ["6.26"] * 7
        assert [round(float(r), 2) for r in rewards] == [
            0.2 if a == "6.21" else 1.2 for a in answers
        ]
        rounded = {a: round(float(x), 2) for a, x in zip(answers, adv, strict=True)}
        assert rounded == {"6.26": 0.35, "6.21": -2.47}
    if i == 5:
        trace, m = room.lab.trace, room.lab.trace.meta
        kl = np.asarray(trace.value("grpo.kl"), dtype=np.float64)
        r = np.asarray(trace.value("grpo.log_ratio_ref"), dtype=np.float64)
        mask = np.asarray(trace.value("grpo.mask"), dtype=np.float64)
        assert np.allclose(kl, np.exp(r) - r - 1, atol=1e-5)  # the unbiased k3 estimator
        assert math.isclose(float((kl * mask).sum() / mask.sum()), m["kl"], rel_tol=1e-4)
        assert (m["beta"], round(m["kl"], 3)) == (0.04, 0.045)
    if i == 6:
        assert (_acc(pre), _acc(sft), _acc(rl)) == (30, 70, 80)
        assert room.compare.columnCount() == 5  # question, right answer, three stages


def _ch14(player: ChapterPlayer, i: int) -> None:
    page = ("pretrain", "pretrain", "compare", "compare", "trace")[i]
    room, table = _stages_room(player, page)
    tok = room.pipeline.tok
    if i == 0:
        a, b = tok.split("9.11"), tok.split("9.9")
        assert (a.tokens, a.ids) == (("9", ".", "11"), (15, 108, 17))
        assert (b.tokens, b.ids) == (("9", ".", "9"), (15, 108, 15))
    if i == 1:
        c = room.answers["pretrain"].choice  # after "9." of the answer
        assert (c.wrong_token, c.right_token) == ("11", "9")
        assert (_pct(c.p_wrong), _pct(c.p_right)) == (68, 12)
        assert room.answer.picked == "pretrain"
    if i == 2:
        sft = table["sft"]
        assert len(room.pipeline.sft_examples) == 40 and _pct1(sft[0].p_right) == 99.4
        assert sft[0].p_wrong < 0.001 and sum(not r.correct for r in sft) == 3 and len(sft) == 10
        assert room.answer.picked == "sft"
    if i == 3:
        rl = table["grpo"]
        assert _pct1(rl[0].p_right) == 99.8 and sum(r.correct for r in rl) == 8
        assert room.answer.picked == "grpo"
    if i == 4:
        answers, rewards, adv = _group(room, "which is bigger: 3.11 or 2.1? →")
        assert answers == ["2.11"] * 8 and not rewards.any() and not adv.any()


CLAIMS: dict[str, Callable[[ChapterPlayer, int], None]] = {
    "neuron": _ch0,
    "tokens": _ch1,
    "embeddings": _ch2,
    "attention": _ch3,
    "why-attention": _ch4,
    "decoder": _ch6,
    "loss": _ch7,
    "backprop": _ch8,
    "gradient-descent": _ch9,
    "family": _ch11,
    "mixture-of-experts": _ch12,
    "llm-stages": _ch13,
    "nine-eleven": _ch14,
}


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c.id)
def test_a_chapter_plays_from_start_to_end(
    window: SimulatorWindow, player: ChapterPlayer, chapter: Chapter, lang: str
) -> None:
    s = window.session
    assert s is not None
    s.lang = lang
    before = shown_panels(window)
    player.start(chapter.id)
    assert player.active and player.overlay.isVisible()
    training: Any = window.views["training"]
    for i in range(len(chapter)):
        if i:
            assert player.next()
        QCoreApplication.processEvents()
        assert player.scene_index == i
        scene = chapter.resolved(i)
        check_scene(window, player, scene, lang)
        if scene.train is not None:
            assert training.proc is not None  # started, not waited for
        if lang == "en" and chapter.id in CLAIMS:
            CLAIMS[chapter.id](player, i)
    assert not player.next() and player.scene_index == len(chapter) - 1
    if len(chapter) > 1:
        assert player.previous() and player.scene_index == len(chapter) - 2
        check_scene(window, player, chapter.resolved(len(chapter) - 2), lang)
    if training.proc is not None:
        training.cancel()
        training.shutdown()
    player.stop()
    assert not player.active and not player.overlay.isVisible()
    assert window.rooms.current == "transformer" and shown_panels(window) == before
    s.lang = "en"


def test_chapters_can_name_every_dock_of_the_window(window: SimulatorWindow) -> None:
    from core.chapter_rules import PANELS

    assert set(window.docks) <= set(PANELS)


def test_the_narration_follows_a_language_switch(
    window: SimulatorWindow, player: ChapterPlayer
) -> None:
    s = window.session
    assert s is not None
    player.start("attention", scene=2)
    scene = CHAPTERS[3].resolved(2)
    s.lang = "zh"
    assert player.overlay.text.text() == scene.text.zh
    assert player.overlay.counter.text().startswith("第 3 / 5 幕")
    assert player.overlay.chapter.full_text().startswith("第 3 章")  # shown elided when narrow
    s.lang = "en"
    assert player.overlay.text.text() == scene.text.en
    player.stop()


def test_a_step_the_trace_lacks_is_reported_not_raised(
    window: SimulatorWindow, player: ChapterPlayer
) -> None:
    from dataclasses import replace

    chapter = CHAPTERS[3]
    broken = replace(
        chapter, scenes=(replace(chapter.scenes[0], step="enc.9.nothing"), *chapter.scenes[1:])
    )
    player.start(broken)
    assert player.problems == ["no step matches 'enc.9.nothing'"]
    assert "enc.9.nothing" in player.overlay.note.text()
    assert player.next() and player.problems == []
    player.stop()


def test_a_lab_scene_shows_its_step_after_training_went_on_or_entered_there(
    window: SimulatorWindow, player: ChapterPlayer
) -> None:
    """Chapter 0's "d/l1.weight" scene shows the gradient of the iteration the scene
    before it traced. Back from the scene that plays (whose training replaced that trace:
    under load a frame of it ran before "back"), or entered at that scene, the lab had no
    trace and the scene silently showed none; its earlier scenes' settings are replayed."""
    chapter = next(c for c in CHAPTERS if c.id == "neuron")
    at = next(i for i, sc in enumerate(chapter.scenes) if sc.step == "d/l1.weight")
    try:
        player.start(chapter.id, at)  # entered here
        page: Any = window.rooms.pages["playground"]
        check_step(page.lab, "d/l1.weight")
        assert player.problems == [] and not page.training
        assert player.next() and page.training  # the scene that plays
        page.tick()  # a frame of training: the traced iteration is gone
        assert len(page.lab) == 0
        assert player.previous()
        check_step(page.lab, "d/l1.weight")
        assert player.problems == [] and not page.training
    finally:
        player.stop()


def test_in_the_app_the_model_runs_in_a_worker_and_scenes_wait_for_it(
    qapp: QApplication, qtbot: QtBot
) -> None:
    """The app runs the model in a worker thread: a scene applies its sentence after its
    model is loaded and its cursor after its sentence ran, and a scene skipped past
    before its run finished leaves nothing behind."""
    s = Session.open_builtin("en-de")
    w = SimulatorWindow(s, SessionBridge(s, threaded=True), persist=False)
    qtbot.addWidget(w)
    w.show()
    player = ChapterPlayer(w)
    chapter = CHAPTERS[4]  # why-attention: en-fr, then back to en-de
    player.start(chapter.id)
    assert player.pending  # the French model is loading in the worker
    qtbot.waitUntil(lambda: not player.pending, timeout=30_000)
    check_scene(w, player, chapter.resolved(0), "en")
    assert s.translation is not None and s.translation.text == "Vous aimez ce cours"
    player.next()
    player.next()  # past scene 1 before anything could run
    player.next()  # and past scene 2 ("We like this book") while it runs
    qtbot.waitUntil(lambda: not player.pending, timeout=30_000)
    w.bridge.wait_idle()
    assert player.scene_index == 3
    check_scene(w, player, chapter.resolved(3), "en")
    assert s.pair == "en-de" and s.translation is not None
    assert s.translation.text == "Die Zeit fliegt wie ein Pfeil"
    player.stop()
