"""LoRA fine-tuning of the base LM on one copywriter's samples, with checkpoints to resume from.

Adapters go on the top `trained_layers` decoder layers (all of them by default: on the demo
copywriters, all 30 layers of SmolLM2-135M took Juniper's fidelity from 0.77 to 0.98 where the
top 12 could not hold her structure). Frozen layers below them run once per example and their
output is cached, so a shallower adapter costs a fraction of a full forward and backward pass.
(Imports torch: load this module only when training.)
"""

import contextlib
import dataclasses
import json
import math
import random
import shutil
import time
from pathlib import Path

import torch

from engine.text.base import encode_example


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    steps: int = 100
    batch_size: int = 4
    learning_rate: float = 4e-4
    rank: int = 16
    alpha: int = 32
    max_tokens: int = 320
    trained_layers: int = 30
    checkpoint_every: int = 10
    seed: int = 0
    target_modules: tuple = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


def lora_config(config: TrainConfig, n_layers: int):
    """LoRA on the top `trained_layers` decoder layers (fewer layers train faster, hold less style)."""
    from peft import LoraConfig
    first = max(0, n_layers - config.trained_layers)
    return LoraConfig(r=config.rank, lora_alpha=config.alpha, lora_dropout=0.0,
                      target_modules=list(config.target_modules),
                      layers_to_transform=list(range(first, n_layers)), task_type="CAUSAL_LM")


class _Skip(torch.nn.Module):
    """Stands in for a frozen lower decoder layer whose output is already cached."""

    def forward(self, hidden_states, *args, **kwargs):
        return hidden_states


@contextlib.contextmanager
def _lower_layers_skipped(decoder, first: int):
    saved = [decoder.layers[i] for i in range(first)]
    for i in range(first):
        decoder.layers[i] = _Skip()
    try:
        yield
    finally:
        for i, layer in enumerate(saved):
            decoder.layers[i] = layer


def _cache_lower_layers(model, encoded, first: int):
    """Hidden states entering layer `first` for each example (the frozen part runs once)."""
    with torch.no_grad():
        return [model.get_decoder()(input_ids=torch.tensor([ids]), output_hidden_states=True)
                .hidden_states[first][0] for ids, _ in encoded]


def _batch(cached, encoded, indices):
    """Right-padded cached hidden states, labels and attention mask for a batch."""
    width = max(len(encoded[i][0]) for i in indices)
    hidden = torch.zeros(len(indices), width, cached[0].shape[-1])
    labels = torch.full((len(indices), width), -100)
    mask = torch.zeros(len(indices), width, dtype=torch.long)
    for row, i in enumerate(indices):
        n = len(encoded[i][0])
        hidden[row, :n], labels[row, :n], mask[row, :n] = cached[i], torch.tensor(encoded[i][1]), 1
    return hidden, labels, mask


def _loss(model, decoder, hidden, labels, mask):
    """Next-token loss on the copy's tokens only (the LM head runs on those positions alone)."""
    out = decoder(inputs_embeds=hidden, attention_mask=mask).last_hidden_state
    targets = labels[:, 1:]
    chosen = targets != -100
    logits = model.get_output_embeddings()(out[:, :-1][chosen])
    return torch.nn.functional.cross_entropy(logits, targets[chosen])


def _learning_rate(config: TrainConfig, step: int) -> float:
    warmup = max(1, config.steps // 12)
    if step < warmup:
        return config.learning_rate * (step + 1) / warmup
    progress = (step - warmup) / max(1, config.steps - warmup)
    return config.learning_rate * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


def _order(n: int, steps: int, batch_size: int, seed: int) -> list[list[int]]:
    """Batches of example indices: shuffled epochs, deterministic for a seed."""
    rng, pool, batches = random.Random(seed), [], []
    for _ in range(steps):
        batch = []
        while len(batch) < batch_size:
            if not pool:
                pool = list(range(n))
                rng.shuffle(pool)
            batch.append(pool.pop())
        batches.append(batch)
    return batches


def train_adapter(model, tokenizer, examples: list[tuple[str, str]], creator_name: str,
                  out_dir: Path, config: TrainConfig, report, check_cancelled,
                  checkpoint_dir: Path, resume_from: str | None = None) -> dict:
    """Train a LoRA adapter on (brief, copy) examples and save it (safetensors) to out_dir.

    report(step, total, loss, checkpoint_path) is called after every step; check_cancelled()
    raises to stop. A checkpoint every `checkpoint_every` steps lets a restart resume.
    """
    from peft import get_peft_model, set_peft_model_state_dict
    from safetensors.torch import load_file

    torch.manual_seed(config.seed)
    encoded = [encode_example(tokenizer, creator_name, brief, copy, config.max_tokens)
               for brief, copy in examples]
    decoder = model.get_decoder()
    first = max(0, len(decoder.layers) - config.trained_layers)
    report(0, config.steps, None, None)
    cached = _cache_lower_layers(model, encoded, first)
    peft_model = get_peft_model(model, lora_config(config, len(decoder.layers)))
    peft_model.train()
    trainable = [p for p in peft_model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=config.learning_rate, weight_decay=0.0)
    start, losses = 0, []
    if resume_from and Path(resume_from).is_dir():
        state = json.loads((Path(resume_from) / "state.json").read_text())
        set_peft_model_state_dict(peft_model, load_file(Path(resume_from) / "adapter_model.safetensors"))
        optimizer.load_state_dict(torch.load(Path(resume_from) / "optimizer.pt"))
        start, losses = state["step"], state["losses"]
    batches = _order(len(encoded), config.steps, config.batch_size, config.seed)
    started = time.perf_counter()
    with _lower_layers_skipped(decoder, first):
        for step in range(start, config.steps):
            check_cancelled()
            for group in optimizer.param_groups:
                group["lr"] = _learning_rate(config, step)
            loss = _loss(model, decoder, *_batch(cached, encoded, batches[step]))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(trainable, 1.0)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            losses.append(round(float(loss.detach()), 4))
            checkpoint = None
            if (step + 1) % config.checkpoint_every == 0 and step + 1 < config.steps:
                checkpoint = _save_checkpoint(peft_model, optimizer, checkpoint_dir, step + 1, losses)
            report(step + 1, config.steps, losses[-1], checkpoint)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    peft_model.save_pretrained(out_dir)
    peft_model.eval()
    return {"steps": config.steps, "resumed_at": start, "final_loss": losses[-1] if losses else None,
            "first_loss": losses[0] if losses else None, "train_s": round(time.perf_counter() - started, 1),
            "examples": len(examples)}


def _save_checkpoint(peft_model, optimizer, checkpoint_dir: Path, step: int, losses: list) -> str:
    target = Path(checkpoint_dir) / f"step-{step:05d}"
    partial = target.with_suffix(".part")
    shutil.rmtree(partial, ignore_errors=True)
    peft_model.save_pretrained(partial)
    torch.save(optimizer.state_dict(), partial / "optimizer.pt")
    (partial / "state.json").write_text(json.dumps({"step": step, "losses": losses}))
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    for older in Path(checkpoint_dir).glob("step-*"):
        if older != target and older.suffix != ".part":
            shutil.rmtree(older, ignore_errors=True)
    return str(target)
