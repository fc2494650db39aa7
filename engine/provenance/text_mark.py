"""Texts carry no hidden mark: a generated text is known by the hash of its normalised words,
so the same copy pasted with other quotes, spacing, case or line breaks is still found."""

import hashlib
import re
import unicodedata

QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-",
                        "\u2014": "-", "\u2026": "...", "\u00a0": " "})
INVISIBLE = re.compile(r"[\u200b-\u200f\u2060\ufeff]")
BROKEN_HYPHEN = re.compile(r"(?<=\w)- +(?=\w)")  # "long-\nterm" after re-wrapping


def normalise(text: str) -> str:
    """Compatibility-normalised, case-folded, straight quotes and dashes, invisible characters
    dropped, every run of spaces and line breaks made one space, a hyphenated word broken across
    lines joined again."""
    text = INVISIBLE.sub("", unicodedata.normalize("NFKC", text or "")).translate(QUOTES).casefold()
    return BROKEN_HYPHEN.sub("-", " ".join(text.split()))


def fingerprint(text: str) -> str:
    """SHA-256 of the normalised text (hex)."""
    return hashlib.sha256(normalise(text).encode()).hexdigest()
