"""A GPT-2 folder written by ``transformers`` opens on the engine and computes what
``transformers`` computes: logits, every parameter's gradient, greedy continuations."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from transformers import GPT2LMHeadModel

from core import checkpoint
from core.decode import DecodeSettings
from core.hf import HFBundle, HFFolderError, load_folder
from core.hf.hf_gpt2 import engine_state
from core.tracing import trace_translation
from tests.core.hf.gpt2_kit import gpt2_tokenizer, write_gpt2

PROMPTS = ["time flies like an arrow", "which is bigger, 9.11 or 9.9?", "the cat"]


def _ids(text: str) -> list[int]:
    return gpt2_tokenizer().encode(text).ids


def test_logits_equal_transformers(gpt2_folder: tuple[Path, GPT2LMHeadModel]) -> None:
    folder, ref = gpt2_folder
    bundle = load_folder(folder)
    for text in PROMPTS:
        ids = torch.tensor([_ids(text)])
        with torch.no_grad():
            want, got = ref(ids).logits, bundle.model(ids)
        assert got.shape == want.shape
        torch.testing.assert_close(got, want, atol=1e-5, rtol=0)


def test_right_padded_batch_equals_transformers_at_real_tokens(
    gpt2_folder: tuple[Path, GPT2LMHeadModel],
) -> None:
    """A batch of unequal prompts padded on the right: the real positions' logits are
    ``transformers``' with its attention mask (the engine needs none: attention is causal)."""
    folder, ref = gpt2_folder
    bundle = load_folder(folder)
    rows = [_ids(t) for t in PROMPTS]
    n = max(map(len, rows))
    ids = torch.tensor([r + [0] * (n - len(r)) for r in rows])  # (3, n)
    mask = torch.tensor([[1] * len(r) + [0] * (n - len(r)) for r in rows])
    with torch.no_grad():
        want = ref(ids, attention_mask=mask).logits
        got = bundle.model(ids)
    for b, r in enumerate(rows):
        torch.testing.assert_close(got[b, : len(r)], want[b, : len(r)], atol=1e-5, rtol=0)


def test_every_gradient_equals_transformers(gpt2_folder: tuple[Path, GPT2LMHeadModel]) -> None:
    """One training step's loss (next-token cross-entropy): each engine parameter's
    gradient is ``transformers``' gradient mapped the same way the weights are."""
    folder, ref = gpt2_folder
    bundle = load_folder(folder)
    ids = torch.tensor([_ids(PROMPTS[0]), _ids(PROMPTS[0])[::-1]])  # (2, T)
    ref.zero_grad()
    ref(ids, labels=ids).loss.backward()
    ref_grads = {n: p.grad for n, p in ref.named_parameters() if p.grad is not None}
    model = bundle.model.train()
    logits = model(ids)  # (2, T, V)
    loss = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1))
    loss.backward()
    want = engine_state(ref_grads, bundle.cfg, bundle.tgt_tok.size, "grads")
    got = dict(model.named_parameters())
    assert set(got) <= set(want)
    for name, p in got.items():
        assert p.grad is not None, name
        torch.testing.assert_close(p.grad, want[name], atol=1e-5, rtol=0, msg=name)
    model.eval()


def test_greedy_continuation_equals_transformers_generate(
    gpt2_folder: tuple[Path, GPT2LMHeadModel],
) -> None:
    folder, ref = gpt2_folder
    bundle = load_folder(folder)
    for text in PROMPTS:
        ids = torch.tensor([_ids(text)])
        out = ref.generate(
            ids, max_new_tokens=8, do_sample=False, attention_mask=torch.ones_like(ids)
        )
        want = out[0, ids.shape[1] :].tolist()
        got = bundle.translate(text, DecodeSettings(max_len=8))
        eos = bundle.tgt_tok.eos_id  # type: ignore[attr-defined]
        assert got.generation.ids + ([eos] if got.generation.finished else []) == want
        assert got.text == gpt2_tokenizer().decode(got.generation.ids)


def test_trace_of_a_continuation_has_the_usual_step_names(
    gpt2_folder: tuple[Path, GPT2LMHeadModel],
) -> None:
    bundle = load_folder(gpt2_folder[0])
    trace, result = trace_translation(bundle, "time flies", DecodeSettings(max_len=3))
    names = {s.key for s in trace.steps}
    for step in (
        "tgt.tokens",
        "tgt.embed",
        "tgt.pos",
        "tgt.input",
        "dec.0.norm1",
        "dec.0.self_attn.q",
        "dec.0.self_attn.masked",
        "dec.0.self_attn.weights",
        "dec.0.add1",
        "dec.1.ffn.act",
        "dec.1.add2",
        "dec.norm",
        "logits",
        "next.probs",
        "next.token",
    ):
        assert f"t0/{step}" in names, step
    assert "t0/tgt.embed_scaled" not in names  # GPT-2 adds positions to raw embeddings
    assert trace.meta["tgt_tokens"] == result.tokens
    # The traced logits are the model's: the first step's last row is the next-token guess.
    ids = torch.tensor([_ids("time flies")])
    with torch.no_grad():
        want = gpt2_folder[1](ids).logits[0, -1]
    got = torch.as_tensor(trace.value("t0/logits"))[0, -1]
    torch.testing.assert_close(got, want, atol=1e-5, rtol=0)


