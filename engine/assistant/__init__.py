"""A creator's sales and intake assistant: grounding, trigger topics, claims, intake and replies."""
