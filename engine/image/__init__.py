"""Personal image models: the embedded flow-matching generator, its renderer, and the hub LoRA route."""
