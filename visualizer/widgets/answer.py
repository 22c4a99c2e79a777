"""What the model answered, as one line: a translation's text, or a classifier's labels
with their probabilities ("cat 99.1% · dog 0.89%", the seed's "80 % cat, 20 % dog").

Qt-free. The status bar, the room switcher and the input bar all say what the model
said; a classifier has no translation, so they share this instead of each reading
``session.translation``. Label names come from the task modules (``core.classify_task``
and ``core.pictures`` keep them in English and Chinese), imported when first needed so
that importing the window does not import PyTorch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from visualizer.widgets.numbers import percent

if TYPE_CHECKING:
    from core.session import Session


def label_text(label: str, lang: str) -> str:
    """A label's name in ``lang`` ("thing" → "物", "cat" → "猫"); unknown labels as given."""
    from core.classify_task import LABEL_NAMES as SENTENCE_NAMES
    from core.pictures import LABEL_NAMES as PICTURE_NAMES

    names = SENTENCE_NAMES.get(label) or PICTURE_NAMES.get(label) or {}
    return names.get(lang) or names.get("en") or label


def ranked_line(ranked: list[tuple[str, float]], lang: str) -> str:
    """ "thing 99.6% · animal 0.22% · person 0.15%" (most likely first, as given)."""
    return " · ".join(f"{label_text(label, lang)} {percent(p)}" for label, p in ranked)


def answer_line(session: Session, lang: str) -> str:
    """The translation's text, the classifier's ranked labels, or a pre-trained BERT's
    sentence with its [MASK]s filled; "" when none."""
    if session.translation is not None:
        return session.translation.text
    if session.fill_mask is not None:
        return session.fill_mask.text
    if session.classification is not None:
        return ranked_line(session.classification.ranked, lang)
    return ""
