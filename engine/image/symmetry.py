"""Round shapes kept round: concentric line art redrawn about its centre.

A small generator draws a designer's concentric rings as a swirl of 3-4 uneven arcs; the patch
refinement mends each stroke but not the rings' common centre. Where the designer's own pieces
are round, the upsampled image is averaged over every angle about its best centre, which keeps
each ring's radius, colour and glow and puts it on a true circle (`make_round`).

Which pieces are round is learned from the designer's work: a caption tag is *round* when at least
two training pieces carry it and every one of them is (`roundness` >= ROUND_SCORE: the share of
the strokes' variation that rings about one centre explain). A prompt with a round tag has its
images made round. Only line art, whose ground the stroke style knows, is treated.
"""

import numpy as np

ROUND_SCORE = 0.6  # Theo's concentric rings score 0.62-0.98, his nested polygons 0.36-0.51
MIN_PIECES = 2  # a tag counts only when this many training pieces carry it
COARSE = 4  # the centre is first sought at 1 / COARSE of the size
SEARCH = 48  # px at full size: how far from the strokes' centroid the centre may lie
RING_BIN = 0.5  # px: radial resolution of the averaged rings


def _strokes(image: np.ndarray, ground: np.ndarray) -> np.ndarray:
    """How much light the strokes add to the ground, per pixel."""
    return np.clip(image - ground, 0, None).sum(-1)


def _ring_bins(shape, centre, width: float = RING_BIN) -> np.ndarray:
    yy, xx = np.indices(shape)
    return (np.hypot(yy - centre[0], xx - centre[1]) / width).astype(np.int64)


def _explained(light: np.ndarray, bins: np.ndarray) -> float:
    """Share of the variation of `light` that its mean on each ring explains."""
    flat, b = light.ravel(), bins.ravel()
    counts = np.bincount(b)
    means = np.bincount(b, flat) / np.maximum(counts, 1)
    total = ((flat - flat.mean()) ** 2).sum()
    return float(1 - ((flat - means[b]) ** 2).sum() / total) if total > 0 else 0.0


def centre_of(light: np.ndarray) -> tuple[float, float]:
    """The point about which rings explain the most of `light` (an (H, W) array): sought on a
    blurred copy at 1 / COARSE of the size, then to a pixel."""
    from scipy import ndimage

    soft = ndimage.gaussian_filter(light, 3.0)
    mass = soft.sum()
    if mass <= 0:
        return (light.shape[0] - 1) / 2, (light.shape[1] - 1) / 2
    h, w = light.shape
    small = soft[: h - h % COARSE, : w - w % COARSE].reshape(h // COARSE, COARSE, w // COARSE, COARSE).mean((1, 3))
    cy = (soft.sum(1) @ np.arange(h)) / mass / COARSE
    cx = (soft.sum(0) @ np.arange(w)) / mass / COARSE
    reach = SEARCH // COARSE
    best, centre = -np.inf, (cy, cx)
    for y in np.arange(round(cy) - reach, round(cy) + reach + 1):
        for x in np.arange(round(cx) - reach, round(cx) + reach + 1):
            score = _explained(small, _ring_bins(small.shape, (y, x), RING_BIN / COARSE * 2))
            if score > best:
                best, centre = score, (y, x)
    best, coarse = -np.inf, (centre[0] * COARSE + (COARSE - 1) / 2, centre[1] * COARSE + (COARSE - 1) / 2)
    for dy in range(-COARSE, COARSE + 1):
        for dx in range(-COARSE, COARSE + 1):
            here = (coarse[0] + dy, coarse[1] + dx)
            score = _explained(soft, _ring_bins(light.shape, here))
            if score > best:
                best, centre = score, here
    return centre


def roundness(image: np.ndarray, ground: np.ndarray) -> float:
    """How much of the strokes' variation concentric rings about one centre explain (0-1)."""
    light = _strokes(image, ground)
    return _explained(light, _ring_bins(light.shape, centre_of(light)))


def round_tags(images: list[np.ndarray], captions: list[str], ground: np.ndarray) -> list[str]:
    """The caption tags (not stop words) whose every training piece (at least MIN_PIECES) is round."""
    from engine.image import flow

    carried: dict[str, list[float]] = {}
    for caption, image in zip(captions, images):
        score = roundness(image, ground)
        for word in set(flow.words(caption)) - flow.STOP_WORDS:
            carried.setdefault(word, []).append(score)
    return sorted(w for w, v in carried.items() if len(v) >= MIN_PIECES and min(v) >= ROUND_SCORE)


def asks(prompt: str, tags: list[str] | None) -> bool:
    """Whether the prompt names one of `tags`."""
    from engine.image import flow

    return bool(tags) and not set(flow.words(prompt or "")).isdisjoint(tags)


def make_round(image: np.ndarray, ground: np.ndarray) -> np.ndarray:
    """The (H, W, 3) image in [0, 1] averaged over every angle about its strokes' centre: each
    ring keeps its radius, colour and glow, on a true circle."""
    added = image - ground
    bins = _ring_bins(image.shape[:2], centre_of(_strokes(image, ground)))
    b = bins.ravel()
    counts = np.maximum(np.bincount(b), 1)
    rings = np.stack([(np.bincount(b, added[..., c].ravel()) / counts)[bins] for c in range(3)], -1)
    return np.clip(ground + rings, 0, 1).astype(image.dtype)

