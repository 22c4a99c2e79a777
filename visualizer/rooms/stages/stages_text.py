"""Every on-screen string of the stages room ("How an LLM is made"), in English and Chinese.

Kept in one table so the room relabels at once when the language changes and a test can
check that no string lacks a translation. The Chinese terms follow the seed article
(预训练, 微调, 后训练, 强化学习, 奖励, 优势 ...).
"""

from __future__ import annotations

from visualizer.i18n import Text, tr

STRINGS: dict[str, Text] = {
    "title": {"en": "How an LLM is made", "zh": "大语言模型是怎样炼成的"},
    "intro": {
        "en": "A tiny GPT learns in three stages, run in order: pre-training on plain text, "
        "fine-tuning on question → answer examples, and post-training with reinforcement "
        "learning (GRPO). Asked “Which is bigger: 9.11 or 9.9?”, watch which answer each "
        "stage gives, and why.",
        "zh": "一个很小的 GPT 依次经历三个阶段：在普通文本上预训练，在“问题 → 答案”示例上微调，"
        "再用强化学习（GRPO）做后训练。问它“9.11 和 9.9 哪个大？”，看看每个阶段给出什么答案，"
        "以及原因。",
    },
    "tokens": {"en": "How the tokenizer splits the numbers", "zh": "分词器如何切分数字"},
    "token_note": {
        "en": "“9.11” becomes 9 · . · 11: the model never sees a decimal, only the token 11 "
        "after the token 9, and in text 11 comes after 9.",
        "zh": "“9.11” 被切成 9 · . · 11：模型看不到小数，只看到 9 后面跟着词元 11，"
        "而在文本里 11 排在 9 之后。",
    },
    "pretrain": {"en": "1 · Pre-training", "zh": "1 · 预训练"},
    "sft": {"en": "2 · Fine-tuning (SFT)", "zh": "2 · 微调（SFT）"},
    "grpo": {"en": "3 · RL with GRPO", "zh": "3 · 强化学习（GRPO）"},
    "pretrain_short": {"en": "pre-trained", "zh": "预训练后"},
    "sft_short": {"en": "fine-tuned", "zh": "微调后"},
    "grpo_short": {"en": "after RL", "zh": "强化学习后"},
    "run": {"en": "Run", "zh": "运行"},
    "resume": {"en": "Resume", "zh": "继续"},
    "pause": {"en": "Pause", "zh": "暂停"},
    "cancel": {"en": "Cancel", "zh": "取消"},
    "run_tip": {
        "en": "Train this stage in the background (it continues where it stopped; a "
        "finished stage, such as the built-in run's, trains again from the start)",
        "zh": "在后台训练这个阶段（从停下的地方继续；已完成的阶段，比如内置的训练结果，"
        "会从头重新训练）",
    },
    "pause_tip": {
        "en": "Stop after this step; Resume continues",
        "zh": "在本步之后停下；“继续”接着训练",
    },
    "cancel_tip": {
        "en": "Stop and forget this stage (and the ones after it)",
        "zh": "停下并丢弃这个阶段（以及之后的阶段）",
    },
    "waiting": {"en": "waiting for the stage before", "zh": "等待上一阶段完成"},
    "ready": {"en": "ready", "zh": "就绪"},
    "running": {"en": "step {step} / {total}", "zh": "第 {step} / {total} 步"},
    "paused": {"en": "paused at step {step} / {total}", "zh": "暂停于第 {step} / {total} 步"},
    "done": {
        "en": "done: {total} steps in {sec:.1f} s",
        "zh": "完成：{total} 步，用时 {sec:.1f} 秒",
    },
    "loaded": {
        "en": "done: {total} steps (built-in run)",
        "zh": "完成：{total} 步（内置结果）",
    },
    "error": {"en": "Error: {msg}", "zh": "出错：{msg}"},
    "not_shipped": {
        "en": "The built-in run was not loaded ({msg}); run the stages here.",
        "zh": "未能载入内置的训练结果（{msg}）；请在这里运行各阶段。",
    },
    "rl_knobs": {"en": "RL settings", "zh": "强化学习设置"},
    "group": {"en": "Group size G", "zh": "组大小 G"},
    "temperature": {"en": "Temperature", "zh": "温度"},
    "beta": {"en": "KL weight β", "zh": "KL 权重 β"},
    "hack": {"en": "Hackable reward (length)", "zh": "可钻空子的奖励（长度）"},
    "knobs_tip": {
        "en": "Changing these restarts the RL stage from the fine-tuned model. The hackable "
        "reward also pays {w:g} per answer token past the third.",
        "zh": "修改这些设置会让强化学习阶段从微调后的模型重新开始。可钻空子的奖励还会"
        "为第三个之后的每个答案词元多给 {w:g}。",
    },
    "corpus": {"en": "Pre-training corpus", "zh": "预训练语料"},
    "corpus_note": {
        "en": "{n} lines; numbers coloured by context: {legend}",
        "zh": "共 {n} 行；数字按语境着色：{legend}",
    },
    "version": {"en": "version", "zh": "版本号"},
    "section": {"en": "section", "zh": "章节号"},
    "date": {"en": "date", "zh": "日期"},
    "arithmetic": {"en": "arithmetic", "zh": "算术"},
    "pt_loss": {"en": "Next-token loss", "zh": "下一个词元的损失"},
    "samples": {
        "en": "What the model writes after a prompt (greedy), as training goes",
        "zh": "模型在提示之后写出的内容（贪心解码），随训练变化",
    },
    "at_step": {"en": "step {step}", "zh": "第 {step} 步"},
    "no_samples": {
        "en": "Run pre-training to see what the model writes.",
        "zh": "运行预训练，看看模型会写什么。",
    },
    "sft_examples": {"en": "Fine-tuning examples ({n})", "zh": "微调示例（{n} 条）"},
    "sft_loss": {"en": "Loss on the answer tokens", "zh": "答案词元上的损失"},
    "step_loss": {"en": "batch", "zh": "批次"},
    "train_loss": {"en": "the examples", "zh": "训练示例"},
    "held_loss": {"en": "held-out", "zh": "留出问题"},
    "overfit": {
        "en": "Over-fitting: the loss on the examples fell to {train:.3f} while the held-out "
        "loss is {held:.3f} (lowest {best:.3f} at step {at}).",
        "zh": "过拟合：训练示例上的损失降到 {train:.3f}，而留出问题上的损失是 {held:.3f}"
        "（最低 {best:.3f}，在第 {at} 步）。",
    },
    "no_overfit": {
        "en": "Loss on the examples {train:.3f}, held-out {held:.3f}.",
        "zh": "训练示例上的损失 {train:.3f}，留出问题上 {held:.3f}。",
    },
    "gap": {
        "en": "Loss on the examples {train:.3f}, on held-out questions {held:.3f}: {x:.0f}× "
        "higher. A few dozen examples are fitted almost exactly; questions never seen are "
        "not — what over-fitting a small set looks like.",
        "zh": "训练示例上的损失 {train:.3f}，留出问题上 {held:.3f}：高出 {x:.0f} 倍。"
        "几十条示例几乎被完全拟合，没见过的问题却没有——这就是小数据集上的过拟合。",
    },
    "sft_accuracy": {
        "en": "Held-out accuracy: {before:.0%} before fine-tuning (step 0), {after:.0%} at "
        "step {step}.",
        "zh": "留出问题准确率：微调前（第 0 步）{before:.0%}，第 {step} 步 {after:.0%}。",
    },
    "rl_reward": {"en": "Mean reward", "zh": "平均奖励"},
    "rl_accuracy": {"en": "Held-out accuracy", "zh": "留出问题准确率"},
    "rl_kl": {"en": "KL to the reference", "zh": "与参考模型的 KL"},
    "rl_length": {"en": "Answer length (tokens)", "zh": "答案长度（词元）"},
    "hacked": {
        "en": "Reward hacking: answers grew by {dl:+.1f} tokens while the share of right "
        "answers changed by {dc:+.0%} (first quarter of the steps against the last); KL {kl:.3f}.",
        "zh": "奖励被钻了空子：答案长度变化 {dl:+.1f} 个词元，而答对的比例变化 {dc:+.0%}"
        "（前四分之一步对比最后四分之一步）；KL {kl:.3f}。",
    },
    "not_hacked": {
        "en": "No reward hacking: answer length changed by {dl:+.1f} tokens, the share of "
        "right answers by {dc:+.0%} (first quarter against last); KL {kl:.3f}.",
        "zh": "没有钻奖励的空子：答案长度变化 {dl:+.1f} 个词元，答对的比例变化 {dc:+.0%}"
        "（前四分之一步对比最后四分之一步）；KL {kl:.3f}。",
    },
    "answer": {"en": "“Which is bigger: 9.11 or 9.9?”", "zh": "“9.11 和 9.9 哪个大？”"},
    "no_answer": {"en": "Run a stage to ask the model.", "zh": "运行一个阶段后再问模型。"},
    "says": {"en": "{stage}: answers “{text}”", "zh": "{stage}：回答“{text}”"},
    "p_pair": {"en": "P(9.9) {right} · P(9.11) {wrong}", "zh": "P(9.9) {right} · P(9.11) {wrong}"},
    "evidence": {
        "en": "At the answer's “.” (position {pos}) the model picks the token after the dot: "
        "P(11) {p11} vs P(9) {p9}. Attention there (mean over heads) on the question's "
        "11: {att11}; on its second 9: {att9}.",
        "zh": "在答案的“.”处（位置 {pos}），模型选择小数点后的词元：P(11) {p11}，P(9) {p9}。"
        "此处的注意力（各头平均）落在问题里的 11 上：{att11}；落在第二个 9 上：{att9}。",
    },
    "att_title": {
        "en": "Attention at the “.”",
        "zh": "“.”处的注意力",
    },
    "evidence_for": {"en": "Evidence for", "zh": "查看证据"},
    "layer": {"en": "layer {n}", "zh": "第 {n} 层"},
    "compare": {"en": "Stage comparison on held-out questions", "zh": "各阶段在留出问题上的对比"},
    "question": {"en": "Question", "zh": "问题"},
    "right": {"en": "Right", "zh": "正确答案"},
    "accuracy_row": {"en": "accuracy", "zh": "准确率"},
    "grpo_step": {"en": "One GRPO update, op by op", "zh": "一次 GRPO 更新，逐步查看"},
    "compare_tab": {"en": "Stage comparison", "zh": "阶段对比"},
    "trace_btn": {"en": "Record one update", "zh": "记录一次更新"},
    "trace_tip": {
        "en": "Record the RL stage's next update on a copy and step it with the timeline",
        "zh": "在副本上记录强化学习阶段的下一次更新，并用时间轴逐步查看",
    },
    "no_trace": {
        "en": "Finish fine-tuning, then record one update to step it here.",
        "zh": "完成微调后，记录一次更新，就能在这里逐步查看。",
    },
    "trace_head": {
        "en": "step {i} / {n} · {name} · {phase} · shape {shape}",
        "zh": "第 {i} / {n} 步 · {name} · {phase} · 形状 {shape}",
    },
    "trace_meta": {
        "en": "loss {loss:.4f} · KL {kl:.4f} · clipped {clip:.0%} · β {beta:g}",
        "zh": "损失 {loss:.4f} · KL {kl:.4f} · 被截断 {clip:.0%} · β {beta:g}",
    },
    "forward": {"en": "forward", "zh": "前向"},
    "loss": {"en": "loss", "zh": "损失"},
    "backward": {"en": "backward", "zh": "反向"},
    "update": {"en": "update", "zh": "更新"},
    "busy": {"en": "Another stage is running.", "zh": "另一个阶段正在运行。"},
}

