"""Text normalisation for the guard: what a banned word or a topic looks like once the tricks are
undone (case, accents, spacing, leetspeak, look-alike letters, zero-width characters, letters
spelled out one by one), phrase matching on the normalised words, and the chunks of a long text
that the topic classifier scores one by one.
"""

import re
import unicodedata

ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\ufeff\u00ad\u034f"),
                           None)
LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a",
                      "$": "s", "!": "i", "|": "l", "+": "t", "€": "e"})
HOMOGLYPHS = str.maketrans({
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j",
    "ѕ": "s", "ԁ": "d", "ɡ": "g", "ո": "n", "ν": "v", "к": "k", "м": "m", "т": "t", "в": "b",
    "н": "h", "ԛ": "q", "ԝ": "w", "ɑ": "a", "ο": "o", "α": "a", "ε": "e", "ι": "i", "κ": "k",
    "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ӏ": "l", "һ": "h", "ѵ": "v", "ᴀ": "a", "ʙ": "b",
})
# A "word" as buyers disguise it: letters mixed with digits or symbols that stand for letters.
DISGUISED = re.compile(r"[a-z0-9@$!|+€]*[a-z][a-z0-9@$!|+€]*|[0-9@$!|+€]+(?=[a-z])[a-z0-9@$!|+€]*")
SENTENCE = re.compile(r"(?<=[.!?;:])\s+|\s*\n+\s*|\s+[-–—•]\s+")
WORDS = re.compile(r"[a-z]+")
MIN_WORDS = 4


def fold(text: str) -> str:
    """Lower-case, with compatibility forms unified, zero-width characters removed, look-alike
    letters replaced by their Latin twins and accents stripped."""
    text = unicodedata.normalize("NFKC", text).translate(ZERO_WIDTH).casefold().translate(HOMOGLYPHS)
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _unleet(match: re.Match) -> str:
    word = match.group(0)
    core = word.rstrip("@$!|+€")  # "me!" ends a sentence; it is not "mei"
    return core.translate(LEET) + word[len(core):] if any(c.isalpha() for c in core) else word


def canonical(text: str) -> str:
    """`fold` plus leetspeak undone inside words ("p0rn" -> "porn"; "50 words" stays) and letters
    spelled out one by one joined again ("s e x" or "s.e.x" -> "sex")."""
    folded = DISGUISED.sub(_unleet, fold(text))
    return re.sub(r"\b(?:[a-z][\s.\-_*]){2,}[a-z]\b", lambda m: re.sub(r"[\s.\-_*]", "", m.group(0)), folded)


def tokens(text: str) -> list[str]:
    """The normalised words of `text`: letters only, leetspeak undone inside words ("c4sino")."""
    return WORDS.findall(DISGUISED.sub(_unleet, fold(text)))


def _spelled_out(words: list[str]) -> list[str]:
    """Runs of single letters glued together: 'a t o b a c c o' -> 'atobacco'."""
    runs, run = [], []
    for word in words + [""]:
        if len(word) == 1:
            run.append(word)
        elif run:
            runs.append("".join(run))
            run = []
    return [r for r in runs if len(r) > 2]


class PhraseIndex:
    """Normalised phrases, found in a text as whole words after the text is normalised too."""

    def __init__(self, phrases):
        self.phrases = {}
        for phrase in phrases:
            needle = " ".join(tokens(phrase))
            if needle:
                self.phrases.setdefault(needle, phrase)

    def find(self, text: str) -> str | None:
        """The first phrase (as it was given) found in `text`, or None."""
        words = tokens(text)
        haystack = " " + " ".join(words) + " "
        glued = _spelled_out(words)
        squashed = "".join(words)
        for needle, phrase in self.phrases.items():
            joined = needle.replace(" ", "")
            if f" {needle} " in haystack or any(joined in run for run in glued):
                return phrase
            if len(joined) >= 5 and " " not in needle and joined in squashed and _split_inside(words, joined):
                return phrase
        return None


def _split_inside(words: list[str], needle: str) -> bool:
    """True when consecutive words, glued together, are exactly `needle` ("porno graphic",
    "to-bacco"); words that merely contain it across their edges ("shampoo rnd") do not count."""
    for start in range(len(words)):
        joined = ""
        for end in range(start, len(words)):
            joined += words[end]
            if joined == needle:
                return end > start
            if not needle.startswith(joined):
                break
    return False


def find_violation(text: str, boundaries: dict) -> str | None:
    """The first of the creator's banned words or topic phrases found in `text`, or None."""
    phrases = list(boundaries.get("words", []))
    for topic in boundaries.get("topics", []):
        phrases += [topic] if isinstance(topic, str) else [topic["name"], *topic.get("phrases", [])]
    return PhraseIndex(phrases).find(text)


def chunks(text: str, max_words: int = 40, stride: int = 20) -> list[str]:
    """The pieces of `text` the topic classifier scores: the whole text (when it has more than one
    sentence), each sentence of at least MIN_WORDS words (the embeddings of shorter fragments are
    unreliable), each pair of neighbouring sentences, and overlapping windows of `max_words` words
    inside long sentences, all in canonical form. A request hidden in a long
    wrapper is scored on its own, so the wrapper cannot dilute it."""
    canon = canonical(text)
    sentences = [s.strip() for s in SENTENCE.split(canon) if s and len(s.split()) >= 2]
    pieces = []
    for sentence in sentences:
        words = sentence.split()
        if len(words) < MIN_WORDS and len(sentences) > 1:
            continue  # "make it punchy." is scored with its neighbours, not alone
        if len(words) <= max_words:
            pieces.append(sentence)
        else:
            pieces += [" ".join(words[i:i + max_words]) for i in range(0, len(words) - stride, stride)]
    pairs = [f"{a} {b}" for a, b in zip(sentences, sentences[1:])
             if len(a.split()) + len(b.split()) <= max_words]
    whole = [" ".join(canon.split()[:max_words * 2])] if len(sentences) != 1 else []
    return list(dict.fromkeys(p for p in whole + pieces + pairs if p))
