"""The guard in the product: a blocked request is never charged, is logged for the admin and gets
a short polite reason; the assistant's messages go through it; category switches persist; the
red-team suite runs as a job and its results show in the Studio and the Admin tab (through
gradio_client)."""

import time
from pathlib import Path

import pytest

from engine import Engine, boundaries as creator_boundaries
from engine.errors import Forbidden, InvalidInput
from storage import boundaries, creators, ledger, redteam, users
from tests.conftest import login, make_settings
from tests.published import published_model

torch = pytest.importorskip("torch")
torch.set_num_threads(1)


class PaintBackend:
    """A stand-in image generator: counts its calls and writes a plain poster (no words in it)."""
    calls = 0

    def __init__(self, settings):
        self.settings = settings

    def generate(self, model, request):
        from PIL import Image, ImageDraw

        PaintBackend.calls += 1
        path = Path(self.settings.data_dir) / f"image-{PaintBackend.calls}.png"
        image = Image.new("RGB", (256, 256), (243, 235, 217))
        ImageDraw.Draw(image).ellipse((60, 60, 196, 196), fill=(18, 118, 122))
        image.save(path)
        return path


@pytest.fixture
def market(engine):
    """A designer with a published image model at $1.50 who rules out political content, and a
    buyer with $10."""
    engine.backends.register("image", "embedded", PaintBackend)
    seller = users.create_user(engine.db, "mara", "password1", "seller", "Mara Lind")
    creators.save_profile(engine.db, seller["id"], "image", "Bauhaus posters")
    buyer = users.create_user(engine.db, "bea", "password1", "buyer", "Bea")
    for user in (seller, buyer):
        ledger.ensure_user_accounts(engine.db, user)
    model, _ = published_model(engine.db, seller["id"], 150, "image")
    engine.top_up(buyer, 1000, "card-1")
    engine.save_boundaries(seller, "Tobacco and vaping: cigarette ads; vape flavours", "casino", ["political"])
    return {"engine": engine, "seller": seller, "buyer": buyer, "model": model}


def entries(engine) -> int:
    return engine.db["ledger_entries"].count


def test_a_blocked_prompt_is_never_charged_is_logged_and_gets_a_short_polite_reason(market):
    engine, buyer = market["engine"], market["buyer"]
    PaintBackend.calls, before = 0, entries(engine)
    with pytest.raises(InvalidInput) as refused:
        engine.generate(buyer, market["model"], {"prompt": "A poster urging everyone to re-elect Mayor Dana "
                                                           "Ruiz on Tuesday"})
    reason = str(refused.value)
    assert reason.startswith("Mara Lind doesn't take on political content.") and "not been charged" in reason
    assert len(reason) < 160
    assert engine.wallet(buyer) == 1000 and entries(engine) == before and PaintBackend.calls == 0
    assert engine.db["generations"].count == 0
    [event] = boundaries.recent_blocks(engine.db)
    assert (event["stage"], event["modality"], event["category"], event["buyer"]) == ("request", "image",
                                                                                         "political", "bea")
    assert event["reason"].startswith("political: ") and "Ruiz" in event["excerpt"]


def test_an_allowed_prompt_is_charged_once_after_the_image_is_inspected(market):
    engine, buyer = market["engine"], market["buyer"]
    PaintBackend.calls = 0
    generation = engine.generate(buyer, market["model"], {"prompt": "A vote of thanks card for our volunteers"})
    assert PaintBackend.calls == 1 and engine.wallet(buyer) == 850 and generation["price_cents"] == 150
    assert boundaries.recent_blocks(engine.db) == []
    assert ledger.check_invariants(engine.db)["ok"]


@pytest.mark.parametrize("prompt, category", [
    ("A promo for our new mango vape juice, bright colours", "topic"),
    ("A poster for our C.A.S.I.N.O night", "word"),
])
def test_topics_and_disguised_words_block_the_same_way(market, prompt, category):
    engine = market["engine"]
    with pytest.raises(InvalidInput, match="Mara Lind doesn't take on work involving"):
        engine.generate(market["buyer"], market["model"], {"prompt": prompt})
    assert engine.wallet(market["buyer"]) == 1000
    assert boundaries.recent_blocks(engine.db)[0]["category"] == category


def test_the_assistant_checks_buyers_messages_and_its_own_drafts(market):
    engine, seller, buyer = market["engine"], market["seller"], market["buyer"]
    engine.check_assistant_message(seller["id"], buyer, "Hi! Could you do a poster for my bakery's reopening?")
    with pytest.raises(InvalidInput, match="political content"):
        engine.check_assistant_message(seller["id"], buyer, "Can your AI make campaign posters for my run "
                                                            "for city council?")
    with pytest.raises(InvalidInput, match="withheld"):
        engine.check_assistant_message(seller["id"], buyer, "Sure! Here's a slogan: Vote Ruiz for mayor "
                                                            "on election day!", stage="output")
    assert [(e["modality"], e["stage"]) for e in boundaries.recent_blocks(engine.db)] == [
        ("assistant", "output"), ("assistant", "request")]


