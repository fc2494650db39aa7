"""The `hub` profile's voice: a pretrained coqui-tts model for a GPU Space.

Two routes, chosen by the settings (model ids are coqui-tts catalogue ids):
- `tts+vc` (default): a TTS model (SIGNATURE_VOICE_MODEL_ID, default VITS on VCTK) speaks the
  script as one of its own speakers (SIGNATURE_VOICE_SPEAKER), then a voice conversion model
  (SIGNATURE_VOICE_CONVERSION_MODEL_ID, default FreeVC 24 kHz) turns it into the creator's voice
  from their reference clips: `TTS.voice_conversion(source_wav=..., target_wav=[...])`.
- `clone` (SIGNATURE_VOICE_CONVERSION_MODEL_ID=none): a zero-shot cloning model (XTTS-v2,
  YourTTS) speaks the script straight in the creator's voice: `TTS.tts(text, speaker_wav=[...],
  language=...)`.

"Fitting" a creator's voice here trains nothing: it chooses the reference clips (at most
MAX_REFERENCES clips, MAX_REFERENCE_SECONDS in all) from the recordings to learn from and saves
them with a small JSON profile (route, model ids, speaker, language) in the model version's
folder. The profile keeps its model ids, so a version speaks with the models it was judged with.

coqui-tts is imported lazily: it needs a CUDA build of torchaudio and is installed on the Space
only (requirements-space.txt), never in the embedded requirements.
"""

import functools
import json
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

from engine.errors import MissingBackend
from engine.settings import NONE, check_voice_models

COQUI_VERSION = "0.28.0"
INSTALL_HINT = (f"The hub voice profile needs coqui-tts, which runs on a CUDA machine (a GPU "
                f"Space): run `pip install -r requirements-space.txt` (coqui-tts=={COQUI_VERSION}) "
                "there, or set SIGNATURE_PROFILE=embedded")
PROFILE_FILE = "profile.json"
VERSION = 1
MAX_REFERENCES = 6
MAX_REFERENCE_SECONDS = 60.0
MAX_CLIP_SECONDS = 15.0  # each reference clip is cut to this (speaker encoders want a few seconds)

# Licences of the configurable models, as coqui-tts's model catalogue (TTS/.models.json) states
# them, and whether they allow commercial use. Check the model card before a commercial launch.
LICENCES = {
    "tts_models/en/vctk/vits": ("Apache-2.0 (trained on VCTK, CC BY 4.0)", True),
    "tts_models/en/ljspeech/vits": ("Apache-2.0 (trained on LJSpeech, public domain)", True),
    "voice_conversion_models/multilingual/vctk/freevc24": ("MIT", True),
    "voice_conversion_models/multilingual/multi-dataset/openvoice_v2": ("MIT", True),
    "voice_conversion_models/multilingual/multi-dataset/knnvc": ("MIT", True),
    "tts_models/multilingual/multi-dataset/xtts_v2": ("Coqui Public Model License (non-commercial)", False),
    "tts_models/multilingual/multi-dataset/xtts_v1.1": ("Coqui Public Model License (non-commercial)", False),
    "tts_models/multilingual/multi-dataset/your_tts": ("CC BY-NC-ND 4.0 (non-commercial)", False),
}
# Models that clone a voice from reference clips (`speaker_wav`) without a conversion model.
CLONING_MODELS = ("tts_models/multilingual/multi-dataset/xtts_v2",
                  "tts_models/multilingual/multi-dataset/xtts_v1.1",
                  "tts_models/multilingual/multi-dataset/your_tts")


def licence(model_id: str) -> dict:
    """{"model_id", "licence", "commercial"} for a model id (commercial None when unknown)."""
    name, commercial = LICENCES.get(model_id, ("unknown: read the model card", None))
    return {"model_id": model_id, "licence": name, "commercial": commercial}


