"""The platform's provenance key: an Ed25519 key pair kept in the data dir (created on first
use, private half readable by the owner only). It signs provenance records; anyone with the
public key can check them. The watermark tag's secret is derived from it."""

import base64
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

KEY_FILE = "keys/provenance-ed25519.pem"


@dataclass(frozen=True)
class ProvenanceKey:
    private_pem: bytes

    @property
    def _private(self):
        from cryptography.hazmat.primitives.serialization import load_pem_private_key

        return load_pem_private_key(self.private_pem, password=None)

    @property
    def public_hex(self) -> str:
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        return self._private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()

    @property
    def mark_secret(self) -> bytes:
        return hashlib.sha256(b"signature-watermark-tag" + self.private_pem).digest()

    def sign(self, record: dict) -> str:
        """Base64 Ed25519 signature of the record's canonical JSON."""
        return base64.b64encode(self._private.sign(canonical(record))).decode()


def canonical(record: dict) -> bytes:
    return json.dumps(record, sort_keys=True, separators=(",", ":")).encode()


def verify(public_hex: str, record: dict, signature: str) -> bool:
    """Whether `signature` is the key's signature of `record`."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex)).verify(
            base64.b64decode(signature), canonical(record))
        return True
    except (InvalidSignature, ValueError):
        return False


def load_or_create(data_dir: Path) -> ProvenanceKey:
    """The data dir's provenance key, made on first use."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

    path = Path(data_dir) / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        fd, part = tempfile.mkstemp(dir=path.parent, suffix=".part")  # owner-only, a name of its own
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        try:
            os.link(part, path)  # the first writer wins when two processes start together
        except FileExistsError:
            pass
        finally:
            os.unlink(part)
    return ProvenanceKey(path.read_bytes())
