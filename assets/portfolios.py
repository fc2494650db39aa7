"""Procedural graphic-designer portfolios.

Each style is one imaginary designer with a consistent visual language.
Every item is drawn from a seeded numpy Generator, so a given
(style, seed, index) always produces the same image, title and caption,
and the caption/tags are built from the parameters that were drawn.
"""

import zlib

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

STYLES = {
    "bauhaus": "Flat geometric posters: circles, half-circles, triangles and thick "
    "stripes in mustard, teal, coral and navy on a cream ground.",
    "neon": "Glowing neon line art: waves, concentric rings and zigzags in "
    "magenta, cyan and lime on a midnight-navy ground.",
    "watercolor": "Soft pastel watercolour washes with bleeding edges on "
    "textured paper, no hard lines.",
    "mono_ink": "Black ink on white paper: hatching and bold brush strokes with a "
    "single red accent.",
}

_BAUHAUS = {
    "mustard": (226, 168, 38),
    "teal": (18, 118, 122),
    "coral": (235, 102, 80),
    "navy": (31, 45, 86),
}
_CREAM = (243, 235, 217)

_NEON = {
    "magenta": (255, 46, 196),
    "cyan": (32, 224, 255),
    "lime": (164, 255, 52),
    "violet": (158, 98, 255),
}

_PASTEL = {
    "rose": (236, 146, 158),
    "peach": (246, 178, 134),
    "butter": (242, 210, 112),
    "sage": (146, 188, 144),
    "sky": (134, 182, 226),
    "lavender": (172, 156, 218),
}
_PAPER = (247, 242, 232)

_INK = (18, 18, 20)
_INK_PAPER = (251, 250, 246)
_RED = (206, 34, 38)


def _pick(rng, seq):
    return seq[int(rng.integers(len(seq)))]


def _pick_distinct(rng, seq, k):
    idx = rng.permutation(len(seq))[:k]
    return [seq[int(i)] for i in idx]


def _join(words):
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _number_word(n):
    words = ["zero", "one", "two", "three", "four", "five", "six", "seven",
             "eight", "nine", "ten", "eleven", "twelve"]
    return words[n] if 0 <= n < len(words) else str(n)


def _item(image, title, caption, tags):
    seen = []
    for tag in tags:
        if tag not in seen:
            seen.append(tag)
    return {"image": image, "title": title, "caption": caption, "tags": seen}


def _bezier(p0, p1, p2, p3, n):
    t = np.linspace(0.0, 1.0, n)[:, None]
    p0, p1, p2, p3 = (np.asarray(p, dtype=np.float64) for p in (p0, p1, p2, p3))
    return ((1 - t) ** 3) * p0 + 3 * ((1 - t) ** 2) * t * p1 + 3 * (1 - t) * t * t * p2 + t ** 3 * p3


def _value_noise(rng, size, cells):
    grid = rng.random((cells, cells)).astype(np.float32)
    img = Image.fromarray(grid, "F").resize((size, size), Image.BICUBIC)
    return np.asarray(img, dtype=np.float32)


# --------------------------------------------------------------------------
# bauhaus


def _half_circle(draw, cx, cy, r, colour, facing):
    start = {"up": 180, "down": 0, "left": 90, "right": 270}[facing]
    draw.pieslice([cx - r, cy - r, cx + r, cy + r], start, start + 180, fill=colour)


def _quarter_circle(draw, x0, y0, cell, colour, corner):
    cx = x0 if corner in ("tl", "bl") else x0 + cell
    cy = y0 if corner in ("tl", "tr") else y0 + cell
    start = {"tl": 0, "tr": 90, "br": 180, "bl": 270}[corner]
    draw.pieslice([cx - cell, cy - cell, cx + cell, cy + cell], start, start + 90, fill=colour)


def _triangle(draw, cx, cy, r, colour, facing="up"):
    pts = {
        "up": [(cx - r, cy + r * 0.8), (cx + r, cy + r * 0.8), (cx, cy - r)],
        "down": [(cx - r, cy - r * 0.8), (cx + r, cy - r * 0.8), (cx, cy + r)],
    }[facing]
    draw.polygon(pts, fill=colour)


def _hero_shape(draw, shape, cx, cy, r, colour, accent):
    if shape == "circle":
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=colour)
    elif shape == "half-circle":
        _half_circle(draw, cx, cy + r * 0.5, r, colour, "up")
    elif shape == "split circle":
        _half_circle(draw, cx, cy, r, colour, "left")
        _half_circle(draw, cx, cy, r, accent, "right")
    else:
        _triangle(draw, cx, cy, r, colour)


def _bauhaus_centred(rng, d, w, names):
    c1, c2, c3, c4 = names
    shape = _pick(rng, ["circle", "half-circle", "triangle", "split circle"])
    r = w * rng.uniform(0.19, 0.25)
    _hero_shape(d, shape, w * 0.5, w * 0.36, r, _BAUHAUS[c1], _BAUHAUS[c4])
    k = int(rng.integers(3, 6))
    top, bottom = w * 0.64, w * 0.9
    step = (bottom - top) / k
    for i in range(k):
        col = _BAUHAUS[c2] if i % 2 == 0 else _BAUHAUS[c3]
        d.rectangle([w * 0.1, top + i * step, w * 0.9, top + (i + 1) * step], fill=col)
    dot_r = w * 0.035
    side = _pick(rng, [0.14, 0.86])
    d.ellipse([w * side - dot_r, w * 0.1 - dot_r, w * side + dot_r, w * 0.1 + dot_r],
              fill=_BAUHAUS[c4])
    shape_word = "circle split with " + c4 if shape == "split circle" else shape
    caption = (f"a large {c1} {shape_word} above {_number_word(k)} thick {c2} and {c3} "
               f"stripes, a small {c4} dot, centred layout, cream background")
    nouns = {"circle": "Sun", "half-circle": "Dome", "triangle": "Peak", "split circle": "Moon"}
    tags = [shape.replace("split ", ""), "stripes", c1, c2, c3, "centred"]
    return nouns[shape], c1, caption, tags


