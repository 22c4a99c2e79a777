"""One widget per file; each takes (session, bridge), listens to the bridge's signals
and draws what the trace holds at the cursor. ``VIEWS`` names them for docks and
for ``transformer-sim shot --view NAME``."""

from __future__ import annotations

VIEWS: dict[str, tuple[str, str]] = {
    "diagram": ("visualizer.panels.diagram.diagram_view", "DiagramView"),
    "tensor": ("visualizer.panels.tensor.tensor_view", "TensorView"),
    "attention": ("visualizer.panels.attention.attention_view", "AttentionView"),
    "decoding": ("visualizer.panels.decoding.decoding_view", "DecodingView"),
    "narration": ("visualizer.panels.narration.narration_view", "NarrationView"),
    "timeline": ("visualizer.panels.timeline.timeline_view", "TimelineView"),
    "training": ("visualizer.panels.training.training_view", "TrainingView"),
    "loss": ("visualizer.panels.loss.loss_view", "LossView"),
    "gradflow": ("visualizer.panels.gradflow.gradflow_view", "GradFlowView"),
    "update": ("visualizer.panels.update.update_view", "UpdateView"),
    "inspector": ("visualizer.panels.inspector.inspector_view", "InspectorView"),
    "interventions": ("visualizer.panels.interventions.interventions_view", "InterventionsView"),
    "breakpoints": ("visualizer.panels.breakpoints.breakpoints_view", "BreakpointsView"),
    "watches": ("visualizer.panels.watches.watches_view", "WatchesView"),
    "router": ("visualizer.panels.router.router_view", "RouterView"),
    "classify": ("visualizer.panels.classify.classify_view", "ClassifyView"),
}
