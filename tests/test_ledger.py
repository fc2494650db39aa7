"""The ledger core: balanced, append-only (enforced by SQLite), idempotent, never overdrawn."""

import json
import sqlite3
import threading

import pytest

from storage import ledger, open_db, users
from tests.published import published_model

FEE_BPS = 1500


@pytest.fixture
def db(tmp_path):
    db = open_db(tmp_path / "ledger.db")
    ledger.ensure_platform_accounts(db)
    return db


@pytest.fixture
def people(db):
    buyer = users.create_user(db, "bea", "password1", "buyer")
    seller = users.create_user(db, "mara", "password1", "seller")
    for user in (buyer, seller):
        ledger.ensure_user_accounts(db, user)
    version = _model_version(db, seller["id"])
    return buyer["id"], seller["id"], version


def _model_version(db, seller_id):
    return published_model(db, seller_id, 250)[1]


def charge(db, people, key, price=250):
    buyer, seller, version = people
    return ledger.charge_generation(db, buyer, seller, version, price, FEE_BPS, key,
                                    json.dumps({"brief": "x"}), "out.txt")


def counts(db):
    return {t: db[t].count for t in ("ledger_entries", "ledger_postings", "generations")}


def test_top_up_credits_the_wallet_once_per_key(db, people):
    buyer = people[0]
    first = ledger.top_up(db, buyer, 5000, "card-1")
    again = ledger.top_up(db, buyer, 5000, "card-1")
    assert (first["replayed"], again["replayed"], again["id"]) == (False, True, first["id"])
    assert ledger.wallet_balance(db, buyer) == 5000
    assert ledger.balance(db, ledger.CASH) == 5000


def test_a_reused_key_with_another_amount_is_refused(db, people):
    ledger.top_up(db, people[0], 5000, "card-1")
    with pytest.raises(ledger.IdempotencyConflict, match="different charge"):
        ledger.top_up(db, people[0], 4000, "card-1")
    assert ledger.wallet_balance(db, people[0]) == 5000


def test_generation_charge_splits_price_between_creator_and_platform(db, people):
    buyer, seller, _ = people
    ledger.top_up(db, buyer, 1000, "card-1")
    generation = charge(db, people, "gen-1", price=250)
    fee = 250 * FEE_BPS // 10_000
    assert generation["ledger_entry_id"] is not None and generation["status"] == "done"
    assert ledger.wallet_balance(db, buyer) == 750
    assert ledger.earnings_balance(db, seller) == 250 - fee
    assert -ledger.balance(db, ledger.FEES) == fee
    assert ledger.check_invariants(db)["ok"]


def test_replaying_a_generation_key_charges_once(db, people):
    ledger.top_up(db, people[0], 1000, "card-1")
    first = charge(db, people, "gen-1")
    second = charge(db, people, "gen-1")
    assert second["replayed"] and second["id"] == first["id"]
    assert ledger.wallet_balance(db, people[0]) == 750
    with pytest.raises(ledger.IdempotencyConflict):
        charge(db, people, "gen-1", price=300)


def test_an_empty_wallet_is_not_charged_and_nothing_is_written(db, people):
    ledger.top_up(db, people[0], 100, "card-1")
    before = counts(db)
    with pytest.raises(ledger.InsufficientFunds, match="top up"):
        charge(db, people, "gen-1", price=250)
    assert counts(db) == before
    assert ledger.wallet_balance(db, people[0]) == 100


def test_the_same_key_sent_three_times_at_once_charges_once(tmp_path, db, people):
    ledger.top_up(db, people[0], 1000, "card-1")
    path = tmp_path / "ledger.db"
    results, errors = [], []

    def worker():
        try:
            results.append(charge(open_db(path), people, "gen-race"))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len({r["id"] for r in results}) == 1
    assert sorted(r["replayed"] for r in results) == [False, True, True]
    assert ledger.wallet_balance(db, people[0]) == 750


@pytest.mark.parametrize("statement", [
    "UPDATE ledger_entries SET memo = 'edited'",
    "DELETE FROM ledger_entries",
    "UPDATE ledger_postings SET amount_cents = 1",
    "DELETE FROM ledger_postings",
])
def test_the_database_refuses_to_change_history(db, people, statement):
    ledger.top_up(db, people[0], 1000, "card-1")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute(statement)
    assert ledger.wallet_balance(db, people[0]) == 1000


def _raw_entry(db, postings, key="raw"):
    db.execute("INSERT INTO ledger_entries (created_at, kind, idempotency_key, fingerprint, postings)"
               " VALUES ('now', 'raw', ?, 'f', ?)", [key, json.dumps(postings)])


@pytest.mark.parametrize("postings, message", [
    ([{"account": "platform:cash", "amount": 500}, {"account": "platform:fees", "amount": -400}],
     "does not balance"),
    ([{"account": "platform:cash", "amount": 500}], "at least two"),
    ([{"account": "platform:cash", "amount": 5.5}, {"account": "platform:fees", "amount": -5.5}],
     "integer cents"),
    ([{"account": "platform:cash", "amount": 500}, {"account": "nowhere", "amount": -500}],
     "unknown account"),
])
def test_the_database_refuses_bad_entries_written_by_hand(db, postings, message):
    with pytest.raises(sqlite3.IntegrityError, match=message):
        _raw_entry(db, postings)
    assert db["ledger_entries"].count == 0


def test_postings_cannot_be_forged_outside_their_entry(db, people):
    entry = ledger.top_up(db, people[0], 1000, "card-1")
    with pytest.raises(sqlite3.IntegrityError, match="written only by their entry"):
        db.execute("INSERT INTO ledger_postings VALUES (?, 2, 'platform:cash', 1000)", [entry["id"]])


def test_invariant_check_recomputes_from_postings(db, people):
    ledger.top_up(db, people[0], 1000, "card-1")
    charge(db, people, "gen-1")
    result = ledger.check_invariants(db)
    assert result["ok"] and result["trial_balance_cents"] == 0


def test_fee_rounds_in_the_creators_favour():
    assert ledger.split_fee(999, 1500) == (149, 850)
    assert ledger.split_fee(1, 1500) == (0, 1)
