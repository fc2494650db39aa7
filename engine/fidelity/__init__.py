"""Fidelity judges: how much of a model's output is attributable to its creator, per modality."""
