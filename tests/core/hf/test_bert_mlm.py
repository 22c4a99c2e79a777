"""A pre-trained BERT (``BertForMaskedLM``) written by ``transformers`` opens in
masked-word mode and computes what ``transformers`` computes: logits, every gradient of
a masked-word training step, the best fill; its traces pass the checks every built-in
trace passes; ``fill-mask``, ``classify`` and ``trace`` say the right thing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file
from transformers import BertForMaskedLM

from core.classify_run import trace_answer
from core.config import TrainConfig
from core.fill_mask import MAX_MASKS, fill_mask, mlm_batch, trace_fill_mask
from core.hf import HFBundle, load_folder
from core.hf.hf_bert import engine_state
from core.session import Session
from core.trace import GRAD, point
from core.tracing import trace_batch_step
from core.train import Trainer
from tests.core.cli_kit import assert_user_error, run
from tests.core.grad_check import assert_traced_is_untraced, trace_and_autograd
from tests.core.hf.gpt2_kit import bert_tokenizer, write_bert
from tests.core.hf.mlm_kit import MASKED, padded, write_mlm

Folder = tuple[Path, BertForMaskedLM]


@pytest.fixture(scope="module")
def mlm(tmp_path_factory: pytest.TempPathFactory) -> Folder:
    folder = tmp_path_factory.mktemp("bert-mlm")
    return folder, write_mlm(folder)


@pytest.fixture(scope="module")
def bundle(mlm: Folder) -> HFBundle:
    return load_folder(mlm[0])


@pytest.fixture(scope="module")
def classifier(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bert-cls")
    write_bert(folder)
    return folder


def _mask_labels(ids: torch.Tensor) -> torch.Tensor:
    """-100 everywhere but the [MASK] positions, which must say fixed words."""
    mask_id = bert_tokenizer().token_to_id("[MASK]")
    words = torch.arange(ids.numel()).view(ids.shape) % 40 + 10  # (B, S) some real pieces
    return torch.where(ids == mask_id, words, torch.full_like(ids, -100))


def test_it_opens_in_masked_word_mode(bundle: HFBundle) -> None:
    assert bundle.cfg.mlm and not bundle.cfg.pooler and bundle.labels == ()
    names = {n for n, _ in bundle.model.named_parameters()}
    assert {"mlm.dense.weight", "mlm.norm.weight", "mlm.bias"} <= names
    assert not any(n.startswith(("head.", "pool.")) for n in names)
    # the head's bias is the checkpoint's (random, nonzero), the decoder the embedding table
    assert float(bundle.model.get_parameter("mlm.bias").detach().abs().min()) > 0


def test_logits_of_a_padded_batch_equal_transformers(mlm: Folder, bundle: HFBundle) -> None:
    ids, mask = padded([*MASKED, "the cat sat on the mat"])
    assert bool((mask == 0).any())  # the batch really is padded
    with torch.no_grad():
        want = ref_logits = mlm[1](ids, attention_mask=mask).logits  # (B, S, V)
        got = bundle.model(ids)
    real = mask.bool()  # padded positions' outputs are never read
    torch.testing.assert_close(got[real], want[real], atol=1e-5, rtol=0)
    assert float(ref_logits.abs().max()) > 1  # not a comparison of near-zeros


def test_every_gradient_of_a_masked_word_step_equals_transformers(
    mlm: Folder, bundle: HFBundle
) -> None:
    ref = mlm[1]
    ids, mask = padded(MASKED)
    labels = _mask_labels(ids)
    ref.zero_grad()
    ref(ids, attention_mask=mask, labels=labels).loss.backward()
    grads = {n: p.grad for n, p in ref.named_parameters() if p.grad is not None}
    name = "bert.embeddings.token_type_embeddings.weight"  # only segment 0 is read
    grads[name] = ref.get_parameter(name).grad
    want = engine_state(grads, bundle.cfg, "grads")
    model = bundle.model.train()
    try:
        logits = model(ids)  # (B, S, V)
        loss = F.cross_entropy(logits.flatten(0, 1), labels.flatten(), ignore_index=-100)
        model.zero_grad()
        loss.backward()
        for n, p in model.named_parameters():
            assert p.grad is not None, n
            torch.testing.assert_close(p.grad, want[n], atol=1e-5, rtol=0, msg=n)
        assert float(want["mlm.bias"].abs().max()) > 0
    finally:
        model.zero_grad(set_to_none=True)
        model.eval()


def test_the_trainer_step_grades_the_masks_only(mlm: Folder, bundle: HFBundle) -> None:
    """``mlm_batch`` + the trainer's loss is transformers' masked-word loss."""
    text, target = MASKED[2], "fruit banana"
    batch, meta = mlm_batch(bundle, text, target)
    ids = batch.inputs
    mask_id = bert_tokenizer().token_to_id("[MASK]")
    assert batch.loss_mask.tolist() == (ids == mask_id).tolist()
    labels = torch.where(batch.loss_mask, batch.labels, torch.full_like(ids, -100))
    pieces = [bert_tokenizer().token_to_id(w) for w in target.split()]
    assert labels[batch.loss_mask].tolist() == pieces
    with torch.no_grad():
        want = float(mlm[1](ids, labels=labels).loss)
    trainer = Trainer(bundle, None, TrainConfig(warmup=0))
    with torch.no_grad():
        got = float(trainer.loss(trainer.forward(batch), batch))
    bundle.model.eval()
    assert got == pytest.approx(want, abs=1e-5)
    assert meta["tgt_out_tokens"][meta["masks"][1]] == "banana"


def test_top_fill_is_the_argmax_of_transformers_logits(mlm: Folder, bundle: HFBundle) -> None:
    tok = bert_tokenizer()
    for text in MASKED:
        enc = tok.encode(text)
        ids = torch.tensor([enc.ids])
        with torch.no_grad():
            probs = torch.softmax(mlm[1](ids).logits[0], -1)  # (S, V)
        positions = [i for i, t in enumerate(enc.tokens) if t == "[MASK]"]
        result = fill_mask(bundle, text)
        assert result.positions == positions
        assert result.words == [tok.id_to_token(int(probs[p].argmax())) for p in positions]
        for p, cands in zip(positions, result.candidates, strict=True):
            assert cands[0][1] == pytest.approx(float(probs[p].max()), abs=1e-6)
            assert [c[1] for c in cands] == sorted((c[1] for c in cands), reverse=True)


def test_the_fill_mask_trace_names_the_head_and_holds_the_candidates(bundle: HFBundle) -> None:
    trace, result = trace_fill_mask(bundle, MASKED[2])
    names = [s.name for s in trace.steps]
    assert names[-5:] == ["mlm.transform", "mlm.act", "mlm.norm", "logits", "probs"]
    assert {"src.segment", "src.embed_norm", "enc.1.self_attn.weights"} <= set(names)
    assert trace.first("logits").tensors["weight"] == "src_embed.weight"  # tied
    assert trace.first("logits").tensors["bias"] == "mlm.bias"
    for step in trace.steps:  # every input names a recorded tensor
        for role, key in step.tensors.items():
            assert key in trace.tensors, (step.name, role, key)
    probs = trace.value("probs")[0]  # (S, V)
    assert trace.meta["kind"] == "fill_mask" and trace.meta["masks"] == result.positions
    for pos, fills in zip(trace.meta["masks"], trace.meta["fills"], strict=True):
        assert fills[0][1] == pytest.approx(float(probs[pos].max()), abs=0)
    assert result.text.startswith(result.words[0])  # [MASK] flies … → "an flies …"


def _loss(bundle: HFBundle, text: str, target: str) -> torch.Tensor:
    """The trainer's masked-word loss, with the labels recorded as a traced step does."""
    batch, _ = mlm_batch(bundle, text, target)
    trainer = Trainer(bundle, None, TrainConfig(warmup=0))
    logits = trainer.forward(batch)  # (1, S, V)
    point("tgt.target", batch.labels, "tokens", {}, ("batch", "label"))
    return trainer.loss(logits, batch)


