"""The house image base: the flow-matching generator of engine/image/flow.py trained once on the
house set (assets/house_shapes.py: procedurally drawn geometric compositions, no designer's
work), shipped in assets/image_base/. A designer's generator starts from it instead of from
random weights, so their training time goes into their palette and compositions rather than
into learning to draw a clean circle or an even line.

Rebuild it with `python -m engine.image.house --seconds 2700`; train a base further with
`--resume-from PATH --seconds TOTAL` (the shipped base: see its JSON for steps and seconds).
"""

import argparse
import time
from pathlib import Path

import numpy as np

BASE_DIR = Path(__file__).resolve().parents[2] / "assets" / "image_base"
BASE_FILE = BASE_DIR / "house-64.safetensors"
BASE_ID = "signature/house-shapes-64px"
PIECES = 16_000


def house_drafts(count: int, first_seed: int = 0) -> tuple[np.ndarray, list[str]]:
    """(count, 64, 64, 3) drafts of house pieces, drawn as a designer's drafts are (line art
    softened), and their captions."""
    from assets import house_shapes
    from engine.image import render

    drafts, captions = [], []
    for seed in range(first_seed, first_seed + count):
        piece = house_shapes.render(seed)
        blur = render.drawing_settings(piece["line_art"])["draft_blur"]
        drafts.append(render.drafts_of([render.to_array(piece["image"], render.FINAL)], blur)[0])
        captions.append(piece["caption"])
    return np.stack(drafts), captions


def in_use(settings) -> bool:
    """Whether a new embedded generator starts from the base: the setting is on and it ships."""
    return settings.image_house_base and BASE_FILE.exists()


def revision(path: Path = BASE_FILE) -> str:
    """The first 12 hex digits of the base weights' SHA-256: which base a model started from."""
    import hashlib

    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def load_base(path: Path = BASE_FILE) -> dict:
    """The shipped base state (engine/image/flow.py's format)."""
    from engine.image import flow

    if not Path(path).exists():
        raise FileNotFoundError(f"the house image base is missing: {path}; restore it from the repository "
                                "or set SIGNATURE_IMAGE_HOUSE_BASE=0")
    return flow.load(path)


def train_base(seconds: float, pieces: int = PIECES, path: Path = BASE_FILE, progress=None,
               resume: dict | None = None) -> dict:
    """Draw the house set, train the generator on it until it has trained `seconds` in all and
    save it at `path`; `resume` (a saved base) is trained further instead of starting afresh."""
    from engine.image import flow

    drafts, captions = house_drafts(pieces)
    state = flow.train(drafts, captions, seconds, seed=0, progress=progress, state=resume)
    path.parent.mkdir(parents=True, exist_ok=True)
    flow.save(state, path)
    return state


def main() -> None:
    parser = argparse.ArgumentParser(description="Train the house image base on the house set.")
    parser.add_argument("--seconds", type=float, default=2700.0)
    parser.add_argument("--pieces", type=int, default=PIECES)
    parser.add_argument("--out", type=Path, default=BASE_FILE)
    parser.add_argument("--resume-from", type=Path, default=None,
                        help="a saved base to train further; --seconds is then the total")
    args = parser.parse_args()
    import torch

    from engine.image import flow

    torch.set_num_threads(2)
    started = time.perf_counter()

    partial = args.out.with_name(args.out.stem + "-partial.safetensors")  # to look at while it trains

    def progress(step, elapsed, loss, snapshot):
        if step % 500 == 0:
            print(f"step {step}  {elapsed:.0f} s  loss {loss:.4f}", flush=True)
        if step % 2000 == 0:
            flow.save(snapshot(), partial)

    resume = load_base(args.resume_from) if args.resume_from else None
    state = train_base(args.seconds, args.pieces, args.out, progress, resume)
    partial.unlink(missing_ok=True)
    partial.with_suffix(".json").unlink(missing_ok=True)
    print(f"saved {args.out}: {state['steps']} steps, {len(state['vocabulary'])} tags, "
          f"{time.perf_counter() - started:.0f} s in all", flush=True)


if __name__ == "__main__":
    main()
