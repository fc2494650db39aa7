"""Shipped assets and the generators of the demo marketplace (nothing is downloaded)."""
