"""A Marian translator written by ``transformers`` opens on the engine's encoder-decoder
and computes what ``transformers`` computes: the tokenizer's ids, the logits of a padded
batch, every parameter's gradient, greedy translations, and a traced training step."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from transformers import MarianMTModel, MarianTokenizer

from core.decode import DecodeSettings
from core.hf import HFFolderError, load_folder
from core.hf.hf_marian import engine_state, model_config
from core.hf.hf_marian_bundle import MarianBundle
from core.model_base import sinusoid_halves, sinusoids
from core.trace import GRAD
from core.tracing import trace_step_on_copy, trace_translation
from tests.core.cli_kit import run
from tests.core.hf.marian_kit import SOURCES, write_marian

# MarianTokenizer asks for sacremoses, which it does not use to tokenize
pytestmark = pytest.mark.filterwarnings("ignore:Recommended. pip install sacremoses")
TARGETS = ["die Katze sieht einen Pfeil.", "die Zeit", "mein Freund zeichnet den Hund."]


@pytest.fixture(scope="module")
def marian(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, MarianMTModel, MarianBundle]:
    folder = tmp_path_factory.mktemp("marian")
    ref = write_marian(folder)
    bundle = load_folder(folder)
    assert isinstance(bundle, MarianBundle)
    return folder, ref, bundle


@pytest.fixture(scope="module")
def hf_tok(marian: tuple[Path, MarianMTModel, MarianBundle]) -> MarianTokenizer:
    return MarianTokenizer.from_pretrained(str(marian[0]))


def test_token_ids_are_marian_tokenizers(
    marian: tuple[Path, MarianMTModel, MarianBundle], hf_tok: MarianTokenizer
) -> None:
    """Source ids (+ ``</s>``), target ids and the decoded text are ``MarianTokenizer``'s;
    the pieces are the SentencePiece ``▁`` pieces."""
    bundle = marian[2]
    for text in [*SOURCES, "Größe €"]:  # the last has characters no piece covers
        src, enc = bundle.encode_source(text)
        assert src[0].tolist() == hf_tok(text).input_ids
        assert list(enc.tokens) == hf_tok.tokenize(text)
    assert "▁t" in bundle.encode_source("the cat")[1].tokens
    unknown = bundle.encode_source("Größe €")[1]
    assert unknown.unknown and bundle.spm_src.vocab.unk_id in unknown.ids
    for text in TARGETS:
        tgt_in, tgt_out, _ = bundle.encode_target(text)
        labels = hf_tok(text_target=text).input_ids
        assert tgt_out[0].tolist() == labels
        assert tgt_in[0].tolist() == [bundle.start_id, *labels[:-1]]
        got = bundle.tgt_tok.decode(labels)
        assert got == hf_tok.decode(labels, skip_special_tokens=True, use_source_tokenizer=False)
        assert got == text


def _padded(hf_tok: MarianTokenizer) -> dict[str, torch.Tensor]:
    batch = hf_tok(SOURCES, text_target=TARGETS, padding=True, return_tensors="pt")
    assert bool((batch["attention_mask"] == 0).any())  # the source side really is padded
    return dict(batch)


def _decoder_input(labels: torch.Tensor, start: int) -> torch.Tensor:
    """``shift_tokens_right``: the start id, then the labels but the last."""
    return torch.cat([torch.full_like(labels[:, :1], start), labels[:, :-1]], dim=1)


def test_logits_of_a_padded_batch_equal_transformers(
    marian: tuple[Path, MarianMTModel, MarianBundle], hf_tok: MarianTokenizer
) -> None:
    _, ref, bundle = marian
    batch = _padded(hf_tok)
    tgt_in = _decoder_input(batch["labels"], bundle.start_id)
    assert bool((tgt_in == bundle.spm_tgt.pad_id).any(dim=1).all())  # the start is the pad id
    with torch.no_grad():
        want = ref(
            input_ids=batch["input_ids"],
            attention_mask=batch["attention_mask"],
            decoder_input_ids=tgt_in,
        ).logits
        got = bundle.model(batch["input_ids"], tgt_in)
    assert got.shape == want.shape
    torch.testing.assert_close(got, want, atol=1e-5, rtol=0)
    for i, text in enumerate(SOURCES):  # each sentence alone: what padding must not change
        src, _ = bundle.encode_source(text)
        n = int((batch["labels"][i] != bundle.spm_tgt.pad_id).sum())
        with torch.no_grad():
            alone = bundle.model(src, tgt_in[i : i + 1, :n])
        torch.testing.assert_close(alone[0], want[i, :n], atol=1e-5, rtol=0)


def test_positions_are_marians_not_the_papers_interleaved_table(
    marian: tuple[Path, MarianMTModel, MarianBundle],
) -> None:
    ref, bundle = marian[1], marian[2]
    table = ref.model.encoder.embed_positions.weight
    torch.testing.assert_close(bundle.model.pe, table[: bundle.cfg.max_len], atol=0, rtol=0)
    assert not torch.allclose(sinusoid_halves(8, 32), sinusoids(8, 32))


def test_every_gradient_equals_transformers(
    marian: tuple[Path, MarianMTModel, MarianBundle], hf_tok: MarianTokenizer
) -> None:
    """One training step's loss (mean cross-entropy over the real target tokens): each
    engine parameter's gradient is ``transformers``' gradient mapped as the weights are.
    The shared table's gradient sums the source, the target and the head."""
    _, ref, bundle = marian
    batch = _padded(hf_tok)
    pad = bundle.spm_tgt.pad_id
    labels = batch["labels"]
    tgt_in = _decoder_input(labels, bundle.start_id)
    ref.zero_grad()
    loss = ref(
        input_ids=batch["input_ids"],
        attention_mask=batch["attention_mask"],
        decoder_input_ids=tgt_in,
        labels=labels.masked_fill(labels == pad, -100),
    ).loss
    loss.backward()
    grads = {n: p.grad for n, p in ref.named_parameters() if p.grad is not None}
    grads["final_logits_bias"] = torch.zeros_like(ref.final_logits_bias)  # a buffer: no grad
    want = engine_state(grads, bundle.cfg, "grads")
    model = bundle.model
    model.zero_grad()
    logits = model(batch["input_ids"], tgt_in)  # (B, T, V)
    ours = F.cross_entropy(
        logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=pad
    )
    ours.backward()
    torch.testing.assert_close(ours, loss, atol=1e-5, rtol=0)
    got = dict(model.named_parameters())
    assert "logits_bias" not in got and len(got) == len(set(want) - {"logits_bias"}) - 2
    for name, p in got.items():
        assert p.grad is not None, name
        torch.testing.assert_close(p.grad, want[name], atol=1e-5, rtol=0, msg=name)
    # the padding row gets the head's gradient only (the start token's lookup adds none)
    assert float(got["src_embed.weight"].grad[pad].abs().sum()) > 0
    model.zero_grad()


