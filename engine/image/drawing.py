"""A prompt and seeds to the 256 px images a buyer sees, from an embedded model.

The generator's drafts (for line art, the most regular of a few: regular.py) are drawn
(render.draw) and checked against the designer's training pieces (originality.py): an image that
is nearly one of them is drawn again from another seed, up to REDRAWS times.
"""

import numpy as np

REDRAWS = 3
REDRAW_STEP = 10_000_019  # a redrawn image's seed is its seed plus a multiple of this


def draw(generator, upsampler, finisher: dict, prompt: str, seeds: list[int], **sampling) -> tuple[list, int]:
    """(one (256, 256, 3) image in [0, 1] per seed, how many copies were drawn again).
    `finisher` is render.fit_finish's or render.load_finisher's; `sampling` goes to
    `generator.sample`."""
    from engine.image import originality, regular, render

    def drawn(seeds_now):
        drafts = regular.sample(generator, prompt, seeds_now, finisher.get("candidates", 1), **sampling)
        return render.draw(upsampler, finisher, drafts, [prompt] * len(seeds_now))

    images, redrawn = drawn(seeds), 0
    examples = finisher.get("examples")
    if examples is None:  # older models keep no training drafts to compare with
        return images, 0
    limit = finisher.get("copy_limit") or originality.copy_limit(examples.drafts)
    for attempt in range(1, REDRAWS + 1):
        shrunk = render.drafts_of(images, finisher["draft_blur"])
        again = np.flatnonzero(originality.copies(shrunk, examples.drafts, limit))
        if not len(again):
            break
        redrawn += len(again)
        for i, image in zip(again, drawn([seeds[i] + attempt * REDRAW_STEP for i in again])):
            images[i] = image
    return images, redrawn