def test_vocab_and_merges_give_the_same_tokens_as_tokenizer_json(tmp_path: Path) -> None:
    """A folder with GPT-2's two data files and no tokenizer.json tokenizes the same."""
    write_gpt2(tmp_path)
    data = json.loads((tmp_path / "tokenizer.json").read_text())
    (tmp_path / "tokenizer.json").unlink()
    (tmp_path / "vocab.json").write_text(json.dumps(data["model"]["vocab"]))
    merges = [m if isinstance(m, str) else " ".join(m) for m in data["model"]["merges"]]
    (tmp_path / "merges.txt").write_text("#version: 0.2\n" + "\n".join(merges) + "\n")
    bundle = load_folder(tmp_path)
    for text in PROMPTS:
        enc = bundle.src_tok.encode(text)
        assert list(enc.ids) == _ids(text)
        assert bundle.src_tok.decode(enc.ids) == text
    assert "Ġflies" in bundle.src_tok.encode("time flies").tokens


def test_sharded_safetensors_load_like_one_file(tmp_path: Path) -> None:
    ref = write_gpt2(tmp_path / "one")
    ref.save_pretrained(tmp_path / "sharded", max_shard_size="20KB")
    shutil.copy(tmp_path / "one" / "tokenizer.json", tmp_path / "sharded")
    assert (tmp_path / "sharded" / "model.safetensors.index.json").is_file()
    assert not (tmp_path / "sharded" / "model.safetensors").exists()
    ids = torch.tensor([_ids(PROMPTS[1])])
    with torch.no_grad():
        torch.testing.assert_close(
            load_folder(tmp_path / "sharded").model(ids), ref(ids).logits, atol=1e-5, rtol=0
        )


def test_untied_head_loads_lm_head(tmp_path: Path) -> None:
    ref = write_gpt2(tmp_path, tie_word_embeddings=False)
    bundle = load_folder(tmp_path)
    assert not bundle.cfg.tie_head
    ids = torch.tensor([_ids(PROMPTS[0])])
    with torch.no_grad():
        torch.testing.assert_close(bundle.model(ids), ref(ids).logits, atol=1e-5, rtol=0)


def test_checkpoint_load_routes_a_hugging_face_folder(
    gpt2_folder: tuple[Path, GPT2LMHeadModel],
) -> None:
    bundle = checkpoint.load(gpt2_folder[0])
    assert isinstance(bundle, HFBundle)
    assert bundle.cfg.arch == "decoder-only" and bundle.cfg.n_dec_layers == 2


# -- folders the loader refuses, each with one line ----------------------------------------
def _one_line(folder: Path) -> str:
    with pytest.raises(HFFolderError) as err:
        load_folder(folder)
    text = str(err.value)
    assert "\n" not in text
    return text


def test_pickled_weights_are_refused_with_how_to_convert(tmp_path: Path) -> None:
    write_gpt2(tmp_path)
    (tmp_path / "model.safetensors").rename(tmp_path / "pytorch_model.bin")
    text = _one_line(tmp_path)
    assert "pytorch_model.bin" in text and "safe_serialization=True" in text
    with pytest.raises(checkpoint.CheckpointError, match="pickle"):
        checkpoint.load(tmp_path)


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("scale_attn_by_inverse_layer_idx", True),
        ("reorder_and_upcast_attn", True),
        ("add_cross_attention", True),
        ("activation_function", "swish"),
    ],
)
def test_unsupported_option_is_refused_by_name(tmp_path: Path, option: str, value: object) -> None:
    write_gpt2(tmp_path)
    config = json.loads((tmp_path / "config.json").read_text())
    config[option] = value
    (tmp_path / "config.json").write_text(json.dumps(config))
    assert option in _one_line(tmp_path)


def test_another_family_is_refused(tmp_path: Path) -> None:
    write_gpt2(tmp_path)
    config = json.loads((tmp_path / "config.json").read_text())
    (tmp_path / "config.json").write_text(json.dumps({**config, "model_type": "llama"}))
    assert "'llama' is not supported" in _one_line(tmp_path)


def test_missing_tokenizer_and_wrong_weights_are_refused(tmp_path: Path) -> None:
    write_gpt2(tmp_path)
    (tmp_path / "tokenizer.json").unlink()
    assert "no tokenizer files" in _one_line(tmp_path)
    write_gpt2(tmp_path, n_embd=16)
    config = json.loads((tmp_path / "config.json").read_text())
    (tmp_path / "config.json").write_text(json.dumps({**config, "n_embd": 32}))
    assert "shape" in _one_line(tmp_path)


def test_a_model_past_the_limits_says_its_size(tmp_path: Path) -> None:
    """GPT-2 medium's config (355M parameters) is past a real checkpoint's budget
    (``limits.REAL_MODEL_BYTES``; GPT-2 small fits it) and is refused before any weight is
    read."""
    write_gpt2(tmp_path)
    config = json.loads((tmp_path / "config.json").read_text())
    big = {"n_layer": 24, "n_embd": 1024, "n_head": 16, "vocab_size": 50257, "n_positions": 1024}
    (tmp_path / "config.json").write_text(json.dumps({**config, **big}))
    text = _one_line(tmp_path)
    assert "parameters" in text and "training step" in text


def test_a_shard_outside_the_folder_is_refused(tmp_path: Path) -> None:
    """The index names files; one that leaves the folder is never opened."""
    write_gpt2(tmp_path / "m")
    (tmp_path / "m" / "model.safetensors").rename(tmp_path / "outside.safetensors")
    index = {"weight_map": {"transformer.wte.weight": "../outside.safetensors"}}
    (tmp_path / "m" / "model.safetensors.index.json").write_text(json.dumps(index))
    assert "is not a file here" in _one_line(tmp_path / "m")
