"""The model dialog's family fields: architecture, feed-forward type, experts and top-k
reach the model the window trains, bad combinations are refused with ModelConfig's own
line, and an encoder-only shape is declined in the dialog (not trained in the window)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from core import checkpoint
from core.config import ConfigError, ModelConfig
from core.model_decoder import DecoderOnly
from core.session import Session
from visualizer.bridge import SessionBridge
from visualizer.panels.training.model_dialog import STRINGS, ModelDialog
from visualizer.panels.training.training_view import TrainingView

SHIPPED = Path(__file__).resolve().parents[3] / "assets" / "models"


@pytest.fixture
def view(qtbot: QtBot, fresh_session: Session) -> Iterator[TrainingView]:
    v = TrainingView(fresh_session, SessionBridge(fresh_session))
    qtbot.addWidget(v)
    yield v
    v.shutdown()


def dialog(view: TrainingView) -> ModelDialog:
    view.open_dialog()
    assert view.dialog is not None
    return view.dialog


def test_a_decoder_only_moe_shape_reaches_the_model(view: TrainingView) -> None:
    d = dialog(view)
    assert d.arch_name() == "encoder-decoder" and not d.experts.isEnabled()
    d.arch.setCurrentIndex(1)  # decoder-only
    d.ffn.setCurrentIndex(1)  # mixture of experts
    assert not d.enc.isEnabled() and d.experts.isEnabled() and d.top_k.isEnabled()
    d.experts.setValue(3)
    d.top_k.setValue(2)
    model, _train, _corpus = d.settings()
    assert model == ModelConfig(
        arch="decoder-only", n_enc_layers=0, ffn="moe", n_experts=3, top_k=2
    )
    d._apply()
    bundle = view.session.bundle
    assert isinstance(bundle.model, DecoderOnly) and bundle.cfg == model
    state = bundle.model.state_dict()
    assert {k for k in state if k.endswith("lin1.weight") and "experts" in k} == {
        f"dec.{layer}.moe.experts.{e}.lin1.weight" for layer in (0, 1) for e in range(3)
    }
    routers = {s.name for s in view.session.trace.steps if s.name.endswith("router.probs")}
    assert routers == {"dec.0.moe.router.probs", "dec.1.moe.router.probs"}  # it ran, routed
    assert (
        view.session.trace.value(
            next(s.key for s in view.session.trace.steps if s.name == "dec.0.moe.router.probs")
        ).shape[-1]
        == 3
    )  # three experts to choose from
    d.close()


def test_top_k_above_the_experts_is_modelconfigs_one_line(view: TrainingView) -> None:
    d = dialog(view)
    before = view.session.bundle
    d.ffn.setCurrentIndex(1)
    d.experts.setValue(2)
    d.top_k.setValue(3)
    with pytest.raises(ConfigError) as e:
        ModelConfig(ffn="moe", n_experts=2, top_k=3)
    d._apply()
    assert str(e.value) in d.note.text() and "\n" not in d.note.text()
    assert view.session.bundle is before
    d.close()


def test_encoder_only_is_declined_in_the_dialog(view: TrainingView) -> None:
    d = dialog(view)
    before = view.session.bundle
    d.arch.setCurrentIndex(2)
    assert "bert-who" in d.note.text()
    assert not d.apply_button.isEnabled() and not d.reset_button.isEnabled()
    with pytest.raises(ConfigError, match="bert-who"):
        d.settings()
    d._apply()
    assert view.session.bundle is before
    d.arch.setCurrentIndex(0)
    assert d.apply_button.isEnabled() and d.note.text() == ""
    d.close()


@pytest.mark.parametrize("name", ["gpt-de", "moe-de"])
def test_a_shipped_decoder_only_model_reads_as_unchanged(view: TrainingView, name: str) -> None:
    """Opened on gpt-de / moe-de the fields show its shape, and "use for the next run"
    keeps its weights (an unused encoder stack is 0 layers, as in the checkpoint)."""
    view.session.bundle = checkpoint.load(SHIPPED / name)
    d = ModelDialog("en", view.session.bundle.cfg, view.train_cfg, "builtin:en-de")
    assert d.arch_name() == "decoder-only"
    assert d.experts.isEnabled() == (name == "moe-de")
    assert d.settings()[0] == view.session.bundle.cfg
    d.close()


def test_the_new_fields_speak_chinese(view: TrainingView) -> None:
    d = dialog(view)
    d.relabel("zh")
    assert d.labels["arch"].text() == "架构" and d.labels["experts"].text() == "专家数"
    assert d.arch.itemText(0) == STRINGS["encoder-decoder"]["zh"]
    assert d.ffn.itemText(1) == STRINGS["moe"]["zh"]
    d.arch.setCurrentIndex(2)
    assert d.note.text() == STRINGS["no_encoder_only"]["zh"]
    d.relabel("en")
    assert d.note.text() == STRINGS["no_encoder_only"]["en"]
    d.close()