def _bauhaus_grid(rng, d, w, names):
    n = int(rng.integers(3, 5))
    emph = names[0]
    m = w * 0.08
    cell = (w - 2 * m) / n
    kinds = ["quarter-circle", "half-circle", "circle", "triangle"]
    used = []
    for row in range(n):
        for col in range(n):
            x0, y0 = m + col * cell, m + row * cell
            ground = _pick(rng, names) if rng.random() < 0.45 else None
            fg = emph if rng.random() < 0.5 else _pick(rng, names)
            if ground is not None:
                d.rectangle([x0, y0, x0 + cell, y0 + cell], fill=_BAUHAUS[ground])
                if fg == ground:
                    fg = None
            kind = _pick(rng, kinds)
            used.append(kind)
            colour = _CREAM if fg is None else _BAUHAUS[fg]
            cx, cy, r = x0 + cell / 2, y0 + cell / 2, cell * 0.42
            if kind == "quarter-circle":
                _quarter_circle(d, x0, y0, cell, colour, _pick(rng, ["tl", "tr", "br", "bl"]))
            elif kind == "half-circle":
                _half_circle(d, cx, cy, r, colour, _pick(rng, ["up", "down", "left", "right"]))
            elif kind == "circle":
                d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=colour)
            else:
                _triangle(d, cx, cy, r, colour, _pick(rng, ["up", "down"]))
    shapes = [k for k in kinds if k in used]
    plural = [s + "s" for s in shapes]
    caption = (f"a {n}x{n} grid of {_join(plural)} in mustard, teal, coral and navy, "
               f"mostly {emph}, grid layout, cream background")
    tags = shapes + ["grid", emph]
    return "Grid", emph, caption, tags


def _bauhaus_offset(rng, d, w, names):
    c1, c2, c3, c4 = names
    side = _pick(rng, ["left", "right"])
    shape = _pick(rng, ["circle", "half-circle"])
    hx = w * (0.36 if side == "left" else 0.64)
    r = w * rng.uniform(0.24, 0.3)
    if shape == "circle":
        d.ellipse([hx - r, w * 0.42 - r, hx + r, w * 0.42 + r], fill=_BAUHAUS[c1])
    else:
        _half_circle(d, hx, w * 0.62, r, _BAUHAUS[c1], "up")
    k = int(rng.integers(3, 6))
    x0 = w * (0.72 if side == "left" else 0.08)
    sw = w * 0.2 / k
    for i in range(k):
        col = _BAUHAUS[c2] if i % 2 == 0 else _BAUHAUS[c3]
        d.rectangle([x0 + i * sw, w * 0.08, x0 + (i + 1) * sw, w * 0.78], fill=col)
    d.rectangle([w * 0.08, w * 0.8, w * 0.92, w * 0.86], fill=_BAUHAUS[c4])
    tri_x = w * (0.2 if side == "right" else 0.8)
    _triangle(d, tri_x, w * 0.9 - w * 0.0, w * 0.035, _BAUHAUS[c1])
    caption = (f"a large {c1} {shape} on the {side} beside {_number_word(k)} vertical {c2} "
               f"and {c3} stripes over a {c4} bar, off-centre layout, cream background")
    tags = [shape, "stripes", "bar", c1, c2, c4, "off-centre"]
    return ("Sun" if shape == "circle" else "Arch"), c1, caption, tags


def _bauhaus_arches(rng, d, w, names):
    k = int(rng.integers(3, 6))
    order = names[:k] if k <= len(names) else [names[i % len(names)] for i in range(k)]
    cx, base = w * 0.5, w * 0.9
    outer = w * 0.4
    step = outer / (k + 0.6)
    for i, name in enumerate(order):
        r = outer - i * step
        _half_circle(d, cx, base, r, _BAUHAUS[name], "up")
    _half_circle(d, cx, base, outer - k * step, _CREAM, "up")
    sun = names[-1] if k < len(names) else names[0]
    sr = w * 0.065
    sx = w * _pick(rng, [0.2, 0.8])
    d.ellipse([sx - sr, w * 0.17 - sr, sx + sr, w * 0.17 + sr], fill=_BAUHAUS[sun])
    d.rectangle([w * 0.08, base, w * 0.92, base + w * 0.025], fill=_BAUHAUS["navy"])
    caption = (f"{_number_word(k)} concentric arches in {_join(order)} under a small "
               f"{sun} sun, stacked layout, cream background")
    tags = ["arches", "half-circle", "circle"] + order[:2] + ["stacked"]
    return "Rainbow", order[0], caption, tags


