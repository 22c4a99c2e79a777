"""What "fits the screen and reads well" means, checked on the live widget tree.

Geometry only, never pixels: each rule reads sizes, positions and texts of the widgets
on screen, so a check of one layout costs milliseconds. A ``Failure`` names its kind
and what failed; the stage adds the scene, screen, language and mode.

The thresholds (device pixels; ``z`` is the presentation zoom, 1 in normal mode):

- the window: its minimum size and its size within the screen;
- the narration (a chapter's bar, else the room's), the timeline and its transport
  (the play button) visible, taller than 0 and wholly inside the window (not cut by a
  scroll area's edge or the window's);
- a panel the scene shows: in front of its tab group and at least ``PANEL_MIN``;
- a heatmap's cells: at least ``CELL_TOKEN`` × z along an axis labelled with tokens
  (one line of its label font), at least ``CELL_INDEX`` along an axis of indices (every
  cell its own pixels) — or the heatmap sits in a scroll area that gives it that room;
- no heading or title cut: a one-line label's text wider than the label, a wrapped
  label's text taller than the label or a word wider than it, a button's text wider
  than the button, a tab's or a dock title's text wider than its room (a label cut on
  purpose passes when its tooltip holds the whole text);
- no text of the other language: CJK characters in English; in Chinese, English words
  other than those in ``ALLOWED_WORDS`` (key names, acronyms, method names such as
  softmax and Top-k), the shipped models' names (``MODEL_NAMES``: "moe-de" is a
  proper name) and the open models' vocabularies (tokens are data, not interface)
  and code names (anything with ``.``, ``_``, ``/``, digits);
  a label that shows a code name without those marks (a trace point ``loss``,
  ``logits``: what breakpoints and the trace format use) says so with the Qt property
  ``CODE_PROPERTY`` and passes only while its text *is* one identifier
  (``CODE_NAME``, optionally after "∂L/∂"): a marked label that holds a sentence, or
  two words, is still checked, so the mark never hides interface English; a marked
  rich-text label that mixes words and a code name (the timeline's "3 / 9 ■ 损失
  <code>loss</code>") has each ``<code>`` span that holds one identifier read as a
  code name and the rest checked as prose; words a scene quotes as data (“aimes” in
  both its English and its Chinese text: French being discussed) are data; a text
  elided with "…" is read whole from its tooltip (a cut token is still a token);
- the timeline's section labels ("t0", "反向" …) never overlap;
- presenting at a zoom, no text a viewer reads is below ``SMALLEST_PT`` points times
  the zoom (``TYPE_SLACK`` of it): labels, buttons, tabs, group and dock titles, and in
  the charts the tick numbers and the titles, legends and axis labels (pyqtgraph text
  items, sized in their HTML). A text left at its desktop size was not reached by the
  zoom (a chart's HTML title, a label with a style sheet, a default tick font).
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QFont, QFontMetrics, QTextDocument
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import (
    QAbstractButton,
    QDockWidget,
    QGraphicsTextItem,
    QGraphicsView,
    QGroupBox,
    QLabel,
    QMainWindow,
    QTabBar,
    QTextEdit,
    QWidget,
)

from core.chapter_rules import MODELS

PANEL_MIN = (220, 140)
STRIPS = ("timeline",)  # docks that are a strip, not a panel: no minimum height
CELL_TOKEN = 14.0  # px at zoom 1: one line of a 9 pt label
CELL_INDEX = 2.0  # px: every cell drawn as its own block
CELL_SLACK = 0.9  # of the size: the readable minimum is estimated from the labels' sizes
TOKEN_AXIS_MAX = 32  # a longer axis of words is a vocabulary: index-like, labels thinned
SLACK = 2  # px of rounding allowed in every comparison
SMALLEST_PT = 8.0  # the smallest type the interface sets at zoom 1 (ui_font(8))
TYPE_SLACK = 0.9  # of SMALLEST_PT x zoom: rounding, and a size rounded to whole points
CUT_SLACK = 6  # px of a wrapped text's last line that may be lost to margins

# Words that stay English in the Chinese interface: key names, acronyms and proper
# names a Chinese lecture uses as they are.
ALLOWED_WORDS = frozenset(
    {
        "EN",
        "PgDn",
        "PgUp",
        "Esc",
        "Ctrl",
        "Shift",
        "Space",
        "Home",
        "End",
        "Transformer",
        "MoE",
        "GRPO",
        "SFT",
        "RL",
        "LLM",
        "BPE",
        "BERT",
        "GPT",
        "ViT",
        "CLS",
        "SEP",
        "MASK",
        "ReLU",
        "GELU",
        "tanh",
        "sigmoid",
        "softmax",
        "Softmax",
        "Adam",
        "KL",
        "BLEU",
        "chrF",
        "XOR",
        "TSV",
        "CSV",
        "PNG",
        "SVG",
        "GIF",
        "MP4",
        "top",
        "Top-k",
        "top-k",
        "Top-p",
        "top-p",
        "pad",
        "bos",
        "eos",
        "unk",
        "exp",
        "log",
        "sin",
        "cos",
        "max",
        "min",
        "lr",  # the learning rate in the update's formula (w ← w − lr · …), a symbol
        "mean",
        "std",
        "sqrt",
        "norm",
        "dim",
    }
)
CODE_PROPERTY = "codeName"  # set True on a QLabel whose text is a code name, not prose
CODE_NAME = re.compile(r"(?:∂L/∂ ?)?[A-Za-z_][A-Za-z0-9_.]*(?:/[A-Za-z0-9_.]+)?")
# the shipped models' names ("moe-de", "bert-who"): proper names, like a file's
MODEL_NAMES = frozenset(MODELS)
OTHER_LANGUAGE_OK = frozenset({"中文", "中文界面", "EN", "English interface", "English"})
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff5e]")
_CHUNK = re.compile(r"\S+")
_LATIN = "A-Za-zÀ-ÖØ-öø-ÿ"  # with the umlauts and accents of German and French tokens
_WORD = re.compile(rf"[{_LATIN}][{_LATIN}'’-]*[{_LATIN}]")
_CODE = re.compile(r"[._/\\=\[\]<>{}0-9@#:]")
_TAG = re.compile(r"<[^>]*>")
_CODE_SPAN = re.compile(r"<code>(.*?)</code>", re.S)
_UNBROKEN = re.compile(r"[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]+")  # CJK breaks anywhere
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")


@dataclass(frozen=True)
class Failure:
    kind: str  # window, missing, panel, heatmap, clipped, language, overlap
    what: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.what}"

    @property
    def key(self) -> str:
        """The failure without its measurements (pixels, counts): what a list of known
        failures records, so a pixel more or less is not a new failure."""
        return f"{self.kind}: {_NUMBER.sub('#', self.what)}"


# -- geometry ----------------------------------------------------------------------------
def rect_in(widget: QWidget, window: QWidget) -> QRect:
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def shown_rect(widget: QWidget, window: QWidget) -> QRect:
    """The part of ``widget`` on screen: its rectangle cut by every ancestor's (a scroll
    area's viewport, a dock, the window)."""
    r = rect_in(widget, window)
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        r &= rect_in(parent, window)
        parent = parent.parentWidget()
    return r & window.rect()


