"""The image judge's reference pool: other styles to tell a designer's work from, made offline.

- procedural styles no demo designer uses (watercolour washes, black ink with a red accent) and
  photographs bundled with scikit-image (astronaut, coffee, rocket, ...);
- fakes made from the designer's own training images: blurred, recoloured (hues turned), warped
  (bent by a smooth random displacement: the right strokes in wobbly geometry), and their palette
  in shapeless blobs (the right colours in the wrong shapes).

Every image is a (256, 256, 3) float32 array in [0, 1].
"""

import numpy as np

from assets import portfolios

SIZE = 256
OTHER_STYLES = ("watercolor", "mono_ink")
PER_STYLE = 16
PHOTOS = ("astronaut", "coffee", "chelsea", "rocket", "immunohistochemistry", "hubble_deep_field",
          "retina", "colorwheel", "camera", "coins", "moon", "grass", "gravel", "brick", "clock",
          "horse", "page", "text")
BLUR_SIGMAS = (1.5, 3.0)
HUE_TURNS = (0.25, 0.5, 0.75)
WARP_PIXELS = (3.0, 6.0)  # typical displacement of a warped fake, px at 256
WARP_SMOOTHNESS = 10.0  # px at 256: how far apart the bends are


def _square(image: np.ndarray) -> np.ndarray:
    from PIL import Image

    if image.ndim == 2:
        image = np.stack([image] * 3, axis=-1)
    image = image[..., :3]
    if image.dtype != np.uint8:
        image = (np.clip(image, 0, 1) * 255).astype(np.uint8)
    h, w = image.shape[:2]
    side = min(h, w)
    top, left = (h - side) // 2, (w - side) // 2
    pil = Image.fromarray(image[top:top + side, left:left + side]).resize((SIZE, SIZE), Image.LANCZOS)
    return np.asarray(pil, dtype=np.float32) / 255.0


def reference_styles(seed: int = 7) -> dict[str, list[np.ndarray]]:
    """Other procedural styles and photographs, by name."""
    import skimage.data

    pool = {f"style:{style}": [_square(np.asarray(item["image"]))
                               for item in portfolios.render_portfolio(style, PER_STYLE, seed=seed)]
            for style in OTHER_STYLES}
    pool["photos"] = [_square(getattr(skimage.data, name)()) for name in PHOTOS]
    return pool


def blurred(images: list[np.ndarray]) -> list[np.ndarray]:
    from scipy import ndimage

    return [ndimage.gaussian_filter(image, (sigma, sigma, 0)).astype(np.float32)
            for image in images for sigma in BLUR_SIGMAS]


def recoloured(images: list[np.ndarray]) -> list[np.ndarray]:
    from skimage.color import hsv2rgb, rgb2hsv

    out = []
    for image in images:
        hsv = rgb2hsv(image)
        for turn in HUE_TURNS:
            turned = hsv.copy()
            turned[..., 0] = (turned[..., 0] + turn) % 1.0
            out.append(hsv2rgb(turned).astype(np.float32))
    return out


def warped(images: list[np.ndarray], seed: int = 0, strengths: tuple = WARP_PIXELS) -> list[np.ndarray]:
    """Each image bent by smooth random displacements of each of `strengths` px: straight lines
    wobble, circles dent, edges ripple, while colours and strokes stay the designer's."""
    from scipy import ndimage

    rng = np.random.default_rng(seed)
    grid = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32)
    out = []
    for image in images:
        for pixels in strengths:
            field = ndimage.gaussian_filter(rng.standard_normal((2, SIZE, SIZE)), (0, WARP_SMOOTHNESS, WARP_SMOOTHNESS))
            field *= pixels / (field.std() + 1e-8)
            coordinates = grid + field
            out.append(np.stack([ndimage.map_coordinates(image[..., c], coordinates, order=1, mode="reflect")
                                 for c in range(3)], axis=-1).astype(np.float32))
    return out


def palette_blobs(images: list[np.ndarray], count: int, seed: int = 0) -> list[np.ndarray]:
    """The designer's colours (their images' k-means palette, in its proportions) as soft-edged
    random blobs: the right palette in the wrong shapes."""
    from scipy import ndimage
    from sklearn.cluster import KMeans

    rng = np.random.default_rng(seed)
    pixels = np.concatenate([i[::8, ::8].reshape(-1, 3) for i in images])
    km = KMeans(n_clusters=6, n_init=3, random_state=seed).fit(pixels)
    weights = np.bincount(km.labels_, minlength=6) / len(km.labels_)
    out = []
    for _ in range(count):
        field = ndimage.gaussian_filter(rng.standard_normal((6, SIZE, SIZE)), (0, 14, 14))
        field += np.log(weights + 1e-6)[:, None, None] * field.std()
        labels = np.argmax(field, axis=0)
        out.append(km.cluster_centers_[labels].astype(np.float32))
    return out


def fakes(images: list[np.ndarray], seed: int = 0) -> dict[str, list[np.ndarray]]:
    """Convincing fakes of the designer's work, made from `images`, by kind."""
    return {"fake:blurred": blurred(images), "fake:recoloured": recoloured(images),
            "fake:warped": warped(images, seed), "fake:palette-blobs": palette_blobs(images, max(8, len(images)), seed)}
