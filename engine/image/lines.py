"""The line-art finish: thin strokes on a plain ground, redrawn crisp in the designer's own stroke.

A generator that drafts at 64 px cannot hold strokes thinner than a draft pixel (4 px at 256), so
its upsampled lines come out soft. For work that is line art (most pixels on one ground colour,
strokes a few pixels wide) the upsampled image is used only for where the lines run and which colour each is:
its strokes are thinned to one-pixel centre lines, and every pixel is then painted from the
designer's stroke profile, the colour they put at each distance from a line's centre (core,
body and glow), measured on their training images for each of their stroke colours.
"""

import numpy as np

GROUND_DISTANCE = 40.0  # RGB units (0-255): closer than this to the ground colour is ground
GROUND_SHARE = 0.6  # share of ground pixels for work to count as line art
STROKE_DEPTH = 4.5  # px at 256: how far inside a stroke a pixel can be from the ground...
THIN_SHARE = 0.8  # ...for this share of stroke pixels, for work to count as line art
STROKE_COLOURS = 6
PROFILE_BINS = 4  # distance bins per pixel at 256
FIT_SCALE = 2  # the stroke is measured on the training images enlarged this many times
PROFILE_REACH = 10.0  # px from a centre line that the profile (glow included) covers
RIDGE_SIGMAS = (1.5, 2.0)  # px at 256: the scales at which strokes are found as ridges
RIDGE_SHARE = 0.15  # ridge strength, relative to the strongest, that counts as a stroke
COLOUR_WINDOW = 8  # px at 256: each centre-line pixel takes the most common stroke colour this near
SMOOTHING = 0.0  # px at 256: blur of the distance to the centre lines (a blur softens the stroke)
SPUR_LENGTH = 5  # px at 256: side branches this short are peeled off the centre lines
MIN_STROKE_PIXELS = 24  # centre-line fragments shorter than this (px at 256) are dropped


def _distance(image: np.ndarray, colour: np.ndarray) -> np.ndarray:
    return np.linalg.norm((image - colour) * 255.0, axis=-1)


def _centre_lines(mask: np.ndarray, min_pixels: int = 0) -> np.ndarray:
    from skimage.morphology import remove_small_objects, skeletonize

    skeleton = skeletonize(mask)
    if min_pixels:
        skeleton = remove_small_objects(skeleton, max_size=min_pixels, connectivity=2)
    return skeleton


def _hue(colours: np.ndarray, ground: np.ndarray) -> np.ndarray:
    """Colours as unit vectors away from the ground: a dim and a bright stroke of one colour
    point the same way."""
    away = colours - ground
    return away / np.maximum(np.linalg.norm(away, axis=-1, keepdims=True), 1e-6)


def _smooth_ground(images: list[np.ndarray], rough: np.ndarray, seed: int = 0) -> np.ndarray:
    """The ground as a quadratic gradient per channel (washes and vignettes), fitted by least
    squares to the pixels of every image that are near the rough ground, away from strokes."""
    rng = np.random.default_rng(seed)
    size = rough.shape[0]
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size - 0.5
    basis = np.stack([np.ones_like(xx), xx, yy, xx * xx, yy * yy, xx * yy], -1).reshape(-1, 6)
    rows, targets = [], []
    for image in images:
        ground_like = np.flatnonzero(_distance(image, rough) < GROUND_DISTANCE / 2)
        pick = rng.choice(ground_like, min(len(ground_like), 4000), replace=False)
        rows.append(basis[pick])
        targets.append(image.reshape(-1, 3)[pick])
    coefficients, *_ = np.linalg.lstsq(np.concatenate(rows), np.concatenate(targets), rcond=None)
    return (basis @ coefficients).reshape(size, size, 3).astype(np.float32)


def _stroke_mask(image: np.ndarray, ground: np.ndarray, scale: int) -> np.ndarray:
    """Pixels on a stroke of an image drawn at `scale` times 256 px: on a bright ridge (Sato's
    tubeness filter), so that neighbouring strokes whose glows merge stay apart, and off the ground."""
    from skimage.filters import sato

    away = _distance(image, ground)
    ridges = sato(away, sigmas=[s * scale for s in RIDGE_SIGMAS], black_ridges=False)
    return (ridges > RIDGE_SHARE * np.percentile(ridges, 99.5)) & (away >= GROUND_DISTANCE / 2)


def _prune(skeleton: np.ndarray, length: int) -> np.ndarray:
    """The skeleton without spurs: its end pixels peeled `length` times."""
    from scipy import ndimage

    skeleton = skeleton.copy()
    for _ in range(length):
        neighbours = ndimage.convolve(skeleton.astype(np.uint8), np.ones((3, 3), np.uint8), mode="constant")
        skeleton &= neighbours > 2  # itself and at least two neighbours
    return skeleton


