"""Model backends per (modality, profile), created lazily and held by one Engine.

A backend is any object built by a factory `factory(settings) -> backend`. Factories are named
by import path ("package.module:callable") so that heavy libraries load only when a backend is
first used. Each backend gets its own lock: callers serialise work on it through `using()`.
"""

import contextlib
import importlib
import threading

from engine.errors import MissingBackend

MODALITIES = ("image", "voice", "text")

# Backends that ship with the project, by (modality, profile). Issues that add a modality's
# models add their factory here.
BUILTIN_BACKENDS: dict[tuple[str, str], str] = {
    ("text", "embedded"): "engine.text.backend:TextBackend",
    ("text", "hub"): "engine.text.backend:TextBackend",
    ("voice", "embedded"): "engine.voice.backend:VoiceBackend",
    ("voice", "hub"): "engine.voice.backend:VoiceBackend",
    ("image", "embedded"): "engine.image.backend:ImageBackend",
    ("image", "hub"): "engine.image.backend:ImageBackend",
}


class BackendRegistry:
    """The backends one Engine may use, loaded on first use."""

    def __init__(self, settings, factories: dict | None = None):
        self.settings = settings
        self._factories = dict(BUILTIN_BACKENDS if factories is None else factories)
        self._loaded: dict[tuple[str, str], object] = {}
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._guard = threading.Lock()

    def register(self, modality: str, profile: str, factory) -> None:
        """Add or replace the factory (callable or "module:callable") for a modality and profile."""
        if modality not in MODALITIES:
            raise ValueError(f"modality must be one of {MODALITIES}, not {modality!r}")
        with self._guard:
            self._factories[(modality, profile)] = factory
            self._loaded.pop((modality, profile), None)

    def available(self) -> list[dict]:
        """Every registered backend with whether it is loaded."""
        return [{"modality": m, "profile": p, "factory": f if isinstance(f, str) else f.__qualname__,
                 "loaded": (m, p) in self._loaded} for (m, p), f in sorted(
                     self._factories.items(), key=lambda kv: kv[0])]

    def get(self, modality: str):
        """The backend for `modality` under the settings' profile, loading it on first use."""
        key = (modality, self.settings.profile)
        with self._guard:
            if key in self._loaded:
                return self._loaded[key]
            factory = self._factories.get(key)
            if factory is None:
                raise MissingBackend(
                    f"No {modality} model backend is installed for the '{key[1]}' profile. "
                    f"Set SIGNATURE_PROFILE to a profile that has one (python -m engine backends).")
            self._locks.setdefault(key, threading.Lock())
        backend = _resolve(factory)(self.settings)
        with self._guard:
            return self._loaded.setdefault(key, backend)

    @contextlib.contextmanager
    def using(self, modality: str):
        """Hold the backend's lock while working with it."""
        backend = self.get(modality)
        with self._locks[(modality, self.settings.profile)]:
            yield backend


    def forget(self, prefix: str) -> int:
        """Drop what loaded backends keep in memory from files under `prefix` (a deleted model's
        folder); returns how many cached copies went. Backends without a `forget` keep nothing."""
        with self._guard:
            loaded = list(self._loaded.items())
        dropped = 0
        for key, backend in loaded:
            if hasattr(backend, "forget"):
                with self._locks[key]:
                    dropped += backend.forget(prefix)
        return dropped


def _resolve(factory):
    if callable(factory):
        return factory
    module_name, _, attr = factory.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise MissingBackend(f"The backend {factory} needs a package that is not installed "
                             f"({exc.name}): run `pip install -r requirements.txt`.") from exc
    return getattr(module, attr)
