"""Orders: a licence unlocks the clean file for its buyer only; the human and blends wait in
escrow through their states; refunds and cancellations return the money; the books reconcile
after every step, and refused steps change nothing."""

import pytest

from engine.errors import Forbidden, InvalidInput, NotFound, PaymentError
from storage import creators, ledger, payouts, users
from tests.test_engine import market  # noqa: F401  (a $2.50 text model, a buyer with $10)


def books(engine) -> dict:
    return {a["id"]: a["balance_cents"] for a in ledger.account_balances(engine.db)}


def reconciled(engine) -> bool:
    return payouts.reconciliation(engine.db)["ok"] and ledger.check_invariants(engine.db)["ok"]


@pytest.fixture
def shop(market):  # noqa: F811
    engine, seller = market["engine"], market["seller"]
    engine.set_order_prices(seller, market["model"], licence_cents=400, blend_cents=600)
    other = users.create_user(engine.db, "otto", "password1", "buyer")
    ledger.ensure_user_accounts(engine.db, other)
    engine.top_up(other, 5000, "card-otto")
    gig = creators.create_gig(engine.db, seller["id"], "Launch copy", "Words for launches",
                              [{"tier": "basic", "name": "One page", "price_cents": 300, "delivery_days": 3,
                                "revisions": 1}])
    package = gig["packages"][0]["id"]
    sample = engine.generate(market["buyer"], market["model"], {"brief": "bread"}, "gen-1")
    return {**market, "other": other, "package": package, "sample": sample}


def test_a_licence_charges_once_and_opens_the_clean_file_to_its_buyer_only(shop):
    engine, buyer, other, sample = shop["engine"], shop["buyer"], shop["other"], shop["sample"]
    with pytest.raises(Forbidden, match="License this sample first"):
        engine.licensed_file(buyer, sample["id"])
    order = engine.license_sample(buyer, sample["id"], "lic-1")
    assert (order["kind"], order["status"], order["price_cents"]) == ("licence", "completed", 400)
    assert engine.wallet(buyer) == 1000 - 250 - 400
    assert engine.licensed_file(buyer, sample["id"]).read_text() == "BREAD"
    assert engine.license_sample(buyer, sample["id"], "lic-2")["id"] == order["id"]  # already held
    assert engine.wallet(buyer) == 350
    with pytest.raises(NotFound):
        engine.licensed_file(other, sample["id"])
    with pytest.raises(NotFound):
        engine.license_sample(other, sample["id"], "lic-3")
    found = engine.verify(buyer, path=engine.licensed_file(buyer, sample["id"]))
    assert [(l["order_id"], l["signature_ok"]) for l in found["licences"]] == [(order["id"], True)]
    assert reconciled(engine)
    # 15 % fee: the creator earns 340 of the licence
    assert payouts.creator_balances(engine.db)[0]["earned_cents"] == 250 - 37 + 340


def test_the_human_is_paid_from_escrow_only_when_the_buyer_accepts_the_delivery(shop):
    engine, buyer, seller = shop["engine"], shop["buyer"], shop["seller"]
    order = engine.order_human(buyer, shop["package"], "A page for our bakery launch", "hum-1")
    assert order["status"] == "requested" and engine.wallet(buyer) == 750 - 300
    assert engine.order_human(buyer, shop["package"], "again", "hum-1")["id"] == order["id"]
    assert -ledger.balance(engine.db, ledger.ESCROW) == 300 and reconciled(engine)
    before = books(engine)
    for actor, step, error in ((buyer, "accepted", "only the seller"), (seller, "completed", "cannot become"),
                               (seller, "delivered", "only an accepted order")):
        with pytest.raises(InvalidInput, match=error):
            engine.order_step(actor, order["id"], step, note="x")
    assert books(engine) == before
    engine.order_step(seller, order["id"], "accepted")
    with pytest.raises(InvalidInput, match="a note or a file"):
        engine.order_step(seller, order["id"], "delivered")
    engine.order_step(seller, order["id"], "delivered", note="Here is your page.")
    assert [o["next"] for o in engine.orders(buyer)] == [["completed"]]
    done = engine.order_step(buyer, order["id"], "completed")
    assert done["status"] == "completed" and ledger.balance(engine.db, ledger.ESCROW) == 0
    assert ledger.earnings_balance(engine.db, seller["id"]) == 213 + 255
    assert reconciled(engine)
    engine.order_step(seller, order["id"], "refunded", note="goodwill")
    assert engine.wallet(buyer) == 750 and ledger.earnings_balance(engine.db, seller["id"]) == 213
    assert reconciled(engine)
    assert [e["status"] for e in engine.db.query(
        "SELECT status FROM order_events WHERE order_id = ? ORDER BY id", [order["id"]])] == [
        "requested", "accepted", "delivered", "completed", "refunded"]


def test_cancelling_or_refunding_before_completion_returns_the_escrow(shop):
    engine, buyer, seller = shop["engine"], shop["buyer"], shop["seller"]
    first = engine.order_blend(buyer, shop["sample"]["id"], "Finish it by hand", "blend-1")
    assert first["price_cents"] == 600 and engine.wallet(buyer) == 150
    engine.order_step(buyer, first["id"], "cancelled")
    assert engine.wallet(buyer) == 750
    second = engine.order_blend(buyer, shop["sample"]["id"], "Try again", "blend-2")
    engine.order_step(seller, second["id"], "accepted")
    with pytest.raises(InvalidInput, match="only the seller"):
        engine.order_step(buyer, second["id"], "cancelled")
    engine.order_step(seller, second["id"], "delivered", note="draft")
    engine.order_step(seller, second["id"], "refunded")
    assert engine.wallet(buyer) == 750 and reconciled(engine)
    assert ledger.earnings_balance(engine.db, seller["id"]) == 213