def fit_line_style(images: list[np.ndarray], seed: int = 0) -> dict | None:
    """The designer's stroke, from (256, 256, 3) images in [0, 1], or None when the work is not
    line art. Returns {"ground": (256, 256, 3) the ground with its gradient and vignette,
    "hues": (K, 3) stroke directions, "profile": (K, bins, 3) colour added to
    the ground by distance from the centre line, "width": median stroke width in px}."""
    from scipy import ndimage
    from sklearn.cluster import KMeans

    ground = _smooth_ground(images, np.median(np.stack(images), axis=0))
    if np.mean([_distance(i, ground) < GROUND_DISTANCE for i in images]) < GROUND_SHARE:
        return None

    depths = []
    for image in images:
        mask = _distance(image, ground) >= GROUND_DISTANCE
        depths.append(ndimage.distance_transform_edt(mask)[mask])
    depths = np.concatenate(depths)
    if not len(depths) or np.mean(depths <= STROKE_DEPTH) < THIN_SHARE:
        return None  # shapes and washes, not strokes

    centres, widths, drawn = [], [], []
    for image in images:
        big, big_ground = _enlarged(image, ground, FIT_SCALE)
        skeleton = _centre_lines(_stroke_mask(big, big_ground, FIT_SCALE))
        if not skeleton.any():
            continue
        mask = _distance(image, ground) >= GROUND_DISTANCE
        widths.append(2 * ndimage.distance_transform_edt(mask)[skeleton[::FIT_SCALE, ::FIT_SCALE]])
        centres.append(_hue(big[skeleton], big_ground[skeleton]))
        drawn.append((big, big_ground, skeleton))
    if not centres:
        return None

    rng = np.random.default_rng(seed)
    centre_hues = np.concatenate(centres)
    sample = centre_hues[rng.choice(len(centre_hues), min(len(centre_hues), 20_000), replace=False)]
    k = min(STROKE_COLOURS, len(sample))
    hues = KMeans(n_clusters=k, n_init=3, random_state=seed).fit(sample).cluster_centers_
    hues = hues / np.linalg.norm(hues, axis=1, keepdims=True)

    bins = int(PROFILE_REACH * PROFILE_BINS) + 1
    sums, counts = np.zeros((k, bins, 3)), np.zeros((k, bins))
    for big, big_ground, skeleton in drawn:
        nearest, distance = _nearest_stroke(big, big_ground, skeleton, hues, FIT_SCALE, smoothing=0.0)
        b = np.round(distance / FIT_SCALE * PROFILE_BINS).astype(int)
        keep = b < bins
        np.add.at(sums, (nearest[keep], b[keep]), (big - big_ground)[keep])
        np.add.at(counts, (nearest[keep], b[keep]), 1)
    profile = sums / np.maximum(counts[..., None], 1)
    for k in range(len(hues)):  # distance bins no pixel fell in: from their neighbours
        seen = np.flatnonzero(counts[k] > 0)
        if len(seen):
            profile[k] = np.stack([np.interp(np.arange(bins), seen, profile[k, seen, c]) for c in range(3)], -1)
    profile[:, -1] = 0.0  # the ground itself, beyond the glow
    return {"ground": ground.astype(np.float32), "hues": hues.astype(np.float32),
            "profile": profile.astype(np.float32),
            "width": float(np.median(np.concatenate(widths)))}


def _enlarged(image: np.ndarray, ground: np.ndarray, scale: int) -> tuple[np.ndarray, np.ndarray]:
    """The image and the ground at `scale` times the size (bicubic)."""
    from PIL import Image

    from engine.image.render import to_image

    size = (image.shape[1] * scale, image.shape[0] * scale)
    return tuple(np.asarray(to_image(a).resize(size, Image.BICUBIC), dtype=np.float32) / 255.0
                 for a in (image, ground))


def _nearest_stroke(image, ground, skeleton, hues, scale: int, smoothing: float):
    """For every pixel, the stroke colour of its nearest centre-line pixel (the colour most common
    along the line there, so a stroke keeps one colour) and the distance to it, in pixels at
    `scale`, blurred by `smoothing` px at 256 to round off the pixel staircase."""
    from scipy import ndimage

    closest = np.argmax(_hue(image, ground) @ hues.T, axis=-1)
    votes = [ndimage.uniform_filter((skeleton & (closest == k)).astype(np.float32), COLOUR_WINDOW * scale)
             for k in range(len(hues))]
    labels = np.argmax(np.stack(votes), axis=0)
    distance, index = ndimage.distance_transform_edt(~skeleton, return_indices=True)
    if smoothing:
        distance = ndimage.gaussian_filter(distance, smoothing * scale)
    return labels[index[0], index[1]], distance


def redraw(image: np.ndarray, style: dict, scale: int = 2) -> np.ndarray:
    """A (256, 256, 3) upsampled image redrawn in the designer's stroke: centre lines found at
    `scale` times the size, painted from the profile, and shrunk back (antialiased)."""
    from engine.image.render import to_array, to_image

    hues, profile = (np.asarray(style[k], dtype=np.float32) for k in ("hues", "profile"))
    big, ground = _enlarged(image, np.asarray(style["ground"], dtype=np.float32), scale)
    skeleton = _centre_lines(_stroke_mask(big, ground, scale))
    skeleton = _centre_lines(_prune(skeleton, SPUR_LENGTH * scale), MIN_STROKE_PIXELS * scale)
    if not skeleton.any():
        return np.asarray(style["ground"], dtype=np.float32).copy()
    nearest, distance = _nearest_stroke(big, ground, skeleton, hues, scale, SMOOTHING)
    position = np.minimum(distance / scale * PROFILE_BINS, profile.shape[1] - 1)
    low = np.floor(position).astype(int)
    high = np.minimum(low + 1, profile.shape[1] - 1)
    t = (position - low)[..., None]
    painted = ground + (1 - t) * profile[nearest, low] + t * profile[nearest, high]
    return to_array(to_image(painted), image.shape[0])
