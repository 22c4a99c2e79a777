"""A session opens every shape of the family and runs it like the translator: the
decoder-only and MoE translators, the sentence and picture classifiers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from core import checkpoint
from core.classify_run import PICTURE_NAMES, known_label, picture
from core.classify_task import LABELS, lecture_sentences
from core.interventions import Intervention
from core.pictures import lecture_pictures
from core.session import MODELS, Session

SENTENCE = "Time flies like an arrow"


@pytest.fixture(scope="module")
def session() -> Session:
    return Session.open_builtin("en-de")


@pytest.mark.parametrize("name", ["gpt-de", "moe-de"])
def test_a_decoder_only_model_translates_in_a_session(session: Session, name: str) -> None:
    session.open_model(MODELS / name, SENTENCE)
    assert session.bundle.cfg.arch == "decoder-only" and not session.error
    want = checkpoint.load(MODELS / name).translate(SENTENCE).text
    assert session.translation is not None and session.translation.text == want
    assert want == "Die Zeit fliegt wie ein Pfeil" and session.classification is None
    names = {s.name for s in session.trace.steps}
    assert not any(n.startswith("enc.") or ".cross_attn." in n for n in names)
    session.mode = "train"
    assert session.trace.first("loss").phase == "loss" and not session.error
    session.mode = "translate"


def test_a_sentence_classifier_classifies_in_a_session(session: Session) -> None:
    session.open_model(MODELS / "bert-who", SENTENCE)
    bundle = checkpoint.load(MODELS / "bert-who")
    for s in lecture_sentences()[:3]:
        session.source = s.text
        assert session.translation is None and not session.error
        c = session.classification
        assert c is not None and c.label == LABELS[s.label]
        want = bundle.classify(s.text)
        assert [lab for lab, _ in c.ranked] == [lab for lab, _ in want.ranked]
        assert np.allclose([p for _, p in c.ranked], [p for _, p in want.ranked], atol=1e-6)
        probs = session.trace.value("cls.probs")[0]
        assert np.isclose(float(probs.max()), c.prob, atol=1e-6)
    assert (
        known_label(session.bundle, lecture_sentences()[0].text)
        == LABELS[lecture_sentences()[0].label]
    )


def test_a_classifier_training_step_learns_the_right_label(session: Session) -> None:
    session.open_model(MODELS / "bert-who", SENTENCE)
    session.mode = "train"
    assert session.trace.meta["target"] == known_label(session.bundle, SENTENCE) == "thing"
    before = float(session.trace.meta["loss"])
    session.target = "person"  # a wrong label: a large loss
    assert session.trace.meta["target"] == "person"
    assert float(session.trace.meta["loss"]) > before
    session.target = "robot"
    assert "unknown label" in session.error and session.trace.meta["target"] == "person"
    session.update(mode="translate", target="", error="")


def test_an_intervention_on_a_classifier_keeps_the_clean_run(session: Session) -> None:
    session.open_model(MODELS / "bert-who", SENTENCE)
    clean = session.classification
    assert clean is not None
    session.add_intervention(Intervention("cls.vector", "zero"))
    assert not session.error and session.clean is not None
    assert (
        np.array_equal(session.clean.value("cls.probs"), session.trace.value("cls.probs")) is False
    )
    changed = session.classification
    assert changed is not None and changed.ranked != clean.ranked
    # zeroing the [CLS] vector leaves the head's bias: softmax(b) is what it answers
    head = session.bundle.model.state_dict()
    bias = next(v for k, v in head.items() if k.endswith("bias") and v.shape == (len(LABELS),))
    assert np.allclose(
        session.trace.value("cls.probs")[0], torch.softmax(bias, -1).numpy(), atol=1e-6
    )
    session.clear_interventions()


def test_a_picture_classifier_reads_the_lecture_pictures(session: Session) -> None:
    session.open_model(MODELS / "vit-pets", SENTENCE)
    assert session.source == "cat"  # a picture model cannot read a sentence
    pictures = lecture_pictures()
    for i, name in enumerate(PICTURE_NAMES):
        session.source = name
        c = session.classification
        assert c is not None and not session.error
        assert c.label == ("cat", "dog")[int(pictures.labels[i])]
        assert np.array_equal(session.trace.value("src.image")[0], pictures.images[i])
    session.source = "a unicorn"
    assert "no picture named 'a unicorn'" in session.error
    assert session.trace.meta["source"] == PICTURE_NAMES[-1]  # the last run stays on screen
    session.error = ""
    session.open_model(MODELS / "demo-de")
    assert session.translation is not None and session.source != "big dog"


def test_a_picture_file_is_read_too(session: Session, tmp_path: Path) -> None:
    session.open_model(MODELS / "vit-pets", SENTENCE)
    image = lecture_pictures().images[1]  # the dog
    np.save(tmp_path / "dog.npy", image[0])
    session.source = str(tmp_path / "dog.npy")
    assert not session.error and session.classification is not None
    assert session.classification.label == "dog"
    assert torch.equal(picture(session.bundle, "2"), torch.from_numpy(image))


def test_a_session_file_reopens_a_decoder_only_model(session: Session, tmp_path: Path) -> None:
    session.open_model(MODELS / "gpt-de", SENTENCE)
    session.seek(40)
    assert session.save_file(tmp_path / "gpt.tsim")
    other = Session.open_builtin("en-de")
    assert other.open_file(tmp_path / "gpt.tsim") is not None
    assert other.bundle.cfg.arch == "decoder-only" and other.cursor == 40
    assert (
        other.translation is not None and other.translation.text == "Die Zeit fliegt wie ein Pfeil"
    )
