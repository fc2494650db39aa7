"""A per-creator voice profile over the base TTS, fitted and applied with the WORLD vocoder.

Fitting reads the creator's recordings and the base voice's clips and keeps a few numbers:
log-f0 mean and spread of each (the pitch mapping), a frequency-warp factor for the spectral
envelope (vocal-tract length: formant positions), a correction curve for the warped envelope
(what is left of the creator's timbre plus their recording chain's EQ, e.g. a low-pass), the
speaking-rate ratio and the share of room reverb. Applying analyses base audio with WORLD, maps
pitch and envelope, resynthesises and adds the fitted room.
"""

import glob
import hashlib
import importlib.util
import json
import os
from pathlib import Path

import numpy as np

from engine.audio import resample

RATE = 22050
FRAME_MS = 5.0
F0_FLOOR, F0_CEIL = 60.0, 500.0
WARPS = np.round(np.arange(0.80, 1.2501, 0.01), 3)
LIFTER = 40  # cepstral coefficients kept in the correction curve (smooth across frequency)
MAX_CORRECTION_DB = 30.0
MIN_VOICED_FRAMES = 50
PYWORLD_HINT = "pip install pyworld==0.3.5"
CEPSTRA = 60  # cepstral coefficients of a log envelope kept in the frame bank
MATCH = 24  # coefficients 1..MATCH (speaker-normalised) used to match base frames to creator frames
NEIGHBOURS = 4
BANK_STEP = 2  # every second creator frame goes into the bank
VERSION = 2


def world():
    """The pyworld extension. pyworld 0.3.5's __init__ imports pkg_resources only to read its own
    version, and setuptools >= 81 no longer ships pkg_resources; then the compiled module is loaded
    directly from the installed package."""
    try:
        import pyworld
        return pyworld
    except ModuleNotFoundError as error:
        if error.name != "pkg_resources":
            raise RuntimeError(f"pyworld is not installed: run `{PYWORLD_HINT}`") from error
    spec = importlib.util.find_spec("pyworld")
    found = glob.glob(os.path.join(list(spec.submodule_search_locations)[0], "pyworld*.so")) + \
        glob.glob(os.path.join(list(spec.submodule_search_locations)[0], "pyworld*.pyd"))
    if not found:
        raise RuntimeError(f"pyworld's compiled module is missing: run `{PYWORLD_HINT}`")
    loaded = importlib.util.spec_from_file_location("pyworld.pyworld", found[0])
    module = importlib.util.module_from_spec(loaded)
    loaded.loader.exec_module(module)
    return module


def _to_rate(audio: np.ndarray, sr: int) -> np.ndarray:
    return resample(audio, sr, RATE, dtype=np.float64)


def analyse(audio: np.ndarray, sr: int) -> dict:
    """WORLD analysis at RATE: f0 (dio + stonemask), spectral envelope, aperiodicity."""
    pw = world()
    x = np.ascontiguousarray(_to_rate(audio, sr))
    f0, t = pw.dio(x, RATE, f0_floor=F0_FLOOR, f0_ceil=F0_CEIL, frame_period=FRAME_MS)
    f0 = pw.stonemask(x, f0, t, RATE)
    sp = pw.cheaptrick(x, f0, t, RATE)
    ap = pw.d4c(x, f0, t, RATE)
    return {"f0": f0, "sp": sp, "ap": ap, "samples": len(x)}


def check_clips(clips, what: str) -> list[tuple[np.ndarray, int]]:
    """The clips as (float32 mono, rate) pairs; ValueError naming `what` for none, a clip under
    0.5 s or 8 kHz, or a silent one."""
    clips = list(clips)
    if not clips:
        raise ValueError(f"no {what} clips to fit a voice profile on")
    checked = []
    for i, clip in enumerate(clips):
        audio, sr = clip
        audio = np.asarray(audio, dtype=np.float32).reshape(-1)
        if int(sr) < 8000 or len(audio) < int(0.5 * sr):
            raise ValueError(f"{what} clip {i} is shorter than 0.5 s or sampled below 8 kHz")
        if not np.isfinite(audio).all() or float(np.max(np.abs(audio))) < 1e-4:
            raise ValueError(f"{what} clip {i} is silent (or not finite): nothing to learn a voice from")
        checked.append((audio, int(sr)))
    return checked


