"""Checking drafted sentences against the grounding before they are sent.

A claim is a number (a price, a count of days or revisions, a date), a time promise ("by Friday",
"tomorrow", "within a week") or a commitment ("I guarantee", "for free", "unlimited revisions",
"I'll give you a discount"). A sentence is kept only if each number in it is one the grounding
holds and it makes no time promise or commitment; everything else is dropped before sending.
"""

import re

from engine.assistant.grounding import numbers_in

NUMBER_WORDS = {"zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
                "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
                "fifteen": "15", "twenty": "20", "thirty": "30", "fifty": "50", "hundred": "100",
                "half": "0.5", "double": "2", "dozen": "12"}
TIME_PROMISE = re.compile(
    r"\b(today|tonight|tomorrow|overnight|asap|right away|same[- ]day|next (week|month|monday|tuesday|"
    r"wednesday|thursday|friday|saturday|sunday)|this (week|weekend|month)|by (monday|tuesday|wednesday|"
    r"thursday|friday|saturday|sunday|the end|end of|next|tonight|tomorrow)|within (a|an|the) "
    r"(hour|day|week|month)|in (a|an) (hour|day|week|month)|(january|february|march|april|june|july|"
    r"august|september|october|november|december)\b|rush)", re.I)
COMMITMENT = re.compile(
    r"\b(guarantee\w*|promis\w*|warrant\w*|free of charge|for free|free\b|no charge|unlimited|"
    r"discount\w*|refund\w*|money[- ]back|cheaper|lower (the )?price|special (price|deal|offer)|"
    r"deal\b|coupon|percent|%|off\b|waive\w*|bonus|extra (revision|concept|file)s?|i('| wi)ll (make sure|"
    r"deliver|send|finish|do it|get it|have it)|we('| wi)ll (deliver|send|finish|have it)|"
    r"exclusive rights|full rights|copyright)", re.I)
SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|\n|$)")


def sentences(text: str) -> list[str]:
    """`text` cut into sentences (each keeps its closing punctuation)."""
    return [s for s in (m.group(0) for m in SENTENCE.finditer(text)) if s.strip()]


def unsupported(sentence: str, allowed: frozenset) -> list[str]:
    """The claims in one sentence that the grounding does not support ([] when none)."""
    found = [n for n in numbers_in(sentence) if n not in allowed]
    for word in re.findall(r"[a-z]+", sentence.lower()):
        if word in NUMBER_WORDS and NUMBER_WORDS[word] not in allowed:
            found.append(word)
    found += [m.group(0) for m in TIME_PROMISE.finditer(sentence)]
    found += [m.group(0) for m in COMMITMENT.finditer(sentence)]
    return found


def keep_supported(text: str, allowed: frozenset) -> tuple[str, list[str]]:
    """(the sentences of `text` that make no unsupported claim, the claims dropped)."""
    kept, dropped = [], []
    for sentence in sentences(text):
        claims = unsupported(sentence, allowed)
        if claims:
            dropped += claims
        else:
            kept.append(sentence.strip())
    return " ".join(kept), dropped
