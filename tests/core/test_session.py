"""The Qt-free session: fields emit events, controls re-run the model, the cursor moves
by op, by block and out of blocks, and bad input becomes a message, not an exception."""

from __future__ import annotations

from core.session import Session, block_path


def test_opens_on_the_lecture_sentence(session: Session) -> None:
    assert session.translation is not None
    assert session.translation.text == "Die Zeit fliegt wie ein Pfeil"
    assert session.cursor == 0 and session.step.name == "src.tokens"
    assert session.trace.steps[-1].name == "next.token"


def test_fields_emit_only_on_change(session: Session) -> None:
    seen: list[int] = []
    session.events.cursor.connect(seen.append)
    session.cursor = 3
    session.cursor = 3
    session.seek(10_000)
    assert seen == [3, len(session) - 1]


def test_source_reruns_and_keeps_the_kind_of_step(session: Session) -> None:
    session.seek_name("t2/dec.1.cross_attn.weights")
    traces: list[object] = []
    session.events.trace.connect(traces.append)
    session.source = "Fruit flies like a banana"
    assert len(traces) == 1
    assert session.translation is not None
    assert session.translation.text == "Fruchtfliegen mögen eine Banane"
    assert session.step.name == "dec.1.cross_attn.weights" and session.step.t == 2


def test_bad_input_is_a_message_and_the_trace_stays(session: Session) -> None:
    before = session.trace
    session.source = "Hi 😀"
    assert "unsupported character" in session.error
    assert session.trace is before
    session.source = "The dog sees the cat"
    assert session.error == ""
    assert session.translation is not None
    assert session.translation.text == "Der Hund sieht die Katze"


def test_decode_settings_rerun(session: Session) -> None:
    session.set_decode(beam=3)
    assert session.translation is not None
    assert session.translation.generation.tree
    assert session.translation.text == "Die Zeit fliegt wie ein Pfeil"
    assert session.trace.find("next.token")  # the winning path is traced step by step


def test_step_over_and_out_follow_the_blocks(session: Session) -> None:
    session.seek_name("enc.0.self_attn.q")
    session.step_over()
    assert session.step.name == "enc.0.add1"  # skipped the rest of the attention block
    session.step_over()
    assert session.step.name == "enc.0.ffn.hidden"
    session.seek_name("enc.0.self_attn.k")
    session.step_out()
    assert session.step.name == "enc.0.add1"
    session.step_out()  # out of enc.0 into enc.1
    assert session.step.name == "enc.1.self_attn.q"
    session.seek_name("t1/dec.0.cross_attn.v")
    session.step_over_back()
    assert session.step.key == "t1/dec.0.cross_attn.q"
    session.step_over_back()
    assert session.step.key == "t1/dec.0.add1"
    assert block_path(session.step) == ("t1", "t1/dec", "t1/dec.0")


def test_every_step_is_reached_by_stepping(session: Session) -> None:
    visited = [session.cursor]
    while session.step_forward():
        visited.append(session.cursor)
    assert visited == list(range(len(session)))
    session.playing = True
    assert not session.step_forward() and not session.playing  # the end stops playback


def test_toggle_play_restarts_at_the_end(session: Session) -> None:
    session.go_end()
    session.toggle_play()
    assert session.playing and session.cursor == 0
    session.toggle_play()
    assert not session.playing


def test_pair_switch_loads_the_french_model(session: Session) -> None:
    session.pair = "en-fr"
    assert session.source == "You like this course"
    assert session.translation is not None
    assert session.translation.text == "Vous aimez ce cours"


def test_train_mode_traces_one_step_on_a_copy(session: Session) -> None:
    import torch

    before = {n: p.detach().clone() for n, p in session.bundle.model.named_parameters()}
    session.mode = "train"
    phases = {s.phase for s in session.trace.steps}
    assert phases == {"forward", "loss", "backward", "update"}
    meta = session.trace.meta
    assert meta["target"] == "Die Zeit fliegt wie ein Pfeil"  # the lecture reference
    assert meta["loss_after"] < meta["loss"]
    for name, p in session.bundle.model.named_parameters():
        assert torch.equal(p, before[name])  # the translating model did not learn
    session.target = "Die Zeit vergeht wie ein Pfeil"
    assert session.trace.meta["target"] == "Die Zeit vergeht wie ein Pfeil"
    assert session.trace.meta["loss"] > meta["loss"]  # a target the model would not say
    session.source = "The zebra sees the cat"  # not a lecture sentence: learn its own output
    assert session.error == "" and session.trace.meta["source"] == "The zebra sees the cat"
    session.mode = "translate"
    assert session.trace.steps[-1].name == "next.token"
