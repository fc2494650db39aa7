"""Assistant set-up: the profile, gigs and trigger topics that ground a seller's AI assistant."""

import gradio as gr

from app.context import bind, require
from app.tabs import assistant_inbox, seller_money
from app.widgets import money, parse_money
from engine.errors import InvalidInput
from storage import creators, topics

PACKAGE_HEADERS = ["tier", "name", "price ($)", "delivery days", "revisions", "description"]
TOPIC_HEADERS = ["id", "topic", "example phrases", "words", "built-in"]
NEW = 0


def _gig_choices(gigs):
    return [("➕ New gig", NEW)] + [(f"#{g['id']} {g['title']}", g["id"]) for g in gigs]


def _topic_choices(rows):
    return [("➕ New topic", NEW)] + [(f"#{t['id']} {t['name']}", t["id"]) for t in rows]


def _gig_rows(gigs):
    return [[g["id"], g["title"], p["tier"], money(p["price_cents"]), p["delivery_days"], p["revisions"]]
            for g in gigs for p in g["packages"]]


def _topic_rows(rows):
    return [[t["id"], t["name"], " | ".join(t["phrases"]), ", ".join(t["words"]),
             "yes" if t["builtin"] else ""] for t in rows]


def _view(ctx, user):
    db = ctx.engine.db
    profile = creators.get_profile(db, user["id"]) or {}
    gigs = creators.gigs_for(db, user["id"])
    topic_rows = topics.topics_for(db, user["id"])
    chats = ctx.engine.seller_conversations(user)
    grounding = (f"The assistant is grounded in your profile, {len(gigs)} gigs, "
                 f"{len(topic_rows)} trigger topics and {len(chats)} past conversations.")
    return (profile.get("headline", ""), profile.get("bio", ""), profile.get("tone", "friendly"),
            profile.get("languages", "English"), _gig_rows(gigs),
            gr.Dropdown(choices=_gig_choices(gigs), value=NEW), _topic_rows(topic_rows),
            gr.Dropdown(choices=_topic_choices(topic_rows), value=NEW), grounding)


def on_assistant_load(ctx, request: gr.Request):
    """Profile fields, gigs, topics and a grounding summary for the seller."""
    return _view(ctx, require(ctx, request, "seller"))


def on_profile_save(ctx, headline: str, bio: str, tone: str, languages: str, request: gr.Request):
    user = require(ctx, request, "seller")
    ctx.engine.save_profile(user, headline, bio, tone, languages)
    gr.Info("Profile saved.")
    return _view(ctx, user)


def on_gig_pick(ctx, gig_id, request: gr.Request):
    """Fill the gig editor with a gig (or blank rows for a new one)."""
    user = require(ctx, request, "seller")
    if not gig_id:
        return "", "", [["basic", "Basic", "", "", "", ""]]
    gig = next((g for g in creators.gigs_for(ctx.engine.db, user["id"]) if g["id"] == int(gig_id)), None)
    if gig is None:
        raise gr.Error("That gig does not exist among your gigs.")
    rows = [[p["tier"], p["name"], f"{p['price_cents'] / 100:.2f}", p["delivery_days"], p["revisions"],
             p["description"]] for p in gig["packages"]]
    return gig["title"], gig["description"], rows


def _packages_from_rows(rows) -> list[dict]:
    packages = []
    for row in rows or []:
        cells = [str(c).strip() if c is not None else "" for c in list(row) + [""] * 6][:6]
        if not any(cells):
            continue
        tier, name, price, days, revisions, description = cells
        try:
            price_cents = parse_money(price)
        except ValueError:
            raise InvalidInput(f"The price of the {tier or '?'} package must be in dollars, "
                               "e.g. 45 or 45.50.") from None
        packages.append({"tier": tier, "name": name, "price_cents": price_cents,
                         "delivery_days": days, "revisions": revisions, "description": description})
    return packages


def on_gig_save(ctx, gig_id, title: str, description: str, rows, request: gr.Request):
    user = require(ctx, request, "seller")
    gig = ctx.engine.save_gig(user, int(gig_id or 0) or None, title, description,
                              _packages_from_rows(rows))
    gr.Info(f"Gig '{gig['title']}' saved.")
    return _view(ctx, user)


def on_gig_remove(ctx, gig_id, request: gr.Request):
    user = require(ctx, request, "seller")
    if not gig_id:
        raise gr.Error("Pick one of your gigs to remove.")
    ctx.engine.remove_gig(user, int(gig_id))
    gr.Info("Gig removed from your profile.")
    return _view(ctx, user)


