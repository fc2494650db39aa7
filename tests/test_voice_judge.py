"""The voice fidelity judge: held-out real clips pass; other voices, shifted voices and copies do not.

Run with `-s` to see the measured rates.
"""

import time

import numpy as np
import pytest
import torch

from assets import voice_pool, voices
from assets.demo import CREATORS, HOLD_OUT_EVERY
from engine.fidelity import voice_encoder
from engine.fidelity.voice import (VoiceEmbedder, VoiceJudge, find_copies, judge_clips,
                                   load_clip)
from engine.fidelity.voice_encoder import resample

torch.set_num_threads(1)

pytestmark = pytest.mark.skipif(not voices.espeak_available(), reason="needs espeak-ng")

DEMO = {spec["username"]: (number, spec) for number, spec in enumerate(CREATORS)
        if spec["modality"] == "voice"}
FRESH_SEED = 7
OTHER_SEED = 303
UNSEEN_SHIFTS = (-4.0, -2.0, 2.0, 4.0)  # semitones; the pool holds -3 and +3


def as_clips(rendered: list[dict]) -> list[tuple]:
    return [(c["audio"], c["sample_rate"]) for c in rendered]


def rate(judge: VoiceJudge, clips: list[tuple]) -> float:
    return float(np.mean(judge.is_creator(clips)))


def other_voice(name: str, count: int = 8) -> list[tuple]:
    return [(audio, voice_pool.POOL_RATE)
            for audio in voice_pool.render_voice(name, count, seed=OTHER_SEED)]


@pytest.fixture(scope="module")
def embedder() -> VoiceEmbedder:
    return VoiceEmbedder(threads=1)


@pytest.fixture(scope="module")
def pool_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("voice_pool")


@pytest.fixture(scope="module", params=sorted(DEMO))
def case(request, embedder, pool_dir) -> dict:
    """One demo voice creator: the portfolio as the demo renders it, the judge fitted on the
    items that are not held out, and test clips (held-out items plus fresh takes)."""
    number, spec = DEMO[request.param]
    rendered = voices.render_clips(spec["voice"], spec["count"], seed=number)
    held = [i % HOLD_OUT_EVERY == HOLD_OUT_EVERY - 1 for i in range(len(rendered))]
    train = [c for c, h in zip(rendered, held) if not h]
    started = time.perf_counter()
    pool = voice_pool.reference_pool(pool_dir, spec["voice"])
    made = time.perf_counter() - started
    started = time.perf_counter()
    judge = VoiceJudge.fit(as_clips(train), pool, embedder)
    print(f"\n  {request.param}: pool of {len(pool)} voices ready in {made:.1f} s, judge fitted on "
          f"{len(train) + sum(map(len, pool.values()))} clips in {time.perf_counter() - started:.1f} s")
    tests = [c for c, h in zip(rendered, held) if h] + voices.render_clips(spec["voice"], 16,
                                                                            seed=FRESH_SEED)
    return {"creator": request.param, "voice": spec["voice"], "train": train, "pool": pool,
            "judge": judge, "tests": tests}


@pytest.mark.slow
def test_held_out_clips_are_attributed_to_the_creator(case, embedder):
    clips = as_clips(case["tests"])
    started = time.perf_counter()
    share = rate(case["judge"], clips)
    print(f"\n  {case['creator']} held-out and fresh takes: {share:.2f} of {len(clips)} "
          f"({(time.perf_counter() - started) / len(clips):.2f} s per clip)")
    assert share >= 0.90


@pytest.mark.slow
def test_other_voices_are_not_the_creator(case):
    shares = {name: rate(case["judge"], other_voice(name)) for name in case["pool"]}
    print(f"\n  {case['creator']} vs 8 fresh clips of each pool voice: {shares}")
    assert len(shares) >= 8 and max(shares.values()) <= 0.10


