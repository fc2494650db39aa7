"""What the assistant loads once per Engine: the sentence embedder (shared with the guard), the
fitted trigger model and each seller's detector, rebuilt when their topics or gigs change."""

import collections
import hashlib
import json
import threading

import numpy as np

from engine.assistant.triggers import TriggerModel
from storage import topics as topic_store

MAX_SELLERS = 64


class AssistantModels:
    """Embeddings, the trigger model and per-seller detectors, loaded on first use."""

    DISCLOSURE_SIMILARITY = 0.72  # a message this close to a question "are you an AI?" is one

    def __init__(self, embedder):
        self._embedder = embedder
        self._lock = threading.Lock()
        self._triggers = None
        self._disclosure = None
        self._detectors: collections.OrderedDict = collections.OrderedDict()

    def embed(self, texts: list[str]) -> np.ndarray:
        """L2-normalised MiniLM embeddings, one row per text."""
        return self._embedder.encode(list(texts))

    @property
    def triggers(self) -> TriggerModel:
        with self._lock:
            if self._triggers is None:
                self._triggers = TriggerModel(self._embedder)
            return self._triggers

    def disclosure_score(self, vector: np.ndarray) -> float:
        """The message's best similarity to the example questions whether one talks to an AI."""
        if self._disclosure is None:
            from assets.assistant_examples import DISCLOSURE_QUESTIONS
            self._disclosure = self.embed(DISCLOSURE_QUESTIONS)
        return float((self._disclosure @ vector).max())

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
