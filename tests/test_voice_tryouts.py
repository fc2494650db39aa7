"""Voice try-outs: a buyer's script spoken in a published voice, charged once through the ledger;
bad scripts, banned words, failures and a creator disabling the model mid-clip cost nothing.
The publish gate for voices is here too (its training-job side is in test_voice_training.py)."""

import json

import numpy as np
import pytest
import soundfile

from engine import Engine
from engine.errors import Forbidden, InvalidInput, NotFound, PaymentError
from engine.voice.backend import VoiceBackend
from storage import ledger, users
from tests.conftest import make_settings
from tests.voice_market import force_published, judged_version, needs_voice, voice_seller

pytestmark = needs_voice
SCRIPT = "Fresh bread every morning, baked around the corner. Come in and say hello."


@pytest.fixture
def market(tmp_path, voice_profile):
    """Ravi's voice published at $1.20 (as if judged 0.95) and a buyer with $20."""
    engine = Engine(make_settings(tmp_path / "data"))
    seller = voice_seller(engine)
    buyer = users.create_user(engine.db, "bea", "password1", "buyer")
    ledger.ensure_user_accounts(engine.db, buyer)
    engine.top_up(buyer, 2000, "card")
    model = force_published(engine, seller, voice_profile, price_cents=120)
    return {"engine": engine, "seller": seller, "buyer": buyer, "model": model}


def wallet(market) -> int:
    return ledger.wallet_balance(market["engine"].db, market["buyer"]["id"])


def clips_on_disk(market) -> list:
    return sorted((market["engine"].settings.data_dir / "generations").rglob("*.*"))


def test_a_buyer_hears_a_script_and_is_charged_once(market, monkeypatch):
    engine, buyer = market["engine"], market["buyer"]
    clip = engine.speak(buyer, market["model"]["id"], SCRIPT, "try-1")
    audio, rate = soundfile.read(clip["audio_path"], dtype="float32")
    assert rate == 22050 and 2.0 < len(audio) / rate < 10.0 and np.max(np.abs(audio)) > 0.3
    assert clip["duration_s"] == pytest.approx(len(audio) / rate, abs=0.01)
    assert wallet(market) == 2000 - 120
    assert ledger.earnings_balance(engine.db, market["seller"]["id"]) == 120 - 120 * 1500 // 10_000
    row = engine.db["generations"].get(clip["id"])
    assert json.loads(row["request"]) == {"script": SCRIPT} and row["price_cents"] == 120
    assert (engine.settings.data_dir / row["output_path"]).is_file()
    assert ledger.check_invariants(engine.db)["ok"]

    monkeypatch.setattr(VoiceBackend, "speak", lambda *a, **k: pytest.fail("a replay ran the voice"))
    again = engine.speak(buyer, market["model"]["id"], SCRIPT, "try-1")
    assert again["replayed"] and again["id"] == clip["id"] and again["audio_path"] == clip["audio_path"]
    assert wallet(market) == 2000 - 120
    with pytest.raises(PaymentError, match="already used for another generation"):
        engine.speak(buyer, market["model"]["id"], "Another script entirely.", "try-1")


@pytest.mark.parametrize("script, message", [
    ("", "Write a script first"), ("   \n ", "Write a script first"),
    ("x" * 1001, "1,001 characters; keep it under 1,000"), ("!!! ... ???", "no words to say")])
def test_bad_scripts_are_refused_without_a_charge(market, script, message):
    with pytest.raises(InvalidInput, match=message):
        market["engine"].speak(market["buyer"], market["model"]["id"], script)
    assert wallet(market) == 2000 and clips_on_disk(market) == []


def test_banned_words_block_the_script_without_a_charge(market):
    engine = market["engine"]
    engine.save_boundaries(market["seller"], "election campaign", "casino, tobacco")
    with pytest.raises(InvalidInput, match="doesn't take on work involving “casino”.*not been charged"):
        engine.speak(market["buyer"], market["model"]["id"], "Tonight only at the C4SINO royale!")
    with pytest.raises(InvalidInput, match="election campaign"):
        engine.speak(market["buyer"], market["model"]["id"], "Vote for us in this ELECTION  campaign.")
    assert wallet(market) == 2000 and clips_on_disk(market) == []
    assert [e["stage"] for e in engine.db["guard_events"].rows] == ["request", "request"]