def route(settings) -> str:
    """`tts+vc` or `clone`; raises ValueError for ids that cannot make a creator's voice."""
    check_voice_models(settings)
    if settings.voice_conversion_model_id != NONE:
        return "tts+vc"
    if settings.voice_model_id not in CLONING_MODELS:
        raise ValueError(f"{settings.voice_model_id} cannot clone a voice from reference clips: "
                         "set SIGNATURE_VOICE_CONVERSION_MODEL_ID to a voice conversion model, or "
                         f"SIGNATURE_VOICE_MODEL_ID to one of {', '.join(CLONING_MODELS)}")
    return "clone"


def models_of(settings) -> list[str]:
    """The model ids the settings' route uses."""
    return ([settings.voice_model_id] + ([settings.voice_conversion_model_id]
                                         if route(settings) == "tts+vc" else []))


def tts_class():
    """coqui-tts's `TTS.api.TTS`, or MissingBackend saying how to install it."""
    try:
        from TTS.api import TTS
    except Exception as exc:  # ImportError, or torchaudio's CUDA libraries failing to load
        raise MissingBackend(f"{INSTALL_HINT} ({type(exc).__name__}: {exc}).") from None
    return TTS


def coqui_version() -> str:
    package = sys.modules.get("TTS")
    version = getattr(package, "__version__", None)
    if version:
        return str(version)
    try:
        import importlib.metadata
        return importlib.metadata.version("coqui-tts")
    except Exception:
        return "unknown"


def spec(settings):
    """The base voice as recorded on a version: the models' ids and coqui-tts's version."""
    from engine.voice.base import VoiceSpec

    try:
        ids = models_of(settings)
    except ValueError as exc:
        raise MissingBackend(str(exc)) from None
    tts_class()
    return VoiceSpec("coqui-tts " + " + ".join(ids), f"coqui-tts {coqui_version()}")


def choose_references(clips: list[tuple]) -> list[tuple[np.ndarray, int]]:
    """The creator's reference clips: in order, each cut to MAX_CLIP_SECONDS, at most
    MAX_REFERENCES and MAX_REFERENCE_SECONDS in all; silent clips are skipped."""
    chosen, left = [], MAX_REFERENCE_SECONDS
    for audio, rate in clips:
        audio = np.asarray(audio, dtype=np.float32).reshape(-1)
        if len(chosen) >= MAX_REFERENCES or left < 1.0:
            break
        if not len(audio) or float(np.max(np.abs(audio))) < 1e-4:
            continue
        audio = audio[:int(min(MAX_CLIP_SECONDS, left) * rate)]
        chosen.append((audio, int(rate)))
        left -= len(audio) / rate
    if not chosen:
        raise ValueError("no recording with sound in it to take the creator's voice from")
    return chosen


def fit(clips: list[tuple], settings, path: str | Path) -> dict:
    """Choose the reference clips and save them with the profile at `path` (profile.json in the
    version's folder; clips under references/). Returns the profile as load_profile reads it."""
    path = Path(path)
    references = choose_references(clips)
    chosen = route(settings)
    profile = {"version": VERSION, "method": "hub-" + chosen.replace("+", "-"),
               "route": chosen, "model_id": settings.voice_model_id,
               "conversion_model_id": settings.voice_conversion_model_id if chosen == "tts+vc" else None,
               "speaker": settings.voice_speaker, "language": settings.voice_language,
               "licences": [licence(m) for m in models_of(settings)],
               "reference_seconds": round(sum(len(a) / r for a, r in references), 2),
               "references": []}
    save_profile(profile, references, path)
    return load_profile(path)


def save_profile(profile: dict, references: list[tuple], path: str | Path) -> Path:
    """Write the reference clips (16-bit WAV) and then the profile JSON (atomically, last: a
    profile.json on disk always has its clips)."""
    import soundfile

    path = Path(path)
    folder = path.parent / "references"
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for i, (audio, rate) in enumerate(references):
        name = f"references/{i:02d}.wav"
        soundfile.write(path.parent / name, np.clip(audio, -1.0, 1.0), rate, subtype="PCM_16")
        names.append(name)
    part = path.with_suffix(".part")
    part.write_text(json.dumps({**profile, "references": names}, indent=1), encoding="utf-8")
    os.replace(part, path)
    return path


