"""The architecture diagram: the Transformer figure of "Attention Is All You Need", live,
in the shape of the model that ran (``bundle.cfg`` and the trace's ``meta.arch``).

A translator: encoder stack on the left, decoder stack on the right (every layer;
compact rows for the layers out of focus when a deep stack would not fit), embeddings
at the bottom, linear + softmax + the chosen token on top, K,V arrows from the encoder
output into every decoder layer's cross-attention. A decoder-only model (GPT): one
stack of masked self-attention blocks over prompt + answer, no encoder and no
cross-attention, ending in the output head over the vocabulary. An encoder-only model
(BERT, ViT): [CLS] + the tokens (or the picture's patches), the encoder stack, the
[CLS] vector and the classification head over the labels. A mixture of experts draws
its router, every expert and the weighted sum; the experts the current token was
routed to light up. The layout is rebuilt with every new trace (a new model always
brings one: ``Session.open_model`` installs the bundle, then its trace). The box
holding the current step is highlighted and expanded into its ops (pills); clicking a
box or a pill seeks there
(decoder boxes: at the current decoding step). Geometry: ``widgets/diagram_layout.py``
(cached per size and expanded box); step -> box: ``diagram_index.py`` (once per
trace); texts: ``diagram_scene.py``; drawing: ``diagram_paint.py``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from PySide6.QtCore import QEasingCurve, QEvent, QPoint, QPointF, QSize, Qt, QVariantAnimation
from PySide6.QtGui import (
    QColor,
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import QScrollArea, QSizePolicy, QToolTip, QWidget

from visualizer import theme
from visualizer.i18n import tr
from visualizer.panels.diagram import diagram_layout as dl
from visualizer.panels.diagram.diagram_frame import Scene
from visualizer.panels.diagram.diagram_index import DiagramIndex, box_of
from visualizer.panels.diagram.diagram_paint import paint, paint_base, paint_live
from visualizer.panels.diagram.diagram_scene import SceneTexts
from visualizer.panels.diagram.diagram_text import ui

if TYPE_CHECKING:
    from core.session import Session
    from core.trace import Intervention, Step
    from visualizer.bridge import SessionBridge

MARKS = {  # the banner while interventions are on
    "one": {"en": "✎ 1 intervention on", "zh": "✎ 1 个干预生效中"},
    "many": {"en": "✎ {n} interventions on", "zh": "✎ {n} 个干预生效中"},
    "tip": {"en": "intervention: {label}", "zh": "干预：{label}"},
}


MIN_W, MIN_H = 220, 300


class DiagramView(QWidget):
    def __init__(
        self, session: Session, bridge: SessionBridge, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session, self.bridge = session, bridge
        self.setMouseTracking(True)
        self._min_h: dict[tuple[object, ...], int] = {}
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.index = DiagramIndex(session.trace)
        self.texts = SceneTexts(session, self.index)
        self._cache: dict[tuple[object, ...], dl.Layout] = {}
        self.current: str | None = None  # the box holding the cursor
        self._from: tuple[dl.Layout, dl.Rect] | None = None  # where an animation starts
        self._shown: tuple[dl.Layout, dl.Rect | None] | None = None  # the last frame painted
        self._bg: tuple[dl.Layout, tuple[str, float], QPixmap] | None = None  # static base
        self._anim = QVariantAnimation(self, duration=200, startValue=0.0, endValue=1.0)
        self._anim.setEasingCurve(QEasingCurve.Type.OutCubic)
        self._anim.valueChanged.connect(lambda _: self.update())
        bridge.sigTrace.connect(self._on_trace)
        bridge.sigCursor.connect(self._on_cursor)
        bridge.connect_relabel(self._on_lang)
        self.marked: dict[str, list[str]] = {}  # box -> labels of its active interventions
        bridge.sigInterventions.connect(self._on_interventions)
        bridge.sigDisabled.connect(self._on_interventions)
        self._on_interventions()
        self._on_trace()

    # -- state -------------------------------------------------------------------------
    def _on_trace(self, _trace: object = None) -> None:
        self.index = DiagramIndex(self.session.trace)
        self.texts = SceneTexts(self.session, self.index)
        self._cache.clear()
        self._shown = self._bg = None
        self._on_interventions()  # a new model may place the same names in other boxes
        self._on_cursor(self.session.cursor, animate=False)

    def _on_interventions(self, _value: object = None) -> None:
        """Mark the boxes whose tensors an active intervention changes."""
        active: list[Intervention] = getattr(self.session, "active_interventions", list)()
        self.marked = {}
        if active:
            from core.interventions import label  # torch is loaded once there are any
        for i in active:
            box = box_of(i.name, self.index.arch == "encoder-only")
            if box is not None:
                self.marked.setdefault(box, []).append(label(i))
        self._n_active = len(active)
        self.update()

    def banner(self) -> str:
        """ "N interventions on" while any is active, else ""."""
        n, lang = self._n_active, self.session.lang
        return "" if not n else tr(MARKS["one" if n == 1 else "many"], lang).format(n=n)

    def _on_lang(self, lang: str) -> None:
        self.texts.relabel(lang)
        self.update()

    def _step(self) -> Step | None:
        s = self.session
        return s.step if 0 <= s.cursor < len(s.trace.steps) else None

    def _on_cursor(self, _i: int = 0, animate: bool = True) -> None:
        step = self._step()
        box = self.index.box[step.index] if step is not None else None
        shown = self._shown
        if box != self.current and animate and self.session.animate and shown and shown[1]:
            self._from = (shown[0], shown[1])  # glide from what is on screen now
            self._anim.stop()
            self._anim.start()
        elif box != self.current:
            self._anim.stop()
            self._from = None
        changed, self.current = box != self.current, box
        if changed:
            self.updateGeometry()  # an expanded box may need more height
            self._follow()
        self.update()

    # -- geometry ----------------------------------------------------------------------
    def diagram_layout(self) -> dl.Layout:
        """The (cached) layout for the widget's size with the current box expanded."""
        sh = self.texts.shape  # the model the shown trace ran on
        box, step = self.current, self._step()
        n_ops = len(self.index.ops(box, step)) if box and step else 0
        layer = dl.layer_of(box) if box and box[:3] in ("enc", "dec") else ""
        key = (
            self.width(),
            self.height(),
            box if n_ops > 1 else None,
            n_ops,
            layer,
            sh,
            theme.get_scale(),
        )
        if key not in self._cache:
            if len(self._cache) > 64:
                self._cache.clear()
            self._cache[key] = dl.compute(
                self._spec(self.width(), self.height(), key[2], n_ops, layer)
            )
        return self._cache[key]

    def _spec(
        self, width: float, height: float, box: str | None = None, n_ops: int = 0, layer: str = ""
    ) -> dl.Spec:
        sh = self.texts.shape
        return dl.Spec(
            sh.n_enc,
            sh.n_dec,
            width,
            height,
            sh.enc_norm,
            sh.dec_norm,
            box,
            n_ops,
            frozenset({layer}),
            sh.arch,
            sh.n_experts,
            sh.mlm,
            theme.get_scale(),
        )

    def minimumSizeHint(self) -> QSize:
        """The most compact layout's height at full size for this width: a shorter dock
        (presentation zoom, a small screen) scrolls, following the current box, instead
        of painting the figure shrunk to 7-pixel labels (issue 16)."""
        width = max(self.width(), MIN_W)
        box, step = self.current, self._step()
        n_ops = len(self.index.ops(box, step)) if box and step else 0
        layer = dl.layer_of(box) if box and box[:3] in ("enc", "dec") else ""
        expanded = box if n_ops > 1 else None
        key = (width, expanded, n_ops, layer, self.texts.shape, theme.get_scale())
        if key not in self._min_h:
            if len(self._min_h) > 64:
                self._min_h.clear()
            spec = self._spec(width, MIN_H, expanded, n_ops, layer)
            self._min_h[key] = math.ceil(dl.compact_height(spec))
        return QSize(MIN_W, max(MIN_H, self._min_h[key]))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.updateGeometry()  # the readable height follows the width
        if event.size().height() != event.oldSize().height():
            self._follow()  # grown for an expanded box: keep that box in view

    def _follow(self) -> None:
        """Scroll the current box into view when the figure is taller than its dock."""
        viewport = self.parentWidget()
        area = viewport.parentWidget() if viewport is not None else None
        if isinstance(area, QScrollArea) and self.current and self.height() > area.height():
            box = self.diagram_layout().boxes.get(self.current)
            if box is not None:
                c = self._to_widget(box)
                area.ensureVisible(c.x(), c.y(), 20, round(self.height() * 0.15))

    def scale(self) -> float:
        """The drawing's scale: the presentation zoom, below it only when even the most
        compact layout is taller than the widget."""
        return self.diagram_layout().scale

    def _to_widget(self, r: dl.Rect) -> QPoint:
        s = self.scale()
        return QPoint(round(r.cx * s), round(r.cy * s))

    def box_center(self, box: str) -> QPoint:
        """Widget coordinates of a box's centre (tests; what a click there does)."""
        return self._to_widget(self.diagram_layout().boxes[box])

    def pill_center(self, i: int) -> QPoint:
        return self._to_widget(self.diagram_layout().pills[i])

    def _anim_t(self) -> float:
        if self._from is None or self._anim.state() != QVariantAnimation.State.Running:
            return 1.0
        return float(self._anim.currentValue())

    def _glow(self, lay: dl.Layout) -> dl.Rect | None:
        end = lay.boxes.get(self.current or "")
        if end is None or self._from is None:
            return end
        return self._from[1].lerp(end, self._anim_t())

    # -- what is shown -----------------------------------------------------------------
    def ops(self) -> list[int]:
        """Step indices of the pills shown in the expanded box."""
        return self.texts.ops(self.current, self._step(), len(self.diagram_layout().pills))

    def scene(self) -> Scene:
        sc = self.texts.scene(self.current, self._step(), len(self.diagram_layout().pills))
        sc.glow = self._glow(self.diagram_layout())
        sc.marked, sc.banner = set(self.marked), self.banner()
        return sc

    # -- Qt ----------------------------------------------------------------------------
    def paintEvent(self, _e: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(theme.PANEL))
        if self.session.trace.steps:
            lay, s = self.diagram_layout(), self.scale()
            sc = self.scene()
            if self._from is not None and self._anim_t() < 1.0:
                shown = dl.blend(self._from[0], lay, self._anim_t())
                self._transform(p, s)
                paint(p, shown, sc)  # moving geometry: everything, every frame
            else:
                shown = lay
                p.drawPixmap(0, 0, self._base(lay, s, sc))
                self._transform(p, s)
                paint_live(p, lay, sc)
            self._shown = (shown, sc.glow)
        p.end()

    def _transform(self, p: QPainter, s: float) -> None:
        if s != 1.0:
            p.scale(s, s)

    def _base(self, lay: dl.Layout, s: float, sc: Scene) -> QPixmap:
        """The static part for this layout and language, painted once (cursor moves blit it)."""
        key = (self.session.lang, self.devicePixelRatioF())
        if self._bg is None or self._bg[0] is not lay or self._bg[1] != key:
            dpr = self.devicePixelRatioF()
            pm = QPixmap(round(self.width() * dpr), round(self.height() * dpr))
            pm.setDevicePixelRatio(dpr)
            pm.fill(QColor(theme.PANEL))
            p = QPainter(pm)
            self._transform(p, s)
            paint_base(p, lay, sc)
            p.end()
            self._bg = (lay, key, pm)
        return self._bg[2]

    def _hit(self, pos: QPointF) -> tuple[str | None, int | None]:
        lay, s = self.diagram_layout(), self.scale()
        x, y = pos.x() / s, pos.y() / s
        pill = lay.pill_at(x, y)
        return (None, pill) if pill is not None else (lay.box_at(x, y), None)

    def mousePressEvent(self, e: QMouseEvent) -> None:
        if e.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(e)
            return
        box, pill = self._hit(e.position())
        ops = self.ops()
        if pill is not None and pill < len(ops):
            self.session.seek(ops[pill])
        elif box is not None:
            target = self.index.target(box, self._step())
            if target is not None:
                self.session.seek(target)

    def event(self, e: QEvent) -> bool:
        if e.type() == QEvent.Type.ToolTip and isinstance(e, QHelpEvent):
            text = self.tooltip(QPointF(e.pos()))
            if text:
                QToolTip.showText(e.globalPos(), text, self)
            else:
                QToolTip.hideText()
            return True
        return super().event(e)

    def tooltip(self, pos: QPointF) -> str:
        """The hover text at a point: a box's step count and first step, or a pill's step."""
        box, pill = self._hit(pos)
        ops = self.ops()
        if pill is not None and pill < len(ops):
            i = ops[pill]
            label = self.scene().pills[pill]
            key = self.session.trace.steps[i].key
            return ui("tip_op", self.session.lang, op=label, i=i, name=key)
        tip = self.texts.tooltip(box, self._step())
        for text in self.marked.get(box or "", []):
            tip += "\n" + tr(MARKS["tip"], self.session.lang).format(label=text)
        return tip
