"""The log scale of the neuron room's loss and the training panel's gradient norms:
labels at decades, or at 1, 2 and 5 times a decade when few are in view; never every
multiple (which pyqtgraph's own log mode labels below about three decades:
overlapping numbers)."""

from __future__ import annotations

from math import isnan, log10

from PySide6.QtWidgets import QApplication

from visualizer.widgets.log_axis import LogAxis, log10_or_gap, log_ticks, tick_label


def labelled(lo: float, hi: float) -> list[float]:
    """The labelled values (not their logs) for a view from ``lo`` to ``hi``."""
    return [float(f"{10**x:.6g}") for x in log_ticks(log10(lo), log10(hi))]


def test_few_decades_in_view_are_labelled_at_1_2_and_5_times_each() -> None:
    assert labelled(0.03, 1.2) == [0.05, 0.1, 0.2, 0.5, 1.0]  # a run's gradient norms
    assert labelled(0.15, 0.9) == [0.2, 0.5]  # within one decade


def test_a_short_axis_is_labelled_at_decades_only() -> None:
    """The training panel's narrow one-column charts: 1, 0.5, 0.2, 0.1 … overlapped."""
    fits = log_ticks(log10(0.03), log10(1.2), most=3)
    assert [float(f"{10**x:.6g}") for x in fits] == [0.1, 1.0]


def test_many_decades_are_labelled_at_decades_every_nth_past_ten() -> None:
    assert labelled(1e-4, 10) == [1e-4, 1e-3, 1e-2, 0.1, 1.0, 10.0]
    assert labelled(1e-12, 1) == [1e-12, 1e-10, 1e-8, 1e-6, 1e-4, 1e-2, 1.0]
    assert log_ticks(0.5, 0.5) == [] and log_ticks(float("nan"), 1) == []


def test_labels_are_the_numbers_not_their_logs() -> None:
    assert [tick_label(v) for v in (-3, -1, log10(0.2), 0, 2)] == [
        "0.001",
        "0.1",
        "0.2",
        "1",
        "100",
    ]
    assert tick_label(-5) == "1e-05"  # a loss trained far down is not "0"


def test_non_positive_or_non_finite_values_are_gaps() -> None:
    out = log10_or_gap([1.0, 0.0, -2.0, float("inf"), 0.01])
    assert out[0] == 0.0 and out[4] == -2.0 and all(isnan(x) for x in out[1:4])


def test_the_axis_labels_as_many_ticks_as_its_length_holds(qapp: QApplication) -> None:
    axis = LogAxis("left")
    levels = axis.tickValues(log10(0.03), log10(1.2), 300)
    assert len(levels) == 1  # one level: every tick labelled, none crowded in
    assert axis.tickStrings(levels[0][1], 1.0, 1.0) == ["0.05", "0.1", "0.2", "0.5", "1"]
    short = axis.tickValues(log10(0.03), log10(1.2), 60)[0][1]
    assert axis.tickStrings(short, 1.0, 1.0) == ["0.1", "1"]
