"""Synthetic past conversations between buyers and a creator, grounded in the creator's gigs.

Every number a seller quotes (price, delivery days, revisions) comes from the gig packages;
buyers never quote numbers at all.
"""

import random
import re

TIER_ORDER = ("basic", "standard", "premium")

FIRST_NAMES = (
    "Priya", "Tom", "Aisha", "Marco", "Chloe", "Daniel", "Fatima", "Lukas", "Hannah", "Kenji",
    "Sofia", "Oliver", "Amara", "Ben", "Isabel", "Ravi", "Grace", "Mateo", "Nadia", "Sam",
    "Elena", "Jamal", "Freya", "Diego", "Leah", "Owen", "Mei", "Tariq", "Zoe", "Felix",
    "Ingrid", "Kwame", "Rosa", "Hugo", "Yasmin", "Patrick",
)
LAST_INITIALS = "ABCDEFGHJKLMNOPRSTVW"

PROJECTS = {
    "image": (
        {"keys": ("logo", "brand", "branding"), "ask": "a logo for my {what}",
         "what": ("small bakery", "yoga studio", "podcast", "coffee cart", "dog-walking business",
                  "bookshop", "plant nursery")},
        {"keys": ("poster", "flyer", "print"), "ask": "a poster for our {what}",
         "what": ("jazz night", "community film festival", "farmers' market", "charity fun run",
                  "theatre production")},
        {"keys": ("illustration", "illustrate", "illustrations", "cover", "character", "art"),
         "ask": "an illustration for {what}",
         "what": ("my children's book cover", "our blog header", "a wedding invitation",
                  "an album cover", "our café menu")},
    ),
    "voice": (
        {"keys": ("ad", "ads", "commercial", "radio", "advert"), "ask": "a radio ad read for our {what}",
         "what": ("furniture sale", "new gym", "family restaurant", "local car dealership",
                  "summer festival")},
        {"keys": ("ivr", "phone", "voicemail", "hold", "telephone"),
         "ask": "IVR phone menu prompts for our {what}",
         "what": ("dental clinic", "law firm", "hotel reception", "veterinary practice",
                  "IT helpdesk")},
        {"keys": ("audiobook", "narration", "narrate", "narrator", "book", "story"),
         "ask": "audiobook narration for my {what}",
         "what": ("fantasy novel", "memoir", "self-help book", "cosy mystery novel",
                  "children's picture book")},
        {"keys": ("explainer", "video", "e-learning", "elearning", "youtube"),
         "ask": "a voice-over for our {what}",
         "what": ("product explainer video", "onboarding e-learning module", "app launch video")},
    ),
    "text": (
        {"keys": ("landing", "website", "web", "homepage"), "ask": "landing page copy for my {what}",
         "what": ("budgeting app", "online yoga course", "bookkeeping service",
                  "handmade candle shop", "language school")},
        {"keys": ("product", "products", "description", "descriptions", "ecommerce", "shop"),
         "ask": "product descriptions for my {what}",
         "what": ("candle shop", "skincare line", "ceramics store", "outdoor gear shop",
                  "tea brand")},
        {"keys": ("email", "emails", "newsletter", "sequence"),
         "ask": "a welcome email sequence for {what}",
         "what": ("my online store", "our software trial users", "my coaching newsletter",
                  "our bakery's loyalty club")},
    ),
}

MODALITY = {
    "image": {
        "formats": "vector files (AI, SVG and EPS) plus high-resolution PNG and PDF exports",
        "needs": "your business name, any colours you love or hate, and reference images of "
                 "styles you like",
        "attach": ("I've attached a moodboard and our current brand colours.",
                   "Here are some reference images and our old logo for context."),
        "usage": ("website, packaging and merchandise", "print materials and social media"),
        "scope": ("I'd also need matching business cards and social media graphics.",
                  "We'd want a whole series in the same style, not just one piece."),
        "simple": ("It's just for our website and social profiles for now.",),
        "big": ("It needs to hold up everywhere, from shop signage to merch.",),
    },
    "voice": {
        "formats": "edited, broadcast-ready WAV and MP3 files",
        "needs": "the final script, pronunciation notes for any names or brand terms, and a "
                 "reference read you like",
        "attach": ("Script attached, plus a link to a read we like.",
                   "I've attached the script with pronunciation notes for the tricky names."),
        "usage": ("radio spots, online ads and phone system", "broadcast and streaming campaigns"),
        "scope": ("The full project is much longer than what your packages describe.",
                  "We'd need several versions in different styles for testing."),
        "simple": ("It's a short, straightforward script for internal use.",),
        "big": ("It's going on national radio, so it has to be polished.",),
    },
    "text": {
        "formats": "a Google Doc plus a plain-text version ready to paste into your site",
        "needs": "who your audience is, your key messages, the tone you're after and any copy "
                 "you admire",
        "attach": ("I've attached our brand guidelines and a competitor page we like.",
                   "Here's our product sheet and a rough outline of what we want to say."),
        "usage": ("website, ads and emails", "online store and marketplace listings"),
        "scope": ("We'd need copy for the whole site, not just one page.",
                  "We also want ad variations and social captions to go with it."),
        "simple": ("It's a small launch, nothing fancy.",),
        "big": ("It's for our main product launch, so it really has to convert.",),
    },
}

