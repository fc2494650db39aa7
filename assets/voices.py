"""Synthetic voice-over artists built on espeak-ng.

Each voice is a fixed set of espeak-ng parameters plus a light, deterministic
DSP finish (gentle low-pass and a short room reverb). Clips get a small seeded
variation in speaking rate and pitch so takes are not identical in prosody.
"""

import zlib

import numpy as np

from engine.voice import espeak

NATIVE_RATE = 22050

# "en" is espeak-ng's British English; "en-gb+<variant>" silently drops the
# variant in espeak-ng 1.51, so British voices use "en" or a regional en-gb-x-* name.
VOICES = {
    "warm_baritone": {
        "espeak_voice": "en-us+m3", "pitch": 30, "speed": 148, "word_gap": 1,
        "lowpass_hz": 5200, "reverb": 0.10,
        "description": "Warm American baritone: low, unhurried and friendly.",
    },
    "bright_alto": {
        "espeak_voice": "en+f3", "pitch": 55, "speed": 168, "word_gap": 0,
        "lowpass_hz": 7500, "reverb": 0.07,
        "description": "Bright British alto: upbeat, clear and quick.",
    },
    "deep_narrator": {
        "espeak_voice": "en-gb-x-rp+m2", "pitch": 12, "speed": 132, "word_gap": 3,
        "lowpass_hz": 4500, "reverb": 0.16,
        "description": "Deep British narrator: slow, grave, documentary-trailer delivery.",
    },
    "crisp_tenor": {
        "espeak_voice": "en-us+m1", "pitch": 80, "speed": 178, "word_gap": 0,
        "lowpass_hz": 8000, "reverb": 0.05,
        "description": "Crisp American tenor: brisk, precise, corporate explainer tone.",
    },
    "soft_mezzo": {
        "espeak_voice": "en-us+f2", "pitch": 38, "speed": 150, "word_gap": 1,
        "lowpass_hz": 6000, "reverb": 0.12,
        "description": "Soft American mezzo: calm, reassuring, wellness and IVR friendly.",
    },
}

_SCRIPT_ITEMS = (
    ("Morning Roast", "Wake up to Harbor Roast. Small-batch coffee, delivered fresh every Monday."),
    ("Bank Line", "Thank you for calling Northfield Bank. For account balances, press one. "
                  "For card services, press two."),
    ("Forest Documentary", "Deep in the northern forest, the first snow arrives quietly. "
                           "For the red fox, the long winter has begun."),
    ("Summer Sale", "This weekend only, everything in store is thirty percent off. "
                    "Do not miss the biggest sale of the summer."),
    ("App Explainer", "Meet Tally, the budgeting app that does the maths for you. "
                      "Connect your accounts and see where every dollar goes."),
    ("Meditation Intro", "Find a comfortable seat and close your eyes. "
                         "Breathe in slowly, and let the day fall away."),
    ("Airport Notice", "Flight two eighteen to Lisbon is now boarding at gate twelve. "
                       "Please have your boarding pass ready."),
    ("Movie Trailer", "In a city that never sleeps, one detective is running out of time. "
                      "This autumn, the truth comes out."),
    ("Clinic Hold", "All of our staff are currently helping other patients. "
                    "Please stay on the line, and we will be with you shortly."),
    ("Electric Car", "Quiet. Quick. Completely electric. The new Aurora goes further on a single charge."),
    ("Podcast Open", "Welcome back to Field Notes, the show about the people who build things. "
                     "I am glad you are here."),
    ("Museum Guide", "You are standing in the east gallery. The painting in front of you "
                     "was finished in eighteen eighty nine."),
    ("Recipe Channel", "Today we are making a simple tomato soup. "
                       "It takes twenty minutes and just five ingredients."),
    ("Insurance Spot", "Life moves fast. Make sure your family is covered. "
                       "Get a free quote from Keystone Insurance today."),
    ("Game Launch", "The kingdom has fallen, and only you can rebuild it. "
                    "Ember Crown, available now on all platforms."),
    ("Course Welcome", "Welcome to module one. In this lesson, you will learn the three rules "
                       "of good design."),
    ("Smart Speaker", "Good morning. It is seven thirty, and the forecast says sunshine "
                      "with a high of twenty four degrees."),
    ("Charity Appeal", "Tonight, thousands of families will sleep without a roof. "
                       "Ten dollars a month can change that."),
)

SCRIPTS = [text for _, text in _SCRIPT_ITEMS]


espeak_available = espeak.available


def _voice(voice):
    if voice not in VOICES:
        raise ValueError(f"unknown voice {voice!r}; known voices: {', '.join(VOICES)}")
    return VOICES[voice]


def _fft_convolve(a, b):
    n = len(a) + len(b) - 1
    size = 1 << (n - 1).bit_length()
    return np.fft.irfft(np.fft.rfft(a, size) * np.fft.rfft(b, size), size)[:n]