def test_category_switches_topics_and_words_persist(market, settings):
    engine, seller = market["engine"], market["seller"]
    engine.save_boundaries(seller, "Alcohol: beer ads; cocktail promos\nGambling", "tequila, jackpot",
                           ["brands", "adult"])
    again = Engine(settings)  # a restarted app reads the same boundaries
    saved = boundaries.get(again.db, seller["id"])
    assert saved["categories"] == ["adult", "brands"] and saved["words"] == ["tequila", "jackpot"]
    assert saved["topics"] == [{"name": "Alcohol", "phrases": ["beer ads", "cocktail promos"]},
                               {"name": "Gambling", "phrases": []}]
    assert creator_boundaries.format_topics(saved["topics"]) == "Alcohol: beer ads; cocktail promos\nGambling"
    with pytest.raises(InvalidInput, match="Unknown boundary categories"):
        engine.save_boundaries(seller, "", "", ["religion"])
    assert boundaries.get(engine.db, seller["id"])["categories"] == ["adult", "brands"]


def test_red_team_runs_are_jobs_for_the_creator_or_an_admin(market, monkeypatch):
    engine, seller = market["engine"], market["seller"]
    monkeypatch.setattr(creator_boundaries, "REDTEAM_ATTEMPTS", 6)
    monkeypatch.setattr(creator_boundaries, "REDTEAM_TEMPLATES", 2)
    with pytest.raises(Forbidden):
        engine.run_redteam(market["buyer"], seller["id"])
    empty = users.create_user(engine.db, "theo", "password1", "seller", "Theo Ash")
    with pytest.raises(InvalidInput, match="no boundaries yet"):
        engine.run_redteam(empty)
    job = engine.run_redteam(seller)
    with pytest.raises(InvalidInput, match="already under way"):
        engine.run_redteam(seller)
    engine.start_background()
    try:
        assert engine.jobs.wait(job["id"], timeout=300)["status"] == "done"
    finally:
        engine.jobs.stop()
    view = engine.boundaries(seller)
    run = view["run"]
    assert run["attempts"] == 12 and set(run["results"]["modalities"]) == {"image", "assistant"}
    assert run["breaks"] == sum(r["breaks"] for r in run["results"]["modalities"].values())
    assert view["gaps"] and "cannot be recognised offline" in view["gaps"][0]
    assert redteam.latest_for(engine.db, seller["id"])["job_id"] == job["id"]


def wait_for(client, api_name, done, timeout=300):
    deadline = time.monotonic() + timeout
    while True:
        result = client.predict(api_name=api_name)
        if done(result):
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"{api_name} did not settle: {result}")
        time.sleep(1)


def test_studio_and_admin_show_red_team_results_and_run_them_again(server, monkeypatch):
    engine = server["engine"]
    monkeypatch.setattr(creator_boundaries, "REDTEAM_ATTEMPTS", 6)
    monkeypatch.setattr(creator_boundaries, "REDTEAM_TEMPLATES", 2)
    theo = login(server, "theo")
    categories, topics, words, results, _ = theo.predict(api_name="/studio_boundaries_load")
    assert categories == ["adult", "hate", "brands"] and topics.startswith("Alcohol promotion: ")
    assert words == "tequila" and "No run yet" in results
    theo.predict(["adult", "political"], topics + "\nGambling: betting odds", "tequila, jackpot",
                 api_name="/studio_boundaries")
    assert list(login(server, "theo").predict(api_name="/studio_boundaries_load"))[:3] == [
        ["adult", "political"], topics + "\nGambling: betting odds", "tequila, jackpot"]

    theo.predict(api_name="/studio_redteam")
    engine.start_background()
    try:
        results = wait_for(theo, "/studio_boundaries_load", lambda r: "Last run" in r[3])[3]
        assert "12 attempts" in results and "image prompts" in results and "assistant messages" in results
        assert "cannot be recognised offline" in results

        admin = login(server, "admin")
        table = admin.predict(api_name="/admin_guard")[0]
        row = next(r for r in table["data"] if r[0] == "Theo Ash")
        assert row[1] == "image" and str(row[5]) == "12" and "image:" in row[7] and "assistant:" in row[7]
        ravi = users.find_user(engine.db, "ravi")
        admin.predict(ravi["id"], api_name="/admin_redteam")
        table = wait_for(admin, "/admin_guard", lambda r: any(
            x[0] == "Ravi Mensah" and str(x[5]) == "12" and x[8] == "done" for x in r[0]["data"]))[0]
        assert next(r for r in table["data"] if r[0] == "Ravi Mensah")[3].startswith("political, public_figures")
    finally:
        engine.jobs.stop()
