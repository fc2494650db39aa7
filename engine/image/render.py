"""From the generator's 64 px draft to the 256 px image a buyer sees, learned from the designer's
own portfolio.

Three pieces, all fitted on the designer's training images only:
- the refinement (engine/image/refine.py): the draft redrawn from patches of the designer's own
  training drafts, which mends the generator's wobbling and broken shapes;
- the upsampler: a small convolutional net that maps a 64 px image to 256 px (x4, sub-pixel
  convolution), trained on the portfolio shrunk to 64 px and its 256 px originals; its inputs are
  jittered with noise so that it also redraws the generator's imperfect drafts;
- the finish: for line art, the designer's stroke (engine/image/lines.py), in which the upsampled
  image's centre lines are redrawn crisp; for flat colour, the designer's few colours (k-means):
  the upsampled image is drawn at 512 px with every pixel snapped to its nearest palette colour
  and shrunk to 256 px, which gives exact colours and clean antialiased edges. Work with
  gradients or texture keeps the upsampler's own colours.

Line art is drafted softened (`soften`: a Gaussian blur of LINE_DRAFT_BLUR draft pixels): a one-pixel
line at 64 px is a hard target for a small generator, which draws it broken and bent, while a
soft band keeps the line's place to a fraction of a pixel. The upsampler learns from the same
softened drafts and gives back thin lines.
Line art's drafts are also restarted once (LINE_RESTART): noised part of the way back and drawn
down again, so that the generator gets a second pass at its strokes.
"""

import json
import time
from pathlib import Path

import numpy as np

from engine.image.flow import DRAFT  # the generator's draft: what the upsampler enlarges

FINAL = 256
MAX_PALETTE = 8
FLAT_SHARE = 0.93  # share of pixels within FLAT_DISTANCE of the palette for work to count as flat
FLAT_DISTANCE = 24.0  # RGB units (0-255)
MAJORITY_WINDOW = 9  # pixels at 512 px: specks and ragged edges smaller than this are redrawn
LINE_DRAFT_BLUR = 0.8  # draft pixels: how much line art's drafts are softened
# Line art's drafts are restarted from this sigma (flow.Generator.sample): the generator redraws
# its bent strokes once more. Paired pilots on four of Theo's models (seeds the benchmark does not
# use): credited 0.922 against 0.883 and 0.922 against 0.906 (128 prompts each), earlier 0.89
# against 0.82 (128) and 0.865 against 0.854 (96); flat work gained nothing (Mara 0.891 and 0.885
# against 0.891 and 0.906), so it is drawn without. It cost 0.26-0.30 s per image (two threads).
LINE_RESTART = 0.4


def to_array(image, size: int) -> np.ndarray:
    """An RGB PIL image as a float32 (size, size, 3) array in [0, 1], resized by area."""
    from PIL import Image

    image = image.convert("RGB")
    if image.size != (size, size):
        image = image.resize((size, size), Image.BOX if image.width > size else Image.BICUBIC)
    return np.asarray(image, dtype=np.float32) / 255.0


def to_image(array: np.ndarray):
    """A float (H, W, 3) array in [0, 1] as an RGB PIL image."""
    from PIL import Image

    return Image.fromarray((np.clip(array, 0, 1) * 255 + 0.5).astype(np.uint8))