def _lowpass(audio, rate, cutoff_hz, taps=63):
    fc = min(cutoff_hz / rate, 0.49)
    k = np.arange(taps) - (taps - 1) / 2
    kernel = 2 * fc * np.sinc(2 * fc * k) * np.hamming(taps)
    kernel /= kernel.sum()
    return np.convolve(audio, kernel, mode="same")


def _room(audio, rate, wet, key):
    if wet <= 0:
        return audio
    rng = np.random.default_rng([key, 7])
    length = int(rate * 0.28)
    t = np.arange(length) / rate
    tail = rng.standard_normal(length) * np.exp(-t / 0.07)
    tail[: int(rate * 0.012)] = 0.0
    for delay, gain in ((0.013, 0.5), (0.021, 0.35), (0.034, 0.25)):
        tail[int(rate * delay)] += gain * length ** 0.5 * 0.05
    tail /= np.sqrt(np.sum(tail ** 2))
    reverb = _fft_convolve(audio, tail)[: len(audio) + length // 2]
    dry = np.concatenate([audio, np.zeros(len(reverb) - len(audio))])
    return (1 - wet) * dry + wet * reverb


def _resample(audio, src, dst):
    if src == dst or len(audio) == 0:
        return audio
    pad = int(0.05 * src)
    x = np.concatenate([np.zeros(pad), audio, np.zeros(pad)])
    n_out = int(round(len(x) * dst / src))
    spec = np.fft.rfft(x)
    bins = n_out // 2 + 1
    if bins <= len(spec):
        spec = spec[:bins]
    else:
        spec = np.concatenate([spec, np.zeros(bins - len(spec), dtype=spec.dtype)])
    y = np.fft.irfft(spec, n_out) * (n_out / len(x))
    cut = int(round(pad * dst / src))
    return y[cut:len(y) - cut]


def _render(text, voice, sample_rate, rate_scale=1.0, pitch_shift=0.0):
    return speak(text, _voice(voice), sample_rate, rate_scale, pitch_shift, room_key=voice)


def speak(text: str, params: dict, sample_rate: int = NATIVE_RATE, rate_scale: float = 1.0,
          pitch_shift: float = 0.0, room_key: str = "") -> np.ndarray:
    """Speak `text` with explicit voice parameters (the keys of a VOICES entry).

    The finish is the same as `synthesize`; `room_key` seeds the room reverb, so one name gives
    one room. Used for voices that are not demo creators, such as the judge's reference pool.
    """
    if not text or not text.strip():
        raise ValueError("text must not be empty")
    audio, rate = espeak.run(text, params["espeak_voice"], params["speed"] * rate_scale,
                             params["pitch"] + pitch_shift, params["word_gap"])
    audio = espeak.trim(audio.astype(np.float64), rate)
    audio = _lowpass(audio, rate, params["lowpass_hz"])
    audio = _room(audio, rate, params["reverb"], zlib.crc32(room_key.encode()))
    audio = _resample(audio, rate, int(sample_rate))
    peak = np.max(np.abs(audio)) if len(audio) else 0.0
    if peak > 0:
        audio = audio * (10 ** (-3 / 20) / peak)
    return np.clip(audio, -1.0, 1.0).astype(np.float32)


def synthesize(text: str, voice: str, sample_rate: int = NATIVE_RATE) -> np.ndarray:
    """Speak `text` with one of VOICES and return float32 mono audio in [-1, 1].

    Silence is trimmed, the peak is normalised to about -3 dBFS, and the audio
    is resampled (FFT, numpy only) when `sample_rate` differs from espeak-ng's
    native 22050 Hz. Raises RuntimeError when espeak-ng is missing and
    ValueError for an unknown voice or empty text.
    """
    return _render(text, voice, sample_rate)


def render_clips(voice: str, count: int, seed: int = 0, sample_rate: int = NATIVE_RATE) -> list[dict]:
    """Render `count` voice-over clips for one voice.

    Scripts are taken from SCRIPTS in a seeded order (cycling when count
    exceeds the number of scripts) and each clip gets a seeded speaking-rate
    (+-5 %) and pitch (+-3) variation. Returns dicts with "audio" (float32
    mono), "sample_rate", "title" and "transcript". Deterministic for a
    given (voice, seed, sample_rate); clip i does not depend on `count`.
    """
    params = _voice(voice)
    if count < 0:
        raise ValueError("count must be >= 0")
    key = zlib.crc32(voice.encode())
    base = int(seed) % (2 ** 32)
    order = np.random.default_rng([base, key, 0]).permutation(len(_SCRIPT_ITEMS))
    name = params["description"].split(":")[0]
    clips = []
    for i in range(count):
        rng = np.random.default_rng([base, key, i + 1])
        title, text = _SCRIPT_ITEMS[int(order[i % len(order)])]
        take = i // len(order) + 1
        audio = _render(text, voice, sample_rate,
                        rate_scale=1.0 + rng.uniform(-0.05, 0.05),
                        pitch_shift=rng.uniform(-3.0, 3.0))
        label = f"{title} ({name})" + (f", take {take}" if take > 1 else "")
        clips.append({"audio": audio, "sample_rate": int(sample_rate),
                      "title": label, "transcript": text})
    return clips
