"""Personal voice models benchmark, on the demo voice creators (Ravi: warm baritone; Inès: bright
alto). For each: the profile fitted on the portfolio items that are not held out (base-voice
renderings of their transcripts included in the fitting time), the voice judge's fidelity on 64
generated clips of scripts that are not in training (with a 95 % Wilson interval and the copy
check), the bare piper base judged the same way, and the real-time factor of generation (base
TTS plus conversion, median of 10). Prints one JSON object as its last line.
Usage: python bench/voice_model.py [--method grains|world] [--samples 64]
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
from engine.voice import adapt  # noqa: E402
from engine.voice.base import BaseVoice  # noqa: E402
from engine.voice.job import fresh_scripts  # noqa: E402

NAMES = ("ravi", "ines")
METHODS = {"world": (adapt.fit_voice, adapt.apply_voice), "grains": (adapt.fit_grains, adapt.apply_grains)}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def creator_case(username: str, work: Path, embedder: VoiceEmbedder, base: BaseVoice,
                 method: str, samples: int) -> dict:
    number, spec = next((i, s) for i, s in enumerate(CREATORS) if s["username"] == username)
    rendered = voices.render_clips(spec["voice"], spec["count"], seed=number)  # as the demo renders it
    train = [c for i, c in enumerate(rendered) if i % HOLD_OUT_EVERY != HOLD_OUT_EVERY - 1]
    train_clips = [(c["audio"], c["sample_rate"]) for c in train]
    judge = VoiceJudge.fit(train_clips, voice_pool.reference_pool(work / "pool", spec["voice"]), embedder)
    fit, apply = METHODS[method]
    started = time.perf_counter()
    base_clips = [base.synthesise(c["transcript"]) for c in train]
    profile = fit(train_clips, base_clips, same_scripts=True)
    fit_s = time.perf_counter() - started
    adapt.save_profile(profile, work / f"{username}.npz")
    profile = adapt.load_profile(work / f"{username}.npz")
    texts = fresh_scripts(samples, {c["transcript"] for c in rendered})
    generated, bare, rtf = [], [], []
    for i, text in enumerate(texts):
        started = time.perf_counter()
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
            "warp": profile["warp"], "length_scale": profile["length_scale"]}


def main() -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--method", choices=sorted(METHODS), default="grains")
    parser.add_argument("--samples", type=int, default=64)
    args = parser.parse_args()
    torch.set_num_threads(1)
    embedder, base = VoiceEmbedder(threads=1), BaseVoice(threads=1)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for username in NAMES:
            results[username] = creator_case(username, Path(tmp), embedder, base, args.method, args.samples)
            print(username, results[username], flush=True)
    return {"benchmark": "voice_model", "method": args.method, "creators": results,
            "fit_s": max(r["fit_s"] for r in results.values()),
            "rtf": max(r["rtf"] for r in results.values()),
            "targets": {"fit_s": 60, "fidelity": 0.90, "rtf": 0.5},
            "peak_rss_mb": round(peak_rss_mb(), 1), "threads": 1}


if __name__ == "__main__":
    print(json.dumps(main()))
