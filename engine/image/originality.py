"""No copies handed to a buyer: a drawn image that is nearly one of the designer's training pieces
is drawn again from another seed.

A generator trained long on a few pieces can give one of them back. The measure follows the
fidelity judge's copy check (engine/fidelity/image.py): the root-mean-square difference of the two
pictures shrunk to SIZE px, a mirror image counting as the piece. Here both are first shrunk to
the generator's drafts (for line art also softened, as its drafts are), so that the training
drafts saved with the model are all it needs. The limit is learned from the training pieces
alone: MARGIN times the distance between the two closest of them (a piece and its own mirror
image aside, and exact duplicates too). The judge sets its own limit from held-out pieces and
still checks every image.
"""

import numpy as np

SIZE = 32  # px: pictures are compared shrunk to this
MARGIN = 0.5  # a drawn image nearer to a piece than MARGIN x the closest two pieces is a copy
SAME = 1e-6  # two pieces closer than this are one piece uploaded twice


def _small(images: np.ndarray) -> np.ndarray:
    """(N, H, W, 3) -> (N, SIZE * SIZE * 3), shrunk by area."""
    n, h, w, _ = images.shape
    small = np.asarray(images, dtype=np.float64).reshape(n, SIZE, h // SIZE, SIZE, w // SIZE, 3).mean(axis=(2, 4))
    return small.reshape(n, -1)


def _distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(N, M) root-mean-square differences between N and M flattened pictures."""
    squared = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T
    return np.sqrt(np.maximum(squared, 0) / a.shape[1])


def _both_ways(drafts: np.ndarray, pieces: np.ndarray) -> np.ndarray:
    """(N, M) distances from each draft to each piece or its mirror image, whichever is nearer."""
    small = _small(drafts)
    return np.minimum(_distances(small, _small(pieces)), _distances(small, _small(np.asarray(pieces)[:, :, ::-1])))


def copy_limit(drafts: np.ndarray) -> float:
    """MARGIN times the distance between the two closest of the (N, H, W, 3) training drafts
    (0 when there are no two distinct pieces: nothing is then called a copy)."""
    distances = _both_ways(drafts, drafts)
    np.fill_diagonal(distances, np.inf)
    distances[distances < SAME] = np.inf
    closest = distances.min() if distances.size else np.inf
    return MARGIN * float(closest) if np.isfinite(closest) else 0.0


def nearest(drafts: np.ndarray, pieces: np.ndarray) -> np.ndarray:
    """Each of the (N, H, W, 3) drafts' distance to its nearest (M, H, W, 3) training draft, mirror
    images included."""
    return _both_ways(drafts, pieces).min(axis=1)


def copies(drafts: np.ndarray, pieces: np.ndarray, limit: float) -> np.ndarray:
    """Which of the (N, H, W, 3) drafts lie within `limit` of a training draft or its mirror
    image (a boolean array of N)."""
    return nearest(drafts, pieces) < limit
