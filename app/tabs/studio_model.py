"""The Studio's personal-model panel: train (with live progress and, for images, a preview),
the fidelity report (with a judged clip to hear, or judged images to see), price, publish or disable. Boundaries are in studio_boundaries."""

import json

import gradio as gr
import soundfile

from app.context import bind, require
from app.widgets import esc, money, parse_money
from engine.personal_models import PUBLISH_THRESHOLD, WHAT_TO_ADD

STATUS_LABEL = {"draft": "not trained yet", "training": "training", "ready": "trained, not published",
                "published": "published", "disabled": "disabled"}


def _progress_html(job: dict | None) -> str:
    if not job:
        return ""
    share = job["step"] / job["total"] if job["total"] else 0.0
    if job["status"] in ("queued", "running"):
        eta = f" · about {job['eta_s'] / 60:.0f} min left" if job.get("eta_s") else ""
        loss = f" · loss {job['loss']:.2f}" if job.get("loss") is not None else ""
        return (f'<div class="sig-progress"><div style="width:{share * 100:.0f}%"></div></div>'
                f"<p>{esc(job['message'] or job['status'])} — {job['step']}/{job['total']}{loss}{eta}</p>")
    if job["status"] == "failed":
        return f"<p>❌ Training failed: {esc(job['error'] or job['message'])}</p>"
    if job["status"] == "cancelled":
        return f"<p>Training was cancelled ({esc(job['message'])}).</p>"
    return ""


def _sample_md(sample: dict) -> str:
    """One judged sample: a brief and its copy, or a script and the judge's verdict on the clip."""
    if "prompt" in sample:
        verdict = ("judged yours" if sample["attributed"] else
                   "a copy of a training image" if sample["copy"] else
                   f"not judged yours (nearest style: {esc(sample['style'])}, "
                   f"{sample['typicality']:.1f}× your own spread)")
        return f"> **Prompt:** {esc(sample['prompt'])}\n>\n> {verdict}"
    if "script" in sample:
        verdict = ("judged yours" if sample["attributed"] else
                   f"not judged yours (nearest voice: {esc(sample['voice'])}, "
                   f"{sample['typicality']:.1f}× your own spread)")
        return f"> **Script:** {esc(sample['script'])}\n>\n> {verdict}"
    return f"> **Brief:** {esc(sample['brief'])}\n>\n> {esc(sample['text'][:500])}"


def _made_md(report: dict, current: dict) -> str:
    """What the version was made from and with."""
    line = f"Base: {esc(current['base_model_id'])}"
    if report.get("images"):
        if report.get("method") == "hub-lora":
            line += (f" · LoRA trained on {report['images']} images for {report['lora_steps']} steps "
                     f"in {report['train_s']:.0f} s")
        else:
            start = ("fine-tuned from the house base" if report.get("generator_base")
                     else "trained from scratch")
            line += (f" · {start} on {report['images']} images in "
                     f"{report['train_s'] / 60:.1f} min ({report['generator_steps']:,} generator steps, "
                     f"upsampler {report['upsampler_steps']:,} steps)"
                     + (" · drafts mended from patches of your own pieces"
                        if report.get("refined") else "")
                     + (" · lines redrawn in your stroke" if report.get("line_art") else "")
                     + (f" · rings drawn round about one centre when a prompt says "
                        f"{esc(' or '.join(report['round_tags']))}" if report.get("round_tags") else "")
                     + (f" · of {report['candidates']} drafts per image, the likest to your pieces kept"
                        if report.get("candidates", 1) > 1 else "")
                     + (f" · {len(report['palette'])}-colour flat palette"
                        if report.get("flat_palette") and not report.get("line_art") else ""))
        line += f" · judged against {len(report.get('pool', []))} other styles and fakes"
        if report.get("tags"):
            line += f"\n\n**What a buyer's prompt can steer:** {esc(', '.join(report['tags']))}"
        return line
    if report.get("recordings"):
        line += (f" · fitted on {report['recordings']} recordings ({report['fit_seconds']:.0f} s"
                 f"{', with their transcripts' if report.get('transcripts_used') else ''}) in "
                 f"{report.get('train_s', '?')} s · judged against {len(report.get('pool', []))} "
                 "other voices")
        if report.get("matched"):
            m = report["matched"]
            line += (f" · matched voice: {esc(m['voice'])}, pitch {m['pitch']:.0f}, "
                     f"{m['speed']:.0f} words a minute, low-pass {m['lowpass_hz'] / 1000:.1f} kHz, "
                     f"room {m['reverb']:.2f}")
        if report.get("pool_left_out"):
            line += (" (left out as sounding like you: "
                     f"{esc(', '.join(report['pool_left_out']))})")
        if report.get("licences"):  # the hub profile's pretrained models
            line += " · model licences: " + "; ".join(
                f"{esc(m['model_id'])}: {esc(m['licence'])}"
                + (" — ⚠️ not for commercial use" if m.get("commercial") is False else "")
                for m in report["licences"])
        return line
    return line + f" · trained in {report.get('train_s', '?')} s"


