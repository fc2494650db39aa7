"""Try-outs: buyers browse creators, see their work, gigs and prices, and keep a wallet."""

import uuid

import gradio as gr
import soundfile

from app.context import bind, current_user, require
from app.tabs import tryouts_chat, tryouts_images, tryouts_models, tryouts_voice
from app.widgets import MODALITY_LABEL, creator_card, directory_html, money
from engine.media import text_excerpt, thumbnail_image, thumbnail_uri
from storage import creators, portfolio

MODALITY_FILTER = [("All", ""), ("🎨 Design", "image"), ("🎙️ Voice", "voice"), ("✍️ Copy", "text")]
TOP_UPS = [("$10", 1000), ("$25", 2500), ("$50", 5000), ("$100", 10000)]
PICK_HINT = "Pick a creator above (or from the cards below) to see their portfolio, gigs and prices."


def on_directory(ctx, query: str, modality: str, request: gr.Request):
    """The creator directory as cards, and the creators to pick from for details."""
    require(ctx, request, "buyer", "seller", "admin")
    cards = ctx.engine.directory(modality or None, query or "")
    rendered = []
    for card in cards:
        thumbs = [thumbnail_uri(ctx.settings, i, 144) for i in card["samples"] if i["modality"] == "image"]
        excerpt = (text_excerpt(ctx.settings, card["samples"][0], 28)
                   if card["modality"] == "text" and card["samples"] else "")
        rendered.append(creator_card(card, thumbs, excerpt))
    choices = [(f'{c["display_name"]} — {MODALITY_LABEL[c["modality"]]}', c["user_id"]) for c in cards]
    return directory_html(rendered), gr.Dropdown(choices=choices, value=None)


def on_creator(ctx, seller_id, request: gr.Request):
    """One creator's profile: about, gigs and packages, and their portfolio to look at or hear."""
    require(ctx, request, "buyer", "seller", "admin")
    if not seller_id:
        return PICK_HINT, "", gr.Gallery(visible=False), gr.Audio(visible=False), ""
    profile = creators.get_profile(ctx.engine.db, int(seller_id))
    if profile is None:
        raise gr.Error("That creator no longer exists. Refresh the directory.")
    about = f"### {profile['display_name']}\n**{profile['headline']}**\n\n{profile['bio']}"
    gigs = creators.gigs_for(ctx.engine.db, profile["user_id"])
    rows = ["| Gig | Package | Price | Delivery | Revisions |", "|---|---|---|---|---|"]
    for gig in gigs:
        for p in gig["packages"]:
            rows.append(f"| {gig['title']} | {p['name']} ({p['tier']}) | {money(p['price_cents'])} "
                        f"| {p['delivery_days']} days | {p['revisions']} |")
    items = portfolio.items_for(ctx.engine.db, profile["user_id"], held_out=False)
    gallery, audio, texts = gr.Gallery(visible=False), gr.Audio(visible=False), ""
    if profile["modality"] == "image":
        gallery = gr.Gallery(value=[(thumbnail_image(ctx.settings, i, 384), i["title"]) for i in items[:12]],
                             visible=True)
    elif profile["modality"] == "voice" and items:
        data, rate = soundfile.read(ctx.settings.data_dir / items[0]["file_path"], dtype="float32")
        audio = gr.Audio(value=(rate, data), visible=True, label=f"Sample: {items[0]['title']}")
    elif profile["modality"] == "text":
        texts = "\n\n".join(f"> **{i['title']}** — {text_excerpt(ctx.settings, i, 70)}" for i in items[:3])
    return about, "\n".join(rows), gallery, audio, texts


def on_wallet(ctx, request: gr.Request) -> str:
    """The buyer's wallet balance (other roles have no wallet)."""
    user = current_user(ctx, request)
    if user is None or user["role"] != "buyer":
        return "Wallets belong to buyer accounts."
    return f"**Wallet:** {money(ctx.engine.wallet(user))}"


def on_top_up(ctx, amount_cents: int, request: gr.Request) -> str:
    """Add a demo card payment to the buyer's wallet."""
    user = require(ctx, request, "buyer")
    balance = ctx.engine.top_up(user, int(amount_cents), f"topup:{uuid.uuid4().hex}")
    gr.Info(f"Added {money(int(amount_cents))} to your wallet.")
    return f"**Wallet:** {money(balance)}"


def build(ctx, demo: gr.Blocks) -> gr.Tab:
    with gr.Tab("Try-outs", id="tryouts") as tab:
        gr.Markdown("Find a creator, look at their work and gigs. Every personal model is a way to "
                    "meet the human behind it: order them directly from their gigs.")
        with gr.Row(equal_height=True):
            query = gr.Textbox(label="Search", placeholder="logo, narration, launch copy…", scale=3)
            modality = gr.Radio(MODALITY_FILTER, value="", label="Kind of work", scale=3)
            refresh = gr.Button("Refresh", size="sm", scale=0)
        with gr.Row(equal_height=True):
            pick = gr.Dropdown(label="Open a creator's profile", choices=[], allow_custom_value=True,
                               scale=4)
            wallet = gr.Markdown(scale=2)
            amount = gr.Dropdown(TOP_UPS, value=2500, label="Top up (demo card)", scale=1)
            top_up = gr.Button("Add funds", scale=1)
        with gr.Column(variant="panel"):
            about = gr.Markdown(PICK_HINT)
            gigs = gr.Markdown()
            gallery = gr.Gallery(label="Portfolio", columns=6, height="auto", visible=False)
            audio = gr.Audio(label="Voice sample", visible=False, interactive=False)
            texts = gr.Markdown()
        tryouts_images.build(ctx, demo)
        tryouts_models.build(ctx, demo)
        tryouts_voice.build(ctx, demo)
        tryouts_chat.build(ctx, demo)
        directory = gr.HTML()

        show = bind(on_directory, ctx)
        for event in (demo.load, query.submit, modality.change):
            event(show, [query, modality], [directory, pick], api_visibility="private")
        demo.load(bind(on_wallet, ctx), None, wallet, api_name="tryouts_wallet")
        refresh.click(show, [query, modality], [directory, pick], api_name="tryouts_directory")
        pick.change(bind(on_creator, ctx), pick, [about, gigs, gallery, audio, texts],
                    api_name="tryouts_creator")
        top_up.click(bind(on_top_up, ctx), amount, wallet, api_name="tryouts_top_up",
                     concurrency_limit=4)
    return tab