def _bauhaus_diagonal(rng, d, w, names):
    c1, c2, c3, _ = names
    flip = rng.random() < 0.5
    m = w * 0.08
    if flip:
        block = [(m, m), (w - m, w - m), (m, w - m)]
    else:
        block = [(w - m, m), (w - m, w - m), (m, w - m)]
    d.polygon(block, fill=_BAUHAUS[c1])
    k = 3
    for i in range(k):
        off = w * (0.06 + 0.07 * i)
        t = w * 0.025
        if flip:
            pts = [(m + off, m), (m + off + t, m), (w - m, w - m - off - t), (w - m, w - m - off)]
        else:
            pts = [(w - m - off, m), (w - m - off - t, m), (m, w - m - off - t), (m, w - m - off)]
        d.polygon(pts, fill=_BAUHAUS[c3])
    r = w * rng.uniform(0.13, 0.18)
    cx = w * 0.5
    d.ellipse([cx - r, cx - r, cx + r, cx + r], fill=_BAUHAUS[c2])
    caption = (f"a {c2} circle on the seam of a diagonal {c1} block with three thin {c3} "
               f"stripes, diagonal layout, cream background")
    tags = ["circle", "triangle", "stripes", c1, c2, "diagonal"]
    return "Orbit", c2, caption, tags


_BAUHAUS_LAYOUTS = (_bauhaus_centred, _bauhaus_grid, _bauhaus_offset,
                    _bauhaus_arches, _bauhaus_diagonal)


def _render_bauhaus(rng, size, number, layout):
    scale = 3
    w = size * scale
    img = Image.new("RGB", (w, w), _CREAM)
    d = ImageDraw.Draw(img)
    names = _pick_distinct(rng, list(_BAUHAUS), 4)
    noun, colour, caption, tags = _BAUHAUS_LAYOUTS[layout](rng, d, w, names)
    img = img.resize((size, size), Image.LANCZOS)
    return _item(img, f"{colour.title()} {noun} No. {number}", caption, tags)


# --------------------------------------------------------------------------
# neon