REGISTERS = {
    "friendly": {
        "greet": ("Hi {buyer}!", "Hey {buyer},", "Hello {buyer}!"),
        "intro": ("{seller} here — thanks so much for getting in touch.",
                  "Thanks for the message, this sounds like a fun one!",
                  "Lovely to hear from you."),
        "sign": ("Cheers, {seller}", "Talk soon! {seller}", "— {seller}"),
        "custom": "I'll put together a custom offer and send it over here so you can check it.",
        "thanks": ("Order received, thank you! I'll get started and keep you posted.",
                   "Yay, thank you! I'm on it and will share progress as I go."),
        "decline": ("No worries at all — my inbox is always open if plans change.",
                    "Totally understand! Feel free to ping me whenever you're ready."),
        "recommend": "I'd go for the {pkg}",
        "yes": "Absolutely!",
    },
    "formal": {
        "greet": ("Hello {buyer},", "Dear {buyer},", "Good day {buyer},"),
        "intro": ("Thank you for your enquiry.",
                  "Thank you for getting in touch regarding your project.",
                  "Thank you for your message and for considering my services."),
        "sign": ("Kind regards,\n{seller}", "Best regards,\n{seller}", "Sincerely,\n{seller}"),
        "custom": "I will prepare a custom offer and send it to you here for your review.",
        "thanks": ("Thank you for your order. I will begin work and keep you updated on progress.",
                   "Thank you, your order has been received. I will be in touch with updates."),
        "decline": ("Understood. Please do not hesitate to contact me should your plans change.",
                    "Thank you for letting me know. I would be glad to help in future."),
        "recommend": "I would recommend the {pkg}",
        "yes": "Certainly.",
    },
}

CONTRACTIONS = {"I'll": "I will", "I'd": "I would", "I'm": "I am", "You'll": "You will",
                "you'll": "you will", "you're": "you are", "that's": "that is",
                "That's": "That is", "it's": "it is", "It's": "It is"}
FORMAL_TONES = ("formal", "professional", "corporate", "business", "polished", "serious")
TOPICS = ("package", "price", "delivery", "revisions", "formats", "rush", "custom", "brief",
          "rights", "followup")
SIDE_TOPICS = ("delivery", "revisions", "formats", "brief", "rights")


def past_conversations(creator: dict, gigs: list[dict], count: int, seed: int = 0) -> list[dict]:
    """Return `count` conversations {"buyer_name": str, "subject": str, "messages": [{"sender": "buyer"|"seller", "body": str}], "outcome": "ordered"|"no_order"|"open"}"""
    if creator.get("modality") not in MODALITY:
        raise ValueError(f"modality must be one of {tuple(MODALITY)}, not {creator.get('modality')!r}")
    usable = [g for g in gigs if g.get("packages")]
    if not usable:
        raise ValueError("past_conversations needs at least one gig with packages")
    rng = random.Random(f"{creator.get('display_name', '')}:{creator['modality']}:{seed}")
    return [_conversation(creator, rng.choice(usable), rng) for _ in range(count)]


def money(cents: int) -> str:
    """Format cents as dollars: 4500 -> "$45", 4550 -> "$45.50", 120000 -> "$1,200"."""
    return f"${cents // 100:,}" if cents % 100 == 0 else f"${cents / 100:,.2f}"


