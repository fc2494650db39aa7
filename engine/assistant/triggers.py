"""Trigger topics: which buyer messages the assistant hands to the creator.

A message is embedded twice, with the assistant's own encoder (all-MiniLM-L6-v2 with a LoRA adapter
fitted so that messages of one kind cluster: engine/assistant/tuning.py) and with the plain MiniLM,
the two side by side (tuning.PairedEmbedder: a similarity is the mean of the two). The built-in topics are told
apart from ordinary buyer messages by a logistic regression fitted on the examples in
assets/assistant_examples.py. A creator's own topic is scored the way the guard scores boundary
topics: the mean similarity of the message's K nearest phrases of the topic (its name and example
phrases) minus the mean similarity of its K nearest ordinary buyer messages. A creator topic's
words, and any topic's example phrases of three words or more written out in a message, hand off
on their own (typos of one letter and word endings allowed); a built-in topic's cues (its words
and common phrases in English and five other languages, CUES) lower its bar instead. "Outside the
creator's services" compares the message with a catalogue of freelance services
(assets/assistant_examples.SERVICES): a request nearer to a service none of the creator's gigs is
nearest to than to anything ordinary or offered hands off. Ordinary messages about one kind of work
(ORDINARY_ABOUT: "how many audiobooks have you narrated?") count as ordinary there only for a
creator who offers it. Every message is scored as written and again with its typos mended
(spelling.py), the higher score counting.

The thresholds are chosen on held-out fitted examples alone, with an adapter fitted without them
(bench/assistant_calibrate.py), never on the evaluation set.
"""

import dataclasses
import functools
import re
import unicodedata

import numpy as np

from engine.assistant import spelling
from storage.topics import OUTSIDE_SERVICES

K = 3
# Chosen by bench/assistant_calibrate.py on four folds of held-out examples, at 3 % of ordinary
# messages handed off.
BUILTIN_PROBABILITY = 0.75  # a built-in topic's probability that hands off
CUE_PROBABILITY = 0.40  # the same when the message holds one of the topic's cues (CUES)
BUILTIN_C = 16.0  # the logistic regression's inverse regularisation
CUSTOM_MARGIN = -0.14  # a creator topic's score over the nearest ordinary messages that hands off
OUTSIDE_MARGIN = 0.03  # how much nearer an unoffered service must be than anything ordinary
COVERED_TIE = 0.03  # services this close to a gig's nearest one are offered too

# The built-in topics' cues in other languages (and common English set phrases).
CUES = {
    "Custom pricing or discounts": [
        "discount", "cheaper", "custom quote", "price match", "lower the price", "knock off",
        "descuento", "rebaja", "mas barato", "rabais", "reduction", "remise", "moins cher",
        "rabatt", "billiger", "gunstiger", "preisnachlass", "sconto", "piu economico", "desconto",
        "mais barato", "korting", "goedkoper"],
    "Asking for a human": [
        "real person", "talk to a human", "speak to a human", "actual person", "live agent",
        "persona real", "un humano", "vraie personne", "un humain",
        "echten menschen", "einem menschen", "mit einem mensch", "persona reale", "un umano",
        "pessoa real", "um humano", "echt persoon", "een mens"],
    "Disputes and refunds": [
        "chargeback", "dispute", "money back", "refund me", "my refund", "a refund", "full refund",
        "reembolso", "devolucion", "mi dinero", "remboursement", "rembourser", "litige",
        "geld zuruck", "ruckerstattung", "erstattung", "reklamation", "rimborso", "soldi indietro",
        "dinheiro de volta", "terugbetaling", "geld terug"],
}


