"""What the room reads from the stage models: the comparison rows and the 9.11 evidence.

Reading the models runs every held-out question through each stage's model and traces
the 9.11 answer of each (about 0.2 s of Python on the 2-core machine for three stages).
On the GUI thread that froze the window for that long at the end of every stage
(bench/stages_gui.py), so the stage worker reads them right after its stage, on its own
thread, and hands the room a finished ``Reading``; the GUI thread only draws it. The
room reads on its own thread only when it opens and after a stage failed.

Nothing here touches a widget, so it may run on any thread, while no other thread
trains the models it reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.stages.evidence import choice, trace_answer
from core.stages.pipeline import STAGES, AnswerRow, Pipeline, StageName, comparison
from core.stages.questions import THE_QUESTION
from visualizer.rooms.stages.stages_panels import StageAnswer


@dataclass(frozen=True)
class Reading:
    """Per stage with a model (a step taken): its held-out rows and its 9.11 evidence."""

    table: dict[StageName, list[AnswerRow]]
    answers: dict[StageName, StageAnswer]

    def keep(self, stages: set[StageName]) -> Reading:
        """Only ``stages`` (a cancelled or discarded stage's model is gone)."""
        return Reading(
            {n: r for n, r in self.table.items() if n in stages},
            {n: a for n, a in self.answers.items() if n in stages},
        )


def with_models(pipeline: Pipeline) -> set[StageName]:
    """The stages that have a model to read: begun and at least one step taken."""
    return {n for n in STAGES if n in pipeline.states and pipeline.states[n].step > 0}


def read_models(pipeline: Pipeline) -> Reading:
    """The comparison rows and the 9.11 evidence of every stage that has a model."""
    models = {n: pipeline.states[n].model for n in STAGES if n in with_models(pipeline)}
    table = comparison(models, pipeline.tok)
    answers = {}
    for name, rows in table.items():
        row = rows[0]
        forced = row.answer if row.answer in (row.right, row.wrong) else THE_QUESTION.answer
        trace = trace_answer(models[name], pipeline.tok, THE_QUESTION, forced)
        tokens = tuple(trace.meta["tokens"])
        plen = int(trace.meta["prompt_len"])
        at_11 = tokens.index("11")
        at_9 = max(i for i in range(plen) if tokens[i] == "9")
        answers[name] = StageAnswer(
            name, row, choice(trace, pipeline.tok, THE_QUESTION), tokens, at_11, at_9
        )
    return Reading(table, answers)