def test_what_a_creator_does_not_offer_or_a_wallet_cannot_cover_is_refused_unchanged(shop):
    engine, buyer, seller = shop["engine"], shop["buyer"], shop["seller"]
    engine.set_order_prices(seller, shop["model"], licence_cents=0, blend_cents=0)
    before = books(engine)
    with pytest.raises(InvalidInput, match="does not license"):
        engine.license_sample(buyer, shop["sample"]["id"], "lic-x")
    with pytest.raises(InvalidInput, match="blend"):
        engine.order_blend(buyer, shop["sample"]["id"], "", "blend-x")
    engine.set_order_prices(seller, shop["model"], licence_cents=5000, blend_cents=0)
    with pytest.raises(PaymentError, match="top up"):
        engine.license_sample(buyer, shop["sample"]["id"], "lic-y")
    with pytest.raises(InvalidInput, match="between"):
        engine.set_order_prices(seller, shop["model"], licence_cents=-1, blend_cents=0)
    with pytest.raises(NotFound):
        engine.order_human(buyer, 999, "", "hum-x")
    with pytest.raises(NotFound, match="not one of yours"):
        engine.set_order_prices(seller, 999, licence_cents=100, blend_cents=0)
    with pytest.raises(Forbidden):
        engine.license_sample(seller, shop["sample"]["id"], "lic-z")
    assert books(engine) == before and engine.db["orders"].count == 0


@pytest.fixture
def admin(shop):
    return users.create_user(shop["engine"].db, "root", "password1", "admin")


def test_an_admin_settles_what_one_party_leaves_hanging(shop, admin, tmp_path):
    engine, buyer, seller = shop["engine"], shop["buyer"], shop["seller"]
    stuck = engine.order_human(buyer, shop["package"], "A page", "hum-a")
    engine.order_step(seller, stuck["id"], "accepted")
    with pytest.raises(InvalidInput, match="only the seller"):
        engine.order_step(buyer, stuck["id"], "cancelled")
    engine.order_step(admin, stuck["id"], "cancelled", note="the creator went quiet")
    assert engine.wallet(buyer) == 750
    silent = engine.order_blend(buyer, shop["sample"]["id"], "Finish it", "blend-a")
    engine.order_step(seller, silent["id"], "accepted")
    assert engine.blend_sample(seller, silent["id"]).read_text() == "BREAD"
    with pytest.raises(InvalidInput, match="only the seller"):  # admins settle, they do not deliver
        engine.order_step(admin, silent["id"], "delivered", note="x")
    with pytest.raises(NotFound):
        engine.blend_sample(admin, stuck["id"])  # not a blend
    delivery = tmp_path / "final.txt"
    delivery.write_text("The finished copy, edited by hand for launch day.")
    engine.order_step(seller, silent["id"], "delivered", note="Here it is", delivery_file=str(delivery))
    files = sorted((engine.settings.data_dir / "deliveries").rglob("*"))
    with pytest.raises(InvalidInput, match="only an accepted order"):
        engine.order_step(seller, silent["id"], "delivered", note="again", delivery_file=str(delivery))
    assert sorted((engine.settings.data_dir / "deliveries").rglob("*")) == files  # nothing left behind
    engine.order_step(admin, silent["id"], "completed", note="accepted on the buyer's behalf")
    assert ledger.earnings_balance(engine.db, seller["id"]) == 213 + 510
    assert [o["id"] for o in engine.orders(admin)] == [silent["id"], stuck["id"]]
    assert engine.orders(admin)[0]["next"] == ["refunded"]
    assert engine.delivery_file(buyer, silent["id"]).read_text().startswith("The finished copy")
    engine.order_step(seller, silent["id"], "refunded")
    with pytest.raises(Forbidden, match="no longer yours"):
        engine.delivery_file(buyer, silent["id"])
    assert reconciled(engine)


def test_a_request_id_belongs_to_one_buyer_and_one_kind_of_order(shop):
    engine, buyer, other = shop["engine"], shop["buyer"], shop["other"]
    engine.order_human(buyer, shop["package"], "A page", "same-key")
    before = books(engine)
    with pytest.raises(InvalidInput, match="already used for another order"):
        engine.order_human(other, shop["package"], "Mine", "same-key")
    with pytest.raises(InvalidInput, match="already used for another order"):
        engine.order_blend(buyer, shop["sample"]["id"], "", "same-key")
    assert books(engine) == before


def test_only_marked_samples_of_published_models_can_be_licensed(shop):
    engine, buyer, seller = shop["engine"], shop["buyer"], shop["seller"]
    engine.db.execute("INSERT INTO generations (model_version_id, buyer_id, request, status, price_cents, "
                      "idempotency_key, created_at) SELECT model_version_id, buyer_id, request, status, 0, "
                      "'old-one', created_at FROM generations WHERE id = ?", [shop["sample"]["id"]])
    old = engine.db.execute("SELECT id FROM generations WHERE idempotency_key = 'old-one'").fetchone()[0]
    with pytest.raises(InvalidInput, match="before samples carried a provenance record"):
        engine.license_sample(buyer, old, "lic-old")
    engine.disable(seller, shop["model"])
    with pytest.raises(NotFound, match="disabled or deleted"):
        engine.license_sample(buyer, shop["sample"]["id"], "lic-off")
