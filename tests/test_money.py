"""Money beyond the ledger core: refunds, creator plans, payouts, reconciliation, equity."""

import csv
import datetime
import io
import json

import pytest

from storage import equity, ledger, open_db, payouts, subscriptions, users
from tests.published import published_model

FEE_BPS = 1500


@pytest.fixture
def db(tmp_path):
    db = open_db(tmp_path / "money.db")
    ledger.ensure_platform_accounts(db)
    return db


@pytest.fixture
def people(db):
    buyer = users.create_user(db, "bea", "password1", "buyer")
    seller = users.create_user(db, "mara", "password1", "seller")
    other = users.create_user(db, "olu", "password1", "seller")
    for user in (buyer, seller, other):
        ledger.ensure_user_accounts(db, user)
    _, version = published_model(db, seller["id"], 1000)
    ledger.top_up(db, buyer["id"], 100_000, "card-1")
    return {"buyer": buyer["id"], "seller": seller["id"], "other": other["id"], "version": version}


def sell(db, people, key, price=1000):
    return ledger.charge_generation(db, people["buyer"], people["seller"], people["version"], price,
                                    FEE_BPS, key, json.dumps({"brief": key}), None, "text")


def snapshot(db):
    return (db["ledger_entries"].count, ledger.account_balances(db))


def test_a_full_refund_returns_the_fee_and_the_share(db, people):
    generation = sell(db, people, "g1")
    refund = ledger.refund_generation(db, generation["id"], "r1", reason="wrong voice")
    assert refund["kind"] == "refund" and not refund["replayed"]
    assert ledger.wallet_balance(db, people["buyer"]) == 100_000
    assert ledger.earnings_balance(db, people["seller"]) == 0
    assert ledger.balance(db, ledger.FEES) == 0
    assert payouts.reconciliation(db)["ok"] and ledger.check_invariants(db)["ok"]


def test_partial_refunds_split_in_proportion_and_add_up_exactly(db, people):
    generation = sell(db, people, "g1", price=999)  # fee 149, share 850
    ledger.refund_generation(db, generation["id"], "r1", amount_cents=333)
    assert -ledger.balance(db, ledger.FEES) == 149 - 149 * 333 // 999
    ledger.refund_generation(db, generation["id"], "r2", amount_cents=333)
    ledger.refund_generation(db, generation["id"], "r3")  # the rest
    assert ledger.refunded_cents(db, generation["id"]) == 999
    assert ledger.balance(db, ledger.FEES) == 0 and ledger.earnings_balance(db, people["seller"]) == 0
    assert payouts.reconciliation(db)["ok"]


@pytest.mark.parametrize("amount, message", [(0, "positive"), (-5, "positive"), (2.5, "positive"),
                                             (1001, "at most \\$10.00")])
def test_bad_refunds_are_refused_and_change_nothing(db, people, amount, message):
    generation = sell(db, people, "g1")
    before = snapshot(db)
    with pytest.raises(ledger.LedgerError, match=message):
        ledger.refund_generation(db, generation["id"], "r1", amount_cents=amount)
    assert snapshot(db) == before


def test_a_refund_key_replays_and_a_second_full_refund_is_refused(db, people):
    generation = sell(db, people, "g1")
    first = ledger.refund_generation(db, generation["id"], "r1")
    assert ledger.refund_generation(db, generation["id"], "r1")["id"] == first["id"]
    with pytest.raises(ledger.IdempotencyConflict, match="new key"):
        ledger.refund_generation(db, generation["id"], "r1", amount_cents=5)
    with pytest.raises(ledger.LedgerError, match="at most \\$0.00"):
        ledger.refund_generation(db, generation["id"], "r2")
    with pytest.raises(ledger.LedgerError, match="no generation 999"):
        ledger.refund_generation(db, 999, "r3")
    assert ledger.wallet_balance(db, people["buyer"]) == 100_000


