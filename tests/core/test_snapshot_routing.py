"""A training run's snapshots carry how every MoE layer routed the demo sentence, and
that routing is exactly what a traced run of the same weights on the same sentence
computes (an independent ``Session``, opened from the run's saved checkpoints)."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from core import assets, checkpoint
from core.config import TrainConfig
from core.session import Session
from core.train_messages import Finished, Message, Snapshot, Started
from core.train_process import Control, TrainJob, run_training_job, snapshot

LECTURE = "Time flies like an arrow"
# a few steps from the shipped weights, fast enough that the routing visibly moves
CFG = TrainConfig(steps=6, eval_every=10**6, seed=1, warmup=0, lr=1e-2)


@pytest.fixture(scope="module")
def sent(tmp_path_factory: pytest.TempPathFactory) -> list[Message]:
    out: list[Message] = []
    job = TrainJob(
        str(assets.path("models", "moe-de")),
        str(tmp_path_factory.mktemp("moe")),
        CFG,
        demo_source=LECTURE,
        snapshot_every=3,
    )
    run_training_job(job, out.append, Control(cancelled=lambda: False))
    return out


def test_snapshot_routing_is_the_traced_routing_of_the_same_weights(sent: list[Message]) -> None:
    started, finished = sent[0], sent[-1]
    assert isinstance(started, Started) and isinstance(finished, Finished)
    snaps = [m for m in sent if isinstance(m, Snapshot)]
    assert [s.step for s in snaps] == [0, 3, 6]
    # step 0 is the weights the run saved first, step 6 the ones it saved last
    for snap, folder in ((snaps[0], started.initial_dir), (snaps[-1], finished.final_dir)):
        s = Session(checkpoint.load(folder), "en-de", LECTURE)
        trace = s.trace
        last = max(st.t for st in trace.steps if st.t is not None)
        assert snap.translation == trace.meta["translation"]
        assert [r.block for r in snap.routing] == ["dec.0.moe", "dec.1.moe"]
        for r in snap.routing:
            chosen = trace.value(f"t{last}/{r.block}.topk.experts")[0]  # (T, 1)
            probs = trace.value(f"t{last}/{r.block}.router.probs")[0].astype(np.float64)
            assert r.chosen == tuple(tuple(row) for row in chosen.tolist())
            assert r.mean_prob == pytest.approx(list(probs.mean(axis=0)), abs=1e-7)
            assert sum(r.mean_prob) == pytest.approx(1.0)
            # the last decoding step reads the prompt and the whole answer
            assert r.tokens == (*trace.meta["src_tokens"], *trace.meta["tgt_tokens"])
    # training moved the routing: the test compares two different routings
    assert snaps[0].routing != snaps[-1].routing


def test_routing_is_small_plain_data_that_crosses_the_process_boundary(
    sent: list[Message],
) -> None:
    snap = next(m for m in sent if isinstance(m, Snapshot))
    again = pickle.loads(pickle.dumps(snap))
    assert again.routing == snap.routing
    numbers = sum(len(r.chosen) + len(r.mean_prob) for r in snap.routing)
    assert numbers < 100  # a few dozen numbers per snapshot


def test_a_dense_model_sends_no_routing() -> None:
    dense = checkpoint.load(assets.path("models", "demo-de"))
    assert snapshot(dense, LECTURE, 0).routing == ()
