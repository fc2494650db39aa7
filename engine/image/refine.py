"""Example-based refinement: the generator's 64 px draft redrawn from patches of the designer's
own training drafts before it is upsampled.

A small generator gets a piece's layout and colours right before its shapes: its rings wobble and
break, its edges fray. Texture optimisation (Kwatra et al., "Texture Optimization for
Example-based Synthesis", 2005) mends that from the designer's work alone: every patch of the
draft is replaced by its nearest patch among the designer's training drafts (and their mirror
images), the overlapping replacements are averaged (closer matches weigh more), and this is
repeated a few times. It runs coarse to fine: at 32 px, where an 8 px patch spans a quarter of
the piece and holds an arc's curvature or a grid's spacing, only the draft's coarse part is
replaced, and a match must keep the draft's colours there (a prompt's colour words act through
them), so a patch's mean colour weighs more in the search than its pixels give it; then at 64 px
for the strokes themselves, matched on their pixels alone. Patches are small beside the piece, so the
result is a new composition in the designer's shapes; the copy check still measures every sample.
"""

import numpy as np

# (draft px, patch px, stride between source patches, colour weight: a patch's mean colour weighs
# 1 + weight^2 times what its pixels give it in the search)
LEVELS = ((32, 8, 1, 5.0), (64, 8, 2, 0.0))
ITERATIONS = 4  # rounds of matching and averaging per level
STRIDE = 2  # px between the draft's own patches
SEARCH_DIMS = 48  # patches are matched in this many principal components
ROBUST = 0.8  # a match's weight is its distance ** (ROBUST - 2): near matches dominate
MAX_PATCHES = 200_000  # per level; larger portfolios are subsampled
FIT_SAMPLE = 20_000  # patches the principal components are computed from
QUERY_BLOCK = 64  # query patches matched at once (of 8 to 256, the fastest on a 45,000-patch search)


def _tensor(images: np.ndarray):
    import torch

    return torch.from_numpy(np.ascontiguousarray(images, dtype=np.float32)).permute(0, 3, 1, 2)


def _shrink(images, size: int):
    import torch

    factor = images.shape[-1] // size
    return images if factor == 1 else torch.nn.functional.avg_pool2d(images, factor)


class _Level:
    """The designer's patches at one draft size, with the basis they are searched in."""

    def __init__(self, drafts, size: int, patch: int, stride: int, colour_weight: float, seed: int = 0):
        import torch

        self.size, self.patch, self.colour_weight = size, patch, colour_weight
        columns = torch.nn.functional.unfold(_shrink(drafts, size), patch, stride=stride)
        patches = columns.permute(0, 2, 1).reshape(-1, columns.shape[1])
        rng = np.random.default_rng(seed)
        if len(patches) > MAX_PATCHES:
            patches = patches[torch.from_numpy(rng.choice(len(patches), MAX_PATCHES, replace=False))]
        sample = patches[torch.from_numpy(rng.choice(len(patches), min(len(patches), FIT_SAMPLE), replace=False))]
        self.mean = sample.mean(0)
        _, _, vt = torch.linalg.svd(sample - self.mean, full_matrices=False)
        self.basis = vt[:SEARCH_DIMS].T.contiguous()
        self.patches = patches.contiguous()
        codes = self.encode(patches)
        self.norms = (codes ** 2).sum(1)
        # the codes as (dims, patches), laid out for the search's matrix product: a quarter faster
        # than multiplying by the transposed view
        self.codes_t = codes.T.contiguous()

    def encode(self, patches):
        """Patches as search codes: their principal components and, weighted by the level's
        colour weight, their mean colour, so that a match keeps the colour the prompt gave the draft."""
        import torch

        codes = (patches - self.mean) @ self.basis
        if not self.colour_weight:
            return codes
        colour = patches.reshape(len(patches), 3, -1).mean(-1) * self.patch * self.colour_weight
        return torch.cat([codes, colour], 1)

    def nearest(self, queries):
        """The index of each query patch's nearest patch of the designer's (by their search
        codes), a block of queries at a time to bound the memory the distances take."""
        import torch

        codes = self.encode(queries)
        # |q - c|^2 less |q|^2 (the same for every c): |c|^2 - 2 q.c in one fused multiply-add
        return torch.cat([torch.addmm(self.norms, block, self.codes_t, alpha=-2).min(1).indices
                          for block in codes.split(QUERY_BLOCK)])

    def refine(self, image, iterations: int = ITERATIONS):
        """(1, 3, size, size) image -> the same redrawn from this level's patches."""
        import torch
        from torch.nn.functional import fold, unfold

        side = image.shape[-1]
        for _ in range(iterations):
            queries = unfold(image, self.patch, stride=STRIDE)[0].T  # (positions, 3 * patch^2)
            matches = self.patches[self.nearest(queries)]
            distance = (queries - matches).norm(dim=1) + 1e-3
            weight = distance ** (ROBUST - 2)
            total = fold((matches * weight[:, None]).T[None], side, self.patch, stride=STRIDE)
            weights = fold(weight.expand(matches.shape[1], -1)[None], side, self.patch, stride=STRIDE)
            image = torch.where(weights > 0, total / weights.clamp_min(1e-9), image)
        return image


class Examples:
    """The designer's training drafts as the source of every patch a refined draft is made of,
    and the measure of how far a draft's patches lie from them (`misfit`)."""

    def __init__(self, drafts: np.ndarray, seed: int = 0):
        """`drafts`: (N, 64, 64, 3) in [0, 1], exactly as the generator was trained on them."""
        import torch

        self.drafts = np.asarray(drafts, dtype=np.float16).astype(np.float32)  # as saved
        images = _tensor(self.drafts)
        images = torch.cat([images, images.flip(-1)])
        self.levels = [_Level(images, *level, seed=seed) for level in LEVELS]

    def misfit(self, drafts: np.ndarray) -> np.ndarray:
        """(K, 64, 64, 3) drafts -> K scores: how far each draft's patches at the first level's
        size (32 px) lie from their nearest patches of the designer's, on average; low for a
        draft made of the designer's shapes, higher for one whose shapes are bent or broken."""
        import torch
        from torch.nn.functional import unfold

        level = self.levels[0]
        scores = []
        with torch.no_grad():
            for image in _shrink(_tensor(drafts), level.size):  # one draft at a time: its own search
                queries = unfold(image[None], level.patch, stride=STRIDE)[0].T
                scores.append(float((queries - level.patches[level.nearest(queries)]).norm(dim=1).mean()))
        return np.array(scores)

    def refine(self, drafts: np.ndarray) -> np.ndarray:
        """(N, 64, 64, 3) drafts in [0, 1] -> the same drafts redrawn from the designer's patches,
        coarse to fine: at each smaller size only the coarse part of the draft is replaced."""
        import torch
        from torch.nn.functional import interpolate

        out = []
        with torch.no_grad():
            for draft in _tensor(drafts):
                x = draft[None]
                for level in self.levels:
                    if level.size == x.shape[-1]:
                        x = level.refine(x)
                        continue
                    coarse = _shrink(x, level.size)
                    change = level.refine(coarse) - coarse
                    x = x + interpolate(change, size=x.shape[-2:], mode="bilinear", align_corners=False)
                out.append(x[0].clamp(0, 1).permute(1, 2, 0).numpy())
        return np.stack(out)