def test_traced_equals_untraced_and_recorded_gradients_equal_autograd(bundle: HFBundle) -> None:
    """The checks of test_trace_checks.py, on a masked-word training step."""
    model = bundle.model.train()
    text, target = MASKED[2], "fruit banana"
    try:
        assert_traced_is_untraced(model, lambda: _loss(bundle, text, target))
        recorded, pairs = trace_and_autograd(model, lambda: _loss(bundle, text, target))
        checked = 0
        for name, grad in pairs:
            if grad is not None:
                torch.testing.assert_close(recorded[GRAD + name], grad, atol=0, rtol=0, msg=name)
                checked += 1
        assert checked > 60
        assert GRAD + "mlm.bias" in recorded and GRAD + "mlm.norm" in recorded
    finally:
        model.zero_grad(set_to_none=True)
        model.eval()


def test_a_traced_training_step_lowers_the_masked_word_loss(bundle: HFBundle) -> None:
    import copy

    trainer = Trainer(copy.deepcopy(bundle), None, TrainConfig(warmup=0, lr=1e-3))
    batch, _ = mlm_batch(bundle, MASKED[0], "mat")
    trace = trace_batch_step(trainer, batch)
    names = [s.name for s in trace.steps if s.phase == "loss"]
    assert names == ["tgt.target", "loss.mask", "loss.per_token", "loss"]
    assert trace.meta["loss_after"] < trace.meta["loss"]
    assert any(s.name == "mlm.bias" and s.phase == "update" for s in trace.steps)


