"""A prompt and seeds to the 256 px images a buyer sees, from an embedded model.

The generator's drafts (the likest of a few to the designer's work: candidates.py) are drawn
(render.draw) and checked against the designer's training pieces (originality.py): an image that
is nearly one of them is drawn again from another seed, up to REDRAWS times, and the attempt
farthest from every training piece is kept.
"""

import numpy as np

REDRAWS = 3
REDRAW_STEP = 10_000_019  # a redrawn image's seed is its seed plus a multiple of this


def draw(generator, upsampler, finisher: dict, prompt: str, seeds: list[int], **sampling) -> tuple[list, int]:
    """(one (256, 256, 3) image in [0, 1] per seed, how many of them were drawn again as
    near-copies). `finisher` is render.fit_finish's or render.load_finisher's; `sampling` goes
    to `generator.sample` (by default with the finisher's `restart`)."""
    from engine.image import candidates, originality, render

    examples = finisher.get("examples")
    sampling = {"restart": finisher.get("restart", 0.0), **sampling}

    def drawn(seeds_now):
        drafts = candidates.sample(generator, prompt, seeds_now, finisher.get("candidates", 1), examples,
                                   **sampling)
        return render.draw(upsampler, finisher, drafts, [prompt] * len(seeds_now))

    images = drawn(seeds)
    if examples is None:  # older models keep no training drafts to compare with
        return images, 0
    limit = finisher.get("copy_limit")
    limit = originality.copy_limit(examples.drafts) if limit is None else limit

    def distance(batch):
        return originality.nearest(render.drafts_of(batch, finisher["draft_blur"]), examples.drafts)

    far, redrawn = distance(images), set()
    for attempt in range(1, REDRAWS + 1):
        again = np.flatnonzero(far < limit)
        if not len(again):
            break
        redrawn.update(again.tolist())
        fresh = drawn([seeds[i] + attempt * REDRAW_STEP for i in again])
        for i, image, d in zip(again, fresh, distance(fresh)):
            if d > far[i]:
                images[i], far[i] = image, d
    return images, len(redrawn)
