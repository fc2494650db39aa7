"""The assistant's fine-tuned encoder: its loss, a short fit that pulls kinds apart, the saved
adapter loading back, and the shipped adapter telling trigger topics from ordinary messages it
was not fitted on."""

import json
from pathlib import Path

import numpy as np
import pytest

from engine.assistant import tuning
from engine.fidelity.text import TextEmbedder

torch = pytest.importorskip("torch")

EVAL = Path(__file__).parent / "data" / "assistant_eval.json"

GROUPS = {
    "refund": ["I want my money back", "please refund my order", "refund me now, the file was broken",
               "I'd like a refund for the poster", "give me my money back please"],
    "human": ["let me talk to a real person", "can I speak with the designer herself",
              "I want a human, not a bot", "put me through to someone real", "is there a person I can talk to"],
    "ordinary": ["how much is the basic package?", "what file formats do I get?", "thanks, that helps",
                 "can you deliver by Friday?", "what does the standard tier include?"],
}


def _separation(vectors: np.ndarray, labels: list[str]) -> float:
    """Mean similarity within kinds minus mean similarity across kinds."""
    sims = vectors @ vectors.T
    same = np.equal.outer(labels, labels) & ~np.eye(len(labels), dtype=bool)
    other = ~np.equal.outer(labels, labels)
    return float(sims[same].mean() - sims[other].mean())


def test_contrastive_loss_is_lower_when_kinds_cluster():
    labels = torch.tensor([0, 0, 1, 1])
    clustered = torch.nn.functional.normalize(torch.tensor([[1, 0.1], [1, -0.1], [-1, 0.1], [-1, -0.1]]), dim=1)
    mixed = clustered[[0, 2, 1, 3]]
    assert tuning.supervised_contrastive(clustered, labels) < tuning.supervised_contrastive(mixed, labels)


def test_a_short_fit_pulls_kinds_apart_and_the_saved_adapter_loads_back(tmp_path):
    texts = [t for group in GROUPS.values() for t in group]
    labels = [kind for kind, group in GROUPS.items() for _ in group]
    before = _separation(TextEmbedder().encode(texts), labels)
    model = tuning.fine_tune(GROUPS, steps=40)
    tuned = TextEmbedder(model=model).encode(texts)
    assert _separation(tuned, labels) > before + 0.05

    tuning.save_adapter(model, tmp_path, steps=40)
    assert json.loads((tmp_path / "adapter.json").read_text())["steps"] == 40
    loaded = tuning.TunedEmbedder(tmp_path).encode(texts)
    assert np.min(np.sum(loaded * tuned, axis=1)) > 0.999  # float16 storage only


def test_a_missing_adapter_says_how_to_make_it(tmp_path):
    with pytest.raises(RuntimeError, match="python -m engine.assistant.tuning"):
        tuning.TunedEmbedder(tmp_path)


def test_every_batch_holds_the_kinds_the_detector_tells_apart():
    groups = {"Asking for a human": ["a", "b"], "disclosure": ["c", "d"], "ordinary": ["e", "f"],
              **{f"service: {i}": ["g", "h"] for i in range(30)}, "topic: Weekend work": ["i", "j"]}
    rng = np.random.default_rng(0)
    batches = [tuning.batch_kinds(groups, rng, size=8) for _ in range(50)]
    assert all(b[:3] == [0, 1, 2] and len(b) == len(set(b)) == 8 for b in batches)
    assert len({k for b in batches for k in b}) > 20  # the rest is drawn, not fixed
    assert tuning.batch_kinds({"ordinary": ["e", "f"], "disclosure": ["c", "d"]}, rng) == [0, 1]


def test_held_out_examples_are_left_out_of_the_fit():
    groups = tuning.training_groups()
    some = groups["Disputes and refunds"][:3]
    assert not set(some) & {t for texts in tuning.training_groups(leave_out=set(some)).values() for t in texts}


