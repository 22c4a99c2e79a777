"""Every on-screen string of the network playground, in English and Simplified Chinese.

Kept in one place so the room, its canvas and its panels relabel together when the
language changes, and a test can check that no string lacks a translation.
"""

from __future__ import annotations

from visualizer.i18n import Text, tr

STRINGS: dict[str, Text] = {
    "title": {"en": "Network playground", "zh": "神经网络游乐场"},
    "play": {"en": "Play", "zh": "训练"},
    "pause": {"en": "Pause", "zh": "暂停"},
    "step": {"en": "Step", "zh": "单步"},
    "reset": {"en": "Reset", "zh": "重置"},
    "play_tip": {"en": "Train continuously", "zh": "连续训练"},
    "step_tip": {
        "en": "Record one training iteration and walk through it: forward, loss, backward, update",
        "zh": "记录一次训练迭代并逐步查看：前向、损失、反向、更新",
    },
    "reset_tip": {
        "en": "Start again from the seed's weights",
        "zh": "从随机种子的初始权重重新开始",
    },
    "iteration": {"en": "Iteration", "zh": "迭代"},
    "data": {"en": "Data", "zh": "数据"},
    "dataset": {"en": "Data set", "zh": "数据集"},
    "classes": {"en": "Classes", "zh": "类别数"},
    "noise": {"en": "Noise", "zh": "噪声"},
    "split": {"en": "Training share", "zh": "训练集比例"},
    "seed": {"en": "Seed", "zh": "随机种子"},
    "network": {"en": "Training", "zh": "训练设置"},
    "activation": {"en": "Activation", "zh": "激活函数"},
    "lr": {"en": "Learning rate", "zh": "学习率"},
    "batch": {"en": "Batch size", "zh": "批大小"},
    "l2": {"en": "L2 regularization", "zh": "L2 正则化"},
    "hidden": {"en": "hidden layers", "zh": "个隐藏层"},
    "hidden1": {"en": "hidden layer", "zh": "个隐藏层"},
    "layer_n": {"en": "layer {n}", "zh": "第 {n} 层"},
    "neurons": {"en": "neurons", "zh": "个神经元"},
    "neuron1": {"en": "neuron", "zh": "个神经元"},
    "input": {"en": "Input features", "zh": "输入特征"},
    "output": {"en": "Output", "zh": "输出"},
    "add_layer": {"en": "Add a hidden layer", "zh": "添加一个隐藏层"},
    "remove_layer": {"en": "Remove the last hidden layer", "zh": "删除最后一个隐藏层"},
    "add_neuron": {"en": "Add a neuron", "zh": "添加一个神经元"},
    "remove_neuron": {"en": "Remove a neuron", "zh": "删除一个神经元"},
    "train_loss": {"en": "Training loss", "zh": "训练损失"},
    "test_loss": {"en": "Test loss", "zh": "测试损失"},
    "accuracy": {"en": "test accuracy", "zh": "测试准确率"},
    "losses": {"en": "Loss", "zh": "损失"},
    "boundary": {"en": "Output over the plane", "zh": "输出在平面上的分布"},
    "hover": {
        "en": "Point at the plane to read the network's answer",
        "zh": "将鼠标移到平面上，查看网络的判断",
    },
    "focus": {"en": "highlighted point", "zh": "高亮的点"},
    "legend_w": {"en": "weight", "zh": "权重"},
    "legend_g": {"en": "gradient ∂L/∂W", "zh": "梯度 ∂L/∂W"},
    "legend_u": {"en": "change −lr·∂L/∂W", "zh": "变化量 −lr·∂L/∂W"},
    "edit_tip": {"en": "Click a link to edit its weight", "zh": "点击连线可编辑权重"},
    "idle": {
        "en": "Press Step to record one training iteration and walk through it — forward, "
        "loss, backward, update — or Play to train continuously. Each small square shows what "
        "its neuron outputs over the whole plane.",
        "zh": "按“单步”记录一次训练迭代并逐步查看（前向、损失、反向、更新），或按“训练”连续训练。"
        "每个小方块显示该神经元在整个平面上的输出。",
    },
    "training": {
        "en": "Training: every frame runs several iterations on small batches, then redraws "
        "every neuron and the output. Pause or Step at any moment.",
        "zh": "训练中：每一帧在小批量上运行若干次迭代，然后重新绘制每个神经元和输出。"
        "可随时暂停或单步。",
    },
    "loss_badge": {"en": "loss", "zh": "损失"},
    "help": {
        "en": "<b>How to read it</b><ul style='margin-left:-24px'>"
        "<li>Each square is one neuron: its output over the whole plane "
        "(<span style='color:#b2182b'>red +</span>, "
        "<span style='color:#2166ac'>blue −</span>).</li>"
        "<li>Links are weights: thicker means larger. Click one to edit it.</li>"
        "<li>The plane on the right is coloured by the class the network picks; the paler, "
        "the less sure.</li>"
        "<li>Points with a dark rim are test data, never trained on.</li></ul>",
        "zh": "<b>怎么看</b><ul style='margin-left:-24px'>"
        "<li>每个小方块是一个神经元：它在整个平面上的输出"
        "（<span style='color:#b2182b'>红为正</span>，"
        "<span style='color:#2166ac'>蓝为负</span>）。</li>"
        "<li>连线代表权重：越粗，绝对值越大。点击连线可编辑。</li>"
        "<li>右侧平面按网络选出的类别着色；颜色越浅，网络越不确定。</li>"
        "<li>带深色边框的点是测试数据，从不参与训练。</li></ul>",
    },
    "train_pts": {"en": "training", "zh": "训练"},
    "test_pts": {"en": "test", "zh": "测试"},
}

NAMES: dict[str, Text] = {
    "blobs": {"en": "Blobs", "zh": "点团"},
    "xor": {"en": "XOR", "zh": "异或"},
    "circle": {"en": "Circle", "zh": "圆环"},
    "spiral": {"en": "Spiral", "zh": "螺旋"},
    "cat_dog": {"en": "Cat or dog", "zh": "猫还是狗"},
    "tanh": {"en": "tanh", "zh": "tanh"},
    "relu": {"en": "ReLU", "zh": "ReLU"},
    "sigmoid": {"en": "sigmoid", "zh": "sigmoid"},
    "linear": {"en": "linear (none)", "zh": "线性（无）"},
    "cat": {"en": "cat", "zh": "猫"},
    "dog": {"en": "dog", "zh": "狗"},
    "orange": {"en": "orange", "zh": "橙"},
    "blue": {"en": "blue", "zh": "蓝"},
    "green": {"en": "green", "zh": "绿"},
    "purple": {"en": "purple", "zh": "紫"},
    "ear pointiness": {"en": "ear pointiness", "zh": "耳朵尖度"},
    "snout length": {"en": "snout length", "zh": "口鼻长度"},
}


def t(key: str, lang: str) -> str:
    return tr(STRINGS[key], lang)


def name(key: str, lang: str) -> str:
    """A data-set, activation, class or feature name in ``lang`` (as given if unknown)."""
    return tr(NAMES[key], lang) if key in NAMES else key


def readout(probs: list[float], classes: list[str], lang: str) -> str:
    """ "80 % cat, 20 % dog" (largest first when there are more than two classes)."""
    pairs = list(zip(probs, classes, strict=True))
    if len(pairs) > 2:
        pairs.sort(key=lambda p: -p[0])
    sep = "，" if lang == "zh" else ", "
    return sep.join(f"{round(100 * p)} % {name(c, lang)}" for p, c in pairs)
