"""A BERT sentence classifier written by ``transformers`` opens on the engine's
encoder-only model and computes what ``transformers`` computes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from transformers import BertForSequenceClassification

from core.classify_run import trace_classify
from core.hf import HFFolderError, load_folder
from core.hf.hf_bert import engine_state
from core.session import Session
from tests.core.cli_kit import run
from tests.core.hf.gpt2_kit import bert_tokenizer, write_bert

SENTENCES = ["the cat sat on the mat", "time flies like an arrow", "fruit flies"]


@pytest.fixture(scope="module")
def bert_folder(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, BertForSequenceClassification]:
    folder = tmp_path_factory.mktemp("bert")
    return folder, write_bert(folder)


def _batch(texts: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-padded ids with [CLS] ... [SEP] and the attention mask."""
    rows = [bert_tokenizer().encode(t).ids for t in texts]
    n = max(map(len, rows))
    ids = torch.tensor([r + [0] * (n - len(r)) for r in rows])
    mask = torch.tensor([[1] * len(r) + [0] * (n - len(r)) for r in rows])
    return ids, mask


def test_logits_of_a_padded_batch_equal_transformers(
    bert_folder: tuple[Path, BertForSequenceClassification],
) -> None:
    folder, ref = bert_folder
    bundle = load_folder(folder)
    ids, mask = _batch(SENTENCES)
    assert bool((mask == 0).any())  # the batch really is padded
    with torch.no_grad():
        want = ref(ids, attention_mask=mask).logits
        got = bundle.model(ids)
    torch.testing.assert_close(got, want, atol=1e-5, rtol=0)


def test_every_gradient_equals_transformers(
    bert_folder: tuple[Path, BertForSequenceClassification],
) -> None:
    folder, ref = bert_folder
    bundle = load_folder(folder)
    ids, mask = _batch(SENTENCES)
    labels = torch.tensor([0, 2, 1])
    ref.zero_grad()
    ref(ids, attention_mask=mask, labels=labels).loss.backward()
    grads = {n: p.grad for n, p in ref.named_parameters() if p.grad is not None}
    # Only segment 0 is ever read: the other rows of the segment table get no gradient.
    grads["bert.embeddings.token_type_embeddings.weight"] = ref.get_parameter(
        "bert.embeddings.token_type_embeddings.weight"
    ).grad
    want = engine_state(grads, bundle.cfg, "grads")
    model = bundle.model.train()
    F.cross_entropy(model(ids), labels).backward()
    for name, p in model.named_parameters():
        assert p.grad is not None, name
        torch.testing.assert_close(p.grad, want[name], atol=1e-5, rtol=0, msg=name)
    model.eval()


def test_classify_names_the_labels_and_traces_with_the_usual_names(
    bert_folder: tuple[Path, BertForSequenceClassification],
) -> None:
    folder, ref = bert_folder
    bundle = load_folder(folder)
    result = bundle.classify("the cat sat on the mat")
    ids = torch.tensor([bert_tokenizer().encode("the cat sat on the mat").ids])
    with torch.no_grad():
        probs = torch.softmax(ref(ids).logits[0], -1)
    want = max(range(3), key=lambda i: float(probs[i]))
    assert result.label == ["person", "animal", "thing"][want]
    assert result.prob == pytest.approx(float(probs[want]), abs=1e-6)
    assert result.source is not None and result.source.tokens[0] == "[CLS]"
    trace, _ = trace_classify(bundle, "the cat sat on the mat")
    names = {s.name for s in trace.steps}
    for step in (
        "src.tokens",
        "src.segment",
        "src.input",
        "src.embed_norm",
        "enc.0.norm1",
        "enc.1.self_attn.weights",
        "cls.vector",
        "cls.pooled",
        "cls.logits",
        "cls.probs",
    ):
        assert step in names, step


def test_the_session_opens_a_bert_folder(
    bert_folder: tuple[Path, BertForSequenceClassification],
) -> None:
    session = Session.open_builtin("en-de")
    session.open_model(bert_folder[0], "the cat sat on the mat")
    assert not session.error, session.error
    assert session.classification is not None
    assert {name for name, _ in session.classification.ranked} == {"person", "animal", "thing"}


def test_other_heads_and_relative_positions_are_refused(tmp_path: Path) -> None:
    """Masked-word folders open (test_bert_mlm.py); a token classifier does not."""
    write_bert(tmp_path)
    config = json.loads((tmp_path / "config.json").read_text())
    for change, needle in (
        ({"architectures": ["BertForTokenClassification"]}, "BertForTokenClassification"),
        ({"position_embedding_type": "relative_key"}, "position_embedding_type"),
    ):
        (tmp_path / "config.json").write_text(json.dumps({**config, **change}))
        with pytest.raises(HFFolderError, match=needle) as err:
            load_folder(tmp_path)
        assert "\n" not in str(err.value)


def test_vocab_txt_tokenizes_like_tokenizer_json(tmp_path: Path) -> None:
    """A folder with BERT's ``vocab.txt`` (and no tokenizer.json) reads the same pieces."""
    write_bert(tmp_path)
    vocab = json.loads((tmp_path / "tokenizer.json").read_text())["model"]["vocab"]
    (tmp_path / "tokenizer.json").unlink()
    lines = sorted(vocab, key=vocab.__getitem__)
    (tmp_path / "vocab.txt").write_text("\n".join(lines) + "\n")
    tok = load_folder(tmp_path).src_tok
    for text in [*SENTENCES, "The Flies!"]:
        assert list(tok.encode(text).ids) == bert_tokenizer().encode(text).ids
    assert tok.encode("the cat").tokens[0] == "[CLS]"


def test_classify_command_reads_a_bert_folder(
    bert_folder: tuple[Path, BertForSequenceClassification], capsys: pytest.CaptureFixture[str]
) -> None:
    res = run(capsys, "classify", "--model", bert_folder[0], "the cat sat on the mat")
    assert res.rc == 0, res.err
    want = load_folder(bert_folder[0]).classify("the cat sat on the mat")
    assert res.first_line == f"{want.label}\t{want.prob:.2f}"
