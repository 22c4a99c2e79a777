"""The documented ceilings: how much work any file or option may ask for.

Model folders, session files, chapters, narration files and corpora come from
anywhere, and options are typed by hand, so every size a file or an option states is
checked here *before* the work it implies starts: nothing is read whole before its
size is known, nothing is allocated before the config's memory is computed, and
nothing loops longer than a limit that does not depend on the input. Each refusal is
a ``LimitError`` (a ``ValueError``) with one line. The numbers are documented in the
README ("Limits"); ``tests/hostile`` runs hostile files and options in a subprocess
under ``PROCESS_MEMORY`` and checks each of them.

Standard library only at import (NumPy is imported by ``json_depth`` when it runs; no
PyTorch), so the corpus reader and the window's files can use it.
"""

from __future__ import annotations

import json
import math
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.messages import msg

if TYPE_CHECKING:
    from core.config import ModelConfig

KiB, MiB, GiB = 1 << 10, 1 << 20, 1 << 30

# -- the process ---------------------------------------------------------------------------
PROCESS_MEMORY = 3 * GiB  # no crafted file or option takes a command past this (address space)

# -- models ----------------------------------------------------------------------------------
MAX_MODEL_LEN = 512  # a config's max_len (positions); decoding stops at max_len - 1 tokens
MAX_DECODE_LEN = MAX_MODEL_LEN - 1
MODEL_BYTES = 256 * MiB  # parameters + buffers (position tables), float32, from the config
MAX_PARAMETERS = MODEL_BYTES // 4
ACTIVATION_BYTES = 32 * MiB  # the widest activation of one sentence at max_len (float32)
TRACE_BYTES = 1 * GiB  # the tensors one traced run may hold
# A traced training step keeps up to TRACE_COPIES float32 copies of every parameter it
# records in full (before, gradient, the clipped gradient Adam used, Adam's m and v, the
# update, after); they must fit PARAM_TRACE_BYTES, which leaves a quarter of TRACE_BYTES
# for the sentence's activations and their gradients. Past it, the step records chosen
# layers in full and every other parameter as norms (``core.tracing``: the light trace).
TRACE_COPIES = 7
PARAM_TRACE_BYTES = 3 * TRACE_BYTES // 4
LIGHT_NUMBERS = 4  # a parameter recorded as norms: |before|, |gradient|, |update|, |after|
STEP_COPIES = 4  # a training step's own working memory: a copy, gradients, Adam's m and v

# -- real checkpoints (``core.hf``: GPT-2, BERT, Marian as their authors trained them) -----------
# A base-size checkpoint (GPT-2 small 475 MiB, BERT-base 418 MiB, opus-mt-en-de 285 MiB) is
# past the built-in models' budget, so real checkpoints have one of their own. A traced
# training step of one is held to PARAM_TRACE_BYTES by the light trace; its working memory
# is STEP_COPIES x the weights (``train_step_bytes``: 1.8 GiB for GPT-2 small).
REAL_MODEL_BYTES = 512 * MiB
REAL_ACTIVATION_BYTES = 128 * MiB  # GPT-2's logits at 512 positions: 98 MiB
REAL_WEIGHTS_BYTES = REAL_MODEL_BYTES + 64 * MiB  # old GPT-2 files add 48 MiB of mask buffers

# -- decoding and training options -------------------------------------------------------------
MAX_BEAM = 8
MAX_CANDIDATES = 50
MAX_TOP_K = 1_000_000  # more than any vocabulary the model budget allows
MIN_TEMPERATURE, MAX_TEMPERATURE = 0.01, 100.0  # or 0: greedy
MIN_TOP_P = 0.001
MAX_LENGTH_PENALTY = 10.0
MAX_SEED = 2**63 - 1
MAX_STEPS = 1_000_000
MAX_BATCH_SIZE = 4096
MAX_LR = 1e4

