"""Line art kept regular: of a few drafts for an image, the one whose strokes repeat best.

A small generator's failures on line art are irregular: stacked waves each bent their own way, a
perspective grid that wobbles, a nested outline that breaks. A designer's line art repeats its
strokes down the page: rows of waves and zigzags, the lines of a grid, nested outlines, rings.
So for line art CANDIDATES drafts are drawn per image and the one that best matches itself shifted
down is kept (`pick`). In a pilot on a kept model of the demo line artist the judge credited the
kept drafts more often than drafts at large for every kind of piece (figures in README).

Averaging a draft's rows does not mend them (their phases differ, so the mean draws crossing
lines); choosing among whole drafts keeps every stroke the generator's own.
"""

import numpy as np

CANDIDATES = 3  # drafts drawn per image of line art
MIN_SHIFT = 4  # draft px: the smallest shift measured (smaller ones see a line's own width)
DRIFT = 4  # draft px: how far sideways a repeat may sit from the stroke above
SEED_STEP = 1_000_003  # a candidate's seed is the image's seed plus a multiple of this


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


def candidate_seeds(seed: int, count: int = CANDIDATES) -> list[int]:
    """The seeds of an image's candidate drafts; the first is the image's own seed."""
    return [int(seed) + k * SEED_STEP for k in range(count)]


def pick(candidates: np.ndarray) -> np.ndarray:
    """The (H, W, 3) draft among the (K, H, W, 3) candidates whose strokes repeat best (the
    first on a tie)."""
    return candidates[int(np.argmax([repetition(c) for c in candidates]))]


def sample(generator, prompt: str, seeds: list[int], candidates: int = 1, **sampling) -> np.ndarray:
    """One draft per seed from `generator.sample(prompt, seeds, **sampling)`; with `candidates`
    above 1, the best-repeating (`pick`) of that many drafts per seed, drawn in one batch."""
    if candidates <= 1:
        return generator.sample(prompt, seeds, **sampling)
    drafts = generator.sample(prompt, [s for seed in seeds for s in candidate_seeds(seed, candidates)], **sampling)
    return np.stack([pick(group) for group in drafts.reshape(len(seeds), candidates, *drafts.shape[1:])])
