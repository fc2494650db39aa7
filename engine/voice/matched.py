"""A personal voice matched from a bank of synthesiser voices, then given the creator's pitch,
speaking rate and recording chain.

The bank is espeak-ng's English accents crossed with its voice variants (engine/voice/espeak.py).
Fitting reads the creator's recordings (and their transcripts, where known) and keeps numbers
only: which bank voice, its pitch, speed and gap between words, the low-pass and the room that
make it sound like the recordings. Every choice is made on acoustic distances of the fitter's
own (mel-cepstra, pitch, durations, long-term spectrum, reverb tail), never on the judge's
speaker encoder, so the voice judge stays independent of it.

1. Screen: every bank voice reads up to SCREEN_CLIPS of the scripts; keep the SHORTLIST whose
   mean mel-cepstrum is nearest the creator's.
2. Fit each shortlisted voice: the espeak pitch that gives the creator's median f0 (two test
   renders, log-linear), the speed that gives the creator's durations on the same transcripts,
   the low-pass that best explains the creator's long-term spectrum; score it by mel-cepstral
   distortion against the recordings after dynamic time warping (mean and spread of the
   mel-cepstra when the transcripts are not known).
3. Refine the best one with the creator's recording chain in place: for each gap between words
   (WORD_GAPS; with transcripts only), correct pitch and speed so the finished voice meets the
   creator's median f0 and seconds of speech, fit the room (the reverb share whose decay after
   the last word matches the recordings'), and keep the gap with the least distortion.

Voices far from every bank voice (a human voice, most likely) fit poorly and the judge refuses
them; bench/voice_model.py measures one such voice.
"""

import json
import time

import numpy as np

from engine.audio import resample
from engine.voice import adapt, espeak

RATE = 22050
ACCENTS = ("en-us", "en", "en-gb-x-rp", "en-gb-scotland", "en-gb-x-gbclan", "en-gb-x-gbcwmd",
           "en-029", "en-us-nyc")
VARIANTS = ("", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "f5")
BANK_ID = f"espeak-ng English voice bank ({len(ACCENTS)} accents x {len(VARIANTS)} voice variants)"
SCREEN_CLIPS = 2
SHORTLIST = 8
REFINE_ROUNDS = 2
WORD_GAPS = (0, 1, 2, 3, 4)  # espeak's pause between words, in 10 ms
SCORE_CLIPS = 4
DEFAULT_SPEED = 165.0
PITCH_PROBES = (20, 80)
LOWPASS_HZ = tuple(range(3000, 10001, 250))
REVERBS = tuple(np.round(np.arange(0.0, 0.301, 0.02), 2))
FEATURE_RATE = 16000
MEL_BANDS, CEPSTRA = 24, 19


def bank() -> list[str]:
    """Every espeak voice the fitter tries: accent, or accent+variant."""
    return [accent + (f"+{variant}" if variant else "") for accent in ACCENTS for variant in VARIANTS]


def _mel_filters(bins: int, low: float, high: float, bands: int = MEL_BANDS) -> np.ndarray:
    mel = lambda hz: 2595 * np.log10(1 + hz / 700)  # noqa: E731
    edges = 700 * (10 ** (np.linspace(mel(low), mel(high), bands + 2) / 2595) - 1)
    freqs = np.linspace(0, FEATURE_RATE / 2, bins)
    filters = np.zeros((bands, bins))
    for i in range(bands):
        lo, mid, hi = edges[i:i + 3]
        filters[i] = np.clip(np.minimum((freqs - lo) / (mid - lo), (hi - freqs) / (hi - mid)), 0, None)
    return filters


_FILTERS = _mel_filters(129, 60.0, 4000.0)


def mel_cepstra(audio: np.ndarray, rate: int) -> np.ndarray:
    """Mel-cepstra (c1..c19 of 24 log mel bands, 60-4000 Hz) of 16 ms frames every 10 ms; frames
    more than 40 dB under the loudest are dropped."""
    from scipy.fft import dct

    x = resample(audio, rate, FEATURE_RATE, dtype=np.float64)
    size, hop = 256, 160
    if len(x) < size:
        return np.zeros((0, CEPSTRA))
    count = 1 + (len(x) - size) // hop
    index = np.arange(size)[None, :] + hop * np.arange(count)[:, None]
    power = np.abs(np.fft.rfft(x[index] * np.hanning(size), axis=1)) ** 2
    energy = power.sum(axis=1)
    keep = energy >= energy.max() * 1e-4
    log_mel = np.log(power[keep] @ _FILTERS.T + 1e-10)
    return dct(log_mel, type=2, norm="ortho", axis=1)[:, 1:CEPSTRA + 1]


