"""The demo marketplace, generated offline on first launch: creators with portfolios, gigs, trigger
topics, boundaries and past buyer conversations, a buyer with a funded wallet, and an admin.

Everything is drawn, spoken (espeak-ng) or written by code in this package; nothing is downloaded.
Files go through the same validation and storage path as a creator's own uploads.
"""

import re
import tempfile
from pathlib import Path

import soundfile

from assets import conversations as conversation_text
from assets import copy_samples, portfolios, voices
from engine import portfolio as portfolio_files
from storage import audit, boundaries, conversations, creators, ledger, topics, users

DEMO_PASSWORD = "signature-demo"
BUYER_START_CENTS = 20_000
HOLD_OUT_EVERY = 5  # every fifth portfolio item is held out for judging fidelity
# Design portfolios cycle through five layouts, so every fifth piece would be one layout only:
# every sixth is held out instead, which holds out every layout.
HOLD_OUT_EVERY_IMAGE = 6


def is_held_out(modality: str, index: int) -> bool:
    """Whether the demo portfolio's item `index` is held out for judging fidelity."""
    every = HOLD_OUT_EVERY_IMAGE if modality == "image" else HOLD_OUT_EVERY
    return index % every == every - 1


def _package(tier, name, dollars, days, revisions, description):
    return {"tier": tier, "name": name, "price_cents": dollars * 100, "delivery_days": days,
            "revisions": revisions, "description": description}


CREATORS = [
    {"username": "mara", "display_name": "Mara Lind", "modality": "image", "style": "bauhaus",
     "count": 36, "tone": "friendly",
     "headline": "Bauhaus-inspired posters and brand graphics in flat, bold colour",
     "bio": "Berlin-based graphic designer. Circles, stripes and a strict palette of mustard, teal, "
            "coral and navy on warm cream. Posters, covers and brand marks.",
     "topic": ("Print production", ["can you handle the printing too", "do you send files to the printer"],
               ["printing", "print run"]),
     "gigs": [("Geometric poster design", "A print-ready poster in my flat geometric style.",
               [_package("basic", "One concept", 45, 3, 1, "One poster concept, A3 PDF and PNG"),
                _package("standard", "Two concepts", 90, 5, 2, "Two concepts, print-ready files"),
                _package("premium", "Poster series", 220, 10, 4, "A series of three posters")]),
              ("Album or book cover", "A cover in bold shapes and colour.",
               [_package("basic", "Cover", 70, 4, 1, "Front cover, 3000 px square"),
                _package("premium", "Cover + spine", 150, 7, 3, "Front, back and spine")])]},
    {"username": "theo", "display_name": "Theo Ash", "modality": "image", "style": "neon",
     "count": 32, "tone": "laid-back",
     "headline": "Neon line art and synthwave graphics for music and events",
     "bio": "Glowing lines on midnight backgrounds: waves, rings, grids and horizons for flyers, "
            "covers and stream overlays.",
     "topic": ("Animated versions", ["can you animate it", "I need a looping video"], ["animation", "gif"]),
     "gigs": [("Neon flyer or cover", "Event flyers and covers in glowing line art.",
               [_package("basic", "Single design", 40, 2, 1, "One design, PNG"),
                _package("standard", "Design + variants", 85, 4, 2, "Three colour variants"),
                _package("premium", "Full pack", 180, 7, 3, "Flyer, cover and social sizes")]),
              ("Stream overlay pack", "Overlays and panels for streamers.",
               [_package("basic", "Overlay", 60, 3, 1, "One overlay, 1920x1080"),
                _package("standard", "Overlay pack", 120, 6, 2, "Overlay, panels and alerts")])]},
    {"username": "ravi", "display_name": "Ravi Mensah", "modality": "voice", "voice": "warm_baritone",
     "count": 14, "tone": "warm",
     "headline": "Warm baritone voice-overs for ads, explainers and phone menus",
     "bio": "Calm, trustworthy American baritone. Radio and online ads, e-learning, IVR prompts.",
     "topic": ("Live sessions", ["can you join a live directed session", "can we do it on zoom"],
               ["live session", "directed"]),
     "gigs": [("Commercial voice-over", "Your ad script read in a warm baritone.",
               [_package("basic", "Up to 50 words", 35, 2, 1, "WAV, one take"),
                _package("standard", "Up to 150 words", 75, 3, 2, "WAV, two takes, music-free"),
                _package("premium", "Up to 400 words", 160, 5, 3, "Broadcast rights, three takes")]),
              ("Phone menu (IVR) prompts", "Clear, friendly prompts for phone systems.",
               [_package("basic", "10 prompts", 50, 3, 1, "Up to 10 short prompts"),
                _package("standard", "30 prompts", 120, 5, 2, "Up to 30 prompts, 8 kHz versions")])]},
    {"username": "ines", "display_name": "Inès Laurent", "modality": "voice", "voice": "bright_alto",
     "count": 12, "tone": "upbeat",
     "headline": "Bright British alto for brands, apps and audio guides",
     "bio": "Energetic, clear British voice. App walkthroughs, brand films and museum audio guides.",
     "topic": ("Other languages", ["can you read it in french", "do you do accents"], ["french", "accent"]),
     "gigs": [("Brand and app voice-over", "Upbeat reads for brand films and apps.",
               [_package("basic", "Up to 60 words", 40, 2, 1, "WAV, one take"),
                _package("standard", "Up to 200 words", 90, 4, 2, "WAV, two takes"),
                _package("premium", "Up to 500 words", 190, 6, 3, "Full usage rights")]),
              ("Audio guide narration", "Narration for tours and guides.",
               [_package("basic", "5 minutes", 80, 4, 1, "Up to 5 finished minutes"),
                _package("premium", "20 minutes", 260, 10, 2, "Up to 20 finished minutes")])]},
    {"username": "juniper", "display_name": "Juniper Vale", "modality": "text", "writer": "playful",
     "count": 40, "tone": "playful",
     "headline": "Playful direct-to-consumer copy that sounds like a friend",
     "bio": "Product pages, launch emails and social captions with a wink. Short sentences, big "
            "feelings, zero jargon.",
     "topic": ("Naming projects", ["can you name my brand", "I need a product name"], ["naming", "brand name"]),
     "gigs": [("Product description pack", "Product pages that make people smile and buy.",
               [_package("basic", "3 products", 30, 2, 1, "Up to 3 descriptions, 120 words each"),
                _package("standard", "10 products", 85, 4, 2, "Up to 10 descriptions"),
                _package("premium", "25 products", 190, 7, 3, "Up to 25 descriptions + taglines")]),
              ("Launch email sequence", "Emails that get opened.",
               [_package("basic", "One email", 45, 2, 1, "One launch email"),
                _package("standard", "Three emails", 120, 5, 2, "A three-email sequence")])]},
    {"username": "harold", "display_name": "Harold Finch", "modality": "text", "writer": "formal",
     "count": 40, "tone": "formal",
     "headline": "Measured B2B copy for software and professional services",
     "bio": "White papers, landing pages and case studies for organisations that value clarity, "
            "evidence and a steady voice.",
     "topic": ("Regulated claims", ["can you write about medical outcomes", "we need compliance wording"],
               ["compliance", "regulated"]),
     "gigs": [("B2B landing page", "A landing page built on outcomes and evidence.",
               [_package("basic", "Hero + 3 sections", 120, 4, 1, "Up to 400 words"),
                _package("standard", "Full page", 240, 6, 2, "Up to 900 words"),
                _package("premium", "Page + variants", 420, 9, 3, "Full page and two A/B variants")]),
              ("Case study", "A customer story with measurable results.",
               [_package("basic", "Short case study", 150, 5, 1, "Up to 600 words"),
                _package("premium", "Long case study", 320, 9, 2, "Up to 1,500 words, interview notes")])]},
]