def on_screen(widget: QWidget) -> bool:
    """Visible, with a size. (A dock behind another's tab is not hidden: Qt moves it off
    the window at its minimum size; ``in_front`` tells it apart.)"""
    return widget.isVisible() and widget.width() > 0 and widget.height() > 0


def in_front(widget: QWidget, window: QWidget) -> bool:
    """On screen and somewhere inside the window: not a dock behind another's tab."""
    return on_screen(widget) and not shown_rect(widget, window).isEmpty()


def seen(widget: QWidget, window: QWidget) -> bool:
    """On screen, inside the window, and not covered where its middle is (Qt leaves
    old dock tab bars behind other widgets after a layout is restored: no one sees
    them)."""
    if not on_screen(widget) or shown_rect(widget, window).isEmpty():
        return False
    top = window.childAt(widget.mapTo(window, widget.rect().center()))
    return top is None or top is widget or widget.isAncestorOf(top)


def check_window(window: QMainWindow, screen: tuple[int, int]) -> list[Failure]:
    sw, sh = screen
    out: list[Failure] = []
    for name, size in (
        ("minimum size", window.minimumSizeHint()),
        ("minimum", window.minimumSize()),
        ("size", window.size()),
    ):
        if size.width() > sw or size.height() > sh:
            out.append(Failure("window", f"{name} {size.width()}×{size.height()} > {sw}×{sh}"))
    return out[:1]