@pytest.mark.slow
def test_a_voice_missing_from_the_pool_is_not_the_creator(case, embedder):
    creator_clips = as_clips(case["train"])
    shares = {}
    for missing in case["pool"]:
        pool = {name: clips for name, clips in case["pool"].items() if name != missing}
        judge = VoiceJudge.fit(creator_clips, pool, embedder)
        shares[missing] = rate(judge, other_voice(missing))
    print(f"\n  {case['creator']} vs a voice left out of the pool: {shares}")
    assert max(shares.values()) <= 0.10


@pytest.mark.slow
def test_the_creator_shifted_in_pitch_is_not_the_creator(case):
    real = as_clips(case["tests"][:10])
    shares = {shift: rate(case["judge"], [(voice_pool.shift_pitch(audio, shift), sr)
                                          for audio, sr in real])
              for shift in UNSEEN_SHIFTS}
    near = rate(case["judge"], [(voice_pool.shift_pitch(a, s), sr) for a, sr in real for s in (-1, 1)])
    print(f"\n  {case['creator']} held-out clips shifted by semitones {shares}; "
          f"by +-1 semitone (reported only): {near:.2f}")
    assert max(shares.values()) <= 0.10


@pytest.mark.slow
def test_judge_clips_scores_attribution_and_excludes_copies(case):
    train = as_clips(case["train"])
    replayed = [train[0], (train[1][0] * 0.25, train[1][1]),
                (train[2][0][int(0.7 * train[2][1]):-int(0.5 * train[2][1])], train[2][1]),
                (resample(*train[3], target=8000), 8000)]
    real = as_clips(case["tests"])
    others = [c for name in ("deep_narrator", "gravel_bass", "city_alto", "crisp_tenor")
              for c in other_voice(name, 12)]
    clips = real + replayed + others[:64 - len(real) - len(replayed)]
    result = judge_clips(case["judge"], clips, train)
    first_copy = len(real)
    print(f"\n  {case['creator']} judge_clips: fidelity {result['fidelity']:.2f} "
          f"[{result['ci_low']:.2f}, {result['ci_high']:.2f}], copies {result['copy_pairs']}")
    assert result["n"] == 64
    assert [(p["sample"], p["training"]) for p in result["copy_pairs"]] == \
        [(first_copy + i, i) for i in range(4)]
    assert result["copies"] == 4
    assert case["judge"].is_creator(replayed[:1]) == [True]  # an exact replay is the creator's voice
    assert not any(s["attributed"] for s in result["per_sample"] if s["copy"])
    assert result["attributed"] == sum(case["judge"].is_creator(real))
    assert result["fidelity"] == result["attributed"] / 64
    assert result["ci_low"] < result["fidelity"] < result["ci_high"]


@pytest.mark.slow
def test_different_takes_of_the_same_scripts_are_not_copies(case):
    train = case["train"]
    takes = voices.render_clips(case["voice"], 18, seed=FRESH_SEED)
    same_script = sum(t["transcript"] == c["transcript"] for t in takes for c in train)
    found = find_copies(as_clips(takes), as_clips(train))
    print(f"\n  {case['creator']} 18 fresh takes ({same_script} same-script pairs with training): "
          f"copies found {found}")
    assert same_script >= 8 and found == []


def test_copies_survive_gain_trimming_and_resampling_and_need_a_match():
    clip = voices.render_clips("crisp_tenor", 1, seed=5)[0]
    audio, sr = clip["audio"], clip["sample_rate"]
    versions = [(audio, sr), (np.clip(audio * 4.0, -1, 1), sr), (audio[int(0.4 * sr):], sr),
                (audio[:int(1.5 * sr)], sr), (resample(audio, sr, 16000), 16000)]
    found = find_copies(versions, [(audio, sr)])
    assert [c["sample"] for c in found] == list(range(len(versions)))
    assert all(c["similarity"] >= 0.9 for c in found)
    other = voices.render_clips("crisp_tenor", 2, seed=6)[1]
    assert find_copies([(other["audio"], other["sample_rate"])], [(audio, sr)]) == []
    assert find_copies([(audio[:int(0.5 * sr)], sr)], [(audio, sr)]) == []  # too short to judge
    assert find_copies([], [(audio, sr)]) == [] and find_copies([(audio, sr)], []) == []