def _median_f0(audio: np.ndarray, rate: int) -> float:
    pw = adapt.world()
    x = np.ascontiguousarray(resample(audio, rate, FEATURE_RATE, dtype=np.float64))
    f0, t = pw.dio(x, FEATURE_RATE, f0_floor=adapt.F0_FLOOR, f0_ceil=adapt.F0_CEIL, frame_period=10.0)
    f0 = pw.stonemask(x, f0, t, FEATURE_RATE)
    voiced = f0[f0 > 0]
    return float(np.median(voiced)) if len(voiced) else float("nan")


def _sounding_seconds(audio: np.ndarray, rate: int) -> float:
    """Seconds of 10 ms frames within 40 dB of the loudest: speech, without pauses or silence
    (measured after `espeak.trim`, as every clip compared is)."""
    audio = espeak.trim(np.asarray(audio, dtype=np.float64), rate)
    frame = int(rate * 0.01)
    n = len(audio) // frame
    rms = np.sqrt(np.mean(np.asarray(audio[:n * frame], dtype=np.float64).reshape(n, frame) ** 2, axis=1))
    return float((rms >= rms.max() * 0.01).sum() * 0.01) if n else 0.0


def _spectrum_db(clips: list[tuple]) -> np.ndarray:
    """Long-term average spectrum (dB, 1024-point frames at RATE) over the clips' loud frames."""
    total, frames = np.zeros(513), 0
    for audio, rate in clips:
        x = resample(audio, rate, RATE, dtype=np.float64)
        count = 1 + (len(x) - 1024) // 512 if len(x) >= 1024 else 0
        if count <= 0:
            continue
        index = np.arange(1024)[None, :] + 512 * np.arange(count)[:, None]
        power = np.abs(np.fft.rfft(x[index] * np.hanning(1024), axis=1)) ** 2
        energy = power.sum(axis=1)
        loud = power[energy >= energy.max() * 1e-3]
        total += loud.sum(axis=0)
        frames += len(loud)
    return 10 * np.log10(total / max(frames, 1) + 1e-12)


def _lowpass_kernel(cutoff_hz: float) -> np.ndarray:
    from scipy.signal import firwin

    return firwin(63, min(cutoff_hz, RATE / 2 * 0.98), fs=RATE)


def _fit_lowpass(creator_db: np.ndarray, dry_db: np.ndarray) -> float:
    """The low-pass cutoff whose response best explains creator minus dry voice (gain aside),
    200 Hz - 10 kHz."""
    freqs = np.linspace(0, RATE / 2, len(creator_db))
    band = (freqs >= 200) & (freqs <= 10000)
    diff = (creator_db - dry_db)[band]
    best, best_err = float(LOWPASS_HZ[-1]), np.inf
    for cutoff in LOWPASS_HZ:
        response = 20 * np.log10(np.abs(np.fft.rfft(_lowpass_kernel(cutoff), 1024)) + 1e-6)[band]
        residual = diff - response
        err = float(np.mean((residual - residual.mean()) ** 2))
        if err < best_err:
            best, best_err = float(cutoff), err
    return best


def _tail_ratio(clips: list[tuple]) -> float:
    """Median over clips of the level 60-250 ms before the end (the room's decay after the last
    word) against the clip's loud level."""
    ratios = []
    for audio, rate in clips:
        audio = espeak.trim(np.asarray(audio, dtype=np.float64), rate)  # no silence or noise tail
        frame = int(rate * 0.01)
        n = len(audio) // frame
        if n < 30:
            continue
        rms = np.sqrt(np.mean(np.asarray(audio[:n * frame], dtype=np.float64).reshape(n, frame) ** 2, axis=1) + 1e-12)
        ratios.append(float(np.median(rms[-25:-6]) / max(np.percentile(rms, 90), 1e-9)))
    return float(np.median(ratios)) if ratios else 0.0


def _finish(audio: np.ndarray, rate: int, lowpass_hz: float, reverb: float) -> np.ndarray:
    """The creator's recording chain on a dry rendering: trim, low-pass, room, peak at -3 dBFS."""
    x = resample(espeak.trim(np.asarray(audio, dtype=np.float64), rate), rate, RATE, dtype=np.float64)
    x = np.convolve(x, _lowpass_kernel(lowpass_hz), mode="same")
    x = adapt.add_room(x, reverb)
    peak = float(np.max(np.abs(x))) if len(x) else 0.0
    return (x * (10 ** (-3 / 20) / peak) if peak > 0 else x).astype(np.float32)


