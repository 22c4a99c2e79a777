"""The basics labs: a single neuron and a small network, on the same traced engine as the
Transformer, so a learner meets forward, loss, backward and update on a model small enough
to follow every number before meeting them in the Transformer."""