def _report_md(view: dict) -> str:
    model, current = view["model"], view["current"]
    if model is None:
        return ("### Your personal model\nNot trained yet. Train it on your portfolio; it can be "
                "published once an independent judge finds at least 90 % of its output true to you.")
    lines = [f"### {esc(model['name'])}", f"**Status:** {STATUS_LABEL.get(model['status'], model['status'])}"
             + (f" at {money(model['price_cents'])} per generation" if model["status"] == "published" else "")]
    if current and current["fidelity"] is not None:
        report = json.loads(current["fidelity_report"] or "{}")
        passed = current["fidelity"] >= PUBLISH_THRESHOLD
        verdict = "✅ can be published" if passed else f"❌ under the {PUBLISH_THRESHOLD:.2f} gate"
        lines += [f"**Version {current['version']} fidelity:** {current['fidelity']:.2f} "
                  f"(95 % interval {current['fidelity_ci_low']:.2f}–{current['fidelity_ci_high']:.2f}, "
                  f"{report.get('attributed', '?')} of {report.get('n', '?')} samples judged yours) — {verdict}",
                  f"**Copies of your training samples:** {current['copies']}"
                  + (f" ({report['copies_redrawn']} near-cop{'y' if report['copies_redrawn'] == 1 else 'ies'}"
                     " caught and drawn again before judging)"
                     if report.get("copies_redrawn") else "")
                  + (f" · your own held-out work judged yours: {report['held_out_attributed']:.0%}"
                     if report.get("held_out_attributed") is not None else ""),
                  _made_md(report, current)]
        if not passed:
            lines.append(f"**To raise it:** {WHAT_TO_ADD.get(model['modality'], '')}")
        lines += [_sample_md(sample) for sample in report.get("samples", [])[:2]]
    return "\n\n".join(lines)


def _sample_audio(ctx, view: dict):
    """The first judged clip of the current voice version, to hear (hidden otherwise)."""
    current = view["current"]
    clips = json.loads(current["fidelity_report"] or "{}").get("sample_clips", []) if current else []
    path = ctx.settings.data_dir / clips[0]["path"] if clips else None
    if path is None or not path.is_file():
        return gr.Audio(value=None, visible=False)
    audio, rate = soundfile.read(path, dtype="int16")
    return gr.Audio(value=(rate, audio), visible=True,
                    label=f"A judged clip: “{clips[0]['script'][:80]}”")


def _sample_picture(ctx, view: dict, active: bool):
    """Image models: the newest training preview while training, else the judged samples' grid."""
    job, current = view["job"], view["current"]
    path, label = None, ""
    if active and job.get("preview_path"):
        path, label = job["preview_path"], "Preview: four drafts from the generator as it trains"
    elif current and current["fidelity_report"]:
        grid = json.loads(current["fidelity_report"]).get("sample_grid")
        path, label = (ctx.settings.data_dir / grid if grid else None), "16 of the judged images"
    if path is None or not ctx.settings.data_dir.joinpath(path).is_file():
        return gr.Image(value=None, visible=False)
    return gr.Image(value=str(path), visible=True, label=label)


