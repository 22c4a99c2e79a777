"""A stages model opened like any model (``core.checkpoint.load``, the session) reads its
own prompt format: ``<bos>`` + the question's pieces + ``→``, answered until ``<eos>``,
so the Transformer room steps the same answer the stages room shows."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch

from core import assets, checkpoint
from core.corpus import Pair
from core.session import Session
from core.stages.evidence import choice, trace_answer
from core.stages.lm import prompt_ids
from core.stages.pipeline import PAIR, answers, load_stage
from core.stages.questions import THE_QUESTION
from core.stages.stage_bundle import EXAMPLE, StageBundle, stage_example
from core.tokenizer import EOS_ID

FOLDER = assets.path("stages") / "pretrain"


@pytest.fixture(scope="module")
def bundle() -> StageBundle:
    b = checkpoint.load(FOLDER)
    assert isinstance(b, StageBundle)
    return b


def test_the_loader_gives_a_stages_model_its_own_prompt(bundle: StageBundle) -> None:
    assert bundle.pair == PAIR and EXAMPLE.lower() + " →" == THE_QUESTION.prompt
    _, tok, _ = load_stage(FOLDER)
    ids, enc = bundle.encode_source(EXAMPLE)  # typed without the arrow: it is added
    assert ids[0].tolist() == prompt_ids(tok, THE_QUESTION)  # what every stage trained on
    assert enc.tokens[5:8] == ("9", ".", "11") and enc.tokens[-1] == "→" and not enc.unknown


def test_its_answer_is_the_stages_answer_with_the_same_probabilities(
    bundle: StageBundle,
) -> None:
    model, tok, _ = load_stage(FOLDER)
    row = answers(model, tok)[0]  # the stages room's comparison row
    result = bundle.translate(EXAMPLE)
    assert result.text == row.text == "9.11 is the newer version."
    assert result.tokens[:3] == ["9", ".", "11"]
    # at the answer's ".", the next-token choice is the evidence's P(11) and P(9)
    evidence = choice(trace_answer(model, tok, THE_QUESTION, row.answer), tok, THE_QUESTION)
    at_dot = result.generation.choices[2]
    probs = dict(at_dot.candidates)
    assert math.isclose(probs[tok.id("11")], evidence.p_wrong, rel_tol=1e-5)
    assert math.isclose(probs[tok.id("9")], evidence.p_right, rel_tol=1e-5)


def test_a_training_step_grades_the_answer_only(bundle: StageBundle) -> None:
    ex = bundle.prompt_example(EXAMPLE, "9.9")
    prompt = bundle.encode_source(EXAMPLE)[0][0].tolist()
    assert list(ex.ids) == [*prompt, *bundle.words.encode("9.9").ids, EOS_ID]
    assert ex.loss_mask == (False,) * len(prompt) + (True,) * 4  # 9 . 9 <eos>
    assert bundle.prompt_tok.example(Pair(EXAMPLE, "9.9")) == ex


def test_saving_it_writes_the_same_vocabulary(bundle: StageBundle, tmp_path: Path) -> None:
    out = checkpoint.save(tmp_path / "again", bundle)
    assert (out / "vocab.json").read_bytes() == (FOLDER / "vocab.json").read_bytes()
    again = checkpoint.load(out)
    assert isinstance(again, StageBundle)
    for x, y in zip(again.model.parameters(), bundle.model.parameters(), strict=True):
        assert torch.equal(x, y)


def test_the_session_opens_it_on_a_question_it_can_read(bundle: StageBundle) -> None:
    s = Session.open_builtin("en-de")  # on "Time flies like an arrow": unknown words here
    s.open_model(FOLDER)
    assert not s.error and isinstance(s.bundle, StageBundle) and s.source == EXAMPLE
    assert s.translation is not None and s.translation.text == "9.11 is the newer version."
    assert s.trace.meta["src_tokens"][:2] == ["<bos>", "which"]
    own = "which is bigger: 7.5 or 7.25?"
    assert stage_example(bundle, own) == own  # a question it reads is kept
    assert stage_example(s.bundle, "time flies") == EXAMPLE
    assert stage_example(checkpoint.load(assets.path("models") / "gpt-de"), own) == ""
