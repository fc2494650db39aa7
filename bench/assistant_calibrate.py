"""Choose the assistant's trigger thresholds on the fitted examples alone (assets/assistant_examples.py).

- built-in topics: 5-fold cross-validated probabilities of the logistic regression; the lowest
  threshold whose ordinary messages hand off at most `--ordinary-rate` of the time;
- a creator's own topic: each built-in topic played as a creator's topic (its name and three
  random example phrases), its other examples as the messages that must hand off;
- outside services: for each demo creator's gigs, catalogue requests they do not offer (each left
  out of the catalogue in turn) against ordinary messages and requests they do offer.
Prints the recall and ordinary hand-off rate at each chosen value, then one JSON object.
The evaluation set (tests/data/assistant_eval.json) is never read here.
"""

import argparse
import json
import random
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assets import assistant_examples as examples  # noqa: E402
from assets.demo import CREATORS  # noqa: E402
from engine.assistant import triggers  # noqa: E402
from engine.fidelity.text import TextEmbedder  # noqa: E402


def lowest_passing(pos: np.ndarray, neg: np.ndarray, rate: float, grid) -> tuple[float, float, float]:
    """(threshold, recall, ordinary rate) for the lowest threshold with neg rate <= rate."""
    for t in grid:
        if (neg > t).mean() <= rate:
            return float(t), float((pos > t).mean()), float((neg > t).mean())
    t = grid[-1]
    return float(t), float((pos > t).mean()), float((neg > t).mean())


def builtin(embed, rate):
    from sklearn.model_selection import StratifiedKFold
    names = list(examples.BUILTIN_EXAMPLES)
    ordinary = list(examples.BENIGN) + list(examples.DISCLOSURE_QUESTIONS)
    texts, labels = list(ordinary), [0] * len(ordinary)
    for i, name in enumerate(names, start=1):
        texts += examples.BUILTIN_EXAMPLES[name]
        labels += [i] * len(examples.BUILTIN_EXAMPLES[name])
    labels = np.array(labels)
    vectors = embed(texts)
    best = np.zeros(len(texts))
    for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(vectors, labels):
        from sklearn.linear_model import LogisticRegression
        model = LogisticRegression(C=triggers.BUILTIN_C, max_iter=2000).fit(vectors[train], labels[train])
        best[test] = model.predict_proba(vectors[test])[:, 1:].max(axis=1)
    cue = np.array([any(triggers.word_hit(triggers.fold(t).split(), c) for cues in triggers.CUES.values()
                        for c in cues) for t in texts])
    found = None
    pos, neg = labels > 0, labels == 0
    for plain in np.arange(0.3, 0.96, 0.05):
        for cue_bar in np.arange(0.05, plain, 0.05):
            hands_off = (best > plain) | (cue & (best > cue_bar))
            recall, ordinary = float(hands_off[pos].mean()), float(hands_off[neg].mean())
            if ordinary <= rate and (found is None or recall > found[2]):
                found = (float(plain), float(cue_bar), recall, ordinary)
    return found


def custom(embed, rate, rng):
    ordinary = list(examples.BENIGN) + list(examples.DISCLOSURE_QUESTIONS)
    ordinary_vecs = embed(ordinary)
    pos, neg = [], []
    for name, texts in examples.BUILTIN_EXAMPLES.items():
        vectors = embed(texts)
        for _ in range(5):
            picked = rng.sample(range(len(texts)), 3)
            topic = embed([name] + [texts[i] for i in picked])
            half = rng.sample(range(len(ordinary)), len(ordinary) // 2)
            rest = [i for i in range(len(ordinary)) if i not in half]

            def score(v):
                return (triggers._top_mean(v @ topic.T) - triggers._top_mean(v @ ordinary_vecs[half].T))

            pos += list(score(vectors[[i for i in range(len(texts)) if i not in picked]]))
            neg += list(score(ordinary_vecs[rest]))
    return lowest_passing(np.array(pos), np.array(neg), rate, np.arange(-0.2, 0.2, 0.01))


def outside(embed, rate):
    model = triggers.TriggerModel(_Embedder(embed))
    ordinary_vecs = model._ordinary_vecs
    pos, neg = [], []
    for spec in CREATORS:
        gig_texts = [t for title, description, _ in spec["gigs"] for t in (title, f"{title}: {description}")]
        detector = model.for_seller([{"name": triggers.OUTSIDE_SERVICES, "phrases": [], "words": [],
                                      "builtin": 1}], gig_texts)
        for index, (name, vector) in enumerate(zip(model._service_names, model._service_vecs.copy())):
            saved = model._service_vecs[index].copy()
            model._service_vecs[index] = 0  # leave the request out of its own service
            ordinary = float(triggers._top_mean(vector[None] @ ordinary_vecs.T)[0])
            score = detector.outside_score(vector, ordinary)[1]
            model._service_vecs[index] = saved
            (neg if name in detector.covered else pos).append(score)
        print(spec["username"], "uncovered requests", np.percentile(pos, [10, 50, 90]).round(2) if pos else None,
              "offered", np.percentile(neg, [10, 50, 90]).round(2) if neg else None, file=sys.stderr)
        for i, vector in enumerate(ordinary_vecs):
            if max(model.service_scores(vector).values()) >= GENERIC:
                continue  # about some service: in or out of scope depending on the creator
            others = np.delete(ordinary_vecs, i, axis=0)
            ordinary = float(triggers._top_mean(vector[None] @ others.T)[0])
            neg.append(detector.outside_score(vector, ordinary)[1])
    return lowest_passing(np.array(pos), np.array(neg), rate, np.arange(-0.2, 0.3, 0.01))


GENERIC = 0.4  # ordinary messages nearer than this to a catalogue service are about that service


class _Embedder:
    def __init__(self, embed):
        self.encode = embed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ordinary-rate", type=float, default=0.03)
    args = parser.parse_args()
    embedder = TextEmbedder(threads=2, cache_size=100_000)
    rng = random.Random(0)
    found = {}
    plain, cue_bar, recall, rate = builtin(embedder.encode, args.ordinary_rate)
    print(f"builtin_probability: {plain:.2f}, cue_probability: {cue_bar:.2f} "
          f"(cross-validated recall {recall:.3f}, ordinary messages {rate:.3f})")
    found["builtin"] = {"probability": round(plain, 2), "cue_probability": round(cue_bar, 2),
                        "recall": round(recall, 3), "ordinary_rate": round(rate, 3)}
    for name, run in (("custom_margin", lambda: custom(embedder.encode, args.ordinary_rate, rng)),
                      ("outside_margin", lambda: outside(embedder.encode, args.ordinary_rate))):
        threshold, recall, rate = run()
        print(f"{name}: {threshold:.2f} (cross-validated recall {recall:.3f}, ordinary messages {rate:.3f})")
        found[name] = {"threshold": round(threshold, 2), "recall": round(recall, 3), "ordinary_rate": round(rate, 3)}
    print(json.dumps(found))


if __name__ == "__main__":
    main()
