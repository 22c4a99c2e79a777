"""A mixture-of-experts feed-forward sublayer: router, top-k, experts, weighted sum.

Each token asks a router (a linear map, no bias) how much it likes each expert,
keeps its ``top_k`` favourites, and sends its vector only to them; the sublayer's
output is the sum of the chosen experts' outputs weighted by their router
probabilities. So a model can hold ``n_experts`` feed-forward networks while each
token pays for ``top_k`` of them.

Weights are the router probabilities themselves, not renormalised over the chosen
experts (Switch Transformer): with top-1, renormalising would make every weight
exactly 1 and the task loss would never teach the router anything.

Dispatch is by index: the (token, choice) pairs are sorted by expert, each expert
reads its block of the sorted rows (one ``index_select`` for all) and the results
return with one ``index_add`` (top-1: one ``index_select`` by the inverse
permutation); Python loops over experts, never over tokens. Untraced, the loop skips
the trace points (``Expert.plain``). What is left of the MoE's cost over a dense
feed-forward at the shipped size is a fixed number of small kernels per layer and per
expert; bench/family.py measures it (and notes the variants measured and dropped).

The load-balancing loss (Switch Transformer, eq. 4) is
``aux = n_experts * sum_e f_e * P_e``: ``f_e`` is the fraction of tokens whose top-1
choice is expert e, ``P_e`` the mean router probability of e, both over real
(non-padding) tokens. It is 1 when the load is perfectly even and grows as the
router favours a few experts; the trainer adds ``aux_loss_weight`` times the sum
over layers (``aux_loss(model)``). It is stored unscaled.
"""

from __future__ import annotations

from typing import Any, cast

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from core.config import ModelConfig
from core.trace import active_tracer, point


class Expert(nn.Module):
    """One expert: the dense sublayer's shape (lin1: D -> F, activation, lin2: F -> D),
    reading only the tokens routed to it. Trace names ``{moe}.expert.{e}.hidden / .act /
    .out``; parameters ``{moe}.experts.{e}.lin1.weight`` ...

    ``run`` is a plain method calling ``F.linear`` on the layers' parameters: a module
    call costs microseconds, and an MoE layer makes one per expert per step."""

    def __init__(self, cfg: ModelConfig, moe: str, e: int) -> None:
        super().__init__()
        self.name, self.param, self.act = f"{moe}.expert.{e}", f"{moe}.experts.{e}", cfg.activation
        self.lin1 = nn.Linear(cfg.d_model, cfg.d_ff)
        self.lin2 = nn.Linear(cfg.d_ff, cfg.d_model)
        self.dropout = cfg.dropout
        n, p = self.name, self.param  # trace names, built once: run is called per expert
        self._names = (f"{n}.hidden", f"{n}.act", f"{n}.out")
        self._weights = (f"{p}.lin1.weight", f"{p}.lin2.weight")

    def run(self, xs: Tensor, x_key: str) -> Tensor:
        """(n_e, D) routed tokens -> (n_e, D)."""
        (hidden, act, out), (w1, w2), ha = self._names, self._weights, ("routed", "hidden")
        h = F.linear(xs, self.lin1.weight, self.lin1.bias)  # (n_e, F)
        h = point(hidden, h, "linear", {"x": x_key, "weight": w1}, ha)
        a = F.relu(h) if self.act == "relu" else F.gelu(h)  # (n_e, F)
        a = point(act, a, "activation", {"x": hidden}, ha)
        if self.dropout:
            a = F.dropout(a, self.dropout, self.training)
        y = F.linear(a, self.lin2.weight, self.lin2.bias)  # (n_e, D)
        return point(out, y, "linear", {"x": act, "weight": w2}, ("routed", "dim"))

    def plain(self, xs: Tensor) -> Tensor:
        """``run`` when nothing traces, without its trace points: the same operations
        (test_family_trace checks the bits), a few microseconds of Python less per expert
        (the points' arguments, the module attribute look-ups)."""
        lin1, lin2 = self.lin1, self.lin2
        h = F.linear(xs, lin1.weight, lin1.bias)  # (n_e, F)
        a = F.relu(h) if self.act == "relu" else F.gelu(h)  # (n_e, F)
        if self.dropout:
            a = F.dropout(a, self.dropout, self.training)
        return F.linear(a, lin2.weight, lin2.bias)  # (n_e, D)


class _LastAux:
    """The last forward's load-balancing loss, kept outside the module's state: a graph
    tensor cannot be deep-copied, and a copied model (a training step on a copy) starts
    with none."""

    def __init__(self) -> None:
        self.value: Tensor | None = None

    def __deepcopy__(self, memo: dict[int, Any]) -> _LastAux:
        return _LastAux()

    def __getstate__(self) -> dict[str, Any]:
        return {"value": None}


