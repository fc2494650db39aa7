"""Typos mended before a buyer message is scored for trigger topics.

MiniLM splits a misspelt word into pieces that mean little ("rfund", "dicsount", "desgin"), so a
request written in a hurry scores far from the same request spelt right. A word that is not in
pyspellchecker's English word list (160,000 words with their frequencies, MIT) is replaced by a
word one edit away (a letter dropped, added, changed, or two swapped): first one from `vocabulary`
(the words of the assistant's examples and the creator's gigs, the words buyers here use), else
one of the most frequent English words. Words of three letters or fewer, words written with letters
other than a-z and words with no such neighbour are kept as written. A word of another language
may be "mended" into English ("eine" to "fine"), which is why the mended text is scored beside the
message as written, never instead of it.
"""

import functools
import re

COMMON_WORDS = 30_000  # the English words a typo may be mended to outside the vocabulary
MIN_LETTERS = 4
WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


@functools.lru_cache(maxsize=1)
def _english():
    """(pyspellchecker's English checker, its COMMON_WORDS most frequent words)."""
    try:
        from spellchecker import SpellChecker
    except ImportError:
        raise RuntimeError("Typo mending needs pyspellchecker: run `pip install -r requirements.txt`.") from None
    checker = SpellChecker(language="en", distance=1)
    counts = checker.word_frequency.dictionary
    common = frozenset(sorted(counts, key=counts.get, reverse=True)[:COMMON_WORDS])
    return checker, common


def words_of(texts) -> dict[str, int]:
    """How often each lower-case word occurs in `texts` (a vocabulary for `Speller`)."""
    counts: dict[str, int] = {}
    for text in texts:
        for word in WORD.findall(text.lower()):
            counts[word] = counts.get(word, 0) + 1
    return counts


class Speller:
    """Mends typos towards a vocabulary of words (with how often each occurs there)."""

    def __init__(self, vocabulary: dict[str, int], mending: bool = True):
        self.vocabulary = dict(vocabulary)
        self.mending = mending  # False: `mend` gives texts back as written

    def mend_word(self, word: str) -> str:
        """`word` mended (lower case), or `word` itself when it is known or has no neighbour."""
        low = word.lower()
        if len(low) < MIN_LETTERS or not low.isascii() or low in self.vocabulary:
            return word
        checker, common = _english()
        if checker.known([low]):
            return word
        near = checker.edit_distance_1(low)
        counts = checker.word_frequency.dictionary
        # a word of the vocabulary that is no English word counts once it is written twice (not a typo)
        mine = [w for w in near if w in self.vocabulary and (w in counts or self.vocabulary[w] >= 2)]
        if mine:
            return max(mine, key=lambda w: (self.vocabulary[w], w))
        english = [w for w in near if w in common]
        return max(english, key=lambda w: (counts[w], w)) if english else word

    def mend(self, text: str) -> str:
        """`text` with each unknown word mended (the rest as written)."""
        if not self.mending:
            return text
        return WORD.sub(lambda m: self.mend_word(m.group(0)), text)
