"""Every string of the training dock, in English and Simplified Chinese."""

from __future__ import annotations

STRINGS = {
    "start": {"en": "Train", "zh": "训练"},
    "pause": {"en": "Pause", "zh": "暂停"},
    "resume": {"en": "Resume", "zh": "继续"},
    "cancel": {"en": "Cancel", "zh": "取消"},
    "restart": {"en": "Replay run", "zh": "重放训练"},
    "restart_tip": {
        "en": "Train again from the weights the last run started from, with the same seed and "
        "settings: the same run, step for step",
        "zh": "从上次训练的初始权重、用相同的种子和设置重新训练：逐步完全相同",
    },
    "model": {"en": "Model…", "zh": "模型…"},
    "steps": {"en": "Steps", "zh": "步数"},
    "scratch": {"en": "from random weights", "zh": "从随机权重开始"},
    "until": {"en": "stop when the lecture sentences are right", "zh": "讲课例句全对时停止"},
    "idle": {
        "en": "Press Train: the model learns in a separate process; the window stays live.",
        "zh": "按“训练”：模型在独立进程中学习，窗口保持响应。",
    },
    "starting": {"en": "starting the training process…", "zh": "正在启动训练进程…"},
    "progress": {
        "en": "step {step}/{total} · loss {loss:.3f} · {rate:.0f} steps/s · {eta:.0f} s left",
        "zh": "第 {step}/{total} 步 · 损失 {loss:.3f} · 每秒 {rate:.0f} 步 · 剩余 {eta:.0f} 秒",
    },
    "eval": {
        "en": "step {step}: val loss {val:.3f} · token acc {acc:.1%} · BLEU {bleu:.1f} · "
        "lecture sentences right {right}/{of} · now says “{out}”",
        "zh": "第 {step} 步：验证损失 {val:.3f} · 词元准确率 {acc:.1%} · BLEU {bleu:.1f} · "
        "讲课例句正确 {right}/{of} · 现在译为“{out}”",
    },
    "other_pair": {
        "en": "Finished after {steps} steps ({reason}) on {pair}; not loaded here, because the "
        "language pair changed while it trained — saved to {path}",
        "zh": "训练结束：{steps} 步（{reason}），训练的是 {pair}；语言对在训练期间已更改，"
        "所以没有在这里加载——已保存到 {path}",
    },
    "done": {
        "en": "Finished after {steps} steps ({reason}); saved to {path}",
        "zh": "训练结束：{steps} 步（{reason}）；已保存到 {path}",
    },
    "reset": {
        "en": "New model with random weights ({n:,} parameters): press Train to teach it.",
        "zh": "已新建随机权重的模型（{n:,} 个参数）：按“训练”来教它。",
    },
}

REASONS = {
    "steps": {"en": "all steps done", "zh": "全部步数完成"},
    "cancelled": {"en": "cancelled", "zh": "已取消"},
    "lecture": {"en": "the lecture sentences are right", "zh": "讲课例句已全部正确"},
}
