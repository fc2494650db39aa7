"""The voice judge's reference pool: other voices to attribute a creator's clips against.

Generated offline and deterministically with espeak-ng: the demo voices that are not the creator,
extra espeak-ng voices that no demo creator uses, and pitch-shifted variants of the creator's own
voice (tape-style resampling, which moves pitch and formants together). Clips are 16 kHz WAV files
in a cache directory chosen by the caller; a second call reads them back.
"""

import json
import zlib
from pathlib import Path

import numpy as np
import soundfile

from assets import voices

POOL_RATE = 16_000
POOL_VERSION = 1
CLIPS_PER_VOICE = 6
SHIFTS = (-3.0, 3.0)  # semitones, for the creator's own voice family

EXTRA_VOICES = {
    "gravel_bass": {"espeak_voice": "en-us+m7", "pitch": 18, "speed": 140, "word_gap": 1,
                    "lowpass_hz": 5000, "reverb": 0.08},
    "caribbean_tenor": {"espeak_voice": "en-029+m4", "pitch": 62, "speed": 165, "word_gap": 0,
                        "lowpass_hz": 7000, "reverb": 0.06},
    "city_alto": {"espeak_voice": "en-us-nyc+f4", "pitch": 50, "speed": 172, "word_gap": 0,
                  "lowpass_hz": 7500, "reverb": 0.05},
    "midlands_baritone": {"espeak_voice": "en-gb-x-gbcwmd+m6", "pitch": 28, "speed": 150,
                          "word_gap": 1, "lowpass_hz": 5500, "reverb": 0.12},
    "low_contralto": {"espeak_voice": "en-us+f5", "pitch": 30, "speed": 145, "word_gap": 2,
                      "lowpass_hz": 6000, "reverb": 0.10},
    "scots_narrator": {"espeak_voice": "en-gb-scotland+m3", "pitch": 40, "speed": 138,
                       "word_gap": 2, "lowpass_hz": 6500, "reverb": 0.14},
    "lancaster_tenor": {"espeak_voice": "en-gb-x-gbclan+m2", "pitch": 58, "speed": 160,
                        "word_gap": 0, "lowpass_hz": 8000, "reverb": 0.04},
}


def shift_pitch(audio: np.ndarray, semitones: float) -> np.ndarray:
    """Tape-style pitch shift: pitch and formants move by `semitones`, tempo by the same ratio."""
    from scipy.signal import resample_poly

    ratio = 2.0 ** (semitones / 12.0)
    up, down = 1000, int(round(1000 * ratio))
    shifted = resample_poly(np.asarray(audio, dtype=np.float64), up, down)
    peak = float(np.max(np.abs(shifted))) if len(shifted) else 0.0
    return (shifted * (10 ** (-3 / 20) / peak) if peak > 0 else shifted).astype(np.float32)


def pool_voices(creator_voice: str | None = None) -> list[str]:
    """Names of the pool's voices for a creator speaking with demo voice `creator_voice` (or none)."""
    names = [v for v in voices.VOICES if v != creator_voice] + list(EXTRA_VOICES)
    if creator_voice:
        names += [shifted_name(creator_voice, s) for s in SHIFTS]
    return names


def shifted_name(voice: str, semitones: float) -> str:
    """Pool name of `voice` shifted by `semitones`, e.g. warm_baritone_up3."""
    return f"{voice}_{'up' if semitones > 0 else 'down'}{abs(semitones):g}"


def render_voice(name: str, count: int = CLIPS_PER_VOICE, seed: int = 101) -> list[np.ndarray]:
    """`count` 16 kHz clips of one pool voice on seeded scripts, with per-clip rate and pitch variation."""
    params, room, semitones = _spec(name)
    key = zlib.crc32(name.encode())
    order = np.random.default_rng([seed, key, 0]).permutation(len(voices.SCRIPTS))
    clips = []
    for i in range(count):
        rng = np.random.default_rng([seed, key, i + 1])
        audio = voices.speak(voices.SCRIPTS[int(order[i % len(order)])], params, POOL_RATE,
                             rate_scale=1.0 + rng.uniform(-0.05, 0.05),
                             pitch_shift=rng.uniform(-3.0, 3.0), room_key=room)
        clips.append(shift_pitch(audio, semitones) if semitones else audio)
    return clips


def _spec(name: str) -> tuple[dict, str, float]:
    """(espeak parameters, room name, semitone shift) of a pool voice."""
    if name in voices.VOICES or name in EXTRA_VOICES:
        return voices.VOICES.get(name) or EXTRA_VOICES[name], name, 0.0
    for voice in voices.VOICES:
        for step in (-5, -4, -3, -2, -1, 1, 2, 3, 4, 5, *SHIFTS):
            if name == shifted_name(voice, step):
                return voices.VOICES[voice], voice, float(step)
    raise ValueError(f"unknown pool voice {name!r}")


def reference_pool(cache_dir: Path, creator_voice: str | None = None,
                   count: int = CLIPS_PER_VOICE) -> dict[str, list[tuple[np.ndarray, int]]]:
    """The pool as {voice: [(audio, 16000)]}, generated into `cache_dir` on first use, then read back."""
    pool = {}
    for name in pool_voices(creator_voice):
        folder = Path(cache_dir) / f"v{POOL_VERSION}" / name
        manifest = folder / "manifest.json"
        if not manifest.exists() or json.loads(manifest.read_text()).get("count") != count:
            folder.mkdir(parents=True, exist_ok=True)
            for i, audio in enumerate(render_voice(name, count)):
                soundfile.write(folder / f"{i:02d}.wav", audio, POOL_RATE, subtype="FLOAT")
            manifest.write_text(json.dumps({"voice": name, "count": count, "rate": POOL_RATE}))
        pool[name] = [(soundfile.read(folder / f"{i:02d}.wav", dtype="float32")[0], POOL_RATE)
                      for i in range(count)]
    return pool