def fold(text: str) -> str:
    """Lower case without accents, words separated by single spaces."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.findall(r"[a-z0-9$%']+", text))


SUFFIXES = ("ations", "ation", "ings", "ing", "ers", "ies", "ied", "ed", "er", "es", "s")


def stem(word: str) -> str:
    """`word` without one common English ending, if five letters remain ("printing" -> "print")."""
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[:-len(suffix)]
    return word


def _near(a: str, b: str) -> bool:
    """Whether message word `a` is cue word `b`: equal, a plural, the same stem with an ending of
    its own ("printed" is "printing", "print" is not), or (five letters or more) one edit or swap apart."""
    if a == b or a == b + "s":
        return True
    if a[:4] == b[:4] and stem(a) == stem(b) and stem(a) != a:  # a shared stem has four letters or more
        return True
    if min(len(a), len(b)) < 5 or abs(len(a) - len(b)) > 1 or (a[0] != b[0] and a[-1] != b[-1]):
        return False  # one edit or swap in five letters or more keeps the first or the last
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


@functools.lru_cache(maxsize=4096)
def _cue_words(cue: str) -> tuple[str, ...]:
    return tuple(fold(cue).split())


def word_hit(message_words: list[str], cue: str) -> bool:
    """Whether the words of `cue` appear in a row in the message (typos of one letter allowed)."""
    cue_words = _cue_words(cue)
    n = len(cue_words)
    if n == 0:
        return False
    first, rest = cue_words[0], cue_words[1:]
    return any(_near(message_words[i], first) and all(_near(w, c) for w, c in zip(message_words[i + 1:i + n], rest))
               for i in range(len(message_words) - n + 1))


@dataclasses.dataclass(frozen=True)
class Match:
    """A message's trigger topic, with what matched (a word, or a score over its margin)."""
    topic: str
    evidence: str
    score: float


def about(text: str) -> frozenset[str]:
    """The catalogue services an ordinary example message is about, by its words
    (assets/assistant_examples.ORDINARY_ABOUT); empty when it names no kind of work."""
    from assets.assistant_examples import ORDINARY_ABOUT as rules

    words = fold(text).split()
    return frozenset(s for services, cues in rules if any(word_hit(words, c) for c in cues) for s in services)


def fit_builtin(embedder, builtin: dict[str, list[str]], ordinary: list[str], c: float = BUILTIN_C):
    """A logistic regression over MiniLM embeddings: class 0 ordinary messages, then one class per
    built-in topic (in `builtin`'s order)."""
    from sklearn.linear_model import LogisticRegression

    texts, labels = list(ordinary), [0] * len(ordinary)
    for index, examples in enumerate(builtin.values(), start=1):
        texts += examples
        labels += [index] * len(examples)
    return LogisticRegression(C=c, max_iter=2000).fit(embedder.encode(texts), labels)


def example_words(builtin: dict[str, list[str]], ordinary: list[str], services: dict[str, list[str]]) -> dict[str, int]:
    """The words of the fitted examples, with how often each occurs: the vocabulary typos are
    mended towards (spelling.Speller)."""
    return spelling.words_of([*ordinary, *(t for texts in builtin.values() for t in texts),
                              *(t for texts in services.values() for t in texts)])


def _top_mean(sims: np.ndarray, k: int = K) -> np.ndarray:
    """Row-wise mean of the k largest values."""
    k = min(k, sims.shape[1])
    return np.sort(sims, axis=1)[:, -k:].mean(axis=1)