def test_a_refund_after_the_payout_is_refused(db, people):
    generation = sell(db, people, "g1")
    payouts.run_payouts(db, "2026-11")
    with pytest.raises(ledger.LedgerError, match="paid out"):
        ledger.refund_generation(db, generation["id"], "r1")
    assert ledger.earnings_balance(db, people["seller"]) == 0


def test_a_payout_run_pays_every_available_balance_once(db, people):
    for i in range(3):
        sell(db, people, f"g{i}")
    paid = payouts.run_payouts(db, "2026-11")
    assert [(p["user_id"], p["amount_cents"]) for p in paid] == [(people["seller"], 3 * 850)]
    balances = {b["user_id"]: b for b in payouts.creator_balances(db)}
    assert balances[people["seller"]]["available_cents"] == 0
    assert balances[people["seller"]]["paid_out_cents"] == 2550
    assert balances[people["other"]]["paid_out_cents"] == 0
    before = snapshot(db)
    with pytest.raises(ledger.LedgerError, match="already made"):
        payouts.run_payouts(db, "2026-11")
    assert snapshot(db) == before
    assert payouts.run_payouts(db, "2026-12") == []  # nothing left: no zero or negative payouts
    rows = list(csv.DictReader(io.StringIO(payouts.payouts_csv(db))))
    assert [(r["run"], r["username"], r["amount_cents"], r["amount_usd"]) for r in rows] == [
        ("2026-11", "mara", "2550", "25.50")]
    assert payouts.reconciliation(db)["ok"] and ledger.check_invariants(db)["ok"]


def test_a_payout_minimum_leaves_small_balances_for_next_time(db, people):
    sell(db, people, "g1", price=100)  # share 85
    assert payouts.run_payouts(db, "r1", minimum_cents=100) == []
    assert ledger.earnings_balance(db, people["seller"]) == 85
    with pytest.raises(ledger.LedgerError, match="without ':'"):
        payouts.run_payouts(db, "a:b")


def test_reconciliation_shows_a_mismatch(db, people):
    sell(db, people, "g1")
    good = payouts.reconciliation(db)
    assert (good["buyer_charges_cents"], good["platform_fees_cents"], good["creator_earnings_cents"]) == (
        1000, 150, 850)
    # A sale whose money went to neither fees nor a creator: balanced, so the ledger accepts it,
    # but it does not reconcile.
    ledger.post(db, "generation", [(ledger.wallet_account(people["buyer"]), 500), (ledger.CASH, -500)], "odd")
    bad = payouts.reconciliation(db)
    assert bad["ok"] is False and bad["checks"]["sales"] is False and bad["buyer_charges_cents"] == 1500


def test_plans_are_paid_once_a_month_from_earnings_or_card(db, people):
    seller = people["seller"]
    with pytest.raises(ledger.InsufficientFunds, match="pay it by card"):
        subscriptions.pay_plan(db, seller, "creation", "2026-11", 2500)
    subscriptions.pay_plan(db, seller, "creation", "2026-11", 2500, source="card")
    assert subscriptions.pay_plan(db, seller, "creation", "2026-11", 2500, source="card")["replayed"]
    assert subscriptions.is_active(db, seller, "creation", "2026-11")
    assert not subscriptions.is_active(db, seller, "assistant", "2026-11")
    assert -ledger.balance(db, ledger.PLANS) == 2500
    for i in range(4):
        sell(db, people, f"g{i}")  # 4 x 850 of earnings
    result = subscriptions.renew(db, "2026-12", {"creation": 2500, "assistant": 2900})
    assert result == {"renewed": [(seller, "creation")], "lapsed": []}
    assert ledger.earnings_balance(db, seller) == 3400 - 2500
    assert subscriptions.renew(db, "2027-01", {"creation": 2500, "assistant": 2900})["lapsed"][0][:2] == (
        seller, "creation")
    assert not subscriptions.is_active(db, seller, "creation", "2027-01")
    assert subscriptions.paid_months(db, seller, "creation") == ["2026-11", "2026-12"]
    assert payouts.reconciliation(db)["ok"]