def on_topic_pick(ctx, topic_id, request: gr.Request):
    user = require(ctx, request, "seller")
    if not topic_id:
        return "", "", ""
    topic = next((t for t in topics.topics_for(ctx.engine.db, user["id"]) if t["id"] == int(topic_id)), None)
    if topic is None:
        raise gr.Error("That topic does not exist among your topics.")
    return topic["name"], "\n".join(topic["phrases"]), ", ".join(topic["words"])


def on_topic_save(ctx, topic_id, name: str, phrases: str, words: str, request: gr.Request):
    user = require(ctx, request, "seller")
    topic = ctx.engine.save_topic(user, int(topic_id or 0) or None, name, phrases, words)
    gr.Info(f"Topic '{topic['name']}' saved.")
    return _view(ctx, user)


def on_topic_remove(ctx, topic_id, request: gr.Request):
    user = require(ctx, request, "seller")
    if not topic_id:
        raise gr.Error("Pick one of your topics to remove.")
    ctx.engine.remove_topic(user, int(topic_id))
    gr.Info("Topic removed.")
    return _view(ctx, user)


def build(ctx, demo: gr.Blocks) -> gr.Tab:
    with gr.Tab("Assistant", id="assistant", visible=False) as tab:
        grounding = gr.Markdown()
        assistant_inbox.build(ctx, tab)
        with gr.Accordion("Profile", open=True):
            headline = gr.Textbox(label="Headline", max_length=120)
            bio = gr.Textbox(label="About you", lines=3, max_length=2000)
            with gr.Row():
                tone = gr.Textbox(label="Tone of voice", max_length=40)
                languages = gr.Textbox(label="Languages", max_length=120)
            save_profile = gr.Button("Save profile", variant="primary")
        with gr.Accordion("Gigs and packages", open=True):
            gigs = gr.Dataframe(headers=["gig", "title", "tier", "price", "days", "revisions"],
                                interactive=False, label="Your gigs")
            gig_pick = gr.Dropdown(label="Edit gig", choices=[("➕ New gig", NEW)], value=NEW,
                                   allow_custom_value=True)
            gig_title = gr.Textbox(label="Title", max_length=120)
            gig_description = gr.Textbox(label="Description", lines=2, max_length=2000)
            packages = gr.Dataframe(headers=PACKAGE_HEADERS, type="array", interactive=True,
                                    row_count=(1, "dynamic"), column_count=(6, "fixed"),
                                    label="Packages (tiers basic / standard / premium; price in dollars)")
            with gr.Row():
                save_gig = gr.Button("Save gig", variant="primary")
                remove_gig = gr.Button("Remove gig", variant="stop")
        with gr.Accordion("Trigger topics — when the assistant hands over to you", open=True):
            topic_rows = gr.Dataframe(headers=TOPIC_HEADERS, interactive=False, wrap=True,
                                      label="Your topics")
            topic_pick = gr.Dropdown(label="Edit topic", choices=[("➕ New topic", NEW)], value=NEW,
                                     allow_custom_value=True)
            topic_name = gr.Textbox(label="Topic", max_length=80)
            topic_phrases = gr.Textbox(label="Example phrases (one per line)", lines=3, max_length=4000)
            topic_words = gr.Textbox(label="Words (comma-separated, optional)", max_length=1000)
            with gr.Row():
                save_topic = gr.Button("Save topic", variant="primary")
                remove_topic = gr.Button("Remove topic", variant="stop")
        seller_money.build(ctx, tab)

        view = [headline, bio, tone, languages, gigs, gig_pick, topic_rows, topic_pick, grounding]
        tab.select(bind(on_assistant_load, ctx), None, view, api_name="assistant_load")
        save_profile.click(bind(on_profile_save, ctx), [headline, bio, tone, languages], view,
                           api_name="assistant_save_profile")
        gig_pick.change(bind(on_gig_pick, ctx), gig_pick, [gig_title, gig_description, packages],
                        api_name="assistant_pick_gig")
        save_gig.click(bind(on_gig_save, ctx), [gig_pick, gig_title, gig_description, packages], view,
                       api_name="assistant_save_gig")
        remove_gig.click(bind(on_gig_remove, ctx), gig_pick, view, api_name="assistant_remove_gig")
        topic_pick.change(bind(on_topic_pick, ctx), topic_pick, [topic_name, topic_phrases, topic_words],
                          api_name="assistant_pick_topic")
        save_topic.click(bind(on_topic_save, ctx), [topic_pick, topic_name, topic_phrases, topic_words],
                         view, api_name="assistant_save_topic")
        remove_topic.click(bind(on_topic_remove, ctx), topic_pick, view,
                           api_name="assistant_remove_topic")
    return tab
