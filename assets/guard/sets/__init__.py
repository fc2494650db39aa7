"""Calibration and test sets for the guard: requests buyers might send, per built-in category and
modality, that cross a boundary ("violating") or only sound as if they might ("near_miss": a vote
of thanks card, a campaign for a bakery, a killer deal on sneakers).

Each category module (political.py, adult.py, ...) writes templates with slots: deliverables
(`REQUESTS`, framed per modality as a copy brief, an image prompt or a chat message), pictures
(`IMAGES`, image prompts only) and spoken lines (`SCRIPTS`, voice only). Templates, slot values,
frames and extra brief fragments are dealt alternately to two splits, so the test split shares no
template, no slot value and no frame with the calibration split; neither shares anything with the
classifier's exemplars (assets/guard/exemplars/), which are written separately.

    from assets.guard.sets import build
    build("test", "text", "political", "violating", n=100)   # 100 distinct copy briefs

The calibration split can be dealt again the same way into two halves, "calibration/0" and
"calibration/1", that share nothing with each other: choosing thresholds on one and measuring on
the other tells whether they carry over to unseen templates without reading the test split
(`python -m engine.guard.calibrate --check-halves`).
"""

import importlib
import random
import string

CATEGORIES = ("adult", "political", "violence", "hate", "public_figures", "brands")
MODALITIES = ("text", "image", "voice", "assistant")
SPLITS = ("calibration", "test")
HALVES = ("calibration/0", "calibration/1")
KINDS = ("violating", "near_miss")

# How each modality turns a deliverable ("a flyer urging people to vote for X") into a request.
FRAMES = {
    "text": ["Write {req}.", "Could you write {req}? {extra}", "I need copy for {req}.",
             "{Req}, please. {extra}", "Brief: {req}. {extra}", "Can I get {req}?",
             "We'd love {req} from you. {extra}", "Draft {req} for us.",
             "Looking for {req}. {extra}", "Copy request: {req}."],
    "image": ["Design {req}.", "An image for {req}. {extra}", "Make {req}, flat vector style.",
              "{Req}, illustrated. {extra}", "Poster artwork: {req}.", "Draw {req}.",
              "I need artwork for {req}. {extra}", "Create a graphic: {req}.",
              "Illustration for {req}, bold colours.", "Visual for {req}. {extra}"],
    "picture": ["{img}.", "A poster showing {img}. {extra}", "Illustration of {img}.",
                "{Img}, flat vector style.", "Draw {img}. {extra}", "Digital painting: {img}.",
                "An image of {img}, warm palette.", "Render {img}. {extra}"],
    "voice": ["{script}", "Please read: {script}", "Script: \"{script}\"", "{script} {extra}",
              "Voice-over, warm tone. {script}", "Record this: {script}",
              "Read it like a radio ad. {script}", "Line to record: {script}"],
    "assistant": ["Hi! Do you make {req}?", "Hello, could you do {req}? What would it cost?",
                  "I'm after {req}. Is that something you take on?",
                  "Hey, quick question: would you do {req}? {extra}",
                  "Can your AI make {req} for me?", "Do you take orders for {req}?",
                  "Hi there, I need {req} by next week. Possible?",
                  "Would you be up for {req}? Budget is flexible.",
                  "Interested in {req}. How does it work?",
                  "Good morning! Can I order {req}? {extra}"],
}
# Fragments buyers add to a brief; half go to each split.
EXTRAS = ["Keep it short.", "About 60 words.", "Friendly tone.", "Deadline is Friday.",
          "It's for social media.", "Make it punchy.", "Tone: upbeat.", "We need it by Monday.",
          "Two versions would be great.", "Audience: people in their thirties.",
          "Nothing too long.", "Thanks in advance!", "Our colours are navy and gold.",
          "It goes out next week.", "Bold and confident, please.", "Around 30 seconds.",
          "Happy to pay for rush delivery.", "Please keep it simple.", "Use British spelling.",
          "For print and web."]


def _half(items: list, split: str) -> list:
    """The items dealt to `split`: even positions to calibration, odd to test; of calibration's,
    even positions again to "calibration/0", odd to "calibration/1"."""
    if split in HALVES:
        return _half(items, "calibration")[HALVES.index(split)::2]
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS + HALVES}, not {split!r}")
    return items[SPLITS.index(split)::2]


def category_module(category: str):
    """The module that writes one category's templates and slots."""
    if category not in CATEGORIES:
        raise ValueError(f"category must be one of {CATEGORIES}, not {category!r}")
    return importlib.import_module(f"assets.guard.sets.{category}")


def _fill(template: str, slots: dict, rng: random.Random) -> str:
    names = [name for _, name, _, _ in string.Formatter().parse(template) if name]
    values = {}
    for name in names:
        key = name.lower()
        value = rng.choice(slots[key])
        values[name] = value[:1].upper() + value[1:] if name[0].isupper() else value
    return template.format(**values)


def _sources(module, modality: str, kind: str) -> list[tuple[str, str]]:
    """(frame kind, template) pairs this modality draws from."""
    if modality == "voice":
        return [("voice", t) for t in module.SCRIPTS[kind]]
    pairs = [(modality, t) for t in module.REQUESTS[kind]]
    if modality == "image":
        pairs += [("picture", t) for t in module.IMAGES[kind]]
    return pairs


def build(split: str, modality: str, category: str, kind: str, n: int = 100, seed: int = 0) -> list[str]:
    """`n` distinct requests of one split, modality, category and kind (violating or near_miss),
    in a fixed order for a given seed. Raises ValueError when the templates cannot make `n`."""
    return [text for text, _ in build_with_templates(split, modality, category, kind, n, seed)]


def build_with_templates(split: str, modality: str, category: str, kind: str, n: int = 100,
                         seed: int = 0, strict: bool = True) -> list[tuple[str, str]]:
    """Like `build`, with each request's template; `strict=False` returns as many as the
    templates make, up to `n`, instead of raising (the calibration halves are small)."""
    if modality not in MODALITIES or kind not in KINDS:
        raise ValueError(f"modality must be one of {MODALITIES} and kind one of {KINDS}")
    module = category_module(category)
    slots = {name: _half(values, split) for name, values in module.SLOTS.items()}
    slots["extra"] = _half(EXTRAS, split)
    sources = _half(_sources(module, modality, kind), split)
    frames = {name: _half(frames, split) for name, frames in FRAMES.items()}
    rng = random.Random(f"{seed}:{split}:{modality}:{category}:{kind}")
    found: dict[str, str] = {}
    for attempt in range(n * 60):
        frame_kind, template = sources[attempt % len(sources)]
        body = _fill(template, slots, rng)
        frame = rng.choice(frames[frame_kind])
        text = frame.format(req=body, Req=body[:1].upper() + body[1:], img=body,
                            Img=body[:1].upper() + body[1:], script=body,
                            extra=rng.choice(slots["extra"]))
        found.setdefault(" ".join(text.split()), template)
        if len(found) >= n:
            return list(found.items())
    if not strict:
        return list(found.items())
    raise ValueError(f"only {len(found)} distinct {kind} {category} requests for {modality} in the "
                     f"{split} split; add templates or slot values to assets/guard/sets/{category}.py")


def build_all(split: str, n: int = 100, seed: int = 0) -> dict:
    """{modality: {category: {kind: [requests]}}} for one split."""
    return {m: {c: {k: build(split, m, c, k, n, seed) for k in KINDS} for c in CATEGORIES}
            for m in MODALITIES}