def test_the_pool_is_deterministic_and_names_at_least_eight_other_voices(tmp_path):
    names = voice_pool.pool_voices("warm_baritone")
    assert len(names) >= 8 and "warm_baritone" not in names
    assert {"warm_baritone_up3", "warm_baritone_down3", "bright_alto"} <= set(names)
    first = voice_pool.render_voice("city_alto", 2)
    assert all(np.array_equal(a, b) for a, b in zip(first, voice_pool.render_voice("city_alto", 2)))
    pool = voice_pool.reference_pool(tmp_path, "bright_alto", count=2)
    assert set(pool) == set(voice_pool.pool_voices("bright_alto"))
    again = voice_pool.reference_pool(tmp_path, "bright_alto", count=2)
    assert all(np.allclose(a[0], b[0]) for n in pool for a, b in zip(pool[n], again[n]))
    assert all(rate_ == voice_pool.POOL_RATE for clips in pool.values() for _, rate_ in clips)


def test_shift_pitch_moves_the_fundamental():
    sr, f0 = voice_pool.POOL_RATE, 200.0
    tone = np.sin(2 * np.pi * f0 * np.arange(sr) / sr).astype(np.float32)
    shifted = voice_pool.shift_pitch(tone, 12.0)
    peak = np.argmax(np.abs(np.fft.rfft(shifted))) * sr / len(shifted)
    assert abs(peak - 2 * f0) < 5 and abs(len(shifted) - sr / 2) < 2


def test_embeddings_are_unit_vectors_cached_and_separate_two_voices(embedder):
    a = as_clips(voices.render_clips("warm_baritone", 2, seed=1))
    b = as_clips(voices.render_clips("bright_alto", 1, seed=1))
    started = time.perf_counter()
    vectors = embedder.embed(a + b)
    again = embedder.embed(a + b)
    assert vectors.shape == (3, 256) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(vectors, again)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.1
    print(f"\n  3 clips embedded twice in {time.perf_counter() - started:.2f} s")


def test_load_clip_reads_a_file_as_a_mono_clip(tmp_path):
    import soundfile

    stereo = np.stack([np.linspace(-0.5, 0.5, 800), np.zeros(800)], axis=1)
    soundfile.write(tmp_path / "a.wav", stereo, 8000)
    audio, sr = load_clip(tmp_path / "a.wav")
    assert sr == 8000 and audio.shape == (800,) and audio.dtype == np.float32
    assert audio[-1] == pytest.approx(0.25, abs=1e-3)


def test_mel_filterbank_matches_librosa_slaney_values():
    filters = voice_encoder.mel_filterbank()
    assert filters.shape == (40, 201)
    edges = voice_encoder._mel_to_hz(np.linspace(0, voice_encoder._hz_to_mel(8000.0), 42))
    assert voice_encoder._hz_to_mel(1000.0) == pytest.approx(15.0)
    assert edges[-1] == pytest.approx(8000.0)
    assert np.all(filters.sum(axis=1) > 0) and np.all(filters >= 0)


def test_fit_refuses_a_pool_without_other_voices_or_a_reserved_name(embedder):
    silent = [(np.zeros(16000, dtype=np.float32), 16000)] * 3
    with pytest.raises(ValueError):
        VoiceJudge.fit(silent, {}, embedder)
    with pytest.raises(ValueError):
        VoiceJudge.fit(silent, {"creator": silent}, embedder)


def test_missing_encoder_names_the_packages_to_install(monkeypatch):
    monkeypatch.setattr(voice_encoder.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(RuntimeError, match=r"pip install --no-deps resemblyzer==0\.1\.4"):
        voice_encoder.encoder_weights()
    with pytest.raises(RuntimeError, match="webrtcvad-wheels"):
        VoiceEmbedder().embed([(np.zeros(16000, dtype=np.float32), 16000)])