def _conversation(creator: dict, gig: dict, rng: random.Random) -> dict:
    modality = creator["modality"]
    register = "formal" if str(creator.get("tone", "")).lower() in FORMAL_TONES else "friendly"
    buyer_first = rng.choice(FIRST_NAMES)
    project = _project(modality, gig["title"], rng)
    ctx = {
        "rng": rng, "reg": REGISTERS[register], "mod": MODALITY[modality],
        "seller": (creator.get("display_name") or "").split(" ")[0] or "the seller",
        "buyer": buyer_first, "project": project, "gig": gig,
        "packages": sorted(gig["packages"], key=lambda p: (TIER_ORDER.index(p["tier"])
                                                           if p["tier"] in TIER_ORDER else 9,
                                                           p["price_cents"])),
    }
    topic = rng.choice(TOPICS)
    subject, exchange, chosen = _TOPIC_FLOWS[topic](ctx)
    messages = list(exchange)
    room = (8 - len(exchange) - 2) // 2
    sides = [t for t in SIDE_TOPICS if t != topic]
    for side in rng.sample(sides, min(room, rng.choice((0, 0, 1, 1, 2)))):
        messages += _side_exchange(side, ctx)
    outcome = rng.choices(("ordered", "no_order", "open"), weights=(5, 2, 3))[0]
    messages += _ending(outcome, topic, chosen, ctx)
    messages = _dress_seller(messages, ctx)
    return {"buyer_name": f"{buyer_first} {rng.choice(LAST_INITIALS)}.", "subject": subject,
            "messages": [{"sender": s, "body": b} for s, b in messages], "outcome": outcome}


def _project(modality: str, gig_title: str, rng: random.Random) -> str:
    words = set(re.findall(r"[a-z-]+", gig_title.lower()))
    options = PROJECTS[modality]
    matching = [p for p in options if words & set(p["keys"])] or list(options)
    project = rng.choice(matching)
    return project["ask"].format(what=rng.choice(project["what"]))


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _revisions(n: int) -> str:
    return "no revisions" if n == 0 else ("1 revision" if n == 1 else f"{n} revisions")


def _pkg_name(p: dict) -> str:
    return f"{p['tier'].capitalize()} package ({p['name']})"


def _pkg_line(p: dict) -> str:
    return (f"{p['tier'].capitalize()} ({p['name']}): {money(p['price_cents'])}, "
            f"delivered in {_days(p['delivery_days'])}, {_revisions(p['revisions'])}")


def _listing(packages: list[dict]) -> str:
    return "\n".join(f"- {_pkg_line(p)}" for p in packages)


def _opening(ctx: dict) -> str:
    rng, project, seller = ctx["rng"], ctx["project"], ctx["seller"]
    return rng.choice((
        f"Hi {seller}! I need {project}.",
        f"Hello, I'm looking for someone to create {project}.",
        f"Hi there, I came across your gig \"{ctx['gig']['title']}\" and I need {project}.",
        f"Hey {seller}, quick one: I'm after {project}.",
    ))


