"""Studio: a seller's portfolio — what their personal model will learn from — with upload."""

from pathlib import Path

import gradio as gr

from app.context import bind, require
from app.tabs import studio_boundaries, studio_model
from app.widgets import MODALITY_LABEL
from engine.errors import SignatureError
from engine.media import thumbnail_image
from engine.uploads import EXTENSIONS
from storage import creators, portfolio

ITEM_HEADERS = ["id", "title", "type", "size", "details", "held out", "added"]


def _details(item: dict) -> str:
    if item["width"]:
        return f"{item['width']} × {item['height']} px"
    if item["duration_s"]:
        return f"{item['duration_s']:.1f} s at {item['sample_rate']} Hz"
    return item["caption"][:60]


def _portfolio_view(ctx, user: dict):
    profile = creators.get_profile(ctx.engine.db, user["id"])
    items = portfolio.items_for(ctx.engine.db, user["id"])
    held_out = sum(i["held_out"] for i in items)
    modality = profile["modality"] if profile else None
    summary = (f"### Your portfolio — {MODALITY_LABEL.get(modality, 'no profile yet')}\n"
               f"{len(items)} pieces, {held_out} held out for judging fidelity. Accepted files: "
               f"{', '.join(EXTENSIONS[modality]) if modality else '—'}.")
    rows = [[i["id"], i["title"], i["media_type"], f"{i['size_bytes'] / 1024:.0f} KB", _details(i),
             "yes" if i["held_out"] else "", i["created_at"][:10]] for i in reversed(items)]
    images = [(thumbnail_image(ctx.settings, i, 256), i["title"])
              for i in items if i["modality"] == "image"][-24:]
    return summary, gr.Gallery(value=images, visible=bool(images)), rows


def on_studio_load(ctx, request: gr.Request):
    """The seller's portfolio summary, gallery and item table."""
    user = require(ctx, request, "seller")
    return _portfolio_view(ctx, user)


def on_upload(ctx, files, title: str, caption: str, held_out: bool, attested: bool,
              request: gr.Request):
    """Validate and store each uploaded file; report per file. Bad files change nothing."""
    user = require(ctx, request, "seller")
    paths = [files] if isinstance(files, str) else list(files or [])
    if not paths:
        raise gr.Error("Choose one or more files to upload first.")
    if not attested:
        raise gr.Error("Confirm that you own this work (or hold the rights to it) before uploading.")
    report, stored = [], 0
    for path in paths:
        name = Path(path).name
        try:
            ctx.engine.add_portfolio_item(user, path, name, title=title if len(paths) == 1 else "",
                                          caption=caption, attested=attested, held_out=held_out)
            report.append(f"✅ **{name}** added.")
            stored += 1
        except SignatureError as exc:
            report.append(f"❌ **{name}**: {exc}")
    if stored == 0:
        raise gr.Error(" ".join(line.replace("❌ ", "").replace("**", "") for line in report))
    if stored < len(paths):
        gr.Warning(f"{len(paths) - stored} of {len(paths)} files were not added; see the report.")
    return ("\n\n".join(report), None, *_portfolio_view(ctx, user))


def on_remove(ctx, item_id, request: gr.Request):
    """Delete one portfolio item (row and file)."""
    user = require(ctx, request, "seller")
    if not item_id:
        raise gr.Error("Enter the id of the item to remove (see the table).")
    ctx.engine.remove_portfolio_item(user, int(item_id))
    gr.Info(f"Item {int(item_id)} removed.")
    return _portfolio_view(ctx, user)


def build(ctx, demo: gr.Blocks) -> gr.Tab:
    with gr.Tab("Studio", id="studio", visible=False) as tab:
        studio_model.build(ctx, tab)
        studio_boundaries.build(ctx, tab)
        summary = gr.Markdown()
        gallery = gr.Gallery(label="Images", columns=8, height="auto", visible=False)
        with gr.Accordion("Add work to your portfolio", open=True):
            with gr.Row():
                files = gr.File(label="Files", file_count="multiple", type="filepath",
                                file_types=[e for exts in EXTENSIONS.values() for e in exts])
                with gr.Column():
                    title = gr.Textbox(label="Title (single file)", max_length=120)
                    caption = gr.Textbox(label="Caption or brief (optional); for recordings, "
                                               "the words you say", lines=2, max_length=2000)
                    held_out = gr.Checkbox(label="Hold out for judging (not used in training)")
                    attested = gr.Checkbox(label="I made this work or hold the rights to it, and "
                                                 "I agree to its use for my personal model")
                    upload = gr.Button("Upload", variant="primary")
            report = gr.Markdown()
        items = gr.Dataframe(headers=ITEM_HEADERS, label="Portfolio items", interactive=False,
                             wrap=True)
        with gr.Row():
            item_id = gr.Number(label="Item id", value=None, precision=0, minimum=1)
            remove = gr.Button("Remove item", variant="stop")
        view = [summary, gallery, items]
        tab.select(bind(on_studio_load, ctx), None, view, api_name="studio_load")
        upload.click(bind(on_upload, ctx), [files, title, caption, held_out, attested],
                     [report, files, *view], api_name="studio_upload", concurrency_limit=2)
        remove.click(bind(on_remove, ctx), item_id, view, api_name="studio_remove")
    return tab
