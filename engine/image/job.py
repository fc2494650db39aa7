"""The training job of a personal image model: the flow-matching generator and the upsampler
trained on the designer's portfolio, then the image judge on
`settings.image_fidelity_samples` new samples at 256 px.

Stages and their share of the progress bar: the generator (settings.image_train_seconds, with a
preview of four drafts every PREVIEW_EVERY steps and a checkpoint every CHECKPOINT_EVERY steps:
after a restart the job resumes from it), the upsampler and palette
(settings.image_upsampler_seconds), then judging. Runs in the engine's job worker.
"""

import json
import time
from pathlib import Path

import numpy as np

from engine.personal_models import record_judged, run_training, training_subject
from storage import creators, portfolio

PREVIEW_EVERY = 300
CHECKPOINT_EVERY = 300
OTHER_DESIGNER_IMAGES = 24
SAMPLES_REPORTED = 12
GRID_SAMPLES = 16
TOTAL = 1000  # progress units: generator 0-800, upsampler 800-880, judging 880-1000
GENERATOR_UNITS, UPSAMPLER_UNITS = 800, 80


def run(engine, ctx) -> dict:
    """Train, save the model, judge fidelity; record everything on the model version (a failure
    or cancel marks it failed; a shutdown leaves it to resume after restart)."""
    return run_training(ctx, lambda: _train_and_judge(engine, ctx), threads=engine.settings.train_threads)


def load_images(settings, items: list[dict], size: int) -> list[np.ndarray]:
    """Portfolio items as (size, size, 3) arrays in [0, 1] (centre square, resized by area)."""
    from PIL import Image, ImageOps

    from engine.image.render import to_array

    arrays = []
    for item in items:
        with Image.open(settings.data_dir / item["file_path"]) as image:
            square = ImageOps.fit(image.convert("RGB"), (min(image.size),) * 2)
        arrays.append(to_array(square, size))
    return arrays


