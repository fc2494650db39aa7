"""The house set: procedurally drawn geometric compositions on which the house image base is
trained (engine/image/house.py). No designer's work is in it.

Every piece is a seeded random draw of: a rendering (filled shapes, or strokes with or without a
glow), a palette (a background and two to four colours of random hue), and a composition of
primitives (scattered shapes, a tiled grid, nested outlines, parallel bands, a shape over a
horizon). Its caption names what was drawn (shape, colour and layout words), so the base also
learns which words go with which shapes and colours.
"""

import colorsys

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

SIZE = 256
COLOUR_NAMES = {
    "red": (205, 40, 45), "orange": (240, 130, 30), "yellow": (245, 215, 50), "mustard": (215, 165, 40),
    "lime": (165, 240, 60), "green": (50, 160, 70), "teal": (20, 120, 125), "cyan": (40, 215, 245),
    "blue": (45, 90, 210), "navy": (30, 42, 90), "violet": (150, 100, 245), "purple": (110, 40, 140),
    "magenta": (240, 50, 190), "pink": (245, 150, 185), "coral": (235, 105, 80), "brown": (120, 75, 40),
    "cream": (243, 235, 215), "white": (250, 250, 250), "grey": (128, 128, 128), "black": (15, 15, 20),
}
NUMBERS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
POLYGONS = {3: "triangles", 4: "squares", 5: "pentagons", 6: "hexagons", 8: "octagons"}


def colour_name(rgb) -> str:
    """The nearest of COLOUR_NAMES."""
    rgb = np.asarray(rgb, dtype=float)
    return min(COLOUR_NAMES, key=lambda n: float(np.sum((np.asarray(COLOUR_NAMES[n]) - rgb) ** 2)))


def _hsv(h, s, v):
    return tuple(int(round(c * 255)) for c in colorsys.hsv_to_rgb(h % 1.0, s, v))


def _palette(rng, line_art: bool):
    """(background, [colours]) with colours apart in hue and clear of the background."""
    dark = rng.random() < (0.75 if line_art else 0.3)
    ground = _hsv(rng.random(), rng.uniform(0.2, 0.7), rng.uniform(0.04, 0.2)) if dark else \
        _hsv(rng.random(), rng.uniform(0.0, 0.15), rng.uniform(0.88, 0.98))
    start, k = rng.random(), int(rng.integers(2, 5))
    hues = start + np.sort(rng.permutation(12)[:k]) / 12
    saturation = rng.uniform(0.5, 0.85) if line_art else rng.uniform(0.45, 0.95)
    colours = [_hsv(h, saturation * rng.uniform(0.85, 1.0),
                    rng.uniform(0.85, 1.0) if dark else rng.uniform(0.3, 0.95)) for h in hues]
    return ground, colours


def _polygon(cx, cy, r, sides, turn=0.0):
    a = -np.pi / 2 + turn + np.arange(sides) * 2 * np.pi / sides
    return [(float(x), float(y)) for x, y in zip(cx + r * np.cos(a), cy + r * np.sin(a))]


class _Pen:
    """Draws primitives filled (flat) or as strokes (line art) of one width."""

    def __init__(self, draw, line_art: bool, width: int):
        self.d, self.line_art, self.width = draw, line_art, width

    def ellipse(self, box, colour):
        if self.line_art:
            self.d.ellipse(box, outline=colour, width=self.width)
        else:
            self.d.ellipse(box, fill=colour)

    def polygon(self, points, colour):
        if self.line_art:
            self.d.line(points + [points[0]], fill=colour, width=self.width, joint="curve")
        else:
            self.d.polygon(points, fill=colour)

    def pie(self, box, start, end, colour):
        if self.line_art:
            self.d.arc(box, start, end, fill=colour, width=self.width)
        else:
            self.d.pieslice(box, start, end, fill=colour)

    def path(self, points, colour, width=None):
        self.d.line([(float(x), float(y)) for x, y in points], fill=colour,
                    width=width or self.width, joint="curve")


