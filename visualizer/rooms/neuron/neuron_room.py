"""THE NEURON room: one neuron, drawn as the classic figure, fitted to sunflower heights by
gradient descent one step at a time.

A complete page: the figure with the worked arithmetic and the step's narration, the
controls (inputs, weights, bias, activation, learning rate, seed, Step / Train N /
Reset), the data table, the loss curve, the loss surface with the descent path, and the
shared timeline at the bottom, which steps the lab's trace (forward → loss → backward →
update) with the same keys as the Transformer. Controls only call ``NeuronLab``
methods; the room redraws from the lab on ``sigTrace`` (every edit or step makes a
new trace) and from the trace on ``sigCursor``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from visualizer.i18n import say
from visualizer.panels.timeline.timeline_view import TimelineView
from visualizer.rooms.neuron.neuron_arith import (
    forward_line,
    narration_html,
    status_html,
    step_line,
)
from visualizer.rooms.neuron.neuron_charts import LossCurve, LossSurface
from visualizer.rooms.neuron.neuron_controls import PARAMS, NeuronControls
from visualizer.rooms.neuron.neuron_figure import NeuronFigure
from visualizer.rooms.neuron.neuron_state import NeuronPicture
from visualizer.rooms.neuron.neuron_table import DataTable
from visualizer.rooms.neuron.neuron_text import FEATURES, t
from visualizer.theme import MUTED, get_scale, ui_font

if TYPE_CHECKING:
    from core.basics.neuron_lab import NeuronLab
    from core.basics.neuron_surface import Surface
    from visualizer.bridge import SessionBridge

GRID = 61  # loss-surface resolution per axis
PAIRS = ((0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3))


def _label(size: int = 10, bold: bool = False, rich: bool = True) -> QLabel:
    lab = QLabel(" ")
    lab.setFont(ui_font(size, bold))
    lab.setWordWrap(True)
    if rich:
        lab.setTextFormat(Qt.TextFormat.RichText)
    lab.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    return lab


def _box(label: QLabel) -> QFrame:
    """``label`` on a light rounded panel; the padding is the panel's, so the label's
    rectangle is its text's (a padded label wraps for a width it does not have)."""
    box = QFrame()
    box.setObjectName("narration-box")
    box.setStyleSheet("#narration-box { background: #f4f4f7; border-radius: 6px; }")
    lay = QVBoxLayout(box)
    lay.setContentsMargins(6, 6, 6, 6)
    lay.addWidget(label)
    return box


