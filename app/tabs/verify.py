"""Verify: upload a file or paste a text and learn which creator, model version and licence it
came from (its signed provenance record), or that it is unknown."""

import gradio as gr

from app.context import bind, require
from app.widgets import esc
from engine.provenance.records import FILE_TYPES


def answer_md(found: dict) -> str:
    """The Verify answer in words."""
    if not found["found"]:
        return ("**Unknown.** No Signature record matches this file or text: it was not generated "
                "here, or it was changed beyond what the watermark survives (images: JPEG, resizing "
                "and gain; speech: MP3, resampling and gain; text: quotes, case and spacing).")
    r = found["record"]
    lines = [f"**Made with Signature** — found by {esc(found['how'])}; record signature "
             + ("valid ✓" if found["signature_ok"] else "**INVALID ✗**"), "",
             f"- Creator: **{esc(r['creator'])}** (the creator owns it)",
             f"- Model: {esc(r['model_name'])}, version {r['model_version']} ({esc(r['modality'])})",
             f"- Made {esc(r['created_at'])}"
             + (f" for buyer #{r['buyer_id']}" if found["buyers_shown"] else " for a buyer")
             + f", paid by ledger entry #{r['ledger_entry_id']}",
             f"- At creation: {esc(r['licence'])}"]
    for licence in found["licences"]:
        holder = f" to buyer #{licence['buyer_id']}" if licence["buyer_id"] else ""
        lines.append(f"- Licence: order #{licence['order_id']}{holder}, {esc(licence['status'])}; signature "
                     + ("valid ✓" if licence["signature_ok"] else "INVALID ✗"))
    if not found["licences"]:
        lines.append("- No licence bought: a try-out preview only.")
    lines += ["", f"<small>Records are signed with Ed25519; platform public key `{found['public_key']}`.</small>"]
    return "\n".join(lines)


def on_verify(ctx, upload, text: str, request: gr.Request) -> str:
    user = require(ctx, request, "buyer", "seller", "admin")
    if not upload and not (text or "").strip():
        raise gr.Error("Upload a file or paste a text first.")
    return answer_md(ctx.engine.verify(user, path=upload, text=text))


def build(ctx, demo: gr.Blocks) -> gr.Tab:
    with gr.Tab("Verify", id="verify") as tab:
        gr.Markdown("Every image and clip made here carries an invisible watermark, and every output "
                    "has a signed record. Upload an image or audio file, or paste a text.")
        with gr.Row():
            upload = gr.File(label="Image, audio or text file", type="filepath", elem_id="verify-upload",
                             file_types=list(FILE_TYPES))
            text = gr.Textbox(label="…or paste a text", lines=6, max_length=20000)
        go = gr.Button("Verify", variant="primary")
        result = gr.Markdown(elem_id="verify-result")
    go.click(bind(on_verify, ctx), [upload, text], result, api_name="verify", concurrency_limit=2)
    return tab
