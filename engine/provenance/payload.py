"""What a watermark carries: a record's 32-bit serial and a 16-bit tag (a keyed hash of the
serial), 48 bits in all. A picture or clip that was never marked reads as random bits; with the
56 candidates `unpack` tries, one in about 1,170 passes the tag. What guards against naming the
wrong source is the serial: serials are drawn at random from 2^32, so a chance match names a
record that almost surely does not exist (Verify then says "unknown")."""

import hashlib
import hmac
import itertools

import numpy as np

SERIAL_BITS, TAG_BITS = 32, 16
BITS = SERIAL_BITS + TAG_BITS
SUSPECTS = 10  # the weakest bits tried flipped when the tag does not match
MAX_FLIPS = 2


def _tag(serial: int, secret: bytes) -> int:
    digest = hmac.new(secret, serial.to_bytes(4, "big"), hashlib.sha256).digest()
    return int.from_bytes(digest[:2], "big")


def _to_bits(value: int, width: int) -> list[int]:
    return [(value >> (width - 1 - i)) & 1 for i in range(width)]


def _from_bits(bits) -> int:
    return int("".join(str(int(b)) for b in bits), 2)


def pack(serial: int, secret: bytes) -> list[int]:
    """The 48 bits to mark for a record's serial."""
    if not 0 <= serial < 2 ** SERIAL_BITS:
        raise ValueError("a serial is a 32-bit number")
    return _to_bits(serial, SERIAL_BITS) + _to_bits(_tag(serial, secret), TAG_BITS)


def unpack(soft_bits, secret: bytes) -> int | None:
    """The serial carried by 48 soft bits (positive means 1, size is confidence), or None when
    no tag matches. Up to MAX_FLIPS of the SUSPECTS least certain bits are tried flipped, which
    mends the odd bit a heavy re-encoding turns."""
    soft = np.asarray(soft_bits, dtype=np.float64)
    hard = (soft > 0).astype(int)
    weakest = np.argsort(np.abs(soft))[:SUSPECTS]
    for flips in range(MAX_FLIPS + 1):
        for chosen in itertools.combinations(weakest, flips):
            bits = hard.copy()
            bits[list(chosen)] ^= 1
            serial = _from_bits(bits[:SERIAL_BITS])
            if _from_bits(bits[SERIAL_BITS:]) == _tag(serial, secret):
                return serial
    return None
