"""No copies handed to a buyer: a drawn image that is nearly one of the designer's training pieces
is drawn again from another seed.

A generator trained long on a few pieces can give one of them back. The measure is the one the
fidelity judge's copy check uses (engine/fidelity/image.py): the root-mean-square difference of
the two pictures shrunk to SIZE px, a mirror image counting as the piece. The limit is learned
from the training pieces alone: MARGIN times the distance between the two closest of them (a
piece and its own mirror image aside). The judge sets its own limit from held-out pieces and
still checks every image.
"""

import numpy as np

SIZE = 32  # px: pictures are compared shrunk to this
MARGIN = 0.5  # a drawn image nearer to a piece than MARGIN x the closest two pieces is a copy


def _small(images: np.ndarray) -> np.ndarray:
    """(N, H, W, 3) -> (N, SIZE, SIZE, 3), by area."""
    n, h, w, _ = images.shape
    return images.reshape(n, SIZE, h // SIZE, SIZE, w // SIZE, 3).mean(axis=(2, 4))


def _distances(small: np.ndarray, pieces: np.ndarray) -> np.ndarray:
    """(N, M) root-mean-square differences between N and M shrunk pictures."""
    return np.sqrt(((small[:, None] - pieces[None]) ** 2).mean(axis=(2, 3, 4)))


def copy_limit(drafts: np.ndarray) -> float:
    """MARGIN times the distance between the two closest of the (N >= 2, H, W, 3) training
    drafts, each also compared with the others' mirror images."""
    small = _small(np.asarray(drafts, dtype=np.float32))
    distances = np.minimum(_distances(small, small), _distances(small, small[:, :, ::-1]))
    np.fill_diagonal(distances, np.inf)
    return MARGIN * float(distances.min())


def copies(drafts: np.ndarray, pieces: np.ndarray, limit: float) -> np.ndarray:
    """Which of the (N, H, W, 3) drafts lie within `limit` of one of the (M, H, W, 3) training
    drafts or their mirror images (a boolean array of N)."""
    small, shrunk = _small(np.asarray(drafts, dtype=np.float32)), _small(np.asarray(pieces, dtype=np.float32))
    nearest = np.minimum(_distances(small, shrunk), _distances(small, shrunk[:, :, ::-1])).min(axis=1)
    return nearest < limit
