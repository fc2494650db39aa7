"""Small derived media for the UI: image thumbnails and text excerpts of portfolio items."""

import base64
import io
from pathlib import Path


def thumbnail_bytes(settings, item: dict, size: int = 160) -> bytes:
    """A JPEG thumbnail of an image item, cached under the data dir's cache."""
    cache = settings.cache_dir / "thumbs" / f"{item['sha256'][:20]}_{size}.jpg"
    if cache.exists():
        return cache.read_bytes()
    from PIL import Image

    with Image.open(settings.data_dir / item["file_path"]) as image:
        image = image.convert("RGB")
        image.thumbnail((size, size))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=85)
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(buffer.getvalue())
    return buffer.getvalue()


def thumbnail_uri(settings, item: dict, size: int = 160) -> str:
    """A data: URI of an image item's thumbnail, to embed in HTML."""
    return "data:image/jpeg;base64," + base64.b64encode(thumbnail_bytes(settings, item, size)).decode()


def text_excerpt(settings, item: dict, words: int = 40) -> str:
    """The first words of a text item."""
    text = Path(settings.data_dir / item["file_path"]).read_text(encoding="utf-8-sig")
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def thumbnail_image(settings, item: dict, size: int = 160):
    """An image item's thumbnail as a PIL image (a derived copy: originals never leave the data dir)."""
    from PIL import Image

    return Image.open(io.BytesIO(thumbnail_bytes(settings, item, size))).convert("RGB")
