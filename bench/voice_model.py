"""Personal voice models benchmark, on the demo voice creators (Ravi: warm baritone; Inès: bright
alto). For each: the voice fitted on the portfolio items that are not held out (by default the
matched voice of engine/voice/matched.py; `--method grains|world` re-voices the piper base
instead, its renderings of the transcripts counted in the fitting time), the voice judge's
fidelity on 64 generated clips of scripts that are not in training (with a 95 % Wilson interval
and the copy check), the bare piper voice judged the same way, and the real-time factor of
generation (median of 10). A third case is a voice outside the espeak-ng bank that matched voices
are drawn from (the piper voice raised two semitones), reported apart as "outside_the_bank".
Prints one JSON object as its last line.
Usage: python bench/voice_model.py [--method matched|grains|world] [--samples 64]
"""

import argparse
import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from assets import voice_pool, voices  # noqa: E402
from assets.demo import CREATORS, HOLD_OUT_EVERY  # noqa: E402
from engine.fidelity.voice import VoiceEmbedder, VoiceJudge, judge_clips  # noqa: E402
from engine.voice import adapt, matched  # noqa: E402
from engine.voice.base import BaseVoice  # noqa: E402
from engine.voice.job import BASE_SCRIPTS, fresh_scripts  # noqa: E402

NAMES = ("ravi", "ines")
METHODS = ("matched", "grains", "world")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def demo_creator(username: str, work: Path) -> tuple[list, list[str], set[str], dict]:
    """A demo voice creator's training clips, their transcripts, every script they recorded and the
    judge's pool (the reference pool without the espeak voice they were rendered with)."""
    number, spec = next((i, s) for i, s in enumerate(CREATORS) if s["username"] == username)
    rendered = voices.render_clips(spec["voice"], spec["count"], seed=number)  # as the demo renders it
    train = [c for i, c in enumerate(rendered) if i % HOLD_OUT_EVERY != HOLD_OUT_EVERY - 1]
    return ([(c["audio"], c["sample_rate"]) for c in train], [c["transcript"] for c in train],
            {c["transcript"] for c in rendered}, voice_pool.reference_pool(work / "pool", spec["voice"]))


def outsider(work: Path, base: BaseVoice) -> tuple[list, list[str], set[str], dict]:
    """A voice outside the espeak-ng bank: the neural piper voice raised two semitones (pitch and
    formants) through a 6 kHz low-pass, reading 12 demo scripts; judged against the whole
    reference pool and its own voice shifted 3 semitones up and down."""
    from scipy.signal import firwin

    scripts = voices.SCRIPTS[:12]
    kernel = firwin(63, 6000, fs=22050)
    clips = []
    for text in scripts:
        audio, rate = base.synthesise(text)
        shifted = voice_pool.shift_pitch(audio, 2.0)
        clips.append((np.convolve(shifted, kernel, mode="same").astype(np.float32), rate))
    pool = voice_pool.reference_pool(work / "pool")
    for semitones in voice_pool.SHIFTS:
        pool[voice_pool.shifted_name("outsider", semitones)] = [
            (voice_pool.shift_pitch(a, semitones), r) for a, r in clips[:voice_pool.CLIPS_PER_VOICE]]
    return clips, list(scripts), set(voices.SCRIPTS), pool


def creator_case(name: str, recordings: tuple, work: Path, embedder: VoiceEmbedder, base: BaseVoice,
                 method: str, samples: int) -> dict:
    train_clips, transcripts, recorded, pool = recordings
    judge = VoiceJudge.fit(train_clips, pool, embedder)
    started = time.perf_counter()
    if method == "matched":
        profile = matched.fit(train_clips, transcripts, list(BASE_SCRIPTS))
    else:
        fit = adapt.fit_grains if method == "grains" else adapt.fit_voice
        profile = fit(train_clips, [base.synthesise(t) for t in transcripts], same_scripts=True)
    fit_s = time.perf_counter() - started
    adapt.save_profile(profile, work / f"{name}.npz")
    profile = adapt.load_profile(work / f"{name}.npz")
    texts = fresh_scripts(samples, recorded)
    generated, bare, rtf = [], [], []
    for i, text in enumerate(texts):
        started = time.perf_counter()
        if method == "matched":
            audio, rate = matched.speak(profile, text)
        else:
            apply = adapt.apply_grains if method == "grains" else adapt.apply_voice
            audio, rate = apply(*base.synthesise(text, length_scale=profile["length_scale"]), profile)
        if i < 10:
            rtf.append((time.perf_counter() - started) / (len(audio) / rate))
        generated.append((audio, rate))
        bare.append(base.synthesise(text))
    result = judge_clips(judge, generated, train_clips)
    baseline = judge_clips(judge, bare, train_clips)
    per = result["per_sample"]
    return {"fit_s": round(fit_s, 2), "fidelity": round(result["fidelity"], 3),
            "ci_low": round(result["ci_low"], 3), "ci_high": round(result["ci_high"], 3),
            "n": result["n"], "copies": result["copies"],
            "base_fidelity": round(baseline["fidelity"], 3), "base_copies": baseline["copies"],
            "rtf": round(statistics.median(rtf), 3),
            "best_voice_creator": round(float(np.mean([s["voice"] == "creator" for s in per])), 3),
            "median_p_creator": round(float(np.median([s["p_creator"] for s in per])), 3),
            "median_typicality": round(float(np.median([s["typicality"] for s in per])), 2),
            "base_median_typicality": round(float(np.median([s["typicality"] for s in baseline["per_sample"]])), 2),
            **{k: profile[k] for k in ("voice", "pitch", "speed", "word_gap", "lowpass_hz", "reverb", "warp",
                                       "length_scale") if k in profile}}


def main() -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--method", choices=METHODS, default="matched")
    parser.add_argument("--samples", type=int, default=64)
    args = parser.parse_args()
    torch.set_num_threads(1)
    embedder, base = VoiceEmbedder(threads=1), BaseVoice(threads=1)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for username in NAMES:
            results[username] = creator_case(username, demo_creator(username, Path(tmp)), Path(tmp),
                                             embedder, base, args.method, args.samples)
            print(username, results[username], flush=True)
        beyond = creator_case("outsider", outsider(Path(tmp), base), Path(tmp), embedder, base,
                              args.method, args.samples)
        print("outsider", beyond, flush=True)
    return {"benchmark": "voice_model", "method": args.method, "creators": results,
            "outside_the_bank": beyond,
            "fit_s": max(r["fit_s"] for r in results.values()),
            "rtf": max(r["rtf"] for r in results.values()),
            "targets": {"fit_s": 60, "fidelity": 0.90, "rtf": 0.5},
            "peak_rss_mb": round(peak_rss_mb(), 1), "threads": 1}


if __name__ == "__main__":
    print(json.dumps(main()))
