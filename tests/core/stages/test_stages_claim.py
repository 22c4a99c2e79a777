"""The claim of the room, on the built-in settings (the one slow test here, ~15 s):
the pre-trained model says 9.11 > 9.9 the way version numbers would, and after RL says 9.9.

Checked by hand on seeds 0-5 (all six: pre-training answers 9.11 with p 0.68-0.96 and gets
every trap question wrong; GRPO answers 9.9 with p > 0.98); seed 0 is tested here.
"""

from __future__ import annotations

from pathlib import Path

from core import assets
from core.stages.pipeline import Pipeline, Settings, answers
from core.stages.questions import HELD_OUT


def test_pretrained_says_9_11_and_rl_says_9_9(tmp_path: Path) -> None:
    p = Pipeline(Settings(seed=0))
    assert p.run()
    # The same run is the one shipped in assets/stages (what the room and chapters 13-14
    # show), bit for bit, as `make models` writes it.
    shipped = assets.path("stages")
    for stage in ("pretrain", "sft", "grpo"):
        folder = p.save(stage, tmp_path / stage)
        for file in ("model.safetensors", "config.json", "vocab.json"):
            assert (folder / file).read_bytes() == (shipped / stage / file).read_bytes(), (
                stage,
                file,
            )
    pre = answers(p.model("pretrain"), p.tok)
    assert pre[0].answer == "9.11" and pre[0].p_wrong > pre[0].p_right
    assert pre[0].text.startswith("9.11")
    traps = [r for r, qn in zip(pre, HELD_OUT, strict=True) if qn.trap]
    assert all(not r.correct for r in traps)  # the version habit, not noise
    rl = answers(p.model("grpo"), p.tok)
    assert rl[0].answer == "9.9" and rl[0].p_right > 0.5
    assert sum(r.correct for r in rl) > sum(r.correct for r in pre)