def test_the_session_fills_masks_and_trains(mlm: Folder) -> None:
    session = Session.open_builtin("en-de")
    session.open_model(mlm[0], "time flies like an arrow")  # no [MASK]: the example instead
    assert not session.error, session.error
    assert session.classification is None and session.translation is None
    fill = session.fill_mask
    assert fill is not None and "[MASK]" in session.source
    assert session.trace.meta["kind"] == "fill_mask"
    session.source = "[MASK] flies like a [MASK] ."
    assert session.fill_mask is not None and len(session.fill_mask.words) == 2
    session.update(target="fruit banana", mode="train")
    assert not session.error, session.error
    assert session.trace.meta["kind"] == "train_step"
    assert session.trace.meta["target"] == "fruit banana"
    mask = session.trace.value("loss.mask")[0]
    assert [i for i, m in enumerate(mask) if m] == session.fill_mask.positions
    session.target = "fruit"  # one piece for two masks: one line, the old trace stays
    assert "2 [MASK]" in session.error and session.trace.meta["target"] == "fruit banana"


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("the cat sat on the mat", "no [MASK]"),
        ("   ", "empty"),
        (" ".join(["[MASK]"] * (MAX_MASKS + 1)), f"at most {MAX_MASKS}"),
    ],
)
def test_bad_sentences_are_one_line(bundle: HFBundle, text: str, needle: str) -> None:
    with pytest.raises(ValueError, match=None) as err:
        fill_mask(bundle, text)
    assert needle in str(err.value) and "\n" not in str(err.value)