def _view(ctx, user):
    view = ctx.engine.studio_model(user)
    job = view["job"]
    active = bool(job and job["status"] in ("queued", "running"))
    model = view["model"]
    price = f"{model['price_cents'] / 100:.2f}" if model else "1.00"
    return (_report_md(view), _progress_html(job), gr.Timer(active=active), price, _sample_audio(ctx, view),
            _sample_picture(ctx, view, active))


def on_model_load(ctx, request: gr.Request):
    """The model report and training progress."""
    return _view(ctx, require(ctx, request, "seller"))


def on_train(ctx, request: gr.Request):
    user = require(ctx, request, "seller")
    ctx.engine.train(user)
    gr.Info("Training started. You can leave this page: progress is kept.")
    return _view(ctx, user)


def on_cancel(ctx, request: gr.Request):
    user = require(ctx, request, "seller")
    ctx.engine.cancel_training(user)
    return _view(ctx, user)


def _model_id(ctx, user):
    model = ctx.engine.studio_model(user)["model"]
    if model is None:
        raise gr.Error("Train your model first.")
    return model["id"]


def on_publish(ctx, price: str, request: gr.Request):
    user = require(ctx, request, "seller")
    try:
        cents = parse_money(price)
    except ValueError:
        raise gr.Error("Set the price per generation in dollars, e.g. 1.50.") from None
    ctx.engine.publish(user, _model_id(ctx, user), cents)
    gr.Info("Published: buyers can try your model now.")
    return _view(ctx, user)


def on_order_prices(ctx, licence: str, blend: str, request: gr.Request) -> str:
    """Seller: what licensing one AI sample and a blend (the sample finished by hand) cost."""
    user = require(ctx, request, "seller")
    try:
        cents = [parse_money(licence or "0"), parse_money(blend or "0")]
    except ValueError:
        raise gr.Error("Write the prices in dollars, e.g. 20 or 45.50 (0: not offered).") from None
    model = ctx.engine.set_order_prices(user, _model_id(ctx, user), *cents)
    return order_prices_text(model)


def on_order_prices_load(ctx, request: gr.Request):
    """The model's licence and blend prices as they are, in the boxes and in words."""
    model = ctx.engine.studio_model(require(ctx, request, "seller"))["model"]
    if not model:
        return "0.00", "0.00", ""
    return (f"{model['licence_cents'] / 100:.2f}", f"{model['blend_cents'] / 100:.2f}",
            order_prices_text(model))


def order_prices_text(model: dict | None) -> str:
    if not model:
        return ""
    offers = [f"licence of an AI sample {money(model['licence_cents'])}" if model["licence_cents"] else
              "AI samples not licensed", f"blend {money(model['blend_cents'])}" if model["blend_cents"] else
              "no blends"]
    return "Buyers see: " + " · ".join(offers) + ". Orders of the human use your gig packages."


def on_disable(ctx, request: gr.Request):
    user = require(ctx, request, "seller")
    ctx.engine.disable(user, _model_id(ctx, user))
    gr.Info("Disabled: buyers can no longer use this model.")
    return _view(ctx, user)


