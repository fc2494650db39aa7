"""Matched voices (engine/voice/matched.py): a voice found in espeak-ng's bank and fitted in pitch,
pace, low-pass and room to a creator's recordings; spoken, saved and read back. Nothing here uses
the voice judge's speaker encoder.

The recordings are the demo's warm baritone, rendered by assets/voices.py: espeak-ng "en-us+m3"
at pitch 30 and 148 words a minute with a word gap, seeded per-clip variation, a 5.2 kHz
low-pass and a 0.10 room. The fitter is not told any of this.
"""

import numpy as np
import pytest

from assets import voices
from engine.errors import MissingBackend
from engine.settings import Settings
from engine.voice import adapt, base, espeak, matched
from engine.voice.job import BASE_SCRIPTS

needs = pytest.mark.skipif(not espeak.available(), reason="needs espeak-ng")
HELD_OUT = "Meet the new river ferry: twelve minutes from the old town to the beach, every hour."


@pytest.fixture(scope="module")
def recordings():
    rendered = voices.render_clips("warm_baritone", 5, seed=3)
    return [(c["audio"], c["sample_rate"]) for c in rendered], [c["transcript"] for c in rendered]


@pytest.fixture(scope="module")
def fitted(recordings):
    clips, scripts = recordings
    steps = []
    profile = matched.fit(clips, scripts, list(BASE_SCRIPTS), lambda *step: steps.append(step))
    return profile, steps


@needs
def test_fit_finds_the_voice_and_its_settings(fitted):
    profile, steps = fitted
    assert profile["method"] == "matched" and profile["transcripts_used"]
    assert profile["voice"].endswith("+m3")
    assert abs(profile["pitch"] - 30) <= 8
    assert abs(profile["speed"] / 148 - 1) <= 0.12
    assert 4000 <= profile["lowpass_hz"] <= 6500
    assert 0.04 <= profile["reverb"] <= 0.18
    assert steps and steps[-1][0] < steps[-1][1] and "room" in steps[-1][2]


@needs
def test_matched_voice_is_nearer_the_creator_than_the_bank_default(fitted):
    profile, _ = fitted
    truth = voices.synthesize(HELD_OUT, "warm_baritone")
    target = matched.mel_cepstra(truth, voices.NATIVE_RATE)
    own = matched._distortion(target, matched.mel_cepstra(*matched.speak(profile, HELD_OUT)))
    default = {**profile, "voice": "en-us", "pitch": 50, "speed": matched.DEFAULT_SPEED}
    other = matched._distortion(target, matched.mel_cepstra(*matched.speak(default, HELD_OUT)))
    print(f"\n  mel-cepstral distortion: matched {own:.2f}, bank default {other:.2f}")
    assert own < 0.8 * other


@needs
def test_without_transcripts_the_pace_stays_default(recordings):
    clips, _ = recordings
    profile = matched.fit(clips[:3], None, list(BASE_SCRIPTS))
    assert not profile["transcripts_used"] and profile["speed"] == matched.DEFAULT_SPEED
    assert abs(profile["pitch"] - 30) <= 12


@needs
def test_speak_save_and_load_round_trip(fitted, tmp_path):
    profile, _ = fitted
    audio, rate = matched.speak(profile, HELD_OUT)
    assert rate == matched.RATE and audio.dtype == np.float32
    assert 2.0 < len(audio) / rate < 10.0 and abs(np.max(np.abs(audio)) - 10 ** (-3 / 20)) < 1e-3
    adapt.save_profile(profile, tmp_path / "profile.npz")
    again = adapt.load_profile(tmp_path / "profile.npz")
    assert np.array_equal(matched.speak(again, HELD_OUT)[0], audio)
    with pytest.raises(ValueError, match="empty"):
        matched.speak(profile, "   ")


@needs
def test_bad_recordings_are_refused_with_a_clear_error(recordings):
    clips, scripts = recordings
    with pytest.raises(ValueError, match="silent"):
        matched.fit([(np.zeros(44100, dtype=np.float32), 22050)] * 3, None, list(BASE_SCRIPTS))
    with pytest.raises(ValueError, match="shorter than 0.5 s"):
        matched.fit([(clips[0][0][:100], clips[0][1])], None, list(BASE_SCRIPTS))


def test_missing_espeak_names_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(espeak.shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="apt-get install -y espeak-ng"):
        espeak.run("hello", "en-us", 160, 50)
    with pytest.raises(MissingBackend, match="apt-get install -y espeak-ng"):
        base.spec_for(Settings(data_dir=tmp_path))
