"""The hub voice profile (engine/voice/hub.py) without coqui-tts: coqui-tts cannot be imported on
this CPU machine (it needs CUDA builds of torchaudio), so a stand-in `TTS.api` module with the
signatures of coqui-tts 0.28's `TTS.api.TTS` (tts, voice_conversion, is_multi_speaker,
is_multi_lingual, speakers, synthesizer/voice_converter.output_sample_rate) is put in
sys.modules. What is tested is everything around the models: settings, licences, the reference
profile, the two routes' calls, the backend, the training job and the error when coqui-tts is
missing."""

import json
import sys
import time
import types
from pathlib import Path

import numpy as np
import pytest

from engine import Engine
from engine.errors import MissingBackend
from engine.settings import Settings
from engine.voice import hub
from engine.voice.backend import VoiceBackend
from storage import jobs as job_rows
from tests.conftest import make_settings
from tests.voice_market import needs_voice, upload_recordings, voice_seller

XTTS = "tts_models/multilingual/multi-dataset/xtts_v2"


def tone(seconds: float, rate: int = 16_000, hz: float = 150.0) -> tuple[np.ndarray, int]:
    t = np.arange(int(seconds * rate)) / rate
    return (0.3 * np.sin(2 * np.pi * hz * t)).astype(np.float32), rate


class FakeTTS:
    """coqui-tts's TTS.api.TTS as far as the hub voice uses it; every call is logged in `calls`.
    `voice(text)` makes the audio (a tone by default; the piper voice in the job test)."""

    calls: list = []
    voice = staticmethod(lambda text: tone(0.05 * len(text), 22_050))

    def __init__(self, model_name: str = "", *, progress_bar: bool = True, gpu: bool = False, **kwargs):
        self.model_name = model_name
        self.device = "cpu"
        self.synthesizer = (types.SimpleNamespace(output_sample_rate=22_050)
                            if "tts_models" in model_name else None)
        self.voice_converter = (types.SimpleNamespace(output_sample_rate=24_000)
                                if "voice_conversion_models" in model_name else None)
        FakeTTS.calls.append(("load", model_name, progress_bar))

    def to(self, device):
        self.device = device
        return self

    @property
    def is_multi_speaker(self) -> bool:
        return "vctk" in self.model_name or "xtts" in self.model_name

    @property
    def is_multi_lingual(self) -> bool:
        return "multilingual" in self.model_name

    @property
    def speakers(self):
        return ["p225", "p226"] if self.is_multi_speaker else None

    def tts(self, text: str, speaker=None, language=None, speaker_wav=None, emotion=None,
            split_sentences: bool = True, **kwargs):
        if self.synthesizer is None:
            raise RuntimeError("The selected model does not support speech synthesis.")
        if self.is_multi_lingual and language is None:  # coqui-tts's _check_arguments
            raise ValueError("Model is multi-lingual but no `language` is provided.")
        if not self.is_multi_speaker and speaker is not None:
            raise ValueError("Model is not multi-speaker but `speaker` is provided.")
        if not self.is_multi_lingual and language is not None:
            raise ValueError("Model is not multi-lingual but `language` is provided.")
        assert speaker_wav is None or all(Path(p).is_file() for p in speaker_wav)
        FakeTTS.calls.append(("tts", self.model_name, text, speaker, language, speaker_wav))
        audio, _ = FakeTTS.voice(text)
        return list(audio)  # coqui-tts returns a list of floats

    def voice_conversion(self, source_wav, target_wav=None, *, speaker=None, voice_dir=None,
                         source_speaker=None, **kwargs):
        import soundfile
        import torch

        from engine.audio import resample

        if self.voice_converter is None:
            raise RuntimeError("The selected model does not support voice conversion.")
        assert all(Path(p).is_file() for p in target_wav)
        audio, rate = soundfile.read(source_wav, dtype="float32")
        FakeTTS.calls.append(("vc", self.model_name, rate, target_wav))
        return torch.from_numpy(resample(audio, rate, 24_000))  # a tensor, as FreeVC returns


