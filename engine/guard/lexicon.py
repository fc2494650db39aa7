"""Keyword lexicons per built-in category (assets/guard/lexicons/<category>.txt): terms that mark
a category on their own, matched as whole words after normalisation. Brands that are also
everyday words ("apple", "amazon", "dove") count only with a brand cue just after them ("Apple
logo") or just before them ("an ad for Amazon").
"""

from pathlib import Path

from engine.guard.text import PhraseIndex, tokens

LEXICON_DIR = Path(__file__).resolve().parents[2] / "assets" / "guard" / "lexicons"


def read_sections(path: Path) -> dict[str, list[str]]:
    """A lexicon file's terms by [section] ('' before any header); '#' lines are comments."""
    if not path.exists():
        raise FileNotFoundError(f"guard lexicon missing: {path}; restore it from the repository")
    sections, current = {"": []}, ""
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            sections.setdefault(current, [])
        else:
            sections[current].append(line)
    return sections


class Lexicon:
    """One category's terms; `find(text)` returns the first term found, or None."""

    def __init__(self, terms: list[str], ambiguous=(), cues_after=(), cues_before=()):
        self.index = PhraseIndex(terms)
        self.ambiguous = _normalised(ambiguous)
        self.cues_after = _normalised(cues_after)
        self.cues_before = _normalised(cues_before)

    def find(self, text: str) -> str | None:
        found = self.index.find(text)
        if found or not self.ambiguous:
            return found
        words = tokens(text)
        for i, word in enumerate(words):
            if word in self.ambiguous:
                after = {" ".join(words[i + 1:i + 2]), " ".join(words[i + 1:i + 3])}
                before = {" ".join(words[max(0, i - 2):i]), " ".join(words[max(0, i - 1):i])}
                if self.cues_after & after or self.cues_before & before:
                    return word
        return None


def _normalised(phrases) -> set[str]:
    return {" ".join(tokens(p)) for p in phrases} - {""}


def load(category: str, directory: Path = LEXICON_DIR) -> Lexicon:
    """The lexicon of a built-in category (or 'jailbreak')."""
    sections = read_sections(Path(directory) / f"{category}.txt")
    terms = sections.get("", []) + sections.get("brands", [])
    return Lexicon(terms, sections.get("needs context", []), sections.get("cues after", []),
                   sections.get("cues before", []))
