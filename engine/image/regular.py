"""How regular a line draft is: how well its strokes repeat down the page.

A small generator's failures on line art are irregular: stacked waves each bent their own way, a
perspective grid that wobbles, a nested outline that breaks. A designer's line art repeats its
strokes down the page: rows of waves and zigzags, the lines of a grid, nested outlines, rings.
engine/image/candidates.py keeps the most regular of a few line drafts.
"""

import numpy as np

MIN_SHIFT = 4  # draft px: the smallest shift measured (smaller ones see a line's own width)
DRIFT = 4  # draft px: how far sideways a repeat may sit from the stroke above


def _light(draft: np.ndarray) -> np.ndarray:
    """How far each pixel is from the draft's median colour (its ground), as one channel."""
    ground = np.median(draft.reshape(-1, 3), axis=0)
    return np.linalg.norm(draft - ground, axis=-1)


def repetition(draft: np.ndarray) -> float:
    """How well the (H, W, 3) draft's strokes repeat down the page: the highest correlation
    between the draft and itself shifted down by MIN_SHIFT to H / 2 px and sideways by up to
    DRIFT px."""
    light = _light(draft)
    h, w = light.shape
    best = 0.0
    for dy in range(MIN_SHIFT, h // 2 + 1):
        for dx in range(-DRIFT, DRIFT + 1):
            below = light[dy:, max(dx, 0): w + min(dx, 0)]
            above = light[: h - dy, max(-dx, 0): w + min(-dx, 0)]
            a, b = below - below.mean(), above - above.mean()
            norm = np.sqrt((a * a).sum() * (b * b).sum())
            if norm > 0:
                best = max(best, float((a * b).sum() / norm))
    return best
