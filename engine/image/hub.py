"""The `hub` profile's image model: a DreamBooth-style LoRA on a pretrained text-to-image pipeline.

A creator's style is a LoRA on the UNet of a Stable-Diffusion-format pipeline (SD-Turbo class),
trained through diffusers + peft in the manner of diffusers'
examples/dreambooth/train_dreambooth_lora.py: every training prompt names the style by
INSTANCE_TOKEN. A LoRA folder holds pytorch_lora_weights.safetensors (diffusers' LoRA format) and
lora.json; generating loads it on the pipeline as a named adapter and keeps it there until forgotten.
diffusers, peft and torch are imported lazily.
"""

import hashlib
import json
import math
import os
import time
from pathlib import Path

from engine.errors import InvalidInput

INSTANCE_TOKEN = "sks"
LORA_FILE = "lora.json"
SAVE_EVERY = 50
TRAINING = "signature_training"  # the adapter's name on the UNet while it trains
TARGETS = ["to_k", "to_q", "to_v", "to_out.0"]


def prompt_for(caption: str) -> str:
    """The prompt that calls up the creator's style, with the caption (may be empty) after it."""
    caption = (caption or "").strip()
    return f"a design in {INSTANCE_TOKEN} style" + (f", {caption}" if caption else "")


def load_pipeline(model_id: str, revision: str | None = None, threads: int | None = None):
    """A text-to-image pipeline (hub id or local folder) in float32 on the CPU."""
    import torch
    from diffusers import AutoPipelineForText2Image

    if threads:
        torch.set_num_threads(threads)
    pipe = AutoPipelineForText2Image.from_pretrained(model_id, revision=revision, dtype=torch.float32)
    pipe.to("cpu")
    pipe.set_progress_bar_config(disable=True)
    return pipe


def _pixels(image, resolution: int, flip: bool):
    import numpy as np
    import torch
    from PIL import Image, ImageOps

    image = ImageOps.fit(image.convert("RGB"), (resolution, resolution), Image.Resampling.BICUBIC)
    if flip:
        image = ImageOps.mirror(image)
    array = np.asarray(image, dtype=np.float32) / 127.5 - 1.0
    return torch.from_numpy(array).permute(2, 0, 1).unsqueeze(0)


def _save(pipe, out_dir: Path, steps_done: int, rank: int):
    from diffusers import StableDiffusionPipeline
    from diffusers.utils import convert_state_dict_to_diffusers
    from peft.utils import get_peft_model_state_dict

    layers = convert_state_dict_to_diffusers(get_peft_model_state_dict(pipe.unet, adapter_name=TRAINING))
    StableDiffusionPipeline.save_lora_weights(out_dir, unet_lora_layers=layers)
    part = out_dir / (LORA_FILE + ".part")
    part.write_text(json.dumps({"steps_done": steps_done, "rank": rank, "model_id": pipe.name_or_path,
                                "token": INSTANCE_TOKEN}), encoding="utf-8")
    os.replace(part, out_dir / LORA_FILE)


def _resume(pipe, folder: Path) -> int:
    """Load a saved LoRA into the training adapter; returns its steps done."""
    from diffusers import StableDiffusionPipeline
    from diffusers.utils import convert_unet_state_dict_to_peft
    from peft import set_peft_model_state_dict

    state, _ = StableDiffusionPipeline.lora_state_dict(str(folder))
    state = convert_unet_state_dict_to_peft({k.removeprefix("unet."): v for k, v in state.items()})
    result = set_peft_model_state_dict(pipe.unet, state, adapter_name=TRAINING)
    if getattr(result, "unexpected_keys", None):
        raise ValueError(f"{folder} holds a LoRA for another model: train from the start")
    return int(json.loads((folder / LORA_FILE).read_text(encoding="utf-8"))["steps_done"])