def test_a_traced_training_step_has_transformers_loss_and_gradient(
    marian: tuple[Path, MarianMTModel, MarianBundle], hf_tok: MarianTokenizer
) -> None:
    """The window's training step on one pair: its loss counts ``</s>`` (id 0, which is
    the built-in vocabularies' padding) and its recorded table gradient is autograd's."""
    _, ref, bundle = marian
    source, target = SOURCES[0], TARGETS[0]
    enc = hf_tok(source, text_target=target, return_tensors="pt")
    ref.zero_grad()
    loss = ref(**enc).loss
    loss.backward()
    trace = trace_step_on_copy(bundle, source, target)
    assert trace.meta["loss"] == pytest.approx(loss.item(), abs=1e-5)
    torch.testing.assert_close(
        torch.as_tensor(trace.value(GRAD + "src_embed.weight")),
        ref.model.shared.weight.grad,
        atol=1e-5,
        rtol=0,
    )
    assert trace.meta["tgt_out_tokens"][-1] == "</s>"
    ref.zero_grad()


def _hf_translation(ref: MarianMTModel, ids: torch.Tensor, n: int) -> list[int]:
    out = ref.generate(
        ids, attention_mask=torch.ones_like(ids), num_beams=1, do_sample=False, max_new_tokens=n
    )
    return out[0, 1:].tolist()  # without the start token


