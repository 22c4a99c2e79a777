"""The classification view: an encoder-only model's answer (the label probabilities),
the [CLS] vector, and what the [CLS] position attended to (tokens, or picture patches)."""
