"""Is a fresh training run the run that built a shipped model?

On the machine that built the shipped weights, ``make models`` gives them back bit for
bit. On a machine whose float kernels differ (another vector unit, another BLAS code path:
this project's test machines have been of two kinds), every sum rounds differently in
its last bit, and training amplifies that: after 100-1000 steps the weights differ in the
third decimal, although the code, the data and every draw are the same. So a rebuild is
checked for what holds on every machine, and bit for bit where the arithmetic is the
builder's:

- the vocabulary and the step count are always the same;
- where a per-step loss curve was saved (the stages), the curve is compared step by step:
  identical losses at every step mean the builder's arithmetic, and then the weights must
  be identical bytes; otherwise the first 20 steps must agree to ``CURVE_RTOL``;
- the weights' relative distance ``|new - shipped| / |shipped|`` stays under the model's
  drift bound.

Measured on one AVX-512 machine against the shipped weights, with its native, its AVX2 and
its baseline kernels (``ATEN_CPU_CAPABILITY``): the first 20 losses of pre-training differ
by at most 2.7e-6 (relative), GRPO's by 1.9e-5; a learning rate 1 % off differs by 1.8e-3
from step 5 on. Weight distances: gpt-de <= 1.5e-3 and bert-who <= 3.5e-3 (a learning rate
1 % off: 1.3e-2 and 2.8e-2; one step fewer for bert-who: 7e-3; another seed: 1.2);
SFT and GRPO from the shipped stage before them <= 5.4e-4; pre-training from scratch, 1,000
steps, up to 8.9e-2 (there the loss curve tells code changes apart, not the distance).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from safetensors.torch import load_file

CURVE_STEPS = 20
CURVE_RTOL = 1e-4


def weight_distance(new: Path, shipped: Path) -> float:
    """Relative L2 distance of two safetensors files' tensors (same names, same shapes)."""
    a, b = load_file(new), load_file(shipped)
    assert a.keys() == b.keys()
    num = sum(float(((a[k].double() - b[k].double()) ** 2).sum()) for k in b)
    den = sum(float((b[k].double() ** 2).sum()) for k in b)
    return (num / den) ** 0.5


def same_arithmetic(new: list[float], shipped: list[float]) -> bool:
    """Two loss curves of one run: bit-identical, or the first steps within rounding.

    Returns True when every loss is identical (the builder's arithmetic); raises when the
    curves part by more than float rounding explains (the code or its draws changed)."""
    assert len(new) == len(shipped)
    if new == shipped:
        return True
    for step, (x, y) in enumerate(zip(new[:CURVE_STEPS], shipped[:CURVE_STEPS], strict=True)):
        assert abs(x - y) <= CURVE_RTOL * max(abs(y), 0.1), (step + 1, x, y)
    return False


def assert_rebuilt(new: Path, shipped: Path, drift: float, *, identical: bool = False) -> None:
    """The model folder ``new`` is the shipped one rebuilt: the same vocabulary bytes and,
    where ``identical`` (the builder's arithmetic), the same weight bytes; otherwise weights
    within ``drift`` of the shipped ones."""
    assert (new / "vocab.json").read_bytes() == (shipped / "vocab.json").read_bytes()
    same = (new / "model.safetensors").read_bytes() == (shipped / "model.safetensors").read_bytes()
    if identical:
        assert same, "the same loss at every step, yet other weights"
    elif not same:
        distance = weight_distance(new / "model.safetensors", shipped / "model.safetensors")
        assert distance <= drift, (distance, drift)


def config(folder: Path) -> dict[str, Any]:
    result: dict[str, Any] = json.loads((folder / "config.json").read_text("utf-8"))
    return result
