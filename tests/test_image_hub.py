"""The hub image model (engine/image/hub.py) on a tiny Stable-Diffusion-format pipeline built here
with random weights (nothing is downloaded): loading, LoRA training, resuming, cancelling,
generating with and without a LoRA, and forgetting loaded LoRAs."""

import json

import numpy as np
import pytest
from PIL import Image, ImageDraw

from engine.errors import InvalidInput
from engine.image import hub
from tests.tiny_sd import build_tiny_sd

SIZE = 32


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    return build_tiny_sd(tmp_path_factory.mktemp("tiny-sd"))


@pytest.fixture(scope="module")
def pipe(model_dir):
    return hub.load_pipeline(str(model_dir), threads=1)


def pixels(image) -> np.ndarray:
    return np.asarray(image, dtype=np.int16)


@pytest.fixture(scope="module")
def bare(pipe) -> np.ndarray:
    return pixels(hub.generate(pipe, None, "a poster", seed=3, size=SIZE))


def works() -> list:
    """Four small 'designs': solid squares with a shape drawn on each."""
    images = []
    for i, colour in enumerate(["red", "navy", "gold", "teal"]):
        image = Image.new("RGB", (SIZE, SIZE), colour)
        draw = ImageDraw.Draw(image)
        (draw.ellipse if i % 2 else draw.rectangle)((4 + i, 6, 24, 26 - i), fill="white")
        images.append(image)
    return images


CAPTIONS = ["a poster", "a logo", "", "a flyer"]


def train(pipe, out_dir, steps=6, **kwargs):
    calls = []
    result = hub.train_lora(pipe, works(), CAPTIONS, out_dir, steps=steps, resolution=SIZE,
                            learning_rate=1e-2, progress=lambda *a: calls.append(a), **kwargs)
    return result, calls


@pytest.fixture(scope="module")
def trained(pipe, tmp_path_factory):
    out = tmp_path_factory.mktemp("loras") / "creator-1" / "v1"
    result, calls = train(pipe, out)
    return out, result, calls


def test_the_pipeline_loads_from_its_folder_and_draws_an_image(model_dir, pipe, bare):
    assert (model_dir / "model_index.json").is_file()
    image = hub.generate(pipe, None, "a poster", seed=3, size=SIZE)
    assert isinstance(image, Image.Image) and image.size == (SIZE, SIZE)
    assert np.array_equal(pixels(image), bare)
    assert hub.prompt_for("a logo") == "a design in sks style, a logo"
    assert hub.prompt_for("") == "a design in sks style"


def test_a_trained_lora_changes_the_pictures_and_is_repeatable(pipe, bare, trained):
    out, result, calls = trained
    assert [c[:2] for c in calls] == [(step, 6) for step in range(1, 7)]
    assert all(np.isfinite(c[2]) for c in calls)
    assert result["steps"] == 6 and result["path"] == str(out) and np.isfinite(result["final_loss"])
    assert (out / "pytorch_lora_weights.safetensors").is_file()
    saved = json.loads((out / "lora.json").read_text())
    assert saved == {"steps_done": 6, "rank": 4, "model_id": pipe.name_or_path, "token": "sks"}
    assert not getattr(pipe.unet, "peft_config", None)  # training leaves the pipeline bare

    styled = pixels(hub.generate(pipe, out, "a poster", seed=3, size=SIZE))
    assert not np.array_equal(styled, bare)
    assert np.array_equal(pixels(hub.generate(pipe, out, "a poster", seed=3, size=SIZE)), styled)
    assert np.array_equal(pixels(hub.generate(pipe, None, "a poster", seed=3, size=SIZE)), bare)


def test_training_resumes_from_a_saved_lora(pipe, bare, tmp_path):
    out = tmp_path / "v2"
    hub.generate(pipe, None, "a poster", seed=3, size=SIZE)  # LoRAs loaded, all disabled
    train(pipe, out, steps=3)
    assert json.loads((out / "lora.json").read_text())["steps_done"] == 3
    first = pixels(hub.generate(pipe, out, "a poster", seed=3, size=SIZE))
    assert not np.array_equal(first, bare)

    result, calls = train(pipe, out, steps=6, resume_from=out)
    assert [c[0] for c in calls] == [4, 5, 6] and result["steps"] == 6
    assert json.loads((out / "lora.json").read_text())["steps_done"] == 6
    assert not np.array_equal(pixels(hub.generate(pipe, out, "a poster", seed=3, size=SIZE)), first)


def test_a_cancelled_training_leaves_the_pipeline_bare(model_dir, bare, tmp_path):
    fresh = hub.load_pipeline(str(model_dir))

    class Cancelled(Exception):
        pass

    def cancel(step, steps, loss):
        if step == 2:
            raise Cancelled

    with pytest.raises(Cancelled):
        hub.train_lora(fresh, works(), CAPTIONS, tmp_path / "v3", steps=6, resolution=SIZE,
                       learning_rate=1e-2, progress=cancel)
    assert not getattr(fresh.unet, "peft_config", None)
    assert np.array_equal(pixels(hub.generate(fresh, None, "a poster", seed=3, size=SIZE)), bare)


def test_forget_unloads_the_loras_under_a_folder(model_dir, bare, trained):
    fresh = hub.load_pipeline(str(model_dir))
    out = trained[0]
    hub.generate(fresh, out, "a poster", seed=3, size=SIZE)
    assert len(fresh.unet.peft_config) == 1
    assert hub.forget(fresh, str(out.parent.resolve())) == 1
    assert hub.forget(fresh, str(out.parent.resolve())) == 0
    assert not getattr(fresh.unet, "peft_config", None)
    assert np.array_equal(pixels(hub.generate(fresh, None, "a poster", seed=3, size=SIZE)), bare)


@pytest.mark.parametrize("images, captions", [([], []), (works()[:3], ["a", "b"])])
def test_bad_training_input_says_what_to_do(pipe, tmp_path, images, captions):
    with pytest.raises(InvalidInput, match="image|caption"):
        hub.train_lora(pipe, images, captions, tmp_path / "v", steps=2, resolution=SIZE)
