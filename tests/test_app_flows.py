"""What sellers and buyers do in the app, through gradio_client: uploads (good and bad), gigs,
trigger topics, wallet top-ups."""

import hashlib

import pytest
from gradio_client import handle_file
from gradio_client.exceptions import AppError

from storage import ledger, topics, users
from tests import uploads
from tests.conftest import login
from tests.voice_market import force_published, needs_voice


def state(server):
    engine = server["engine"]
    dump = hashlib.sha256("\n".join(engine.db.conn.iterdump()).encode()).hexdigest()
    files = sorted(str(p) for p in engine.settings.data_dir.rglob("*")
                   if p.is_file() and "cache" not in p.parts and not p.name.startswith("signature.db"))
    return dump, files


@pytest.mark.parametrize("seller, make, message", [
    ("mara", uploads.decompression_bomb, "far more pixels"),
    ("mara", uploads.html_as_png, "not an image"),
    ("ravi", uploads.truncated_wav, "truncated"),
    ("juniper", uploads.huge_text, "limited to 1.0 MB"),
])
def test_bad_uploads_show_a_clear_message_and_change_nothing(server, tmp_path, seller, make, message):
    client = login(server, seller)
    path = make(tmp_path)
    before = state(server)
    with pytest.raises(AppError, match=message):
        client.predict([handle_file(str(path))], "", "", False, True, api_name="/studio_upload")
    assert state(server) == before
    assert "pieces" in client.predict(api_name="/studio_load")[0]  # the app keeps serving


def test_a_mixed_batch_stores_the_good_file_and_reports_the_bad(server, tmp_path):
    client = login(server, "theo")
    good, bad = uploads.png(tmp_path, "fresh.png", colour=(10, 10, 40)), uploads.html_as_png(tmp_path)
    report, _, summary, _, rows = client.predict(
        [handle_file(str(good)), handle_file(str(bad))], "", "night piece", False, True,
        api_name="/studio_upload")
    assert "✅ **fresh.png** added" in report and "❌ **portfolio.png**" in report
    new = [r for r in rows["data"] if r[1] == "fresh"]
    assert len(new) == 1
    client.predict(new[0][0], api_name="/studio_remove")
    assert not any(r[1] == "fresh" for r in client.predict(api_name="/studio_load")[2]["data"])


def test_upload_without_attestation_is_refused(server, tmp_path):
    client = login(server, "theo")
    with pytest.raises(AppError, match="own this work"):
        client.predict([handle_file(str(uploads.png(tmp_path)))], "", "", False, False,
                       api_name="/studio_upload")


def test_seller_manages_gigs_and_trigger_topics(server):
    client = login(server, "harold")
    engine = server["engine"]
    harold = users.find_user(engine.db, "harold")
    headers = ["tier", "name", "price ($)", "delivery days", "revisions", "description"]
    rows = {"headers": headers, "data": [["basic", "Audit", "99.50", 3, 1, "A copy audit"],
                                         ["premium", "Rewrite", "450", 7, 2, ""]]}
    client.predict(0, "Website copy audit", "I review your site", rows, api_name="/assistant_save_gig")
    gig = [g for g in server["engine"].directory("text") if g["user_id"] == harold["id"]][0]["gigs"][-1]
    assert gig["title"] == "Website copy audit"
    assert [p["price_cents"] for p in gig["packages"]] == [9950, 45000]
    with pytest.raises(AppError, match="price of the basic package must be in dollars"):
        client.predict(gig["id"], "Website copy audit", "",
                       {"headers": headers, "data": [["basic", "Audit", "cheap", 3, 1, ""]]},
                       api_name="/assistant_save_gig")

    client.predict(0, "Rush jobs", "can you turn it around tonight\nurgent", "rush",
                   api_name="/assistant_save_topic")
    topic = [t for t in topics.topics_for(engine.db, harold["id"]) if t["name"] == "Rush jobs"][0]
    assert topic["phrases"] == ["can you turn it around tonight", "urgent"]
    assert client.predict(topic["id"], api_name="/assistant_pick_topic")[0] == "Rush jobs"
    client.predict(topic["id"], api_name="/assistant_remove_topic")
    assert not [t for t in topics.topics_for(engine.db, harold["id"]) if t["name"] == "Rush jobs"]


def test_buyer_sees_a_creator_and_tops_up_the_wallet(server):
    client = login(server, "buyer")
    buyer = users.find_user(server["engine"].db, "buyer")
    before = ledger.wallet_balance(server["engine"].db, buyer["id"])
    mara = users.find_user(server["engine"].db, "mara")
    about, gigs, gallery, _, _ = client.predict(mara["id"], api_name="/tryouts_creator")
    assert "Mara Lind" in about and "$45.00" in gigs and len(gallery["value"]) >= 12
    assert "$" in client.predict(2500, api_name="/tryouts_top_up")
    assert ledger.wallet_balance(server["engine"].db, buyer["id"]) == before + 2500