def _shape(pen, rng, kind, cx, cy, r, colour):
    if kind == "circles":
        pen.ellipse([cx - r, cy - r, cx + r, cy + r], colour)
    elif kind == "half-circles":
        start = float(rng.choice([0, 90, 180, 270]))
        pen.pie([cx - r, cy - r, cx + r, cy + r], start, start + 180, colour)
    elif kind == "quarter-circles":
        start = float(rng.choice([0, 90, 180, 270]))
        pen.pie([cx - r, cy - r, cx + r, cy + r], start, start + 90, colour)
    elif kind == "stars":
        outer = _polygon(cx, cy, r, 5)
        inner = _polygon(cx, cy, r * 0.45, 5, np.pi / 5)
        pen.polygon([p for pair in zip(outer, inner) for p in pair], colour)
    else:
        sides = {v: k for k, v in POLYGONS.items()}[kind]
        pen.polygon(_polygon(cx, cy, r, sides, rng.uniform(0, 0.4) if rng.random() < 0.4 else 0.0), colour)


SHAPES = ("circles", "half-circles", "quarter-circles", "stars", *POLYGONS.values())


def _scattered(pen, rng, w, colours):
    k = int(rng.integers(1, 6))
    kinds = [str(rng.choice(SHAPES)) for _ in range(k)]
    for kind in kinds:
        r = w * rng.uniform(0.06, 0.3)
        _shape(pen, rng, kind, w * rng.uniform(0.2, 0.8), w * rng.uniform(0.2, 0.8), r,
               colours[int(rng.integers(len(colours)))])
    main = max(set(kinds), key=kinds.count)
    return f"{NUMBERS[k]} {main}" if k > 1 else main.rstrip("s"), ["scattered"]


def _tiles(pen, rng, w, colours):
    n = int(rng.integers(2, 5))
    margin = w * rng.uniform(0.08, 0.16)
    cell = (w - 2 * margin) / n
    kinds = [str(k) for k in rng.choice(SHAPES, size=int(rng.integers(1, 4)))]
    for i in range(n):
        for j in range(n):
            x0, y0 = margin + j * cell, margin + i * cell
            if rng.random() < 0.4 and not pen.line_art:
                pen.d.rectangle([x0, y0, x0 + cell, y0 + cell], fill=colours[int(rng.integers(len(colours)))])
            if rng.random() < 0.85:
                _shape(pen, rng, kinds[int(rng.integers(len(kinds)))], x0 + cell / 2, y0 + cell / 2,
                       cell * rng.uniform(0.3, 0.5), colours[int(rng.integers(len(colours)))])
    return f"a {n} by {n} grid of tiles with {kinds[0]}", ["grid", "tiles"]


def _nested(pen, rng, w, colours):
    k = int(rng.integers(3, 9))
    kind = str(rng.choice(["rings", "arches", *POLYGONS.values()]))
    cx, cy = (w * rng.uniform(0.3, 0.7), w * rng.uniform(0.3, 0.7)) if rng.random() < 0.4 else (w / 2, w / 2)
    twist = rng.uniform(0.03, 0.15) if rng.random() < 0.5 else 0.0
    broken = kind == "rings" and rng.random() < 0.4
    facing = float(rng.choice([0, 90, 180, 270]))
    outer = w * rng.uniform(0.25, 0.45)
    for i in reversed(range(k)):  # outermost first, so filled shapes stack inwards
        r = outer * (i + 1) / k
        colour = colours[i % len(colours)]
        box = [cx - r, cy - r, cx + r, cy + r]
        if kind == "rings":
            if broken:
                start = rng.uniform(0, 360)
                pen.d.arc(box, start, start + rng.uniform(200, 320), fill=colour, width=pen.width)
            else:
                pen.ellipse(box, colour)
        elif kind == "arches":
            pen.pie(box, 180 + facing, 360 + facing, colour)
        else:
            sides = {v: s for s, v in POLYGONS.items()}[kind]
            pen.polygon(_polygon(cx, cy, r, sides, i * twist), colour)
    words = ["concentric"] if kind in ("rings", "arches") else ["nested"] + (["twisting"] if twist else [])
    if broken:
        words += ["broken", "arcs"]
    centred = "centred" if (cx, cy) == (w / 2, w / 2) else "off-centre"
    return f"{NUMBERS[k]} {' '.join(words)} {kind}", [centred]


