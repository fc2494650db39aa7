"""The image judge on work it was not fitted on, per demo designer (Mara: flat Bauhaus posters;
Theo: neon line art). Seeds the demo marketplace in a scratch data dir, fits each designer's judge
exactly as the training job does (their training pieces against the other designer, reference
styles, photographs and fakes of their own work), then reports the share credited to the designer
of: their held-out pieces; NEW_PIECES new pieces drawn by the designer's own procedure after the
demo portfolio (the judge's ceiling: a generator cannot be expected to beat it); the other
designer's pieces the judge did not see; fresh watercolour and ink pieces; the new pieces moved
by a fraction of a pixel (the same pictures, resampled: they should be credited); and blurred,
recoloured, warped (at each strength, from a seed the judge was not fitted on) and palette-blob
versions of the new pieces. Prints one JSON object as its last line.
Usage: python bench/image_judge.py
"""

import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from assets import demo, image_pool, portfolios  # noqa: E402
from engine.engine import Engine  # noqa: E402
from engine.fidelity.image import ImageJudge, StyleEncoder, shifted  # noqa: E402
from engine.image import job  # noqa: E402
from engine.image.render import FINAL, to_array  # noqa: E402
from engine.settings import Settings  # noqa: E402
from storage import portfolio, users  # noqa: E402

NEW_PIECES = 72
UNSEEN_SEED = 5


def credited(judge: ImageJudge, images: list[np.ndarray]) -> float | None:
    return round(float(np.mean(judge.is_creator(images))), 3) if images else None


def designer_case(engine, spec: dict, number: int, everyone: dict) -> dict:
    db, settings = engine.db, engine.settings
    seller = users.find_user(db, spec["username"])
    train = job.load_images(settings, portfolio.items_for(db, seller["id"], "image", held_out=False), FINAL)
    held = job.load_images(settings, portfolio.items_for(db, seller["id"], "image", held_out=True), FINAL)
    started = time.perf_counter()
    pool = job.other_styles(db, settings, seller["id"], train)
    judge = ImageJudge.fit(train, pool, StyleEncoder(settings.threads))
    fit_s = time.perf_counter() - started
    later = portfolios.render_portfolio(spec["style"], spec["count"] + NEW_PIECES, seed=number)[spec["count"]:]
    new = [to_array(item["image"], FINAL) for item in later]
    others = [to_array(item["image"], FINAL) for name, (style, count, n) in everyone.items()
              if name != spec["username"]
              for item in portfolios.render_portfolio(style, count + 12, seed=n)[count:]]
    fresh = image_pool.reference_styles(seed=UNSEEN_SEED)
    warps = {f"warped_{pixels:g}px": credited(judge, image_pool.warped(new, UNSEEN_SEED, (pixels,)))
             for pixels in image_pool.WARP_PIXELS}
    return {"held_out": credited(judge, held), "new_pieces": credited(judge, new),
            "new_pieces_shifted": credited(judge, shifted(new, UNSEEN_SEED, copies=1)),
            "other_designer_new": credited(judge, others),
            "watercolour_and_ink": credited(judge, fresh["style:watercolor"] + fresh["style:mono_ink"]),
            "blurred": credited(judge, image_pool.blurred(new)),
            "recoloured": credited(judge, image_pool.recoloured(new)), **warps,
            "palette_blobs": credited(judge, image_pool.palette_blobs(new, NEW_PIECES, seed=UNSEEN_SEED)),
            "fit_s": round(fit_s, 1)}


def main() -> dict:
    designers = [(n, spec) for n, spec in enumerate(demo.CREATORS) if spec["modality"] == "image"]
    everyone = {spec["username"]: (spec["style"], spec["count"], n) for n, spec in designers}
    with tempfile.TemporaryDirectory() as scratch:
        engine = Engine(Settings(data_dir=Path(scratch)))
        demo.ensure_demo(engine, log=lambda *_: None)
        creators = {spec["username"]: designer_case(engine, spec, n, everyone) for n, spec in designers}
    return {"creators": creators, "new_pieces": NEW_PIECES}


if __name__ == "__main__":
    print(json.dumps(main()))