def test_studio_model_panel_explains_what_is_possible(server):
    client = login(server, "mara")
    report = client.predict(api_name="/studio_model")[0]
    assert "Not trained yet" in report and "90 %" in report
    started = client.predict(api_name="/studio_train")  # queued: the app's worker is not running here
    assert "queued" in started[1] and "training" in started[0]
    assert "Training was cancelled" in client.predict(api_name="/studio_cancel_training")[1]
    with pytest.raises(AppError, match="Train your model first"):
        client.predict("2.50", api_name="/studio_publish")
    client.predict(["political"], "politics\nelection campaign", "casino, tobacco", api_name="/studio_boundaries")
    assert list(client.predict(api_name="/studio_boundaries_load"))[:3] == [
        ["political"], "politics\nelection campaign", "casino, tobacco"]


def test_buyer_cannot_try_an_unpublished_model(server):
    client = login(server, "buyer")
    assert client.predict(api_name="/tryouts_models")["choices"] == []
    with pytest.raises(AppError, match="Pick a published model first"):
        client.predict(None, "Launch copy for a bakery", api_name="/tryouts_copy")


@needs_voice
def test_a_buyer_hears_a_published_voice_and_pays_once(server, voice_profile):
    import soundfile

    engine, client = server["engine"], login(server, "buyer")
    buyer, ravi = users.find_user(engine.db, "buyer"), users.find_user(engine.db, "ravi")
    assert client.predict(api_name="/tryouts_voice_models")["choices"] == []
    with pytest.raises(AppError, match="Pick a published voice first"):
        client.predict(None, "Hello there.", api_name="/tryouts_voice")

    model = force_published(engine, ravi, voice_profile, price_cents=120)
    assert client.predict(api_name="/tryouts_voice_models")["choices"] == [
        ["Ravi Mensah — $1.20 per clip (fidelity 0.95)", model["id"]]]
    before = ledger.wallet_balance(engine.db, buyer["id"])
    clip, receipt = client.predict(model["id"], "Fresh bread every morning, right around the corner.",
                                   api_name="/tryouts_voice")
    audio, rate = soundfile.read(clip)
    assert rate == 22050 and len(audio) / rate > 1.0 and abs(audio).max() > 0.3
    assert receipt.startswith("Charged $1.20 for") and "Order the artist" in receipt
    assert ledger.wallet_balance(engine.db, buyer["id"]) == before - 120
    with pytest.raises(AppError, match="Write a script first"):
        client.predict(model["id"], "   ", api_name="/tryouts_voice")
    assert ledger.wallet_balance(engine.db, buyer["id"]) == before - 120

    sample = engine.my_samples(buyer)[0]["id"]
    with pytest.raises(AppError, match="does not license AI samples"):
        client.predict(sample, api_name="/orders_license")
    assert "licence of an AI sample $5.00" in login(server, "ravi").predict("5", "0", api_name="/studio_order_prices")
    clean = client.predict(sample, api_name="/orders_license")[0]
    assert ledger.wallet_balance(engine.db, buyer["id"]) == before - 120 - 500
    clean_audio, _ = soundfile.read(clean)
    assert len(clean_audio) == len(audio) and abs(clean_audio - audio).max() > 0.01  # the preview's chime is gone
    for heard in (clip, clean):  # the preview (watermark under the chime) and the licensed file
        found = client.predict(handle_file(heard), "", api_name="/verify")
        assert "Made with Signature" in found and "Ravi Mensah" in found and "valid ✓" in found
    assert "Licence: order #" in found
    shown = login(server, "ravi").predict(api_name="/orders")
    seller_orders = next(o for o in shown if isinstance(o, dict) and "status" in o.get("headers", []))
    row = dict(zip(seller_orders["headers"], seller_orders["data"][0]))
    assert len(seller_orders["data"]) == 1 and (row["kind"], row["status"], row["creator"]) == ("Licence", "completed", "you")

    report = login(server, "ravi").predict(api_name="/studio_model")[0]
    assert "Version 1 fidelity:** 0.95" in report and "**Script:**" in report
    models = login(server, "admin").predict(api_name="/admin_load")[2]
    row = dict(zip(models["headers"], next(r for r in models["data"] if r[0] == model["id"])))
    assert (row["kind"], row["fidelity"], row["judged"], row["held-out judged true"]) == (
        "voice", "0.95", "61 of 64", "100%")

    seller = login(server, "ravi")
    with pytest.raises(AppError, match="Tick “I understand” first"):
        seller.predict(False, False, api_name="/studio_delete_model")
    deleted = seller.predict(True, False, api_name="/studio_delete_model")
    assert "Not trained yet" in deleted[0] and deleted[7] is False  # the tick is cleared
    assert "### Deleted: Ravi Mensah — voice" in deleted[6]["value"] and f"models/{model['id']}" in deleted[6]["value"]
    assert "Kept: the ledger's entries and the 1 generation buyers paid for" in deleted[6]["value"]
    assert client.predict(api_name="/tryouts_voice_models")["choices"] == []


