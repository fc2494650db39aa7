"""The ledger under concurrency: racing idempotency keys, and 10,000 purchases from 8 processes."""

import json
import threading

import pytest

from storage import ledger, open_db, payouts
from tests import ledger_load


def test_one_key_sent_at_once_with_two_amounts_charges_once_and_refuses_the_other(tmp_path):
    path = tmp_path / "race.db"
    people = ledger_load.setup(path, 1, 10)
    buyer = people["buyers"][0]
    outcomes, barrier = [], threading.Barrier(6)

    def worker(price):
        db = open_db(path)
        barrier.wait()
        try:
            row = ledger.charge_generation(db, buyer, people["seller"], people["version"], price, 1500,
                                           "same-key", json.dumps({"brief": "x"}), None, "x")
            outcomes.append((price, "replayed" if row["replayed"] else "charged"))
        except ledger.IdempotencyConflict:
            outcomes.append((price, "refused"))

    threads = [threading.Thread(target=worker, args=(price,)) for price in (250, 250, 250, 300, 300, 300)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db = open_db(path)
    assert db["generations"].count == 1
    winner = db["generations"].get(1)["price_cents"]
    loser = 300 if winner == 250 else 250
    assert sorted(o for p, o in outcomes if p == winner) == ["charged", "replayed", "replayed"]
    assert [o for p, o in outcomes if p == loser] == ["refused"] * 3
    assert ledger.wallet_balance(db, buyer) == 2500 - winner
    assert ledger.check_invariants(db)["ok"]


@pytest.mark.slow
def test_ten_thousand_purchases_from_eight_processes(tmp_path):
    result = ledger_load.run(tmp_path / "load.db", processes=8, purchases_each=1250)
    assert [r["errors"] for r in result["reports"]] == [[]] * 8  # no "database is locked" reached a caller
    assert [r["replays_ok"] for r in result["reports"]] == [125] * 8
    db = open_db(tmp_path / "load.db")
    assert db["generations"].count == 10_000
    assert db.execute("SELECT COUNT(*) FROM ledger_entries WHERE kind = 'generation'").fetchone()[0] == 10_000
    assert db.execute("SELECT COUNT(DISTINCT idempotency_key) FROM generations").fetchone()[0] == 10_000
    assert all(ledger.wallet_balance(db, b) == 0 for b in result["buyers"])
    assert ledger.earnings_balance(db, result["seller"]) == 10_000 * (250 - 37)
    assert ledger.check_invariants(db)["ok"] and payouts.reconciliation(db)["ok"]
