"""`kill -9` of the writer at random points during 1,000 purchases leaves an intact database with
no charge without a generation and no generation without a charge."""

import contextlib
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from storage import ledger, open_db
from tests import ledger_load

ROOT = Path(__file__).resolve().parents[1]
WRITER = """
import json, sys
sys.path.insert(0, {root!r})
from storage import ledger, open_db
db = open_db({path!r})
for n in range({start}, {total}):
    ledger.charge_generation(db, {buyer}, {seller}, {version}, 250, 1500, f"k-{{n}}",
                             json.dumps({{"n": n}}), None, "x")
"""


def _count(path) -> int:
    """Generations committed so far, read without taking the writer's lock."""
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)) as db:
        return db.execute("SELECT COUNT(*) FROM generations").fetchone()[0]


@pytest.mark.slow
def test_killing_the_writer_mid_purchase_never_splits_a_charge_from_its_generation(tmp_path):
    path, total, rng = tmp_path / "kill.db", 1000, random.Random(7)
    people = ledger_load.setup(path, 1, total)
    # Kill points are purchase counts, not times, so a fast or a slow machine kills as often;
    # the last writer runs to the end.
    kills, progress = 0, []
    for attempt in range(6):
        done = _count(path)
        progress.append(done)
        target = done + rng.randint(30, 150) if attempt < 5 else total
        # Resume where the killed writer stopped: every key below `done` is already in (or replays).
        script = WRITER.format(root=str(ROOT), path=str(path), start=done, total=total,
                               buyer=people["buyers"][0], seller=people["seller"], version=people["version"])
        writer = subprocess.Popen([sys.executable, "-c", script])
        while writer.poll() is None and _count(path) < target:
            time.sleep(rng.uniform(0.001, 0.01))
        if writer.poll() is None:
            writer.kill()
            kills += 1
        writer.wait()
    progress.append(_count(path))
    assert kills >= 3
    assert sum(0 < a < b < total for a, b in zip(progress, progress[1:])) >= 2, progress  # killed mid-run
    db = open_db(path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    checks = ledger.check_invariants(db)
    assert checks["ok"] and checks["charges_without_generation"] == 0
    assert db.execute("SELECT COUNT(*) FROM generations WHERE price_cents > 0 AND ledger_entry_id IS NULL"
                      ).fetchone()[0] == 0
    assert db["generations"].count == total
    assert db.execute("SELECT COUNT(*) FROM ledger_entries WHERE kind = 'generation'").fetchone()[0] == total
    assert ledger.wallet_balance(db, people["buyers"][0]) == 0
