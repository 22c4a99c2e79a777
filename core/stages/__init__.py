"""How a language model is made: pre-training, fine-tuning (SFT) and RL with GRPO.

A Qt-free engine for the "stages" room (issue 13). One tiny decoder-only model
(``core.model_decoder.DecoderOnly``) goes through three stages, each kept as a
checkpoint folder so they can be compared:

* ``pretrain`` -- next-token prediction on a generated corpus (``corpus``) where numbers
  like 9.11 and 9.9 are mostly versions, sections and dates (9.11 comes after 9.9);
* ``sft`` -- a few dozen question -> answer examples, loss on the answer tokens only;
* ``grpo`` -- group sampling, rule rewards, group-relative advantages, the clipped ratio
  objective and beta x KL to the frozen SFT model; one update can be traced op by op.

``tokenizer`` splits numbers the way real tokenizers do ("9.11" -> ``9`` ``.`` ``11``),
which is half of why the pre-trained model says 9.11 > 9.9; ``questions`` holds the
held-out comparisons and the answer probabilities; ``pipeline`` runs the stages in
order, seeded and replayable, with progress / stop callbacks.
"""
