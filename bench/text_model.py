"""Personal text models benchmark, on the demo copywriters (Juniper Vale: playful; Harold Finch:
formal). For each: training through the real job (LoRA on the portfolio, then the fidelity
judge on 64 fresh samples), the bare base model's fidelity as a baseline, and serving latency
(time to first token and to 80 tokens, median of 10). Prints one JSON object as its last line.
Usage: python bench/text_model.py
"""

import dataclasses
import json
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assets.demo import ensure_demo  # noqa: E402
from engine import Engine, Settings  # noqa: E402
from engine.fidelity import text as text_judge  # noqa: E402
from engine.text.job import judging_briefs, other_writers, read_item  # noqa: E402
from storage import portfolio, users  # noqa: E402

CREATORS = ("juniper", "harold")
OUT = ROOT / "bench" / "out" / "text"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def baseline_fidelity(engine, seller) -> float:
    """The bare base model (no adapter) judged the same way: the judge must score it low."""
    db, settings = engine.db, engine.settings
    texts = [read_item(settings, i) for i in portfolio.items_for(db, seller["id"], "text", held_out=False)]
    held = portfolio.items_for(db, seller["id"], "text", held_out=True)
    with engine.backends.using("text") as backend:
        samples = backend.batch(None, seller["display_name"], judging_briefs(held, settings.fidelity_samples))
    judge = text_judge.TextJudge.fit(texts, other_writers(db, settings, seller["id"]),
                                     text_judge.TextEmbedder(threads=settings.threads))
    return text_judge.judge_samples(judge, samples, texts)["fidelity"]


def latency(engine, adapter: str, name: str, runs: int = 10) -> dict:
    brief = "Write 80 words of launch copy for a neighbourhood bakery's new sourdough club."
    first, full = [], []
    with engine.backends.using("text") as backend:
        backend.batch(adapter, name, [brief], max_new_tokens=8)  # load and warm up
        for i in range(runs):
            started = time.perf_counter()
            got_first = None
            for chunk in backend.stream(adapter, name, brief, max_new_tokens=80, seed=i,
                                        min_new_tokens=80):
                if got_first is None and chunk.strip():
                    got_first = time.perf_counter() - started
            full.append(time.perf_counter() - started)
            first.append(got_first)
    return {"first_token_s": round(statistics.median(first), 3),
            "tokens80_s": round(statistics.median(full), 3)}


def main() -> dict:
    OUT.mkdir(parents=True, exist_ok=True)
    settings = dataclasses.replace(Settings.from_env(), data_dir=OUT / "data", demo_data=True)
    engine = Engine(settings)
    ensure_demo(engine, log=lambda *_: None)
    engine.start_background()
    results = {}
    for username in CREATORS:
        seller = users.find_user(engine.db, username)
        started = time.perf_counter()
        job = engine.train(seller)
        job = engine.jobs.wait(job["id"], timeout=3600)
        if job["status"] != "done":
            raise SystemExit(f"training {username} ended {job['status']}: {job['error']}")
        view = engine.studio_model(seller)
        version, report = view["current"], json.loads(view["current"]["fidelity_report"])
        adapter = str(settings.data_dir / version["artefact_path"])
        results[username] = {
            "train_s": report["train_s"], "job_s": round(time.perf_counter() - started, 1),
            "fidelity": round(version["fidelity"], 3), "ci_low": round(version["fidelity_ci_low"], 3),
            "ci_high": round(version["fidelity_ci_high"], 3), "copies": version["copies"],
            "held_out_attributed": report["held_out_attributed"],
            "base_fidelity": round(baseline_fidelity(engine, seller), 3),
            **latency(engine, adapter, seller["display_name"])}
        (OUT / f"{username}-report.json").write_text(json.dumps(report, indent=2))
        print(username, results[username], flush=True)
    engine.jobs.stop()
    return {"benchmark": "text_model", "creators": results,
            "first_token_s": max(r["first_token_s"] for r in results.values()),
            "tokens80_s": max(r["tokens80_s"] for r in results.values()),
            "peak_rss_mb": round(peak_rss_mb(), 1), "threads": settings.threads}


if __name__ == "__main__":
    print(json.dumps(main()))
