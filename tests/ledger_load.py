"""Many purchases from many processes against one database (for the slow ledger tests)."""

import json
import multiprocessing
import time

from storage import ledger, open_db, users
from tests.published import published_model

FEE_BPS = 1500
PRICE = 250


def setup(path, processes: int, purchases_each: int) -> dict:
    """A seller with a model version and one funded buyer per process."""
    db = open_db(path)
    ledger.ensure_platform_accounts(db)
    seller = users.create_user(db, "mara", "password1", "seller")
    ledger.ensure_user_accounts(db, seller)
    _, version = published_model(db, seller["id"], PRICE)
    buyers = []
    for i in range(processes):
        buyer = users.create_user(db, f"buyer{i}", "password1", "buyer")
        ledger.ensure_user_accounts(db, buyer)
        ledger.top_up(db, buyer["id"], PRICE * purchases_each, f"card-{i}")
        buyers.append(buyer["id"])
    db.close()
    return {"seller": seller["id"], "version": version, "buyers": buyers}


_BARRIER = None


def _ready(barrier) -> None:
    global _BARRIER
    _BARRIER = barrier


def buy(args) -> dict:
    """One process: `count` purchases with its own keys, every tenth retried once (a replay).
    Processes wait for each other after opening the database, so start-up is not timed."""
    path, seller, version, buyer, count = args
    db = open_db(path)
    if _BARRIER is not None:
        _BARRIER.wait()
    started = time.time()
    errors, replays_ok = [], 0
    for n in range(count):
        key = f"p{buyer}-{n}"
        try:
            first = ledger.charge_generation(db, buyer, seller, version, PRICE, FEE_BPS, key,
                                             json.dumps({"n": n}), None, "x")
            if n % 10 == 0:  # a client retry of the same request
                again = ledger.charge_generation(db, buyer, seller, version, PRICE, FEE_BPS, key,
                                                 json.dumps({"n": n}), None, "x")
                replays_ok += again["replayed"] and again["id"] == first["id"]
        except Exception as exc:  # reported to the caller, e.g. "database is locked"
            errors.append(f"{type(exc).__name__}: {exc}")
    ended = time.time()
    db.close()
    return {"errors": errors, "replays_ok": replays_ok, "started": started, "ended": ended}


def run(path, processes: int, purchases_each: int) -> dict:
    """Set up, buy from `processes` processes at once; returns timings and worker reports."""
    people = setup(path, processes, purchases_each)
    jobs = [(str(path), people["seller"], people["version"], b, purchases_each) for b in people["buyers"]]
    if processes == 1:
        reports = [buy(jobs[0])]
    else:
        context = multiprocessing.get_context("spawn")
        with context.Pool(processes, initializer=_ready, initargs=(context.Barrier(processes),)) as pool:
            reports = pool.map(buy, jobs, chunksize=1)
    elapsed = max(r["ended"] for r in reports) - min(r["started"] for r in reports)
    return {**people, "seconds": elapsed, "reports": reports}