@needs_voice
def test_a_voice_artist_starts_and_cancels_training_in_the_studio(server):
    client = login(server, "ines")
    assert "Not trained yet" in client.predict(api_name="/studio_model")[0]
    started = client.predict(api_name="/studio_train")  # the app's worker is not running here
    assert "queued" in started[1] and "training" in started[0]
    cancelled = client.predict(api_name="/studio_cancel_training")
    assert "Training was cancelled" in cancelled[1]
    view = server["engine"].studio_model(users.find_user(server["engine"].db, "ines"))
    assert view["versions"][0]["status"] == "failed" and view["model"]["status"] == "draft"
    with pytest.raises(AppError, match="needs a buyer account"):
        client.predict(view["model"]["id"], "Hello there.", api_name="/tryouts_voice")


def test_a_seller_opening_the_app_gets_no_error_from_the_buyers_chat(server):
    client = login(server, "mara")
    assert client.predict(None, api_name="/chat_pick") == []  # the creator list filled on load
    with pytest.raises(AppError, match="needs a buyer account"):  # picking a creator to chat with
        client.predict(users.find_user(server["engine"].db, "theo")["id"], api_name="/chat_pick")


def test_a_buyer_orders_the_human_and_the_creator_accepts_it(server):
    engine, client = server["engine"], login(server, "buyer")
    buyer = users.find_user(engine.db, "buyer")
    engine.top_up(buyer, 50_000, "flow-human-card")
    package = engine.gig_packages()[0]
    seller = next(engine.db.query("SELECT u.username FROM gig_packages p JOIN gigs g ON g.id = p.gig_id "
                                  "JOIN users u ON u.id = g.seller_id WHERE p.id = ?", [package["id"]]))["username"]
    before = ledger.wallet_balance(engine.db, buyer["id"])
    with pytest.raises(AppError, match="Pick a gig package first"):
        client.predict(None, "", api_name="/orders_human")
    client.predict(package["id"], "A landing page for our bakery, by Friday", api_name="/orders_human")
    assert ledger.wallet_balance(engine.db, buyer["id"]) == before - package["price_cents"]

    creator = login(server, seller)
    table = next(o for o in creator.predict(api_name="/orders") if isinstance(o, dict) and "brief" in o.get("headers", []))
    row = dict(zip(table["headers"], table["data"][0]))
    assert (row["kind"], row["status"], row["you can"]) == ("The human", "requested", "accepted, cancelled")
    assert row["brief"].startswith("A landing page for our bakery")
    creator.predict(row["order"], "accepted", "", None, api_name="/orders_step")
    assert engine.db["orders"].get(row["order"])["status"] == "accepted"


def test_an_image_models_report_says_what_made_it():
    from app.tabs.studio_model import _made_md

    report = {"images": 27, "method": "flow-64px+examples+upsampler", "refined": True,
              "generator_base": "signature/house-64",
              "train_s": 810.0, "generator_steps": 2986, "upsampler_steps": 900, "line_art": True,
              "palette": [[20, 10, 40]], "pool": ["seller:mara", "photos"], "tags": ["rings", "teal"]}
    made = _made_md(report, {"base_model_id": "signature/house-64"})
    assert "fine-tuned from the house base on 27 images" in made
    assert "drafts mended from patches of your own pieces" in made and "lines redrawn in your stroke" in made
    assert "rings, teal" in made
    unrefined = {k: v for k, v in report.items() if k != "refined"} | {"method": "flow-64px+upsampler"}
    assert "mended" not in _made_md(unrefined, {"base_model_id": "signature/house-64"})
    version = {"base_model_id": "signature/house-64"}
    assert "of 3 drafts per image, the likest to your pieces kept" in _made_md(report | {"candidates": 3}, version)
    assert "drafts per image" not in _made_md(report | {"candidates": 1}, version) + _made_md(report, version)
