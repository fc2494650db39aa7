"""Personal text models: a shared causal LM base plus a LoRA adapter per copywriter."""
