"""The engine: everything that computes. Never imports gradio; loads no model at import."""

from engine.engine import Engine
from engine.settings import Settings

__all__ = ["Engine", "Settings"]