def test_greedy_translation_equals_transformers_generate(
    marian: tuple[Path, MarianMTModel, MarianBundle],
) -> None:
    """``generate`` with the folder's generation config (the padding id banned, ``</s>``
    forced at the length limit): our tokens, then ``</s>`` where we stop."""
    _, ref, bundle = marian
    n = 12
    for text in [*SOURCES, "the dog likes a banana.", "my friend sees the time."]:
        src, _ = bundle.encode_source(text)
        want = _hf_translation(ref, src, n)
        got = bundle.translate(text, DecodeSettings(max_len=n - 1))
        assert [*got.generation.ids, bundle.spm_tgt.eos_id] == want, text
        assert got.text == bundle.tgt_tok.decode(got.generation.ids)
        assert bundle.spm_tgt.pad_id not in got.generation.ids


def test_a_translation_that_ends_with_its_end_token_equals_transformers(
    marian: tuple[Path, MarianMTModel, MarianBundle],
) -> None:
    """A random model rarely writes ``</s>``; raise its logit (the fixed bias, in both
    models) just enough to win by the third step. Until it wins the greedy path cannot
    change, so the translation ends there or before, as ``generate``'s does."""
    _, ref, bundle = marian
    text, eos = SOURCES[0], bundle.spm_tgt.eos_id
    src, _ = bundle.encode_source(text)
    path = bundle.translate(text, DecodeSettings(max_len=2)).generation.ids
    with torch.no_grad():
        logits = bundle.model(src, torch.tensor([[bundle.start_id, *path]]))[0, -1]  # (V,)
    bump = float(logits.max() - logits[eos]) + 0.05
    engine_bias = bundle.translator().logits_bias
    try:
        with torch.no_grad():
            ref.final_logits_bias[0, eos] += bump
            engine_bias[eos] += bump
        got = bundle.translate(text, DecodeSettings(max_len=11))
        want = _hf_translation(ref, src, 12)
    finally:
        with torch.no_grad():
            ref.final_logits_bias[0, eos] -= bump
            engine_bias[eos] -= bump
    assert got.generation.finished and len(got.generation.ids) <= 2
    assert [*got.generation.ids, eos] == want
    assert got.generation.ids == path[: len(got.generation.ids)]


def test_beam_translation_is_replayed_with_the_models_end_token(
    marian: tuple[Path, MarianMTModel, MarianBundle],
) -> None:
    bundle = marian[2]
    res = bundle.translate(SOURCES[0], DecodeSettings(beam=3, max_len=10))
    assert res.generation.tree and len(res.generation.choices) >= len(res.generation.ids)
    chosen = [c.chosen for c in res.generation.choices]
    eos = bundle.spm_tgt.eos_id
    assert chosen == res.generation.ids + ([eos] if res.generation.finished else [])
    ends = [n for n in res.generation.tree if n.finished]
    assert all(n.token == eos for n in ends)


def test_trace_of_a_translation_has_the_translators_step_names(
    marian: tuple[Path, MarianMTModel, MarianBundle],
) -> None:
    _, ref, bundle = marian
    trace, result = trace_translation(bundle, SOURCES[0], DecodeSettings(max_len=3))
    names = {s.key for s in trace.steps}
    for step in (
        "src.tokens",
        "src.embed_scaled",
        "src.pos",
        "enc.0.self_attn.weights",
        "enc.1.ffn.act",
        "enc.1.norm2",
        "t0/tgt.embed_scaled",
        "t0/dec.0.self_attn.masked",
        "t0/dec.0.cross_attn.weights",
        "t0/dec.1.norm3",
        "t0/logits",
        "t0/next.probs",
        "t0/next.token",
    ):
        assert step in names, step
    assert trace.meta["tgt_tokens"] == result.tokens
    assert trace.meta["src_tokens"][0] == "▁t"
    src, _ = bundle.encode_source(SOURCES[0])
    start = torch.tensor([[bundle.start_id]])
    with torch.no_grad():
        want = ref(input_ids=src, decoder_input_ids=start).logits[0, -1]
    got = torch.as_tensor(trace.value("t0/logits"))[0, -1]
    torch.testing.assert_close(got, want, atol=1e-5, rtol=0)
    probs = torch.as_tensor(trace.value("t0/next.probs"))[0]
    assert float(probs[bundle.spm_tgt.pad_id]) == 0.0  # banned, as opus-mt's config says


