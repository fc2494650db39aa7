"""Orders: a buyer licenses AI samples (the clean file then downloads), orders the human for a
gig package or a blend, and follows each order; a creator accepts, delivers, cancels or refunds;
an admin sees every order and settles disputes. Everyone sees each order's state, brief and
delivery."""

import uuid

import gradio as gr

from app.context import bind, require
from app.widgets import esc, money

KIND = {"licence": "Licence", "human": "The human", "blend": "Blend"}
STEP_LABELS = {"accepted": "Accept", "delivered": "Deliver", "completed": "Accept the delivery (pays the creator)",
               "cancelled": "Cancel (money back)", "refunded": "Refund"}
SAMPLE_COLUMNS = ["sample", "model", "creator", "prompt / brief", "licence", "blend", "licensed"]
ORDER_COLUMNS = ["order", "kind", "what", "buyer", "creator", "price", "status", "brief", "delivery", "you can"]


def _sample_rows(samples: list[dict]) -> list[list]:
    return [[s["id"], s["model_name"], s["seller_name"], s["request"][:80],
             money(s["licence_cents"]) if s["licence_cents"] and s["marked"] else "—",
             money(s["blend_cents"]) if s["blend_cents"] else "—", "✓" if s["licensed"] else ""] for s in samples]


def _order_rows(rows: list[dict], user: dict) -> list[list]:
    def delivery(o):
        parts = [o["delivery_note"] or "", "📎 file" if o["delivery_path"] else ""]
        return " · ".join(p for p in parts if p)[:300]

    return [[o["id"], KIND[o["kind"]], o["title"], "you" if o["buyer_id"] == user["id"] else o.get("buyer_name", ""),
             "you" if o["seller_id"] == user["id"] else o.get("seller_name", ""), money(o["price_cents"]),
             o["status"], (o["brief"] or "")[:300], delivery(o), ", ".join(o["next"]) or "—"] for o in rows]


def on_load(ctx, request: gr.Request):
    """The user's samples (buyers), packages to order (buyers) and orders."""
    user = require(ctx, request, "buyer", "seller", "admin")
    buyer = user["role"] == "buyer"
    samples = _sample_rows(ctx.engine.my_samples(user)) if buyer else []
    packages = [(f"{p['seller_name']} — {p['gig_title']}: {p['name']} ({money(p['price_cents'])}, "
                 f"{p['delivery_days']} days)", p["id"]) for p in ctx.engine.gig_packages()] if buyer else []
    return (gr.update(visible=buyer), samples, gr.update(visible=buyer),
            gr.Dropdown(choices=packages, value=packages[0][1] if packages else None),
            _order_rows(ctx.engine.orders(user), user), gr.update(visible=not buyer))


def on_license(ctx, sample_id, request: gr.Request):
    user = require(ctx, request, "buyer")
    if not sample_id:
        raise gr.Error("Type the number of one of your samples (first column).")
    order = ctx.engine.license_sample(user, sample_id, f"licence:{uuid.uuid4().hex}")
    gr.Info("You already hold this licence." if order["replayed"] else
            f"Licensed for {money(order['price_cents'])}. Download the clean file below.")
    return str(ctx.engine.licensed_file(user, sample_id)), *on_load(ctx, request)


def on_download(ctx, sample_id, request: gr.Request):
    user = require(ctx, request, "buyer")
    if not sample_id:
        raise gr.Error("Type the number of a sample you licensed.")
    return str(ctx.engine.licensed_file(user, sample_id))


def on_blend(ctx, sample_id, brief: str, request: gr.Request):
    return _place(ctx, request, "blend", sample_id, brief, "Type the number of the sample the creator should finish.")


def on_order_human(ctx, package_id, brief: str, request: gr.Request):
    return _place(ctx, request, "human", package_id, brief, "Pick a gig package first.")


def _place(ctx, request, kind: str, target, brief: str, missing: str):
    """A blend (target: a sample) or the human (target: a gig package), its price held."""
    user = require(ctx, request, "buyer")
    if not target:
        raise gr.Error(missing)
    place = ctx.engine.order_blend if kind == "blend" else ctx.engine.order_human
    order = place(user, target, brief, f"{kind}:{uuid.uuid4().hex}")
    gr.Info(f"{KIND[kind]} ordered: {money(order['price_cents'])} is held until you accept the delivery.")
    return on_load(ctx, request)