@pytest.fixture
def coqui(monkeypatch):
    """A stand-in coqui-tts: `TTS` and `TTS.api` in sys.modules."""
    package = types.ModuleType("TTS")
    package.__version__ = "0.28.0"
    api = types.ModuleType("TTS.api")
    api.TTS = FakeTTS
    package.api = api
    monkeypatch.setitem(sys.modules, "TTS", package)
    monkeypatch.setitem(sys.modules, "TTS.api", api)
    monkeypatch.setattr(FakeTTS, "calls", [])
    return FakeTTS


@pytest.fixture
def no_coqui(monkeypatch):
    """coqui-tts not importable, whether or not it is installed."""
    monkeypatch.setitem(sys.modules, "TTS", None)
    monkeypatch.setitem(sys.modules, "TTS.api", None)


def hub_settings(tmp_path, **overrides) -> Settings:
    return make_settings(tmp_path / "data", profile="hub", **overrides)


def test_hub_voice_model_ids_are_settings_and_checked():
    env = {"SIGNATURE_PROFILE": "hub", "SIGNATURE_VOICE_MODEL_ID": XTTS,
           "SIGNATURE_VOICE_CONVERSION_MODEL_ID": "none", "SIGNATURE_VOICE_SPEAKER": "p226",
           "SIGNATURE_VOICE_LANGUAGE": "fr"}
    settings = Settings.from_env(env)
    assert (settings.voice_model_id, settings.voice_conversion_model_id) == (XTTS, "none")
    assert (settings.voice_speaker, settings.voice_language) == ("p226", "fr")
    assert hub.route(settings) == "clone"
    with pytest.raises(ValueError, match="SIGNATURE_VOICE_MODEL_ID must be a coqui-tts model id"):
        Settings.from_env({"SIGNATURE_VOICE_MODEL_ID": "coqui/XTTS-v2"})
    with pytest.raises(ValueError, match="SIGNATURE_VOICE_CONVERSION_MODEL_ID must be"):
        Settings.from_env({"SIGNATURE_VOICE_CONVERSION_MODEL_ID": "freevc24"})
    with pytest.raises(ValueError, match="cannot clone a voice from reference clips"):
        hub.route(Settings.from_env({"SIGNATURE_VOICE_CONVERSION_MODEL_ID": "none"}))


def test_the_default_hub_voice_allows_commercial_use_and_non_commercial_models_say_so():
    settings = Settings()
    assert hub.route(settings) == "tts+vc"
    assert hub.models_of(settings) == ["tts_models/en/vctk/vits",
                                       "voice_conversion_models/multilingual/vctk/freevc24"]
    assert all(hub.licence(m)["commercial"] for m in hub.models_of(settings))
    assert hub.licence(XTTS) == {"model_id": XTTS, "commercial": False,
                                 "licence": "Coqui Public Model License (non-commercial)"}
    assert hub.licence("tts_models/multilingual/multi-dataset/your_tts")["commercial"] is False
    assert hub.licence("tts_models/xx/new/model")["commercial"] is None
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    for model_id, (name, _) in hub.LICENCES.items():  # every licence the code knows is in the README
        assert model_id in readme and name.split(" (")[0] in readme, model_id


def test_fitting_chooses_reference_clips_and_saves_a_versioned_profile(tmp_path):
    clips = [tone(20.0), tone(0.5, hz=0.0)] + [tone(12.0, rate=22_050)] * 8
    profile = hub.fit(clips, hub_settings(tmp_path), tmp_path / "v1" / hub.PROFILE_FILE)
    assert profile["route"] == "tts+vc" and profile["method"] == "hub-tts-vc"
    assert profile["conversion_model_id"] == "voice_conversion_models/multilingual/vctk/freevc24"
    assert profile["speaker"] == "p225"
    # the first cut to 15 s, the silent one skipped, then 12 s clips up to 60 s in all
    assert profile["reference_seconds"] == pytest.approx(15 + 12 + 12 + 12 + 9, abs=0.01)
    assert len(profile["reference_paths"]) == 5
    assert all(Path(p).is_file() and Path(p).parent == tmp_path / "v1" / "references"
               for p in profile["reference_paths"])
    assert [lic["licence"] for lic in profile["licences"]] == ["Apache-2.0 (trained on VCTK, CC BY 4.0)", "MIT"]
    again = hub.load_profile(tmp_path / "v1" / hub.PROFILE_FILE)
    assert again == profile and not (tmp_path / "v1" / "profile.part").exists()

    Path(profile["reference_paths"][2]).unlink()
    with pytest.raises(ValueError, match="lacks its reference clips"):
        hub.load_profile(tmp_path / "v1" / hub.PROFILE_FILE)
    with pytest.raises(ValueError, match="no recording with sound"):
        hub.fit([tone(3.0, hz=0.0)], hub_settings(tmp_path), tmp_path / "v2" / hub.PROFILE_FILE)


