"""Of a few drafts per image, the one most like the designer's work is kept.

A small generator's failures are mostly shapes bent or broken: stacked waves each bent their own
way, a grid that wobbles, an arch or a stripe edge that warps. So CANDIDATES drafts are drawn per
image, in one batch, and the best by a measure of the designer's kind of work is kept:
- line art: the draft whose strokes repeat best down the page (`regular.repetition`);
- other work: the draft whose coarse patches lie nearest the designer's own
  (`refine.Examples.misfit`).
Choosing among whole drafts keeps every shape the generator's own. In pilots on kept models of
the demo designers the judge credited the kept drafts more often than drafts at large (figures
in README).
"""

import numpy as np

from engine.image import regular

CANDIDATES = 3  # drafts drawn per image
SEED_STEP = 1_000_003  # a candidate's seed is the image's seed plus a multiple of this


def candidate_seeds(seed: int, count: int = CANDIDATES) -> list[int]:
    """The seeds of an image's candidate drafts; the first is the image's own seed."""
    return [int(seed) + k * SEED_STEP for k in range(count)]


def measure(finisher: dict):
    """How drafts are ranked for the finisher's kind of work: a function from (K, H, W, 3)
    drafts to K scores, lower is better; None where the model keeps no measure (older models)."""
    if finisher.get("lines") is not None:
        return lambda drafts: -np.array([regular.repetition(d) for d in drafts])
    examples = finisher.get("examples")
    return examples.misfit if examples is not None else None


def sample(generator, prompt: str, seeds: list[int], candidates: int = 1, score=None,
           **sampling) -> np.ndarray:
    """One draft per seed from `generator.sample(prompt, seeds, **sampling)`; with `candidates`
    above 1 and a `score` (from `measure`), the lowest-scoring of that many drafts per seed (the
    first on a tie)."""
    if candidates <= 1 or score is None:
        return generator.sample(prompt, seeds, **sampling)
    drafts = generator.sample(prompt, [s for seed in seeds for s in candidate_seeds(seed, candidates)],
                              **sampling)
    groups = drafts.reshape(len(seeds), candidates, *drafts.shape[1:])
    return np.stack([group[int(np.argmin(score(group)))] for group in groups])