# -- files -----------------------------------------------------------------------------------
MAX_JSON_DEPTH = 64  # nesting of arrays and objects in any JSON file we read
CONFIG_BYTES = 1 * MiB  # a model's config.json
VOCAB_BYTES = 16 * MiB  # a model's vocab.json (BPE vocabularies are large)
STATE_BYTES = 32 * MiB  # a session's state.json (long training histories)
WEIGHTS_BYTES = MODEL_BYTES + 4 * MiB  # model.safetensors: the weights plus their header
SESSION_BYTES = WEIGHTS_BYTES + CONFIG_BYTES + VOCAB_BYTES + STATE_BYTES  # all entries, inflated
CHAPTER_BYTES = 1_000_000
NARRATION_BYTES = 1 * MiB
CORPUS_BYTES = 32 * MiB  # a user's TSV corpus

# -- pictures and debugger lists -----------------------------------------------------------------
MAX_PICTURE_PIXELS = 64_000_000  # width × height × scale² of a shot, export or frame
MAX_BREAKPOINTS = 200
MAX_WATCHES = 100
MAX_INTERVENTIONS = 100


class LimitError(ValueError):
    """A file or option asks for more than a documented ceiling; one line for the user."""


# -- reading files ---------------------------------------------------------------------------
def read_file(path: str | os.PathLike[str], max_bytes: int) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``.

    Never blocks and never reads more than the limit: a FIFO, a device (``/dev/zero``),
    a socket or a folder is refused before anything is read, the size is checked before
    reading, and a file that grows while being read is refused too. ``OSError`` (not
    found, no permission) passes through for the caller to word; the rest is a
    ``LimitError`` without the path (the caller names it)."""
    fd = os.open(os.fspath(path), os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(21, "is a folder, not a file", os.fspath(path))
        if not stat.S_ISREG(info.st_mode):
            raise LimitError(msg("not_regular_file"))
        if info.st_size > max_bytes:
            raise LimitError(msg("file_too_big", size=info.st_size, limit=max_bytes))
        os.set_blocking(fd, True)
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = os.read(fd, min(1 * MiB, max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > max_bytes:
                raise LimitError(f"more than {max_bytes:,} bytes (the limit)")
        return b"".join(chunks)
    finally:
        os.close(fd)


def parse_json(data: bytes | str, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parsed JSON, its nesting checked before parsing (``json_depth``); any failure
    (syntax, encoding, too deep, out of memory) is one ``LimitError`` line."""
    try:
        raw = data.encode("utf-8") if isinstance(data, str) else data
        depth = json_depth(raw)
        if depth > max_depth:
            raise LimitError(f"nested {depth} levels deep; the limit is {max_depth}")
        return json.loads(raw.decode("utf-8"))
    except LimitError:
        raise
    except UnicodeError as e:
        raise LimitError(msg("json_not_utf8", reason=_first_line(e))) from None
    except json.JSONDecodeError as e:
        raise LimitError(msg("json_invalid_at", reason=e.msg, line=e.lineno)) from None
    except (ValueError, RecursionError) as e:  # e.g. an integer of 5,000 digits
        raise LimitError(msg("json_invalid", reason=_first_line(e))) from None
    except MemoryError:
        raise LimitError("too large to parse in the memory available") from None


def read_json(path: str | os.PathLike[str], max_bytes: int) -> Any:
    """``read_file`` + ``parse_json``; OSError passes through, the rest is LimitError."""
    return parse_json(read_file(path, max_bytes))


_CHUNK = 256 * KiB
_QUOTE, _BACKSLASH = ord('"'), ord("\\")
_OPEN, _CLOSE = (ord("["), ord("{")), (ord("]"), ord("}"))


