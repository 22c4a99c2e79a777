"""Every on-screen string of the neuron room, in English and Simplified Chinese, plus number
formatting. One place, so a translator edits one file and the widgets stay free of text."""

from __future__ import annotations

from visualizer.i18n import Text, tr

STRINGS: dict[str, Text] = {
    "title": {"en": "The neuron", "zh": "神经元"},
    "subtitle": {
        "en": "Predict a sunflower's height from sun, water and compost",
        "zh": "根据日照、浇水和堆肥预测向日葵的高度",
    },
    "inputs": {"en": "Input features a", "zh": "输入特征 a"},
    "params": {"en": "Weights w and bias b", "zh": "权重 w 和偏置 b"},
    "training": {"en": "Training", "zh": "训练"},
    "activation": {"en": "Activation f", "zh": "激活函数 f"},
    "lr": {"en": "Learning rate η", "zh": "学习率 η"},
    "seed": {"en": "Seed", "zh": "随机种子"},
    "step": {"en": "Step", "zh": "单步"},
    "step_tip": {
        "en": "One gradient-descent step on the current sample (then the next sample)",
        "zh": "在当前样本上做一步梯度下降（之后换下一个样本）",
    },
    "train": {"en": "Train", "zh": "训练"},
    "train_tip": {
        "en": "Take this many steps, one sample after another",
        "zh": "连续走这么多步，样本依次轮换",
    },
    "reset": {"en": "Reset", "zh": "重置"},
    "reset_tip": {
        "en": "New random weights from the seed; clears the loss curve",
        "zh": "用随机种子重新生成权重，清空损失曲线",
    },
    "steps": {"en": "steps", "zh": "步"},
    "data": {"en": "Sunflowers", "zh": "向日葵数据"},
    "data_hint": {
        "en": "click a training row to use it · grey rows: test only",
        "zh": "点击训练行来使用它 · 灰色行只用于测试",
    },
    "surface_hint": {
        "en": "training loss, log colour · □ start · ● now",
        "zh": "训练损失（对数着色）· □ 起点 · ● 当前",
    },
    "loss_curve": {"en": "Loss during training", "zh": "训练过程中的损失"},
    "surface": {"en": "Loss surface", "zh": "损失曲面"},
    "surface_tip": {
        "en": "Mean training loss for two parameters, the others fixed; the line is the path "
        "gradient descent took",
        "zh": "两个参数变化时的平均训练损失（其余参数固定）；折线是梯度下降走过的路径",
    },
    "train_loss": {"en": "training loss (all samples)", "zh": "训练损失（全部样本）"},
    "test_loss": {"en": "test loss", "zh": "测试损失"},
    "sample_loss": {"en": "loss of the stepped sample", "zh": "本步样本的损失"},
    "step_axis": {"en": "step", "zh": "步数"},
    "loss_axis": {"en": "loss (log)", "zh": "损失（对数）"},
    "col_index": {"en": "#", "zh": "#"},
    "col_y": {"en": "height y", "zh": "高度 y"},
    "col_z": {"en": "output z", "zh": "预测 z"},
    "test_row": {"en": "test", "zh": "测试"},
    "sun": {"en": "sun", "zh": "日照"},
    "water": {"en": "water", "zh": "浇水"},
    "compost": {"en": "compost", "zh": "堆肥"},
    "sun_tip": {"en": "share of the day in direct sun", "zh": "一天中直射日照的比例"},
    "water_tip": {"en": "litres of water per day", "zh": "每天浇水的升数"},
    "compost_tip": {"en": "share of compost in the soil", "zh": "土壤中堆肥的比例"},
    "identity": {"en": "identity", "zh": "恒等"},
    "step_fn": {"en": "step", "zh": "阶跃"},
    "sigmoid": {"en": "sigmoid", "zh": "Sigmoid"},
    "tanh": {"en": "tanh", "zh": "tanh"},
    "relu": {"en": "ReLU", "zh": "ReLU"},
    "target": {"en": "target y", "zh": "目标 y"},
    "loss": {"en": "loss L", "zh": "损失 L"},
    "output": {"en": "output z", "zh": "输出 z"},
    "typed": {
        "en": "inputs typed by hand: no target, no loss",
        "zh": "手动输入：没有目标，也没有损失",
    },
    "sample": {"en": "sample", "zh": "样本"},
    "preview": {
        "en": "preview: nothing applied yet — press Step to learn",
        "zh": "预览：尚未更新参数——按“单步”开始学习",
    },
    "applied": {"en": "step {n} applied", "zh": "已完成第 {n} 步"},
    "loss_after": {"en": "loss on this sample", "zh": "此样本上的损失"},
    "dead": {
        "en": "the step function's slope is 0: no gradient reaches the weights",
        "zh": "阶跃函数的斜率为 0：没有梯度能到达权重",
    },
    "each": {"en": "for each i", "zh": "对每个 i"},
}
ACT_KEYS = {"identity": "identity", "step": "step_fn", "sigmoid": "sigmoid", "tanh": "tanh"}
FEATURES = ("sun", "water", "compost")


def t(key: str, lang: str) -> str:
    return tr(STRINGS[key], lang)


def act_name(name: str, lang: str) -> str:
    return t(ACT_KEYS.get(name, name), lang)


def num(v: float, digits: int = 3) -> str:
    """A short number with a real minus sign: 0.44, −0.067, 1.2, 12.5; inf and nan as words."""
    v = float(v)
    if v != v:
        return "NaN"
    if abs(v) == float("inf"):
        return "∞" if v > 0 else "−∞"
    text = f"{v:.3g}" if abs(v) >= 1000 else f"{v:.{digits}f}".rstrip("0").rstrip(".")
    if text in ("-0", "0", ""):
        return "0"
    return text.replace("-", "−")


def par(v: float, digits: int = 3) -> str:
    """``num`` in parentheses when negative, for use inside a product or sum."""
    text = num(v, digits)
    return f"({text})" if text.startswith("−") else text
