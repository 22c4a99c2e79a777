"""The classification view draws what the classifier's trace holds: one bar per label
(``cls.probs``), the [CLS] vector, row 0 of every layer's and head's self-attention
weights (over the tokens, or laid on the picture's 4×4 patch grid), the target and loss
of a training step, EN and ZH label names, and one line for a model that is no
classifier. The decoding view and the input bar behave for classifiers too."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from core.session import MODELS, Session
from visualizer.bridge import SessionBridge
from visualizer.panels.classify.classify_text import STRINGS
from visualizer.panels.classify.classify_view import ClassifyView
from visualizer.panels.decoding.decoding_view import DecodingView
from visualizer.panels.input.input_bar import InputBar
from visualizer.widgets.numbers import percent, significant

NAMES = {
    "bert-who": {"en": ["person", "animal", "thing"], "zh": ["人", "动物", "物"]},
    "vit-pets": {"en": ["cat", "dog"], "zh": ["猫", "狗"]},
}


@pytest.fixture(scope="module")
def classifiers(builtin_session: Session) -> dict[str, Session]:
    """A session per shipped classifier (translate mode, English), for this module."""
    out = {}
    for name in NAMES:
        s = Session(builtin_session.bundle, "en-de", "Time flies like an arrow")
        s.open_model(MODELS / name)
        assert s.error == "" and s.classification is not None, s.error
        out[name] = s
    return out


@pytest.fixture(params=list(NAMES))
def model(request: pytest.FixtureRequest, classifiers: dict[str, Session]) -> Iterator[str]:
    s = classifiers[request.param]
    s.mode, s.lang = "translate", "en"
    s.seek(0)
    yield request.param
    s.mode, s.lang = "translate", "en"


def make_view(qtbot: QtBot, s: Session) -> ClassifyView:
    v = ClassifyView(s, SessionBridge(s))
    qtbot.addWidget(v)
    v.resize(620, 900)
    v.show()
    qtbot.waitExposed(v)
    return v


def cls_rows(s: Session) -> np.ndarray:
    """(layers, heads, positions): row 0 of each layer's traced attention weights, checked
    against the softmax of the traced scaled scores of that row (an independent sum)."""
    rows = []
    for layer in range(s.bundle.cfg.n_enc_layers):
        w = s.trace.value(f"enc.{layer}.self_attn.weights")[0, :, 0, :]
        scaled = s.trace.value(f"enc.{layer}.self_attn.scaled")[0, :, 0, :].astype(np.float64)
        e = np.exp(scaled - scaled.max(axis=-1, keepdims=True))
        assert np.allclose(w, e / e.sum(axis=-1, keepdims=True), atol=1e-5)
        rows.append(w)
    return np.stack(rows)


def test_bars_are_the_traced_probabilities(
    qtbot: QtBot, classifiers: dict[str, Session], model: str
) -> None:
    s = classifiers[model]
    v = make_view(qtbot, s)
    probs = s.trace.value("cls.probs")[0]
    logits = s.trace.value("cls.logits")[0].astype(np.float64)
    e = np.exp(logits - logits.max())
    assert np.allclose(probs, e / e.sum(), atol=1e-6)  # the softmax of the head's logits
    order = np.argsort(-probs, kind="stable")
    names = NAMES[model]["en"]
    assert [b.label for b in v.bars.bars] == [names[i] for i in order]
    assert [b.prob for b in v.bars.bars] == [float(probs[i]) for i in order]
    assert [b.chosen for b in v.bars.bars] == [True] + [False] * (len(names) - 1)
    assert s.classification is not None
    assert s.classification.ranked == [(names[i], pytest.approx(float(probs[i]))) for i in order]
    assert names[order[0]] in v.answer.text()
    assert np.array_equal(v.vector.values[0], s.trace.value("cls.vector")[0])
    assert not v.train_line.isVisible()


def test_cls_attention_is_row_0_of_every_layer_and_head(
    qtbot: QtBot, classifiers: dict[str, Session]
) -> None:
    s = classifiers["bert-who"]
    s.lang = "en"
    v = make_view(qtbot, s)
    rows = cls_rows(s)
    layers, heads, n = rows.shape
    assert np.array_equal(v.attn.values, rows.reshape(layers * heads, n))
    assert v.attn.cols == ["[CLS]", "time", "flies", "like", "an", "arrow"]
    assert v.attn.rows[heads + 2] == "L1 h2"
    # the cursor inside layer 1 with head 2 selected picks that row
    s.seek_name("enc.1.self_attn.weights")
    s.selection = s.selection.__class__(head=2, row=0, col=None)
    assert (v.layer, v.head) == (1, 2)
    best = int(np.argmax(rows[1, 2, 1:])) + 1
    assert v.attn.cols[best] in v.focus.text() and "head 2" in v.focus.text()
    v.attn.sigCellClicked.emit(heads * 0 + 3, 1)  # a click on row "L0 h3"
    assert (v.layer, v.head) == (0, 3)
    assert v.attn.band.isVisible() and v.attn.band.rect().y() == 3
    fresh = make_view(qtbot, s)  # a view made at the cursor starts at its layer and head
    assert (fresh.layer, fresh.head) == (1, 2) and "Layer 1, head 2" in fresh.focus.text()
    s.seek(0)


def test_patch_overlay_is_the_attention_on_the_4x4_grid(
    qtbot: QtBot, classifiers: dict[str, Session]
) -> None:
    s = classifiers["vit-pets"]
    s.lang = "en"
    v = make_view(qtbot, s)
    rows = cls_rows(s)
    image = s.trace.value("src.image")[0]  # (C, 16, 16)
    patches = s.trace.value("src.patches")[0]  # (16, C*4*4)
    assert v.picture.grid == (4, 4) and v.picture.image is not None
    assert np.array_equal(v.picture.image, image)
    for r in range(4):  # patch p = r * 4 + c is the picture's cell (r, c): the raster order
        for c in range(4):
            cell = image[:, 4 * r : 4 * r + 4, 4 * c : 4 * c + 4].reshape(-1)
            assert np.array_equal(patches[r * 4 + c], cell)
    for layer in range(2):
        for head in range(4):
            v.pick(layer, head)
            shown = v.overlay.attention
            assert shown is not None and shown.shape == (4, 4)
            for r in range(4):
                for c in range(4):
                    assert shown[r, c] == rows[layer, head, 1 + r * 4 + c]
            small = v.small[layer][head]
            assert small.attention is not None
            assert np.array_equal(small.attention, shown)
            assert small.selected and sum(w.selected for row in v.small for w in row) == 1
            assert f"layer {layer}, head {head}" in v.overlay.caption
    v.small[1][3].sigClicked.emit()
    assert (v.layer, v.head) == (1, 3)
    best = int(np.argmax(rows[1, 3, 1:]))
    assert f"patch ▦{best + 1}" in v.focus.text()  # patch p is ▦(p + 1)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_labels_in_english_and_chinese(
    qtbot: QtBot, classifiers: dict[str, Session], model: str, lang: str
) -> None:
    s = classifiers[model]
    v = make_view(qtbot, s)
    s.lang = lang
    probs = s.trace.value("cls.probs")[0]
    order = np.argsort(-probs, kind="stable")
    names = NAMES[model][lang]
    assert [b.label for b in v.bars.bars] == [names[i] for i in order]
    assert names[order[0]] in v.answer.text()
    assert v.title.text() == STRINGS["title"][lang]
    if lang == "zh":
        assert "分类头" in v.title.text() and "模型的回答" in v.answer.text()


def test_strings_have_both_languages() -> None:
    for key, text in STRINGS.items():
        assert set(text) == {"en", "zh"} and all(text.values()), key


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_translator_gets_one_line(qtbot: QtBot, session: Session, lang: str) -> None:
    session.lang = lang
    v = make_view(qtbot, session)
    assert v.data is None and v.stack.currentIndex() == 0
    assert v.hint.text() == STRINGS["hint"][lang]
    assert ("classifiers" if lang == "en" else "分类器") in v.hint.text()
    session.lang = "en"


def test_train_mode_shows_target_and_loss(
    qtbot: QtBot, classifiers: dict[str, Session], model: str
) -> None:
    s = classifiers[model]
    s.mode = "train"
    v = make_view(qtbot, s)
    tr = s.trace
    assert tr.meta["kind"] == "train_step"
    target = int(tr.value("cls.target")[0])
    probs = tr.value(tr.first("cls.probs", "forward").key)[0]
    loss = float(tr.value(tr.first("loss", "loss").key))
    assert loss == pytest.approx(-np.log(float(probs[target])), rel=1e-4)  # −log p(target)
    d = v.data
    assert d is not None and d.target == target and d.loss == loss
    assert d.loss_after == tr.meta["loss_after"]
    assert v.train_line.isVisible()
    text = v.train_line.text()
    names = NAMES[model]["en"]
    assert names[target] in text and significant(loss) in text
    assert significant(float(tr.meta["loss_after"])) in text
    chosen = [b for b in v.bars.bars if b.chosen]
    assert len(chosen) == 1 and chosen[0].label == f"{names[target]} (target)"
    assert chosen[0].prob == float(probs[target])
    s.lang = "zh"
    assert "目标标签" in v.train_line.text() and "损失" in v.train_line.text()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_decoding_view_says_a_classifier_decodes_nothing(
    qtbot: QtBot, classifiers: dict[str, Session], model: str, lang: str
) -> None:
    s = classifiers[model]
    s.lang = lang
    v = DecodingView(s, SessionBridge(s))
    qtbot.addWidget(v)
    v.show()
    assert v.stack.currentIndex() == 0
    assert ("classifier" if lang == "en" else "分类器") in v.stack.hint.text()
    for i in range(len(s.trace.steps)):
        s.seek(i)


def test_input_bar_offers_the_lecture_pictures(
    qtbot: QtBot, classifiers: dict[str, Session]
) -> None:
    s = classifiers["vit-pets"]
    bar = InputBar(s, SessionBridge(s))
    qtbot.addWidget(bar)
    items = [bar.examples.itemText(i) for i in range(1, bar.examples.count())]
    assert items == ["cat", "dog", "small cat", "big dog"]
    assert bar.run_button.text() == "Classify"
    assert bar.train_row.mode.itemText(0) == "Classify"
    assert "[CLS]" in bar.chips.text() and "16 patches" in bar.chips.text()
    bar.examples.activated.emit(2)  # "dog"
    assert s.source == "dog" and s.classification is not None
    assert s.classification.label == "dog"  # the model gets the lecture dog right
    label, p = s.classification.ranked[0]
    assert bar.answer.isVisibleTo(bar) and f"{label} {percent(p)}" in bar.answer.text()
    s.lang = "zh"
    items = [bar.examples.itemText(i) for i in range(1, bar.examples.count())]
    assert items == ["猫", "狗", "小猫", "大狗"] and bar.run_button.text() == "分类"
    assert "狗" in bar.answer.text()
    bar.examples.activated.emit(3)  # "小猫": the run reads the English name
    assert s.source == "small cat" and s.classification.label == "cat"
    s.source, s.lang = "cat", "en"


def test_input_bar_reads_a_sentence_with_cls_first(
    qtbot: QtBot, classifiers: dict[str, Session]
) -> None:
    s = classifiers["bert-who"]
    bar = InputBar(s, SessionBridge(s))
    qtbot.addWidget(bar)
    chips = bar.chips.text()
    assert chips.index("[CLS]") < chips.index("time") < chips.index("arrow")
    assert bar.run_button.text() == "Classify" and bar.answer.isVisibleTo(bar)
    assert "thing" in bar.answer.text() and "%" in bar.answer.text()