def _stats(analyses: list[dict], what: str) -> dict:
    f0 = np.concatenate([a["f0"] for a in analyses])
    voiced = f0 > 0
    if voiced.sum() < MIN_VOICED_FRAMES:
        raise ValueError(f"the {what} clips hold too little voiced speech ({int(voiced.sum())} frames)")
    lf0 = np.log(f0[voiced])
    sp = np.concatenate([a["sp"] for a in analyses])[voiced]
    ap = np.concatenate([a["ap"] for a in analyses])[voiced]
    level = np.log(sp.sum(axis=1))
    loud = level >= np.percentile(level, 20)  # the speech, not the quiet tails of voiced runs
    return {"lf0_mean": float(lf0.mean()), "lf0_std": float(lf0.std()),
            "log_env": np.log(sp[loud] + 1e-16).mean(axis=0),
            "ap": ap[loud].mean(axis=0),
            "speech_s": float(sum(_sounding(a["sp"]).sum() for a in analyses) * FRAME_MS / 1000)}


def _sounding(sp: np.ndarray) -> np.ndarray:
    """Frames within 40 dB of the clip's loudest frame."""
    level = np.log(sp.sum(axis=1))
    return level >= level.max() - 9.2


def warp_envelope(sp: np.ndarray, alpha: float) -> np.ndarray:
    """Move spectral-envelope features up in frequency by `alpha` (new[f] = old[f / alpha])."""
    if abs(alpha - 1.0) < 1e-6:
        return sp
    bins = sp.shape[-1]
    source = np.arange(bins) / alpha
    lo = np.clip(np.floor(source).astype(int), 0, bins - 1)
    hi = np.clip(lo + 1, 0, bins - 1)
    frac = np.clip(source - lo, 0.0, 1.0)
    log = np.log(sp + 1e-16)
    return np.exp(log[..., lo] * (1 - frac) + log[..., hi] * frac)


def _lifter(curve: np.ndarray, keep: int = LIFTER) -> np.ndarray:
    """Smooth a log-magnitude curve across frequency by keeping its first cepstral coefficients."""
    cep = np.fft.irfft(curve)
    cep[keep:len(cep) - keep + 1] = 0.0
    return np.fft.rfft(cep).real[:len(curve)]


def _band(bins: int, low_hz: float = 80.0, high_hz: float = 4000.0) -> np.ndarray:
    freqs = np.arange(bins) * RATE / (2 * (bins - 1))
    return (freqs >= low_hz) & (freqs <= high_hz)


def _fit_warp(base_env: np.ndarray, target_env: np.ndarray) -> float:
    """The warp that best lines up the formant structure (tilt removed) of the two mean envelopes."""
    band = _band(len(base_env))
    target = target_env - _lifter(target_env, 4)
    best, best_err = 1.0, np.inf
    for alpha in WARPS:
        warped = np.log(warp_envelope(np.exp(base_env), alpha) + 1e-16)
        warped = warped - _lifter(warped, 4)
        diff = (warped - target)[band]
        err = float(np.mean((diff - diff.mean()) ** 2))
        if err < best_err:
            best, best_err = float(alpha), err
    return best


def _reverb_share(clips: list[tuple[np.ndarray, int]]) -> float:
    """A rough wet share of the creator's room: energy in the 60-250 ms after speech offsets,
    relative to the speech before them (0 for a dry booth)."""
    ratios = []
    for audio, sr in clips:
        x = _to_rate(audio, sr)
        frame = int(0.01 * RATE)
        n = len(x) // frame
        rms = np.sqrt(np.mean(x[:n * frame].reshape(n, frame) ** 2, axis=1) + 1e-12)
        ratios.append(float(np.median(rms[-25:-6]) / max(np.percentile(rms, 90), 1e-9)))
    return float(np.clip(np.median(ratios) * 2.0, 0.0, 0.3))


def _cepstra(sp: np.ndarray, keep: int = CEPSTRA) -> np.ndarray:
    """Low-order real cepstra of log power envelopes (frames x keep)."""
    return np.fft.irfft(np.log(sp + 1e-16), axis=-1)[..., :keep]


def _envelope(cep: np.ndarray, bins: int) -> np.ndarray:
    """Power envelopes back from `_cepstra` (symmetric cepstrum, zero beyond `keep`)."""
    size = 2 * (bins - 1)
    full = np.zeros(cep.shape[:-1] + (size,))
    keep = cep.shape[-1]
    full[..., :keep] = cep
    full[..., size - keep + 1:] = cep[..., 1:][..., ::-1]
    return np.exp(np.fft.rfft(full, axis=-1).real)