def check_wholly_shown(widget: QWidget | None, window: QWidget, name: str) -> list[Failure]:
    if widget is None or not widget.isVisible():
        return [Failure("missing", f"{name} not shown")]
    if widget.height() <= 0 or widget.width() <= 0:
        return [Failure("missing", f"{name} has no height")]
    seen = shown_rect(widget, window)
    if seen.height() < widget.height() - SLACK or seen.width() < widget.width() - SLACK:
        full = rect_in(widget, window)
        return [
            Failure(
                "missing",
                f"{name} cut: {seen.width()}×{max(0, seen.height())} of "
                f"{full.width()}×{full.height()} at y={full.y()} shown",
            )
        ]
    return []


def check_panels(
    window: QMainWindow, docks: dict[str, QDockWidget], names: Iterable[str]
) -> list[Failure]:
    """Each chosen dock in front of its tab group (one per group suffices: the scene
    raises the one it talks about) and at least ``PANEL_MIN``."""
    out: list[Failure] = []
    chosen = [n for n in names if n in docks]
    groups: list[set[str]] = []
    for n in chosen:
        tabbed = {m for m in chosen if docks[m] in window.tabifiedDockWidgets(docks[n])}
        group = {n} | tabbed
        if not any(group & g for g in groups):
            groups.append(group)
        else:
            next(g for g in groups if group & g).update(group)
    for group in groups:
        front = [n for n in group if in_front(docks[n].widget(), window)]
        if not front:
            out.append(Failure("panel", f"none of {sorted(group)} in front"))
        for n in front:
            if n in STRIPS:
                continue  # a strip: checked as wholly shown instead
            view = docks[n].widget()
            w, h = view.width(), view.height()
            if w < PANEL_MIN[0] or h < PANEL_MIN[1]:
                out.append(Failure("panel", f"{n} {w}×{h} < {PANEL_MIN[0]}×{PANEL_MIN[1]}"))
    return out


# -- heatmaps ----------------------------------------------------------------------------
def _sentence(labels: list[str]) -> bool:
    """An axis of a sentence's tokens (each labelled), not of indices or a vocabulary
    (thinned labels by design: ``TOKEN_AXIS_MAX`` or more)."""
    from visualizer.widgets.heatmap_parts import is_words

    return is_words(labels) and len(labels) <= TOKEN_AXIS_MAX


def check_heatmaps(heatmaps: Iterable[QWidget], zoom: float, where: str = "") -> list[Failure]:
    out: list[Failure] = []
    for hm in heatmaps:
        if not on_screen(hm) or hm.values.size <= 1:  # type: ignore[attr-defined]
            continue
        rows, cols = hm.values.shape  # type: ignore[attr-defined]
        vb = hm.plot.getViewBox()  # type: ignore[attr-defined]
        cw, ch = vb.width() / max(1, cols), vb.height() / max(1, rows)
        need_w = CELL_TOKEN * zoom if _sentence(hm.cols) else CELL_INDEX  # type: ignore[attr-defined]
        need_h = CELL_TOKEN * zoom if _sentence(hm.rows) else CELL_INDEX  # type: ignore[attr-defined]
        if cw < need_w * CELL_SLACK or ch < need_h * CELL_SLACK:
            title = plain(hm.title.text()) or type(hm.parentWidget()).__name__  # type: ignore[attr-defined]
            out.append(
                Failure(
                    "heatmap",
                    f"{where}{title!r} {rows}×{cols} cells {cw:.1f}×{ch:.1f} px "
                    f"(need {need_w:.0f}×{need_h:.0f})",
                )
            )
    return out