# Each demo creator's boundaries: built-in categories switched on, one topic of their own (its
# requests and near misses are written in assets/guard/sets/topics.py) and a banned word.
BOUNDARIES = {
    "mara": (["adult", "political", "violence"],
             [{"name": "Tobacco and vaping", "phrases": ["cigarette ads", "vape flavours", "cigars and smoking"]}],
             ["casino"]),
    "theo": (["adult", "hate", "brands"],
             [{"name": "Alcohol promotion", "phrases": ["beer and spirits ads", "cocktail happy hour promos",
                                                        "liquor brand posters"]}],
             ["tequila"]),
    "ravi": (["political", "public_figures", "adult"],
             [{"name": "Gambling", "phrases": ["betting odds", "casino bonuses", "sports betting promos"]}],
             ["jackpot"]),
    "ines": (["adult", "violence", "hate"],
             [{"name": "Crypto investment", "phrases": ["crypto token sales", "bitcoin trading signals",
                                                        "get-rich-quick coins"]}],
             ["nft"]),
    "juniper": (["political", "adult", "hate"],
                [{"name": "Diet pills and weight-loss claims", "phrases": ["lose ten pounds in a week",
                                                                           "fat-burning pills", "miracle diet tea"]}],
                ["detox"]),
    "harold": (["political", "brands", "public_figures", "violence"],
               [{"name": "Payday loans", "phrases": ["quick cash loans", "borrow until payday",
                                                     "no credit check loans"]}],
               ["guaranteed returns"]),
}