GRPO_STEPS: dict[str, Text] = {
    "grpo.group": {
        "en": "the group: prompts and sampled answers (token ids)",
        "zh": "一组：提示与采样出的答案（词元 id）",
    },
    "grpo.rewards": {"en": "rewards of each answer, by the rule", "zh": "按规则给每个答案的奖励"},
    "grpo.advantages": {
        "en": "advantages: (reward − group mean) / group std",
        "zh": "优势：（奖励 − 组平均）/ 组标准差",
    },
    "grpo.mask": {"en": "which tokens are answer tokens", "zh": "哪些词元属于答案"},
    "grpo.logp": {"en": "log-probabilities under the policy", "zh": "策略模型下的对数概率"},
    "grpo.old_logp": {
        "en": "log-probabilities of the sampling policy",
        "zh": "采样时策略的对数概率",
    },
    "grpo.ref_logp": {"en": "log-probabilities under the reference", "zh": "参考模型下的对数概率"},
    "grpo.ratio": {"en": "ratio π / π_old", "zh": "比率 π / π_old"},
    "grpo.ratio_clipped": {
        "en": "ratio clipped to [1 − ε, 1 + ε]",
        "zh": "截断到 [1 − ε, 1 + ε] 的比率",
    },
    "grpo.surrogate": {"en": "min(ratio · A, clipped · A)", "zh": "min(比率 · A, 截断后 · A)"},
    "grpo.log_ratio_ref": {"en": "log π_ref − log π", "zh": "log π_ref − log π"},
    "grpo.kl": {"en": "KL per token: exp(r) − r − 1", "zh": "每个词元的 KL：exp(r) − r − 1"},
    "grpo.per_token": {
        "en": "per-token loss: −(surrogate − β·KL)",
        "zh": "每个词元的损失：−(替代目标 − β·KL)",
    },
    "loss": {"en": "the loss: mean over answer tokens", "zh": "损失：对答案词元取平均"},
}


def t(key: str, lang: str, **values: object) -> str:
    """The string ``key`` in ``lang``, formatted with ``values``."""
    text = tr(STRINGS[key], lang)
    return text.format(**values) if values else text


def step_caption(name: str, phase: str, lang: str) -> str:
    """What one GRPO step is, in words (a model op or parameter: its name and phase)."""
    if name in GRPO_STEPS and phase in ("forward", "loss"):
        return tr(GRPO_STEPS[name], lang)
    return f"{name} ({t(phase, lang) if phase in STRINGS else phase})"
