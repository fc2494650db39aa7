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


def _spelled_out(tokens: list[str]) -> list[str]:
    """Runs of single letters glued together: 'a t o b a c c o' -> 'atobacco'."""
    runs, run = [], []
    for token in tokens + [""]:
        if len(token) == 1:
            run.append(token)
        elif run:
            runs.append("".join(run))
            run = []
    return [r for r in runs if len(r) > 2]


def find_violation(text: str, boundaries: dict) -> str | None:
    """The first banned word or topic phrase found in `text`, or None."""
    tokens = _tokens(text)
    haystack = " " + " ".join(tokens) + " "
    spelled = _spelled_out(tokens)
    for needle_text in boundaries.get("words", []) + boundaries.get("topics", []):
        needle = " ".join(_tokens(needle_text))
        if not needle:
            continue
        if f" {needle} " in haystack or any(needle.replace(" ", "") in run for run in spelled):
            return needle_text
    return None


def refusal(creator_name: str, found: str, stage: str) -> str:
    """The buyer-facing reason, polite and short."""
    if stage == "request":
        return (f"{creator_name} doesn't take on work involving “{found}”. Please rephrase your "
                "brief without it — you have not been charged.")
    return ("The draft touched something this creator has ruled out, so it was withheld and you "
            "have not been charged. Try a different brief.")