def _fit_reverb(dry: list[tuple], lowpass_hz: float, target_tail: float) -> float:
    """The room share (of REVERBS) whose decay after the last word matches `target_tail`."""
    return float(min(REVERBS, key=lambda r: abs(
        _tail_ratio([(_finish(*d, lowpass_hz, r), RATE) for d in dry]) - target_tail)))


def _render(voice: str, text: str, pitch: float, speed: float, word_gap: int = 0) -> tuple[np.ndarray, int]:
    audio, rate = espeak.run(text, voice, speed, pitch, word_gap)
    return espeak.trim(audio.astype(np.float64), rate), rate


def _refine(fit: dict, texts: list[str], targets: dict, transcribed: bool) -> dict:
    """`fit` with its pitch (and, with transcripts, speed) corrected REFINE_ROUNDS times so that
    the finished voice (low-pass and room included) meets the creator's median f0 and seconds of
    speech on the same `texts`."""
    fit = dict(fit)
    for _ in range(REFINE_ROUNDS):
        dry = [_render(fit["voice"], t, fit["pitch"], fit["speed"], fit["word_gap"]) for t in texts]
        reverb = _fit_reverb(dry, fit["lowpass_hz"], targets["tail"])
        finished = [(_finish(*d, fit["lowpass_hz"], reverb), RATE) for d in dry]
        heard = float(np.nanmedian([_median_f0(*f) for f in finished]))
        if fit["slope"] > 1e-4 and np.isfinite(heard):
            fit["pitch"] = float(np.clip(fit["pitch"] + (np.log(targets["f0"]) - np.log(heard)) / fit["slope"], 0, 99))
        if transcribed:
            ratio = sum(_sounding_seconds(*f) for f in finished) / max(targets["seconds"], 1e-6)
            fit["speed"] = float(np.clip(fit["speed"] * ratio, 80, 450))
    return fit


def _distortion(a: np.ndarray, b: np.ndarray) -> float:
    """Mean Euclidean mel-cepstral distance along the DTW path between two frame sequences."""
    if len(a) == 0 or len(b) == 0:
        return float("inf")
    squared = (a ** 2).sum(1)[:, None] - 2 * a @ b.T + (b ** 2).sum(1)[None, :]
    cost = np.sqrt(np.maximum(squared, 0.0))
    path = adapt.dtw_path(cost)
    return float(cost[np.arange(len(a)), path].mean())


def _stats_distance(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a.mean(0) - b.mean(0)) + np.linalg.norm(a.std(0) - b.std(0)))


