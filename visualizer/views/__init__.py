"""One widget per file; each takes (session, bridge), listens to the bridge's signals
and draws what the trace holds at the cursor. ``VIEWS`` names them for docks and
for ``transformer-sim shot --view NAME``."""

from __future__ import annotations

VIEWS: dict[str, tuple[str, str]] = {
    "diagram": ("visualizer.views.diagram", "DiagramView"),
    "tensor": ("visualizer.views.tensor", "TensorView"),
    "attention": ("visualizer.views.attention", "AttentionView"),
    "decoding": ("visualizer.views.decoding", "DecodingView"),
    "narration": ("visualizer.views.narration", "NarrationView"),
    "timeline": ("visualizer.views.timeline", "TimelineView"),
    "training": ("visualizer.views.training", "TrainingView"),
    "loss": ("visualizer.views.loss", "LossView"),
    "gradflow": ("visualizer.views.gradflow", "GradFlowView"),
    "update": ("visualizer.views.update", "UpdateView"),
    "inspector": ("visualizer.views.inspector", "InspectorView"),
    "interventions": ("visualizer.views.interventions", "InterventionsView"),
    "breakpoints": ("visualizer.views.breakpoints", "BreakpointsView"),
    "watches": ("visualizer.views.watches", "WatchesView"),
}
