"""The demo marketplace has what later work needs: real portfolios, contrast, history, money."""

import numpy as np
import pytest
import soundfile
from PIL import Image

from assets import copy_samples, demo, portfolios
from storage import conversations, creators, ledger, portfolio, users


def creator(engine, username):
    return users.find_user(engine.db, username)


@pytest.mark.parametrize("username, modality, minimum", [
    ("mara", "image", 30), ("theo", "image", 30), ("ravi", "voice", 10), ("ines", "voice", 10),
    ("juniper", "text", 30), ("harold", "text", 30)])
def test_each_creator_has_a_portfolio_gigs_topics_and_past_chats(demo_engine, username, modality, minimum):
    db = demo_engine.db
    user = creator(demo_engine, username)
    items = portfolio.items_for(db, user["id"], modality=modality)
    assert len(items) >= minimum
    assert any(i["held_out"] for i in items) and not all(i["held_out"] for i in items)
    assert all((demo_engine.settings.data_dir / i["file_path"]).is_file() for i in items)
    gigs = creators.gigs_for(db, user["id"])
    assert len(gigs) >= 2 and all(g["packages"] for g in gigs)
    assert len(conversations.for_seller(db, user["id"])) >= 20
    assert db["trigger_topics"].count_where("seller_id = ?", [user["id"]]) >= 5


def test_buyer_has_money_and_admin_exists(demo_engine):
    db = demo_engine.db
    assert ledger.wallet_balance(db, creator(demo_engine, "buyer")["id"]) == demo.BUYER_START_CENTS
    assert creator(demo_engine, "admin")["role"] == "admin"
    assert users.check_login(db, "buyer", demo.DEMO_PASSWORD)
    assert ledger.check_invariants(db)["ok"]


def test_demo_is_generated_only_once(demo_engine):
    before = demo_engine.db["portfolio_items"].count
    assert demo.ensure_demo(demo_engine, log=lambda *_: None) is False
    assert demo_engine.db["portfolio_items"].count == before


def mean_colour(engine, username):
    items = portfolio.items_for(engine.db, creator(engine, username)["id"])
    return np.mean([np.asarray(Image.open(engine.settings.data_dir / i["file_path"]).convert("RGB"),
                               dtype=float).mean(axis=(0, 1)) for i in items[:10]], axis=0)


def test_the_two_designers_styles_clearly_differ(demo_engine):
    mara, theo = mean_colour(demo_engine, "mara"), mean_colour(demo_engine, "theo")
    assert mara.mean() > 150 > 60 > theo.mean()  # cream grounds against midnight grounds


def median_pitch(path):
    audio, rate = soundfile.read(path, dtype="float32")
    frame, pitches = 2048, []
    for start in range(0, len(audio) - frame, frame):
        chunk = audio[start:start + frame]
        if np.sqrt(np.mean(chunk**2)) < 0.05:
            continue
        corr = np.correlate(chunk, chunk, "full")[frame - 1:]
        lo, hi = rate // 400, rate // 60
        pitches.append(rate / (lo + np.argmax(corr[lo:hi])))
    return float(np.median(pitches))


def test_the_two_voices_clearly_differ(demo_engine):
    def pitch(username):
        items = portfolio.items_for(demo_engine.db, creator(demo_engine, username)["id"])
        return np.median([median_pitch(demo_engine.settings.data_dir / i["file_path"]) for i in items[:4]])
    assert pitch("ines") > 1.5 * pitch("ravi")


def test_the_two_copywriters_write_differently():
    playful = " ".join(s["text"] for s in copy_samples.write_samples("playful", 30))
    formal = " ".join(s["text"] for s in copy_samples.write_samples("formal", 30))
    assert playful.count("!") > 10 and formal.count("!") == 0
    assert playful.lower().count("you") > 50 > formal.lower().count(" you ")


def test_generators_are_deterministic():
    a = portfolios.render_portfolio("bauhaus", 2, seed=3)
    b = portfolios.render_portfolio("bauhaus", 2, seed=3)
    assert [x["caption"] for x in a] == [x["caption"] for x in b]
    assert np.array_equal(np.asarray(a[1]["image"]), np.asarray(b[1]["image"]))
    assert copy_samples.write_samples("formal", 3, seed=1) == copy_samples.write_samples("formal", 3, seed=1)