def fit(clips: list[tuple], scripts: list[str] | None, fallback_scripts: list[str],
        progress=lambda done, total, message: None) -> dict:
    """Fit a matched voice to the creator's recordings `clips` ((audio, rate) pairs).

    `scripts` are their transcripts (same order) or None; without them the bank voices read
    `fallback_scripts`, the speed stays DEFAULT_SPEED and voices are compared by the mean and
    spread of their mel-cepstra. `progress(done, total, message)` is called as bank voices are
    tried. Returns a plain dict (adapt.save_profile keeps it as .npz).
    """
    clips = adapt.check_clips(clips, "creator")
    started = time.perf_counter()
    transcribed = scripts is not None
    texts = list(scripts) if transcribed else list(fallback_scripts)
    own = [mel_cepstra(a, r) for a, r in clips]
    own_all = np.concatenate(own)
    f0s = [_median_f0(a, r) for a, r in clips]
    target_f0 = float(np.nanmedian(f0s))
    if not np.isfinite(target_f0):
        raise ValueError("no voiced speech found in the recordings: nothing to match a voice to")
    voices = bank()
    total = len(voices) + SHORTLIST + 1

    screened = []
    for i, voice in enumerate(voices):
        if i % 8 == 0:
            progress(i, total, f"listening for your voice among {len(voices)} bank voices ({i} tried)")
        feats = np.concatenate([mel_cepstra(*_render(voice, t, 50, DEFAULT_SPEED)) for t in texts[:SCREEN_CLIPS]])
        screened.append((float(np.linalg.norm(feats.mean(0) - own_all.mean(0))), voice))
    shortlist = [voice for _, voice in sorted(screened)[:SHORTLIST]]

    scored = []
    scored_idx = list(range(min(SCORE_CLIPS, len(clips)))) if transcribed else []
    creator_db = _spectrum_db(clips)
    for j, voice in enumerate(shortlist):
        progress(len(voices) + j, total, f"fitting pitch, pace and sound of {voice}")
        probe = [np.log(_median_f0(*_render(voice, texts[0], p, DEFAULT_SPEED))) for p in PITCH_PROBES]
        slope = (probe[1] - probe[0]) / (PITCH_PROBES[1] - PITCH_PROBES[0])
        pitch = float(np.clip(PITCH_PROBES[0] + (np.log(target_f0) - probe[0]) / slope
                              if slope > 1e-4 else 50, 0, 99))
        speed = DEFAULT_SPEED
        if transcribed:
            dry = [_render(voice, texts[k], pitch, DEFAULT_SPEED) for k in scored_idx]
            ratio = sum(_sounding_seconds(*d) for d in dry) / max(
                sum(_sounding_seconds(*clips[k]) for k in scored_idx), 1e-6)
            speed = float(np.clip(DEFAULT_SPEED * ratio, 80, 450))
            dry = [_render(voice, texts[k], pitch, speed) for k in scored_idx]
            lowpass = _fit_lowpass(_spectrum_db([clips[k] for k in scored_idx]), _spectrum_db(dry))
            score = float(np.mean([_distortion(own[k], mel_cepstra(_finish(*d, lowpass, 0.0), RATE))
                                   for k, d in zip(scored_idx, dry)]))
        else:
            dry = [_render(voice, t, pitch, speed) for t in texts[:SCORE_CLIPS]]
            lowpass = _fit_lowpass(creator_db, _spectrum_db(dry))
            feats = np.concatenate([mel_cepstra(_finish(*d, lowpass, 0.0), RATE) for d in dry])
            score = _stats_distance(feats, own_all)
        scored.append({"voice": voice, "pitch": round(pitch, 1), "speed": round(speed, 1),
                       "lowpass_hz": lowpass, "score": round(score, 4), "slope": slope})
    scored.sort(key=lambda c: c["score"])
    best = dict(scored[0])

    progress(total - 1, total, f"matching your room, pitch and pace with {best['voice']}")
    if transcribed:  # the creator's clips and the bank voice's renderings say the same words
        references, reference_texts = [clips[k] for k in scored_idx], [texts[k] for k in scored_idx]
        reference_f0 = float(np.nanmedian([f0s[k] for k in scored_idx]))
        if not np.isfinite(reference_f0):  # those clips hold no voiced speech: use them all
            reference_f0 = target_f0
    else:
        references, reference_texts, reference_f0 = clips, texts[:SCORE_CLIPS], target_f0
    targets = {"f0": reference_f0, "seconds": sum(_sounding_seconds(*c) for c in references),
               "tail": _tail_ratio(references)}
    fits = []
    for gap in (WORD_GAPS if transcribed else (0,)):
        fitted = _refine({**best, "word_gap": gap}, reference_texts, targets, transcribed)
        dry = [_render(fitted["voice"], t, fitted["pitch"], fitted["speed"], gap) for t in reference_texts]
        fitted["reverb"] = _fit_reverb(dry, fitted["lowpass_hz"], targets["tail"])
        fitted["distortion"] = float(np.mean([
            _distortion(mel_cepstra(*c), mel_cepstra(_finish(*d, fitted["lowpass_hz"], fitted["reverb"]), RATE))
            for c, d in zip(references, dry)])) if transcribed else 0.0
        fits.append(fitted)
    best = min(fits, key=lambda f: f["distortion"])
    for candidate in scored:
        candidate.pop("slope")
    return {"version": adapt.VERSION, "method": "matched", "rate": RATE,
            "voice": best["voice"], "pitch": int(round(best["pitch"])), "speed": int(round(best["speed"])),
            "word_gap": best["word_gap"], "lowpass_hz": best["lowpass_hz"], "reverb": best["reverb"],
            "target_f0": round(target_f0, 1), "transcripts_used": transcribed,
            "candidates_json": json.dumps(scored), "inputs_sha256": adapt.hash_clips(clips),
            "fit_s": round(time.perf_counter() - started, 1)}


def speak(profile: dict, script: str) -> tuple[np.ndarray, int]:
    """Say `script` in a matched voice: (float32 mono audio peaking at -3 dBFS, RATE)."""
    if not script or not script.strip():
        raise ValueError("the script is empty: write what the voice should say")
    audio, rate = espeak.run(script, str(profile["voice"]), float(profile["speed"]),
                             float(profile["pitch"]), int(profile.get("word_gap", 0)))
    if float(np.max(np.abs(audio))) < 1e-4:
        raise ValueError("the voice produced only silence for this script")
    return _finish(audio, rate, float(profile["lowpass_hz"]), float(profile["reverb"])), RATE