def test_the_shipped_example_vectors_are_the_shipped_adapters_own():
    """The example vectors saved beside the adapter (so the trigger model builds in a second) are
    what the adapter gives now: a stale file would shift every threshold."""
    texts = tuning.example_texts()
    picked = [texts[i] for i in np.random.default_rng(0).choice(len(texts), 6, replace=False)]
    saved = tuning.TunedEmbedder()
    assert all(t in saved._cache for t in picked)
    fresh = tuning.TunedEmbedder(saved_vectors=False)
    assert np.min(np.sum(saved.encode(picked) * fresh.encode(picked), axis=1)) > 0.9999


class _Fixed:
    """An encoder of fixed unit vectors per text, that records what it was asked for."""

    def __init__(self, seed: int):
        self.rng, self.vectors, self.asked = np.random.default_rng(seed), {}, []

    def encode(self, texts):
        self.asked += list(texts)
        for t in texts:
            if t not in self.vectors:
                v = self.rng.normal(size=384)
                self.vectors[t] = (v / np.linalg.norm(v)).astype(np.float32)
        return np.array([self.vectors[t] for t in texts], dtype=np.float32).reshape(len(texts), 384)


def test_paired_vectors_are_unit_rows_whose_similarity_is_the_mean_of_the_two(tmp_path):
    tuned, frozen = _Fixed(1), _Fixed(2)
    texts = ["a refund please", "what formats do I get?", "talk to a person"]
    np.savez(tmp_path / "examples.npz", texts=np.array(texts[:1]), vectors=tuned.encode(texts[:1]),
             frozen_vectors=frozen.encode(texts[:1]))
    frozen.asked.clear()
    paired = tuning.PairedEmbedder(tuned, frozen, tmp_path).encode(texts)
    assert paired.shape == (3, 768)
    assert np.allclose(np.linalg.norm(paired, axis=1), 1.0, atol=1e-6)
    a, b = (np.stack([e.vectors[t] for t in texts]) for e in (tuned, frozen))
    assert np.allclose(paired @ paired.T, (a @ a.T + b @ b.T) / 2, atol=1e-6)
    assert frozen.asked == texts[1:]  # the saved example's frozen vector is not encoded again
    assert tuning.PairedEmbedder(tuned, frozen, tmp_path).encode([]).shape == (0, 768)


def test_the_shipped_frozen_example_vectors_are_plain_minilms():
    texts = tuning.example_texts()
    picked = [texts[i] for i in np.random.default_rng(1).choice(len(texts), 6, replace=False)]
    frozen = TextEmbedder()
    paired = tuning.PairedEmbedder(tuning.TunedEmbedder(), frozen)
    assert all(t in paired._saved for t in picked)
    assert min(float(paired._saved[t] @ v) for t, v in zip(picked, frozen.encode(picked))) > 0.9999


@pytest.mark.slow
def test_the_shipped_encoder_separates_triggers_from_ordinary_messages_it_never_saw():
    """On the evaluation set (never fitted on): how well nearness to the built-in topics' example
    centres tells trigger paraphrases from ordinary buyer messages (area under the ROC curve) is
    clearly better with the adapter than with plain MiniLM."""
    from sklearn.metrics import roc_auc_score

    from assets import assistant_examples as examples

    evaluation = json.loads(EVAL.read_text())["shared"]
    kinds = list(examples.BUILTIN_EXAMPLES)
    areas = {}
    for name, embedder in (("base", TextEmbedder()), ("tuned", tuning.TunedEmbedder())):
        centres = np.stack([embedder.encode(examples.BUILTIN_EXAMPLES[k]).mean(axis=0) for k in kinds])
        triggers = (embedder.encode([t for k in kinds for t in evaluation[k]]) @ centres.T).max(axis=1)
        ordinary = (embedder.encode(evaluation["benign"]) @ centres.T).max(axis=1)
        truth = np.r_[np.ones(len(triggers)), np.zeros(len(ordinary))]
        areas[name] = roc_auc_score(truth, np.r_[triggers, ordinary])
    assert areas["tuned"] > areas["base"] + 0.03, areas
