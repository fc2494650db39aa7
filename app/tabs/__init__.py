"""One module per tab; each exposes build(ctx, demo) that creates the tab and wires its events."""
