"""What the assistant loads once per Engine: the sentence embedder (shared with the guard) for
finding passages, answers and gigs; the assistant's own fine-tuned encoder beside it
(engine/assistant/tuning.py: PairedEmbedder) for trigger topics and questions whether one talks to an AI; the fitted trigger model and each
seller's detector, rebuilt when their topics or gigs change."""

import collections
import hashlib
import json
import threading

import numpy as np

from engine.assistant.triggers import TriggerModel
from engine.assistant.tuning import tuned_half
from storage import topics as topic_store

MAX_SELLERS = 64


class AssistantModels:
    """Embeddings, the trigger model and per-seller detectors, loaded on first use."""

    # a message this close to a question "are you an AI?" is one (bench/assistant_calibrate.py: at
    # most 1 % of ordinary messages, since a wrong "yes, I'm an AI" replaces an answer)
    DISCLOSURE_SIMILARITY = 0.86

    def __init__(self, embedder, trigger_embedder):
        self._embedder = embedder
        self._trigger_embedder = trigger_embedder
        self._lock = threading.Lock()
        self._triggers = None
        self._disclosure = None
        self._detectors: collections.OrderedDict = collections.OrderedDict()

    def embed(self, texts: list[str]) -> np.ndarray:
        """L2-normalised MiniLM embeddings, one row per text."""
        return self._embedder.encode(list(texts))

    def trigger_vector(self, message: str) -> np.ndarray:
        """The message in the trigger encoder's space (trigger topics, disclosure)."""
        return self._trigger_embedder.encode([message])[0]

    @property
    def triggers(self) -> TriggerModel:
        with self._lock:
            if self._triggers is None:
                self._triggers = TriggerModel(self._trigger_embedder)
            return self._triggers

    def disclosure_score(self, vector: np.ndarray) -> float:
        """The message's best similarity (`trigger_vector`) to the example questions whether one
        talks to an AI, in the tuned encoder's half alone (with the frozen half beside it,
        held-out recall at 1 % of ordinary messages fell from 0.95 to 0.89)."""
        if self._disclosure is None:
            from assets.assistant_examples import DISCLOSURE_QUESTIONS
            self._disclosure = tuned_half(self._trigger_embedder.encode(list(DISCLOSURE_QUESTIONS)))
        return float((self._disclosure @ tuned_half(vector)).max())

    def detector(self, db, seller_id: int, ground):
        """The seller's trigger detector, cached until their topics or gigs change."""
        rows = topic_store.topics_for(db, seller_id)
        offer = ground.gig_texts
        key = hashlib.sha256(json.dumps([rows, offer], sort_keys=True, default=str).encode()).hexdigest()
        with self._lock:
            cached = self._detectors.get(seller_id)
            if cached and cached[0] == key:
                self._detectors.move_to_end(seller_id)
                return cached[1]
        detector = self.triggers.for_seller(rows, offer)
        with self._lock:
            self._detectors[seller_id] = (key, detector)
            while len(self._detectors) > MAX_SELLERS:
                self._detectors.popitem(last=False)
        return detector
