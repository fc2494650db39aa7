"""Try-outs of published personal image models: a buyer writes a prompt and gets a gallery of new
images in the designer's style; each image is charged once made and only when it is within the
designer's boundaries."""

import uuid

import gradio as gr

from app.context import bind, require
from app.widgets import esc, model_choices, money
from engine.tryouts import MAX_IMAGES, MAX_PROMPT_CHARS

HINT = "e.g. a large teal circle above coral stripes, centred layout"


def on_image_models(ctx, request: gr.Request):
    """Published image models for the picker."""
    require(ctx, request, "buyer", "seller", "admin")
    choices = model_choices(ctx.engine.published_models("image"), "image")
    return gr.Dropdown(choices=choices, value=choices[0][1] if choices else None)


def on_steering(ctx, model_id, request: gr.Request) -> str:
    """What a prompt can and cannot change for the chosen model."""
    require(ctx, request, "buyer", "seller", "admin")
    if not model_id:
        return ""
    words = ctx.engine.image_steering(model_id)
    if not words:
        return ("**What your prompt changes:** the subject and composition, within the designer's "
                "style. The style itself, the palette and the image size stay the designer's.")
    return ("**What your prompt changes:** the words this model learned from the designer's "
            f"captions — {esc(', '.join(words))}. Other words are ignored. The style, the palette "
            "and the 256 × 256 size stay the designer's; text, faces and photos are beyond it.")


def on_draw(ctx, model_id, prompt: str, count, request: gr.Request):
    """Draw the images; return them and what was charged."""
    user = require(ctx, request, "buyer")
    if not model_id:
        raise gr.Error("Pick a published design model first.")
    result = ctx.engine.draw_images(user, model_id, prompt, int(count or 1), f"try:{uuid.uuid4().hex}")
    images = result["images"]
    charged = sum(g["price_cents"] for g in images)
    note = (f"Charged {money(charged)} for {len(images)} image{'s' if len(images) != 1 else ''} · "
            f"wallet {money(ctx.engine.wallet(user))}. Like the direction? In **Orders**, license "
            "an image (the clean file, no preview mark), have the designer finish it (a blend) or order "
            "them from their gigs for a print-ready piece.")
    if result["withheld"]:
        note += f"\n\n{len(result['withheld'])} withheld and not charged: {esc(result['withheld'][0])}"
    return [g["image_path"] for g in images], note


def build(ctx, demo: gr.Blocks) -> None:
    with gr.Accordion("Draw with a personal design model", open=False):
        with gr.Row(equal_height=True):
            model = gr.Dropdown(label="Published design models", choices=[], scale=3,
                                allow_custom_value=True)
            refresh = gr.Button("Refresh", size="sm", scale=0)
        steering = gr.Markdown()
        with gr.Row(equal_height=True):
            prompt = gr.Textbox(label="Your prompt", placeholder=HINT, max_length=MAX_PROMPT_CHARS, scale=4)
            count = gr.Slider(1, MAX_IMAGES, value=2, step=1, label="Images", scale=1)
        go = gr.Button("Draw", variant="primary")
        gallery = gr.Gallery(label="Your images (256 × 256)", columns=4, height="auto", interactive=False)
        receipt = gr.Markdown()
    load = bind(on_image_models, ctx)
    demo.load(load, None, model, api_visibility="private")
    refresh.click(load, None, model, api_name="tryouts_image_models")
    model.change(bind(on_steering, ctx), model, steering, api_name="tryouts_image_steering")
    go.click(bind(on_draw, ctx), [model, prompt, count], [gallery, receipt], api_name="tryouts_images",
             concurrency_limit=1)