def is_hub_profile(path: str | Path) -> bool:
    return Path(path).suffix == ".json"


def load_profile(path: str | Path) -> dict:
    """A saved hub profile with its reference clips' absolute paths under "reference_paths"."""
    path = Path(path)
    profile = json.loads(path.read_text(encoding="utf-8"))
    if profile.get("version") != VERSION or profile.get("route") not in ("tts+vc", "clone"):
        raise ValueError(f"{path} is not a hub voice profile of version {VERSION}: train again")
    paths = [str(path.parent / name) for name in profile["references"]]
    missing = [p for p in paths if not Path(p).is_file()]
    if not paths or missing:
        raise ValueError(f"the hub voice profile {path} lacks its reference clips: train again")
    return {**profile, "reference_paths": paths}


def _as_audio(wav) -> np.ndarray:
    if hasattr(wav, "detach"):
        wav = wav.detach().cpu().numpy()
    audio = np.nan_to_num(np.asarray(wav, dtype=np.float32).reshape(-1))
    if not len(audio):
        raise ValueError("the voice model produced no audio")
    return np.clip(audio, -1.0, 1.0)


class HubVoice:
    """coqui-tts models, loaded on first use (on the GPU when there is one) and kept by id."""

    def __init__(self, settings):
        self.settings = settings
        self._models: dict[str, object] = {}

    def model(self, model_id: str):
        if model_id not in self._models:
            TTS = tts_class()
            try:
                tts = TTS(model_id, progress_bar=False)
            except EOFError:  # coqui-tts asked on stdin to accept a model's licence (XTTS: CPML)
                raise MissingBackend(
                    f"{model_id} needs its licence accepted before it downloads: read it "
                    f"({licence(model_id)['licence']}) and, if you accept it, set "
                    "COQUI_TOS_AGREED=1 on the Space.") from None
            self._models[model_id] = tts.to(_device())
        return self._models[model_id]

    def _say(self, model_id: str, script: str, speaker: str | None, language: str | None,
             speaker_wav: list[str] | None = None) -> tuple[np.ndarray, int]:
        if not script or not script.strip():
            raise ValueError("text must not be empty")
        tts = self.model(model_id)
        kwargs = {"speaker_wav": speaker_wav} if speaker_wav else {}
        if tts.is_multi_speaker and not speaker_wav:
            kwargs["speaker"] = speaker if speaker and speaker != NONE else (tts.speakers or [None])[0]
        if tts.is_multi_lingual:
            kwargs["language"] = language or "en"
        wav = tts.tts(text=script, **kwargs)
        return _as_audio(wav), int(tts.synthesizer.output_sample_rate)

    def synthesise(self, script: str) -> tuple[np.ndarray, int]:
        """The bare base voice (the TTS model's own speaker)."""
        return self._say(self.settings.voice_model_id, script, self.settings.voice_speaker,
                         self.settings.voice_language)

    def speak(self, profile: dict, script: str) -> tuple[np.ndarray, int]:
        """`script` in the creator's voice: (float32 mono audio in [-1, 1], sample rate)."""
        import soundfile

        references = profile["reference_paths"]
        if profile["route"] == "clone":
            return self._say(profile["model_id"], script, None, profile["language"], references)
        audio, rate = self._say(profile["model_id"], script, profile["speaker"], profile["language"])
        converter = self.model(profile["conversion_model_id"])
        with tempfile.TemporaryDirectory(prefix="signature-vc-") as folder:
            source = Path(folder) / "source.wav"
            soundfile.write(source, audio, rate, subtype="PCM_16")
            wav = converter.voice_conversion(source_wav=str(source), target_wav=references)
        return _as_audio(wav), int(converter.voice_converter.output_sample_rate)


@functools.lru_cache(maxsize=1)
def _device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"