def on_step(ctx, order_id, step: str, note: str, delivery, request: gr.Request):
    user = require(ctx, request, "buyer", "seller", "admin")
    if not order_id or not step:
        raise gr.Error("Type an order number and choose what to do.")
    order = ctx.engine.order_step(user, order_id, step, note, delivery)
    gr.Info(f"Order {order['id']} is now {order['status']}.")
    return on_load(ctx, request)


def on_delivery(ctx, order_id, request: gr.Request):
    user = require(ctx, request, "buyer", "seller", "admin")
    if not order_id:
        raise gr.Error("Type the number of the order.")
    return str(ctx.engine.delivery_file(user, order_id))


def on_blend_sample(ctx, order_id, request: gr.Request):
    user = require(ctx, request, "seller", "admin")
    if not order_id:
        raise gr.Error("Type the number of the blend order.")
    return str(ctx.engine.blend_sample(user, order_id))


def build(ctx, demo: gr.Blocks) -> gr.Tab:
    with gr.Tab("Orders", id="orders") as tab:
        with gr.Group(visible=False) as buyer_samples:
            gr.Markdown("### Your AI samples\nLicense a sample to download the clean, full-size file "
                        "(no preview mark; the creator keeps ownership), or order a **blend**: the "
                        "creator finishes it by hand.")
            samples = gr.Dataframe(headers=SAMPLE_COLUMNS, interactive=False, wrap=True)
            with gr.Row(equal_height=True):
                sample_id = gr.Number(label="Sample", precision=0, minimum=0, scale=1)
                license_button = gr.Button("License it", variant="primary", scale=1)
                download = gr.Button("Download the clean file", scale=1)
            with gr.Row(equal_height=True):
                blend_brief = gr.Textbox(label="What the creator should finish or change", max_length=2000, scale=3)
                blend = gr.Button("Order a blend", scale=1)
            clean_file = gr.File(label="Your licensed file", interactive=False, height=90)
        with gr.Group(visible=False) as buyer_human:
            gr.Markdown("### Order the human")
            package = gr.Dropdown(label="Gig package", choices=[], allow_custom_value=True)
            with gr.Row(equal_height=True):
                human_brief = gr.Textbox(label="Your brief: what, deadline, references", max_length=2000, scale=3)
                human = gr.Button("Order", variant="primary", scale=1)
        gr.Markdown("### Orders\nMoney for the human and blends is held until the buyer accepts the "
                    "delivery. Creators accept, deliver (a note, a file or both) and refund; buyers accept "
                    "the delivery; either cancels a request. Admins settle disputes: cancel, refund, or "
                    "complete a delivery the buyer leaves unanswered.")
        orders = gr.Dataframe(headers=ORDER_COLUMNS, interactive=False, wrap=True)
        with gr.Row(equal_height=True):
            order_id = gr.Number(label="Order", precision=0, minimum=0, scale=1)
            step = gr.Dropdown(label="Step", choices=[(label, key) for key, label in STEP_LABELS.items()], scale=2)
            note = gr.Textbox(label="Note (a delivery, a reason)", max_length=2000, scale=3)
        with gr.Row(equal_height=True):
            delivery = gr.File(label="Delivery file (creators)", type="filepath")
            apply = gr.Button("Apply", variant="primary")
            fetch = gr.Button("Download the delivery")
            sample_to_finish = gr.Button("The sample to finish (blends)", visible=False)
        delivered = gr.File(label="Delivered file", interactive=False, height=90)
    view = [buyer_samples, samples, buyer_human, package, orders, sample_to_finish]
    load = bind(on_load, ctx)
    tab.select(load, None, view, api_name="orders")
    license_button.click(bind(on_license, ctx), sample_id, [clean_file, *view], api_name="orders_license")
    download.click(bind(on_download, ctx), sample_id, clean_file, api_name="orders_download")
    blend.click(bind(on_blend, ctx), [sample_id, blend_brief], view, api_name="orders_blend")
    human.click(bind(on_order_human, ctx), [package, human_brief], view, api_name="orders_human")
    apply.click(bind(on_step, ctx), [order_id, step, note, delivery], view, api_name="orders_step")
    fetch.click(bind(on_delivery, ctx), order_id, delivered, api_name="orders_delivery")
    sample_to_finish.click(bind(on_blend_sample, ctx), order_id, delivered, api_name="orders_blend_sample")
    return tab
