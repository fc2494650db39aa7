"""The house image base: its set, its shipped weights, and a designer's generator started from it."""

import numpy as np
import torch

from assets import house_shapes
from engine.image import flow, house, render
from tests.test_image_model import split


def test_house_pieces_are_seeded_and_their_captions_name_what_was_drawn():
    first, again, other = house_shapes.render(5), house_shapes.render(5), house_shapes.render(6)
    assert np.array_equal(np.asarray(first["image"]), np.asarray(again["image"]))
    assert first["caption"] == again["caption"]
    assert not np.array_equal(np.asarray(first["image"]), np.asarray(other["image"]))
    captions = [house_shapes.render(seed)["caption"] for seed in range(60)]
    for word in ("rings", "stripes", "grid", "glowing", "flat", "background"):
        assert any(word in c for c in captions), word
    drafts, drawn = house.house_drafts(3, first_seed=5)
    assert drafts.shape == (3, 64, 64, 3) and drawn[0] == first["caption"]


def test_a_generator_started_from_a_base_keeps_the_words_both_know():
    train, _, captions = split("bauhaus", 7, 0)
    base = flow.train(render.drafts_of(train), captions, seconds=1.0, batch=4)
    base = {**base, "vocabulary": base["vocabulary"][:-1] + ["unheard"],
            "tags": {"weight": base["tags"]["weight"] + 0.5, "bias": base["tags"]["bias"]}}
    started = flow.train(render.drafts_of(train), captions, seconds=0.0, base=base)
    assert started["steps"] == 0
    assert all(torch.equal(started["unet"][k], v) for k, v in base["unet"].items())
    weight = started["tags"]["weight"]
    assert [w for w in started["vocabulary"] if w not in base["vocabulary"]]  # one word is new
    for j, word in enumerate(started["vocabulary"]):
        if word in base["vocabulary"]:
            assert torch.equal(weight[:, j], base["tags"]["weight"][:, base["vocabulary"].index(word)])
        else:
            assert not weight[:, j].any(), word  # new to the base: no say until trained


def test_the_shipped_base_draws_what_its_captions_ask_for():
    torch.set_num_threads(1)
    base = house.load_base()
    assert len(house.revision()) == 12
    generator = flow.Generator(base)
    dark = generator.sample("three glowing concentric rings, centred layout, black background", [1, 2, 3])
    light = generator.sample("three flat circles, scattered layout, cream background", [1, 2, 3])
    assert np.median(dark) + 0.3 < np.median(light)
    assert {"rings", "circles", "glowing", "flat", "cream"} <= set(base["vocabulary"])


def test_drafts_in_bfloat16_are_float32_drafts_within_a_fraction_of_a_level():
    torch.set_num_threads(1)
    base = house.load_base()
    prompt = "three glowing concentric rings, centred layout, black background"
    exact = flow.Generator(base, bfloat16=False).sample(prompt, [4, 5])
    fast = flow.Generator(base, bfloat16=True).sample(prompt, [4, 5])
    assert fast.dtype == np.float32 and fast.shape == exact.shape == (2, 64, 64, 3)
    assert 0 < np.abs(fast - exact).mean() < 0.01  # computed in bfloat16, yet the same drafts


def test_the_temperature_scales_the_starting_noise():
    torch.set_num_threads(1)
    generator = flow.Generator(house.load_base(), bfloat16=False)
    prompt = "five glowing cyan zigzags, stacked layout, black background"
    cold = generator.sample(prompt, [1, 2], temperature=0.0)
    assert np.array_equal(cold[0], cold[1])  # no noise: every seed draws the same draft
    default, scaled = generator.sample(prompt, [1]), generator.sample(prompt, [1], temperature=flow.TEMPERATURE)
    assert np.array_equal(default, scaled) and not np.array_equal(default, generator.sample(prompt, [1], temperature=1.0))
