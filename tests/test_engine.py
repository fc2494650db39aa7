"""The engine facade: settings, the backend registry, paid generation, gigs and topics."""

import json
from pathlib import Path

import pytest

from engine import Engine, Settings
from engine.errors import Forbidden, InvalidInput, MissingBackend, NotFound, PaymentError
from engine.registry import BackendRegistry
from storage import creators, ledger, users
from tests.published import published_model


def test_settings_come_from_signature_environment_variables(tmp_path):
    settings = Settings.from_env({"SIGNATURE_DATA_DIR": str(tmp_path), "SIGNATURE_PROFILE": "hub",
                                  "SIGNATURE_THREADS": "2", "SIGNATURE_DEMO_DATA": "false",
                                  "SIGNATURE_FEE_BPS": "1000"})
    assert (settings.data_dir, settings.profile, settings.threads) == (tmp_path, "hub", 2)
    assert (settings.demo_data, settings.fee_bps) == (False, 1000)
    assert settings.db_path == tmp_path / "signature.db"
    assert Settings.from_env({}) == Settings()


@pytest.mark.parametrize("env, message", [
    ({"SIGNATURE_PROFILE": "cloud"}, "SIGNATURE_PROFILE must be one of"),
    ({"SIGNATURE_THREADS": "two"}, "SIGNATURE_THREADS must be a int"),
    ({"SIGNATURE_DEMO_DATA": "maybe"}, "true or false"),
    ({"SIGNATURE_FEE_BPS": "20000"}, "between 0 and 10000"),
])
def test_bad_settings_say_what_to_fix(env, message):
    with pytest.raises(ValueError, match=message):
        Settings.from_env(env)


class EchoBackend:
    """A tiny text backend for the tests: writes the brief back, or fails on request."""
    loads = 0

    def __init__(self, settings):
        EchoBackend.loads += 1
        self.settings = settings

    def generate(self, model, request):
        if request.get("fail"):
            raise RuntimeError("the model crashed")
        path = Path(self.settings.data_dir) / f"out-{len(request['brief'])}.txt"
        path.write_text(request["brief"].upper())
        return path


def test_backends_load_lazily_once_and_missing_ones_name_the_fix(settings):
    registry = BackendRegistry(settings, factories={})
    with pytest.raises(MissingBackend, match="No text model backend .* 'embedded' profile"):
        registry.get("text")
    EchoBackend.loads = 0
    registry.register("text", "embedded", EchoBackend)
    assert EchoBackend.loads == 0
    assert registry.get("text") is registry.get("text")
    assert EchoBackend.loads == 1
    with pytest.raises(ValueError):
        registry.register("video", "embedded", EchoBackend)


def test_a_backend_named_by_a_missing_module_says_how_to_install(settings):
    registry = BackendRegistry(settings, factories={("text", "embedded"): "no_such_package.x:Backend"})
    with pytest.raises(MissingBackend, match="pip install -r requirements.txt"):
        registry.get("text")


@pytest.fixture
def market(engine):
    """A published text model priced at $2.50 and a buyer with $10."""
    engine.backends.register("text", "embedded", EchoBackend)
    seller = users.create_user(engine.db, "juniper", "password1", "seller")
    buyer = users.create_user(engine.db, "bea", "password1", "buyer")
    for user in (seller, buyer):
        ledger.ensure_user_accounts(engine.db, user)
    model, _ = published_model(engine.db, seller["id"], 250)
    engine.top_up(buyer, 1000, "card-1")
    return {"engine": engine, "seller": seller, "buyer": buyer, "model": model}


def test_a_generation_is_charged_once_and_recorded_with_its_output(market):
    engine, buyer = market["engine"], market["buyer"]
    generation = engine.generate(buyer, market["model"], {"brief": "launch copy"}, "gen-1")
    assert Path(generation["output_path"]).read_text() == "LAUNCH COPY"
    replay = engine.generate(buyer, market["model"], {"brief": "launch copy"}, "gen-1")
    assert replay["replayed"] and replay["id"] == generation["id"]
    assert engine.wallet(buyer) == 750
    assert json.loads(generation["request"]) == {"brief": "launch copy"}