BUYER = {"username": "buyer", "display_name": "Bea Buyer"}
ADMIN = {"username": "admin", "display_name": "Ada Admin"}


def is_seeded(db) -> bool:
    """True once the demo marketplace exists in this database."""
    return users.find_user(db, ADMIN["username"]) is not None


def ensure_demo(engine, log=print) -> bool:
    """Generate the demo marketplace unless it exists. Returns True when it was generated now."""
    db, settings = engine.db, engine.settings
    if is_seeded(db):
        return False
    if not voices.espeak_available():
        raise RuntimeError("Demo voices need espeak-ng: run `apt-get install -y espeak-ng` "
                           "(the setup script does this), or set SIGNATURE_DEMO_DATA=false.")
    log("Generating the demo marketplace (first launch only)…")
    with tempfile.TemporaryDirectory() as scratch, db.atomic():
        for number, spec in enumerate(CREATORS):
            log(f"  {spec['display_name']}: {spec['count']} {spec['modality']} portfolio pieces")
            seller = _account(db, spec["username"], spec["display_name"], "seller")
            creators.save_profile(db, seller["id"], spec["modality"], spec["headline"], spec["bio"],
                                  spec["tone"])
            for title, description, packages in spec["gigs"]:
                creators.create_gig(db, seller["id"], title, description, packages)
            topics.add_builtin_topics(db, seller["id"])
            topics.add_topic(db, seller["id"], *spec["topic"])
            boundaries.save(db, seller["id"], *BOUNDARIES[spec["username"]])
            for index, work in enumerate(_portfolio(spec, seed=number)):
                path = Path(scratch) / work["filename"]
                work["write"](path)
                portfolio_files.store_item(
                    db, settings, seller["id"], spec["modality"], path, work["filename"],
                    title=work["title"], caption=work["caption"], brief=work.get("brief", ""),
                    held_out=is_held_out(spec["modality"], index))
            _past_conversations(db, seller, spec, seed=number)
        buyer = _account(db, BUYER["username"], BUYER["display_name"], "buyer")
        ledger.post(db, "top_up", [(ledger.CASH, BUYER_START_CENTS),
                                   (ledger.wallet_account(buyer["id"]), -BUYER_START_CENTS)],
                    "demo:buyer-start", memo="demo buyer's starting balance")
        _account(db, ADMIN["username"], ADMIN["display_name"], "admin")
        audit.record(db, None, "demo.seed", "marketplace", creators=len(CREATORS))
    log("Demo marketplace ready.")
    return True


def _account(db, username, display_name, role, password=DEMO_PASSWORD) -> dict:
    user = users.create_user(db, username, password, role, display_name)
    ledger.ensure_user_accounts(db, user)
    return user


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "item"


def _portfolio(spec: dict, seed: int) -> list[dict]:
    """The creator's generated work as {filename, title, caption, write(path)} records."""
    works = []
    if spec["modality"] == "image":
        for i, item in enumerate(portfolios.render_portfolio(spec["style"], spec["count"], seed=seed)):
            works.append({"filename": f"{i:02d}-{_slug(item['title'])}.png", "title": item["title"],
                          "caption": item["caption"],
                          "write": lambda path, image=item["image"]: image.save(path, "PNG")})
    elif spec["modality"] == "voice":
        for i, clip in enumerate(voices.render_clips(spec["voice"], spec["count"], seed=seed)):
            works.append({"filename": f"{i:02d}-{_slug(clip['title'])}.wav", "title": clip["title"],
                          "caption": clip["transcript"],
                          "write": lambda path, c=clip: soundfile.write(path, c["audio"], c["sample_rate"])})
    else:
        for i, sample in enumerate(copy_samples.write_samples(spec["writer"], spec["count"], seed=seed)):
            works.append({"filename": f"{i:02d}-{_slug(sample['title'])}.txt", "title": sample["title"],
                          "caption": "", "brief": sample["brief"],
                          "write": lambda path, s=sample: path.write_text(s["text"], encoding="utf-8")})
    return works


def _past_conversations(db, seller: dict, spec: dict, seed: int, count: int = 24) -> None:
    gigs = creators.gigs_for(db, seller["id"])
    creator = {"display_name": spec["display_name"], "modality": spec["modality"],
               "headline": spec["headline"], "tone": spec["tone"]}
    for chat in conversation_text.past_conversations(creator, gigs, count, seed=seed):
        username = "client-" + _slug(chat["buyer_name"])
        buyer = users.find_user(db, username) or _account(
            db, username, chat["buyer_name"], "buyer", password=None)
        conversation_id = conversations.start(db, seller["id"], buyer["id"], chat["subject"],
                                              chat["outcome"])
        for message in chat["messages"]:
            conversations.add_message(db, conversation_id, message["sender"], message["body"])
