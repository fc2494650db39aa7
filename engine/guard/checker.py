"""The Guard: one check for every modality, before generation (the request) and after it (the
output), against one creator's boundaries.

A text is checked in this order, stopping at the first block:
1. the creator's banned words and topic phrases, matched after normalisation;
2. the keyword lexicon of each built-in category the creator switched on, and of 'jailbreak';
3. the topic classifier (engine.guard.classifier) on every chunk of the text, for the same
   categories, and similarity to the creator's own topics.
The jailbreak check runs on requests of creators who set any boundary: a request that asks the
model to ignore its rules is refused even when its payload is harmless.

Per modality: text briefs and copy, image prompts, voice scripts (the clip speaks the checked
script) and assistant messages and replies are text. A generated image is checked for nudity
(open_nsfw, when the creator bans adult content) and by the words OCR reads in it, which are
checked as text and also squashed together, since OCR often loses the spaces between words
(engine.guard.image). What a picture shows without words (a flag, a weapon) is not detected
(IMAGE_OUTPUT_GAP).
"""

from pathlib import Path

import numpy as np

from engine.guard import lexicon
from engine.guard.classifier import BUILTIN, MODEL_PATH, Embedder, TopicModel, topic_phrases
from engine.guard.text import PhraseIndex, chunks, tokens
from engine.guard.verdict import CATEGORY_LABELS, Verdict, buyer_reason

MODALITIES = ("text", "image", "voice", "assistant")


def normalise_boundaries(boundaries: dict | None) -> dict:
    """Boundaries as the guard reads them: known categories, topics as {name, phrases} (a plain
    string is a topic whose only phrase is its name) and words."""
    boundaries = boundaries or {}
    topics = []
    for topic in boundaries.get("topics", []):
        if isinstance(topic, str):
            topic = {"name": topic, "phrases": []}
        if topic.get("name", "").strip():
            topics.append({"name": topic["name"].strip(),
                           "phrases": [p.strip() for p in topic.get("phrases", []) if p.strip()]})
    return {"categories": [c for c in boundaries.get("categories", []) if c in BUILTIN],
            "topics": topics, "words": [w for w in boundaries.get("words", []) if w.strip()]}


def has_boundaries(boundaries: dict) -> bool:
    """True when the creator switched on a category or set a topic or word."""
    limits = normalise_boundaries(boundaries)
    return bool(limits["categories"] or limits["topics"] or limits["words"])