def _flow_package(ctx: dict) -> tuple:
    rng, mod, packages = ctx["rng"], ctx["mod"], ctx["packages"]
    size = rng.choice(("simple", "big", "middle"))
    detail = "" if size == "middle" else " " + rng.choice(mod[size])
    question = rng.choice(("Which package would you recommend?",
                           "I'm not sure which package fits, can you advise?"))
    pick = {"simple": packages[0], "big": packages[-1]}.get(size, packages[len(packages) // 2])
    answer = (f"{ctx['reg']['recommend'].format(pkg=_pkg_name(pick))}: "
              f"{money(pick['price_cents'])}, delivered in {_days(pick['delivery_days'])} with "
              f"{_revisions(pick['revisions'])}.")
    if pick.get("description"):
        answer += f" It includes: {pick['description']}"
    return (_subject(ctx, ("{P}", "Which package for {p}?")),
            [("buyer", f"{_opening(ctx)}{detail} {question}"), ("seller", answer)], pick)


def _flow_price(ctx: dict) -> tuple:
    rng = ctx["rng"]
    question = rng.choice(("What would this cost?", "How much do you charge for something like this?",
                           "Can you give me an idea of pricing?"))
    answer = f"Here are my packages for this:\n{_listing(ctx['packages'])}"
    return (_subject(ctx, ("Pricing for {p}", "Price question: {p}")),
            [("buyer", f"{_opening(ctx)} {question}"), ("seller", answer)], None)


def _flow_delivery(ctx: dict) -> tuple:
    rng = ctx["rng"]
    deadline = rng.choice(("the end of next week", "our launch", "the weekend",
                           "the end of the month"))
    question = f"How quickly can you deliver? We're hoping to have it by {deadline}."
    return (_subject(ctx, ("Timeline for {p}", "Delivery time question")),
            [("buyer", f"{_opening(ctx)} {question}"), ("seller", _delivery_answer(ctx))], None)


def _delivery_answer(ctx: dict) -> str:
    parts = [f"{p['tier'].capitalize()} in {_days(p['delivery_days'])}" for p in ctx["packages"]]
    joined = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + f" and {parts[-1]}"
    return (f"Delivery depends on the package: {joined}. If your date is tighter than that, "
            f"let me know and I'll see what I can do with a custom offer.")


def _flow_revisions(ctx: dict) -> tuple:
    question = ctx["rng"].choice(("How many revisions are included? I can be a bit picky.",
                                  "What happens if I want changes after the first draft?"))
    return (_subject(ctx, ("Revisions for {p}", "Question about revisions")),
            [("buyer", f"{_opening(ctx)} {question}"), ("seller", _revisions_answer(ctx))], None)


def _revisions_answer(ctx: dict) -> str:
    parts = [f"{p['tier'].capitalize()} comes with {_revisions(p['revisions'])}"
             for p in ctx["packages"]]
    return "; ".join(parts) + ". I'll always check the brief with you first, so we start on the right foot."


def _flow_formats(ctx: dict) -> tuple:
    question = ctx["rng"].choice(("What files will I receive at the end?",
                                  "Which file formats do you deliver?"))
    return (_subject(ctx, ("File formats for {p}", "Deliverables question")),
            [("buyer", f"{_opening(ctx)} {question}"), ("seller", _formats_answer(ctx))], None)


def _formats_answer(ctx: dict) -> str:
    top = ctx["packages"][-1]
    answer = f"You'll receive {ctx['mod']['formats']}."
    if top.get("description"):
        answer += f" The {_pkg_name(top)} covers the most: {top['description']}"
    return answer


def _flow_rush(ctx: dict) -> tuple:
    rng, packages = ctx["rng"], ctx["packages"]
    urgency = rng.choice(("as soon as possible", "before our launch", "by the end of this week",
                          "urgently"))
    fastest = min(packages, key=lambda p: (p["delivery_days"], p["price_cents"]))
    answer = (f"The quickest option is the {_pkg_name(fastest)} at {money(fastest['price_cents'])}, "
              f"delivered in {_days(fastest['delivery_days'])}. If you need it sooner than that, "
              f"just say so. {ctx['reg']['custom']}")
    return (_subject(ctx, ("Rush order: {p}", "Urgent: {p}")),
            [("buyer", f"{_opening(ctx)} Is a rush order possible? We need it {urgency}."),
             ("seller", answer)], fastest)


def _flow_custom(ctx: dict) -> tuple:
    rng, top = ctx["rng"], ctx["packages"][-1]
    scope = rng.choice(ctx["mod"]["scope"])
    answer = (f"That goes beyond my standard packages. {ctx['reg']['custom']} For reference, "
              f"the {_pkg_name(top)} is "
              f"{money(top['price_cents'])} with delivery in {_days(top['delivery_days'])}.")
    return (_subject(ctx, ("Custom quote for {p}", "Bigger project: {p}")),
            [("buyer", f"{_opening(ctx)} {scope} Could you quote for that?"), ("seller", answer)],
            "custom")


def _flow_brief(ctx: dict) -> tuple:
    answer = f"To get started I'll need {ctx['mod']['needs']}."
    return (_subject(ctx, ("Getting started on {p}", "Brief for {p}")),
            [("buyer", f"{_opening(ctx)} What do you need from me to get started?"),
             ("seller", answer), ("buyer", ctx["rng"].choice(ctx["mod"]["attach"]))], None)


def _flow_rights(ctx: dict) -> tuple:
    usage = ctx["rng"].choice(ctx["mod"]["usage"])
    return (_subject(ctx, ("Usage rights for {p}", "Commercial use question")),
            [("buyer", f"{_opening(ctx)} Can we use the result for our {usage}?"),
             ("seller", _rights_answer(ctx, usage))], None)


def _rights_answer(ctx: dict, usage: str) -> str:
    return (f"{ctx['reg']['yes']} Commercial use for your {usage} is fine once the order is complete. "
            f"If you need exclusive or extended rights, let me know. {ctx['reg']['custom']}")


def _flow_followup(ctx: dict) -> tuple:
    rng, pick = ctx["rng"], ctx["rng"].choice(ctx["packages"])
    buyer = rng.choice((
        f"Hi {ctx['seller']}, we worked together before and loved the result! This time I need "
        f"{ctx['project']}. Is the {pick['tier'].capitalize()} package still available?",
        f"Just following up on my earlier message about {ctx['project']}. Could you confirm "
        f"the details of the {pick['tier'].capitalize()} package?",
    ))
    answer = (f"Yes, the {_pkg_name(pick)} is {money(pick['price_cents'])}, delivered in "
              f"{_days(pick['delivery_days'])} with {_revisions(pick['revisions'])}.")
    return _subject(ctx, ("Follow-up: {p}", "Back again: {p}")), [("buyer", buyer), ("seller", answer)], pick


_TOPIC_FLOWS = {"package": _flow_package, "price": _flow_price, "delivery": _flow_delivery,
                "revisions": _flow_revisions, "formats": _flow_formats, "rush": _flow_rush,
                "custom": _flow_custom, "brief": _flow_brief, "rights": _flow_rights,
                "followup": _flow_followup}


def _subject(ctx: dict, patterns: tuple) -> str:
    project = ctx["project"]
    pattern = ctx["rng"].choice(patterns)
    bare = re.sub(r"^(a|an) ", "", project)
    return pattern.format(P=bare[:1].upper() + bare[1:], p=project)


def _side_exchange(topic: str, ctx: dict) -> list[tuple]:
    rng = ctx["rng"]
    if topic == "delivery":
        return [("buyer", "Also, how long does delivery take?"), ("seller", _delivery_answer(ctx))]
    if topic == "revisions":
        return [("buyer", "And how many rounds of changes do I get?"),
                ("seller", _revisions_answer(ctx))]
    if topic == "formats":
        return [("buyer", "What will the final files look like?"), ("seller", _formats_answer(ctx))]
    if topic == "brief":
        return [("buyer", "What should I send you before you start?"),
                ("seller", f"Ideally {ctx['mod']['needs']}.")]
    usage = rng.choice(ctx["mod"]["usage"])
    return [("buyer", f"One more thing: can we use it for our {usage}?"),
            ("seller", _rights_answer(ctx, usage))]


def _ending(outcome: str, topic: str, chosen, ctx: dict) -> list[tuple]:
    rng, reg = ctx["rng"], ctx["reg"]
    if outcome == "ordered":
        if chosen == "custom":
            buyer = rng.choice(("Got the custom offer, looks good. Accepted!",
                                "Thanks, I've just accepted your custom offer."))
        else:
            pkg = chosen or rng.choice(ctx["packages"])
            buyer = rng.choice((f"Perfect, I'll go with the {pkg['tier'].capitalize()} package. "
                                "Placing the order now.",
                                f"Great, just ordered the {pkg['tier'].capitalize()} package!"))
        return [("buyer", buyer)] + ([("seller", rng.choice(reg["thanks"]))] if rng.random() < 0.7 else [])
    if outcome == "no_order":
        buyer = rng.choice(("Thanks, that's a bit above our budget right now. Maybe later!",
                            "We've decided to go another direction, but thank you for the quick reply.",
                            "Thanks for the info. We'll hold off for now."))
        return [("buyer", buyer)] + ([("seller", rng.choice(reg["decline"]))] if rng.random() < 0.6 else [])
    if rng.random() < 0.5:
        return [("buyer", rng.choice(("Let me check with my team and get back to you.",
                                      "Thanks! I'll think it over and let you know.",
                                      "Good to know, I'll send the details over soon.")))]
    return []


def _dress_seller(messages: list[tuple], ctx: dict) -> list[tuple]:
    rng, reg = ctx["rng"], ctx["reg"]
    dressed, first = [], True
    for sender, body in messages:
        if sender == "seller":
            if reg is REGISTERS["formal"]:
                body = re.sub(r"\b(" + "|".join(CONTRACTIONS) + r")\b",
                              lambda m: CONTRACTIONS[m.group(1)], body)
            sign = rng.choice(reg["sign"]).format(seller=ctx["seller"])
            if first:
                greet = rng.choice(reg["greet"]).format(buyer=ctx["buyer"])
                intro = rng.choice(reg["intro"]).format(seller=ctx["seller"])
                gap = "\n\n" if greet.endswith(",") else " "
                body = f"{greet}{gap}{intro}\n\n{body}\n\n{sign}"
                first = False
            elif rng.random() < 0.4:
                body = f"{body}\n\n{sign}"
        if dressed and dressed[-1][0] == sender:
            dressed[-1] = (sender, f"{dressed[-1][1]} {body}")
        else:
            dressed.append((sender, body))
    return dressed