class TriggerModel:
    """The fitted examples, embedded once; `for_seller` makes a seller's detector."""

    def __init__(self, embedder, builtin: dict | None = None, ordinary: list[str] | None = None,
                 services: dict | None = None):
        """`builtin`, `ordinary` and `services` default to the examples in
        assets/assistant_examples.py (ordinary: BENIGN and DISCLOSURE_QUESTIONS)."""
        from assets import assistant_examples as examples

        self.embedder = embedder
        self.builtin = {name: list(texts) for name, texts in (builtin or examples.BUILTIN_EXAMPLES).items()}
        self.ordinary = list(ordinary or list(examples.BENIGN) + list(examples.DISCLOSURE_QUESTIONS))
        self.services = {name: list(texts) for name, texts in (services or examples.SERVICES).items()}
        self._ordinary_vecs = embedder.encode(self.ordinary)
        self.ordinary_about = [about(text) for text in self.ordinary]
        self.classes = ["", *self.builtin]
        self.classifier = fit_builtin(embedder, self.builtin, self.ordinary)
        self._service_names = [n for n, texts in self.services.items() for _ in texts]
        self._service_index = {name: np.array([i for i, n in enumerate(self._service_names) if n == name])
                               for name in self.services}
        self._service_vecs = embedder.encode([t for texts in self.services.values() for t in texts])
        centres = np.stack([embedder.encode([name, *texts]).mean(axis=0) for name, texts in self.services.items()])
        self.service_centres = centres / np.linalg.norm(centres, axis=1, keepdims=True)
        self.vocabulary = example_words(self.builtin, self.ordinary, self.services)

    def service_scores(self, vector: np.ndarray, k: int = 2) -> dict[str, float]:
        """Each catalogue service's score for a message: the mean similarity of its k nearest
        request phrasings."""
        sims = self._service_vecs @ vector
        found = {}
        for name in self.services:
            found[name] = float(np.sort(sims[self._service_index[name]])[-k:].mean())
        return found

    def for_seller(self, topics: list[dict], offer_texts: list[str]) -> "TriggerDetector":
        """A detector for one seller's topics (rows of storage.topics) and offer (their gigs'
        titles and descriptions, Grounding.gig_texts)."""
        return TriggerDetector(self, topics, offer_texts)