class MoEFeedForward(nn.Module):
    """Router -> top-k -> experts -> weighted sum, each a trace point under ``name``."""

    def __init__(self, cfg: ModelConfig, name: str) -> None:
        super().__init__()
        self.name, self.k, self.n_experts = name, cfg.top_k, cfg.n_experts
        self.router = nn.Linear(cfg.d_model, cfg.n_experts, bias=False)
        self.experts = nn.ModuleList(Expert(cfg, name, e) for e in range(cfg.n_experts))
        self._aux = _LastAux()
        # built once, not per forward: what the combine and aux_loss trace points read
        self._combine_inputs = {"weights": f"{name}.topk.weights"} | {
            f"expert{e}": f"{name}.expert.{e}.out" for e in range(cfg.n_experts)
        }
        self._aux_inputs = {"probs": f"{name}.router.probs", "experts": f"{name}.topk.experts"}

    @property
    def out_name(self) -> str:
        """The trace name of the sublayer's output, what the residual adds."""
        return f"{self.name}.combine"

    def last_aux_loss(self) -> Tensor | None:
        """The unscaled load-balancing loss of the last forward (None before one)."""
        return self._aux.value

    def forward(
        self, x: Tensor, x_key: str, axes: tuple[str, ...], keep: Tensor | None = None
    ) -> Tensor:
        """(B, L, D) -> (B, L, D). ``keep`` (B, L) is True at real tokens: padding is
        routed and computed like any token (its output is never used) but left out of
        the load-balancing loss."""
        n, k, (b, seq, d) = self.name, self.k, x.shape
        ea, ka = (*axes[:-1], "expert"), (*axes[:-1], "choice")
        logits = F.linear(x, self.router.weight)  # (B, L, E)
        logits = point(
            f"{n}.router.logits", logits, "linear", {"x": x_key, "weight": f"{n}.router.weight"}, ea
        )
        # Softmax over the last dimension. Taking it over an (E, N) copy instead is ~0.06
        # faster on the MoE ÷ dense ratio at the shipped size (torch's softmax over a
        # short last dimension is slow) but rounds differently in the last bit, and the
        # shipped moe-de (and the numbers its chapter quotes) would no longer rebuild bit
        # for bit (bench/family.py).
        probs = torch.softmax(logits, dim=-1)  # (B, L, E)
        probs = point(f"{n}.router.probs", probs, "softmax", {"x": f"{n}.router.logits"}, ea)
        chosen = probs.topk(k, dim=-1).indices  # (B, L, k) int64, best first
        chosen = point(f"{n}.topk.experts", chosen, "topk", {"probs": f"{n}.router.probs"}, ka)
        weights = probs.gather(-1, chosen)  # (B, L, k): router probabilities of the chosen
        weights = point(
            f"{n}.topk.weights",
            weights,
            "gather",
            {"probs": f"{n}.router.probs", "experts": f"{n}.topk.experts"},
            ka,
        )
        self._aux.value = self._aux_loss(probs, chosen[..., 0], keep)
        out = self._dispatch(x.reshape(b * seq, d), x_key, chosen.reshape(-1), weights.reshape(-1))
        return point(self.out_name, out.view(b, seq, d), "combine", self._combine_inputs, axes)

    def _dispatch(self, x: Tensor, x_key: str, chosen: Tensor, weights: Tensor) -> Tensor:
        """x (N, D), chosen / weights (N·k,) -> sum over choices of weight · expert(x)."""
        order = torch.argsort(chosen, stable=True)  # (N·k,): choices grouped by expert
        token = order if self.k == 1 else order // self.k  # (N·k,): each choice's token
        counts = torch.bincount(chosen, minlength=self.n_experts).tolist()  # tokens per expert
        routed = x.index_select(0, token)  # (N·k, D), grouped by expert
        experts = cast("list[Expert]", list(self.experts))
        groups = routed.split(counts)  # one (n_e, D) block per expert
        if active_tracer() is None:
            y = torch.cat([ex.plain(xs) for ex, xs in zip(experts, groups, strict=True)])
        else:
            y = torch.cat([ex.run(xs, x_key) for ex, xs in zip(experts, groups, strict=True)])
        if self.k == 1:  # a permutation: read each token's row back, nothing to add
            back = torch.empty_like(order).index_copy_(
                0, order, torch.arange(len(order), device=order.device)
            )
            return y.index_select(0, back) * weights[:, None]  # (N, D)
        y = y * weights.index_select(0, order)[:, None]  # (N·k, D) weighted
        return torch.zeros_like(x).index_add(0, token, y)  # (N, D)

    def _aux_loss(self, probs: Tensor, top1: Tensor, keep: Tensor | None) -> Tensor:
        """n_experts · Σ_e f_e · P_e over real tokens (see the module docstring).

        The sums over real tokens are products with the 0/1 mask, not a boolean index:
        the index (and its backward) costs more than the rest of the loss."""
        e = self.n_experts
        p = probs.reshape(-1, e)  # (N, E)
        top1 = top1.reshape(-1)  # (N,)
        if keep is None:
            p_sum, n_tokens = p.sum(0), top1.shape[0]  # (E,)
            counts = torch.bincount(top1, minlength=e).to(p.dtype)  # (E,) = N·f_e
        else:
            real = keep.reshape(-1).to(p.dtype)  # (N,) 1 at real tokens, 0 at padding
            p_sum = torch.mv(p.t(), real)  # (E,) = Σ_real p
            counts = torch.bincount(top1, weights=real, minlength=e)  # (E,) = N_real·f_e
            n_tokens = int(keep.sum())
        aux = torch.dot(counts, p_sum) * (e / max(n_tokens, 1) ** 2)  # e · Σ_e f_e · P_e
        return point(f"{self.name}.aux_loss", aux, "aux_loss", self._aux_inputs, ())


def aux_loss(model: nn.Module) -> Tensor:
    """Sum of the unscaled load-balancing losses of every MoE layer's last forward
    (0 for a dense model); the trainer adds ``cfg.aux_loss_weight`` times this."""
    losses = [
        m.last_aux_loss()
        for m in model.modules()
        if isinstance(m, MoEFeedForward) and m.last_aux_loss() is not None
    ]
    if not losses:
        return torch.zeros((), device=next(model.parameters()).device)
    return torch.stack([loss for loss in losses if loss is not None]).sum()
