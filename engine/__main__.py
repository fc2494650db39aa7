"""`python -m engine ...`: the engine's operations for support staff and batch jobs."""

import argparse
import dataclasses
import json
import sys

from engine import Engine, Settings
from engine.errors import SignatureError
from storage import ledger, users

SYSTEM = {"id": None, "username": "cli", "role": "admin"}


def _print(value) -> None:
    print(json.dumps(value, indent=2, default=str))


def cmd_settings(engine, args):
    _print(dataclasses.asdict(engine.settings))


def cmd_demo(engine, args):
    from assets.demo import ensure_demo
    print("generated" if ensure_demo(engine) else "the demo marketplace already exists")


def cmd_users(engine, args):
    for user in users.list_users(engine.db):
        print(f"{user['id']:>4}  {user['role']:<6}  {user['username']:<28} {user['display_name']}")


def cmd_add_user(engine, args):
    _print(engine.create_user(SYSTEM, args.username, args.password, args.role, args.display_name))


def cmd_ledger(engine, args):
    for row in ledger.account_balances(engine.db):
        print(f"{row['id']:<24} {row['kind']:<10} {row['balance_cents']:>12}")
    _print(ledger.check_invariants(engine.db))


def cmd_backends(engine, args):
    rows = engine.backends.available()
    if not rows:
        print(f"no model backends are registered (profile: {engine.settings.profile})")
    for row in rows:
        print(f"{row['modality']:<6} {row['profile']:<9} {row['factory']}")


def cmd_ask(engine, args):
    buyer = users.find_user(engine.db, args.buyer)
    seller = users.find_user(engine.db, args.username)
    if seller is None or seller["role"] != "seller":
        raise ValueError(f"no creator called {args.username!r}; see `python -m engine users`")
    if buyer is None or buyer["role"] != "buyer":
        raise ValueError(f"no buyer called {args.buyer!r}; see `python -m engine users`")
    conversation = engine.assistant_start(buyer, seller["id"])
    for message in args.messages:
        reply = engine.assistant_reply(buyer, conversation, message)
        text = reply.finish()
        _print({"message": message, "reply": text, "handoff": reply.handoff, "dropped": reply.dropped,
                "brief": {k: reply.brief[k] for k in ("what", "deadline", "budget_cents", "package_id",
                                                      "lead_score", "status")} if reply.brief else None})


def cmd_redteam(engine, args):
    from engine import boundaries as creator_boundaries
    from engine.guard import redteam
    from storage import boundaries as store

    seller = users.find_user(engine.db, args.username)
    if seller is None or seller["role"] != "seller":
        raise ValueError(f"no creator called {args.username!r}; see `python -m engine users`")
    limits = store.get(engine.db, seller["id"])
    modalities = creator_boundaries.redteam_modalities(engine.db, seller["id"])
    result = redteam.run(engine.guard, limits, modalities, n=args.attempts, template_count=args.templates,
                         creator=seller["display_name"])
    _print({m: {k: r[k] for k in ("attempts", "breaks", "breaks_per_1000")}
            for m, r in result["modalities"].items()})


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m engine",
                                description="Signature engine. Settings come from SIGNATURE_* "
                                            "environment variables (see README).")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("settings", help="print the settings in force").set_defaults(run=cmd_settings)
    sub.add_parser("demo", help="generate the demo marketplace if missing").set_defaults(run=cmd_demo)
    sub.add_parser("users", help="list users").set_defaults(run=cmd_users)
    add = sub.add_parser("add-user", help="create an account")
    add.add_argument("username")
    add.add_argument("role", choices=users.ROLES)
    add.add_argument("--password", required=True)
    add.add_argument("--display-name", default="")
    add.set_defaults(run=cmd_add_user)
    sub.add_parser("ledger", help="account balances and the invariant check").set_defaults(run=cmd_ledger)
    sub.add_parser("backends", help="model backends for this profile").set_defaults(run=cmd_backends)
    ask = sub.add_parser("ask", help="send messages to a creator's assistant in a new conversation (stored)")
    ask.add_argument("username", help="the creator")
    ask.add_argument("messages", nargs="+", help="the buyer's messages, in order")
    ask.add_argument("--buyer", default="buyer", help="the buyer who writes (default: buyer)")
    ask.set_defaults(run=cmd_ask)
    red = sub.add_parser("redteam", help="run the red-team suite on a creator's boundaries (not stored)")
    red.add_argument("username")
    red.add_argument("--attempts", type=int, default=100, help="attempts per modality")
    red.add_argument("--templates", type=int, default=40, help="jailbreak templates to draw")
    red.set_defaults(run=cmd_redteam)
    return p


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    try:
        engine = Engine(Settings.from_env())
        args.run(engine, args)
    except (SignatureError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