# -- texts -------------------------------------------------------------------------------
def plain(text: str) -> str:
    """A label's text as read (rich text's tags and entities removed)."""
    if "<" in text or "&" in text:
        text = html.unescape(_TAG.sub(" ", text.replace("<br>", "\n")))
    return text.replace("\xa0", " ").strip()


def _is_rich(label: QLabel) -> bool:
    fmt = label.textFormat()
    if fmt == Qt.TextFormat.RichText:
        return True
    return fmt == Qt.TextFormat.AutoText and GuiQt.mightBeRichText(label.text())


def _label_cut(label: QLabel) -> str:
    """Why ``label``'s text does not fit it ("" when it does, or when it is cut on
    purpose with its whole text in the tooltip)."""
    text = label.text()
    if not text.strip() or (label.pixmap() is not None and not label.pixmap().isNull()):
        return ""
    tip = plain(label.toolTip())
    if tip and " ".join(plain(text).split()) in " ".join(tip.split()):
        return ""
    room = label.contentsRect()
    margin = 2 * label.margin() + 2 * label.indent() if label.indent() > 0 else 2 * label.margin()
    width = room.width() - margin
    if _is_rich(label):
        doc = QTextDocument()
        doc.setDefaultFont(label.font())
        doc.setHtml(text)
        doc.setDocumentMargin(0)
        if label.wordWrap():
            doc.setTextWidth(width)
            if doc.idealWidth() > width + SLACK:
                return f"a word {doc.idealWidth():.0f} px wide in {width} px"
            # the height as the label lays its text out (a bare QTextDocument measured a
            # one-line title with a smaller span as two lines: 46 px for QLabel's 32)
            need_h = label.heightForWidth(label.width())
            if need_h > label.height() + CUT_SLACK:
                return f"{need_h} px of text in {label.height()} px"
            return ""
        need = doc.idealWidth()
        if need > width + SLACK + 4:
            return f"{need:.0f} px of text in {width} px"
        return ""
    fm = QFontMetrics(label.font())
    lines = text.split("\n")
    if label.wordWrap():
        need_h = label.heightForWidth(label.width()) - (label.height() - room.height())
        longest = max((fm.horizontalAdvance(w) for w in _UNBROKEN.findall(text)), default=0)
        if longest > width + SLACK:
            return f"a word {longest} px wide in {width} px"
        if need_h > room.height() + CUT_SLACK:
            return f"{need_h} px of text in {room.height()} px"
        return ""
    need = max(fm.horizontalAdvance(line) for line in lines)
    if need > width + SLACK:
        return f"{need} px of text in {width} px"
    if len(lines) * fm.lineSpacing() > room.height() + fm.leading() + SLACK + 2:
        return f"{len(lines)} lines in {room.height()} px"
    return ""


def visible_texts(window: QWidget) -> Iterator[tuple[QWidget, str]]:
    """(widget, text) for every text a viewer can read on the window: labels, buttons,
    tabs, group and dock titles, read-only text views."""
    for w in window.findChildren(QWidget):
        if not seen(w, window):
            continue
        if isinstance(w, QLabel):
            yield w, plain(w.text())
        elif isinstance(w, QAbstractButton):
            yield w, w.text().replace("&", "")
        elif isinstance(w, QTabBar):
            for i in range(w.count()):
                yield w, w.tabText(i).replace("&", "")
        elif isinstance(w, QGroupBox):
            yield w, w.title()
        elif isinstance(w, QDockWidget):
            yield w, w.windowTitle()
        elif isinstance(w, QTextEdit) and w.isReadOnly():
            yield w, w.toPlainText()