def test_a_failed_generation_is_not_charged(market):
    engine, buyer = market["engine"], market["buyer"]
    with pytest.raises(RuntimeError, match="crashed"):
        engine.generate(buyer, market["model"], {"brief": "x", "fail": True})
    assert engine.wallet(buyer) == 1000
    assert engine.db["generations"].count == 0


def test_generation_needs_a_buyer_funds_and_a_published_model(market):
    engine, buyer = market["engine"], market["buyer"]
    with pytest.raises(Forbidden):
        engine.generate(market["seller"], market["model"], {"brief": "x"})
    engine.db["models"].update(market["model"], {"status": "disabled"})
    with pytest.raises(NotFound, match="disabled"):
        engine.generate(buyer, market["model"], {"brief": "x"})
    engine.db["models"].update(market["model"], {"status": "published", "price_cents": 5000})
    with pytest.raises(PaymentError, match="top up"):
        engine.generate(buyer, market["model"], {"brief": "x"})
    assert engine.wallet(buyer) == 1000


def test_top_up_limits(engine):
    buyer = users.create_user(engine.db, "bea", "password1", "buyer")
    ledger.ensure_user_accounts(engine.db, buyer)
    for amount in (0, -5, 100_001):
        with pytest.raises(InvalidInput):
            engine.top_up(buyer, amount, f"k{amount}")
    assert engine.wallet(buyer) == 0


PACKAGES = [{"tier": "basic", "name": "One", "price_cents": 4500, "delivery_days": 3, "revisions": 1},
            {"tier": "premium", "name": "Three", "price_cents": 9000, "delivery_days": 5, "revisions": 2}]


def test_gigs_are_validated_and_owned(engine):
    mara = users.create_user(engine.db, "mara", "password1", "seller")
    theo = users.create_user(engine.db, "theo", "password1", "seller")
    gig = engine.save_gig(mara, None, "Posters", "Flat colour", PACKAGES)
    assert [p["price_cents"] for p in gig["packages"]] == [4500, 9000]
    for bad in ([], [{**PACKAGES[0], "price_cents": 0}], [PACKAGES[0], PACKAGES[0]],
                [{**PACKAGES[0], "delivery_days": "soon"}]):
        with pytest.raises(InvalidInput):
            engine.save_gig(mara, gig["id"], "Posters", "", bad)
    with pytest.raises(NotFound):
        engine.save_gig(theo, gig["id"], "Stolen", "", PACKAGES)
    with pytest.raises(NotFound):
        engine.remove_gig(theo, gig["id"])
    engine.remove_gig(mara, gig["id"])
    assert creators.gigs_for(engine.db, mara["id"]) == []


def test_trigger_topics_add_edit_remove(engine):
    mara = users.create_user(engine.db, "mara", "password1", "seller")
    topic = engine.save_topic(mara, None, "Rush orders", "can you do it by tomorrow\nurgent job", "rush, asap")
    assert topic["phrases"] == ["can you do it by tomorrow", "urgent job"]
    assert topic["words"] == ["rush", "asap"]
    edited = engine.save_topic(mara, topic["id"], "Rush jobs", "need it tonight", "")
    assert (edited["name"], edited["phrases"], edited["words"]) == ("Rush jobs", ["need it tonight"], [])
    with pytest.raises(InvalidInput, match="already have a topic"):
        engine.save_topic(mara, None, "rush jobs", "x", "")
    with pytest.raises(InvalidInput, match="at least one example"):
        engine.save_topic(mara, None, "Empty", "  ", " , ")
    engine.remove_topic(mara, topic["id"])
    assert engine.db["trigger_topics"].count == 0


def test_admin_creates_accounts_and_only_admins_do(engine):
    admin = users.create_user(engine.db, "root", "password1", "admin")
    buyer = engine.create_user(admin, "New.Buyer", "longenough", "buyer", "New Buyer")
    assert buyer["username"] == "new.buyer"
    assert ledger.wallet_balance(engine.db, buyer["id"]) == 0
    with pytest.raises(InvalidInput, match="taken"):
        engine.create_user(admin, "new.buyer", "longenough", "buyer")
    with pytest.raises(InvalidInput, match="8 characters"):
        engine.create_user(admin, "shorty", "short", "buyer")
    with pytest.raises(Forbidden):
        engine.create_user(buyer, "sneaky", "longenough", "admin")
    actions = [row["action"] for row in engine.admin_overview(admin)["audit"]]
    assert actions == ["user.create"]