class NeuronRoom(QWidget):
    def __init__(
        self, lab: NeuronLab, bridge: SessionBridge, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.lab, self.bridge = lab, bridge
        self.picture = NeuronPicture(lab.trace)
        self._surface_key: tuple[object, ...] = ()
        self._surface: Surface | None = None
        self.title, self.status = _label(14, True), _label(10)
        self.figure = NeuronFigure()
        self.worked, self.forward = _label(11), _label(10)
        self.narration = _label(10)
        self.narration_box = _box(self.narration)
        # At least these heights, so that a longer sentence at one step does not resize
        # the figure; a text that needs more (Chinese, a projector's zoom) takes it, as
        # wrapped text never cut (issue 16): the page scrolls where the screen is short.
        for label, lines in ((self.worked, 2), (self.forward, 2), (self.narration, 4)):
            label.setMinimumHeight(label.fontMetrics().lineSpacing() * lines)
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.controls = NeuronControls(lab, self._do)
        self.table = DataTable()
        self.table_title, self.curve_title, self.surf_title = (
            _label(10, True),
            _label(10, True),
            _label(10, True),
        )
        self.curve, self.surface = LossCurve(), LossSurface()
        self.pair = QComboBox()
        for i, j in PAIRS:
            self.pair.addItem(f"{PARAMS[i]} × {PARAMS[j]}", (i, j))
        self.timeline = TimelineView(lab, bridge)
        self._layout()
        self._connect()
        self.table.set_data(lab.data.x, lab.data.y, lab.n_train, lab.lang)
        self._on_trace()
        self._relabel()

    @classmethod
    def create(  # type: ignore[override]  # a room factory, not Qt's window hook (docstring)
        cls, parent: QWidget | None = None
    ) -> NeuronRoom:
        """A room on a fresh lab (seed 0) and its own bridge. (It shadows QWidget.create,
        which Qt never calls from Python; the rooms' contract names it so.)"""
        from core.basics.neuron_lab import NeuronLab
        from visualizer.bridge import SessionBridge

        lab = NeuronLab()
        return cls(lab, SessionBridge(lab), parent)

    # -- building --------------------------------------------------------------------------
    def _layout(self) -> None:
        left = QVBoxLayout()
        left.addWidget(self.title)
        left.addWidget(self.status)
        # the step's narration above the figure: at a projector's zoom on a short screen
        # the page scrolls, and what it says must stay on screen (the arithmetic under
        # the figure may scroll away; issue 16)
        left.addWidget(self.narration_box)
        left.addWidget(self.figure, 1)
        left.addWidget(self.worked)
        left.addWidget(self.forward)
        z = get_scale()  # fixed sizes are built at the zoom of the day (presentation.scale)
        self.controls.setFixedWidth(round(420 * z))
        top = QHBoxLayout()
        top.addLayout(left, 1)
        top.addWidget(self.controls)
        bottom = QHBoxLayout()
        for title, widget, extra in (
            (self.table_title, self.table, None),
            (self.curve_title, self.curve, None),
            (self.surf_title, self.surface, self.pair),
        ):
            col = QVBoxLayout()
            head = QHBoxLayout()
            head.addWidget(title, 1)
            if extra is not None:
                head.addWidget(extra)
            col.addLayout(head)
            col.addWidget(widget, 1)
            bottom.addLayout(col, 1)
        holder = QWidget()
        holder.setLayout(bottom)
        # 180 to 250 high: under a chapter's narration on a 1080-line screen the room
        # must still show its timeline (issue 16)
        holder.setMinimumHeight(180)
        holder.setMaximumHeight(round(250 * z))
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 6, 8, 4)
        lay.addLayout(top, 1)
        lay.addWidget(holder)
        lay.addWidget(self.timeline)

    def _connect(self) -> None:
        lab, b = self.lab, self.bridge
        self.table.sigPick.connect(lambda r: self._do(lab.set_sample, r))
        self.pair.currentIndexChanged.connect(self._on_pair)
        b.sigTrace.connect(self._on_trace)
        b.sigCursor.connect(self._on_cursor)
        b.sigLang.connect(self._relabel)
        b.sigError.connect(self._on_error)

    def _do(self, fn: Callable[..., object], *args: object) -> None:
        self.lab.error = ""
        try:
            fn(*args)
        except ValueError as e:
            from core.messages import message_of  # plain Python: no PyTorch

            self.lab.error = message_of(e)

    def _on_pair(self, _i: int) -> None:
        i, j = self.pair.currentData()
        self._do(self.lab.set_pair, i, j)
        self._refresh_surface()

    # -- updating --------------------------------------------------------------------------
    def _on_trace(self, _trace: object = None) -> None:
        lab = self.lab
        self.picture = NeuronPicture(lab.trace)
        self.controls.show_lab()
        s = float(np.nan_to_num(self.picture.at(len(lab) - 1).s or 0.0, nan=0.0))
        span = max(4.0, min(50.0, abs(s) + 1.0))
        xs = np.linspace(-span, span, 161)
        self.figure.set_curve(lab.activation, xs, lab.curve(xs))
        self.table.set_predictions(lab.predictions())
        self.table.set_current(lab.sample)
        self.curve.set_history(lab.history)
        self._refresh_surface()
        self._on_cursor(lab.cursor)

    def _refresh_surface(self) -> None:
        """Recomputed only when it can change: the pair, the activation, the two fixed
        parameters or the span; dragging one of the pair's own weights moves the dot."""
        lab = self.lab
        i, j = lab.pair
        vec = (*lab.weights, lab.bias)
        span = lab.surface_span(i, j)
        key = (i, j, lab.activation, tuple(v for k, v in enumerate(vec) if k not in (i, j)), span)
        if self._surface is None or key != self._surface_key:
            self._surface = lab.loss_surface(i, j, grid=GRID, span=span)
            self._surface_key = key
        self.surface.set_surface(self._surface, lab.path(i, j))
        names = [PARAMS[k] + (f" · {t(FEATURES[k], lab.lang)}" if k < 3 else "") for k in (i, j)]
        self.surface.set_names(*names)

    def _on_cursor(self, _index: int) -> None:
        lab, lang = self.lab, self.lab.lang
        if not len(lab):
            return
        st = self.picture.at(lab.cursor)
        self.figure.set_state(st, animate=lab.animate)
        self.worked.setText(step_line(st, lab.activation, lang) or "&nbsp;")
        self.forward.setText(
            f"<span style='color:{MUTED}'>{forward_line(st, lab.activation, lang)}</span>"
        )
        self.narration.setText(narration_html(lab.step, lang))
        self.status.setText(status_html(lab, lang))

    def _on_error(self, message: str) -> None:
        """A refused value (say, a negative learning rate) is said where the status is."""
        if message:
            text = say(message, self.lab.lang)  # an engine message, in the room's language
            self.status.setText(f"<span style='color:#d62828'>{text}</span>")
        else:
            self.status.setText(status_html(self.lab, self.lab.lang))

    def apply_scale(self, _scale: float) -> None:
        """The presentation zoom changed: the titles' smaller lines follow it."""
        self._relabel()

    def _relabel(self, _lang: str = "") -> None:
        lang = self.lab.lang
        self.figure.lang = lang
        z = get_scale()  # the spans' sizes are the HTML's own: the zoom does not reach them
        sub = f"font-size:{11 * z:.1f}pt; font-weight:normal; color:{MUTED}"
        self.title.setText(
            f"{t('title', lang)} &nbsp;<span style='{sub}'>{t('subtitle', lang)}</span>"
        )
        self.controls.relabel(lang)
        self.table.relabel(lang)
        small = f"<br><span style='font-weight:normal; font-size:{9 * z:.1f}pt'>{{}}</span>"
        self.table_title.setText(t("data", lang) + small.format(t("data_hint", lang)))
        self.curve_title.setText(t("loss_curve", lang) + small.format(LossCurve.legend_html(lang)))
        self.surf_title.setText(t("surface", lang) + small.format(t("surface_hint", lang)))
        self.surf_title.setToolTip(t("surface_tip", lang))
        self.curve.relabel(lang)
        self._refresh_surface()
        self._on_cursor(self.lab.cursor)