class TriggerDetector:
    """One seller's trigger topics, ready to score messages."""

    def __init__(self, model: TriggerModel, topics: list[dict], offer_texts: list[str]):
        self.model = model
        self.topics = []  # (name, example vectors, margin, words)
        for topic in topics:
            if topic["name"] == OUTSIDE_SERVICES:
                continue
            texts = [topic["name"], *topic["phrases"]]
            vecs = model.embedder.encode(texts)
            builtin = bool(topic["builtin"]) and topic["name"] in model.builtin
            words = [] if builtin else list(topic["words"])
            cues = list(topic["words"]) + CUES.get(topic["name"], []) if builtin else []
            self.topics.append((topic["name"], None if builtin else vecs, words, cues))
        # a topic's example phrases written out in a message hand off on their own
        self.phrases = [(t["name"], [p for p in t["phrases"] if len(fold(p).split()) >= 3]) for t in topics]
        self.outside = any(t["name"] == OUTSIDE_SERVICES for t in topics)
        # typos are mended towards the examples' words and this creator's own
        vocabulary = dict(model.vocabulary)
        for word, count in spelling.words_of([*offer_texts, *(text for t in topics for text in
                                                              [t["name"], *t["phrases"], *t["words"]])]).items():
            vocabulary[word] = vocabulary.get(word, 0) + count
        self.speller = spelling.Speller(vocabulary)
        self.covered = self._covered(offer_texts) if self.outside else set()
        # the ordinary messages that are ordinary to this creator: about no kind of work, or one they offer
        mine = [i for i, services in enumerate(model.ordinary_about) if not services or services & self.covered]
        self._my_ordinary_vecs = model._ordinary_vecs[mine] if mine else model._ordinary_vecs

    def _covered(self, offer_texts: list[str]) -> set[str]:
        """The catalogue services nearest to each of the creator's gigs (and their headline)."""
        if not offer_texts:
            return set(self.model.services)
        names = list(self.model.services)
        centres = self.model.service_centres
        covered = set()
        for sims in self.model.embedder.encode(offer_texts) @ centres.T:
            covered |= {names[i] for i in np.flatnonzero(sims >= sims.max() - COVERED_TIE)}
        return covered

    def scores(self, message: str, vector: np.ndarray | None = None, cued: frozenset = frozenset()) -> dict[str, float]:
        """Each topic's score minus its bar (> 0 hands off; `cued`: built-in topics whose cues the
        message holds), and the nearest service the creator does not offer."""
        vector = self.model.embedder.encode([message])[0] if vector is None else vector
        ordinary = float(_top_mean(vector[None] @ self.model._ordinary_vecs.T)[0])
        found = {}
        probabilities = dict(zip(self.model.classes, self.model.classifier.predict_proba(vector[None])[0]))
        for name, vecs, _, _ in self.topics:
            if vecs is None:
                bar = CUE_PROBABILITY if name in cued else BUILTIN_PROBABILITY
                found[name] = float(probabilities[name]) - bar
            else:
                found[name] = float(_top_mean(vector[None] @ vecs.T)[0]) - ordinary - CUSTOM_MARGIN
        if self.outside:
            service, score = self.outside_score(vector)
            found[OUTSIDE_SERVICES] = score - OUTSIDE_MARGIN
            found["_service"] = service
        return found

    def outside_score(self, vector: np.ndarray) -> tuple[str, float]:
        """(the nearest service the creator does not offer, how much nearer the message is to it
        than to messages ordinary to this creator and to the services they do offer)."""
        ordinary = float(_top_mean(vector[None] @ self._my_ordinary_vecs.T)[0])
        by_service = self.model.service_scores(vector)
        covered = max((score for name, score in by_service.items() if name in self.covered), default=-1.0)
        service, score = max(((n, s) for n, s in by_service.items() if n not in self.covered),
                             key=lambda kv: kv[1], default=("", -1.0))
        return service, score - max(ordinary, covered)

    def match(self, message: str, vector: np.ndarray | None = None) -> Match | None:
        """The topic `message` falls under, or None when the assistant may answer it. A message
        is scored piece by piece (`chunks`: the embedder reads 128 word pieces), so a request
        after other text still counts, and scored again with its typos mended (spelling.py)."""
        mended = self.speller.mend(message)
        texts = [message] if mended == message else [message, mended]
        word_lists = [fold(text).split() for text in texts]
        for words in word_lists:
            for name, _, topic_words, _ in self.topics:
                hit = next((word for word in topic_words if word_hit(words, word)), None)
                if hit:
                    return Match(name, f"word '{hit}'", 1.0)
            for name, phrases in self.phrases:
                hit = next((phrase for phrase in phrases if word_hit(words, phrase)), None)
                if hit:
                    return Match(name, f"phrase '{hit}'", 1.0)
        cued = frozenset(name for name, _, _, cues in self.topics
                         if any(word_hit(words, c) for words in word_lists for c in cues))
        pieces = list(dict.fromkeys(piece for text in texts for piece in chunks(text)))
        vectors = ([vector] if vector is not None and len(pieces) == 1
                   else list(self.model.embedder.encode(pieces)))
        best = None
        for piece, piece_vector in zip(pieces, vectors):
            scores = self.scores(piece, piece_vector, cued)
            name, score = max(((n, s) for n, s in scores.items() if not n.startswith("_")),
                              key=lambda kv: kv[1], default=(None, -1.0))
            if name and score > 0 and (best is None or score > best.score):
                evidence = (f"asks for {scores['_service']}" if name == OUTSIDE_SERVICES
                            else f"score {score:+.2f} over its margin")
                best = Match(name, evidence, score)
        return best


def chunks(message: str, words: int = 60) -> list[str]:
    """The pieces a message is scored by: the message whole when short, else runs of whole
    sentences of about `words` words; and, when it has more than one, each paragraph and each
    sentence of three words or more on its own, so that a request after other text (a long one,
    or a short one that outweighs it) is not diluted by it."""
    sentence_texts = [t.strip() for t in re.findall(r"[^.!?\n]+[.!?]*", message) if t.strip()]
    if len(message.split()) <= words:
        pieces = [message]
    else:
        pieces, current = [], []
        for sentence in sentence_texts:
            if current and len(" ".join(current).split()) + len(sentence.split()) > words:
                pieces.append(" ".join(current))
                current = []
            current.append(sentence)
        if current:
            pieces.append(" ".join(current))
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", message) if p.strip()]
    sentences = [t for t in sentence_texts if len(t.split()) >= 3]
    extra = (paragraphs if len(paragraphs) > 1 else []) + (sentences if len(sentences) > 1 else [])
    return list(dict.fromkeys(pieces + extra))
