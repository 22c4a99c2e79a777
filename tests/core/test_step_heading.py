"""``step_heading``: a step's title written as a heading, or None where no rule titles
the step (the views then head it with the op's name)."""

from __future__ import annotations

from core.step_titles import step_heading, step_title


def test_a_heading_starts_upper_case_and_keeps_the_title() -> None:
    assert step_title("src.embed", "en") == "source embeddings"
    assert step_heading("src.embed", "en") == "Source embeddings"
    assert step_heading("t3/next.probs", "en") == "Next-token probabilities"
    assert step_heading("cls.vector", "en") == "The [CLS] vector"
    assert (
        step_heading("t2/dec.0.self_attn.masked", "zh")
        == "解码器第 0 层 · 掩码自注意力 · 掩码后的分数"
    )
    assert step_heading("dec.0.ffn.lin1.weight", "en", "backward") == (
        "Decoder layer 0 · feed-forward · first linear layer · weights · gradient"
    )


def test_no_heading_where_no_rule_knows_the_step() -> None:
    # "loss" is titled "loss" in English: known although its title is its name
    assert step_heading("loss", "en") == "Loss" and step_heading("loss", "zh") == "损失"
    for name in ("enc.0.adapter.gate", "t1/mystery", "enc.0.self_attn.w_q.scale"):
        assert step_title(name, "en") == name  # step_title returns the name as it is
        assert step_heading(name, "en") is None and step_heading(name, "zh") is None
