"""Training: one step in four phases (forward, loss, backward, update) and a fit loop.

The phases are separate methods because the traced training step and the GUI run
them one at a time; ``step`` chains them for plain training. ``fit`` knows nothing
about who watches: progress, metrics and cancellation go through ``Callbacks``, so
the same loop serves the command line (a progress bar) and a GUI worker thread.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import sacrebleu
import torch
import torch.nn.functional as F
from torch import Tensor

from core.batches import Batch, EncodedPairs
from core.bundle import Bundle
from core.config import TrainConfig
from core.corpus import Corpus
from core.decode import greedy_batch
from core.tokenizer import PAD_ID
from core.trace import point

EVAL_CHUNK = 32  # sentences decoded between two looks at "should we stop?"
LECTURE_CHECK = 25  # steps between lecture checks when stopping on them between evaluations


class Interrupted(Exception):
    """Raised inside an evaluation when the watcher asks to stop (cancel within 0.5 s)."""


class TrainingError(RuntimeError):
    """Training cannot go on (e.g. the loss became NaN); the message is one line."""


@dataclass(frozen=True)
class StepStats:
    step: int
    loss: float
    grad_norm: float
    lr: float
    tokens: int


@dataclass(frozen=True)
class EvalStats:
    step: int
    val_loss: float
    token_acc: float
    bleu: float
    chrf: float
    lecture_correct: int
    lecture_total: int
    lecture_outputs: tuple[str, ...]


@dataclass
class Callbacks:
    """Hooks the fit loop calls; every one is optional."""

    on_step: Callable[[StepStats], None] | None = None
    on_eval: Callable[[EvalStats], None] | None = None
    should_stop: Callable[[], bool] | None = None


@dataclass
class FitResult:
    steps: int
    seconds: float
    reason: str  # "steps", "lecture", "cancelled"
    history: list[StepStats] = field(default_factory=list)
    evals: list[EvalStats] = field(default_factory=list)


class Trainer:
    """Adam with linear warmup on a bundle's model over a corpus' training split."""

    def __init__(self, bundle: Bundle, corpus: Corpus | None, cfg: TrainConfig) -> None:
        """Without a corpus the trainer can still take steps on batches it is given."""
        corpus = corpus or Corpus(bundle.pair, (), (), ())
        self.bundle, self.corpus, self.cfg = bundle, corpus, cfg
        model, max_len = bundle.model, bundle.cfg.max_len
        self.train_data = EncodedPairs(corpus.train, bundle.src_tok, bundle.tgt_tok, max_len)
        self.valid_data = EncodedPairs(corpus.valid, bundle.src_tok, bundle.tgt_tok, max_len)
        self.opt = torch.optim.Adam(
            model.parameters(), lr=cfg.lr, betas=(0.9, 0.98), eps=1e-9, fused=True
        )
        self.sched = torch.optim.lr_scheduler.LambdaLR(self.opt, lambda s: lr_factor(cfg, s))
        self.rng = torch.Generator().manual_seed(cfg.seed)
        torch.manual_seed(cfg.seed)  # dropout draws from the global generator
        self.step_count = 0
        self.want_group_norms = False  # a watcher asks for per-block gradient norms
        self.group_norms: dict[str, float] = {}  # of the last step that computed them

    # -- the four phases -------------------------------------------------------------
    def forward(self, batch: Batch) -> Tensor:
        self.bundle.model.train()
        return self.bundle.model(batch.src, batch.tgt_in)  # (B, T, V)

    def loss(self, logits: Tensor, batch: Batch) -> Tensor:
        """Mean cross-entropy over real (non-pad) target tokens; per token traced too."""
        b, t, v = logits.shape
        per_token = F.cross_entropy(
            logits.reshape(b * t, v),
            batch.tgt_out.reshape(b * t),
            ignore_index=PAD_ID,
            reduction="none",
            label_smoothing=self.cfg.label_smoothing,
        ).view(b, t)  # (B, T), 0 at padding
        per_token = point(
            "loss.per_token",
            per_token,
            "loss",
            {"logits": "logits", "target": "tgt.target"},
            ("batch", "label"),  # position t: the loss of predicting label t
        )
        loss = per_token.sum() / batch.n_tokens  # ()
        return point("loss", loss, "mean", {"x": "loss.per_token"}, ())

    def backward(self, loss: Tensor) -> None:
        if not torch.isfinite(loss):
            raise TrainingError(f"the loss became {float(loss.detach())} at step {self.step_count}")
        self.opt.zero_grad(set_to_none=True)
        loss.backward()

    def update(self) -> float:
        """Clip, then take an Adam step; returns the gradient norm before clipping."""
        norm = self.clip()
        self.apply()
        return norm

    def clip(self) -> float:
        if self.want_group_norms:  # before clipping: what backprop actually produced
            self.group_norms = group_norms(self.bundle.model)
        params = list(self.bundle.model.parameters())
        return float(torch.nn.utils.clip_grad_norm_(params, self.cfg.grad_clip or float("inf")))

    def apply(self) -> None:
        self.opt.step()
        self.sched.step()
        self.step_count += 1

    # -- plain training --------------------------------------------------------------
    def next_batch(self) -> Batch:
        n = len(self.train_data)
        if not n:
            raise TrainingError("no training pairs fit the model (all empty or too long)")
        idx = torch.randint(n, (min(self.cfg.batch_size, n),), generator=self.rng)
        return self.train_data.batch(idx.tolist())

    def step(self, batch: Batch | None = None) -> StepStats:
        batch = batch or self.next_batch()
        lr = float(self.sched.get_last_lr()[0])
        loss = self.loss(self.forward(batch), batch)
        self.backward(loss)
        norm = self.update()
        return StepStats(self.step_count, float(loss.detach()), norm, lr, batch.n_tokens)

    def fit(self, steps: int | None = None, callbacks: Callbacks | None = None) -> FitResult:
        cb = callbacks or Callbacks()
        total = self.cfg.steps if steps is None else steps
        start = time.perf_counter()
        result = FitResult(0, 0.0, "steps")
        for i in range(total):
            if cb.should_stop and cb.should_stop():
                result.reason = "cancelled"
                break
            stats = self.step()
            result.history.append(stats)
            if cb.on_step:
                cb.on_step(stats)
            last = i == total - 1
            if self.cfg.eval_every and (self.step_count % self.cfg.eval_every == 0 or last):
                try:
                    ev = self.evaluate(should_stop=cb.should_stop)
                except Interrupted:
                    result.reason = "cancelled"
                    break
                result.evals.append(ev)
                if cb.on_eval:
                    cb.on_eval(ev)
                if self.cfg.stop_when_lecture_correct and _all_correct(ev):
                    result.reason = "lecture"
                    break
            elif self._lecture_check_due() and self.lecture_correct():
                result.reason = "lecture"
                break
        result.steps = self.step_count
        result.seconds = time.perf_counter() - start
        return result

    # -- measuring -------------------------------------------------------------------
    def _lecture_check_due(self) -> bool:
        """Between evaluations, stopping on the lecture sentences checks them every few
        steps: a handful of greedy decodes, cheap next to a full evaluation."""
        return self.cfg.stop_when_lecture_correct and self.step_count % LECTURE_CHECK == 0

    def lecture_correct(self) -> bool:
        expected = [p.target for p in self.corpus.lecture]
        return bool(expected) and self.lecture_outputs() == expected

    @torch.no_grad()
    def lecture_outputs(self) -> list[str]:
        """Greedy translations of the lecture sentences (held out of training)."""
        pairs = self.corpus.lecture
        if not pairs:
            return []
        data = EncodedPairs(
            pairs, self.bundle.src_tok, self.bundle.tgt_tok, self.bundle.cfg.max_len
        )
        self.bundle.model.eval()
        ids = greedy_batch(self.bundle.model, data.batch(range(len(data))).src)
        return [self.bundle.tgt_tok.decode(row) for row in ids]

    @torch.no_grad()
    def evaluate(
        self, max_bleu_sentences: int = 256, should_stop: Callable[[], bool] | None = None
    ) -> EvalStats:
        """Validation loss, token accuracy, BLEU / chrF of greedy translations and the
        lecture sentences. Decoding is the slow part (~0.3 s on the demo model), so it
        runs in chunks and ``should_stop`` is asked between them (raises Interrupted)."""

        def check() -> None:
            if should_stop is not None and should_stop():
                raise Interrupted

        model = self.bundle.model
        model.eval()
        loss_sum, tokens, correct = 0.0, 0, 0
        hyps: list[str] = []
        refs: list[str] = []
        for batch in self.valid_data.batches(256):
            logits = model(batch.src, batch.tgt_in)  # (B, T, V)
            real = batch.tgt_out != PAD_ID
            loss_sum += float(F.cross_entropy(logits[real], batch.tgt_out[real], reduction="sum"))
            correct += int((logits.argmax(-1) == batch.tgt_out)[real].sum())
            tokens += int(real.sum())
            check()
            todo = batch.src[: max_bleu_sentences - len(hyps)]
            for chunk in todo.split(EVAL_CHUNK) if len(todo) else ():
                check()
                for row in greedy_batch(model, chunk):
                    hyps.append(self.bundle.tgt_tok.decode(row))
        refs = [p.target for p in self.valid_data.pairs[: len(hyps)]]
        bleu = sacrebleu.corpus_bleu(hyps, [refs]).score if hyps else 0.0
        chrf = sacrebleu.corpus_chrf(hyps, [refs]).score if hyps else 0.0
        outputs = self.lecture_outputs()
        expected = [p.target for p in self.corpus.lecture]
        right = sum(o == e for o, e in zip(outputs, expected, strict=True))
        return EvalStats(
            self.step_count,
            loss_sum / max(tokens, 1),
            correct / max(tokens, 1),
            bleu,
            chrf,
            right,
            len(expected),
            tuple(outputs),
        )


def lr_factor(cfg: TrainConfig, step: int) -> float:
    """Linear warmup, then cosine decay to 10 % at ``cfg.steps`` (constant after it)."""
    warm = min(1.0, (step + 1) / max(1, cfg.warmup))
    progress = min(1.0, step / max(1, cfg.steps))
    return warm * (0.1 + 0.45 * (1.0 + math.cos(math.pi * progress)))


def _all_correct(ev: EvalStats) -> bool:
    return ev.lecture_total > 0 and ev.lecture_correct == ev.lecture_total


def group_of(name: str) -> str:
    """The block a parameter belongs to, for per-layer gradient norms."""
    parts = name.split(".")
    if parts[0] in ("enc", "dec"):
        return f"{parts[0]}.{parts[1]}"
    if parts[0].endswith("_embed"):
        return "embed"
    return "head" if parts[0] == "head" else "norm"


def group_norms(model: torch.nn.Module) -> dict[str, float]:
    """L2 norm of the gradient of each block (embeddings, each layer, output head)."""
    sq: dict[str, float] = {}
    for name, p in model.named_parameters():
        if p.grad is not None:
            g = group_of(name)
            sq[g] = sq.get(g, 0.0) + float(torch.linalg.vector_norm(p.grad) ** 2)
    return {g: v**0.5 for g, v in sq.items()}