def train_lora(pipe, images: list, captions: list[str], out_dir: Path, steps: int = 400, rank: int = 4,
               learning_rate: float = 1e-4, resolution: int = 512, seed: int = 0, progress=None,
               resume_from: Path | None = None) -> dict:
    """Train a LoRA on the pipeline's UNet from the creator's images and captions and save it in
    `out_dir` every SAVE_EVERY steps and at the end. `progress(step, steps, loss)` is called after
    each step (an exception from it stops training). `resume_from`, a folder saved earlier,
    continues from its steps done (at its rank). The pipeline is left without the LoRA."""
    import torch
    import torch.nn.functional as F
    from diffusers import DDPMScheduler
    from peft import LoraConfig

    if not images:
        raise InvalidInput("Add at least one image of your work to train your image model.")
    if len(captions) != len(images):
        raise InvalidInput(f"{len(images)} images came with {len(captions)} captions: give each image "
                           "one caption (it may be empty).")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if resume_from is not None:
        rank = int(json.loads((Path(resume_from) / LORA_FILE).read_text(encoding="utf-8"))["rank"])
    unet, started = pipe.unet, time.monotonic()
    noise_scheduler = DDPMScheduler.from_config(pipe.scheduler.config)
    prediction = noise_scheduler.config.prediction_type
    for model in (unet, pipe.vae, pipe.text_encoder):
        model.requires_grad_(False)
    unet.add_adapter(LoraConfig(r=rank, lora_alpha=rank, init_lora_weights="gaussian", target_modules=TARGETS),
                     adapter_name=TRAINING)
    try:
        unet.enable_lora()  # new LoRA layers stay off if the pipeline's adapters were disabled
        done = _resume(pipe, Path(resume_from)) if resume_from is not None else 0
        params = [p for name, p in unet.named_parameters() if f".{TRAINING}." in name]
        for p in params:
            p.requires_grad_(True)
        optimizer = torch.optim.AdamW(params, lr=learning_rate)
        generator = torch.Generator("cpu").manual_seed(seed + done)
        with torch.no_grad():
            embeds = [pipe.encode_prompt(prompt_for(c), "cpu", 1, False)[0] for c in captions]
        latents_of, loss, scale = {}, math.nan, pipe.vae.config.scaling_factor
        unet.train()
        for step in range(done + 1, steps + 1):
            i = int(torch.randint(len(images), (1,), generator=generator))
            flip = bool(torch.rand(1, generator=generator) < 0.5)
            if (i, flip) not in latents_of:
                with torch.no_grad():
                    latents_of[i, flip] = pipe.vae.encode(_pixels(images[i], resolution, flip)).latent_dist
            latents = latents_of[i, flip].sample(generator) * scale
            noise = torch.randn(latents.shape, generator=generator)
            t = torch.randint(noise_scheduler.config.num_train_timesteps, (1,), generator=generator)
            noisy = noise_scheduler.add_noise(latents, noise, t)
            target = noise_scheduler.get_velocity(latents, noise, t) if prediction == "v_prediction" else noise
            predicted = unet(noisy, t, encoder_hidden_states=embeds[i]).sample
            step_loss = F.mse_loss(predicted.float(), target.float())
            step_loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            optimizer.zero_grad()
            loss = float(step_loss.detach())
            if step % SAVE_EVERY == 0 or step == steps:
                _save(pipe, out_dir, step, rank)
            if progress is not None:
                progress(step, steps, loss)
        if done >= steps:
            _save(pipe, out_dir, done, rank)
    finally:
        unet.eval()
        unet.requires_grad_(False)
        _drop(pipe, TRAINING)
        forget(pipe, str(out_dir.resolve()))  # a copy loaded before now is stale
        if getattr(unet, "peft_config", None):
            unet.disable_lora()  # peft made another adapter active: back to the bare model
    return {"steps": steps, "final_loss": loss, "train_s": round(time.monotonic() - started, 2),
            "path": str(out_dir)}


def _drop(pipe, name: str):
    """Remove an adapter from the UNet; the last one goes with its LoRA layers (a bare UNet)."""
    config = getattr(pipe.unet, "peft_config", None) or {}
    if set(config) <= {name}:
        pipe.unet.unload_lora()
    else:
        pipe.unet.delete_adapters(name)


def _loaded(pipe) -> dict:
    """{adapter name: LoRA folder} of the LoRAs loaded by `generate`, kept on the pipeline."""
    return vars(pipe).setdefault("signature_loras", {})


def generate(pipe, lora_dir: Path | None, prompt: str, seed: int = 0, steps: int = 1, size: int = 512,
             guidance_scale: float = 0.0):
    """One image for `prompt` in the style of the LoRA in `lora_dir` (None: the bare model)."""
    import torch

    if lora_dir is None:
        if getattr(pipe.unet, "peft_config", None):
            pipe.unet.disable_lora()
    else:
        path = str(Path(lora_dir).resolve())
        name = "lora_" + hashlib.sha256(path.encode()).hexdigest()[:12]
        if name not in (getattr(pipe.unet, "peft_config", None) or {}):
            if not (Path(path) / LORA_FILE).is_file():
                raise InvalidInput(f"No trained image model in {path}: train it first.")
            pipe.load_lora_weights(path, adapter_name=name)
            _loaded(pipe)[name] = path
        pipe.unet.set_adapters([name])
        pipe.unet.enable_lora()
    generator = torch.Generator("cpu").manual_seed(seed)
    return pipe(prompt_for(prompt), num_inference_steps=steps, height=size, width=size,
                guidance_scale=guidance_scale, generator=generator).images[0]


def forget(pipe, prefix: str) -> int:
    """Unload the LoRAs loaded from folders under `prefix`; returns how many."""
    loaded = _loaded(pipe)
    gone = [name for name, path in loaded.items() if path.startswith(prefix)]
    for name in gone:
        del loaded[name]
        if name in (getattr(pipe.unet, "peft_config", None) or {}):
            _drop(pipe, name)
    return len(gone)