def json_depth(data: bytes) -> int:
    """How deeply arrays and objects nest in ``data`` (brackets inside strings do not
    count), in linear time and constant memory (NumPy, chunk by chunk).

    Exact for valid JSON. For invalid JSON it is exact up to the first syntax error,
    which is where a parser stops: so a parse never nests deeper than this says."""
    import numpy as np

    depth = deepest = 0
    in_string = False
    backslashes = 0  # the run of backslashes that ended the previous chunk
    for start in range(0, len(data), _CHUNK):
        a = np.frombuffer(data, np.uint8, count=min(_CHUNK, len(data) - start), offset=start)
        n = len(a)
        is_bs = a == _BACKSLASH
        # a quote counts unless an odd run of backslashes comes right before it
        pos = np.arange(n, dtype=np.int64)
        last_other = np.maximum.accumulate(np.where(is_bs, -1, pos))  # last non-backslash <= i
        before = np.concatenate(([-1], last_other[:-1]))  # last non-backslash < i
        run = pos - 1 - before + np.where(before < 0, backslashes, 0)
        quotes = (a == _QUOTE) & (run % 2 == 0)
        toggles = np.cumsum(quotes, dtype=np.int64) - quotes + int(in_string)
        outside = (toggles % 2 == 0) & ~quotes
        delta = np.zeros(n, np.int64)
        delta[outside & np.isin(a, _OPEN)] = 1
        delta[outside & np.isin(a, _CLOSE)] = -1
        levels = depth + np.cumsum(delta)
        if n:
            deepest = max(deepest, int(levels.max()))
            depth = int(levels[-1])
            in_string = bool((int(in_string) + int(quotes.sum())) % 2)
            tail = n - 1 - int(last_other[-1])
            backslashes = tail + backslashes if tail == n else tail
    return deepest


# -- models ------------------------------------------------------------------------------------
def model_bytes(cfg: ModelConfig, src_vocab: int, tgt_vocab: int) -> int:
    """Memory of a model's parameters and buffers (float32), from its config alone:
    every parameter plus the sinusoid position table every model registers."""
    return 4 * (cfg.parameter_count(src_vocab, tgt_vocab) + cfg.max_len * cfg.d_model)


def activation_bytes(cfg: ModelConfig, src_vocab: int, tgt_vocab: int) -> int:
    """The widest activation of one sentence at ``max_len`` positions (float32):
    attention scores (heads × positions), the feed-forward hidden layer, the logits."""
    widest = max(cfg.n_heads * cfg.max_len, cfg.d_ff, cfg.d_model, src_vocab, tgt_vocab)
    return 4 * cfg.max_len * widest


def check_model(cfg: ModelConfig, src_vocab: int, tgt_vocab: int, real: bool = False) -> None:
    """Refuse a config (before anything is built) whose length, weights or activations
    are past the ceilings; the message says which and the limit. ``real``: a Hugging Face
    checkpoint (``core.hf``), held to REAL_MODEL_BYTES and REAL_ACTIVATION_BYTES."""
    model_limit = REAL_MODEL_BYTES if real else MODEL_BYTES
    wide_limit = REAL_ACTIVATION_BYTES if real else ACTIVATION_BYTES
    if cfg.max_len > MAX_MODEL_LEN:
        raise LimitError(msg("max_len_limit", n=cfg.max_len, limit=MAX_MODEL_LEN))
    need = model_bytes(cfg, src_vocab, tgt_vocab)
    if need > model_limit:
        params = cfg.parameter_count(src_vocab, tgt_vocab)
        raise LimitError(
            msg("model_too_big", params=params, need=_size(need), limit=_size(model_limit))
        )
    wide = activation_bytes(cfg, src_vocab, tgt_vocab)
    if wide > wide_limit:
        raise LimitError(
            msg(
                "activations_too_big",
                n=cfg.max_len,
                need=_size(wide),
                limit=_size(wide_limit),
            )
        )


# -- traced training steps -----------------------------------------------------------------------
def train_trace_bytes(full_params: int, light_tensors: int = 0) -> int:
    """What a traced training step keeps for its parameters (float32): TRACE_COPIES
    copies of each of the ``full_params`` numbers recorded in full, LIGHT_NUMBERS norms
    for each of the ``light_tensors`` parameters recorded as norms (the light trace)."""
    return 4 * (TRACE_COPIES * full_params + LIGHT_NUMBERS * light_tensors)


def train_step_bytes(params: int) -> int:
    """A training step's own working memory beside the model (float32): the copy of the
    model the step trains, its gradients and Adam's two moments; the same for any trace."""
    return 4 * STEP_COPIES * params


