"""The log axis of the training panel's gradient norms: labels at decades, or at 2 and 5
times a decade where fewer than two decades are in view; never every multiple (which
pyqtgraph's own log axis labels below about three decades: overlapping numbers)."""

from __future__ import annotations

from math import log10

from PySide6.QtWidgets import QApplication

from visualizer.widgets.log_axis import LogAxis, log_ticks


def labelled(lo: float, hi: float) -> list[float]:
    """The labelled values (not their logs) for a view from ``lo`` to ``hi``."""
    levels = log_ticks(log10(lo), log10(hi))
    return [round(10**x, 6) for x in levels[0][1]]


def test_decades_are_labelled_where_two_or_more_are_in_view() -> None:
    assert labelled(0.03, 1.2) == [0.1, 1.0]  # a training run's gradient norms
    assert labelled(1e-4, 10) == [1e-4, 1e-3, 1e-2, 0.1, 1.0, 10.0]


def test_within_a_decade_2_and_5_times_it_are_labelled() -> None:
    assert labelled(0.15, 0.9) == [0.2, 0.5]
    assert labelled(0.3, 3) == [0.5, 1.0, 2.0]  # one decade in view: and its 2 and 5


def test_the_other_multiples_are_ticks_without_text() -> None:
    major, minor = log_ticks(log10(0.03), log10(1.2))
    shown = {round(10**x, 6) for x in major[1]}
    assert {round(10**x, 6) for x in minor[1]} == {
        0.03,  # the view's lower end
        0.04,
        0.05,
        0.06,
        0.07,
        0.08,
        0.09,
        0.2,
        0.3,
        0.4,
        0.5,
        0.6,
        0.7,
        0.8,
        0.9,
    } - shown
    assert log_ticks(0.5, 0.5) == []  # an empty view


def test_the_axis_uses_them_in_log_mode_and_labels_the_first_level_only(
    qapp: QApplication,
) -> None:
    axis = LogAxis("left")
    axis.setLogMode(False, True)
    assert axis.style["maxTextLevel"] == 0
    levels = axis.tickValues(log10(0.03), log10(1.2), 200)
    assert [round(10**x, 6) for x in levels[0][1]] == [0.1, 1.0]