def _receipt_md(receipt: dict) -> str:
    """The deletion receipt: what was removed and what was kept."""
    lines = [f"### Deleted: {esc(receipt['model'])}",
             f"{receipt['deleted_at']} · {receipt['files']} files, {receipt['bytes'] / 1e6:.1f} MB removed"
             f" · {receipt['cached_copies_dropped']} cached copies dropped from memory", ""]
    lines += [f"- {esc(r['what'])}: `{esc(r['path'])}` ({r['files']} files, {r['bytes'] / 1e6:.2f} MB)"
              for r in receipt["removed"]]
    kept = receipt["kept"]
    n = kept["paid_generations"]
    if receipt["failed"]:
        lines += ["", "⚠️ Could not be removed (support has the list in the audit log):"]
        lines += [f"- `{esc(f['path'])}`: {esc(f['error'])}" for f in receipt["failed"]]
    lines += ["", f"Kept: the ledger's entries and the {n} generation{'s' if n != 1 else ''} buyers "
                  "paid for; your portfolio"
                  + (" was deleted too." if receipt["portfolio_items_removed"] else " is untouched.")]
    return "\n".join(lines)


def on_delete(ctx, confirmed: bool, purge: bool, request: gr.Request):
    user = require(ctx, request, "seller")
    if not confirmed:
        raise gr.Error("Tick “I understand” first: a deleted model cannot be brought back.")
    receipt = ctx.engine.delete_model(user, _model_id(ctx, user), purge_portfolio=bool(purge))
    gr.Info("Deleted. Your receipt is below the buttons.")
    return (*_view(ctx, user), gr.Markdown(_receipt_md(receipt), visible=True), False)


def build(ctx, tab: gr.Tab) -> None:
    """The panel, inside the Studio tab."""
    with gr.Accordion("Personal model", open=True):
        report = gr.Markdown()
        sample = gr.Audio(label="A judged clip", visible=False, interactive=False)
        picture = gr.Image(label="Judged images", visible=False, interactive=False, height=320)
        progress = gr.HTML()
        with gr.Row():
            train = gr.Button("Train a new version", variant="primary")
            cancel = gr.Button("Cancel training")
        with gr.Row(equal_height=True):
            price = gr.Textbox(label="Price per generation ($)", value="1.00", max_length=10, scale=1)
            publish = gr.Button("Publish", variant="primary", scale=1)
            disable = gr.Button("Disable", variant="stop", scale=1)
        with gr.Row(equal_height=True):
            licence = gr.Textbox(label="Licence of one AI sample ($, 0: not offered)", value="0.00",
                                 max_length=10, scale=1)
            blend = gr.Textbox(label="Blend: an AI sample finished by you ($, 0: not offered)", value="0.00",
                               max_length=10, scale=1)
            save_prices = gr.Button("Save order prices", scale=1)
        offers = gr.Markdown()
        with gr.Accordion("Delete this model", open=False):
            gr.Markdown("Removes every version's files, training checkpoints and cached copies at "
                        "once; buyers lose access immediately. The ledger keeps its entries and "
                        "buyers keep what they bought. You get a receipt of what was removed.")
            with gr.Row(equal_height=True):
                confirm = gr.Checkbox(label="I understand a deleted model cannot be brought back")
                purge = gr.Checkbox(label="Also delete my portfolio for this model")
                delete = gr.Button("Delete model", variant="stop")
            receipt = gr.Markdown(visible=False)
    timer = gr.Timer(2.0, active=False)
    view = [report, progress, timer, price, sample, picture]
    load = bind(on_model_load, ctx)
    tab.select(load, None, view, api_name="studio_model")
    tab.select(bind(on_order_prices_load, ctx), None, [licence, blend, offers], api_name="studio_order_prices_load")
    timer.tick(load, None, view, api_visibility="private", show_progress="hidden")
    train.click(bind(on_train, ctx), None, view, api_name="studio_train")
    cancel.click(bind(on_cancel, ctx), None, view, api_name="studio_cancel_training")
    publish.click(bind(on_publish, ctx), price, view, api_name="studio_publish")
    disable.click(bind(on_disable, ctx), None, view, api_name="studio_disable")
    save_prices.click(bind(on_order_prices, ctx), [licence, blend], offers, api_name="studio_order_prices")
    delete.click(bind(on_delete, ctx), [confirm, purge], [*view, receipt, confirm],
                 api_name="studio_delete_model")
