"""The voice backend: creators' fitted profiles, kept in a small LRU, turning scripts into speech
in a creator's voice. `embedded`: matched espeak-ng voices (engine/voice/matched.py), and the
piper base voice for grain and WORLD profiles fitted before them; `hub`: coqui-tts models and
reference-clip profiles (engine/voice/hub.py)."""

import collections
from pathlib import Path

import numpy as np

from engine.errors import MissingBackend

MAX_PROFILES = 8


def speak(base, profile: dict, script: str) -> tuple[np.ndarray, int]:
    """Say `script` in a creator's voice: the base voice at the creator's speaking rate, then the
    creator's profile applied (grain selection, or the WORLD mapping for older profiles).
    Returns (float32 mono audio, sample rate); raises ValueError when nothing can be spoken."""
    from engine.voice import adapt

    audio, rate = base.synthesise(script, length_scale=float(profile["length_scale"]))
    apply = adapt.apply_grains if profile.get("method") == "grains" else adapt.apply_voice
    return apply(audio, rate, profile)


class VoiceBackend:
    """Speaks with a creator's profile (or the bare base voice). Callers hold the registry's lock
    for this backend while they use it."""

    def __init__(self, settings):
        self.settings = settings
        self._base = None
        self._profiles: collections.OrderedDict[str, dict] = collections.OrderedDict()

    @property
    def base(self):
        """The base voice, loaded on first use with the serving thread count."""
        if self._base is None:
            if self.settings.profile == "hub":
                from engine.voice.hub import HubVoice
                self._base = HubVoice(self.settings)
            else:
                from engine.voice.base import BaseVoice
                self._base = BaseVoice(threads=self.settings.threads)
        return self._base

    def profile(self, path: str | Path) -> dict:
        """A fitted profile, read once and kept while it is among the MAX_PROFILES last used."""
        from engine.voice import adapt, hub

        key = str(Path(path).resolve())
        if key not in self._profiles:
            self._profiles[key] = (hub.load_profile(key) if hub.is_hub_profile(key)
                                   else adapt.load_profile(key))
        self._profiles.move_to_end(key)
        while len(self._profiles) > MAX_PROFILES:
            self._profiles.popitem(last=False)
        return self._profiles[key]

    def forget(self, prefix: str) -> int:
        """Drop cached profiles read from files under `prefix`; returns how many."""
        gone = [key for key in self._profiles if key.startswith(prefix)]
        for key in gone:
            del self._profiles[key]
        return len(gone)

    def speak(self, profile_path: str | Path | None, script: str) -> tuple[np.ndarray, int]:
        """`script` spoken with the profile at `profile_path` (None: the bare base voice)."""
        if profile_path is None:
            return self.base.synthesise(script)
        profile = self.profile(profile_path)
        made_on = "hub" if profile.get("route") else "embedded"
        if made_on != self.settings.profile:
            raise MissingBackend(f"This voice was made on the '{made_on}' profile and speaks only "
                                 f"there: set SIGNATURE_PROFILE={made_on}, or train it again.")
        if made_on == "hub":  # spoken by the coqui-tts models it was fitted for
            return self.base.speak(profile, script)
        if profile.get("method") == "matched":
            from engine.voice import matched
            return matched.speak(profile, script)
        return speak(self.base, profile, script)
