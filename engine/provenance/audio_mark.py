"""The invisible watermark of generated speech: 48 bits written as a faint, fixed ripple in the
clip's spectrum.

The band 150-7,000 Hz is cut into 220 cells of 31.25 Hz; each bit owns 4-5 of them, each with a
fixed pseudo-random sign. Embedding is one static filter over the whole clip: each cell is raised
or lowered (typically 1-2 dB, at most 4.3 dB) so that, with the clip's own spectrum taken into
account (informed embedding), the mean signed ripple of each bit's cells lands past a margin. Reading takes
the clip's long-term spectrum, removes its smooth envelope and averages each bit's cells. A
static filter does not care where a clip starts (codec delays), a gain change moves the whole
log spectrum and is removed with the envelope, and resampling keeps frequencies in hertz.
"""

import numpy as np

BITS = 48
CELL_HZ = 31.25
BAND = (150.0, 7000.0)
MARGIN = 0.16  # natural-log units of power
CELL_CAP = 3 * MARGIN
MAX_STEP = 1.0  # the most one cell's level is moved, in the same units
SEED = 20261130


def _layout() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(cell lower edges in Hz, signs, bit of each cell)."""
    edges = np.arange(BAND[0], BAND[1], CELL_HZ)
    rng = np.random.default_rng(SEED)
    owner = rng.permutation(np.arange(len(edges)) % BITS)
    signs = rng.choice([-1.0, 1.0], size=len(edges))
    return edges, signs, owner


_EDGES, _SIGNS, _OWNER = _layout()
_COUNT = np.bincount(_OWNER, minlength=BITS).astype(np.float64)


def _cell_levels(audio: np.ndarray, rate: int) -> np.ndarray:
    """Log power of each cell, its smooth envelope removed (a running mean over 9 cells); cells
    above what the clip's sample rate can hold read 0."""
    from scipy.ndimage import uniform_filter1d
    from scipy.signal import welch

    nperseg = int(round(rate / CELL_HZ * 4))  # bins of a quarter cell: little leakage between cells
    freqs, power = welch(audio, rate, nperseg=min(nperseg, len(audio)), noverlap=None)
    inside = [(freqs >= lo) & (freqs < lo + CELL_HZ) for lo in _EDGES]
    held = np.array([mask.any() for mask in inside])
    if not held.any():
        return np.zeros(len(_EDGES))
    logs = np.log(np.array([power[mask].mean() if mask.any() else 0.0 for mask in inside]) + 1e-12)
    logs[~held] = logs[held][-1]  # a clip sampled below 14 kHz: carry the last band up
    detrended = logs - uniform_filter1d(logs, size=9, mode="nearest")
    detrended[~held] = 0.0
    return detrended


def _projections(audio: np.ndarray, rate: int) -> np.ndarray:
    # each cell's say is capped, so one strong harmonic of the voice cannot outvote a bit's other cells
    votes = np.clip(_cell_levels(audio, rate) * _SIGNS, -CELL_CAP, CELL_CAP)
    return np.bincount(_OWNER, weights=votes, minlength=BITS) / _COUNT


def _filtered(audio: np.ndarray, rate: int, cell_gains: np.ndarray) -> np.ndarray:
    """The clip through a static filter that scales each cell's power by exp(gain)."""
    spectrum = np.fft.rfft(audio)
    freqs = np.fft.rfftfreq(len(audio), 1 / rate)
    gain = np.zeros_like(freqs)
    cell = np.floor((freqs - BAND[0]) / CELL_HZ).astype(int)
    inside = (cell >= 0) & (cell < len(_EDGES))
    gain[inside] = cell_gains[cell[inside]]
    return np.fft.irfft(spectrum * np.exp(gain / 2), n=len(audio))


def embed(audio: np.ndarray, rate: int, bits: list[int], rounds: int = 12) -> np.ndarray:
    """The mono clip (float, -1..1) with `bits` (48 zeros and ones) marked into it."""
    audio = np.asarray(audio, dtype=np.float64)
    target = np.where(np.asarray(bits) > 0, 1.0, -1.0) * MARGIN
    gains = np.zeros(len(_EDGES))
    for _ in range(rounds):  # the envelope and the window's leakage blur a step: measure again
        current = _projections(_filtered(audio, rate, gains), rate)
        short = np.where(target * current < MARGIN * 1.2, target * 1.3 - current, 0.0)
        if not np.any(short):
            break
        gains = np.clip(gains + short[_OWNER] * _SIGNS, -MAX_STEP, MAX_STEP)
    marked = _filtered(audio, rate, gains)
    peak = np.max(np.abs(marked))
    return marked / peak * 0.99 if peak > 0.99 else marked


def read(audio: np.ndarray, rate: int) -> np.ndarray:
    """The 48 soft bits read from a mono clip: positive means 1, the size is how sure."""
    return _projections(np.asarray(audio, dtype=np.float64), rate) / MARGIN