def test_the_tts_and_conversion_route_speaks_as_the_base_speaker_then_converts(tmp_path, coqui):
    settings = hub_settings(tmp_path)
    profile = hub.fit([tone(5.0)] * 3, settings, tmp_path / "v1" / hub.PROFILE_FILE)
    audio, rate = hub.HubVoice(settings).speak(profile, "Fresh bread every morning.")
    assert audio.dtype == np.float32 and audio.ndim == 1 and rate == 24_000
    assert len(audio) / rate == pytest.approx(0.05 * 26, abs=0.01)
    loads = [c[1] for c in coqui.calls if c[0] == "load"]
    assert loads == ["tts_models/en/vctk/vits", "voice_conversion_models/multilingual/vctk/freevc24"]
    (_, _, text, speaker, language, speaker_wav), = [c for c in coqui.calls if c[0] == "tts"]
    assert (text, speaker, language, speaker_wav) == ("Fresh bread every morning.", "p225", None, None)
    (_, _, source_rate, targets), = [c for c in coqui.calls if c[0] == "vc"]
    assert source_rate == 22_050 and targets == profile["reference_paths"]
    with pytest.raises(ValueError, match="must not be empty"):
        hub.HubVoice(settings).speak(profile, "  ")


def test_the_cloning_route_passes_the_reference_clips_and_a_language(tmp_path, coqui):
    settings = hub_settings(tmp_path, voice_model_id=XTTS, voice_conversion_model_id="none")
    profile = hub.fit([tone(5.0)] * 3, settings, tmp_path / "v1" / hub.PROFILE_FILE)
    assert profile["route"] == "clone" and profile["conversion_model_id"] is None
    assert profile["licences"][0]["commercial"] is False
    audio, rate = hub.HubVoice(settings).speak(profile, "Welcome back.")
    assert rate == 22_050 and len(audio) > 0
    (_, model, _, speaker, language, speaker_wav), = [c for c in coqui.calls if c[0] == "tts"]
    assert (model, speaker, language, speaker_wav) == (XTTS, None, "en", profile["reference_paths"])
    assert not [c for c in coqui.calls if c[0] == "vc"]


def test_a_version_speaks_with_the_models_it_was_made_with(tmp_path, coqui):
    made = hub_settings(tmp_path, voice_model_id=XTTS, voice_conversion_model_id="none")
    path = tmp_path / "v1" / hub.PROFILE_FILE
    hub.fit([tone(5.0)] * 2, made, path)
    backend = VoiceBackend(hub_settings(tmp_path))  # the Space's default models changed since
    audio, rate = backend.speak(path, "Hello there.")
    assert rate == 22_050 and [c[1] for c in coqui.calls if c[0] == "tts"] == [XTTS]
    bare, _ = backend.speak(None, "Hello there.")
    assert len(bare) > 0 and coqui.calls[-1][1:4] == ("tts_models/en/vctk/vits", "Hello there.", "p225")


def test_profiles_made_on_one_profile_say_where_they_speak(tmp_path, coqui):
    hub_path = tmp_path / "hub" / hub.PROFILE_FILE
    hub.fit([tone(5.0)] * 2, hub_settings(tmp_path), hub_path)
    with pytest.raises(MissingBackend, match="made on the 'hub' profile.*SIGNATURE_PROFILE=hub"):
        VoiceBackend(make_settings(tmp_path / "data")).speak(hub_path, "Hello.")