def check_clipped(window: QMainWindow) -> list[Failure]:
    out: list[Failure] = []
    for w in window.findChildren(QWidget):
        if not seen(w, window):
            continue
        if isinstance(w, QLabel):
            why = _label_cut(w)
            if why:
                out.append(Failure("clipped", f"{_name(w)} {plain(w.text())[:60]!r}: {why}"))
        elif isinstance(w, QAbstractButton) and w.text():
            fm = QFontMetrics(w.font())
            need = fm.horizontalAdvance(w.text().replace("&", "")) + 8
            if w.icon().isNull() is False:
                need += w.iconSize().width()
            if need > w.width() + SLACK:
                out.append(Failure("clipped", f"button {w.text()!r}: {need} px in {w.width()}"))
        elif isinstance(w, QTabBar):
            fm = QFontMetrics(w.font())
            for i in range(w.count()):
                text = w.tabText(i).replace("&", "")
                need = fm.horizontalAdvance(text) + 8
                if text and w.tabRect(i).width() and need > w.tabRect(i).width() + SLACK:
                    room = w.tabRect(i).width()
                    out.append(Failure("clipped", f"tab {text!r}: {need} px in {room}"))
        elif isinstance(w, QDockWidget) and not window.tabifiedDockWidgets(w):
            fm = QFontMetrics(w.font())
            need = fm.horizontalAdvance(w.windowTitle()) + 56  # the float and close buttons
            if need > w.width() + SLACK:
                out.append(Failure("clipped", f"dock title {w.windowTitle()!r} in {w.width()} px"))
    return out


def _name(w: QWidget) -> str:
    parent = w.parentWidget()
    owner = type(parent).__name__ if parent is not None else ""
    return f"{owner}.{type(w).__name__}" if owner else type(w).__name__


def foreign_words(text: str, lang: str, allowed: frozenset[str]) -> list[str]:
    """The words of ``text`` in the other language (see the module docstring)."""
    if text.strip() in OTHER_LANGUAGE_OK:
        return []
    if lang == "en":
        return sorted(set(_CJK.findall(text)))[:8]
    found: list[str] = []
    for chunk in _CHUNK.findall(text):
        core = chunk.strip("()[]{}.,;:!?\"'“”‘’«»·•…%→←↑↓+−-=×/")
        if not core or _CODE.search(core):
            continue  # a code name, a number, a token with its index
        for word in _WORD.findall(core):
            if word in ALLOWED_WORDS or word.lower() in allowed or word in allowed:
                continue
            if core in MODEL_NAMES:
                continue
            found.append(word)
    return found


def without_code_spans(widget: QWidget, text: str) -> str:
    """A marked rich-text label's text with its one-identifier ``<code>`` spans
    removed (they are code names); any other text as it is."""
    if not (isinstance(widget, QLabel) and widget.property(CODE_PROPERTY)):
        return text
    raw = widget.text()
    if "<code>" not in raw:
        return text

    def drop(m: re.Match[str]) -> str:
        inner = plain(m.group(1)).removesuffix("…")
        return " " if CODE_NAME.fullmatch(inner) else m.group(0)

    return plain(_CODE_SPAN.sub(drop, raw))


def quoted_data(texts: Iterable[str]) -> frozenset[str]:
    """The words a scene quotes as data: in “…” in every one of its languages' texts
    (the French “aimes” a Chinese sentence discusses is the same word in English)."""
    sets = [{w for q in re.findall(r"“([^”]*)”", t) for w in _WORD.findall(q)} for t in texts]
    return frozenset(set.intersection(*sets)) if sets else frozenset()


def is_code_label(widget: QWidget, text: str) -> bool:
    """A label marked as showing a code name (``CODE_PROPERTY``) whose text is one."""
    return bool(widget.property(CODE_PROPERTY)) and CODE_NAME.fullmatch(text.strip()) is not None


def whole_text(widget: QWidget, text: str) -> str:
    """What an elided text stands for: the tooltip that holds it whole ("… · lan…" is
    "… · langsam 0.01": a cut token is still a token), else the text as shown."""
    if text.endswith("…"):
        tip = plain(widget.toolTip())
        if tip.startswith(text[:-1].rstrip()):
            return tip
    return text


