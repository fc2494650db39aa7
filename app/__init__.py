"""The Gradio app: build_demo(settings) and serve(settings). Gradio lives only in this package."""

import gradio as gr

from app.context import Ctx, bind, current_user
from app.tabs import admin, assistant, orders, studio, tryouts, verify
from app.widgets import CSS
from engine import Engine, Settings

ROLE_TABS = {"buyer": ("tryouts", "orders", "verify"),
             "seller": ("tryouts", "studio", "assistant", "orders", "verify"),
             "admin": ("tryouts", "orders", "verify", "admin")}
TABS = (("tryouts", tryouts), ("studio", studio), ("assistant", assistant), ("orders", orders),
        ("verify", verify), ("admin", admin))
WELCOME = {"buyer": "Browse creators, try their personal models, then order the human.",
           "seller": "Your portfolio lives in **Studio**; your AI assistant's grounding in **Assistant**.",
           "admin": "The **Admin** tab shows users, models, the ledger and the audit log."}


def on_session(ctx, request: gr.Request):
    """Greet the user and show the tabs their role may use."""
    user = current_user(ctx, request)
    allowed = ROLE_TABS.get(user["role"], ()) if user else ()
    greeting = (f"Logged in as **{user['display_name']}** ({user['role']}). {WELCOME[user['role']]}"
                if user else "Please log in.")
    return (greeting, *(gr.Tab(visible=name in allowed)
                        for name, _ in TABS))


def build_demo(settings: Settings, engine: Engine | None = None) -> gr.Blocks:
    """The whole app over one engine. Demo data is generated on first launch when enabled."""
    engine = engine or Engine(settings)
    if settings.demo_data:
        from assets.demo import ensure_demo
        ensure_demo(engine)
    ctx = Ctx(engine)
    with gr.Blocks(title="Signature", delete_cache=(3600, 3600)) as demo:
        with gr.Row(equal_height=True):
            gr.Markdown("## ✒️ Signature — personal AI that keeps creators at the centre")
            gr.Button("Log out", link="/logout", size="sm", scale=0)
        greeting = gr.Markdown()
        tabs = [module.build(ctx, demo) for _, module in TABS]
        demo.load(bind(on_session, ctx), None, [greeting, *tabs], api_name="session")
    demo.queue(max_size=settings.queue_size, default_concurrency_limit=4)
    return demo


def auth_message() -> str:
    return ("Demo accounts (password `signature-demo`): buyer **buyer**, designers **mara** and "
            "**theo**, voice artists **ravi** and **ines**, copywriters **juniper** and **harold**, "
            "admin **admin**.")


def launch_options(settings: Settings, engine: Engine) -> dict:
    """Keyword arguments for demo.launch(): login, limits, theme."""
    return dict(server_name=settings.host, server_port=settings.port,
                auth=lambda username, password: engine.login(username, password) is not None,
                auth_message=auth_message(), max_file_size=f"{settings.max_upload_mb}mb",
                show_error=True, css=CSS, theme=gr.themes.Soft(), footer_links=["api"])


def serve(settings: Settings) -> None:
    """Build the app and serve it until interrupted."""
    engine = Engine(settings)
    demo = build_demo(settings, engine)
    engine.start_background()
    demo.launch(**launch_options(settings, engine))
