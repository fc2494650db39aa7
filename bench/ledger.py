"""Ledger benchmark: purchases per second from one process and from 8 processes at once, and
the invariant check afterwards. Each purchase is one `charge_generation` (a BEGIN IMMEDIATE
transaction writing the entry, its postings and the generation); every tenth is retried once
with the same key (a replay, not counted). Runs on a temporary data dir through the storage
API, without the demo data or any model. Prints one JSON object as its last line.
Usage: python bench/ledger.py [purchases per process, default 1250]
"""

import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from storage import ledger, open_db, payouts  # noqa: E402
from tests import ledger_load  # noqa: E402


def measure(path: Path, processes: int, each: int) -> dict:
    result = ledger_load.run(path, processes, each)
    db = open_db(path)
    errors = [e for r in result["reports"] for e in r["errors"]]
    total = processes * each
    checks = ledger.check_invariants(db)
    ok = (checks["ok"] and payouts.reconciliation(db)["ok"] and not errors
          and db["generations"].count == total
          and sum(r["replays_ok"] for r in result["reports"]) == processes * len(range(0, each, 10)))
    db.close()
    return {"purchases": total, "seconds": round(result["seconds"], 2),
            "per_s": round(total / result["seconds"], 1), "errors": errors[:5], "ok": ok}


def main() -> None:
    each = int(sys.argv[1]) if len(sys.argv) > 1 else 1250
    with tempfile.TemporaryDirectory() as tmp:
        one = measure(Path(tmp) / "one.db", 1, each * 8)
        print(json.dumps({"one_process": one}))
        eight = measure(Path(tmp) / "eight.db", 8, each)
        print(json.dumps({"eight_processes": eight}))
    print(json.dumps({"purchases_per_s_1proc": one["per_s"], "purchases_per_s_8proc": eight["per_s"],
                      "purchases_1proc": one["purchases"], "purchases_8proc": eight["purchases"],
                      "errors_8proc": len(eight["errors"]), "invariants_ok": one["ok"] and eight["ok"]}))


if __name__ == "__main__":
    main()
