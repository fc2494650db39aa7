"""Short content digests of the model files a version was made with (recorded as its revision)."""

import functools
import hashlib
from pathlib import Path


@functools.lru_cache(maxsize=8)
def file_digest(path: str | Path) -> str:
    """The first 16 hex digits of the file's SHA-256, read in 1 MiB blocks (cached per path:
    shipped model files do not change while the process runs)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]
