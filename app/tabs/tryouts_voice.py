"""Try-outs of published personal voices: a buyer types a script and hears it in the creator's
voice (an audio player with its waveform); the creator's price is charged once the clip is made
and only when the script is within the creator's boundaries."""

import uuid

import gradio as gr
import soundfile

from app.context import bind, require
from app.widgets import model_choices, money
from engine.tryouts import MAX_SCRIPT_CHARS

HINT = (f"Type the words you want to hear, up to {MAX_SCRIPT_CHARS:,} characters (about a "
        "minute). The clip is a preview: order the artist for a finished, directed read.")


def on_voice_models(ctx, request: gr.Request):
    """Published voice models for the picker."""
    require(ctx, request, "buyer", "seller", "admin")
    choices = model_choices(ctx.engine.published_models("voice"), "clip")
    return gr.Dropdown(choices=choices, value=choices[0][1] if choices else None)


def on_try_voice(ctx, model_id, script: str, request: gr.Request):
    """Speak the script with the chosen voice; return the clip and what was charged."""
    user = require(ctx, request, "buyer")
    if not model_id:
        raise gr.Error("Pick a published voice first.")
    clip = ctx.engine.speak(user, model_id, script, f"try:{uuid.uuid4().hex}")
    audio, rate = soundfile.read(clip["audio_path"], dtype="int16")  # as stored: no conversion
    return (rate, audio), (f"Charged {money(clip['price_cents'])} for {clip['duration_s']:.1f} s · "
                           f"wallet {money(ctx.engine.wallet(user))}. Like the voice? License the "
                           "clean clip (no chime) in **Orders**. Order the artist from their gigs for a "
                           "finished read of your script.")


def build(ctx, demo: gr.Blocks) -> None:
    with gr.Accordion("Hear a personal voice", open=False):
        with gr.Row(equal_height=True):
            model = gr.Dropdown(label="Published voice-over models", choices=[], scale=3,
                                allow_custom_value=True)
            refresh = gr.Button("Refresh", size="sm", scale=0)
        script = gr.Textbox(label="Your script", placeholder=HINT, lines=3, max_length=MAX_SCRIPT_CHARS)
        go = gr.Button("Say it", variant="primary")
        clip = gr.Audio(label="Your clip", type="numpy", interactive=False)  # plays with a waveform
        receipt = gr.Markdown()
    load = bind(on_voice_models, ctx)
    demo.load(load, None, model, api_visibility="private")
    refresh.click(load, None, model, api_name="tryouts_voice_models")
    go.click(bind(on_try_voice, ctx), [model, script], [clip, receipt], api_name="tryouts_voice",
             concurrency_limit=1)
