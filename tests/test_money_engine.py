"""Money through the Engine: a lapsed creation plan hides models, refunds, payouts, roles."""

import pytest

from engine.errors import Forbidden, InvalidInput, NotFound, PaymentError
from storage import ledger, subscriptions
from tests.conftest import make_settings
from tests.test_engine import market  # noqa: F401  (the fixture: a $2.50 text model, a buyer with $10)


@pytest.fixture
def settings(tmp_path):
    return make_settings(tmp_path / "data", plans_enforced=True)


@pytest.fixture
def admin(market):  # noqa: F811
    from storage import users
    return users.create_user(market["engine"].db, "root", "password1", "admin")


def test_an_unpaid_creation_plan_hides_the_models_from_buyers(market):  # noqa: F811
    engine, buyer, seller = market["engine"], market["buyer"], market["seller"]
    assert engine.published_models("text") == []
    with pytest.raises(NotFound, match="plan has lapsed"):
        engine.generate(buyer, market["model"], {"brief": "x"})
    assert engine.wallet(buyer) == 1000
    with pytest.raises(PaymentError, match="pay it by card"):
        engine.pay_plan(seller, "creation")  # no earnings yet
    engine.pay_plan(seller, "creation", "card")
    assert [m["id"] for m in engine.published_models("text")] == [market["model"]]
    assert engine.generate(buyer, market["model"], {"brief": "x"})["price_cents"] == 250
    assert subscriptions.is_active(engine.db, seller["id"], "creation", subscriptions.current_month())
    with pytest.raises(Forbidden):
        engine.pay_plan(buyer, "creation", "card")


def test_admin_refunds_pays_out_and_sees_a_reconciled_overview(market, admin):  # noqa: F811
    engine, buyer, seller = market["engine"], market["buyer"], market["seller"]
    engine.pay_plan(seller, "creation", "card")
    first = engine.generate(buyer, market["model"], {"brief": "a"})
    engine.generate(buyer, market["model"], {"brief": "b"})
    with pytest.raises(Forbidden):
        engine.refund(buyer, first["id"])
    engine.refund(admin, first["id"], reason="not what I asked for")
    assert engine.wallet(buyer) == 750
    paid = engine.run_payouts(admin, "2026-11")
    assert [(p["user_id"], p["amount_cents"]) for p in paid] == [(seller["id"], 250 - 37)]
    with pytest.raises(InvalidInput, match="already made"):
        engine.run_payouts(admin, "2026-11")
    with pytest.raises(PaymentError, match="paid out"):
        engine.refund(admin, first["id"] + 1)
    view = engine.money_overview(admin)
    assert view["reconciliation"]["ok"]
    assert (view["reconciliation"]["buyer_charges_cents"], view["reconciliation"]["refunds_cents"]) == (500, 250)
    assert "2026-11,%d,juniper,213,2.13" % seller["id"] in engine.payouts_csv(admin)
    assert "$2,500 of shares a year" in view["equity_rules"]
    assert ledger.check_invariants(engine.db)["ok"]
    actions = [a["action"] for a in engine.admin_overview(admin)["audit"]]
    assert {"plan.paid", "generation.refund", "payout.run"} <= set(actions)


def test_the_admin_money_tab_shows_the_check_balances_plans_and_equity(market, admin):  # noqa: F811
    from types import SimpleNamespace

    from app.tabs import admin_money
    engine = market["engine"]
    engine.pay_plan(market["seller"], "creation", "card")
    engine.generate(market["buyer"], market["model"], {"brief": "a"})
    check, creators, history, plans_note, plans, equity_note, equity = admin_money._view(
        SimpleNamespace(engine=engine), admin)
    assert check.startswith("### ✓ Money reconciles")
    assert "buyer charges $2.50 = platform fees $0.37 + creator earnings $2.13" in check
    assert creators == [[market["seller"]["id"], "juniper", "$2.13", "$0.00", "$0.00", "$0.00", "$2.13"]]
    assert history == [] and "enforced" in plans_note
    assert [p[2:] for p in plans] == [["creation ($25.00/month)", 1, plans[0][4], "paid"],
                                      ["assistant ($29.00/month)", 0, "never", "lapsed"]]
    assert "No creator qualifies yet" in equity_note and "$30,000" in equity_note
    assert equity[0][6] == "no: tenure under the minimum"


def test_a_creator_sees_their_balance_and_pays_a_plan_in_their_tab(market):  # noqa: F811
    from app.tabs import seller_money
    engine, seller = market["engine"], market["seller"]
    engine.pay_plan(seller, "creation", "card")
    engine.generate(market["buyer"], market["model"], {"brief": "a"})
    text = seller_money.account_text(engine.creator_account(seller))
    assert "**Available to pay out: $2.13**" in text
    assert "- Creation-model plan ($25.00/month): paid ✓" in text
    assert "- Assistant plan ($29.00/month): unpaid" in text
    with pytest.raises(Forbidden):
        engine.creator_account(market["buyer"])
