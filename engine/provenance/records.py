"""Signed provenance records and the Verify lookup.

A generation's record names the creator, the model and its version, the buyer, the licence at
the time (a try-out preview) and the ledger entry that paid for it; licences bought later are
signed records of their own (storage/orders). Verify takes a file or a text and answers with the
record it came from, how it was found (the exact file, the watermark, or the normalised text)
and whether the signatures check out, or says it is unknown."""

import hashlib
import json
from pathlib import Path

import numpy as np

from engine.errors import InvalidInput
from engine.provenance import keys, payload, text_mark
from storage import orders, provenance

IMAGE_TYPES = (".png", ".jpg", ".jpeg", ".webp")
AUDIO_TYPES = (".wav", ".mp3", ".flac", ".ogg")
TEXT_TYPES = (".txt", ".md")
FILE_TYPES = IMAGE_TYPES + AUDIO_TYPES + TEXT_TYPES  # what the Verify tab accepts
MAX_AUDIO_S = 600
READ_SIDE = 1024  # images are shrunk to about this before reading (the mark is read at 256 px)
PREVIEW_LICENCE = "try-out preview: not licensed"


def provenance_key(settings) -> keys.ProvenanceKey:
    return keys.load_or_create(settings.data_dir)


def sha256_file(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def mark_bits(settings, serial: int) -> list[int]:
    """The watermark bits for a record's serial."""
    return payload.pack(serial, provenance_key(settings).mark_secret)


def record_generation(engine, generation: dict, model: dict, serial: int, content_sha256: str) -> dict:
    """Sign and store the record of a generation (inside the caller's transaction)."""
    db = engine.db
    version = db["model_versions"].get(generation["model_version_id"])
    seller = db["users"].get(model["seller_id"])
    body = {"issuer": "Signature", "serial": serial, "generation_id": generation["id"],
            "modality": model["modality"], "creator_id": seller["id"], "creator": seller["display_name"],
            "model_id": model["id"], "model_name": model["name"], "model_version": version["version"],
            "buyer_id": generation["buyer_id"], "licence": PREVIEW_LICENCE,
            "ledger_entry_id": generation["ledger_entry_id"], "content_sha256": content_sha256,
            "created_at": generation["created_at"]}
    signature = provenance_key(engine.settings).sign(body)
    return provenance.record(db, serial, generation["id"], model["modality"], content_sha256, body, signature)


def sign_licence(settings, order: dict) -> tuple[dict, str]:
    """The signed record of a licence order (for storage.orders.buy_licence)."""
    body = {"issuer": "Signature", "licence": "standard licence: the buyer may use the sample; the "
            "creator keeps ownership", **{k: order[k] for k in ("generation_id", "buyer_id", "seller_id",
                                                                "model_id", "price_cents", "ledger_entry_id")}}
    return body, provenance_key(settings).sign(body)


def verify(engine, path: str | Path | None = None, text: str | None = None, viewer: dict | None = None) -> dict:
    """Where a file or text came from: {"found", "how", "record", "signature_ok", "licences",
    "public_key"}; found False means no record matches. Buyers' ids are shown only to that buyer
    and to admins (`viewer`)."""
    settings = engine.settings
    if text and text.strip():
        return _answer(engine, provenance.by_content(engine.db, text_mark.fingerprint(text)), "normalised text", viewer)
    if not path:
        raise InvalidInput("Upload a file (image, audio or text) or paste a text to verify.")
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FILE_TYPES:
        raise InvalidInput("Verify reads images (PNG, JPEG, WebP), audio (WAV, MP3, FLAC, OGG) and "
                           "text (.txt, .md): this file is none of those.")
    exact = provenance.by_content(engine.db, sha256_file(path))
    if exact:
        return _answer(engine, exact, "the exact file", viewer)
    if suffix in TEXT_TYPES:
        try:
            content = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise InvalidInput("That text file is not UTF-8: save it as plain UTF-8 text.") from None
        return _answer(engine, provenance.by_content(engine.db, text_mark.fingerprint(content)), "normalised text",
                       viewer)
    soft = _read_image(path) if suffix in IMAGE_TYPES else _read_audio(path)
    serial = payload.unpack(soft, provenance_key(settings).mark_secret)
    return _answer(engine, provenance.by_serial(engine.db, serial) if serial is not None else None, "the watermark",
                   viewer)


def _read_image(path: Path) -> np.ndarray:
    """The soft bits of an image, shrunk first (JPEG draft mode, then a thumbnail) so a large
    picture never becomes a large array."""
    from PIL import Image, UnidentifiedImageError

    from engine.provenance import image_mark

    try:
        with Image.open(path) as picture:
            picture.draft("RGB", (READ_SIDE, READ_SIDE))
            picture.thumbnail((READ_SIDE, READ_SIDE), Image.BICUBIC)
            return image_mark.read(picture)
    except Image.DecompressionBombError:
        raise InvalidInput("That image is too large to verify: keep it under 100 megapixels.") from None
    except (UnidentifiedImageError, OSError, ValueError):
        raise InvalidInput("That file could not be read as an image: upload a PNG, JPEG or WebP.") from None


def _read_audio(path: Path) -> np.ndarray:
    """The soft bits of a clip (its first MAX_AUDIO_S seconds, mixed to mono)."""
    import soundfile

    from engine.provenance import audio_mark

    try:
        rate = soundfile.info(str(path)).samplerate
        audio, rate = soundfile.read(str(path), frames=rate * MAX_AUDIO_S, dtype="float32", always_2d=True)
    except (RuntimeError, soundfile.LibsndfileError):
        raise InvalidInput("That file could not be read as audio: upload a WAV, MP3, FLAC or OGG.") from None
    if len(audio) < rate // 2:
        raise InvalidInput("That clip is too short to verify: at least half a second is needed.")
    return audio_mark.read(audio.mean(axis=1), rate)


def _answer(engine, row: dict | None, how: str, viewer: dict | None) -> dict:
    """The answer for a record (None: unknown), its signatures checked before buyers' ids are
    hidden from anyone but that buyer and admins."""
    public = provenance_key(engine.settings).public_hex
    if row is None:
        return {"found": False, "how": how, "public_key": public}
    body = json.loads(row["record"])
    sees_buyers = viewer is None or viewer["role"] == "admin" or viewer["id"] == body["buyer_id"]
    licences = []
    for order in orders.licences_of(engine.db, row["generation_id"]):
        record = json.loads(order["licence_record"]) if order["licence_record"] else None
        licences.append({"order_id": order["id"], "status": order["status"],
                         "buyer_id": order["buyer_id"] if sees_buyers else None,
                         "signature_ok": record is not None and keys.verify(public, record, order["licence_signature"])})
    signature_ok = keys.verify(public, body, row["signature"])
    return {"found": True, "how": how, "record": body if sees_buyers else {**body, "buyer_id": None},
            "signature_ok": signature_ok, "licences": licences, "buyers_shown": sees_buyers, "public_key": public}