def _neon_line(d, pts, colour, width, closed=False):
    pts = [tuple(p) for p in np.asarray(pts)]
    if closed:
        pts = pts + [pts[0]]
    core = tuple(int(c + (255 - c) * 0.65) for c in colour)
    d.line(pts, fill=colour, width=width, joint="curve")
    d.line(pts, fill=core, width=max(1, width // 3), joint="curve")


def _neon_waves(rng, d, w, c1, c2, lw):
    k = int(rng.integers(4, 8))
    freq = rng.uniform(1.0, 2.5)
    amp = w * rng.uniform(0.04, 0.08)
    drift = rng.uniform(0.3, 0.9)
    x = np.linspace(w * 0.06, w * 0.94, 240)
    for i in range(k):
        y0 = w * (0.2 + 0.6 * i / (k - 1))
        y = y0 + amp * np.sin(2 * np.pi * freq * x / w + i * drift)
        _neon_line(d, np.stack([x, y], 1), _NEON[c1] if i % 2 == 0 else _NEON[c2], lw)
    caption = (f"{_number_word(k)} glowing {c1} and {c2} sine waves, stacked layout, "
               f"midnight-navy background")
    return "Tide", c1, caption, ["waves", c1, c2, "stacked"]


def _neon_rings(rng, d, w, c1, c2, lw):
    k = int(rng.integers(4, 8))
    offset = rng.random() < 0.4
    cx = w * (rng.uniform(0.3, 0.7) if offset else 0.5)
    cy = w * (rng.uniform(0.3, 0.7) if offset else 0.5)
    broken = rng.random() < 0.5
    for i in range(k):
        r = w * (0.06 + 0.36 * (i + 1) / k)
        col = _NEON[c1] if i % 2 == 0 else _NEON[c2]
        start = rng.uniform(0, 2 * np.pi)
        span = rng.uniform(1.2, 1.8) * np.pi if broken else 2 * np.pi
        t = np.linspace(start, start + span, 200)
        pts = np.stack([cx + r * np.cos(t), cy + r * np.sin(t)], 1)
        _neon_line(d, pts, col, lw, closed=not broken)
    kind = "broken concentric rings" if broken else "concentric rings"
    layout = "off-centre" if offset else "centred"
    caption = (f"{_number_word(k)} {kind} in glowing {c1} and {c2}, {layout} layout, "
               f"midnight-navy background")
    tags = ["rings", "concentric", c1, c2, layout] + (["arcs"] if broken else [])
    return "Orbit", c1, caption, tags


def _neon_zigzags(rng, d, w, c1, c2, lw):
    k = int(rng.integers(3, 7))
    teeth = int(rng.integers(5, 11))
    h = w * rng.uniform(0.04, 0.08)
    x = np.linspace(w * 0.08, w * 0.92, 2 * teeth + 1)
    for i in range(k):
        y0 = w * (0.22 + 0.56 * i / max(1, k - 1))
        y = y0 + np.where(np.arange(len(x)) % 2 == 0, -h, h)
        _neon_line(d, np.stack([x, y], 1), _NEON[c1] if i % 2 == 0 else _NEON[c2], lw)
    caption = (f"{_number_word(k)} glowing {c1} and {c2} zigzags with {teeth} teeth each, "
               f"stacked layout, midnight-navy background")
    return "Voltage", c1, caption, ["zigzags", c1, c2, "stacked"]


def _neon_horizon(rng, d, w, c1, c2, lw):
    hy = w * rng.uniform(0.55, 0.62)
    r = w * rng.uniform(0.17, 0.23)
    cx = w * 0.5
    t = np.linspace(np.pi, 2 * np.pi, 120)
    _neon_line(d, np.stack([cx + r * np.cos(t), hy - w * 0.02 + r * np.sin(t)], 1), _NEON[c1], lw)
    for j in range(1, 4):
        yy = hy - w * 0.02 - r * j / 4.5
        half = np.sqrt(max(r * r - (yy - (hy - w * 0.02)) ** 2, 0))
        d.line([(cx - half, yy), (cx + half, yy)], fill=_NEON[c1], width=max(1, lw // 2))
    _neon_line(d, [(w * 0.04, hy), (w * 0.96, hy)], _NEON[c2], lw)
    rows = int(rng.integers(4, 7))
    for j in range(1, rows + 1):
        yy = hy + (w * 0.96 - hy) * (j / rows) ** 1.7
        d.line([(w * 0.04, yy), (w * 0.96, yy)], fill=_NEON[c2], width=max(1, lw // 2))
    cols = 9
    for j in range(cols):
        xb = w * (-0.3 + 1.6 * j / (cols - 1))
        xt = cx + (xb - cx) * 0.12
        d.line([(xt, hy), (xb, w * 0.96)], fill=_NEON[c2], width=max(1, lw // 2))
    caption = (f"a glowing {c1} half-sun setting over a {c2} perspective grid, horizon "
               f"layout, midnight-navy background")
    return "Sunset", c1, caption, ["sun", "grid", "horizon", c1, c2]


def _neon_nested(rng, d, w, c1, c2, lw):
    k = int(rng.integers(4, 8))
    sides = int(_pick(rng, [3, 4, 6]))
    twist = rng.uniform(0.04, 0.12)
    cx = cy = w * 0.5
    for i in range(k):
        r = w * (0.08 + 0.36 * (i + 1) / k)
        a = -np.pi / 2 + i * twist + np.arange(sides) * 2 * np.pi / sides
        pts = np.stack([cx + r * np.cos(a), cy + r * np.sin(a)], 1)
        _neon_line(d, pts, _NEON[c1] if i % 2 == 0 else _NEON[c2], lw, closed=True)
    shape = {3: "triangles", 4: "squares", 6: "hexagons"}[sides]
    caption = (f"{_number_word(k)} nested twisting {shape} in glowing {c1} and {c2}, "
               f"centred layout, midnight-navy background")
    return "Tunnel", c1, caption, [shape, "nested", c1, c2, "centred"]


_NEON_LAYOUTS = (_neon_waves, _neon_rings, _neon_zigzags, _neon_horizon, _neon_nested)


def _neon_ground(size):
    y = np.linspace(0.0, 1.0, size, dtype=np.float32)[:, None, None]
    top = np.array([7, 8, 24], dtype=np.float32)
    bottom = np.array([20, 12, 42], dtype=np.float32)
    ground = top + (bottom - top) * y
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size - 0.5
    vignette = 1.0 - 0.6 * (xx * xx + yy * yy)
    return np.broadcast_to(ground, (size, size, 3)) * vignette[..., None]


def _render_neon(rng, size, number, layout):
    scale = 2
    w = size * scale
    lines = Image.new("RGB", (w, w), (0, 0, 0))
    d = ImageDraw.Draw(lines)
    c1, c2 = _pick_distinct(rng, list(_NEON), 2)
    lw = max(2, int(round(w * 0.0065)))
    noun, colour, caption, tags = _NEON_LAYOUTS[layout](rng, d, w, c1, c2, lw)
    lines = lines.resize((size, size), Image.LANCZOS)
    near = np.asarray(lines.filter(ImageFilter.GaussianBlur(size / 150)), dtype=np.float32)
    far = np.asarray(lines.filter(ImageFilter.GaussianBlur(size / 40)), dtype=np.float32)
    core = np.asarray(lines, dtype=np.float32)
    out = _neon_ground(size) + core + 1.4 * near + 1.1 * far
    img = Image.fromarray(np.clip(out, 0, 255).astype(np.uint8), "RGB")
    return _item(img, f"{colour.title()} {noun} No. {number}", caption, tags + ["neon"])


# --------------------------------------------------------------------------
# watercolor


def _blob_polygon(rng, cx, cy, rx, ry, angle=0.0, n=64):
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    r = np.ones(n)
    for k in range(2, 6):
        r += rng.uniform(0.02, 0.09) / (k - 1) * np.sin(k * t + rng.uniform(0, 2 * np.pi))
    x, y = rx * r * np.cos(t), ry * r * np.sin(t)
    ca, sa = np.cos(angle), np.sin(angle)
    return list(zip(cx + ca * x - sa * y, cy + sa * x + ca * y))


def _wash(canvas, rng, polygon, colour, strength, grain):
    size = canvas.shape[0]
    mask = Image.new("L", (size, size), 0)
    ImageDraw.Draw(mask).polygon(polygon, fill=255)
    soft = np.asarray(mask.filter(ImageFilter.GaussianBlur(size / 200)), dtype=np.float32) / 255
    wide = np.asarray(mask.filter(ImageFilter.GaussianBlur(size / 60)), dtype=np.float32) / 255
    rim = np.clip(soft - wide, 0, 1) * 1.4
    bleed = np.clip(wide - soft, 0, 1) * 0.35
    wetness = 0.55 + 0.45 * _value_noise(rng, size, 5)
    alpha = np.clip((soft * wetness + rim + bleed) * strength * grain, 0, 1)
    pigment = 1.0 - np.asarray(colour, dtype=np.float32) / 255.0
    canvas *= 1.0 - alpha[..., None] * pigment


def _wc_blooms(rng, canvas, size, names, grain):
    c1, c2, c3 = names
    k = int(rng.integers(3, 6))
    centre = np.array([size * 0.5, size * 0.5]) + rng.normal(0, size * 0.05, 2)
    for i in range(int(rng.integers(2, 4))):
        a = rng.uniform(0, 2 * np.pi)
        L = size * rng.uniform(0.18, 0.28)
        px, py = centre + L * 0.7 * np.array([np.cos(a), np.sin(a)])
        _wash(canvas, rng, _blob_polygon(rng, px, py, L * 0.5, L * 0.17, a),
              _PASTEL[c3], 0.55, grain)
    for i in range(k):
        p = centre + rng.normal(0, size * 0.12, 2)
        r = size * rng.uniform(0.09, 0.15)
        col = _PASTEL[c1] if i % 2 == 0 else _PASTEL[c2]
        _wash(canvas, rng, _blob_polygon(rng, p[0], p[1], r, r * rng.uniform(0.85, 1.1)),
              col, 0.55, grain)
        _wash(canvas, rng, _blob_polygon(rng, p[0], p[1], r * 0.25, r * 0.25), _PASTEL[c3], 0.5, grain)
    caption = (f"{_number_word(k)} overlapping {c1} and {c2} blooms with {c3} centres and leaves, "
               f"clustered layout, textured paper")
    return "Blooms", c1, caption, ["blooms", "flowers", "leaves", c1, c2, c3, "clustered"]


def _wc_hills(rng, canvas, size, names, grain):
    c1, c2, c3 = names
    k = int(rng.integers(3, 5))
    sun_x = size * rng.uniform(0.25, 0.75)
    sun_r = size * rng.uniform(0.08, 0.12)
    _wash(canvas, rng, _blob_polygon(rng, sun_x, size * 0.27, sun_r, sun_r), _PASTEL[c3], 0.6, grain)
    x = np.linspace(-size * 0.05, size * 1.05, 48)
    ridges = []
    for i in range(k):
        base = size * (0.45 + 0.14 * i)
        ridges.append(base + size * 0.05 * np.sin(x / size * rng.uniform(3, 7) + rng.uniform(0, 6)))
    for i in range(k):
        lower = ridges[i + 1] + size * 0.015 if i + 1 < k else np.full_like(x, size * 1.1)
        pts = list(zip(x, ridges[i])) + list(zip(x[::-1], lower[::-1]))
        col = _PASTEL[c1] if i % 2 == 0 else _PASTEL[c2]
        _wash(canvas, rng, pts, col, 0.5 + 0.08 * i, grain)
    caption = (f"{_number_word(k)} layered {c1} and {c2} hills under a soft {c3} sun, "
               f"landscape layout, textured paper")
    return "Hills", c1, caption, ["hills", "landscape", "sun", c1, c2, c3]


def _wc_moon(rng, canvas, size, names, grain):
    c1, c2, _ = names
    r = size * rng.uniform(0.24, 0.3)
    cx, cy = size * rng.uniform(0.42, 0.58), size * rng.uniform(0.42, 0.55)
    _wash(canvas, rng, _blob_polygon(rng, cx, cy, r, r), _PASTEL[c1], 0.55, grain)
    _wash(canvas, rng, _blob_polygon(rng, cx + r * 0.25, cy - r * 0.2, r * 0.6, r * 0.55),
          _PASTEL[c1], 0.35, grain)
    drops = int(rng.integers(3, 7))
    for _ in range(drops):
        a = rng.uniform(0, 2 * np.pi)
        dist = r * rng.uniform(1.25, 1.6)
        dr = size * rng.uniform(0.02, 0.045)
        _wash(canvas, rng, _blob_polygon(rng, cx + dist * np.cos(a), cy + dist * np.sin(a), dr, dr),
              _PASTEL[c2], 0.7, grain)
    caption = (f"one large round {c1} wash circled by {_number_word(drops)} small {c2} "
               f"drops, centred layout, textured paper")
    return "Moon", c1, caption, ["moon", "circle", "drops", c1, c2, "centred"]


def _wc_leaves(rng, canvas, size, names, grain):
    c1, c2, _ = names
    k = int(rng.integers(5, 9))
    sx, sy = size * rng.uniform(0.4, 0.6), size * 0.88
    spread = rng.uniform(0.9, 1.3)
    for i in range(k):
        a = -np.pi / 2 + spread * (i / (k - 1) - 0.5) * 2
        L = size * rng.uniform(0.26, 0.38)
        px, py = sx + L * 0.55 * np.cos(a), sy + L * 0.55 * np.sin(a)
        col = _PASTEL[c1] if i % 3 else _PASTEL[c2]
        _wash(canvas, rng, _blob_polygon(rng, px, py, L * 0.5, L * 0.13, a), col, 0.6, grain)
    caption = (f"a fan of {_number_word(k)} long {c1} leaves with {c2} accents rising from "
               f"one stem, radial layout, textured paper")
    return "Fronds", c1, caption, ["leaves", "fan", c1, c2, "radial"]


def _wc_clouds(rng, canvas, size, names, grain):
    c1, c2, _ = names
    bands = int(rng.integers(2, 4))
    for b in range(bands):
        cy = size * (0.28 + 0.5 * b / max(1, bands - 1))
        n = int(rng.integers(3, 6))
        col = _PASTEL[c1] if b % 2 == 0 else _PASTEL[c2]
        x0 = size * rng.uniform(0.12, 0.3)
        for j in range(n):
            cx = x0 + j * size * rng.uniform(0.11, 0.15)
            r = size * rng.uniform(0.07, 0.11)
            _wash(canvas, rng, _blob_polygon(rng, cx, cy - r * 0.3, r, r * 0.8), col, 0.4, grain)
    caption = (f"{_number_word(bands)} drifting bands of {c1} and {c2} clouds, horizontal "
               f"layout, textured paper")
    return "Clouds", c1, caption, ["clouds", "sky", c1, c2, "horizontal"]


_WC_LAYOUTS = (_wc_blooms, _wc_hills, _wc_moon, _wc_leaves, _wc_clouds)


def _render_watercolor(rng, size, number, layout):
    fine = rng.random((size, size)).astype(np.float32)
    tooth = _value_noise(rng, size, max(8, size // 5))
    paper = 1.0 - 0.025 * fine - 0.035 * tooth - 0.02 * _value_noise(rng, size, 6)
    canvas = np.asarray(_PAPER, dtype=np.float32) * paper[..., None]
    grain = 0.7 + 0.3 * tooth
    names = _pick_distinct(rng, list(_PASTEL), 3)
    noun, colour, caption, tags = _WC_LAYOUTS[layout](rng, canvas, size, names, grain)
    img = Image.fromarray(np.clip(canvas, 0, 255).astype(np.uint8), "RGB")
    return _item(img, f"{colour.title()} {noun} No. {number}", caption, tags + ["watercolor"])


# --------------------------------------------------------------------------
# mono_ink


def _brush_profile(t, profile):
    if profile == "leaf":
        return np.clip(t * 6, 0, 1) ** 0.7 * (1 - t) ** 0.9 * 1.3
    if profile == "segment":
        return 0.8 + 0.2 * np.abs(np.linspace(-1, 1, len(t))) ** 2
    return np.sin(np.pi * np.clip(t * 0.9 + 0.06, 0, 1)) ** 0.45


def _brush(d, rng, path, width, dry=True, profile="swell"):
    path = np.asarray(path, dtype=np.float64)
    n = len(path)
    t = np.linspace(0, 1, n)
    wobble = 1 + 0.12 * np.sin(t * rng.uniform(4, 9) + rng.uniform(0, 6))
    w = width * _brush_profile(t, profile) * wobble
    tangent = np.gradient(path, axis=0)
    tangent /= np.linalg.norm(tangent, axis=1, keepdims=True) + 1e-9
    normal = np.stack([-tangent[:, 1], tangent[:, 0]], 1)
    left = path + normal * (w / 2)[:, None]
    right = path - normal * (w / 2)[:, None]
    poly = [tuple(p) for p in left] + [tuple(p) for p in right[::-1]]
    d.polygon(poly, fill=_INK)
    if dry:
        start = int(n * rng.uniform(0.55, 0.75))
        for _ in range(int(rng.integers(3, 7))):
            o = rng.uniform(-0.45, 0.45)
            s = start + int(rng.integers(0, n // 6))
            seg = path[s:] + normal[s:] * (o * w[s:])[:, None]
            if len(seg) > 1:
                d.line([tuple(p) for p in seg], fill=_INK_PAPER, width=max(1, int(width * 0.05)))


def _hatch_layer(w, spacing, angle, lw):
    layer = Image.new("L", (w, w), 0)
    d = ImageDraw.Draw(layer)
    ca, sa = np.cos(angle), np.sin(angle)
    reach = w * 1.5
    for off in np.arange(-reach, reach, spacing):
        cx, cy = w / 2 + off * -sa, w / 2 + off * ca
        d.line([(cx - ca * reach, cy - sa * reach), (cx + ca * reach, cy + sa * reach)],
               fill=255, width=lw)
    return layer


def _hatch(img, mask, spacing, angle, lw, cross=False):
    w = img.size[0]
    lines = _hatch_layer(w, spacing, angle, lw)
    if cross:
        lines = Image.fromarray(np.maximum(np.asarray(lines),
                                           np.asarray(_hatch_layer(w, spacing, angle + np.pi / 2, lw))))
    combined = Image.fromarray((np.asarray(lines, dtype=np.uint16) * np.asarray(mask) // 255).astype(np.uint8))
    img.paste(_INK, mask=combined)


def _shape_mask(w, polygon=None, ellipse=None):
    mask = Image.new("L", (w, w), 0)
    d = ImageDraw.Draw(mask)
    if polygon is not None:
        d.polygon([tuple(p) for p in polygon], fill=255)
    if ellipse is not None:
        d.ellipse(ellipse, fill=255)
    return mask


def _red_accent(d, rng, w, kind, spot):
    x, y = spot
    if kind == "sun":
        r = w * rng.uniform(0.06, 0.09)
        d.ellipse([x - r, y - r, x + r, y + r], fill=_RED)
    elif kind == "seal":
        s = w * 0.07
        lw = max(2, int(s * 0.08))
        d.rectangle([x - s / 2, y - s / 2, x + s / 2, y + s / 2], fill=_RED)
        d.rectangle([x - s * 0.38, y - s * 0.38, x + s * 0.38, y + s * 0.38], outline=_INK_PAPER, width=lw)
        for _ in range(3):
            if rng.random() < 0.5:
                yy = y + s * rng.choice([-0.15, 0.0, 0.15])
                d.line([(x - s * 0.25, yy), (x + s * 0.25, yy)], fill=_INK_PAPER, width=lw)
            else:
                xx = x + s * rng.choice([-0.15, 0.0, 0.15])
                d.line([(xx, y - s * 0.25), (xx, y + s * 0.25)], fill=_INK_PAPER, width=lw)
    else:
        r = w * 0.025
        d.ellipse([x - r, y - r, x + r, y + r], fill=_RED)


def _ink_mountains(rng, img, d, w):
    k = int(rng.integers(2, 4))
    base = w * 0.7
    peaks = sorted(rng.uniform(0.22, 0.78, k))
    for i, px in enumerate(peaks):
        h = w * rng.uniform(0.25, 0.42)
        half = w * rng.uniform(0.16, 0.24)
        top = (w * px, base - h)
        left, right = (w * px - half, base), (w * px + half, base)
        d.polygon([top, left, right], fill=_INK_PAPER)
        shade = [top, (w * px + half * 0.1, base), right]
        _hatch(img, _shape_mask(w, polygon=shade), w * 0.012, np.deg2rad(rng.uniform(55, 70)),
               max(2, int(w * 0.002)), cross=i == 0)
        d.line([left, top, right], fill=_INK, width=max(3, int(w * 0.004)), joint="curve")
    x = np.linspace(w * 0.06, w * 0.94, 80)
    y = base + w * 0.02 + w * 0.012 * np.sin(x / w * 5 + rng.uniform(0, 6))
    _brush(d, rng, np.stack([x, y], 1), w * 0.045)
    accent = _pick(rng, ["sun", "seal"])
    spot = (w * rng.uniform(0.15, 0.85), w * 0.18) if accent == "sun" else (w * 0.88, w * 0.88)
    _red_accent(d, rng, w, accent, spot)
    caption = (f"{_number_word(k)} hatched mountains over a bold brush horizon with a single "
               f"red {accent}, landscape layout, black ink on white")
    return "Mountain", accent, caption, ["mountains", "hatching", "brush", "red " + accent, "landscape"]


def _ink_enso(rng, img, d, w):
    cx, cy = w * rng.uniform(0.45, 0.55), w * rng.uniform(0.44, 0.52)
    r = w * rng.uniform(0.28, 0.33)
    start = rng.uniform(0, 2 * np.pi)
    t = np.linspace(start, start + rng.uniform(1.65, 1.9) * np.pi, 160)
    rr = r * (1 + 0.03 * np.sin(t * 3))
    inner = _shape_mask(w, ellipse=[cx - r * 0.55, cy - r * 0.55, cx + r * 0.55, cy + r * 0.55])
    hatched = rng.random() < 0.5
    if hatched:
        _hatch(img, inner, w * 0.014, np.deg2rad(45), max(2, int(w * 0.002)))
    _brush(d, rng, np.stack([cx + rr * np.cos(t), cy + rr * np.sin(t)], 1), w * 0.09)
    accent = _pick(rng, ["dot", "seal"])
    spot = (cx, cy) if accent == "dot" and not hatched else (w * 0.86, w * 0.88)
    _red_accent(d, rng, w, accent, spot)
    inner_word = "a hatched centre" if hatched else "an open centre"
    caption = (f"a bold brush enso circle with {inner_word} and a single red {accent}, "
               f"centred layout, black ink on white")
    return "Enso", accent, caption, ["enso", "circle", "brush", "red " + accent, "centred"] + (
        ["hatching"] if hatched else [])


def _ink_waves(rng, img, d, w):
    k = int(rng.integers(3, 5))
    for i in range(k):
        y0 = w * (0.4 + 0.14 * i)
        x = np.linspace(w * 0.06, w * 0.94, 90)
        y = y0 + w * 0.03 * np.sin(x / w * rng.uniform(6, 10) + rng.uniform(0, 6))
        band = np.concatenate([np.stack([x, y], 1), [[w * 0.94, y0 + w * 0.09], [w * 0.06, y0 + w * 0.09]]])
        _hatch(img, _shape_mask(w, polygon=band), w * 0.013, np.deg2rad(-20 + 10 * i),
               max(2, int(w * 0.002)))
        _brush(d, rng, np.stack([x, y], 1), w * rng.uniform(0.025, 0.04))
    spot = (w * rng.uniform(0.2, 0.8), w * 0.2)
    _red_accent(d, rng, w, "sun", spot)
    caption = (f"{_number_word(k)} brush-stroke waves over hatched water under a single red "
               f"sun, stacked layout, black ink on white")
    return "Sea", "sun", caption, ["waves", "sea", "hatching", "brush", "red sun", "stacked"]


def _ink_bamboo(rng, img, d, w):
    k = int(rng.integers(2, 5))
    xs = np.sort(rng.uniform(0.2, 0.8, k))
    for x in xs:
        nodes = np.sort(rng.uniform(0.12, 0.85, int(rng.integers(3, 5))))
        edges = np.concatenate([[0.05], nodes, [0.95]])
        lean = rng.uniform(-0.03, 0.03)
        for a, b in zip(edges[:-1], edges[1:]):
            pa = (w * (x + lean * a), w * (a + 0.012))
            pb = (w * (x + lean * b), w * (b - 0.012))
            path = _bezier(pa, pa, pb, pb, 20)
            _brush(d, rng, path, w * 0.03, dry=False, profile="segment")
        for _ in range(int(rng.integers(1, 4))):
            node = _pick(rng, list(nodes))
            side = 1 if rng.random() < 0.5 else -1
            base = np.array([w * (x + lean * node) + side * w * 0.012, w * node])
            a = np.deg2rad(rng.uniform(15, 55))
            L = w * rng.uniform(0.12, 0.19)
            tip = base + L * np.array([side * np.cos(a), np.sin(a)])
            mid = base + (tip - base) * 0.5 + np.array([0, -w * 0.02])
            _brush(d, rng, _bezier(base, mid, mid, tip, 30), w * 0.035, dry=False, profile="leaf")
    ground = _shape_mask(w, polygon=[(w * 0.05, w * 0.9), (w * 0.95, w * 0.9), (w * 0.95, w * 0.97),
                                     (w * 0.05, w * 0.97)])
    _hatch(img, ground, w * 0.012, np.deg2rad(30), max(2, int(w * 0.002)), cross=True)
    _red_accent(d, rng, w, "seal", (w * 0.1, w * 0.1))
    caption = (f"{_number_word(k)} bamboo stalks with brush-stroke leaves over a cross-hatched "
               f"ground and a single red seal, vertical layout, black ink on white")
    return "Bamboo", "seal", caption, ["bamboo", "stalks", "brush", "hatching", "red seal", "vertical"]


def _ink_sphere(rng, img, d, w):
    cx, cy = w * rng.uniform(0.42, 0.58), w * 0.46
    r = w * rng.uniform(0.2, 0.26)
    light = rng.uniform(-0.6, 0.6)
    shadow = _shape_mask(w, polygon=[(cx - r * 1.6, cy + r * 1.15), (cx + r * 1.9, cy + r * 1.15),
                                     (cx + r * 1.7, cy + r * 0.85), (cx - r * 0.6, cy + r * 0.85)])
    _hatch(img, shadow, w * 0.012, np.deg2rad(-30), max(2, int(w * 0.002)), cross=True)
    body = np.asarray(_shape_mask(w, ellipse=[cx - r, cy - r, cx + r, cy + r]), dtype=np.int16)
    lit = np.asarray(_shape_mask(w, ellipse=[cx - r * 1.05 + light * r, cy - r * 1.2,
                                             cx + r * 0.75 + light * r, cy + r * 0.6]), dtype=np.int16)
    d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=_INK_PAPER)
    crescent = Image.fromarray(np.clip(body - lit, 0, 255).astype(np.uint8))
    _hatch(img, crescent, w * 0.011, np.deg2rad(60), max(2, int(w * 0.002)))
    t = np.linspace(0.2, 0.2 + 1.9 * np.pi, 150)
    _brush(d, rng, np.stack([cx + r * np.cos(t), cy + r * np.sin(t)], 1), w * 0.03)
    x = np.linspace(w * 0.08, w * 0.92, 60)
    _brush(d, rng, np.stack([x, np.full_like(x, cy + r * 1.22)], 1), w * 0.035)
    accent = _pick(rng, ["dot", "sun"])
    spot = (w * 0.82, w * 0.18)
    _red_accent(d, rng, w, accent, spot)
    caption = (f"a hatched sphere casting a cross-hatched shadow on a brush-stroke ground with a "
               f"single red {accent}, still-life layout, black ink on white")
    return "Sphere", accent, caption, ["sphere", "still life", "hatching", "brush", "red " + accent]


_INK_LAYOUTS = (_ink_mountains, _ink_enso, _ink_waves, _ink_bamboo, _ink_sphere)


def _render_mono_ink(rng, size, number, layout):
    scale = 2
    w = size * scale
    img = Image.new("RGB", (w, w), _INK_PAPER)
    d = ImageDraw.Draw(img)
    noun, accent, caption, tags = _INK_LAYOUTS[layout](rng, img, d, w)
    img = img.resize((size, size), Image.LANCZOS)
    title = f"{_pick(rng, ['Red', 'Ink', 'Black'])} {noun} No. {number}"
    return _item(img, title, caption, tags + ["ink", "black", "red"])


# --------------------------------------------------------------------------

_RENDERERS = {
    "bauhaus": (_render_bauhaus, len(_BAUHAUS_LAYOUTS)),
    "neon": (_render_neon, len(_NEON_LAYOUTS)),
    "watercolor": (_render_watercolor, len(_WC_LAYOUTS)),
    "mono_ink": (_render_mono_ink, len(_INK_LAYOUTS)),
}


def render_portfolio(style: str, count: int, seed: int = 0, size: int = 512) -> list[dict]:
    """Render `count` portfolio pieces in one designer style.

    Returns a list of dicts with keys "image" (RGB PIL image, size x size),
    "title", "caption" and "tags". Output is deterministic for a given
    (style, seed, size); item i does not depend on `count`, so a longer
    portfolio extends a shorter one. Layouts are cycled in a seeded order so
    neighbouring items differ.
    """
    if style not in _RENDERERS:
        raise ValueError(f"unknown style {style!r}; known styles: {', '.join(STYLES)}")
    if count < 0:
        raise ValueError("count must be >= 0")
    render, n_layouts = _RENDERERS[style]
    key = zlib.crc32(style.encode())
    base = int(seed) % (2 ** 32)
    order = np.random.default_rng([base, key, 0]).permutation(n_layouts)
    items = []
    for i in range(count):
        rng = np.random.default_rng([base, key, i + 1])
        layout = int(order[i % n_layouts])
        items.append(render(rng, size, i + 1, layout))
    return items