@needs_voice
def test_an_embedded_voice_does_not_speak_under_the_hub_profile(tmp_path, coqui, voice_profile):
    with pytest.raises(MissingBackend, match="made on the 'embedded' profile"):
        VoiceBackend(hub_settings(tmp_path)).speak(voice_profile, "Hello.")


def test_without_coqui_the_hub_voice_says_how_to_install_it(tmp_path, no_coqui):
    engine = Engine(hub_settings(tmp_path))
    seller = voice_seller(engine)
    from tests.test_voice_training import tones
    tones(engine, seller, tmp_path, 10, seconds=4.0)
    with pytest.raises(MissingBackend, match=r"needs coqui-tts.*requirements-space\.txt.*"
                                             r"SIGNATURE_PROFILE=embedded"):
        engine.train(seller)
    assert engine.db["jobs"].count == 0
    with pytest.raises(MissingBackend, match="coqui-tts==0.28.0"):
        hub.HubVoice(hub_settings(tmp_path)).synthesise("Hello.")


@needs_voice
def test_a_hub_voice_is_trained_and_judged_like_an_embedded_one(tmp_path, coqui, monkeypatch):
    from engine.voice.base import BaseVoice

    piper = BaseVoice(threads=1)
    monkeypatch.setattr(FakeTTS, "voice", staticmethod(piper.synthesise))
    engine = Engine(hub_settings(tmp_path, fidelity_samples=2))
    try:
        seller = voice_seller(engine)
        upload_recordings(engine, seller, tmp_path / "takes", count=10)
        job = engine.train(seller)
        engine.start_background()
        deadline = time.monotonic() + 300
        while (done := engine.jobs.get(job["id"]))["status"] not in job_rows.TERMINAL:
            assert time.monotonic() < deadline, done["message"]
            time.sleep(0.2)
    finally:
        engine.jobs.stop()
    assert done["status"] == "done", done["error"]
    version = engine.studio_model(seller)["current"]
    report = json.loads(version["fidelity_report"])
    assert version["artefact_path"].endswith("v1/profile.json") and version["profile"] == "hub"
    assert version["base_model_id"] == ("coqui-tts tts_models/en/vctk/vits + "
                                        "voice_conversion_models/multilingual/vctk/freevc24")
    assert version["base_revision"] == "coqui-tts 0.28.0"
    assert report["n"] == 2 and report["method"] == "hub-tts-vc" and 0.0 <= version["fidelity"] <= 1.0
    assert [lic["commercial"] for lic in report["licences"]] == [True, True]
    assert len([c for c in coqui.calls if c[0] == "vc"]) == 2  # each judged clip was converted
    profile = hub.load_profile(engine.settings.data_dir / version["artefact_path"])
    assert 1 <= len(profile["reference_paths"]) <= hub.MAX_REFERENCES
    from app.tabs.studio_model import _report_md
    shown = _report_md(engine.studio_model(seller))
    assert "voice_conversion_models/multilingual/vctk/freevc24: MIT" in shown
    assert "not for commercial use" not in shown


def test_the_studio_flags_a_non_commercial_base_voice():
    from app.tabs.studio_model import _made_md

    report = {"recordings": 8, "fit_seconds": 40.0, "train_s": 0.1, "pool": ["a"],
              "licences": [hub.licence(XTTS)]}
    line = _made_md(report, {"base_model_id": f"coqui-tts {XTTS}"})
    assert "Coqui Public Model License (non-commercial) — ⚠️ not for commercial use" in line


def test_a_model_whose_licence_must_be_accepted_says_how(tmp_path, coqui, monkeypatch):
    def asks(self, *args, **kwargs):
        raise EOFError("EOF when reading a line")  # coqui-tts's input() on a Space

    monkeypatch.setattr(FakeTTS, "__init__", asks)
    voice = hub.HubVoice(hub_settings(tmp_path, voice_model_id=XTTS, voice_conversion_model_id="none"))
    with pytest.raises(MissingBackend, match="COQUI_TOS_AGREED=1"):
        voice.synthesise("Hello.")