def drafts_of(finals: list[np.ndarray], blur: float = 0.0, draft: int = DRAFT) -> np.ndarray:
    """The generator's training drafts: the 256 px images shrunk to `draft` px (by area) and
    softened by `blur` draft pixels."""
    drafts = np.stack([f.reshape(draft, f.shape[0] // draft, draft, f.shape[1] // draft, 3).mean(axis=(1, 3))
                       for f in finals]).astype(np.float32)
    return soften(drafts, blur)


def soften(drafts: np.ndarray, blur: float) -> np.ndarray:
    """(N, d, d, 3) drafts blurred by a Gaussian of `blur` pixels (unchanged when 0)."""
    if not blur:
        return drafts
    from scipy import ndimage

    return ndimage.gaussian_filter(drafts, (0, blur, blur, 0), mode="nearest").astype(np.float32)


def fit_palette(images: list[np.ndarray], seed: int = 0) -> dict:
    """The designer's flat colours: k-means on their pixels with the fewest colours (up to
    MAX_PALETTE) that put FLAT_SHARE of pixels within FLAT_DISTANCE. Returns {"colours": (K, 3)
    array in [0, 1], "flat": whether that share was reached, "share": the share reached}."""
    from sklearn.cluster import KMeans

    rng = np.random.default_rng(seed)
    pixels = np.concatenate([i.reshape(-1, 3) for i in images])
    pixels = pixels[rng.choice(len(pixels), min(len(pixels), 60_000), replace=False)] * 255
    best = None
    for k in range(2, MAX_PALETTE + 1):
        km = KMeans(n_clusters=k, n_init=3, random_state=seed).fit(pixels)
        distance = np.linalg.norm(pixels - km.cluster_centers_[km.labels_], axis=1)
        share = float(np.mean(distance <= FLAT_DISTANCE))
        best = {"colours": km.cluster_centers_ / 255.0, "flat": share >= FLAT_SHARE, "share": share}
        if best["flat"]:
            break
    return best


def snap(image: np.ndarray, colours: np.ndarray, window: int = 0) -> np.ndarray:
    """Every pixel set to its nearest palette colour; with a `window`, then to the colour most
    of its neighbourhood has (a majority filter: clean regions and smooth edges)."""
    flat = image.reshape(-1, 3)
    nearest = np.argmin(((flat[:, None, :] - colours[None, :, :]) ** 2).sum(-1), axis=1)
    labels = nearest.reshape(image.shape[:2])
    if window > 1:
        from scipy import ndimage

        votes = np.stack([ndimage.uniform_filter((labels == k).astype(np.float32), window)
                          for k in range(len(colours))])
        labels = np.argmax(votes, axis=0)
    return colours[labels].astype(np.float32)


def build_upsampler(scale: int = FINAL // DRAFT, width: int = 64, blocks: int = 4):
    """The upsampler (x`scale`): residual 3x3 convolutions at draft size, then sub-pixel
    convolution."""
    import torch
    from torch import nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(nn.Conv2d(width, width, 3, padding=1), nn.ReLU(),
                                      nn.Conv2d(width, width, 3, padding=1))

        def forward(self, x):
            return x + self.body(x)

    class Upsampler(nn.Module):
        def __init__(self):
            super().__init__()
            self.head = nn.Conv2d(3, width, 3, padding=1)
            self.blocks = nn.Sequential(*[Block() for _ in range(blocks)])
            self.scale = scale
            self.tail = nn.Sequential(nn.Conv2d(width, 3 * scale * scale, 3, padding=1),
                                      nn.PixelShuffle(scale))
            self.refine = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(),
                                        nn.Conv2d(16, 3, 3, padding=1))

        def forward(self, draft):
            coarse = torch.nn.functional.interpolate(draft, scale_factor=scale, mode="bilinear",
                                                     align_corners=False)
            x = coarse + self.tail(self.blocks(self.head(draft)))
            return x + self.refine(x)

    return Upsampler()


def train_upsampler(finals: list[np.ndarray], seconds: float, seed: int = 0, progress=None,
                    draft: int = DRAFT, batch: int = 16, noise: float = 0.04, blur: float = 0.0,
                    max_steps: int | None = None):
    """Fit the upsampler on (draft, final) pairs made from the designer's 256 px images (shrunk to
    `draft` px and softened by `blur`, as `drafts_of`) for about `seconds` (or until `max_steps`,
    which makes the result independent of the machine's speed), with horizontal flips, crops of
    3/8 of the draft and noisy drafts. `progress(done_s, seconds, loss)` may raise to cancel.
    Returns (model in eval mode, steps, last loss)."""
    import torch

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    scale, crop = FINAL // draft, draft * 3 // 8
    hi = torch.from_numpy(np.stack(finals)).permute(0, 3, 1, 2)  # N, 3, 256, 256
    lo = torch.from_numpy(drafts_of(finals, blur, draft)).permute(0, 3, 1, 2)
    hi, lo = torch.cat([hi, hi.flip(-1)]), torch.cat([lo, lo.flip(-1)])
    model = build_upsampler(scale)
    optimiser = torch.optim.Adam(model.parameters(), 1e-3)
    started, step, losses = time.perf_counter(), 0, []
    while time.perf_counter() - started < seconds and (max_steps is None or step < max_steps):
        index = rng.integers(len(lo), size=batch)
        y0 = rng.integers(draft - crop + 1, size=batch)
        x0 = rng.integers(draft - crop + 1, size=batch)
        small = torch.stack([lo[i, :, a:a + crop, b:b + crop] for i, a, b in zip(index, y0, x0)])
        target = torch.stack([hi[i, :, a * scale:(a + crop) * scale, b * scale:(b + crop) * scale]
                              for i, a, b in zip(index, y0, x0)])
        small = small + noise * torch.rand(batch, 1, 1, 1) * torch.randn_like(small)
        loss = (model(small) - target).abs().mean()
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        step += 1
        losses.append(loss.item())
        if step == 600:
            for group in optimiser.param_groups:
                group["lr"] = 3e-4
        if progress and step % 25 == 0:
            progress(time.perf_counter() - started, seconds, float(np.mean(losses[-25:])))
    return model.eval(), step, float(np.mean(losses[-50:]))


def upsample(model, drafts: np.ndarray) -> np.ndarray:
    """(N, d, d, 3) drafts in [0, 1] -> (N, d * scale, d * scale, 3) images."""
    import torch

    with torch.no_grad():
        out = model(torch.from_numpy(np.ascontiguousarray(drafts, dtype=np.float32)).permute(0, 3, 1, 2))
    return out.clamp(0, 1).permute(0, 2, 3, 1).numpy()


def drawing_settings(line_art: bool) -> dict:
    """The draft softening the generator trains with (`draft_blur`) and the sigma its drafts are
    restarted from (`restart`): both set for line art, both 0 for other work."""
    return {"draft_blur": LINE_DRAFT_BLUR if line_art else 0.0, "restart": LINE_RESTART if line_art else 0.0}


def fit_finish(images: list[np.ndarray], captions: list[str] | None = None) -> dict:
    """How the designer's work is finished, from their 256 px training images: the palette
    (`fit_palette`), for line art their stroke (`lines.fit_line_style`, else None) and the caption
    tags of their concentric pieces (`round_tags`, engine/image/symmetry.py), how many drafts
    are drawn per image to keep the likest to the designer's work (`candidates`,
    engine/image/candidates.py), the draft softening the generator trains with (`draft_blur`)
    and the sigma line art's drafts are restarted from (`restart`, 0 for other work),
    the training drafts that generated drafts are refined from (`examples`,
    engine/image/refine.py) and how near a drawn image may come to one of them (`copy_limit`,
    engine/image/originality.py)."""
    from engine.image import candidates, lines, originality, refine, symmetry

    line_style = lines.fit_line_style(images)
    line_art = drawing_settings(line_style is not None)
    drafts = drafts_of(images, line_art["draft_blur"])
    round_tags = (symmetry.round_tags(images, captions, line_style["ground"])
                  if line_style is not None and captions else [])
    return {**fit_palette(images), "lines": line_style, **line_art, "round_tags": round_tags,
            "candidates": candidates.CANDIDATES,
            "copy_limit": originality.copy_limit(drafts), "examples": refine.Examples(drafts)}


def draw(upsampler, finisher: dict, drafts: np.ndarray, prompts: list[str] | None = None) -> list[np.ndarray]:
    """The generator's (N, 64, 64, 3) drafts, drawn for `prompts` (one per draft), as the 256 px
    images a buyer sees: refined from the designer's own drafts (when the model has them),
    upsampled, made round where the prompt names the designer's concentric work, finished."""
    from engine.image import symmetry

    if finisher.get("examples") is not None:
        drafts = finisher["examples"].refine(drafts)
    images = list(upsample(upsampler, drafts))
    tags, style = finisher.get("round_tags") or [], finisher.get("lines")
    if tags and style is not None:
        for i, prompt in enumerate(prompts or []):
            if symmetry.asks(prompt, tags):
                images[i] = symmetry.make_round(images[i], style["ground"])
    return [finish(image, finisher) for image in images]


def finish(image: np.ndarray, palette: dict) -> np.ndarray:
    """The upsampled image as the buyer sees it: line art redrawn in the designer's stroke;
    flat work snapped to the palette at twice the size and shrunk back (antialiased edges);
    other work as upsampled."""
    if palette.get("lines") is not None:
        from engine.image import lines

        return lines.redraw(image, palette["lines"])
    if not palette["flat"]:
        return image
    from PIL import Image

    big = np.asarray(to_image(image).resize((FINAL * 2, FINAL * 2), Image.BICUBIC),
                     dtype=np.float32) / 255.0
    return to_array(to_image(snap(big, palette["colours"], MAJORITY_WINDOW)), FINAL)


def save_finisher(upsampler, palette: dict, folder: Path) -> None:
    """The upsampler's weights and the palette, beside the generator."""
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in upsampler.state_dict().items()}, str(folder / "upsampler.safetensors"))
    (folder / "palette.json").write_text(json.dumps(
        {"colours": np.round(palette["colours"], 5).tolist(), "flat": bool(palette["flat"]),
         "share": round(float(palette["share"]), 4), "upsampler_scale": upsampler.scale,
         "round_tags": list(palette.get("round_tags") or []),
         "candidates": int(palette.get("candidates", 1)),
         "copy_limit": palette.get("copy_limit")}))
    if palette.get("lines") is not None:
        np.savez(folder / "lines.npz", **palette["lines"])
    if palette.get("examples") is not None:
        np.savez_compressed(folder / "examples.npz", drafts=palette["examples"].drafts.astype(np.float16))


def load_finisher(folder: Path) -> tuple:
    """(upsampler in eval mode, palette) saved by `save_finisher`; the palette holds the
    refinement's `examples` when the model was saved with them."""
    from safetensors.torch import load_file

    palette = json.loads((folder / "palette.json").read_text())
    upsampler = build_upsampler(palette.pop("upsampler_scale", 8))  # older models drafted at 32 px
    upsampler.load_state_dict(load_file(str(folder / "upsampler.safetensors")))
    line_style = None
    if (folder / "lines.npz").exists():
        with np.load(folder / "lines.npz") as saved:
            line_style = {key: saved[key] for key in saved.files}
    examples = None
    if (folder / "examples.npz").exists():  # older models draw without refinement
        from engine.image import refine

        with np.load(folder / "examples.npz") as saved:
            examples = refine.Examples(saved["drafts"].astype(np.float32))
    return upsampler.eval(), {**palette, "colours": np.array(palette["colours"], dtype=np.float32),
                              "lines": line_style, "examples": examples, **drawing_settings(line_style is not None)}
