"""Hugging Face benchmark: a GPT-2-small-sized checkpoint opened, stepped, traced and trained.

The model: ``transformers``' GPT2LMHeadModel built from its config (12 layers, d_model 768,
12 heads, vocabulary 50,257, 1,024 positions; random weights, seed 0), saved with
``save_pretrained`` as safetensors (~500 MB) in a temporary folder and opened through
``core.hf.load_folder`` as a user's folder is. Its tokenizer is a byte-level BPE (GPT-2's
recipe) trained in a second with the ``tokenizers`` library on generated text, so it has
fewer tokens than the model's 50,257 rows (the model still scores all 50,257). The prompt
is 32 of its tokens; the decoding view generates 16 tokens greedily.

Prints medians, p95s and ratios; asserts nothing (timing belongs here, not in tests).
  a. open: load_folder -> the window painted with the new trace   (target <= 3 s)
  b. step command -> repainted window, p95                        (target <= 100 ms)
  c. traced / untraced: the 16-token generation, and one forward pass  (target <= 2x)
  d. peak memory of one traced training step, full trace vs light trace (block dec.11 +
     final norm in full, the rest as norms): each in a child process of its own, as the
     growth of its peak resident set (VmHWM - VmRSS after loading, /proc/self/status), and
     the bytes the trace itself holds. The full trace is past the ceilings it measures, so
     its child lifts them (limits.PARAM_TRACE_BYTES, TRACE_BYTES) for itself only; it is
     skipped, with the computed size printed, when the machine has not the memory free.
Run: .venv/bin/python bench/hf.py [--quick]   (--quick: a 2-layer d_model 64 model)
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.gui import make_window, report, step_latency  # noqa: E402

EOT = "<|endoftext|>"
PROMPT_TOKENS, NEW_TOKENS = 32, 16
TARGET = "the cat sat on the mat and the dog sees the bird"
FULL = {"n_layer": 12, "n_embd": 768, "n_head": 12, "n_positions": 1024, "vocab_size": 50257}
QUICK = {"n_layer": 2, "n_embd": 64, "n_head": 4, "n_positions": 128, "vocab_size": 50257}


# -- the checkpoint --------------------------------------------------------------------------
def generated_text(n_words: int, seed: int = 0) -> list[str]:
    """Lines of made-up words from English-like syllables (the tokenizer's training text)."""
    rng = random.Random(seed)
    onsets = ["", "b", "c", "d", "f", "g", "h", "l", "m", "n", "p", "r", "s", "t", "th", "w"]
    vowels = ["a", "e", "i", "o", "u", "ea", "ou"]
    codas = ["", "n", "r", "s", "t", "ng", "st"]
    common = ["the", "a", "of", "and", "to", "in", "is", "it", "that", "was", "for", "on"]
    words = [
        "".join(rng.choice(onsets) + rng.choice(vowels) + rng.choice(codas) for _ in range(k))
        for k in (rng.randint(1, 3) for _ in range(3000))
    ]
    lines, line = [], []
    for _ in range(n_words):
        line.append(rng.choice(common) if rng.random() < 0.3 else rng.choice(words))
        if len(line) >= rng.randint(6, 14):
            lines.append(" ".join(line) + rng.choice([".", ",", "?", ""]))
            line = []
    return lines


def write_checkpoint(folder: Path, sizes: dict[str, int]) -> tuple[float, int]:
    """GPT-2 of ``sizes`` with random weights + a byte-level BPE tokenizer; (s, vocab)."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import GPT2Config, GPT2LMHeadModel

    t0 = time.perf_counter()
    tk = Tokenizer(models.BPE())
    tk.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tk.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=8000,
        special_tokens=[EOT],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tk.train_from_iterator(generated_text(200_000), trainer)
    eot = tk.token_to_id(EOT)
    torch.manual_seed(0)
    config = GPT2Config(**sizes, bos_token_id=eot, eos_token_id=eot)  # type: ignore[arg-type]
    GPT2LMHeadModel(config).eval().save_pretrained(folder)
    tk.save(str(folder / "tokenizer.json"))
    return time.perf_counter() - t0, tk.get_vocab_size()


def prompt_of(folder: Path) -> tuple[str, int]:
    """A text of PROMPT_TOKENS tokens of the checkpoint's own tokenizer (and its count)."""
    from tokenizers import Tokenizer

    tk = Tokenizer.from_file(str(folder / "tokenizer.json"))
    ids = tk.encode(" ".join(generated_text(400, seed=1))).ids[:PROMPT_TOKENS]
    text = tk.decode(ids).strip()
    return text, len(tk.encode(text).ids)


# -- a. open, b. step, c. traced / untraced -----------------------------------------------------
def open_to_painted(folder: Path, prompt: str, steps: int) -> None:
    from core.hf import load_folder
    from core.session import Session

    session = Session.open_builtin("en-de")
    session.set_decode(beam=1, temperature=0.0, top_k=0, top_p=1.0, max_len=NEW_TOKENS)
    app, window = make_window(session)
    t0 = time.perf_counter()
    load_folder(folder)  # alone, first: also brings the file into the page cache
    load = time.perf_counter() - t0
    t0 = time.perf_counter()
    session.open_model(folder, prompt)  # load_folder + the traced 16-token continuation
    ran = time.perf_counter() - t0
    app.processEvents()  # type: ignore[attr-defined]
    window.repaint()  # type: ignore[attr-defined]
    painted = time.perf_counter() - t0
    if session.error:
        print(f"a. open: failed: {session.error}")
        window.close()  # type: ignore[attr-defined]
        return
    made = len(session.translation.tokens) if session.translation else 0
    print(
        f"a. open: load_folder alone {load:.2f} s (cold file cache); load_folder -> "
        f"window painted with the trace {painted:.2f} s (warm file cache; of which "
        f"loading + tracing {ran:.2f} s, views + paint {painted - ran:.2f} s)   "
        f"(target <= 3 s); {len(session)} steps, {made} new tokens"
    )
    ms = step_latency(session, app, window, steps)
    report("b. step -> repainted window", ms, "target p95 <= 100 ms")
    full = step_latency(session, app, window, steps, full=True)
    report("   same, whole window repainted too", full, "pessimistic bound")
    window.close()  # type: ignore[attr-defined]


def interleaved(jobs: dict[str, Callable[[], object]], repeats: int) -> dict[str, list[float]]:
    """Each job ``repeats`` times, alternating, after one unmeasured warm-up each."""
    times: dict[str, list[float]] = {k: [] for k in jobs}
    for job in jobs.values():
        job()
    for _ in range(repeats):
        for name, job in jobs.items():
            t0 = time.perf_counter()
            job()
            times[name].append(time.perf_counter() - t0)
    return times


def traced_ratio(folder: Path, prompt: str, repeats: int) -> None:
    import torch

    from core.decode import DecodeSettings
    from core.hf import load_folder
    from core.trace import Tracer
    from core.tracing import trace_translation

    bundle = load_folder(folder)
    settings = DecodeSettings(max_len=NEW_TOKENS)
    ids, _ = bundle.encode_source(prompt)
    model = bundle.model

    def forward_traced() -> None:
        tracer = Tracer(grads=False)
        tracer.watch_parameters(model, clone=False)
        with torch.no_grad(), tracer.active():
            model(ids)

    def forward_plain() -> None:
        with torch.no_grad():
            model(ids)

    gen = interleaved(
        {
            "traced": lambda: trace_translation(bundle, prompt, settings),
            "untraced": lambda: bundle.translate(prompt, settings),
        },
        repeats,
    )
    one = interleaved({"traced": forward_traced, "untraced": forward_plain}, repeats * 4)
    for title, times in ((f"{NEW_TOKENS}-token generation", gen), ("one forward pass", one)):
        t, u = statistics.median(times["traced"]), statistics.median(times["untraced"])
        print(
            f"c. traced / untraced, {title}: {t * 1e3:.0f} ms / {u * 1e3:.0f} ms = "
            f"{t / u:.2f}x   (target <= 2x; median of {len(times['traced'])})"
        )


# -- d. memory of a traced training step ---------------------------------------------------------
def _status(field: str) -> int:
    """A /proc/self/status field in bytes (VmRSS, VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(field)


def child(kind: str, folder: str, prompt: str) -> None:
    """One traced training step in this process; prints its memory as key=value."""
    from core import limits
    from core.hf import load_folder
    from core.tracing import trace_step_on_copy

    bundle = load_folder(folder)
    block = ""
    if kind == "full":  # lift the ceilings this measures, in this process only
        limits.PARAM_TRACE_BYTES = limits.TRACE_BYTES = 1 << 62
    else:  # the last block (and the final norm) in full, as the window does by default
        block = f"dec.{bundle.cfg.n_dec_layers - 1}"
    loaded = _status("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current RSS
    t0 = time.perf_counter()
    trace = trace_step_on_copy(bundle, prompt, TARGET, block=block)
    took = time.perf_counter() - t0
    held = sum(t.numel() * t.element_size() for t in trace.tensors.values())
    print(
        f"peak={_status('VmHWM') - loaded} held={held} seconds={took:.2f} "
        f"light={int(trace.meta['light'])} steps={len(trace)}"
    )


def memory(folder: Path, prompt: str) -> None:
    from core import limits
    from core.hf import load_folder

    bundle = load_folder(folder)
    params = sum(p.numel() for p in bundle.model.parameters())
    model = 4 * params
    del bundle
    need = model * (2 + limits.STEP_COPIES + limits.TRACE_COPIES) + (1 << 30)
    free = next(
        int(line.split()[1]) * 1024
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemAvailable:")
    )
    size = limits.size_text
    print(
        f"d. one traced training step, {params:,} parameters "
        f"(full trace computed: {size(limits.train_trace_bytes(params))}; "
        f"the step's own working memory: {size(limits.train_step_bytes(params))}):"
    )
    exe = str(ROOT / ".venv" / "bin" / "python")
    for kind in ("full", "light"):
        if kind == "full" and need > free:
            print(f"   full trace: skipped, it needs about {size(need)} and {size(free)} is free")
            continue
        out = subprocess.run(
            [exe, __file__, "--child", kind, str(folder), prompt],
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode:
            print(f"   {kind} trace: failed: {out.stderr.strip().splitlines()[-1:]}")
            continue
        line = out.stdout.strip().splitlines()[-1]
        f = dict(tok.split("=") for tok in line.split())
        print(
            f"   {kind:5s} trace: peak resident growth {size(int(f['peak']))}, the trace holds "
            f"{size(int(f['held']))}, {f['steps']} steps, {f['seconds']} s"
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument(
        "--threads", type=int, default=0, help="torch intra-op threads (default: torch's own)"
    )
    ap.add_argument("--child", nargs=3, metavar=("KIND", "DIR", "PROMPT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return
    sizes = QUICK if args.quick else FULL
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory(prefix="bench-hf-") as tmp:
        folder = Path(tmp)
        took, vocab = write_checkpoint(folder, sizes)
        weights = sum(p.stat().st_size for p in folder.glob("*.safetensors"))
        prompt, n = prompt_of(folder)
        print(
            f"GPT-2 {sizes['n_layer']} layers, d_model {sizes['n_embd']}, {sizes['n_head']} heads, "
            f"vocabulary {sizes['vocab_size']:,} (random weights, {weights / 2**20:.0f} MiB of "
            f"safetensors; BPE tokenizer of {vocab:,} tokens trained on generated text), "
            f"written in {took:.1f} s; prompt of {n} tokens, {NEW_TOKENS} new tokens, "
            "window 1600x1000:"
        )
        open_to_painted(folder, prompt, 60 if args.quick else 300)
        traced_ratio(folder, prompt, 2 if args.quick else 5)
        memory(folder, prompt)


if __name__ == "__main__":
    main()
