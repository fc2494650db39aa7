"""Admin: users, models with fidelity, ledger balances with the invariant check, the audit log, and
the guard (red-team results and blocked requests, in admin_guard)."""

import json

import gradio as gr

from app.context import bind, require
from app.tabs import admin_guard, admin_money
from app.widgets import money

USER_HEADERS = ["id", "username", "name", "role", "online", "joined"]
MODEL_HEADERS = ["id", "creator", "kind", "name", "status", "price", "version", "fidelity", "95 % CI",
                 "judged", "copies", "held-out judged true", "base"]
BALANCE_HEADERS = ["account", "kind", "name", "balance (debit +)"]
AUDIT_HEADERS = ["id", "at", "actor", "action", "target", "detail"]


def _view(ctx, user):
    data = ctx.engine.admin_overview(user)
    users = [[u["id"], u["username"], u["display_name"], u["role"], "●" if u["online"] else "",
              u["created_at"][:10]] for u in data["users"]]
    models = [_model_row(m) for m in data["models"]]
    balances = [[b["id"], b["kind"], b["name"], money(b["balance_cents"])]
                 for b in data["balances"] if b["balance_cents"]]
    check = data["invariants"]
    verdict = ("✅ **Ledger balances**: every entry sums to zero, the trial balance is "
               f"{money(check['trial_balance_cents'])}, no wallet is overdrawn."
               if check["ok"] else f"❌ **Ledger check failed**: `{check}`")
    verdict += f"\n\nShowing {len(balances)} accounts with a balance of {len(data['balances'])}."
    audit = [[a["id"], a["at"], a["actor"] or "system", a["action"], a["target"], a["detail"]]
             for a in data["audit"]]
    return _summary(data), users, models, balances, verdict, audit


def _model_row(model: dict) -> list:
    """One model, whatever its kind: fidelity, interval, how many samples the judge credited,
    copies, the judge's rate on the creator's own held-out work, and the base it was built on."""
    report = json.loads(model["fidelity_report"] or "{}")
    held = report.get("held_out_attributed")
    return [model["id"], model["seller"], model["modality"], model["name"], model["status"],
            money(model["price_cents"]), model["version"],
            "" if model["fidelity"] is None else f"{model['fidelity']:.2f}",
            "" if model["fidelity_ci_low"] is None
            else f"{model['fidelity_ci_low']:.2f}–{model['fidelity_ci_high']:.2f}",
            f"{report['attributed']} of {report['n']}" if "n" in report else "", model["copies"],
            "" if held is None else f"{held:.0%}", model["base_model_id"] or ""]


def _summary(data) -> str:
    roles = {}
    for user in data["users"]:
        roles[user["role"]] = roles.get(user["role"], 0) + 1
    balance = {b["id"]: b["balance_cents"] for b in data["balances"]}
    wallets = -sum(v for k, v in balance.items() if k.startswith("wallet:"))
    earnings = -sum(v for k, v in balance.items() if k.startswith("earnings:"))
    return (f"**{len(data['users'])} users** ({', '.join(f'{n} {r}s' for r, n in sorted(roles.items()))})"
            f" · **{len(data['models'])} models** · buyer wallets {money(wallets)} · creator earnings "
            f"{money(earnings)} · platform fees {money(-balance.get('platform:fees', 0))}")


def on_admin_load(ctx, request: gr.Request):
    """Everything the admin console shows, fresh from the database."""
    return _view(ctx, require(ctx, request, "admin"))


def on_create_user(ctx, username: str, display_name: str, role: str, password: str,
                   request: gr.Request):
    """Add an account; sellers then set up their profile in the Assistant tab."""
    user = require(ctx, request, "admin")
    created = ctx.engine.create_user(user, username, password, role, display_name)
    gr.Info(f"Account '{created['username']}' ({created['role']}) created.")
    return (*_view(ctx, user), "", "", "")


def build(ctx, demo: gr.Blocks) -> gr.Tab:
    with gr.Tab("Admin", id="admin", visible=False) as tab:
        with gr.Row(equal_height=True):
            summary = gr.Markdown()
            refresh = gr.Button("Refresh", size="sm", scale=0)
        with gr.Tab("Users"):
            users = gr.Dataframe(headers=USER_HEADERS, interactive=False)
            with gr.Row():
                username = gr.Textbox(label="Username", max_length=32)
                display_name = gr.Textbox(label="Display name", max_length=80)
                role = gr.Dropdown(["buyer", "seller", "admin"], value="buyer", label="Role")
                password = gr.Textbox(label="Password", type="password", max_length=128)
                create = gr.Button("Create account")
        with gr.Tab("Models"):
            models = gr.Dataframe(headers=MODEL_HEADERS, interactive=False)
        with gr.Tab("Ledger"):
            verdict = gr.Markdown()
            balances = gr.Dataframe(headers=BALANCE_HEADERS, interactive=False)
        admin_money.build(ctx)
        with gr.Tab("Audit log"):
            audit = gr.Dataframe(headers=AUDIT_HEADERS, interactive=False, wrap=True)
        admin_guard.build(ctx, tab)
        view = [summary, users, models, balances, verdict, audit]
        load = bind(on_admin_load, ctx)
        tab.select(load, None, view, api_visibility="private")
        refresh.click(load, None, view, api_name="admin_load")
        create.click(bind(on_create_user, ctx), [username, display_name, role, password],
                     [*view, username, display_name, password], api_name="admin_create_user")
    return tab
