"""Training: one step in four phases (forward, loss, backward, update) and a fit loop.

The phases are separate methods because the traced training step and the GUI run
them one at a time; ``step`` chains them for plain training. A decoder-only (GPT) bundle
trains on ``prompt_task`` sequences (``PromptBatch``): the loss counts only the answer's
positions (``loss.mask``). An encoder-only classifier trains on ``LabelBatch``es (sentences
or pictures): cross-entropy of ``cls.logits`` against the label. An MoE model adds
``cfg.aux_loss_weight * model.aux_loss()``.
``fit`` knows nothing about who watches: progress, metrics and cancellation go
through ``Callbacks``, so the same loop serves the command line (a progress bar) and a
GUI worker thread.
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
from core.classify_data import ClassCorpus, LabelBatch, LabelData, task_data
from core.classify_task import ClassifyCorpus
from core.config import TrainConfig
from core.corpus import Corpus
from core.decode import greedy_batch
from core.decode_prompt import greedy_answers
from core.model_decoder import DecoderOnly
from core.prompt_task import EncodedPrompts, PromptBatch
from core.tokenizer import PAD_ID
from core.trace import point

EVAL_CHUNK = 32  # sentences decoded between two looks at "should we stop?"
LECTURE_CHECK = 25  # steps between lecture checks when stopping on them between evaluations


AnyBatch = Batch | PromptBatch | LabelBatch


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

    def __init__(
        self, bundle: Bundle, corpus: Corpus | ClassCorpus | None, cfg: TrainConfig
    ) -> None:
        """Without a corpus the trainer can still take steps on batches it is given."""
        classifier = bundle.cfg.arch == "encoder-only"
        if corpus is None:
            empty = ClassifyCorpus(bundle.pair, (), (), ()) if classifier else None
            corpus = empty or Corpus(bundle.pair, (), (), ())
        self.bundle, self.corpus, self.cfg = bundle, corpus, cfg
        model, max_len = bundle.model, bundle.cfg.max_len
        self.train_data: EncodedPairs | EncodedPrompts | LabelData
        self.valid_data: EncodedPairs | EncodedPrompts | LabelData
        if classifier:
            if isinstance(corpus, Corpus):
                raise ValueError("a classifier trains on labelled sentences or pictures")
            self.train_data = task_data(corpus, "train", bundle.src_tok, max_len)
            self.valid_data = task_data(corpus, "valid", bundle.src_tok, max_len)
        elif not isinstance(corpus, Corpus):
            raise ValueError(f"a {bundle.cfg.arch} model trains on sentence pairs")
        elif bundle.cfg.arch == "decoder-only":
            tok = bundle.prompt_tok
            self.train_data = EncodedPrompts(corpus.train, tok, max_len)
            self.valid_data = EncodedPrompts(corpus.valid, tok, max_len)
        else:
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
    def forward(self, batch: AnyBatch) -> Tensor:
        model = self.bundle.model
        model.train()
        if isinstance(batch, LabelBatch):
            return model(batch.inputs)  # (B, n_labels)
        if isinstance(batch, PromptBatch):
            return model(batch.inputs)  # (B, L, V)
        return model(batch.src, batch.tgt_in)  # (B, T, V)

    def loss(self, logits: Tensor, batch: AnyBatch) -> Tensor:
        """Mean cross-entropy over the graded tokens; per token traced too.

        Encoder-decoder: every real (non-pad) target token. Decoder-only: only the answer
        (``loss.mask``: True on the target tokens and ``<eos>``, False on the prompt and
        padding), so a prompt position's label never changes the loss. MoE models add the
        weighted load-balancing loss (``loss.task`` + ``aux_loss_weight`` x ``aux_loss``)."""
        if isinstance(batch, LabelBatch):
            return self._class_loss(logits, batch)
        b, t, v = logits.shape
        labels = batch.labels if isinstance(batch, PromptBatch) else batch.tgt_out
        per_token = F.cross_entropy(
            logits.reshape(b * t, v),
            labels.reshape(b * t),
            # A prompt batch's mask already drops padding; a real checkpoint's id 0 is a
            # word (GPT-2's "!"), so only the translator's batches ignore their pad id.
            ignore_index=-100 if isinstance(batch, PromptBatch) else batch.pad_id,
            reduction="none",
            label_smoothing=self.cfg.label_smoothing,
        ).view(b, t)  # (B, T), 0 at padding
        inputs = {"logits": "logits", "target": "tgt.target"}
        if isinstance(batch, PromptBatch):
            mask = point(
                "loss.mask", batch.loss_mask, "mask", {"target": "tgt.target"}, ("batch", "label")
            )
            per_token = per_token * mask  # (B, T), 0 on the prompt and padding
            inputs["mask"] = "loss.mask"
        per_token = point(
            "loss.per_token",
            per_token,
            "loss",
            inputs,
            ("batch", "label"),  # position t: the loss of predicting label t
        )
        loss = per_token.sum() / max(batch.n_tokens, 1)  # ()
        return self._with_aux(loss, "loss.per_token")

    def _class_loss(self, logits: Tensor, batch: LabelBatch) -> Tensor:
        """Classifier: cross-entropy of ``cls.logits`` (B, n_labels) against ``cls.target``."""
        per_item = F.cross_entropy(
            logits, batch.labels, reduction="none", label_smoothing=self.cfg.label_smoothing
        )  # (B,)
        per_item = point(
            "loss.per_example",
            per_item,
            "loss",
            {"logits": "cls.logits", "target": "cls.target"},
            ("batch",),
        )
        loss = per_item.mean()
        return self._with_aux(loss, "loss.per_example")

    def _with_aux(self, loss: Tensor, source: str) -> Tensor:
        if self.bundle.cfg.ffn == "moe":
            task = point("loss.task", loss, "mean", {"x": source}, ())
            loss = task + self.bundle.cfg.aux_loss_weight * self.bundle.model.aux_loss()
            return point("loss", loss, "add", {"task": "loss.task"}, ())
        return point("loss", loss, "mean", {"x": source}, ())

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
    def next_batch(self) -> AnyBatch:
        n = len(self.train_data)
        if not n:
            raise TrainingError("no training pairs fit the model (all empty or too long)")
        idx = torch.randint(n, (min(self.cfg.batch_size, n),), generator=self.rng)
        return self.train_data.batch(idx.tolist())

    def step(self, batch: AnyBatch | None = None) -> StepStats:
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
        expected = self.lecture_expected()
        return bool(expected) and self.lecture_outputs() == expected

    def lecture_expected(self) -> list[str]:
        """What the lecture items should give: translations, or label names."""
        corpus = self.corpus
        if isinstance(corpus, Corpus):
            return [p.target for p in corpus.lecture]
        data = task_data(corpus, "lecture", self.bundle.src_tok, self.bundle.cfg.max_len)
        return [self._label_name(i) for i in data.labels]

    def _label_name(self, label: int) -> str:
        names = self.bundle.labels
        return names[label] if label < len(names) else str(label)

    @torch.no_grad()
    def lecture_outputs(self) -> list[str]:
        """Greedy translations (or predicted labels) of the lecture items (held out)."""
        corpus = self.corpus
        if not isinstance(corpus, Corpus):
            items = task_data(corpus, "lecture", self.bundle.src_tok, self.bundle.cfg.max_len)
            if not len(items):
                return []
            self.bundle.model.eval()
            logits = self.bundle.model(items.batch(range(len(items))).inputs)
            return [self._label_name(int(i)) for i in logits.argmax(-1)]
        pairs = corpus.lecture
        if not pairs:
            return []
        model = self.bundle.model
        if isinstance(model, DecoderOnly):
            model.eval()
            return self._answers([list(self.bundle.prompt_tok.prompt(p.source).ids) for p in pairs])
        data = EncodedPairs(
            pairs, self.bundle.src_tok, self.bundle.tgt_tok, self.bundle.cfg.max_len
        )
        self.bundle.model.eval()
        ids = greedy_batch(self.bundle.translator(), data.batch(range(len(data))).src)
        return [self.bundle.tgt_tok.decode(row) for row in ids]

    def _answers(self, prompts: list[list[int]], max_len: int = 40) -> list[str]:
        model = self.bundle.model
        assert isinstance(model, DecoderOnly)
        rows = greedy_answers(model, prompts, max_len)
        return [self.bundle.tgt_tok.decode(r) for r in rows]

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
        if isinstance(self.valid_data, LabelData):
            return self._evaluate_classifier(check)
        loss_sum, tokens, correct = 0.0, 0, 0
        hyps: list[str] = []
        refs: list[str] = []
        if isinstance(self.valid_data, EncodedPrompts):
            data = self.valid_data
            for pb in data.batches(256):
                logits = model(pb.inputs)  # (B, L, V)
                real = pb.loss_mask
                loss_sum += float(F.cross_entropy(logits[real], pb.labels[real], reduction="sum"))
                correct += int((logits.argmax(-1) == pb.labels)[real].sum())
                tokens += int(real.sum())
                check()
            n = min(max_bleu_sentences, len(data))
            for start in range(0, n, EVAL_CHUNK):
                check()
                chunk = data.examples[start : min(n, start + EVAL_CHUNK)]
                prompts = [list(e.ids[: e.prompt_len]) for e in chunk]
                # an answer over twice the prompt's length is wrong anyway: an untrained
                # model that never says <eos> stops there instead of at max_len
                longest = 2 * max(len(p) for p in prompts) + 5
                hyps.extend(self._answers(prompts, longest))
        for batch in (
            self.valid_data.batches(256) if isinstance(self.valid_data, EncodedPairs) else []
        ):
            translator = self.bundle.translator()
            logits = translator(batch.src, batch.tgt_in)  # (B, T, V)
            real = batch.tgt_out != PAD_ID
            loss_sum += float(F.cross_entropy(logits[real], batch.tgt_out[real], reduction="sum"))
            correct += int((logits.argmax(-1) == batch.tgt_out)[real].sum())
            tokens += int(real.sum())
            check()
            todo = batch.src[: max_bleu_sentences - len(hyps)]
            for chunk in todo.split(EVAL_CHUNK) if len(todo) else ():
                check()
                for row in greedy_batch(translator, chunk):
                    hyps.append(self.bundle.tgt_tok.decode(row))
        refs = [p.target for p in self.valid_data.pairs[: len(hyps)]]
        bleu = sacrebleu.corpus_bleu(hyps, [refs]).score if hyps else 0.0
        chrf = sacrebleu.corpus_chrf(hyps, [refs]).score if hyps else 0.0
        outputs = self.lecture_outputs()
        expected = self.lecture_expected()
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

    def _evaluate_classifier(self, check: Callable[[], None]) -> EvalStats:
        """Validation loss and accuracy (as ``token_acc``; BLEU / chrF are 0) and the
        lecture items."""
        assert isinstance(self.valid_data, LabelData)
        loss_sum, correct = 0.0, 0
        for batch in self.valid_data.batches(256):
            logits = self.bundle.model(batch.inputs)  # (B, n_labels)
            loss_sum += float(F.cross_entropy(logits, batch.labels, reduction="sum"))
            correct += int((logits.argmax(-1) == batch.labels).sum())
            check()
        n = max(len(self.valid_data), 1)
        outputs, expected = self.lecture_outputs(), self.lecture_expected()
        right = sum(o == e for o, e in zip(outputs, expected, strict=True))
        return EvalStats(
            self.step_count,
            loss_sum / n,
            correct / n,
            0.0,
            0.0,
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