def check_train_trace(full_params: int, light_tensors: int, total_params: int) -> int:
    """The bytes a traced training step will keep for its parameters, checked against
    PARAM_TRACE_BYTES before anything is copied; past it, one line that says what the
    trace of ``full_params`` of ``total_params`` parameters would take."""
    need = train_trace_bytes(full_params, light_tensors)
    if need > PARAM_TRACE_BYTES:
        what = "a full" if light_tensors == 0 else "this light"
        raise LimitError(
            f"{what} training-step trace ({full_params:,} of {total_params:,} parameters "
            f"in full) would record {size_text(need)}; the limit is "
            f"{size_text(PARAM_TRACE_BYTES)} "
            "(record fewer layers in full: the light trace)"
        )
    return need


# -- options ---------------------------------------------------------------------------------
def check_seed(seed: int, name: str = "seed") -> int:
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise LimitError(msg("seed_range", name=name, high=MAX_SEED, seed=repr(seed)))
    return seed


def check_temperature(t: float) -> float:
    """0 (greedy) or from MIN_TEMPERATURE to MAX_TEMPERATURE: a smaller one overflows
    float32 logits, which is no longer sampling."""
    ok = t == 0 or (math.isfinite(t) and MIN_TEMPERATURE <= t <= MAX_TEMPERATURE)
    if isinstance(t, bool) or not ok:
        raise LimitError(
            msg(
                "temperature_range",
                low=f"{MIN_TEMPERATURE:g}",
                high=f"{MAX_TEMPERATURE:g}",
                t=repr(t),
            )
        )
    return t


def check_top_p(p: float) -> float:
    if isinstance(p, bool) or not (math.isfinite(p) and MIN_TOP_P <= p <= 1):
        raise LimitError(msg("top_p_range", low=f"{MIN_TOP_P:g}", p=repr(p)))
    return p


def check_beam(beam: int) -> int:
    if isinstance(beam, bool) or not isinstance(beam, int) or not 1 <= beam <= MAX_BEAM:
        raise LimitError(msg("beam_range", high=MAX_BEAM, beam=repr(beam)))
    return beam


def check_lr(lr: float) -> float:
    if isinstance(lr, bool) or not (math.isfinite(lr) and 0 < lr <= MAX_LR):
        raise LimitError(msg("lr_range", high=f"{MAX_LR:g}", lr=repr(lr)))
    return lr


def check_picture(width: int, height: int, scale: float = 1.0) -> None:
    """A picture of width × height at ``scale`` must stay within MAX_PICTURE_PIXELS
    (checked before any image is allocated)."""
    pixels = round(width * scale) * round(height * scale)
    if pixels > MAX_PICTURE_PIXELS:
        raise LimitError(
            f"{width}x{height} at scale {scale:g} is {pixels:,} pixels; "
            f"the limit is {MAX_PICTURE_PIXELS:,} (smaller --size or --scale)"
        )


def check_count(what: str, n: int, limit: int) -> None:
    if n > limit:
        raise LimitError(f"{n:,} {what}; the limit is {limit:,}")


# -- words -----------------------------------------------------------------------------------
def _size(n: int) -> str:
    return f"{n / GiB:.1f} GiB" if n >= GiB else f"{n / MiB:.0f} MiB"


def size_text(n: int) -> str:
    """Bytes as people read them in messages and the window: "3.2 GiB", "198 MiB"."""
    return _size(n) if n >= MiB else f"{n / KiB:.0f} KiB"


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return text[0][:120] if text else type(e).__name__


def describe_path(path: Path) -> str:
    """What a path that is not a regular file is, for messages ("a folder", "a pipe")."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return msg("path_missing")
    for test, key in (
        (stat.S_ISDIR, "path_folder"),
        (stat.S_ISFIFO, "path_pipe"),
        (stat.S_ISCHR, "path_device"),
        (stat.S_ISBLK, "path_device"),
        (stat.S_ISSOCK, "path_socket"),
    ):
        if test(mode):
            return msg(key)
    return msg("path_file")


def finite_json(value: Any) -> Any:
    """``value`` with every NaN or ±Infinity float replaced by None (JSON null), so
    ``json.dumps(..., allow_nan=False)`` writes standard JSON (a diverged run's loss)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite_json(v) for v in value]
    return value