def check_language(window: QMainWindow, lang: str, allowed: frozenset[str]) -> list[Failure]:
    out: list[Failure] = []
    seen: set[str] = set()
    for w, shown in visible_texts(window):
        bare = without_code_spans(w, shown)  # a cut code name is still a code name
        text = bare if bare != shown else whole_text(w, shown)
        if not text or text in seen or is_code_label(w, text):
            continue
        seen.add(text)
        words = foreign_words(text, lang, allowed)
        if words:
            short = " ".join(text.split())[:70]
            out.append(Failure("language", f"{_name(w)} {short!r}: {' '.join(words[:6])}"))
    return out


# -- the timeline ------------------------------------------------------------------------
def check_timeline_labels(timelines: Iterable[QWidget]) -> list[Failure]:
    out: list[Failure] = []
    for tl in timelines:
        if not on_screen(tl):
            continue
        scrubber: Any = tl.scrubber  # type: ignore[attr-defined]
        rects = scrubber.section_rects()
        for (a, ta), (b, tb) in itertools.pairwise(rects):
            if a.intersects(b) or a.right() > b.left():
                out.append(Failure("overlap", f"timeline labels {ta!r} and {tb!r} overlap"))
        for r, text in rects:
            if r.right() > scrubber.width():
                out.append(Failure("overlap", f"timeline label {text!r} runs off the end"))
    return out


def check_type_size(window: QWidget, zoom: float) -> list[Failure]:
    """Presenting at ``zoom`` > 1: every text a viewer reads, widgets' and charts', at
    least ``SMALLEST_PT`` x zoom (``TYPE_SLACK`` of it); one finding per widget or item."""
    if zoom <= 1.0 + 1e-6:
        return []
    need = SMALLEST_PT * zoom * TYPE_SLACK
    out: list[Failure] = []
    for w, text in visible_texts(window):
        pt = points(w.font())
        if isinstance(w, QLabel) and _is_rich(w):  # its spans' own sizes too
            spans = re.findall(r"font-size:\s*([0-9.]+)pt", w.text())
            pt = min([pt, *(float(x) for x in spans)])
        if text.strip() and 0 < pt < need:
            out.append(Failure("small text", f"{_name(w)} {text[:40]!r}: {pt:.1f} pt < {need:.1f}"))
    for view in window.findChildren(QGraphicsView):
        scene = view.scene()
        if scene is None or not seen(view, window):
            continue
        for item in scene.items():
            if not item.isVisible():
                continue
            found = _item_type(item)
            if found is not None and 0 < found[1] < need:
                what, pt = found
                out.append(
                    Failure("small text", f"{_name(view)} {what[:40]!r}: {pt:.1f} pt < {need:.1f}")
                )
    return out


def points(font: QFont) -> float:
    """A font's size in points (a pixel-sized font at 96 dpi)."""
    return font.pointSizeF() if font.pointSizeF() > 0 else font.pixelSize() * 72 / 96


def _item_type(item: Any) -> tuple[str, float] | None:
    """(what it shows, its type size) for a chart's text: an axis' tick numbers, a text
    item (the largest size its HTML's spans give, a title's or a legend entry's own;
    else its font's)."""
    import pyqtgraph as pg

    if isinstance(item, pg.AxisItem):
        tick = item.style.get("tickFont")
        if not item.style.get("showValues", True) or not isinstance(tick, QFont):
            return None  # no numbers, or pyqtgraph's default (the view's font)
        return f"{item.orientation} axis ticks", points(tick)
    if isinstance(item, QGraphicsTextItem) and item.toPlainText().strip():
        spans = re.findall(r"<span[^>]*font-size:\s*([0-9.]+)pt", item.toHtml())
        sizes = [float(x) for x in spans]
        return item.toPlainText(), max(sizes) if sizes else points(item.font())
    return None
