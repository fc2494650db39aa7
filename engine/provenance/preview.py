"""The visible mark on what a buyer previews before licensing: a tiled, semi-transparent
"PREVIEW" band over images and a soft chime every few seconds over speech."""

import numpy as np

CHIME_EVERY_S = 4.0
CHIME_LEVEL = 0.05  # of full scale


def image(picture):
    """The picture with diagonal 'SIGNATURE · PREVIEW' lines across it (PIL RGB)."""
    from PIL import Image, ImageDraw, ImageFont

    base = picture.convert("RGBA")
    layer = Image.new("RGBA", (base.width * 2, base.height * 2), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    font = ImageFont.load_default(size=max(12, base.width // 16))
    step = max(24, base.height // 5)
    for row, y in enumerate(range(0, layer.height, step)):
        draw.text(((row % 2) * step, y), "SIGNATURE · PREVIEW   " * 6, font=font, fill=(255, 255, 255, 90),
                  stroke_width=1, stroke_fill=(0, 0, 0, 60))
    layer = layer.rotate(30, resample=Image.BICUBIC).crop(
        (base.width // 2, base.height // 2, base.width // 2 + base.width, base.height // 2 + base.height))
    return Image.alpha_composite(base, layer).convert("RGB")


def speech(audio: np.ndarray, rate: int) -> np.ndarray:
    """The clip with a soft two-note chime every CHIME_EVERY_S seconds."""
    t = np.arange(int(0.35 * rate)) / rate
    chime = (np.sin(2 * np.pi * 1320 * t) * (t < 0.17) + np.sin(2 * np.pi * 990 * t) * (t >= 0.17))
    chime *= np.exp(-6 * t) * CHIME_LEVEL
    out = np.asarray(audio, dtype=np.float64).copy()
    for start in range(int(0.5 * rate), len(out), int(CHIME_EVERY_S * rate)):
        end = min(len(out), start + len(chime))
        out[start:end] += chime[:end - start]
    return np.clip(out, -1, 1)
