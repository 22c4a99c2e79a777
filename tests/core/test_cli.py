"""The command-line contract: the translation is the first stdout line; bad input of any
kind is exactly one "transformer-sim: error:" line on stderr and exit status 2."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from core import checkpoint, trace_io
from core.builtin_corpus import builtin_corpus
from tests.core.cli_kit import ERROR, Result, assert_user_error, run, run_quiet

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "assets" / "models"
EXE = Path(sys.executable).parent / "transformer-sim"
SRC, TGT = "Time flies like an arrow", "Die Zeit fliegt wie ein Pfeil"


# -- translate -----------------------------------------------------------------------------


def test_translate_default_pair_is_german(capsys: pytest.CaptureFixture[str]) -> None:
    res = run(capsys, "translate", SRC)
    assert res.rc == 0, res.err
    assert res.first_line == TGT
    assert res.err == ""


def test_translate_french(capsys: pytest.CaptureFixture[str]) -> None:
    res = run(capsys, "translate", "--pair", "en-fr", "You like this course")
    assert res.rc == 0, res.err
    assert res.first_line == "Vous aimez ce cours"


def test_translate_with_explicit_model_folder(capsys: pytest.CaptureFixture[str]) -> None:
    res = run(capsys, "translate", "--model", SHIPPED / "demo-fr", "I have a cat")
    assert res.rc == 0, res.err
    assert res.first_line == "J'ai un chat"


@pytest.mark.parametrize("pair", ["en-de", "en-fr"])
def test_beam_search_translates_the_lecture_sentences(
    pair: str, capsys: pytest.CaptureFixture[str]
) -> None:
    lecture = builtin_corpus(pair).lecture
    assert len(lecture) >= 4
    for p in lecture:
        res = run(capsys, "translate", "--pair", pair, "--beam", "3", p.source)
        assert res.rc == 0, res.err
        assert res.first_line == p.target


def test_sampling_is_reproducible_with_a_seed(capsys: pytest.CaptureFixture[str]) -> None:
    args = ("translate", "--temperature", "0.5", "--seed", "1", "The dog sees the cat")
    first, second = run(capsys, *args), run(capsys, *args)
    assert first.rc == second.rc == 0
    assert first.first_line and first.first_line == second.first_line


def test_sampling_depends_on_the_seed(capsys: pytest.CaptureFixture[str]) -> None:
    """So that the check above is not passing merely because sampling is ignored."""
    hot = [run(capsys, "translate", "--temperature", "5", "--seed", str(s), SRC) for s in range(4)]
    assert all(r.rc == 0 for r in hot)
    assert len({r.first_line for r in hot}) > 1
    again = run(capsys, "translate", "--temperature", "5", "--seed", "2", SRC)
    assert again.first_line == hot[2].first_line


def test_unknown_words_translate_with_a_warning(capsys: pytest.CaptureFixture[str]) -> None:
    res = run(capsys, "translate", "The zebra sees the cat")
    assert res.rc == 0, res.err
    assert res.first_line.strip()
    assert "Traceback" not in res.err
    warnings = [line for line in res.err_lines if "zebra" in line]
    assert len(warnings) == 1
    assert warnings[0].startswith("transformer-sim: warning:")
    assert ERROR not in res.err


def test_verbose_shows_tokens_after_the_translation(capsys: pytest.CaptureFixture[str]) -> None:
    res = run(capsys, "translate", "--verbose", "The zebra sees the cat")
    assert res.rc == 0, res.err
    lines = res.out.splitlines()
    assert lines[1].startswith("source tokens:")
    assert "<unk>(3)" in lines[1]
    assert any(line.startswith("step 0:") for line in lines)


# -- bad input: one line, exit status 2 ----------------------------------------------------


def _corrupt_weights(tmp: Path) -> Path:
    folder = Path(shutil.copytree(SHIPPED / "demo-de", tmp / "corrupt"))
    data = (folder / "model.safetensors").read_bytes()
    (folder / "model.safetensors").write_bytes(data[: len(data) // 2])
    return folder


def _garbage_folder(tmp: Path) -> Path:
    folder = tmp / "garbage"
    folder.mkdir()
    (folder / "config.json").write_text("{ not json", "utf-8")
    (folder / "vocab.json").write_text("[]", "utf-8")
    (folder / "model.safetensors").write_bytes(b"\x00" * 64)
    return folder


def _malformed_tsv(tmp: Path) -> Path:
    path = tmp / "bad.tsv"
    path.write_text("I see the dog.\tIch sehe den Hund.\nthis line has no tab\n", "utf-8")
    return path


def _a_file(tmp: Path) -> Path:
    path = tmp / "a-file"
    path.write_text("not a folder", "utf-8")
    return path


Args = Callable[[Path], list[str | Path]]

USER_ERRORS: dict[str, tuple[Args, tuple[str, ...]]] = {
    "empty": (lambda t: ["translate", ""], ("empty",)),
    "whitespace": (lambda t: ["translate", "  \t  "], ("empty",)),
    "5000 characters": (lambda t: ["translate", "a" * 5000], ("5000",)),
    "too many tokens": (lambda t: ["translate", " ".join(["cat"] * 200)], ("200",)),
    "emoji": (lambda t: ["translate", "I like 😀"], ("U+1F600",)),
    "control character": (lambda t: ["translate", "The dog\x07 sees"], ("U+0007",)),
    "zero width space": (lambda t: ["translate", "The\u200bdog"], ("U+200B",)),
    "undecodable argv byte": (lambda t: ["translate", "The dog \udcff"], ("U+DCFF",)),
    "unknown option": (lambda t: ["translate", "--bogus", "hi"], ("--bogus",)),
    "unknown command": (lambda t: ["fly", "hi"], ("fly",)),
    "missing model folder": (lambda t: ["translate", "--model", t / "nope", "hi"], ("nope",)),
    "corrupt weights": (lambda t: ["translate", "--model", _corrupt_weights(t), "hi"], ()),
    "garbage folder": (lambda t: ["translate", "--model", _garbage_folder(t), "hi"], ()),
    "beam 0": (lambda t: ["translate", "--beam", "0", SRC], ("--beam",)),
    "negative temperature": (lambda t: ["translate", "--temperature", "-1", SRC], ()),
    "top-p 0": (lambda t: ["translate", "--top-p", "0", SRC], ("--top-p",)),
    "beam past the limit": (lambda t: ["translate", "--beam", "100000", SRC], ("--beam",)),
    "temperature 1e-300": (
        lambda t: ["translate", "--temperature", "1e-300", SRC],
        ("--temperature",),
    ),
    "top-p 1e-300": (lambda t: ["translate", "--top-p", "1e-300", SRC], ("--top-p",)),
    "seed 10**30": (lambda t: ["translate", "--seed", str(10**30), SRC], ("--seed",)),
    "trace lr inf": (
        lambda t: ["trace", SRC, "--target", TGT, "--out", t / "t.npz", "--lr", "inf"],
        ("--lr",),
    ),
    "train lr nan": (
        lambda t: ["train", "--preset", "demo-de", "--lr", "nan", "--out", t / "out"],
        ("--lr",),
    ),
    "train into /proc": (
        lambda t: ["train", "--preset", "demo-de", "--out", "/proc/transformer-sim"],
        ("cannot write",),
    ),
    "train without data": (lambda t: ["train", "--out", t / "out"], ("--preset", "--corpus")),
    "train unknown preset": (
        lambda t: ["train", "--preset", "nope", "--out", t / "out"],
        ("nope",),
    ),
    "train missing corpus": (
        lambda t: ["train", "--corpus", t / "missing.tsv", "--out", t / "out"],
        ("missing.tsv",),
    ),
    "train malformed corpus": (
        lambda t: ["train", "--corpus", _malformed_tsv(t), "--out", t / "out"],
        ("bad.tsv:2",),
    ),
    "train negative steps": (
        lambda t: ["train", "--preset", "demo-de", "--steps", "-1", "--out", t / "out"],
        (),
    ),
    "train out is a file": (
        lambda t: ["train", "--preset", "demo-de", "--out", _a_file(t)],
        (),
    ),
    "trace out not npz": (
        lambda t: ["trace", SRC, "--target", TGT, "--out", t / "x.txt"],
        ("npz",),
    ),
    "trace into missing folder": (
        lambda t: ["trace", SRC, "--target", TGT, "--out", t / "no" / "t.npz"],
        ("folder",),
    ),
    "trace empty target": (lambda t: ["trace", SRC, "--target", " ", "--out", t / "t.npz"], ()),
    "trace emoji source": (lambda t: ["trace", "🦓", "--target", TGT, "--out", t / "t.npz"], ()),
}


@pytest.mark.parametrize("case", list(USER_ERRORS))
def test_bad_input_is_one_error_line_and_status_2(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_args, needles = USER_ERRORS[case]
    res = run(capsys, *make_args(tmp_path))
    assert_user_error(res, *needles)
    assert res.out == ""
    assert not (tmp_path / "out").exists()  # a failed `train` leaves no model behind
    assert not (tmp_path / "t.npz").exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["translate", "--beam", "abc", "hi"],
        ["translate"],
        ["translate", "--pair", "en-xx", "hi"],
        ["train", "--preset", "demo-de"],
        ["trace", "hi", "--out", "t.npz"],
    ],
    ids=["beam-not-int", "no-text", "unknown-pair", "train-no-out", "trace-no-target"],
)
def test_sub_command_usage_errors_use_the_common_prefix(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert_user_error(run(capsys, *argv))


def test_nan_temperature_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert_user_error(run(capsys, "translate", "--temperature", "nan", SRC))


def test_train_never_replaces_a_model_without_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = Path(shutil.copytree(SHIPPED / "demo-de", tmp_path / "m"))
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    res = run(capsys, "train", "--preset", "demo-de", "--steps", "0", "--out", out)
    assert_user_error(res, "already holds a model", "--force")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.txt").write_text("mine", "utf-8")
    res = run(capsys, "train", "--preset", "demo-de", "--steps", "0", "--out", tmp_path / "notes")
    assert_user_error(res, "holds other files")


def test_train_with_force_replaces_the_model_and_keeps_other_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = Path(shutil.copytree(SHIPPED / "demo-de", tmp_path / "m"))
    (out / "notes.txt").write_text("mine", "utf-8")
    res = run(capsys, "train", "--preset", "demo-de", "--steps", "0", "--force", "--out", out)
    assert res.rc == 0, res.err
    assert checkpoint.read_config(out)["steps_done"] == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "config.json",
        "model.safetensors",
        "notes.txt",
        "vocab.json",
    ]


def test_trace_never_replaces_files_without_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "t.json").write_text("mine", "utf-8")
    res = run(capsys, "trace", SRC, "--target", TGT, "--out", tmp_path / "t.npz")
    assert_user_error(res, "t.json", "--force")
    assert (tmp_path / "t.json").read_text("utf-8") == "mine"
    assert not (tmp_path / "t.npz").exists()


def test_a_never_ending_model_stops_at_its_max_len(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from safetensors.torch import load_file, save_file

    out = Path(shutil.copytree(SHIPPED / "demo-de", tmp_path / "m"))
    weights = load_file(str(out / "model.safetensors"))
    weights["head.bias"][2] = -1000.0  # <eos> can never win
    save_file(weights, str(out / "model.safetensors"), metadata={"format": checkpoint.FORMAT})
    res = run(capsys, "translate", "--model", out, SRC)
    assert res.rc == 0, res.err
    assert "stopped at the length limit (63 tokens)" in res.err


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    res = run(capsys, "--help")
    assert res.rc == 0
    assert "translate" in res.out


# -- train ---------------------------------------------------------------------------------

SUBJECTS = [("I", "Ich", "e"), ("You", "Du", "st"), ("We", "Wir", "en"), ("They", "Sie", "en")]
VERBS = [("see", "seh"), ("find", "find")]
OBJECTS = ["dog:den Hund", "cat:die Katze", "house:das Haus", "tree:den Baum", "car:das Auto"]


def _tsv_lines() -> list[str]:
    lines = []
    for en_s, de_s, ending in SUBJECTS:
        for en_v, de_v in VERBS:
            for obj in OBJECTS:
                en_o, de_o = obj.split(":")
                lines.append(f"{en_s} {en_v} the {en_o}.\t{de_s} {de_v}{ending} {de_o}.")
    return lines


@pytest.fixture(scope="module")
def small_model(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    tmp = tmp_path_factory.mktemp("train-tsv")
    lines = _tsv_lines()
    assert len(lines) == 40
    (tmp / "small.tsv").write_text("\n".join(lines) + "\n", "utf-8")
    out = tmp / "model"
    return out, run_quiet("train", "--corpus", tmp / "small.tsv", "--out", out, "--steps", "30")


def test_train_on_a_tsv_writes_a_bpe_model(small_model: tuple[Path, Result]) -> None:
    out, res = small_model
    assert res.rc == 0, res.err
    assert "Traceback" not in res.err
    assert {p.name for p in out.iterdir()} == {"model.safetensors", "config.json", "vocab.json"}
    config = json.loads((out / "config.json").read_text("utf-8"))
    assert config["tokenizer"] == "bpe"
    assert config["steps_done"] == 30
    vocab = json.loads((out / "vocab.json").read_text("utf-8"))
    assert vocab["source"]["kind"] == vocab["target"]["kind"] == "bpe"
    assert checkpoint.load(out).src_tok.kind == "bpe"


def test_translate_with_a_trained_model(
    small_model: tuple[Path, Result], capsys: pytest.CaptureFixture[str]
) -> None:
    out, _ = small_model
    res = run(capsys, "translate", "--model", out, "We see the house.")
    assert res.rc == 0, res.err
    # 30 steps teach little: the translation may even be empty, but it is one line
    assert res.out.endswith("\n")
    assert len(res.out.splitlines()) == 1
    assert ERROR not in res.err
    unseen = run(capsys, "translate", "--model", out, "We see the Ω.")
    assert unseen.rc == 0, unseen.err
    assert any("Ω" in line and "warning" in line for line in unseen.err_lines)


def test_train_a_preset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "de"
    res = run_quiet("train", "--preset", "demo-de", "--steps", "20", "--out", out)
    assert res.rc == 0, res.err
    config = checkpoint.read_config(out)
    assert (config["preset"], config["tokenizer"], config["steps_done"]) == ("demo-de", "word", 20)
    assert config["train"]["steps"] == 20
    bundle = checkpoint.load(out)
    assert bundle.src_tok.kind == "word"
    monkeypatch.chdir(tmp_path)
    translated = run_quiet("translate", "--model", "de", SRC)
    assert translated.rc == 0, translated.err
    assert translated.first_line.strip()


def test_translate_with_the_decoder_only_model(capsys: pytest.CaptureFixture[str]) -> None:
    res = run(capsys, "translate", "--model", SHIPPED / "gpt-de", SRC)
    assert res.rc == 0, res.err
    assert res.first_line == TGT
    beam = run(capsys, "translate", "--model", SHIPPED / "gpt-de", "--beam", "3", "--verbose", SRC)
    assert beam.first_line == TGT and "step 0: die" in beam.out


def test_train_a_decoder_only_model_on_a_builtin_pair(tmp_path: Path) -> None:
    out = tmp_path / "gpt"
    res = run_quiet(
        "train", "--preset", "demo-fr", "--arch", "decoder-only", "--steps", "5", "--out", out
    )
    assert res.rc == 0, res.err
    bundle = checkpoint.load(out)
    assert (bundle.cfg.arch, bundle.pair) == ("decoder-only", "en-fr")
    assert run_quiet("translate", "--model", out, "the cat sleeps").rc == 0


def test_train_a_mixture_of_experts(tmp_path: Path) -> None:
    out = tmp_path / "moe"
    args = ("--arch", "decoder-only", "--ffn", "moe", "--experts", "2", "--top-k", "2")
    res = run_quiet("train", "--preset", "gpt-de", *args, "--steps", "3", "--out", out)
    assert res.rc == 0, res.err
    cfg = checkpoint.load(out).cfg
    assert (cfg.arch, cfg.ffn, cfg.n_experts, cfg.top_k) == ("decoder-only", "moe", 2, 2)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--experts", "2", "--top-k", "3"), "top_k"),
        (("--experts", "0"), "expert"),
        (("--ffn", "moe", "--top-k", "5"), "top_k"),
        (("--arch", "decoder-only", "--tokenizer", "bpe"), "word"),
        (("--arch", "encoder-only"), "classifier"),
        (("--preset", "bert-who", "--arch", "decoder-only"), "translation preset"),
        (("--preset", "bert-who", "--corpus", "x.tsv"), "--corpus"),
    ],
)
def test_bad_model_shapes_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], needle: str
) -> None:
    res = run(
        capsys, "train", "--preset", "demo-de", "--steps", "1", "--out", tmp_path / "m", *args
    )
    assert_user_error(res, needle)
    assert not (tmp_path / "m" / "model.safetensors").exists()


def test_classify_prints_label_tab_probability_first(capsys: pytest.CaptureFixture[str]) -> None:
    res = run(capsys, "classify", SRC)  # the shipped bert-who by default
    assert res.rc == 0, res.err
    label, prob = res.first_line.split("\t")
    assert label == "thing" and 0.5 < float(prob) <= 1.0
    assert sorted(line.split("\t")[0] for line in res.out.splitlines()) == [
        "animal",
        "person",
        "thing",
    ]
    other = run(capsys, "classify", "--model", SHIPPED / "bert-who", "Fruit flies like a banana")
    assert other.first_line.startswith("animal\t")


@pytest.mark.parametrize(("model", "target"), [("gpt-de", TGT), ("bert-who", "thing")])
def test_trace_works_for_the_family(tmp_path: Path, model: str, target: str) -> None:
    out = tmp_path / "t.npz"
    res = run_quiet("trace", SRC, "--target", target, "--model", SHIPPED / model, "--out", out)
    assert res.rc == 0, res.err
    names = {s["name"] for s in json.loads(out.with_suffix(".json").read_text("utf-8"))["steps"]}
    assert ("loss.mask" if model == "gpt-de" else "cls.target") in names


def test_demo_covers_the_family(capsys: pytest.CaptureFixture[str]) -> None:
    res = run(capsys, "demo")
    assert res.rc == 0, res.err
    for name in ("demo-de", "demo-fr", "gpt-de", "moe-de", "bert-who"):
        assert f"({name})" in res.out
    assert "expected" not in res.out


def test_classify_a_picture_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import numpy as np

    from core.pictures import lecture_pictures

    pictures = lecture_pictures()
    np.save(tmp_path / "cat.npy", pictures.images[0][0])
    res = run(capsys, "classify", "--image", tmp_path / "cat.npy")  # vit-pets by default
    assert res.rc == 0, res.err
    assert res.first_line.startswith("cat\t")
    np.save(tmp_path / "big.npy", np.kron(pictures.images[1][0], np.ones((4, 4), np.float32)))
    assert run(capsys, "classify", "--image", tmp_path / "big.npy").first_line.startswith("dog\t")
    assert_user_error(run(capsys, "classify", "--image", tmp_path / "none.png"), "not found")
    assert_user_error(run(capsys, "classify", "--image", ROOT / "README.md"), "README.md")
    assert_user_error(run(capsys, "classify", "--image", tmp_path / "cat.npy", SRC), "give")
    assert_user_error(
        run(capsys, "classify", "--model", SHIPPED / "bert-who", "--image", tmp_path / "cat.npy"),
        "sentences",
    )


def test_classify_with_a_translation_model_is_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert_user_error(
        run(capsys, "classify", "--model", SHIPPED / "demo-de", SRC), "not a classifier"
    )
    assert_user_error(run(capsys, "translate", "--model", SHIPPED / "bert-who", SRC), "classifier")
    assert_user_error(run(capsys, "classify", "--model", SHIPPED / "vit-pets", SRC), "pictures")


# -- trace ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def traced(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    tmp = tmp_path_factory.mktemp("trace")
    return tmp, run_quiet("trace", SRC, "--target", TGT, "--out", tmp / "t.npz")


def test_trace_writes_npz_and_json(traced: tuple[Path, Result]) -> None:
    tmp, res = traced
    assert res.rc == 0, res.err
    assert (tmp / "t.npz").is_file()
    assert (tmp / "t.json").is_file()
    trace = trace_io.load(tmp / "t.npz", tmp / "t.json")
    n = len(trace.steps)
    assert res.first_line.startswith(f"{n} steps,")
    assert n > 100
    assert [s.index for s in trace.steps] == list(range(n))
    phases = [s.phase for s in trace.steps]
    assert set(phases) == {"forward", "loss", "backward", "update"}
    # in this order: forward, then loss, then backward, then update
    order = ["forward", "loss", "backward", "update"]
    assert [order.index(p) for p in phases] == sorted(order.index(p) for p in phases)
    referenced = {k for s in trace.steps for k in s.tensors.values()}
    assert referenced
    assert referenced <= set(trace.tensors)
    with_out = [s for s in trace.steps if "out" in s.tensors]
    assert len(with_out) == n
    for s in with_out:
        assert tuple(trace.tensors[s.tensors["out"]].shape) == s.shape, s.name
    assert trace.meta["source"] == SRC
    assert trace.meta["target"] == TGT
    assert trace.meta["loss_after"] < trace.meta["loss"]


def test_trace_json_option_prints_the_same_steps(
    traced: tuple[Path, Result], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tmp, _ = traced
    res = run(capsys, "trace", SRC, "--target", TGT, "--out", tmp_path / "t.npz", "--json")
    assert res.rc == 0, res.err
    printed = json.loads(res.out)
    saved = json.loads((tmp / "t.json").read_text("utf-8"))
    assert printed["format"] == saved["format"] == trace_io.FORMAT
    assert len(printed["steps"]) == len(saved["steps"])
    assert printed["steps"] == saved["steps"]
    assert (tmp_path / "t.npz").is_file()
    assert not (tmp_path / "t.json").exists()  # --json prints instead of writing


# -- end to end: real processes ------------------------------------------------------------


def _spawn(*argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, **env},
        encoding="utf-8",
        errors="replace",
    )


@pytest.fixture(scope="module")
def exe() -> str:
    path = EXE if EXE.exists() else shutil.which("transformer-sim")
    if path is None:
        pytest.skip("transformer-sim is not installed")
    return str(path)


def test_installed_command_translates(exe: str) -> None:
    proc = _spawn(exe, "translate", SRC)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == TGT


def test_python_m_core_translates_and_refuses_cleanly(tmp_path: Path) -> None:
    ok = _spawn(sys.executable, "-m", "core", "translate", "--pair", "en-fr", "I like this course")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.splitlines()[0] == "J'aime ce cours"
    bad = _spawn(
        sys.executable, "-m", "core", "translate", "--model", str(_corrupt_weights(tmp_path)), "hi"
    )
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr
    assert len(bad.stderr.splitlines()) == 1
    assert bad.stderr.startswith(ERROR)


def test_undecodable_argument_bytes_in_a_real_process(exe: str) -> None:
    proc = subprocess.run(
        [exe.encode(), b"translate", b"The dog \xff sees"], capture_output=True, timeout=120
    )
    assert proc.returncode == 2
    assert b"Traceback" not in proc.stderr
    assert len(proc.stderr.splitlines()) == 1
    assert proc.stderr.startswith(ERROR.encode())
