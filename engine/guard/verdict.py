"""What the guard decides (a Verdict) and what the buyer reads when it blocks: short, polite,
and without a lecture."""

from dataclasses import dataclass, field

# Built-in categories a creator can switch on, with the words the buyer and the creator read.
CATEGORY_LABELS = {
    "adult": "adult content",
    "political": "political content",
    "violence": "violent content",
    "hate": "hateful content",
    "public_figures": "real public figures",
    "brands": "named brands",
}
IMAGE_OUTPUT_GAP = ("Generated images are checked for nudity (open_nsfw) and for the words in them "
                    "(OCR); what a picture shows without words (a flag, a weapon, a logo) cannot be "
                    "recognised offline, so those boundaries hold on the prompt only.")


@dataclass(frozen=True)
class Verdict:
    """The guard's decision on one request or output.

    `category` is a built-in category, 'topic', 'word' or 'jailbreak' when blocked; `label` names
    what was found (the category's label, the topic's name or the word); `evidence` is the part of
    the text that decided it (for the admin's log, never shown to the buyer); `score` is the
    classifier's score minus its threshold (None for word and lexicon matches); `unchecked` lists
    what could not be inspected (e.g. image pixels)."""

    allowed: bool
    stage: str
    modality: str
    category: str | None = None
    label: str = ""
    reason: str = ""
    evidence: str = ""
    score: float | None = None
    unchecked: tuple[str, ...] = field(default_factory=tuple)

    @property
    def log_reason(self) -> str:
        """One line for the guard log: what was found and how."""
        how = "matched" if self.score is None else f"classifier margin {self.score:+.2f}"
        return f"{self.category}: {self.label} ({how})"


def buyer_reason(creator: str, category: str, label: str, stage: str) -> str:
    """The buyer-facing reason for a block, polite and short."""
    if category == "jailbreak":
        return (f"{creator}'s model only works within the creator's boundaries, so it can't follow "
                "instructions to set them aside. Please send the request on its own — you have not "
                "been charged.")
    what = CATEGORY_LABELS.get(category, f"work involving “{label}”")
    if category in CATEGORY_LABELS:
        what = {"public_figures": "work featuring real public figures",
                "brands": "work featuring named brands"}.get(category, what)
    if stage == "request":
        return f"{creator} doesn't take on {what}. Please rephrase your request without it — you have not been charged."
    return (f"The result touched {what}, which {creator} has ruled out, so it was withheld and you have "
            "not been charged. Try a different request.")
