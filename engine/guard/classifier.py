"""The guard's topic classifier on all-MiniLM-L6-v2 sentence embeddings.

It is a nearest-neighbour classifier over the exemplars in assets/guard/exemplars/: a chunk's
score for a category is the mean cosine similarity of its K nearest violating exemplars of that
category minus the mean similarity of its K nearest other exemplars (harmless sentences, near
misses and the other categories' violating ones). Each category has a threshold per modality
(copy briefs, image prompts, voice scripts and chat messages score differently) and 'jailbreak'
one threshold, chosen on the calibration split (assets/guard/sets/). The exemplars' embeddings, K and the
thresholds are stored in assets/guard/model.npz and model.json by
`python -m engine.guard.calibrate`. A text is scored chunk by chunk (engine.guard.text.chunks)
and a category's score is its highest chunk's, so a request wrapped in a long jailbreak keeps
its own score.

A creator's own topic (a name and example phrases) is scored the same way with the topic's
phrases as its exemplars: the best similarity to one of them minus the mean similarity to the K
nearest harmless exemplars. One threshold serves every topic; it is chosen on the calibration
split by treating each built-in category, described in three phrases, as a creator's topic.
"""

import hashlib
import json
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.guard.text import canonical

ASSETS = Path(__file__).resolve().parents[2] / "assets" / "guard"
MODEL_PATH = ASSETS / "model.json"
EXEMPLAR_DIR = ASSETS / "exemplars"
BUILTIN = ("adult", "political", "violence", "hate", "public_figures", "brands")
SCORED = BUILTIN + ("jailbreak",)
RECALIBRATE = "run `python -m engine.guard.calibrate` to fit and calibrate it again"


def read_exemplars(directory: Path = EXEMPLAR_DIR) -> dict[str, dict[str, list[str]]]:
    """{name: {"violating": [...], "near_miss": [...]}} for every exemplar file."""
    from engine.guard.lexicon import read_sections

    found = {}
    for path in sorted(Path(directory).glob("*.txt")):
        sections = read_sections(path)
        found[path.stem] = {"violating": sections.get("violating", []),
                            "near_miss": sections.get("near_miss", [])}
    return found


def exemplars_digest(directory: Path = EXEMPLAR_DIR) -> str:
    """A hash of the exemplar files: a model fitted on other exemplars is out of date."""
    digest = hashlib.sha256()
    for path in sorted(Path(directory).glob("*.txt")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


class TopicModel:
    """Exemplar embeddings with their owners (a category for violating exemplars, 'harmless'
    otherwise), K, and thresholds ({modality: {category: t}} plus {"jailbreak": t}); scores chunk
    embeddings (numpy only)."""

    def __init__(self, vectors: np.ndarray, owners: list[str], k: int, thresholds: dict,
                 topic_threshold: float, meta: dict):
        self.vectors = np.asarray(vectors, dtype=np.float32)
        self.owners = np.asarray(owners)
        self.k = int(k)
        self.thresholds = dict(thresholds)
        self.topic_threshold = float(topic_threshold)
        self.meta = meta
        self._columns = {name: (np.flatnonzero(self.owners == name), np.flatnonzero(self.owners != name))
                         for name in SCORED}
        self._harmless = self.vectors[self.owners == "harmless"]

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> "TopicModel":
        """Read model.json and model.npz; raises with the fix when missing or out of date."""
        path = Path(path)
        arrays = path.with_suffix(".npz")
        if not path.exists() or not arrays.exists():
            raise FileNotFoundError(f"the guard's classifier ({path}, {arrays.name}) is missing: {RECALIBRATE}")
        data = json.loads(path.read_text())
        if path == MODEL_PATH and data["meta"].get("exemplars") != exemplars_digest():
            raise RuntimeError(f"the guard's classifier was fitted on other exemplars than those in "
                               f"{EXEMPLAR_DIR}: {RECALIBRATE}")
        stored = np.load(arrays, allow_pickle=False)
        return cls(stored["vectors"], stored["owners"].tolist(), data["k"], data["thresholds"],
                   data["topic_threshold"], data["meta"])

    def save(self, path: Path = MODEL_PATH) -> None:
        """Write model.json (K, thresholds, meta) and model.npz (exemplar embeddings, float16)."""
        path = Path(path)
        np.savez_compressed(path.with_suffix(".npz"), vectors=self.vectors.astype(np.float16),
                            owners=self.owners.astype(str))
        data = {"k": self.k, "topic_threshold": round(self.topic_threshold, 5),
                "thresholds": _rounded(self.thresholds), "meta": self.meta}
        path.write_text(json.dumps(data, indent=1) + "\n")

    def threshold(self, modality: str, name: str) -> float:
        """The score above which `name` blocks a text of this modality."""
        return self.thresholds["jailbreak"] if name == "jailbreak" else self.thresholds[modality][name]

    def scores(self, vectors: np.ndarray, names) -> dict[str, np.ndarray]:
        """Per category, each row's score: mean similarity to its K nearest violating exemplars of
        the category minus mean similarity to its K nearest other exemplars."""
        similarity = np.asarray(vectors, dtype=np.float32) @ self.vectors.T
        found = {}
        for name in names:
            mine, others = self._columns[name]
            found[name] = _top_mean(similarity[:, mine], self.k) - _top_mean(similarity[:, others], self.k)
        return found


    def topic_scores(self, vectors: np.ndarray, phrase_vectors: np.ndarray) -> np.ndarray:
        """Each row's score for a creator's topic: its best similarity to one of the topic's
        phrases minus its mean similarity to the K nearest harmless exemplars."""
        vectors = np.asarray(vectors, dtype=np.float32)
        best = (vectors @ np.asarray(phrase_vectors, dtype=np.float32).T).max(axis=1)
        return best - _top_mean(vectors @ self._harmless.T, self.k)


def _rounded(value):
    return {k: _rounded(v) for k, v in value.items()} if isinstance(value, dict) else round(float(value), 5)


def _top_mean(similarity: np.ndarray, k: int) -> np.ndarray:
    k = min(k, similarity.shape[1])
    return np.partition(similarity, -k, axis=1)[:, -k:].mean(axis=1)


class Embedder:
    """MiniLM sentence embeddings (engine.fidelity.text.TextEmbedder, loaded on first use) behind
    a lock, with a larger cache: jailbreak wrappers repeat the same sentences."""

    def __init__(self, embedder=None, cache_size: int = 60_000):
        if embedder is None:
            from engine.fidelity.text import TextEmbedder
            embedder = TextEmbedder(cache_size=cache_size)
        self._embedder = embedder
        self._lock = threading.Lock()

    def encode(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return self._embedder.encode(list(texts))


def topic_phrases(topic: dict) -> list[str]:
    """The texts a creator's topic is matched against: its name and its example phrases."""
    return [canonical(t) for t in [topic["name"], *topic.get("phrases", [])] if t.strip()]
