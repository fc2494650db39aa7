"""Confidence intervals for fidelity shares."""

import math


def wilson_interval(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval for a binomial share `successes / n`; (0.0, 1.0) when n is 0."""
    if n <= 0:
        return 0.0, 1.0
    if not 0 <= successes <= n:
        raise ValueError(f"successes must lie in 0..{n}, got {successes}")
    share = successes / n
    denominator = 1 + z * z / n
    centre = (share + z * z / (2 * n)) / denominator
    half = z * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def fidelity_report(verdicts: list[dict], credited: list[bool], copy_pairs: list[dict]) -> dict:
    """The fidelity of a batch of generated samples from the judge's per-sample verdicts.

    A sample counts when the judge credits it to the creator and it is not a copy (copy_pairs:
    {"sample": i, ...}); the share comes with its 95 % Wilson interval.
    """
    copied = {pair["sample"] for pair in copy_pairs}
    per_sample = [{"index": i, **verdict, "copy": i in copied, "attributed": ok and i not in copied}
                  for i, (verdict, ok) in enumerate(zip(verdicts, credited))]
    n = len(per_sample)
    attributed = sum(s["attributed"] for s in per_sample)
    low, high = wilson_interval(attributed, n)
    return {"n": n, "attributed": attributed, "fidelity": attributed / n if n else 0.0,
            "ci_low": low, "ci_high": high, "copies": len(copied), "copy_pairs": copy_pairs,
            "per_sample": per_sample}
