"""Personal image models benchmark, on the demo designers (Mara: flat Bauhaus posters; Theo: neon
line art). Seeds the demo marketplace in a scratch data dir and trains each designer's model
through the product's own training job (the generator, the upsampler, then the image judge on
settings.image_fidelity_samples (128) new samples at 256 px against the other designer,
reference styles, photographs and fakes of their own work). Reports training seconds, fidelity
with its 95 % interval, copies, the judge's verdict on the designer's held-out pieces, seconds
per 256 px image (median of 10 after WARM_UP_DRAWS untimed ones, through the backend a buyer's
try-out uses, on its serving threads: settings.threads), how often a colour word in a prompt
steers the picture (each held-out brief's first colour swapped for the model's other colours,
same seeds) and peak RSS.
Saves, per designer, a grid of 16 generated images beside a grid of 16 portfolio pieces in
bench/out/image_model/.
Prints one JSON object as its last line.
Usage: python bench/image_model.py [--train-seconds 780] [--names mara,theo] [--data-dir DIR]
[--from-scratch]
(--data-dir keeps the marketplace and the trained models there; by default a scratch dir;
--from-scratch trains the generators from random weights instead of the house base.)
"""

import argparse
import json
import re
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from assets import demo  # noqa: E402
from engine.engine import Engine  # noqa: E402
from engine.settings import Settings  # noqa: E402
from storage import portfolio, users  # noqa: E402