def _bank(analyses: list[dict]) -> dict:
    """The creator's frames: cepstra of envelopes, coded aperiodicity and voicing, every BANK_STEP."""
    pw = world()
    cep, ap, voiced = [], [], []
    for a in analyses:
        keep = slice(None, None, BANK_STEP)
        level = np.log(a["sp"].sum(axis=1))
        sounding = level >= level.max() - 9.2  # within 40 dB of the loudest frame
        cep.append(_cepstra(a["sp"])[keep][sounding[keep]])
        ap.append(pw.code_aperiodicity(np.ascontiguousarray(a["ap"]), RATE)[keep][sounding[keep]])
        voiced.append((a["f0"] > 0)[keep][sounding[keep]])
    return {"bank_cep": np.concatenate(cep), "bank_ap": np.concatenate(ap),
            "bank_voiced": np.concatenate(voiced)}


def _norm(analyses: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    cep = np.concatenate([_cepstra(a["sp"], MATCH + 1)[:, 1:] for a in analyses])
    return cep.mean(axis=0), cep.std(axis=0) + 1e-6


def fit_voice(clips: list[tuple], base_clips: list[tuple], same_scripts: bool = False) -> dict:
    """Fit a creator's profile from their recordings (`clips`) and the base voice's clips.

    With `same_scripts` (the base clips read the creator's transcripts) the speaking-rate ratio is
    fitted as well; otherwise it stays 1. Returns a plain dict of scalars and numpy arrays
    (save_profile / load_profile keep it as .npz).
    """
    clips = check_clips(clips, "creator")
    base_clips = check_clips(base_clips, "base voice")
    target_analyses = [analyse(a, sr) for a, sr in clips]
    base_analyses = [analyse(a, sr) for a, sr in base_clips]
    target = _stats(target_analyses, "creator")
    base = _stats(base_analyses, "base voice")
    bank = _bank(target_analyses)
    target_mean, target_std = _norm(target_analyses)
    base_mean, base_std = _norm(base_analyses)
    alpha = _fit_warp(base["log_env"], target["log_env"])
    warped = np.log(warp_envelope(np.exp(base["log_env"]), alpha) + 1e-16)
    correction = np.clip(_lifter(target["log_env"] - warped),
                         -MAX_CORRECTION_DB / 4.343, MAX_CORRECTION_DB / 4.343)  # log power
    rate = target["speech_s"] / base["speech_s"] if same_scripts else 1.0
    return {"version": VERSION, "rate": RATE, "frame_ms": FRAME_MS,
            "target_lf0_mean": target["lf0_mean"], "target_lf0_std": target["lf0_std"],
            "base_lf0_mean": base["lf0_mean"], "base_lf0_std": base["lf0_std"],
            "warp": alpha, "correction": correction,
            "length_scale": float(np.clip(rate, 0.8, 1.25)),
            "reverb": _reverb_share(clips),
            "inputs_sha256": hash_clips(clips, base_clips), "same_scripts": bool(same_scripts),
            "target_match_mean": target_mean, "target_match_std": target_std,
            "base_match_mean": base_mean, "base_match_std": base_std,
            "target_c0": float(np.mean(bank["bank_cep"][:, 0])),
            **bank}


def _select(a: dict, profile: dict) -> tuple[np.ndarray, np.ndarray]:
    """Each base frame's envelope and aperiodicity replaced by the mean of its NEIGHBOURS nearest
    creator frames (speaker-normalised cepstra, voiced frames matched to voiced ones)."""
    pw = world()
    bins = a["sp"].shape[1]
    cep = _cepstra(a["sp"])
    query = (cep[:, 1:MATCH + 1] - np.asarray(profile["base_match_mean"])) / np.asarray(profile["base_match_std"])
    bank_cep = np.asarray(profile["bank_cep"])
    keys = (bank_cep[:, 1:MATCH + 1] - np.asarray(profile["target_match_mean"])) / \
        np.asarray(profile["target_match_std"])
    bank_voiced = np.asarray(profile["bank_voiced"], dtype=bool)
    voiced = a["f0"] > 0
    out_cep = cep.copy()
    out_ap = pw.code_aperiodicity(np.ascontiguousarray(a["ap"]), RATE)
    bank_ap = np.asarray(profile["bank_ap"])
    for flag in (True, False):
        rows = np.nonzero(voiced == flag)[0]
        pool = np.nonzero(bank_voiced == flag)[0]
        if len(rows) == 0 or len(pool) < NEIGHBOURS:
            continue
        k = keys[pool]
        dist = (query[rows] ** 2).sum(1)[:, None] - 2 * query[rows] @ k.T + (k ** 2).sum(1)[None, :]
        near = pool[np.argpartition(dist, NEIGHBOURS - 1, axis=1)[:, :NEIGHBOURS]]
        out_cep[rows, 1:] = bank_cep[near, 1:].mean(axis=1)
        out_ap[rows] = bank_ap[near].mean(axis=1)
    # loudness contour from the base, level from the creator; smooth over 3 frames
    out_cep[:, 0] = cep[:, 0] - np.median(cep[voiced, 0] if voiced.any() else cep[:, 0]) + profile["target_c0"]
    padded = np.pad(out_cep, ((1, 1), (0, 0)), mode="edge")
    out_cep = (padded[:-2] + padded[1:-1] + padded[2:]) / 3
    sp = _envelope(out_cep, bins)
    ap = pw.decode_aperiodicity(np.ascontiguousarray(out_ap), RATE, (bins - 1) * 2)
    return sp, ap


def hash_clips(*groups) -> str:
    """SHA-256 over groups of (audio, rate) clips: what a profile was fitted on."""
    digest = hashlib.sha256()
    for group in groups:
        digest.update(b"group")
        for audio, sr in group:
            digest.update(str(int(sr)).encode())
            digest.update(np.ascontiguousarray(audio, dtype=np.float32).tobytes())
    return digest.hexdigest()


def add_room(audio: np.ndarray, wet: float) -> np.ndarray:
    """`audio` (at RATE) in a small room: a `wet` share of a 70 ms exponential decay, tail included."""
    if wet <= 0:
        return audio
    rng = np.random.default_rng(7)
    length = int(RATE * 0.28)
    t = np.arange(length) / RATE
    tail = rng.standard_normal(length) * np.exp(-t / 0.07)
    tail[:int(RATE * 0.012)] = 0.0
    tail /= np.sqrt(np.sum(tail ** 2))
    from scipy.signal import fftconvolve

    wet_part = fftconvolve(audio, tail)[:len(audio) + length // 2]
    dry = np.concatenate([audio, np.zeros(len(wet_part) - len(audio))])
    return (1 - wet) * dry + wet * wet_part


def apply_voice(audio: np.ndarray, sr: int, profile: dict) -> tuple[np.ndarray, int]:
    """Turn base-voice audio into the creator's voice: (float32 audio peaking at -3 dBFS, RATE)."""
    pw = world()
    audio = np.asarray(audio, dtype=np.float32).reshape(-1)
    if len(audio) < int(0.05 * sr) or float(np.max(np.abs(audio))) < 1e-4:
        raise ValueError("the audio to convert is empty or silent")
    a = analyse(audio, sr)
    f0 = a["f0"].copy()
    voiced = f0 > 0
    scale = profile["target_lf0_std"] / max(profile["base_lf0_std"], 1e-6)
    f0[voiced] = np.exp((np.log(f0[voiced]) - profile["base_lf0_mean"]) * scale
                        + profile["target_lf0_mean"])
    if "bank_cep" in profile:
        sp, ap = _select(a, profile)
    else:
        sp = warp_envelope(a["sp"], profile["warp"]) * np.exp(np.asarray(profile["correction"]))[None, :]
        ap = a["ap"]
    y = pw.synthesize(np.ascontiguousarray(f0), np.ascontiguousarray(sp),
                      np.ascontiguousarray(ap), RATE, FRAME_MS)
    y = add_room(y, float(profile.get("reverb", 0.0)))
    peak = float(np.max(np.abs(y))) if len(y) else 0.0
    if peak > 0:
        y = y * (10 ** (-3 / 20) / peak)
    return np.clip(y, -1, 1).astype(np.float32), RATE


def save_profile(profile: dict, path: str | Path) -> Path:
    """Write a profile as .npz: every list or array as an array, the rest as a JSON header."""
    path = Path(path)
    arrays = {k: np.asarray(v) for k, v in profile.items() if isinstance(v, (list, np.ndarray))}
    scalars = {k: v for k, v in profile.items() if k not in arrays}
    with open(path, "wb") as handle:
        np.savez(handle, header=np.array(json.dumps(scalars)), **arrays)
    return path


def load_profile(path: str | Path) -> dict:
    """Read a profile written by save_profile (arrays come back as numpy arrays)."""
    with np.load(Path(path), allow_pickle=False) as data:
        profile = json.loads(str(data["header"]))
        if profile.get("version") != VERSION:
            raise ValueError(f"voice profile version {profile.get('version')} is not {VERSION}: refit it")
        profile.update({k: data[k] for k in data.files if k != "header"})
    return profile


# --- grain selection: the creator's own waveform, re-ordered to the base voice's words ---------------
GRAIN = 441  # 20 ms Hann grains, overlap-added every frame (5 ms)
F0_WEIGHT = 3.0
CONTINUITY = 30.0
PARALLEL = True  # keep reading the same creator clip while its next frame is this close to the best


def _frame_features(a: dict, mean, std, lf0_mean: float, lf0_std: float) -> np.ndarray:
    cep = (_cepstra(a["sp"], MATCH + 1)[:, 1:] - np.asarray(mean)) / np.asarray(std)
    f0 = a["f0"]
    lf0 = np.where(f0 > 0, (np.log(np.maximum(f0, 1.0)) - lf0_mean) / max(lf0_std, 1e-6), 0.0)
    return np.concatenate([cep, F0_WEIGHT * lf0[:, None]], axis=1)


def dtw_path(cost: np.ndarray) -> np.ndarray:
    """Monotonic alignment of two sequences (rows x columns) with local slopes between 1/2 and 2:
    steps (1, 1), (1, 2) and (2, 1), from the first pair to the last. Returns, for each row, the
    column it is aligned with."""
    rows, cols = cost.shape
    total = np.full((rows, cols), np.inf)
    step = np.zeros((rows, cols), dtype=np.int8)
    total[0, 0] = cost[0, 0]
    for i in range(1, rows):
        options = np.full((3, cols), np.inf)
        options[0, 1:] = total[i - 1, :-1]
        options[1, 2:] = total[i - 1, :-2]
        if i >= 2:
            options[2, 1:] = total[i - 2, :-1]
        choice = np.argmin(options, axis=0)
        total[i] = cost[i] + options[choice, np.arange(cols)]
        step[i] = choice
    j = cols - 1
    if not np.isfinite(total[-1, j]):
        j = int(np.argmin(total[-1]))
    if not np.isfinite(total[-1, j]):  # lengths too far apart for the slopes: fall back to linear
        return np.round(np.linspace(0, cols - 1, rows)).astype(int)
    mapping = np.zeros(rows, dtype=int)
    i = rows - 1
    while i > 0:
        mapping[i] = j
        move = step[i, j]
        if move == 2:
            mapping[i - 1] = j - 1
            i, j = i - 2, j - 1
        else:
            i, j = i - 1, j - (1 if move == 0 else 2)
    mapping[0] = max(j, 0)
    return mapping


def fit_grains(clips: list[tuple], base_clips: list[tuple], same_scripts: bool = False) -> dict:
    """A grain profile: the WORLD profile's statistics plus the creator's audio and frame features."""
    profile = fit_voice(clips, base_clips, same_scripts)
    for key in ("bank_cep", "bank_ap", "bank_voiced"):
        profile.pop(key)
    audio, feats, voiced, rms, clip_of = [], [], [], [], []
    offset = 0
    base_clips = check_clips(base_clips, "base voice")
    for number, (x, sr) in enumerate(check_clips(clips, "creator")):
        x = _to_rate(x, sr)
        a = analyse(x, RATE)
        f = _frame_features(a, profile["target_match_mean"], profile["target_match_std"],
                            profile["target_lf0_mean"], profile["target_lf0_std"])
        if same_scripts and PARALLEL:
            # key each creator frame by the base voice's frame that says the same thing
            b = analyse(*base_clips[number])
            fb = _frame_features(b, profile["base_match_mean"], profile["base_match_std"],
                                 profile["base_lf0_mean"], profile["base_lf0_std"])
            cost = ((f[:, None, :MATCH] - fb[None, :, :MATCH]) ** 2).sum(axis=2)
            f = fb[dtw_path(cost)]
        centres = np.round(np.arange(len(a["f0"])) * RATE * FRAME_MS / 1000).astype(int)
        ok = (centres - GRAIN // 2 >= 0) & (centres + GRAIN // 2 < len(x))
        level = np.array([np.sqrt(np.mean(x[c - GRAIN // 2:c + GRAIN // 2] ** 2)) if o else 0.0
                          for c, o in zip(centres, ok)])
        ok &= level >= level.max() * 0.01
        feats.append(f[ok]); voiced.append((a["f0"] > 0)[ok]); rms.append(level[ok])
        clip_of.append(centres[ok] + offset)
        audio.append(x); offset += len(x)
    profile.update(method="grains", grain_audio=np.concatenate(audio).astype(np.float32),
                   grain_centre=np.concatenate(clip_of), grain_feats=np.concatenate(feats),
                   grain_voiced=np.concatenate(voiced), grain_rms=np.concatenate(rms))
    return profile


def apply_grains(audio: np.ndarray, sr: int, profile: dict) -> tuple[np.ndarray, int]:
    """Speak the base audio's words with the creator's own grains, frame by frame."""
    audio = np.asarray(audio, dtype=np.float32).reshape(-1)
    if len(audio) < int(0.05 * sr) or float(np.max(np.abs(audio))) < 1e-4:
        raise ValueError("the audio to convert is empty or silent")
    x = _to_rate(audio, sr)
    a = analyse(x, RATE)
    scale = profile["target_lf0_std"] / max(profile["base_lf0_std"], 1e-6)
    mapped = a["f0"].copy()
    v = mapped > 0
    mapped[v] = np.exp((np.log(mapped[v]) - profile["base_lf0_mean"]) * scale + profile["target_lf0_mean"])
    query = _frame_features({**a, "f0": mapped}, profile["base_match_mean"], profile["base_match_std"],
                            profile["target_lf0_mean"], profile["target_lf0_std"])
    bank_audio = np.asarray(profile["grain_audio"], dtype=np.float64)
    centres = np.asarray(profile["grain_centre"], dtype=int)
    keys = np.asarray(profile["grain_feats"])
    bank_voiced = np.asarray(profile["grain_voiced"], dtype=bool)
    bank_rms = np.asarray(profile["grain_rms"])
    frames = len(a["f0"])
    pos = np.round(np.arange(frames) * RATE * FRAME_MS / 1000).astype(int)
    padded = np.pad(x, GRAIN)
    level = np.array([np.sqrt(np.mean(padded[p + GRAIN // 2:p + GRAIN + GRAIN // 2] ** 2)) for p in pos])
    loud = level >= level.max() * 0.01
    ref = np.median(level[loud]) if loud.any() else 1.0
    bank_ref = np.median(bank_rms)
    window = np.hanning(GRAIN)
    out = np.zeros(len(x) + 2 * GRAIN)
    norm = np.zeros_like(out)
    dist_all = {}
    for flag in (True, False):
        pool = np.nonzero(bank_voiced == flag)[0]
        k = keys[pool]
        q = query[v == flag] if flag else query[~v]
        dist_all[flag] = (pool, ((q ** 2).sum(1)[:, None] - 2 * q @ k.T + (k ** 2).sum(1)[None, :]),
                          np.cumsum(v == flag) - 1)
    previous = -1
    for i in range(frames):
        if not loud[i]:
            previous = -1
            continue
        pool, dist, row_of = dist_all[bool(v[i])]
        row = dist[row_of[i]]
        best = int(np.argmin(row))
        choice = pool[best]
        if previous >= 0 and previous + 1 < len(centres) and \
                centres[previous + 1] - centres[previous] < GRAIN and bank_voiced[previous + 1] == v[i]:
            j = np.searchsorted(pool, previous + 1)
            if j < len(pool) and pool[j] == previous + 1 and row[j] <= CONTINUITY * row[best] + 1e-9:
                choice = previous + 1
        previous = choice
        c = centres[choice]
        grain = bank_audio[c - GRAIN // 2:c - GRAIN // 2 + GRAIN]
        gain = np.clip((level[i] / ref) * (bank_ref / max(bank_rms[choice], 1e-9)), 0.0, 4.0)
        start = pos[i] + GRAIN - GRAIN // 2
        out[start:start + GRAIN] += gain * grain * window
        norm[start:start + GRAIN] += window
    y = out / np.maximum(norm, window.max() * 0.5)
    y = y[GRAIN:GRAIN + len(x)]
    peak = float(np.max(np.abs(y))) if len(y) else 0.0
    if peak > 0:
        y = y * (10 ** (-3 / 20) / peak)
    return np.clip(y, -1, 1).astype(np.float32), RATE
