"""Choose the assistant's trigger and disclosure thresholds on the fitted examples alone
(assets/assistant_examples.py); the evaluation set (tests/data/assistant_eval.json) is never read.

The examples are dealt into FOLDS parts: a part of every kind of example (each built-in topic, the
questions whether one talks to an AI, ordinary messages, each service's requests) and a part of
the example creator topics, whole. Each list is dealt with a random generator of its own, so
adding an example or a service leaves the other parts as they were. For each fold, the
encoder's adapter (engine/assistant/tuning.py) is fitted on the other parts, exactly as the
shipped one is fitted on everything, and the fold's part is scored with the tuned and the frozen
MiniLM's embeddings side by side, as the assistant scores trigger topics (tuning.PairedEmbedder;
`--encoder tuned` or `base`: one of the two alone; disclosure by the tuned one alone):
- built-in topics: the logistic regression fitted on the rest; the highest built-in probability,
  and whether the message holds one of the topics' cues;
- a creator's own topic: each held-out creator topic set up as a creator would (its name and three
  phrases); its messages must hand off, its near misses and the ordinary messages must not;
- outside services: for each demo creator's gigs, held-out requests for services they do not
  offer against held-out requests they do offer and the held-out ordinary messages that are
  ordinary to them (about no kind of work, or one they offer: triggers.about);
- disclosure: held-out questions whether one talks to an AI against ordinary messages and
  requests for a human.
Every threshold is then chosen on the scores of all folds together: the lowest (for the built-in
topics, the pair of plain and cued probabilities with the highest recall) at which ordinary
messages hand off at most `--ordinary-rate` of the time (1 % for disclosure). One split held out
about 150 ordinary messages, of which 3 % is 4 or 5: the chosen bars moved with the split.
With `--unseen-services`, a third of the catalogue services that none of the demo creators' gigs
falls under are also held out whole in every fold (left out of the adapter and of the
catalogue), as buyers ask for work the catalogue does not list: the outside-services recall on
their requests is reported apart, at the chosen margin and at the shipped one. The thresholds of
such a run are not the shipped ones (they are chosen with fewer services).
Prints each chosen value with its recall and ordinary hand-off rate, the share of held-out
ordinary messages that any part hands off (`union_rate`), then one JSON object.
Every held-out text is scored as written and with its typos mended (engine/assistant/spelling.py,
its vocabulary the fitted examples' words), the higher score counting, as the assistant scores a
message; `--as-written` scores texts as written only.
Usage: python bench/assistant_calibrate.py [--encoder paired|tuned|base] [--ordinary-rate 0.03] [--steps N]
[--folds 4] [--only-folds N] [--unseen-services] [--adapter-dir DIR] [--as-written]
"""

import argparse
import json
import sys
import time
import zlib
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assets import assistant_examples as examples  # noqa: E402
from assets.demo import CREATORS  # noqa: E402
from engine.assistant import spelling, triggers, tuning  # noqa: E402
from engine.assistant.models import AssistantModels  # noqa: E402
from engine.fidelity.text import TextEmbedder  # noqa: E402

FOLDS = 4  # every example is held out in one fold
CUSTOM_GRID = np.round(np.arange(-0.3, 0.3, 0.01), 2)
OUTSIDE_GRID = np.round(np.arange(-0.2, 0.3, 0.01), 2)


def _rng(*key: str) -> np.random.Generator:
    """A generator of its own for each list drawn from, so that adding an example or a service
    leaves every other draw as it was."""
    return np.random.default_rng([zlib.crc32(part.encode()) for part in key])


def _part(key: str, items, fold: int, folds: int) -> list:
    """The `fold`-th of `folds` parts of `items`, dealt in an order of their own."""
    order = _rng("split", key).permutation(len(items))
    return [items[i] for i in np.array_split(order, folds)[fold]]