OUT = ROOT / "bench" / "out" / "image_model"
WARM_UP_DRAWS = 3  # untimed draws before the ten timed ones: a freshly loaded model's first draws run slower
# Reference colours (CSS and common design names) that tie a prompt's colour words to the
# designer's palette for the steering measurement.
COLOUR_NAMES = {"red": (255, 0, 0), "orange": (255, 165, 0), "yellow": (255, 255, 0),
                "green": (0, 128, 0), "blue": (0, 0, 255), "purple": (128, 0, 128),
                "pink": (255, 192, 203), "brown": (165, 42, 42), "black": (0, 0, 0),
                "white": (255, 255, 255), "grey": (128, 128, 128), "navy": (0, 0, 128),
                "teal": (0, 128, 128), "cyan": (0, 255, 255), "magenta": (255, 0, 255),
                "lime": (0, 255, 0), "violet": (143, 0, 255), "coral": (255, 127, 80),
                "mustard": (225, 173, 1), "gold": (255, 215, 0), "turquoise": (64, 224, 208),
                "maroon": (128, 0, 0), "olive": (128, 128, 0)}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def portfolio_grid(settings, items: list[dict], path: Path, tile: int = 128) -> None:
    sheet = Image.new("RGB", (4 * tile, 4 * tile), "white")
    for i, item in enumerate(items[:16]):
        with Image.open(settings.data_dir / item["file_path"]) as image:
            sheet.paste(image.convert("RGB").resize((tile, tile), Image.LANCZOS),
                        ((i % 4) * tile, (i // 4) * tile))
    sheet.save(path)


def colour_share(image, palette: np.ndarray, entry: int) -> float:
    """Share of an image's pixels off its ground (its commonest palette colour) that are nearest
    to palette `entry`."""
    pixels = np.asarray(image.convert("RGB"), dtype=np.float32).reshape(-1, 3)
    nearest = np.argmin(((pixels[:, None, :] - palette[None]) ** 2).sum(-1), axis=1)
    ground = np.bincount(nearest, minlength=len(palette)).argmax()
    ink = nearest[nearest != ground]
    return float(np.mean(ink == entry)) if len(ink) else 0.0


def colour_steering(backend, folder: Path, briefs: list[str], seeds: int = 2) -> dict:
    """How often a colour word steers: each brief's first colour word swapped for each other colour
    the model knows, drawn from the same seeds; a pair counts as steered when the named colour
    covers more of the picture that names it than of the one that names the other, half when
    equal (chance: 0.5)."""
    palette = np.array(json.loads((folder / "palette.json").read_text())["colours"], dtype=np.float32) * 255
    known = [w for w in backend.steering(folder) if w in COLOUR_NAMES]
    entry = {w: int(np.argmin(((palette - np.array(COLOUR_NAMES[w])) ** 2).sum(-1))) for w in known}
    steered, pairs, drawn = 0.0, 0, {}
    for brief in briefs:
        named = [w for w in re.findall(r"[a-z]+", brief.lower()) if w in entry]
        if not named:
            continue
        first = named[0]
        for other in known:
            if other == first or entry[other] == entry[first]:
                continue
            swapped = re.sub(rf"\b{first}\b", other, brief, count=1, flags=re.IGNORECASE)
            for seed in range(seeds):
                if (brief, seed) not in drawn:
                    drawn[brief, seed] = colour_share(backend.draw(folder, brief, [7000 + seed])[0],
                                                      palette, entry[first])
                theirs = colour_share(backend.draw(folder, swapped, [7000 + seed])[0], palette, entry[first])
                mine = drawn[brief, seed]
                steered += 1.0 if mine > theirs else 0.5 if mine == theirs else 0.0
                pairs += 1
    return {"colour_steering": round(steered / pairs, 3) if pairs else None, "steering_pairs": pairs}


def designer_case(engine, username: str) -> dict:
    db, settings = engine.db, engine.settings
    seller = users.find_user(db, username)
    job = engine.train(seller)
    started = time.perf_counter()
    finished = engine.jobs.wait(job["id"], timeout=3600, poll_s=1.0)
    if finished["status"] != "done":
        raise RuntimeError(f"{username}'s training ended {finished['status']}: {finished['error']}")
    view = engine.studio_model(seller)
    version = view["current"]
    report = json.loads(version["fidelity_report"])
    folder = settings.data_dir / version["artefact_path"]
    times = []
    with engine.backends.using("image") as backend:
        for i in range(WARM_UP_DRAWS):
            backend.draw(folder, report["samples"][-1 - i]["prompt"], [4000 + i])
        for i in range(10):
            t = time.perf_counter()
            backend.draw(folder, report["samples"][i % len(report["samples"])]["prompt"], [5000 + i])
            times.append(time.perf_counter() - t)
        held_briefs = [i["caption"] for i in portfolio.items_for(db, seller["id"], "image", held_out=True)]
        steering = colour_steering(backend, folder, held_briefs)
    OUT.mkdir(parents=True, exist_ok=True)
    Image.open(settings.data_dir / report["sample_grid"]).save(OUT / f"{username}_generated.png")
    portfolio_grid(settings, portfolio.items_for(db, seller["id"], "image"), OUT / f"{username}_portfolio.png")
    return {"train_s": report["train_s"], "fidelity": round(report["fidelity"], 4),
            "ci_low": round(report["ci_low"], 4), "ci_high": round(report["ci_high"], 4),
            "copies": report["copies"], "n": report["n"],
            "held_out_credited": report["held_out_attributed"],
            "generator_steps": report.get("generator_steps"), "generator_base": report.get("generator_base"),
            "job_s": round(time.perf_counter() - started, 1),
            "judge_s": report["judge_s"], "image_s": round(statistics.median(times), 3),
            "image_threads": settings.threads,
            "flat_palette": report.get("flat_palette"), "line_art": report.get("line_art"), **steering}


def main() -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--train-seconds", type=float, default=Settings.image_train_seconds)
    parser.add_argument("--names", default="mara,theo")
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--from-scratch", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        settings = Settings(data_dir=args.data_dir or Path(scratch), image_train_seconds=args.train_seconds,
                            image_house_base=not args.from_scratch)
        engine = Engine(settings)
        demo.ensure_demo(engine, log=lambda *_: None)
        engine.start_background()
        try:
            creators = {name: designer_case(engine, name) for name in args.names.split(",")}
        finally:
            engine.jobs.stop()
    result = {"creators": creators, "image_s": max(c["image_s"] for c in creators.values()),
              "peak_rss_mb": round(peak_rss_mb()), "train_seconds_setting": args.train_seconds}
    (OUT / "image_model.json").write_text(json.dumps(result, indent=1))
    return result


if __name__ == "__main__":
    print(json.dumps(main()))