def test_a_failed_generation_is_not_charged_and_leaves_no_file(market, monkeypatch):
    def crash(self, profile_path, script):
        raise RuntimeError("onnxruntime ran out of memory")

    monkeypatch.setattr(VoiceBackend, "speak", crash)
    with pytest.raises(RuntimeError, match="out of memory"):
        market["engine"].speak(market["buyer"], market["model"]["id"], SCRIPT)
    assert wallet(market) == 2000 and clips_on_disk(market) == []
    assert market["engine"].db["generations"].count == 0


def test_a_script_the_voice_cannot_say_is_explained_and_not_charged(market, monkeypatch):
    def silent(self, profile_path, script):
        raise ValueError("the audio to convert is empty or silent")

    monkeypatch.setattr(VoiceBackend, "speak", silent)
    with pytest.raises(InvalidInput, match="could not be spoken.*not been charged"):
        market["engine"].speak(market["buyer"], market["model"]["id"], "Hmm.")
    assert wallet(market) == 2000


def test_a_voice_disabled_while_it_speaks_is_not_charged_and_its_clip_is_deleted(market, monkeypatch):
    engine, real_speak = market["engine"], VoiceBackend.speak

    def speak_and_disable(self, profile_path, script):
        engine.disable(market["seller"], market["model"]["id"])
        return real_speak(self, profile_path, script)

    monkeypatch.setattr(VoiceBackend, "speak", speak_and_disable)
    with pytest.raises(NotFound, match="disabled this model while it was working"):
        engine.speak(market["buyer"], market["model"]["id"], SCRIPT)
    assert wallet(market) == 2000 and clips_on_disk(market) == []


def test_the_wallet_is_checked_before_the_voice_runs(market, monkeypatch):
    engine = market["engine"]
    engine.publish(market["seller"], market["model"]["id"], 5000)
    monkeypatch.setattr(VoiceBackend, "speak", lambda *a, **k: pytest.fail("ran without the funds"))
    with pytest.raises(PaymentError, match=r"costs \$50\.00; top up"):
        engine.speak(market["buyer"], market["model"]["id"], SCRIPT)
    assert wallet(market) == 2000


def test_only_buyers_hear_only_published_voices(market):
    engine, buyer, model = market["engine"], market["buyer"], market["model"]
    with pytest.raises(Forbidden):
        engine.speak(market["seller"], model["id"], SCRIPT)
    with pytest.raises(Forbidden):
        engine.speak(None, model["id"], SCRIPT)
    engine.disable(market["seller"], model["id"])
    with pytest.raises(NotFound, match="disabled"):
        engine.speak(buyer, model["id"], SCRIPT)
    with pytest.raises(NotFound):
        engine.speak(buyer, 9999, SCRIPT)
    assert wallet(market) == 2000
    assert [m["modality"] for m in engine.published_models("voice")] == []


def test_a_text_model_cannot_be_spoken(market):
    engine = market["engine"]
    engine.db["models"].update(market["model"]["id"], {"modality": "text"})
    with pytest.raises(NotFound):
        engine.speak(market["buyer"], market["model"]["id"], SCRIPT)


def test_the_gate_refuses_a_voice_under_090_and_says_what_to_record(tmp_path, voice_profile):
    engine = Engine(make_settings(tmp_path / "data"))
    seller = voice_seller(engine)
    model = judged_version(engine, seller, voice_profile, 0.42)
    with pytest.raises(InvalidInput, match=r"Fidelity 0\.42 .* under 0\.90.*Add more recordings of "
                                           r"your own voice"):
        engine.publish(seller, model["id"], 150)
    assert engine.published_models("voice") == []
    assert engine.db["models"].get(model["id"])["status"] == "ready"
