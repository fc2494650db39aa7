"""Deleting a personal model: buyers lose it at once, its files, checkpoints and cached copies
go, the portfolio only when asked, and the creator gets a receipt; the ledger keeps every entry
and buyers keep what they bought."""

import pytest

from engine import Engine
from engine.errors import InvalidInput, NotFound
from storage import ledger, portfolio, users
from tests.conftest import make_settings
from tests.voice_market import force_published, needs_voice, upload_recordings, voice_seller

pytestmark = needs_voice
SCRIPT = "Fresh bread every morning, baked around the corner."


@pytest.fixture
def market(tmp_path, voice_profile):
    """Ravi's published voice with 5 recordings, a training checkpoint on disk, and a buyer who
    has bought one clip."""
    engine = Engine(make_settings(tmp_path / "data"))
    seller = voice_seller(engine)
    upload_recordings(engine, seller, tmp_path / "takes", count=5)
    buyer = users.create_user(engine.db, "bea", "password1", "buyer")
    ledger.ensure_user_accounts(engine.db, buyer)
    engine.top_up(buyer, 2000, "card")
    model = force_published(engine, seller, voice_profile)
    job = engine.jobs.submit("train_voice", seller["id"], f"model:{model['id']}", {"model_id": model["id"]})
    engine.db["jobs"].update(job["id"], {"status": "done"})
    checkpoint = engine.jobs.checkpoint_dir(job["id"]) / "profile.npz"
    checkpoint.parent.mkdir(parents=True)
    checkpoint.write_bytes(b"x" * 1000)
    clip = engine.speak(buyer, model["id"], SCRIPT, "bought-1")
    return {"engine": engine, "seller": seller, "buyer": buyer, "model": model, "clip": clip,
            "checkpoint": checkpoint}


def test_delete_removes_files_and_access_and_keeps_the_ledger(market):
    engine, seller, buyer, model = market["engine"], market["seller"], market["buyer"], market["model"]
    data = engine.settings.data_dir
    entries = engine.db["ledger_entries"].count
    balances = (ledger.wallet_balance(engine.db, buyer["id"]), ledger.earnings_balance(engine.db, seller["id"]))

    receipt = engine.delete_model(seller, model["id"])

    assert engine.db["models"].get(model["id"])["status"] == "deleted"
    assert not (data / "models" / str(model["id"])).exists() and not market["checkpoint"].exists()
    assert [r["path"] for r in receipt["removed"]] == [f"models/{model['id']}", str(
        market["checkpoint"].parent.relative_to(data))]
    assert receipt["files"] == 2 and receipt["bytes"] > 1000 and receipt["cached_copies_dropped"] == 1
    assert receipt["kept"] == {"paid_generations": 1} and receipt["failed"] == []
    assert receipt["portfolio_items_removed"] == 0 and len(portfolio.items_for(engine.db, seller["id"])) == 5
    with pytest.raises(NotFound):
        engine.speak(buyer, model["id"], SCRIPT, "after-delete")
    assert engine.published_models("voice") == []
    assert engine.studio_model(seller)["model"] is None  # the Studio starts afresh
    assert (data / engine.db["generations"].get(market["clip"]["id"])["output_path"]).is_file()
    assert engine.db["ledger_entries"].count == entries
    assert (ledger.wallet_balance(engine.db, buyer["id"]), ledger.earnings_balance(engine.db, seller["id"])) == balances
    assert ledger.check_invariants(engine.db)["ok"]
    events = [e for e in engine.db["audit_log"].rows if e["action"] == "model.delete"]
    assert len(events) == 1 and events[0]["target"] == f"model:{model['id']}"
    with pytest.raises(NotFound):
        engine.delete_model(seller, model["id"])  # once only


def test_delete_can_purge_the_portfolio(market):
    engine, seller = market["engine"], market["seller"]
    files = [engine.settings.data_dir / i["file_path"] for i in portfolio.items_for(engine.db, seller["id"])]
    receipt = engine.delete_model(seller, market["model"]["id"], purge_portfolio=True)
    assert receipt["portfolio_items_removed"] == 5 and receipt["files"] == 2 + 5
    assert portfolio.items_for(engine.db, seller["id"]) == [] and not any(f.exists() for f in files)


def test_a_training_model_or_someone_elses_is_not_deleted(market):
    engine, seller, model = market["engine"], market["seller"], market["model"]
    other = voice_seller(engine, "ines", "Inès Laurent")
    with pytest.raises(NotFound):
        engine.delete_model(other, model["id"])
    engine.jobs.submit("train_voice", seller["id"], f"model:{model['id']}", {"model_id": model["id"]})
    with pytest.raises(InvalidInput, match="cancel the training first"):
        engine.delete_model(seller, model["id"])
    assert engine.db["models"].get(model["id"])["status"] == "published"
    assert (engine.settings.data_dir / "models" / str(model["id"])).is_dir()


def test_another_creators_model_keeps_its_files_and_cached_copy(market, voice_profile):
    engine, buyer = market["engine"], market["buyer"]
    other = voice_seller(engine, "ines", "Inès Laurent")
    for _ in range(9):  # up to model 10: folder "models/1" is a prefix of "models/10"
        kept = force_published(engine, other, voice_profile)
    engine.speak(buyer, kept["id"], SCRIPT, "kept-1")
    receipt = engine.delete_model(market["seller"], market["model"]["id"])
    assert market["model"]["id"] == 1 and kept["id"] == 10 and receipt["cached_copies_dropped"] == 1
    assert (engine.settings.data_dir / "models" / "10" / "v1" / "profile.npz").is_file()
    assert engine.speak(buyer, kept["id"], SCRIPT, "kept-2")["price_cents"] == 120


def test_what_cannot_be_removed_is_listed_and_the_model_stays_deleted(market, monkeypatch):
    from engine import model_deletion

    real = model_deletion.shutil.rmtree

    def stuck(path, *args, **kwargs):
        if "jobs" in str(path):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(model_deletion.shutil, "rmtree", stuck)
    engine = market["engine"]
    receipt = engine.delete_model(market["seller"], market["model"]["id"])
    assert [f["path"] for f in receipt["failed"]] == [str(market["checkpoint"].parent.relative_to(engine.settings.data_dir))]
    assert "Permission denied" in receipt["failed"][0]["error"] and receipt["files"] == 1
    assert engine.db["models"].get(market["model"]["id"])["status"] == "deleted"
    assert receipt["cached_copies_dropped"] == 1
