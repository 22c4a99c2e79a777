"""Strings and key list of the presentation mode (English and Simplified Chinese)."""

from __future__ import annotations

STRINGS = {
    "present": {"en": "Presentation mode", "zh": "演示模式"},
    "settings": {"en": "Presentation settings…", "zh": "演示设置…"},
    "settings_title": {"en": "Presentation", "zh": "演示"},
    "panels": {"en": "Panels shown while presenting", "zh": "演示时显示的面板"},
    "central": {
        "en": "The sentence and the current tensor are always shown.",
        "zh": "句子和当前张量始终显示。",
    },
    "not_here": {"en": "{name} (not for this model)", "zh": "{name}（不适用于当前模型）"},
    "zoom": {"en": "Zoom", "zh": "缩放"},
    "zoom_in": {"en": "Zoom in", "zh": "放大"},
    "zoom_out": {"en": "Zoom out", "zh": "缩小"},
    "zoom_reset": {"en": "Actual size", "zh": "实际大小"},
    "theme": {"en": "Theme", "zh": "主题"},
    "draw": {"en": "Draw on the screen", "zh": "在屏幕上绘画"},
    "highlight": {"en": "Highlight an area", "zh": "高亮一个区域"},
    "clear": {"en": "Clear the drawing", "zh": "清除绘画"},
    "blank": {"en": "Blank the screen", "zh": "黑屏"},
    "about": {"en": "About Transformer Simulator", "zh": "关于 Transformer 模拟器"},
    "zoomed": {"en": "Zoom {pct}%", "zh": "缩放 {pct}%"},
    "close": {"en": "Close", "zh": "关闭"},
    "start": {"en": "Start presenting", "zh": "开始演示"},
}

KEYS = [  # (keys, English, Chinese): for the help sheet of every shortcut
    ("F5", "Presentation mode on / off", "进入 / 退出演示模式"),
    ("Esc", "Leave presentation mode (first clears a drawing)", "退出演示模式（先清除绘画）"),
    ("PageDown", "Next op (clicker)", "下一个操作（翻页笔）"),
    ("PageUp", "Previous op (clicker)", "上一个操作（翻页笔）"),
    ("B", "Blank the screen / show it again", "黑屏 / 恢复显示"),
    ("D", "Draw with the pen (again: stop)", "用画笔绘画（再按一次：停止）"),
    ("H", "Highlight an area by dragging", "拖动以高亮一个区域"),
    ("C", "Clear the drawing", "清除绘画"),
    ("Ctrl+=", "Zoom in (fonts and lines)", "放大（字体和线条）"),
    ("Ctrl+-", "Zoom out", "缩小"),
    ("Ctrl+0", "Actual size", "实际大小"),
]
