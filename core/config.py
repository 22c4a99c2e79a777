"""Model and training settings, and the named presets users pick from.

One frozen dataclass per concern so a checkpoint can store exactly what built the
model (``ModelConfig``) apart from how it was trained (``TrainConfig``). Presets are
plain data: the GUI's model dialog and the command line both list them from here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Literal, TypeVar

Activation = Literal["relu", "gelu"]
NormPlacement = Literal["post", "pre"]
Positions = Literal["sinusoidal", "learned"]
T = TypeVar("T", "ModelConfig", "TrainConfig")


class ConfigError(ValueError):
    """A setting is out of range or unknown; the message is one line for the user."""


def _check_choice(field: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ConfigError(f"{field} must be one of {', '.join(allowed)}; got {value!r}")


@dataclass(frozen=True)
class ModelConfig:
    """Shape of an encoder-decoder Transformer (vocab sizes come from the tokenizers)."""

    d_model: int = 64
    n_heads: int = 4
    n_enc_layers: int = 2
    n_dec_layers: int = 2
    d_ff: int = 128
    dropout: float = 0.0
    activation: Activation = "relu"
    norm: NormPlacement = "post"
    positions: Positions = "sinusoidal"
    max_len: int = 64
    final_norm: bool = False  # an extra LayerNorm after each stack (standard for pre-norm)

    def __post_init__(self) -> None:
        if self.d_model <= 0 or self.n_heads <= 0 or self.d_model % self.n_heads:
            raise ConfigError(
                f"d_model ({self.d_model}) must be a positive multiple of n_heads ({self.n_heads})"
            )
        if min(self.n_enc_layers, self.n_dec_layers, self.d_ff, self.max_len) <= 0:
            raise ConfigError("layers, d_ff and max_len must be positive")
        if not 0.0 <= self.dropout < 1.0:
            raise ConfigError(f"dropout must be in [0, 1), got {self.dropout}")
        _check_choice("activation", self.activation, ("relu", "gelu"))
        _check_choice("norm", self.norm, ("post", "pre"))
        _check_choice("positions", self.positions, ("sinusoidal", "learned"))

    @property
    def d_head(self) -> int:
        return self.d_model // self.n_heads

    def parameter_count(self, src_vocab: int, tgt_vocab: int) -> int:
        """How many parameters ``Transformer(self, src_vocab, tgt_vocab)`` has, without
        building it (a checkpoint's config is checked before anything is allocated)."""
        d, f = self.d_model, self.d_ff
        attn = 4 * (d * d + d)
        ffn = d * f + f + f * d + d
        norm = 2 * d
        enc = attn + ffn + 2 * norm
        dec = 2 * attn + ffn + 3 * norm
        embed = (src_vocab + tgt_vocab) * d + (
            self.max_len * d if self.positions == "learned" else 0
        )
        final = 2 * norm if self.final_norm else 0
        head = d * tgt_vocab + tgt_vocab
        return embed + self.n_enc_layers * enc + self.n_dec_layers * dec + final + head

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelConfig:
        return _from_dict(cls, data)


@dataclass(frozen=True)
class TrainConfig:
    """How a model is trained: optimiser, schedule, batches and when to stop."""

    lr: float = 3e-3
    warmup: int = 100
    batch_size: int = 64
    steps: int = 3000
    seed: int = 0
    label_smoothing: float = 0.0
    grad_clip: float = 1.0
    eval_every: int = 100
    stop_when_lecture_correct: bool = False

    def __post_init__(self) -> None:
        if self.lr <= 0 or self.batch_size <= 0 or self.steps < 0 or self.warmup < 0:
            raise ConfigError("lr and batch_size must be positive; steps and warmup >= 0")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        return _from_dict(cls, data)


@dataclass(frozen=True)
class Preset:
    """A named starting point: a model shape, a training recipe and a built-in corpus."""

    name: str
    description: str
    pair: str
    model: ModelConfig
    train: TrainConfig


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            "demo-de",
            "English to German, small enough to read every number on screen",
            "en-de",
            ModelConfig(),
            TrainConfig(steps=600),
        ),
        Preset(
            "demo-fr",
            "English to French (subject-verb agreement), same size as demo-de",
            "en-fr",
            ModelConfig(),
            TrainConfig(steps=600),
        ),
        Preset(
            "base",
            "The paper's base size (d_model 512, 8 heads, 6+6 layers): slow on a CPU",
            "en-de",
            ModelConfig(
                d_model=512,
                n_heads=8,
                n_enc_layers=6,
                n_dec_layers=6,
                d_ff=2048,
                dropout=0.1,
                max_len=128,
            ),
            TrainConfig(lr=5e-4, warmup=400, batch_size=32, steps=2000),
        ),
        # The NaN-breakpoint demo: Adam moves every weight by about lr per step, so at
        # lr 200 the activations and then the gradients overflow float32 within about
        # ten steps (seeds 0-2 tested); with no clipping an infinite gradient reaches
        # Adam, the weights become NaN, and the next loss is NaN. Trace the step before
        # that and a "nonfinite" breakpoint stops where the first Inf appears.
        Preset(
            "diverge-de",
            "demo-de with a learning rate far too high and no gradient clipping: "
            "the loss blows up to NaN within a few dozen steps (the NaN-breakpoint demo)",
            "en-de",
            ModelConfig(),
            TrainConfig(lr=200.0, warmup=0, grad_clip=0.0, steps=100),
        ),
    )
}


def preset(name: str) -> Preset:
    """Look a preset up by name; an unknown name lists the known ones."""
    try:
        return PRESETS[name]
    except KeyError:
        raise ConfigError(f"unknown preset {name!r}; choose one of: {', '.join(PRESETS)}") from None


def _from_dict(cls: type[T], data: dict[str, Any]) -> T:
    """Build a config from JSON, refusing unknown keys and wrong types with one line."""
    if not isinstance(data, dict):
        raise ConfigError(f"{cls.__name__} must be a JSON object")
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ConfigError(f"unknown {cls.__name__} field(s): {', '.join(unknown)}")
    defaults = cls()
    for key, value in data.items():
        expected = type(getattr(defaults, key))
        ok = isinstance(value, expected) or (expected is float and isinstance(value, int))
        if not ok or (expected is int and isinstance(value, bool)):
            raise ConfigError(f"{cls.__name__}.{key} must be {expected.__name__}, got {value!r}")
    return replace(defaults, **data)
