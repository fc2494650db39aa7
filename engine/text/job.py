"""The training job of a personal text model: LoRA on the creator's samples, then the fidelity
judge on 64 fresh samples. Runs in the engine's job worker; resumable from its checkpoints."""

import json
import time
from pathlib import Path

from engine.fidelity import text as text_judge
from engine.personal_models import record_judged, run_training
from engine.text import generate
from engine.text.base import load_base, spec_for
from storage import creators, portfolio

SAMPLE_TOKENS = 256


def read_item(settings, item: dict) -> str:
    return (settings.data_dir / item["file_path"]).read_text(encoding="utf-8-sig")


def brief_for(item: dict) -> str:
    return item["brief"] or f"Write copy titled '{item['title']}'."


def other_writers(db, settings, seller_id: int) -> dict[str, list[str]]:
    """Everyone the creator is judged against: other copywriters on the platform and the
    shipped reference pool."""
    pool = text_judge.reference_pool()
    for creator in creators.list_creators(db):
        if creator["modality"] == "text" and creator["user_id"] != seller_id:
            texts = [read_item(settings, i) for i in portfolio.items_for(db, creator["user_id"], "text")]
            if texts:
                pool[f"seller:{creator['username']}"] = texts
    return pool


def judging_briefs(held_out: list[dict], n: int) -> list[str]:
    """Briefs the model was not trained on: the held-out items' briefs, then the pool's, taking
    each pool writer's briefs in turn so that no one kind of brief dominates."""
    briefs = [brief_for(i) for i in held_out]
    by_writer: dict[str, list[str]] = {}
    with open(text_judge.REFERENCE_POOL, encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                record = json.loads(line)
                by_writer.setdefault(record["writer"], []).append(record["brief"])
    queues = list(by_writer.values())
    briefs += [queue[i] for i in range(max(map(len, queues), default=0)) for queue in queues
               if i < len(queue)]
    return (briefs * (n // max(1, len(briefs)) + 1))[:n]


def run(engine, ctx, config=None) -> dict:
    """Train, save the adapter, judge fidelity; record everything on the model version
    (a failure or cancel marks it failed; a shutdown leaves it to resume after restart)."""
    return run_training(ctx, lambda: _train_and_judge(engine, ctx, config),
                        threads=engine.settings.train_threads)


def _train_and_judge(engine, ctx, config) -> dict:
    from engine.text.train import TrainConfig, train_adapter  # imports torch

    db, settings = ctx.db, engine.settings
    version_id = ctx.payload["version_id"]
    version = db["model_versions"].get(version_id)
    model_row = db["models"].get(version["model_id"])
    seller = db["users"].get(model_row["seller_id"])
    train_items = portfolio.items_for(db, seller["id"], "text", held_out=False)
    held_out = portfolio.items_for(db, seller["id"], "text", held_out=True)
    texts = [read_item(settings, i) for i in train_items]
    config = config or TrainConfig(steps=settings.text_train_steps)
    n_samples = settings.fidelity_samples
    judge_steps = -(-n_samples // 8)
    total = config.steps + judge_steps

    ctx.report(0, total, message="loading the base model")
    model, tokenizer = load_base(spec_for(settings), settings.train_threads)
    out_dir = settings.data_dir / "models" / str(model_row["id"]) / f"v{version['version']}" / "adapter"
    started = time.perf_counter()
    summary = train_adapter(
        model, tokenizer, [(brief_for(i), t) for i, t in zip(train_items, texts)],
        seller["display_name"], out_dir, config,
        report=lambda step, _, loss, checkpoint: ctx.report(
            step, total, loss, message=f"training: step {step} of {config.steps}",
            checkpoint_path=checkpoint),
        check_cancelled=ctx.check_cancelled, checkpoint_dir=ctx.checkpoint_dir,
        resume_from=str(ctx.resume_from) if ctx.resume_from else None)
    train_s = time.perf_counter() - started

    def judged(done, n):
        ctx.check_cancelled()
        ctx.report(config.steps + -(-done // 8), total, message=f"judging fidelity: {done} of {n} samples")

    briefs = judging_briefs(held_out, n_samples)
    samples = generate.batch(model, tokenizer, seller["display_name"], briefs, SAMPLE_TOKENS,
                             seed=version["version"], progress=judged)
    judge = text_judge.TextJudge.fit(texts, other_writers(db, settings, seller["id"]),
                                     text_judge.TextEmbedder(threads=settings.threads))
    verdict = text_judge.judge_samples(judge, samples, texts)
    held_out_rate = (sum(judge.is_creator([read_item(settings, i) for i in held_out])) / len(held_out)
                     if held_out else None)
    report = {"n": verdict["n"], "attributed": verdict["attributed"], "fidelity": verdict["fidelity"],
              "ci_low": verdict["ci_low"], "ci_high": verdict["ci_high"], "copies": verdict["copies"],
              "held_out_attributed": held_out_rate, "train_s": round(train_s, 1),
              "training": summary, "base_model": version["base_model_id"],
              "samples": [{"brief": b, "text": s, "attributed": v["attributed"], "writer": v["writer"]}
                          for b, s, v in list(zip(briefs, samples, verdict["per_sample"]))[:12]]}
    record_judged(db, version_id, str(Path(out_dir).relative_to(settings.data_dir)), verdict, report)
    return {k: report[k] for k in ("fidelity", "ci_low", "ci_high", "copies", "train_s")}
