"""Choose the assistant's trigger and disclosure thresholds on the fitted examples alone
(assets/assistant_examples.py); the evaluation set (tests/data/assistant_eval.json) is never read.

A quarter of every kind of example (each built-in topic, the questions whether one talks to an AI,
ordinary messages, each service's requests) and a quarter of the example creator topics, whole,
are held out. The encoder's adapter (engine/assistant/tuning.py) is fitted on the rest, exactly as
the shipped one is fitted on everything; with `--encoder base` the frozen MiniLM is used instead.
Then, on the held-out examples only:
- built-in topics: the logistic regression fitted on the rest; the lowest probability (plain, and
  when the message holds one of the topic's cues) at which ordinary messages hand off at most
  `--ordinary-rate` of the time;
- a creator's own topic: each held-out creator topic set up as a creator would (its name and three
  phrases); its messages must hand off, its near misses and the ordinary messages must not;
- outside services: for each demo creator's gigs, held-out requests for services they do not
  offer against held-out requests they do offer and ordinary messages;
- disclosure: held-out questions whether one talks to an AI against ordinary messages and
  requests for a human.
With `--unseen-services`, a third of the catalogue services that none of the demo creators' gigs
falls under are also held out whole (left out of the adapter and of the catalogue), as buyers ask
for work the catalogue does not list: the outside-services recall on their requests is reported
apart, at the chosen margin and at the shipped one. The thresholds of such a run are not the
shipped ones (they are chosen with fewer services).
Prints each chosen value with its recall and ordinary hand-off rate, then one JSON object.
Usage: python bench/assistant_calibrate.py [--encoder tuned|base] [--ordinary-rate 0.03] [--steps N]
[--unseen-services]
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assets import assistant_examples as examples  # noqa: E402
from assets.demo import CREATORS  # noqa: E402
from engine.assistant import triggers, tuning  # noqa: E402
from engine.fidelity.text import TextEmbedder  # noqa: E402

HELD_SHARE = 0.25
GENERIC = 0.4  # ordinary messages nearer than this to a catalogue service are about that service


def split(rng) -> tuple[set[str], set[str]]:
    """(held-out texts, held-out creator topic names)."""
    held = set()
    lists = [*examples.BUILTIN_EXAMPLES.values(), examples.DISCLOSURE_QUESTIONS, examples.BENIGN,
             *examples.SERVICES.values()]
    for texts in lists:
        held |= set(rng.choice(texts, size=max(1, int(len(texts) * HELD_SHARE)), replace=False))
    names = sorted(examples.TOPIC_PARAPHRASES)
    topics = set(rng.choice(names, size=int(len(names) * HELD_SHARE), replace=False))
    for name in topics:
        topic = examples.TOPIC_PARAPHRASES[name]
        held |= {name, *topic["phrases"], *topic["messages"], *topic["near_misses"]}
    return held, topics


def unseen_services(rng) -> set[str]:
    """A third of the catalogue services that no demo creator's gig falls under (by the frozen
    encoder, as TriggerDetector._covered finds them), to hold out whole."""
    model = triggers.TriggerModel(TextEmbedder(threads=2))
    covered = set()
    for spec in CREATORS:
        detector = model.for_seller([{"name": triggers.OUTSIDE_SERVICES, "phrases": [], "words": [],
                                      "builtin": 1}], _gig_texts(spec))
        covered |= detector.covered
    offered_by_none = sorted(set(examples.SERVICES) - covered)
    return set(rng.choice(offered_by_none, size=len(offered_by_none) // 3, replace=False))


def _gig_texts(spec: dict) -> list[str]:
    return [t for title, description, _ in spec["gigs"] for t in (title, f"{title}: {description}")]


def lowest_passing(pos: np.ndarray, neg: np.ndarray, rate: float, grid) -> tuple[float, float, float]:
    """(threshold, recall, ordinary rate) for the lowest threshold with neg rate <= rate."""
    for t in grid:
        if (neg > t).mean() <= rate:
            return float(t), float((pos > t).mean()), float((neg > t).mean())
    t = grid[-1]
    return float(t), float((pos > t).mean()), float((neg > t).mean())


def _cued(texts: list[str]) -> np.ndarray:
    return np.array([any(triggers.word_hit(triggers.fold(t).split(), c) for cues in triggers.CUES.values()
                         for c in cues) for t in texts])


def builtin(embedder, held, rate):
    names = list(examples.BUILTIN_EXAMPLES)
    ordinary = list(examples.BENIGN) + list(examples.DISCLOSURE_QUESTIONS)
    fit = {name: [t for t in texts if t not in held] for name, texts in examples.BUILTIN_EXAMPLES.items()}
    model = triggers.fit_builtin(embedder, fit, [t for t in ordinary if t not in held])
    pos = [t for name in names for t in examples.BUILTIN_EXAMPLES[name] if t in held]
    neg = [t for t in ordinary if t in held]
    texts = pos + neg
    best = model.predict_proba(embedder.encode(texts))[:, 1:].max(axis=1)
    cue, is_pos = _cued(texts), np.arange(len(texts)) < len(pos)
    found = None
    for plain in np.arange(0.3, 0.96, 0.05):
        for cue_bar in np.arange(0.05, plain + 0.01, 0.05):
            hands_off = (best > plain) | (cue & (best > cue_bar))
            recall, ordinary_rate = float(hands_off[is_pos].mean()), float(hands_off[~is_pos].mean())
            if ordinary_rate <= rate and (found is None or recall > found[2]):
                found = (float(plain), float(cue_bar), recall, ordinary_rate)
    return found


def custom(embedder, held, topics, rate, rng):
    embed = embedder.encode
    ordinary_fit = embed([t for t in list(examples.BENIGN) + list(examples.DISCLOSURE_QUESTIONS) if t not in held])
    benign_held = embed([t for t in examples.BENIGN if t in held])
    pos, neg = [], []
    for name in sorted(topics):
        topic = examples.TOPIC_PARAPHRASES[name]
        for _ in range(3):
            phrases = list(rng.choice(topic["phrases"], size=min(3, len(topic["phrases"])), replace=False))
            vecs = embed([name, *phrases])

            def score(v):
                return triggers._top_mean(v @ vecs.T) - triggers._top_mean(v @ ordinary_fit.T)

            pos += list(score(embed(topic["messages"])))
            neg += list(score(embed(topic["near_misses"])))
            neg += list(score(benign_held))
    return lowest_passing(np.array(pos), np.array(neg), rate, np.arange(-0.3, 0.3, 0.01))


def outside(embedder, held, rate, unseen: set[str] = frozenset()):
    """(margin, recall, ordinary rate) on held-out requests for catalogue services; with `unseen`
    (services held out whole), also the recall on their requests at that margin and at the
    shipped one."""
    embed = embedder.encode
    services = {name: [t for t in texts if t not in held] for name, texts in examples.SERVICES.items()
                if name not in unseen}
    queries = [(name, t) for name, texts in examples.SERVICES.items() for t in texts
               if t in held and name not in unseen]
    unseen_vecs = embed([t for name in sorted(unseen) for t in examples.SERVICES[name]]) if unseen else None
    ordinary_texts = [t for t in list(examples.BENIGN) + list(examples.DISCLOSURE_QUESTIONS) if t not in held]
    model = triggers.TriggerModel(embedder, services=services, ordinary=ordinary_texts)
    query_vecs = embed([t for _, t in queries])
    benign_vecs = embed([t for t in examples.BENIGN if t in held])
    pos, neg, unseen_scores = [], [], []
    for spec in CREATORS:
        detector = model.for_seller([{"name": triggers.OUTSIDE_SERVICES, "phrases": [], "words": [],
                                      "builtin": 1}], _gig_texts(spec))

        def score(vector):
            ordinary = float(triggers._top_mean(vector[None] @ model._ordinary_vecs.T)[0])
            return detector.outside_score(vector, ordinary)[1]

        for (name, _), vector in zip(queries, query_vecs):
            (neg if name in detector.covered else pos).append(score(vector))
        if unseen:
            unseen_scores += [score(vector) for vector in unseen_vecs]
        for vector in benign_vecs:
            if max(model.service_scores(vector).values()) >= GENERIC:
                continue  # about some service: in or out of scope depending on the creator
            ordinary = float(triggers._top_mean(vector[None] @ model._ordinary_vecs.T)[0])
            neg.append(detector.outside_score(vector, ordinary)[1])
    found = lowest_passing(np.array(pos), np.array(neg), rate, np.arange(-0.2, 0.3, 0.01))
    if not unseen:
        return found, None
    unseen_scores = np.array(unseen_scores)
    return found, {"services": sorted(unseen), "requests": len(unseen_vecs),
                   "recall": round(float((unseen_scores > found[0]).mean()), 3),
                   "recall_at_shipped_margin": round(float((unseen_scores > triggers.OUTSIDE_MARGIN).mean()), 3)}


def disclosure(embedder, held, rate):
    embed = embedder.encode
    questions = embed([t for t in examples.DISCLOSURE_QUESTIONS if t not in held])
    pos = embed([t for t in examples.DISCLOSURE_QUESTIONS if t in held])
    neg = embed([t for t in examples.BENIGN if t in held]
                + [t for t in examples.BUILTIN_EXAMPLES["Asking for a human"] if t in held])
    best = lambda v: (v @ questions.T).max(axis=1)  # noqa: E731
    grid = np.arange(0.95, 0.3, -0.01)[::-1]
    return lowest_passing(best(pos), best(neg), rate, grid)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encoder", choices=("tuned", "base"), default="tuned")
    parser.add_argument("--ordinary-rate", type=float, default=0.03)
    parser.add_argument("--steps", type=int, default=tuning.STEPS)
    parser.add_argument("--unseen-services", action="store_true",
                        help="also hold out whole a third of the services no demo creator offers")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    held, topics = split(rng)
    unseen = unseen_services(np.random.default_rng(1)) if args.unseen_services else set()
    held |= {t for name in unseen for t in examples.SERVICES[name]}
    started = time.perf_counter()
    if args.encoder == "tuned":
        import torch

        torch.set_num_threads(2)
        model = tuning.fine_tune(tuning.training_groups(leave_out=held), steps=args.steps,
                                 progress=lambda s, n, loss: print(f"step {s}/{n} loss {loss:.3f}", file=sys.stderr))
        embedder = TextEmbedder(cache_size=100_000, model=model)
    else:
        embedder = TextEmbedder(threads=2, cache_size=100_000)
    found = {"encoder": args.encoder, "held_out_texts": len(held), "held_out_topics": len(topics),
             "fit_s": round(time.perf_counter() - started, 1)}
    plain, cue_bar, recall, rate = builtin(embedder, held, args.ordinary_rate)
    print(f"builtin_probability: {plain:.2f}, cue_probability: {cue_bar:.2f} "
          f"(held-out recall {recall:.3f}, ordinary messages {rate:.3f})")
    found["builtin"] = {"probability": round(plain, 2), "cue_probability": round(cue_bar, 2),
                        "recall": round(recall, 3), "ordinary_rate": round(rate, 3)}
    outside_found, unseen_found = outside(embedder, held, args.ordinary_rate, unseen)
    runs = (("custom_margin", lambda: custom(embedder, held, topics, args.ordinary_rate, rng)),
            ("outside_margin", lambda: outside_found),
            ("disclosure_similarity", lambda: disclosure(embedder, held, 0.01)))
    for name, run in runs:
        threshold, recall, rate = run()
        print(f"{name}: {threshold:.2f} (held-out recall {recall:.3f}, ordinary messages {rate:.3f})")
        found[name] = {"threshold": round(threshold, 2), "recall": round(recall, 3), "ordinary_rate": round(rate, 3)}
    if unseen_found:
        found["unseen_services"] = unseen_found
        print(f"unseen services ({len(unseen)}, {unseen_found['requests']} requests): recall "
              f"{unseen_found['recall']:.3f} at the chosen margin, "
              f"{unseen_found['recall_at_shipped_margin']:.3f} at the shipped {triggers.OUTSIDE_MARGIN}")
    print(json.dumps(found))


if __name__ == "__main__":
    main()