@pytest.mark.parametrize("args, message", [
    (("gold", "2026-11", 2500, "card"), "unknown plan"), (("creation", "2026-13", 2500, "card"), "YYYY-MM"),
    (("creation", "2026-11", -1, "card"), "positive"), (("creation", "2026-11", 2500, "cash"), "card"),
])
def test_bad_plan_payments_are_refused(db, people, args, message):
    before = snapshot(db)
    with pytest.raises(ledger.LedgerError, match=message):
        subscriptions.pay_plan(db, people["seller"], *args)
    with pytest.raises(ledger.LedgerError, match="not a creator"):
        subscriptions.pay_plan(db, people["buyer"], "creation", "2026-11", 2500, "card")
    assert snapshot(db) == before


def test_months_roll_over():
    assert subscriptions.next_month("2026-12") == "2027-01"
    assert subscriptions._previous_month("2027-01") == "2026-12"
    assert subscriptions.current_month(datetime.date(2026, 3, 9)) == "2026-03"


def _backdate_sales(db, people, seller_key, cents_by_date):
    """Sales on given dates: entries are written now, then copied with a past date (tests only)."""
    for i, (day, cents) in enumerate(cents_by_date):
        sell(db, people, f"{seller_key}-{i}", price=cents)
    db.execute("DROP TRIGGER ledger_entries_no_update")
    for i, (day, _) in enumerate(cents_by_date):
        db.execute("UPDATE ledger_entries SET created_at = ? WHERE idempotency_key = ?",
                   [day + "T12:00:00+00:00", f"{seller_key}-{i}"])


def test_equity_qualifies_on_growth_or_size_after_a_year(db, people):
    rules = equity.Rules(min_years=1, earnings_cents=30_000, growth_bps=1000, alt_earnings_cents=100_000,
                         grant_cents=250_000, grant_years=4)
    ledger.top_up(db, people["buyer"], 1_000_000, "card-2")
    today = datetime.date(2026, 11, 23)
    db.execute("UPDATE users SET created_at = '2024-06-01T00:00:00+00:00' WHERE id = ?", [people["seller"]])
    _backdate_sales(db, people, "s", [("2025-06-01", 30_000), ("2026-06-01", 40_000)])  # shares 25,500 / 34,000
    rows = {r["username"]: r for r in equity.assess(db, rules, today)}
    mara, olu = rows["mara"], rows["olu"]
    assert (mara["earnings_cents"], mara["previous_cents"]) == (34_000, 25_500)
    assert mara["qualifies"] and mara["growth_bps"] == 3333
    assert [g["cents"] for g in mara["grants"]] == [250_000] * 4
    assert not olu["qualifies"] and olu["why_not"] == "tenure under the minimum" and olu["grants"] == []
    assert not equity.assess(db, dataclasses_replace(rules, earnings_cents=40_000), today)[0]["qualifies"]
    assert equity.assess(db, dataclasses_replace(rules, earnings_cents=40_000, alt_earnings_cents=34_000),
                         today)[0]["qualifies"]
    assert "$2,500 of shares a year for 4 years" in rules.describe()


def dataclasses_replace(rules, **changes):
    import dataclasses
    return dataclasses.replace(rules, **changes)


def test_a_one_cent_refund_that_is_all_fee_is_written(db, people):
    generation = sell(db, people, "g1", price=7)  # fee 1, share 6
    ledger.refund_generation(db, generation["id"], "r1", amount_cents=6)  # fee part 0, share 6
    last = ledger.refund_generation(db, generation["id"], "r2")  # the last cent: all fee, no share
    assert [p["account"] for p in json.loads(last["postings"])] == [
        ledger.wallet_account(people["buyer"]), ledger.FEES]
    assert ledger.balance(db, ledger.FEES) == 0 and ledger.earnings_balance(db, people["seller"]) == 0