def test_fill_mask_command_prints_the_best_words_first(
    mlm: Folder, bundle: HFBundle, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "[MASK] flies like a [mask] ."  # a lower-case [mask] counts too
    res = run(capsys, "fill-mask", "--model", mlm[0], "--top-k", "3", text)
    assert res.rc == 0, res.err
    want = fill_mask(bundle, text, 3)
    assert res.first_line == " ".join(want.words)
    lines = res.out.splitlines()
    assert len(lines) == 3  # the words, then one line per mask
    best, p = want.candidates[1][0]
    assert lines[2].split("\t")[1] == f"{best} {p:.4f}"
    assert len(lines[2].split("\t")) == 4  # the label and 3 candidates


@pytest.mark.parametrize(
    ("text", "needle"),
    [("the cat sat", "no [MASK]"), ("", "empty"), ("[MASK] " * 9, "at most")],
)
def test_fill_mask_command_bad_input_is_one_line(
    mlm: Folder, text: str, needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert_user_error(run(capsys, "fill-mask", "--model", mlm[0], text), needle)


def test_classify_and_fill_mask_each_name_the_other(
    mlm: Folder, classifier: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert_user_error(run(capsys, "classify", "--model", mlm[0], "the cat sat"), "fill-mask")
    res = run(capsys, "fill-mask", "--model", classifier, "the [MASK] sat")
    assert_user_error(res, "use classify")
    res = run(capsys, "classify", "--model", classifier, "the cat sat on the mat")
    assert res.rc == 0, res.err
    want = load_folder(classifier).classify("the cat sat on the mat")
    assert res.first_line == f"{want.label}\t{want.prob:.2f}"


def test_trace_command_on_a_masked_word_folder(
    mlm: Folder, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "step.npz"
    res = run(capsys, "trace", MASKED[0], "--target", "mat", "--model", mlm[0], "--out", out)
    assert res.rc == 0, res.err
    meta = json.loads(out.with_suffix(".json").read_text())["meta"]
    assert meta["loss_after"] < meta["loss"] and meta["masks"] == [6]


def test_interventions_reach_the_head(bundle: HFBundle) -> None:
    """Zeroing ``mlm.norm`` leaves only the bias: the fill is the bias' largest word."""
    from core.interventions import Intervention

    zero = Intervention("mlm.norm", "zero")
    _, result = trace_answer(bundle, MASKED[0], [zero])
    bias = bundle.model.get_parameter("mlm.bias")
    assert result.words == [bundle.src_tok.token(int(bias.argmax()))]  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="no trace point"):
        trace_answer(bundle, MASKED[0], [Intervention("mlm.nope", "zero")])


def test_old_names_and_unused_heads_of_a_pretraining_checkpoint(
    mlm: Folder, bundle: HFBundle, tmp_path: Path
) -> None:
    """bert-base-uncased's file: LayerNorm ``gamma``/``beta``, a pooler, the next-sentence
    head and a stored (tied) decoder; it reads as the same model."""
    state = load_file(str(mlm[0] / "model.safetensors"))
    old = {
        k.replace("LayerNorm.weight", "LayerNorm.gamma").replace(
            "LayerNorm.bias", "LayerNorm.beta"
        ): v
        for k, v in state.items()
    }
    d, v = bundle.cfg.d_model, state["cls.predictions.bias"].shape[0]
    old["bert.pooler.dense.weight"], old["bert.pooler.dense.bias"] = torch.ones(d, d), torch.ones(d)
    old["cls.seq_relationship.weight"], old["cls.seq_relationship.bias"] = (
        torch.ones(2, d),
        torch.ones(2),
    )
    old["cls.predictions.decoder.weight"] = state["bert.embeddings.word_embeddings.weight"].clone()
    assert old.keys() != state.keys() and torch.Size([v]) == state["cls.predictions.bias"].shape
    save_file(old, str(tmp_path / "model.safetensors"))
    config = json.loads((mlm[0] / "config.json").read_text())
    (tmp_path / "config.json").write_text(
        json.dumps({**config, "architectures": ["BertForPreTraining"]})
    )
    (tmp_path / "tokenizer.json").write_text((mlm[0] / "tokenizer.json").read_text())
    again = load_folder(tmp_path)
    ids, _ = padded(MASKED[:1])
    with torch.no_grad():
        assert torch.equal(again.model(ids), bundle.model(ids))


def test_untied_decoder_is_refused_by_name(mlm: Folder, tmp_path: Path) -> None:
    from core.hf import HFFolderError

    for name in ("model.safetensors", "tokenizer.json"):
        (tmp_path / name).write_bytes((mlm[0] / name).read_bytes())
    config = json.loads((mlm[0] / "config.json").read_text())
    (tmp_path / "config.json").write_text(json.dumps({**config, "tie_word_embeddings": False}))
    with pytest.raises(HFFolderError, match="tie_word_embeddings"):
        load_folder(tmp_path)


def test_vocab_txt_reads_mask_as_one_token(mlm: Folder, tmp_path: Path) -> None:
    """A folder with only BERT's ``vocab.txt``: ``[MASK]`` is one token, as with
    tokenizer.json, and the fill is the same."""
    vocab = json.loads((mlm[0] / "tokenizer.json").read_text())["model"]["vocab"]
    (tmp_path / "vocab.txt").write_text("\n".join(sorted(vocab, key=vocab.__getitem__)) + "\n")
    for name in ("model.safetensors", "config.json"):
        (tmp_path / name).write_bytes((mlm[0] / name).read_bytes())
    text = MASKED[2]
    from_txt = load_folder(tmp_path)
    assert list(from_txt.src_tok.encode(text).ids) == bert_tokenizer().encode(text).ids
    assert fill_mask(from_txt, text).words == fill_mask(load_folder(mlm[0]), text).words


def test_parameter_count_of_a_masked_word_model(bundle: HFBundle) -> None:
    """Counted before loading (the size check): the tied table counts once."""
    vocab = bundle.model.get_parameter("mlm.bias").shape[0]
    want = sum(p.numel() for p in bundle.model.parameters())
    assert bundle.cfg.parameter_count(vocab, vocab) == want


def test_the_window_says_a_missing_mask_in_chinese_too(mlm: Folder) -> None:
    from core.messages import text_in

    session = Session.open_builtin("en-de")
    session.open_model(mlm[0], MASKED[0])
    session.source = "no mask in this one"
    assert session.error.startswith("no [MASK]")
    assert "句子里没有 [MASK]" in text_in(session.error, "zh")


def test_a_light_trace_records_the_head_in_full(bundle: HFBundle) -> None:
    """Asked for one block (as a bert-base training step is, past the ceiling), the
    masked-word head is among the output parts recorded in full; the other block's
    parameters are norms."""
    from core.fill_mask import trace_fill_mask_step_on_copy

    trace = trace_fill_mask_step_on_copy(bundle, MASKED[0], "mat", block="enc.0")
    assert trace.meta["light_block"] == "enc.0"
    tensors = trace.tensors
    for name in ("mlm.dense.weight", "mlm.norm.weight", "mlm.bias", "enc.0.ffn.lin1.weight"):
        assert GRAD + name in tensors, name
    assert GRAD + "enc.1.ffn.lin1.weight" not in tensors
    assert GRAD + "enc.1.ffn.lin1.weight@norm" in tensors
    assert trace.meta["loss_after"] < trace.meta["loss"]


@pytest.mark.parametrize("command", ["translate", "generate"])
def test_text_commands_send_a_masked_word_folder_to_fill_mask(
    mlm: Folder, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert_user_error(run(capsys, command, "--model", mlm[0], "the cat"), "fill-mask")
