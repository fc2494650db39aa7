"""Audio helpers shared by the voice generator and the voice judge."""

import math

import numpy as np


def resample(audio: np.ndarray, rate: int, target: int, dtype=np.float32) -> np.ndarray:
    """Mono `audio` at `rate` Hz resampled (scipy polyphase) to `target` Hz, as `dtype`."""
    audio = np.asarray(audio, dtype=dtype).reshape(-1)
    if int(rate) == int(target):
        return audio
    from scipy.signal import resample_poly

    g = math.gcd(int(rate), int(target))
    return resample_poly(audio, int(target) // g, int(rate) // g).astype(dtype, copy=False)