def split(fold: int = 0, folds: int = FOLDS) -> tuple[set[str], set[str]]:
    """(held-out texts, held-out creator topic names) of one fold: its part of every kind of
    example and of the example creator topics."""
    held = set()
    lists = {**{f"builtin:{name}": texts for name, texts in examples.BUILTIN_EXAMPLES.items()},
             "disclosure": examples.DISCLOSURE_QUESTIONS, "benign": examples.BENIGN,
             **{f"service:{name}": texts for name, texts in examples.SERVICES.items()}}
    for key, texts in lists.items():
        held |= set(_part(key, list(texts), fold, folds))
    topics = set(_part("topics", sorted(examples.TOPIC_PARAPHRASES), fold, folds))
    for name in topics:
        topic = examples.TOPIC_PARAPHRASES[name]
        held |= {name, *topic["phrases"], *topic["messages"], *topic["near_misses"]}
    return held, topics


def unseen_services() -> set[str]:
    """A third of the catalogue services that no demo creator's gig falls under (as
    TriggerDetector._covered finds them with the shipped encoder), to hold out whole."""
    model = triggers.TriggerModel(tuning.PairedEmbedder(tuning.TunedEmbedder(threads=2), TextEmbedder(threads=2)))
    covered = set()
    for spec in CREATORS:
        detector = model.for_seller([{"name": triggers.OUTSIDE_SERVICES, "phrases": [], "words": [],
                                      "builtin": 1}], _gig_texts(spec))
        covered |= detector.covered
    offered_by_none = sorted(set(examples.SERVICES) - covered)
    return set(_rng("unseen").choice(offered_by_none, size=len(offered_by_none) // 3, replace=False))


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


def fold_speller(held, mending: bool = True) -> spelling.Speller:
    """The typo mender a detector fitted on the rest would have: the words of the fitted examples
    (`mending=False`: one that leaves texts as written)."""
    if not mending:
        return spelling.Speller({}, mending=False)
    def fitted(texts):
        return [t for t in texts if t not in held]

    return spelling.Speller(triggers.example_words(
        {name: fitted(texts) for name, texts in examples.BUILTIN_EXAMPLES.items()},
        fitted([*examples.BENIGN, *examples.DISCLOSURE_QUESTIONS]),
        {name: fitted(texts) for name, texts in examples.SERVICES.items()}))


def as_written_and_mended(embedder, speller, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The texts' vectors as written and with their typos mended (TriggerDetector.match scores
    both and keeps the higher score)."""
    return embedder.encode(texts), embedder.encode([speller.mend(t) for t in texts])


def builtin(embedder, held, speller) -> dict[str, np.ndarray]:
    """Held-out built-in topic messages and ordinary messages: the highest built-in probability
    of the regression fitted on the rest (the text as written or mended), whether a cue is in the
    text, whether it should hand off, whether it is one of BENIGN (in their order)."""
    names = list(examples.BUILTIN_EXAMPLES)
    ordinary = list(examples.BENIGN) + list(examples.DISCLOSURE_QUESTIONS)
    fit = {name: [t for t in texts if t not in held] for name, texts in examples.BUILTIN_EXAMPLES.items()}
    model = triggers.fit_builtin(embedder, fit, [t for t in ordinary if t not in held])
    pos = [t for name in names for t in examples.BUILTIN_EXAMPLES[name] if t in held]
    neg = [t for t in ordinary if t in held]
    texts, benign = pos + neg, set(examples.BENIGN)
    best = np.max([model.predict_proba(v)[:, 1:].max(axis=1)
                   for v in as_written_and_mended(embedder, speller, texts)], axis=0)
    return {"best": best, "cue": _cued(texts) | _cued([speller.mend(t) for t in texts]),
            "positive": np.arange(len(texts)) < len(pos),
            "benign": np.array([i >= len(pos) and t in benign for i, t in enumerate(texts)])}


def union_rate(runs: list[dict], plain: float, cue_bar: float, custom_margin: float, outside_margin: float) -> float:
    """The share of held-out BENIGN messages that any part hands off at these bars, as a demo
    creator (their gigs) with one held-out example topic would see them: over every pairing of a
    topic set-up and a creator, counting the messages ordinary to that creator only."""
    handed = counted = 0
    for run in runs:
        scores = run["builtin"]
        by_builtin = builtin_hands_off(scores, plain, cue_bar)[scores["benign"]]
        by_topic = run["custom"][2] > custom_margin  # one row per topic set-up
        outside_scores = run["outside"][3]  # one row per creator
        ordinary = ~np.isnan(outside_scores)
        by_outside = np.nan_to_num(outside_scores, nan=-np.inf) > outside_margin
        either = by_builtin[None, None] | by_topic[:, None] | by_outside[None]
        handed += int((either & ordinary[None]).sum())
        counted += int(ordinary.sum()) * len(by_topic)
    return handed / counted


def builtin_hands_off(scores: dict[str, np.ndarray], plain: float, cue_bar: float) -> np.ndarray:
    """Which held-out messages a built-in topic hands off at these bars, as TriggerDetector applies them."""
    return (scores["best"] > plain) | (scores["cue"] & (scores["best"] > cue_bar))


def builtin_bars():
    """Every (probability, probability with a cue) pair tried for the built-in topics."""
    for plain in np.arange(0.3, 0.96, 0.05):
        for cue_bar in np.arange(0.05, plain + 0.01, 0.05):
            yield float(plain), float(cue_bar)


def builtin_rates(scores: dict[str, np.ndarray], plain: float, cue_bar: float) -> tuple[float, float]:
    """(recall, ordinary rate) of the built-in topics at these bars."""
    hands_off = builtin_hands_off(scores, plain, cue_bar)
    return float(hands_off[scores["positive"]].mean()), float(hands_off[~scores["positive"]].mean())


def choose_builtin(scores: dict[str, np.ndarray], rate: float) -> tuple[float, float, float, float]:
    """(probability, cue probability, recall, ordinary rate): the bars with the highest recall
    at which ordinary messages hand off at most `rate` of the time."""
    found = None
    for plain, cue_bar in builtin_bars():
        recall, ordinary_rate = builtin_rates(scores, plain, cue_bar)
        if ordinary_rate <= rate and (found is None or recall > found[2]):
            found = (plain, cue_bar, recall, ordinary_rate)
    return found


def choose_together(runs: list[dict], builtin_scores: dict[str, np.ndarray], custom_scores, outside_scores,
                    rate: float, union: float) -> dict | None:
    """The built-in bars and the creator-topic and outside margins with the highest held-out
    recall, the five trigger topics a creator has counted alike (three built-in ones, their own,
    outside services), at which each part hands off at most `rate` of its ordinary messages and
    all of them together at most `union` (`union_rate`)."""
    (custom_pos, custom_neg), (outside_pos, outside_neg) = custom_scores, outside_scores
    customs = [c for c in CUSTOM_GRID if (custom_neg > c).mean() <= rate]
    outsides = [o for o in OUTSIDE_GRID if (outside_neg > o).mean() <= rate]
    best = None
    for plain, cue_bar in builtin_bars():
        builtin_recall, builtin_rate = builtin_rates(builtin_scores, plain, cue_bar)
        if builtin_rate > rate:
            continue
        for custom_margin in customs:
            for outside_margin in outsides:  # rising: recall falls, and so does the union
                recall = (3 * builtin_recall + (custom_pos > custom_margin).mean()
                          + (outside_pos > outside_margin).mean()) / 5
                if best and recall <= best["recall"]:
                    break
                together = union_rate(runs, plain, cue_bar, custom_margin, outside_margin)
                if together <= union:
                    best = {"probability": round(plain, 2), "cue_probability": round(cue_bar, 2),
                            "custom_margin": float(custom_margin), "outside_margin": float(outside_margin),
                            "recall": float(recall), "union": together}
                    break
    return best


def custom(embedder, held, topics, speller) -> tuple[list, list, np.ndarray]:
    """(scores of held-out creator topics' messages, of their near misses and ordinary messages,
    of the held-out BENIGN messages alone: one row per set-up), each topic set up three times
    from three of its phrases."""
    embed = embedder.encode
    ordinary_fit = embed([t for t in list(examples.BENIGN) + list(examples.DISCLOSURE_QUESTIONS) if t not in held])
    benign_held = as_written_and_mended(embedder, speller, [t for t in examples.BENIGN if t in held])
    pos, neg, benign = [], [], []
    for name in sorted(topics):
        topic = examples.TOPIC_PARAPHRASES[name]
        rng = _rng("custom", name)
        for _ in range(3):
            phrases = list(rng.choice(topic["phrases"], size=min(3, len(topic["phrases"])), replace=False))
            vecs = embed([name, *phrases])

            def score(both):
                return np.max([triggers._top_mean(v @ vecs.T) - triggers._top_mean(v @ ordinary_fit.T)
                               for v in both], axis=0)

            pos += list(score(as_written_and_mended(embedder, speller, topic["messages"])))
            neg += list(score(as_written_and_mended(embedder, speller, topic["near_misses"])))
            benign.append(score(benign_held))
            neg += list(benign[-1])
    return pos, neg, np.array(benign)


def outside(embedder, held, speller, unseen: set[str] = frozenset()) -> tuple[list, list, list, np.ndarray]:
    """(scores of held-out requests for services a demo creator does not offer, of requests they
    do offer and ordinary messages ordinary to them, of requests for the `unseen` services held
    out whole, of the held-out BENIGN messages: one row per demo creator, NaN where a message is
    about work the creator does not offer)."""
    embed = embedder.encode
    services = {name: [t for t in texts if t not in held] for name, texts in examples.SERVICES.items()
                if name not in unseen}
    queries = [(name, t) for name, texts in examples.SERVICES.items() for t in texts
               if t in held and name not in unseen]
    unseen_vecs = (list(zip(*as_written_and_mended(embedder, speller, [t for name in sorted(unseen)
                                                                         for t in examples.SERVICES[name]])))
                   if unseen else None)
    ordinary_texts = [t for t in list(examples.BENIGN) + list(examples.DISCLOSURE_QUESTIONS) if t not in held]
    model = triggers.TriggerModel(embedder, services=services, ordinary=ordinary_texts)
    query_vecs = list(zip(*as_written_and_mended(embedder, speller, [t for _, t in queries])))
    benign = [t for t in examples.BENIGN if t in held]
    benign_vecs = list(zip(*as_written_and_mended(embedder, speller, benign)))
    benign_about = [triggers.about(t) for t in benign]
    pos, neg, unseen_scores, benign_scores = [], [], [], np.full((len(CREATORS), len(benign)), np.nan)
    for row, spec in enumerate(CREATORS):
        detector = model.for_seller([{"name": triggers.OUTSIDE_SERVICES, "phrases": [], "words": [],
                                      "builtin": 1}], _gig_texts(spec))

        def score(vectors):
            return max(detector.outside_score(vector)[1] for vector in vectors)

        for (name, _), vector in zip(queries, query_vecs):
            (neg if name in detector.covered else pos).append(score(vector))
        if unseen:
            unseen_scores += [score(vectors) for vectors in unseen_vecs]
        for column, (services, vector) in enumerate(zip(benign_about, benign_vecs)):
            if not services or services & detector.covered:  # ordinary to this creator
                benign_scores[row, column] = score(vector)
                neg.append(benign_scores[row, column])
    return pos, neg, unseen_scores, benign_scores


def disclosure(embedder, held) -> tuple[np.ndarray, np.ndarray]:
    """(nearness to the fitted questions whether one talks to an AI of held-out ones, of held-out
    ordinary messages and requests for a human)."""
    embed = embedder.encode
    questions = embed([t for t in examples.DISCLOSURE_QUESTIONS if t not in held])
    pos = embed([t for t in examples.DISCLOSURE_QUESTIONS if t in held])
    neg = embed([t for t in examples.BENIGN if t in held]
                + [t for t in examples.BUILTIN_EXAMPLES["Asking for a human"] if t in held])
    return (pos @ questions.T).max(axis=1), (neg @ questions.T).max(axis=1)


def fold_scores(fold: int, folds: int, unseen: set[str], steps: int, encoder: str, frozen: TextEmbedder,
                adapter_dir: Path | None = None, mending: bool = True) -> dict:
    """Every held-out score of one fold, with the adapter fitted on the rest of the examples
    (kept in, and taken again from, `adapter_dir` when given); `frozen`: the plain MiniLM."""
    held, topics = split(fold, folds)
    held |= {t for name in unseen for t in examples.SERVICES[name]}
    saved = adapter_dir / f"fold{fold + 1}of{folds}-{steps}steps{'-unseen' if unseen else ''}" if adapter_dir else None
    if encoder == "base":
        embedder = frozen
    elif saved and (saved / "adapter.safetensors").exists():
        embedder = tuning.TunedEmbedder(saved, saved_vectors=False, cache_size=100_000)
    else:
        model = tuning.fine_tune(tuning.training_groups(leave_out=held), steps=steps,
                                 progress=lambda s, n, loss: print(f"fold {fold + 1}/{folds}: step {s}/{n} "
                                                                   f"loss {loss:.3f}", file=sys.stderr))
        if saved:
            tuning.save_adapter(model, saved, steps=steps, held_out=len(held))
        embedder = TextEmbedder(cache_size=100_000, model=model)
    alone = embedder  # disclosure is judged in the tuned half alone (AssistantModels.disclosure_score)
    if encoder == "paired":
        embedder = tuning.PairedEmbedder(embedder, frozen, saved_vectors=False)
    speller = fold_speller(held, mending)
    return {"held_out_texts": len(held), "builtin": builtin(embedder, held, speller),
            "custom": custom(embedder, held, topics, speller), "outside": outside(embedder, held, speller, unseen),
            "disclosure": disclosure(alone, held)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encoder", choices=("paired", "tuned", "base"), default="paired")
    parser.add_argument("--ordinary-rate", type=float, default=0.03, help="the most each part may hand off")
    parser.add_argument("--union", type=float, default=0.05, help="the most all parts together may hand off")
    parser.add_argument("--steps", type=int, default=tuning.STEPS)
    parser.add_argument("--folds", type=int, default=FOLDS, help="adapters fitted, each holding out its part")
    parser.add_argument("--only-folds", type=int, default=None, help="run only the first N folds")
    parser.add_argument("--unseen-services", action="store_true",
                        help="also hold out whole a third of the services no demo creator offers")
    parser.add_argument("--adapter-dir", type=Path, help="keep each fold's adapter here and reuse it on the next run")
    parser.add_argument("--as-written", action="store_true", help="score texts as written only, typos unmended")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(2)
    unseen = unseen_services() if args.unseen_services else set()
    started = time.perf_counter()
    frozen = TextEmbedder(threads=2, cache_size=100_000)
    runs = [fold_scores(f, args.folds, unseen, args.steps, args.encoder, frozen, args.adapter_dir, not args.as_written)
            for f in range(args.only_folds or args.folds)]

    def pooled(kind, part):
        return np.concatenate([np.asarray(run[kind][part]) for run in runs])

    found = {"encoder": args.encoder, "mended": not args.as_written, "folds": len(runs), "of_folds": args.folds,
             "held_out_texts": sum(run["held_out_texts"] for run in runs),
             "fit_s": round(time.perf_counter() - started, 1)}
    builtin_scores = {k: pooled("builtin", k) for k in ("best", "cue", "positive")}
    custom_scores, outside_scores = (pooled("custom", 0), pooled("custom", 1)), (pooled("outside", 0), pooled("outside", 1))

    def parts(plain, cue_bar, custom_margin, outside_margin) -> dict:
        """Each part's held-out recall and ordinary rate at these bars, and all together's."""
        recall, rate = builtin_rates(builtin_scores, plain, cue_bar)
        bars = {"builtin": {"probability": round(plain, 2), "cue_probability": round(cue_bar, 2),
                            "recall": round(recall, 3), "ordinary_rate": round(rate, 3)}}
        for name, (pos, neg), margin in (("custom", custom_scores, custom_margin),
                                         ("outside", outside_scores, outside_margin)):
            bars[name] = {"margin": round(margin, 2), "recall": round(float((pos > margin).mean()), 3),
                          "ordinary_rate": round(float((neg > margin).mean()), 3),
                          "positives": len(pos), "negatives": len(neg)}
        bars["ordinary_union"] = round(union_rate(runs, plain, cue_bar, custom_margin, outside_margin), 3)
        return bars

    plain, cue_bar, _, _ = choose_builtin(builtin_scores, args.ordinary_rate)
    alone = [lowest_passing(*scores, args.ordinary_rate, grid)[0]
             for scores, grid in ((custom_scores, CUSTOM_GRID), (outside_scores, OUTSIDE_GRID))]
    found["alone"] = parts(plain, cue_bar, *alone)
    chosen = choose_together(runs, builtin_scores, custom_scores, outside_scores, args.ordinary_rate, args.union)
    found["together"] = chosen and parts(chosen["probability"], chosen["cue_probability"],
                                         chosen["custom_margin"], chosen["outside_margin"])
    found["at_shipped"] = parts(triggers.BUILTIN_PROBABILITY, triggers.CUE_PROBABILITY, triggers.CUSTOM_MARGIN,
                                triggers.OUTSIDE_MARGIN)
    for name in ("alone", "together", "at_shipped"):
        bars = found[name]
        print(f"{name}: " + ("nothing passes" if bars is None else
              f"built-in {bars['builtin']['probability']:.2f} / {bars['builtin']['cue_probability']:.2f} with a cue "
              f"(recall {bars['builtin']['recall']:.3f}, ordinary {bars['builtin']['ordinary_rate']:.3f}), "
              f"creator topic {bars['custom']['margin']:+.2f} ({bars['custom']['recall']:.3f}, "
              f"{bars['custom']['ordinary_rate']:.3f}), outside {bars['outside']['margin']:+.2f} "
              f"({bars['outside']['recall']:.3f}, {bars['outside']['ordinary_rate']:.3f}); "
              f"ordinary messages handed off by any part {bars['ordinary_union']:.3f}"))
    pos, neg = pooled("disclosure", 0), pooled("disclosure", 1)
    threshold, recall, rate = lowest_passing(pos, neg, 0.01, np.arange(0.95, 0.3, -0.01)[::-1])
    shipped = AssistantModels.DISCLOSURE_SIMILARITY
    print(f"disclosure_similarity: {threshold:.2f} (held-out recall {recall:.3f}, ordinary messages {rate:.3f})")
    found["disclosure_similarity"] = {
        "threshold": round(threshold, 2), "recall": round(recall, 3), "ordinary_rate": round(rate, 3),
        "at_shipped": {"threshold": shipped, "recall": round(float((pos > shipped).mean()), 3),
                       "ordinary_rate": round(float((neg > shipped).mean()), 3)}}
    if unseen:
        scores = pooled("outside", 2)
        found["unseen_services"] = {"services": sorted(unseen), "requests": len(scores) // (len(CREATORS) * len(runs)),
                                    "recall": round(float((scores > found["alone"]["outside"]["margin"]).mean()), 3),
                                    "recall_at_shipped_margin": round(float((scores > triggers.OUTSIDE_MARGIN).mean()), 3)}
        print(f"unseen services ({len(unseen)}): recall {found['unseen_services']['recall']:.3f} at the chosen "
              f"margin, {found['unseen_services']['recall_at_shipped_margin']:.3f} at the shipped {triggers.OUTSIDE_MARGIN}")
    print(json.dumps(found))


if __name__ == "__main__":
    main()