def judging_prompts(held: list[dict], train: list[dict], count: int) -> list[str]:
    """What the judged samples are asked for: the held-out pieces' captions (briefs the model
    never saw), then the training captions, repeated up to `count`."""
    prompts = [i["caption"] or i["title"] for i in held] + [i["caption"] or i["title"] for i in train]
    return (prompts * (count // max(len(prompts), 1) + 1))[:count]


def other_styles(db, settings, seller_id: int, train: list[np.ndarray]) -> dict[str, list[np.ndarray]]:
    """Everyone the designer is judged against: the platform's other designers, the shipped
    reference styles and photographs, and fakes made from the designer's own training images."""
    from assets import image_pool

    pool = {}
    for creator in creators.list_creators(db):
        if creator["modality"] == "image" and creator["user_id"] != seller_id:
            items = portfolio.items_for(db, creator["user_id"], "image", held_out=False,
                                        limit=OTHER_DESIGNER_IMAGES)
            if items:
                pool[f"seller:{creator['username']}"] = load_images(settings, items, 256)
    pool.update(image_pool.reference_styles())
    pool.update(image_pool.fakes(train))
    return pool


def save_grid(images: list[np.ndarray], path: Path, columns: int = 4, tile: int = 128) -> None:
    """Images side by side in a grid PNG."""
    from PIL import Image

    from engine.image.render import to_image

    rows = -(-len(images) // columns)
    sheet = Image.new("RGB", (columns * tile, rows * tile), "white")
    for i, image in enumerate(images):
        sheet.paste(to_image(image).resize((tile, tile), Image.LANCZOS), ((i % columns) * tile, (i // columns) * tile))
    path.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(path)


def _train_generator(ctx, settings, version_dir: Path, drafts, captions, from_base: bool):
    from engine.image import flow, house

    checkpoint = version_dir / "checkpoint.safetensors"
    state = None
    if ctx.resume_from and ctx.resume_from.resolve() == checkpoint.resolve():
        state = flow.load(checkpoint)
        if flow.shape_of(state)["draft"] != drafts.shape[1]:  # a checkpoint of the earlier 32 px generator
            state = None
            ctx.report(0, TOTAL, message="the checkpoint is from an earlier generator: training afresh")
        else:
            ctx.report(int(state["seconds"] / settings.image_train_seconds * GENERATOR_UNITS), TOTAL,
                       message=f"resumed the generator at step {state['steps']}")
    preview = version_dir / "preview.png"

    def save_preview(state) -> dict:
        drafts_now = flow.Generator(state).sample("", [0, 1, 2, 3], steps=12)
        save_grid(list(drafts_now), preview, columns=4, tile=96)
        return {"preview_path": preview.resolve()}

    def progress(step, elapsed, loss, snapshot):
        ctx.check_cancelled()
        done = int(min(elapsed / settings.image_train_seconds, 1.0) * GENERATOR_UNITS)
        fields = save_preview(snapshot()) if step % PREVIEW_EVERY == 0 else {}
        if step % CHECKPOINT_EVERY == 0:
            flow.save(snapshot(), checkpoint)
            fields["checkpoint_path"] = checkpoint.resolve()
        ctx.report(done, TOTAL, loss=loss, message=f"training your generator: step {step}, "
                   f"{elapsed / 60:.1f} of {settings.image_train_seconds / 60:.0f} min", **fields)

    base = house.load_base() if from_base and state is None else None
    state = flow.train(drafts, captions, settings.image_train_seconds, progress=progress, state=state,
                       base=base)
    flow.save(state, version_dir / "generator.safetensors")
    ctx.report(GENERATOR_UNITS, TOTAL, message=f"generator trained: {state['steps']} steps",
               **save_preview(state))
    return state


def _embedded_model(ctx, settings, version_dir, finals, captions, base_id: str):
    """The generator (from the house base when the version records it as `base_id`) and the
    upsampler trained (or the generator resumed) and saved. Returns (prompt, seed -> (256 px
    image, copies drawn again), what the report says of them)."""
    from engine.image import drawing, flow, house, render

    palette = render.fit_finish(finals, captions)
    blur = palette["draft_blur"]
    from_base = base_id == house.BASE_ID
    state = _train_generator(ctx, settings, version_dir, render.drafts_of(finals, blur), captions, from_base)
    ctx.check_cancelled()

    def upsampler_progress(done_s, seconds, loss):
        ctx.check_cancelled()
        ctx.report(GENERATOR_UNITS + int(done_s / seconds * UPSAMPLER_UNITS), TOTAL, loss=loss,
                   message="training the upsampler on your full-size work")

    started = time.perf_counter()
    upsampler, up_steps, up_loss = render.train_upsampler(finals, settings.image_upsampler_seconds,
                                                          progress=upsampler_progress, blur=blur)
    render.save_finisher(upsampler, palette, version_dir)
    generator = flow.Generator(state)

    def draw(prompt, seed):
        images, redrawn = drawing.draw(generator, upsampler, palette, prompt, [seed])
        return images[0], redrawn

    return draw, {"method": "flow-64px+examples+upsampler",
                  "generator_base": base_id if from_base else None,
                  "train_s": round(state["seconds"] + time.perf_counter() - started, 1),
                  "generator_steps": state["steps"], "upsampler_steps": up_steps,
                  "upsampler_loss": round(up_loss, 4), "flat_palette": bool(palette["flat"]),
                  "line_art": palette["lines"] is not None, "draft_blur": blur,
                  "refined": palette["examples"] is not None, "round_tags": palette["round_tags"],
                  "candidates": palette["candidates"],
                  "palette": [[round(float(c) * 255) for c in colour] for colour in palette["colours"]],
                  "tags": state["vocabulary"]}


def _hub_model(ctx, settings, version_dir, finals, captions):
    """A LoRA on the pretrained pipeline of the settings (engine/image/hub.py), trained or
    resumed and saved. Returns (prompt, seed -> (image at 256 px, 0), what the report says of it)."""
    from engine.image import hub, render

    pipe = hub.load_pipeline(settings.image_model_id, settings.image_model_revision)
    lora_dir = version_dir / "lora"
    resume = ctx.resume_from if ctx.resume_from and ctx.resume_from.resolve() == lora_dir.resolve() else None

    def progress(step, steps, loss):
        ctx.check_cancelled()
        ctx.report(int(step / steps * (GENERATOR_UNITS + UPSAMPLER_UNITS)), TOTAL, loss=loss,
                   message=f"training your LoRA: step {step} of {steps}",
                   checkpoint_path=lora_dir.resolve() if (lora_dir / hub.LORA_FILE).exists() else None)

    trained = hub.train_lora(pipe, [render.to_image(f) for f in finals], captions, lora_dir,
                             steps=settings.image_lora_steps, resolution=settings.image_lora_resolution,
                             progress=progress, resume_from=resume)

    def draw(prompt, seed):
        image = hub.generate(pipe, lora_dir, prompt, seed=seed, steps=settings.image_hub_steps,
                             size=settings.image_lora_resolution)
        return render.to_array(image, render.FINAL), 0

    return draw, {"method": "hub-lora", "train_s": trained["train_s"], "lora_steps": trained["steps"],
                  "final_loss": round(trained["final_loss"], 4), "tags": []}


def _train_and_judge(engine, ctx) -> dict:
    import torch

    from engine.fidelity.image import ImageJudge, StyleEncoder, copy_threshold, find_copies
    from engine.fidelity.stats import fidelity_report
    from engine.image import render

    db, settings = ctx.db, engine.settings
    version_id = ctx.payload["version_id"]
    subject = training_subject(db, settings.data_dir, version_id, "image")
    version, seller_id, version_dir = subject["version"], subject["seller_id"], subject["folder"]
    train_items, held_items = subject["train"], subject["held"]
    finals = load_images(settings, train_items, render.FINAL)
    held = load_images(settings, held_items, render.FINAL)
    captions = [i["caption"] or i["title"] for i in train_items]

    if settings.profile == "hub":
        draw, made = _hub_model(ctx, settings, version_dir, finals, captions)
    else:
        draw, made = _embedded_model(ctx, settings, version_dir, finals, captions, version["base_model_id"])
    torch.set_num_threads(settings.threads)
    prompts = judging_prompts(held_items, train_items, settings.image_fidelity_samples)
    samples, redrawn = [], 0
    for i, prompt in enumerate(prompts):
        ctx.check_cancelled()
        image, copies_redrawn = draw(prompt, 1000 + i)
        samples.append(image)
        redrawn += copies_redrawn
        ctx.report(GENERATOR_UNITS + UPSAMPLER_UNITS + int((i + 1) / len(prompts) * 80), TOTAL,
                   message=f"judging fidelity: image {i + 1} of {len(prompts)} generated")
    ctx.report(TOTAL - 40, TOTAL, message="judging fidelity: scoring the images")
    started = time.perf_counter()
    pool = other_styles(db, settings, seller_id, finals)
    judge = ImageJudge.fit(finals, pool, StyleEncoder(settings.threads))
    verdicts = judge.attribute(samples)
    copies = find_copies(samples, finals, copy_threshold(finals, held))
    verdict = fidelity_report(verdicts, [v["credited"] for v in verdicts], copies)
    held_rate = float(np.mean(judge.is_creator(held))) if held else None
    save_grid(samples[:GRID_SAMPLES], version_dir / "samples.png")
    report = {
        "n": verdict["n"], "attributed": verdict["attributed"], "fidelity": verdict["fidelity"],
        "ci_low": verdict["ci_low"], "ci_high": verdict["ci_high"], "copies": verdict["copies"],
        "copies_redrawn": redrawn, "held_out_attributed": held_rate,
        "judge_s": round(time.perf_counter() - started, 1),
        "images": len(finals), **made, "base_model": version["base_model_id"], "pool": sorted(pool),
        "sample_grid": str((version_dir / "samples.png").relative_to(settings.data_dir)),
        "samples": [{"prompt": p, "attributed": v["attributed"], "style": v["style"],
                     "p_creator": round(v["p_creator"], 3), "typicality": round(v["typicality"], 2),
                     "copy": v["copy"]}
                    for p, v in list(zip(prompts, verdict["per_sample"]))[:SAMPLES_REPORTED]]}
    record_judged(db, version_id, str(version_dir.relative_to(settings.data_dir)), verdict, report)
    ctx.report(TOTAL, TOTAL, message=f"judged: fidelity {verdict['fidelity']:.2f} on {verdict['n']} images")
    return {k: report[k] for k in ("fidelity", "ci_low", "ci_high", "copies", "train_s")}