def test_translate_command_prints_the_translation(
    marian: tuple[Path, MarianMTModel, MarianBundle], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, _, bundle = marian
    res = run(capsys, "translate", "--model", folder, "--verbose", SOURCES[2])
    assert res.rc == 0, res.err
    assert res.first_line == bundle.translate(SOURCES[2]).text
    assert "▁m" in res.out or "▁" in res.out


# opus-mt-en-de's config.json as the hub has it (the BART-era keys included)
OPUS_EN_DE = {
    "activation_function": "swish",
    "add_bias_logits": False,
    "add_final_layer_norm": False,
    "architectures": ["MarianMTModel"],
    "bad_words_ids": [[58100]],
    "d_model": 512,
    "decoder_attention_heads": 8,
    "decoder_ffn_dim": 2048,
    "decoder_layers": 6,
    "decoder_start_token_id": 58100,
    "decoder_vocab_size": 58101,
    "dropout": 0.1,
    "encoder_attention_heads": 8,
    "encoder_ffn_dim": 2048,
    "encoder_layers": 6,
    "eos_token_id": 0,
    "max_position_embeddings": 512,
    "model_type": "marian",
    "normalize_before": False,
    "normalize_embedding": False,
    "pad_token_id": 58100,
    "scale_embedding": True,
    "share_encoder_decoder_embeddings": True,
    "static_position_embeddings": True,
    "vocab_size": 58101,
}


def test_opus_mt_en_de_config_is_read_as_the_engines_translator() -> None:
    """The real model's shape: 6 + 6 layers of d 512; one 58101 x 512 table counted once
    (positions are computed, the logits bias is a buffer): 73,886,208 parameters."""
    cfg, vocab = model_config(OPUS_EN_DE, "opus-mt-en-de")
    assert (cfg.n_enc_layers, cfg.n_dec_layers, cfg.d_model, cfg.n_heads) == (6, 6, 512, 8)
    assert (cfg.activation, cfg.positions, cfg.max_len, vocab) == (
        "silu",
        "sinusoidal-halves",
        512,
        58101,
    )
    table = 58101 * 512
    enc = 4 * (512 * 512 + 512) + (2 * 512 * 2048 + 2048 + 512) + 2 * 2 * 512
    dec = 8 * (512 * 512 + 512) + (2 * 512 * 2048 + 2048 + 512) + 3 * 2 * 512
    assert cfg.parameter_count(vocab, vocab) == table + 6 * enc + 6 * dec == 73_886_208


# -- folders the loader refuses, each with one line ----------------------------------------
def _one_line(folder: Path) -> str:
    with pytest.raises(HFFolderError) as err:
        load_folder(folder)
    text = str(err.value)
    assert "\n" not in text
    return text


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("normalize_before", True),
        ("add_bias_logits", True),
        ("share_encoder_decoder_embeddings", False),
        ("static_position_embeddings", False),
        ("activation_function", "tanh"),
        ("decoder_ffn_dim", 48),
        ("decoder_vocab_size", 99),
    ],
)
def test_unsupported_option_is_refused_by_name(
    marian: tuple[Path, MarianMTModel, MarianBundle], tmp_path: Path, option: str, value: object
) -> None:
    folder = marian[0]
    for f in folder.iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    config = json.loads((tmp_path / "config.json").read_text())
    (tmp_path / "config.json").write_text(json.dumps({**config, option: value}))
    assert option in _one_line(tmp_path)


def test_missing_tokenizer_file_is_refused(
    marian: tuple[Path, MarianMTModel, MarianBundle], tmp_path: Path
) -> None:
    for f in marian[0].iterdir():
        if f.name != "target.spm":
            (tmp_path / f.name).write_bytes(f.read_bytes())
    assert "target.spm" in _one_line(tmp_path)