class Guard:
    """Checks requests and outputs against a creator's boundaries. One per Engine: it holds the
    lexicons, the fitted classifier and the sentence embedder (loaded on the first check that
    needs it)."""

    def __init__(self, model_path: Path = MODEL_PATH, embedder=None, inspector=None):
        self.lexicons = {name: lexicon.load(name) for name in (*BUILTIN, "jailbreak")}
        self.model = TopicModel.load(model_path)
        self.embedder = embedder if isinstance(embedder, Embedder) else Embedder(embedder)
        self._inspector = inspector

    def check_request(self, modality: str, content: str, boundaries: dict,
                      creator: str = "This creator", jailbreak: bool = True) -> Verdict:
        """Check a request (a brief, an image prompt, a voice script, a message to the assistant)
        before anything is generated. `jailbreak=False` leaves out the jailbreak check (the
        benchmark uses it to show what the topic checks hold on their own)."""
        _check_modality(modality)
        return self._check_text(modality, "request", content, boundaries, creator, jailbreak)

    def check_output(self, modality: str, content, boundaries: dict,
                     creator: str = "This creator") -> Verdict:
        """Check what was generated: text (copy, an assistant's reply, the words a voice clip
        speaks) or an image (a PIL image or a file's path: its NSFW score and the words in it)."""
        _check_modality(modality)
        if modality == "image":
            return self._check_image(content, boundaries, creator)
        return self._check_text(modality, "output", content, boundaries, creator, jailbreak=False)

    def inspector(self):
        """The image inspector (NSFW classifier and OCR), created on first use."""
        if self._inspector is None:
            from engine.guard.image import ImageInspector

            self._inspector = ImageInspector()
        return self._inspector

    def _check_image(self, image, boundaries, creator) -> Verdict:
        from engine.guard.image import NSFW_THRESHOLD

        limits = normalise_boundaries(boundaries)
        if not has_boundaries(limits):
            return Verdict(True, "output", "image")
        seen = self.inspector().inspect(image)
        if "adult" in limits["categories"] and seen["nsfw"] >= NSFW_THRESHOLD:
            return Verdict(False, "output", "image", "adult", CATEGORY_LABELS["adult"],
                           buyer_reason(creator, "adult", CATEGORY_LABELS["adult"], "output"),
                           f"open_nsfw {seen['nsfw']:.2f}", seen["nsfw"] - NSFW_THRESHOLD)
        verdict = self._check_text("image", "output", seen["text"], boundaries, creator, jailbreak=False)
        if not verdict.allowed:
            return verdict
        squashed = "".join(tokens(seen["text"]))
        indexes = [("word", PhraseIndex(limits["words"]))]
        indexes += [("topic", PhraseIndex([t["name"], *t["phrases"]])) for t in limits["topics"]]
        indexes += [(name, self.lexicons[name].index) for name in limits["categories"]]
        for category, index in indexes:
            for needle, phrase in index.phrases.items():
                joined = needle.replace(" ", "")
                if len(joined) >= 4 and joined in squashed:
                    label = (phrase if category in ("word", "topic", "brands", "public_figures")
                             else CATEGORY_LABELS.get(category, category))
                    return Verdict(False, "output", "image", category, label,
                                   buyer_reason(creator, category, label, "output"), seen["text"][:300])
        return verdict

    # --- the checks -----------------------------------------------------------------------

    def _check_text(self, modality, stage, text, boundaries, creator, jailbreak) -> Verdict:
        text = text if isinstance(text, str) else ""
        limits = normalise_boundaries(boundaries)
        names = list(limits["categories"])
        if not (names or limits["topics"] or limits["words"]) or not text.strip():
            return Verdict(True, stage, modality)
        if jailbreak:
            names.append("jailbreak")

        def blocked(category, label, evidence, score=None):
            return Verdict(False, stage, modality, category, label,
                           buyer_reason(creator, category, label, stage), evidence[:300], score)

        word = PhraseIndex(limits["words"]).find(text)
        if word:
            return blocked("word", word, word)
        for topic in limits["topics"]:
            phrase = PhraseIndex([topic["name"], *topic["phrases"]]).find(text)
            if phrase:
                return blocked("topic", topic["name"], phrase)
        for name in names:
            term = self.lexicons[name].find(text)
            if term:
                return blocked(name, term if name in ("brands", "public_figures") else name, term)
        pieces = chunks(text)
        if not pieces:
            return Verdict(True, stage, modality)
        vectors = self.embedder.encode(pieces)
        best = None
        for name, scores in self.model.scores(vectors, names).items():
            i = int(np.argmax(scores))
            margin = float(scores[i] - self.model.threshold(modality, name))
            if margin > 0 and (best is None or margin > best[2]):
                best = (name, pieces[i], margin)
        if best:
            return blocked(best[0], best[0], best[1], round(best[2], 3))
        for topic in limits["topics"]:
            scores = self.model.topic_scores(vectors, self.embedder.encode(topic_phrases(topic)))
            i = int(np.argmax(scores))
            margin = float(scores[i] - self.model.topic_threshold)
            if margin > 0:
                return blocked("topic", topic["name"], pieces[i], round(margin, 3))
        return Verdict(True, stage, modality)


def _check_modality(modality: str) -> None:
    if modality not in MODALITIES:
        raise ValueError(f"modality must be one of {MODALITIES}, not {modality!r}")