def _bands(pen, rng, w, colours):
    k = int(rng.integers(2, 9))
    kind = str(rng.choice(["stripes", "waves", "zigzags", "dots"]))
    angle = float(rng.choice([0, 0, 90, 45, -45]))
    x = np.linspace(-0.1 * w, 1.1 * w, 300)
    spread = w * rng.uniform(0.25, 0.75)
    top = w / 2 - spread / 2 + w * rng.uniform(-0.1, 0.1)
    thick = max(pen.width, int(w * rng.uniform(0.015, 0.05))) if not pen.line_art else pen.width
    amp, freq, teeth = w * rng.uniform(0.02, 0.07), rng.uniform(1.0, 3.0), int(rng.integers(4, 12))
    turn = np.deg2rad(angle)
    for i in range(k):
        y0 = top + spread * i / max(k - 1, 1)
        colour = colours[i % len(colours)]
        if kind == "waves":
            ys = y0 + amp * np.sin(2 * np.pi * freq * x / w + i * 0.5)
        elif kind == "zigzags":
            xs = np.linspace(-0.1 * w, 1.1 * w, 2 * teeth + 1)
            ys = np.interp(x, xs, y0 + np.where(np.arange(len(xs)) % 2 == 0, -amp, amp))
        else:
            ys = np.full_like(x, y0)
        points = np.stack([x - w / 2, ys - w / 2], 1) @ np.array(
            [[np.cos(turn), np.sin(turn)], [-np.sin(turn), np.cos(turn)]]) + w / 2
        if kind == "dots":
            r = max(thick, w * 0.012)
            for px, py in points[::int(rng.integers(18, 40))]:
                pen.ellipse([px - r, py - r, px + r, py + r], colour)
        else:
            pen.path(points, colour, width=thick)
    layout = {0: "horizontal", 90: "vertical"}.get(int(angle), "diagonal")
    return f"{NUMBERS[k]} {kind}", ["stacked", layout]


def _horizon(pen, rng, w, colours):
    hy = w * rng.uniform(0.5, 0.7)
    r = w * rng.uniform(0.12, 0.25)
    kind = str(rng.choice(["sun", "half-circle"]))
    cx = w * rng.uniform(0.3, 0.7)
    if kind == "sun":
        pen.ellipse([cx - r, hy - 1.6 * r, cx + r, hy + 0.4 * r], colours[0])
    else:
        pen.pie([cx - r, hy - r, cx + r, hy + r], 180, 360, colours[0])
    rows = int(rng.integers(2, 7))
    for j in range(rows):
        y = hy + (w * 0.95 - hy) * ((j + 0.5) / rows) ** rng.uniform(1.0, 1.8)
        pen.path([(w * 0.05, y), (w * 0.95, y)], colours[1 + j % (len(colours) - 1)],
                 width=pen.width if pen.line_art else max(2, int(w * 0.02)))
    return f"a {kind} over {NUMBERS[rows]} lines", ["horizon"]


LAYOUTS = (_scattered, _tiles, _nested, _bands, _horizon)


def _glow(image: Image.Image, ground) -> Image.Image:
    """Strokes drawn on black, given a halo and laid over the ground."""
    near = np.asarray(image.filter(ImageFilter.GaussianBlur(SIZE / 140)), dtype=np.float32)
    far = np.asarray(image.filter(ImageFilter.GaussianBlur(SIZE / 45)), dtype=np.float32)
    out = np.asarray(image, dtype=np.float32) + 1.2 * near + 0.9 * far + np.asarray(ground, dtype=np.float32)
    return Image.fromarray(np.clip(out, 0, 255).astype(np.uint8))


def render(seed: int) -> dict:
    """One piece: {"image": (SIZE, SIZE) RGB PIL image, "caption", "line_art"}."""
    rng = np.random.default_rng([seed, 4242])
    line_art = rng.random() < 0.5
    ground, colours = _palette(rng, line_art)
    glow = line_art and sum(ground) < 200 and rng.random() < 0.6
    image = Image.new("RGB", (SIZE, SIZE), (0, 0, 0) if glow else ground)
    width = int(rng.integers(2, 5)) if line_art else 2
    layout = LAYOUTS[int(rng.integers(len(LAYOUTS)))]
    subject, layout_words = layout(_Pen(ImageDraw.Draw(image), line_art, width), rng, SIZE, colours)
    if glow:
        image = _glow(image, ground)
    names = list(dict.fromkeys(colour_name(c) for c in colours))
    look = "glowing" if glow else ("outlined" if line_art else "flat")
    caption = (f"{subject} in {look} {', '.join(names[:-1])}{' and ' if len(names) > 1 else ''}{names[-1]}, "
               f"{' '.join(layout_words)} layout, {colour_name(ground)} background")
    return {"image": image, "caption": caption, "line_art": line_art}
