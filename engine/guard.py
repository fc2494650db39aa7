"""Boundaries on text: the creator's banned words and topics, checked on requests and outputs.

Text is normalised before matching so that case, spacing, leetspeak, look-alike letters and
zero-width characters do not slip a banned word through.
"""

import re
import unicodedata

ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a",
                      "$": "s", "!": "i", "|": "l"})
HOMOGLYPHS = str.maketrans({"а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x",
                            "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "ɡ": "g", "ո": "n", "ν": "v"})


def normalise(text: str) -> str:
    """Lower-case, strip accents and zero-width characters, undo leetspeak and homoglyphs."""
    text = unicodedata.normalize("NFKC", text).translate(ZERO_WIDTH).casefold().translate(HOMOGLYPHS)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return text


def _tokens(text: str) -> list[str]:
    return re.findall(r"[a-z]+", normalise(text).translate(LEET))


def _phrases(tokens: list[str]) -> str:
    """Tokens joined by single spaces, with runs of single letters ('b a d') glued together."""
    glued, run = [], []
    for token in tokens:
        if len(token) == 1:
            run.append(token)
            continue
        if run:
            glued.append("".join(run))
            run = []
        glued.append(token)
    if run:
        glued.append("".join(run))
    return " " + " ".join(glued) + " "


def find_violation(text: str, boundaries: dict) -> str | None:
    """The first banned word or topic phrase found in `text`, or None."""
    haystack = _phrases(_tokens(text))
    for word in boundaries.get("words", []):
        needle = " ".join(_tokens(word))
        if needle and f" {needle} " in haystack:
            return word
    for topic in boundaries.get("topics", []):
        needle = " ".join(_tokens(topic))
        if needle and f" {needle} " in haystack:
            return topic
    return None


def refusal(creator_name: str, found: str, stage: str) -> str:
    """The buyer-facing reason, polite and short."""
    if stage == "request":
        return (f"{creator_name} doesn't take on work involving “{found}”. Please rephrase your "
                "brief without it — you have not been charged.")
    return ("The draft touched something this creator has ruled out, so it was withheld and you "
            "have not been charged. Try a different brief.")
