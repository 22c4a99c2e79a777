"""Model and training settings, and the named presets users pick from.

One frozen dataclass per concern so a checkpoint can store exactly what built the
model (``ModelConfig``) apart from how it was trained (``TrainConfig``). Presets are
plain data: the GUI's model dialog and the command line both list them from here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Literal, TypeVar

from core.messages import msg

Activation = Literal["relu", "gelu", "gelu_tanh", "silu"]
NormPlacement = Literal["post", "pre"]
Positions = Literal["sinusoidal", "learned", "sinusoidal-halves"]
Arch = Literal["encoder-decoder", "decoder-only", "encoder-only"]
FFN = Literal["dense", "moe"]
Inputs = Literal["tokens", "patches"]
T = TypeVar("T", "ModelConfig", "TrainConfig")


class ConfigError(ValueError):
    """A setting is out of range or unknown; the message is one line for the user."""


def _check_choice(field: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ConfigError(f"{field} must be one of {', '.join(allowed)}; got {value!r}")


@dataclass(frozen=True)
class ModelConfig:
    """Shape of one Transformer of the family (vocab sizes come from the tokenizers).

    ``arch`` cuts the same blocks three ways: ``encoder-decoder`` (the translator),
    ``decoder-only`` (GPT: ``n_dec_layers`` masked self-attention blocks; ``n_enc_layers``
    is ignored) and ``encoder-only`` (BERT / ViT: ``n_enc_layers`` blocks and a
    classification head over ``n_labels``; ``n_dec_layers`` is ignored). ``ffn`` picks
    each layer's feed-forward sublayer: ``dense`` or ``moe`` (``n_experts`` networks of
    size ``d_ff``, ``top_k`` chosen per token, the load-balancing loss weighted by
    ``aux_loss_weight``). ``inputs="patches"`` makes an encoder-only model read
    ``channels`` x ``image_size`` x ``image_size`` pictures cut into square patches.
    The defaults are today's encoder-decoder / dense, so old checkpoints load unchanged.
    """

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
    arch: Arch = "encoder-decoder"
    ffn: FFN = "dense"
    n_experts: int = 4
    top_k: int = 1
    aux_loss_weight: float = 0.01
    n_labels: int = 0
    inputs: Inputs = "tokens"
    image_size: int = 0
    patch_size: int = 0
    channels: int = 1
    # What real checkpoints (core/hf: GPT-2) need; the defaults are the built-in models'.
    embed_scale: bool = True  # multiply token embeddings by sqrt(d_model) (GPT-2: no)
    head_bias: bool = True  # the output head has a bias (GPT-2: no)
    tie_head: bool = False  # the output head is the token embedding table (GPT-2: yes)
    norm_eps: float = 1e-5  # every LayerNorm's epsilon (nn.LayerNorm's default)
    type_vocab: int = 0  # BERT: token-type (segment) embeddings; every token is segment 0
    embed_norm: bool = False  # BERT: a LayerNorm on embeddings + positions
    pooler: bool = False  # BERT: [CLS] vector -> tanh(linear) before the classification head
    # Marian (core/hf/hf_marian.py): one token table for source, target (and, with
    # tie_head, the output head), and a fixed bias on the logits (final_logits_bias: a
    # buffer, never trained). positions="sinusoidal-halves" is Marian's sinusoid layout.
    tie_embeddings: bool = False
    logits_bias: bool = False
    # BERT's masked-word head (core.mlm) at every position instead of a classification head:
    # dense, activation, LayerNorm, then the token embedding table (tied) + a bias
    mlm: bool = False

    def __post_init__(self) -> None:
        if self.d_model <= 0 or self.n_heads <= 0 or self.d_model % self.n_heads:
            raise ConfigError(msg("heads_divide", d_model=self.d_model, n_heads=self.n_heads))
        _check_choice("arch", self.arch, ("encoder-decoder", "decoder-only", "encoder-only"))
        _check_choice("ffn", self.ffn, ("dense", "moe"))
        _check_choice("inputs", self.inputs, ("tokens", "patches"))
        used = {
            "encoder-decoder": (self.n_enc_layers, self.n_dec_layers),
            "decoder-only": (self.n_dec_layers,),
            "encoder-only": (self.n_enc_layers,),
        }[self.arch]
        if (
            min(*used, self.d_ff, self.max_len) <= 0
            or min(self.n_enc_layers, self.n_dec_layers) < 0
        ):
            raise ConfigError(msg("sizes_positive"))
        if not 0.0 <= self.dropout < 1.0:
            raise ConfigError(msg("dropout_range", dropout=self.dropout))
        _check_choice("activation", self.activation, ("relu", "gelu", "gelu_tanh", "silu"))
        if not 0.0 < self.norm_eps < 1.0:
            raise ConfigError(f"norm_eps must be in (0, 1), got {self.norm_eps}")
        if self.tie_head and self.arch == "encoder-only":
            raise ConfigError(
                "tie_head is for models with a token head (the head is the embedding)"
            )
        if (self.tie_embeddings or self.logits_bias) and self.arch != "encoder-decoder":
            raise ConfigError("tie_embeddings and logits_bias are for encoder-decoder models")
        if self.type_vocab < 0:
            raise ConfigError(f"type_vocab must be 0 or more, got {self.type_vocab}")
        if self.pooler and self.arch != "encoder-only":
            raise ConfigError("a pooler is for encoder-only models")
        if self.activation in ("gelu_tanh", "silu") and self.ffn != "dense":
            raise ConfigError(f"activation {self.activation} is for dense feed-forward layers")
        if not self.head_bias and self.arch == "encoder-only":
            raise ConfigError("head_bias=False is for models with a token head")
        _check_choice("norm", self.norm, ("post", "pre"))
        _check_choice("positions", self.positions, ("sinusoidal", "learned", "sinusoidal-halves"))
        self._check_moe()
        self._check_head_and_inputs()

    def _check_moe(self) -> None:
        """The expert settings are checked for dense models too: a config that says
        "2 of 1 experts" is wrong whichever FFN it asks for, and stays wrong if switched."""
        if self.n_experts < 1:
            raise ConfigError(msg("experts_min", n=self.n_experts))
        if not 1 <= self.top_k <= self.n_experts:
            raise ConfigError(msg("top_k_experts", n=self.n_experts, k=self.top_k))
        if not 0.0 <= self.aux_loss_weight < float("inf"):
            raise ConfigError(f"aux_loss_weight must be 0 or more, got {self.aux_loss_weight}")

    def _check_head_and_inputs(self) -> None:
        if self.mlm and (self.arch != "encoder-only" or self.inputs != "tokens"):
            raise ConfigError("a masked-word head (mlm) is for encoder-only models on tokens")
        if self.mlm and (self.n_labels or self.pooler):
            raise ConfigError("a masked-word model (mlm) has no labels and no pooler")
        if self.arch == "encoder-only" and not self.mlm and self.n_labels <= 0:
            raise ConfigError(f"an encoder-only model needs n_labels > 0; got {self.n_labels}")
        if self.arch != "encoder-only" and self.n_labels != 0:
            raise ConfigError(f"n_labels is for encoder-only models; a {self.arch} model has none")
        if self.inputs == "tokens":
            if self.image_size or self.patch_size or self.channels != 1:
                raise ConfigError("image_size, patch_size and channels need inputs='patches'")
            return
        if self.arch != "encoder-only":
            raise ConfigError(f"image patches need an encoder-only model, not {self.arch}")
        if min(self.image_size, self.patch_size, self.channels) <= 0:
            raise ConfigError("image_size, patch_size and channels must be positive for patches")
        if self.image_size % self.patch_size:
            raise ConfigError(
                f"image_size ({self.image_size}) must be a multiple of "
                f"patch_size ({self.patch_size})"
            )
        if self.n_patches + 1 > self.max_len:
            raise ConfigError(
                f"{self.n_patches} patches and [CLS] need max_len >= {self.n_patches + 1}; "
                f"got {self.max_len}"
            )

    @property
    def d_head(self) -> int:
        return self.d_model // self.n_heads

    @property
    def n_patches(self) -> int:
        """Patches per picture (0 for token inputs): (image_size / patch_size)²."""
        return (self.image_size // self.patch_size) ** 2 if self.inputs == "patches" else 0

    @property
    def patch_dim(self) -> int:
        """Numbers in one flattened patch: channels x patch_size x patch_size."""
        return self.channels * self.patch_size**2

    def parameter_count(self, src_vocab: int, tgt_vocab: int) -> int:
        """How many parameters ``build_model(self, src_vocab, tgt_vocab)`` has, without
        building it (a checkpoint's config is checked before anything is allocated).

        A decoder-only model's one vocabulary is ``tgt_vocab``; an encoder-only model
        reads ``src_vocab`` (nothing, for patches) and ends in ``n_labels`` classes.
        """
        d, f = self.d_model, self.d_ff
        attn = 4 * (d * d + d)
        mlp = d * f + f + f * d + d
        ffn = self.n_experts * mlp + d * self.n_experts if self.ffn == "moe" else mlp
        norm = 2 * d
        enc = attn + ffn + 2 * norm
        positions = self.max_len * d if self.positions == "learned" else 0
        positions += self.type_vocab * d + (2 * d if self.embed_norm else 0)
        final = norm if self.final_norm else 0
        if self.arch == "decoder-only":
            body = tgt_vocab * d + self.n_dec_layers * enc
            head_w = 0 if self.tie_head else d * tgt_vocab
            return body + positions + final + head_w + (tgt_vocab if self.head_bias else 0)
        if self.arch == "encoder-only":
            inputs = (self.patch_dim * d + d + d) if self.inputs == "patches" else src_vocab * d
            body = inputs + self.n_enc_layers * enc
            pool = d * d + d if self.pooler else 0
            mlm = d * d + d + norm + src_vocab if self.mlm else 0  # tied: no d x V table
            return body + positions + final + pool + mlm + d * self.n_labels + self.n_labels
        dec = 2 * attn + ffn + 3 * norm
        tables = tgt_vocab if self.tie_embeddings else src_vocab + tgt_vocab
        embed = tables * d + positions
        head = (0 if self.tie_head else d * tgt_vocab) + (tgt_vocab if self.head_bias else 0)
        return embed + self.n_enc_layers * enc + self.n_dec_layers * dec + 2 * final + head

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
            raise ConfigError(msg("train_options"))

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
        # GPT-style: the same en-de sentences as one prompt sequence ("source = target
        # <eos>"), loss on the answer only. Stops as soon as the lecture sentences are
        # exact (checked every 25 steps; about 100 steps with seed 0).
        Preset(
            "gpt-de",
            "English to German with a decoder-only (GPT-style) model: the sentence is a "
            "prompt and the model continues it with the translation",
            "en-de",
            ModelConfig(arch="decoder-only", n_enc_layers=0, n_dec_layers=2, max_len=32),
            TrainConfig(warmup=50, steps=600, eval_every=0, stop_when_lecture_correct=True),
        ),
        # Mixture of experts: gpt-de with every feed-forward layer a router over 4 experts,
        # one chosen per token (Switch-style), plus the load-balancing loss.
        Preset(
            "moe-de",
            "English to German with a decoder-only model whose feed-forward layers are a "
            "mixture of 4 experts (a router picks 1 per token)",
            "en-de",
            ModelConfig(
                arch="decoder-only",
                n_enc_layers=0,
                n_dec_layers=2,
                max_len=32,
                ffn="moe",
                n_experts=4,
                top_k=1,
            ),
            TrainConfig(warmup=50, steps=600, eval_every=0, stop_when_lecture_correct=True),
        ),
        # BERT-style: who does the action (person / animal / thing)? [CLS] + the sentence,
        # the [CLS] vector -> 3 labels (core.classify_task).
        Preset(
            "bert-who",
            "Sentence classifier (encoder-only, BERT-style): who does the action -- "
            "a person, an animal or a thing?",
            "en-subject",
            ModelConfig(
                arch="encoder-only",
                n_labels=3,
                n_enc_layers=2,
                n_dec_layers=0,
                d_model=32,
                n_heads=4,
                d_ff=64,
                max_len=24,
            ),
            TrainConfig(warmup=30, steps=150, eval_every=0),
        ),
        # ViT-style: a 16x16 picture of a cat or a dog cut into 16 patches of 4x4, each
        # patch a token after [CLS] (core.pictures).
        Preset(
            "vit-pets",
            "Picture classifier (encoder-only on image patches, ViT-style): cat or dog?",
            "cat-dog",
            ModelConfig(
                arch="encoder-only",
                n_labels=2,
                n_enc_layers=2,
                n_dec_layers=0,
                d_model=32,
                n_heads=4,
                d_ff=64,
                max_len=17,
                inputs="patches",
                image_size=16,
                patch_size=4,
                channels=1,
            ),
            TrainConfig(warmup=30, steps=150, eval_every=0),
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
