"""Upload validation: bad files get a clear message and leave the database and data dir as they were."""

import hashlib

import pytest

from engine.errors import Forbidden, InvalidInput
from storage import creators, users
from tests import uploads


def seller(engine, modality):
    user = users.create_user(engine.db, f"{modality}-seller", "password1", "seller")
    creators.save_profile(engine.db, user["id"], modality, "headline")
    return user


def snapshot(engine):
    """Everything a failed upload must not change: every row and every file under the data dir."""
    dump = hashlib.sha256("\n".join(engine.db.conn.iterdump()).encode()).hexdigest()
    files = sorted((str(p.relative_to(engine.settings.data_dir)), p.stat().st_size)
                   for p in engine.settings.data_dir.rglob("*")
                   if p.is_file() and not p.name.startswith("signature.db"))
    return dump, files


BAD_FILES = [
    ("image", uploads.decompression_bomb, "decodes to far more pixels"),
    ("image", lambda folder: uploads.png(folder, size=(6000, 6000)), "36 MP\\); the limit is 16 MP"),
    ("image", uploads.html_as_png, "not an image: its content looks like HTML"),
    ("voice", uploads.truncated_wav, "truncated"),
    ("voice", uploads.wav_cut_mid_header, "cut off inside its header"),
    ("voice", uploads.wav_with_lying_rate, "sample rate of 192000 Hz"),
    ("voice", uploads.random_mp3, "not an audio file"),
    ("voice", uploads.hour_of_silence, "holds no speech: it is silent"),
    ("voice", lambda folder: uploads.wav(folder, silent=True), "holds no speech: it is silent"),
    ("voice", uploads.room_hiss, "holds no speech"),
    ("voice", lambda folder: uploads.wav(folder, seconds=0.4), "at least 1 s"),
    ("voice", uploads.eleven_minutes, "11.0 minutes long; recordings are limited to 10 minutes"),
    ("voice", uploads.low_rate_wav, "sample rate of 4000 Hz; recordings must be between 8000"),
    ("voice", uploads.wav_named_mp3, "holds WAV audio but is named .mp3: rename it to .wav"),
    ("voice", uploads.flac_cut_mid_header, "could not be read as audio"),
    ("voice", uploads.unsupported_aiff, "not a supported file type"),
    ("text", uploads.huge_text, "limited to 1.0 MB"),
    ("text", uploads.latin1_text, "not UTF-8"),
    ("text", lambda folder: uploads.png(folder), "is a image file"),
]


@pytest.mark.parametrize("modality, make, message", BAD_FILES,
                         ids=[f"{m}-{getattr(f, '__name__', 'variant')}" for m, f, _ in BAD_FILES])
def test_bad_upload_is_refused_and_nothing_changes(engine, tmp_path, modality, make, message):
    user = seller(engine, modality)
    path = make(tmp_path)
    before = snapshot(engine)
    with pytest.raises(InvalidInput, match=message):
        engine.add_portfolio_item(user, str(path), path.name, attested=True)
    assert snapshot(engine) == before


@pytest.mark.parametrize("modality, make", [
    ("image", uploads.png), ("voice", uploads.wav), ("text", uploads.text),
    ("voice", lambda folder: uploads.recording(folder, "take.flac")),
    ("voice", lambda folder: uploads.recording(folder, "take.ogg")),
    ("voice", lambda folder: uploads.recording(folder, "take.mp3", rate=44_100))],
    ids=["png", "wav", "txt", "flac", "ogg", "mp3"])
def test_good_upload_is_stored_with_hash_and_attestation(engine, tmp_path, modality, make):
    user = seller(engine, modality)
    path = make(tmp_path)
    item = engine.add_portfolio_item(user, str(path), path.name, title="Mine", attested=True,
                                     held_out=True)
    stored = engine.settings.data_dir / item["file_path"]
    assert stored.read_bytes() == path.read_bytes()
    assert item["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (item["ownership_attested"], item["held_out"], item["modality"]) == (1, 1, modality)
    assert engine.settings.portfolio_dir in stored.parents
    if modality == "voice":
        assert abs(item["duration_s"] - 3.0) < 0.1 and item["sample_rate"] in (22_050, 44_100)


def test_the_same_file_twice_is_refused(engine, tmp_path):
    user = seller(engine, "image")
    path = uploads.png(tmp_path)
    engine.add_portfolio_item(user, str(path), path.name, attested=True)
    before = snapshot(engine)
    with pytest.raises(InvalidInput, match="already in your portfolio"):
        engine.add_portfolio_item(user, str(path), "again.png", attested=True)
    assert snapshot(engine) == before


def test_uploads_need_an_attestation_and_a_seller(engine, tmp_path):
    user = seller(engine, "image")
    path = uploads.png(tmp_path)
    with pytest.raises(InvalidInput, match="own this work"):
        engine.add_portfolio_item(user, str(path), path.name, attested=False)
    buyer = users.create_user(engine.db, "bea", "password1", "buyer")
    with pytest.raises(Forbidden):
        engine.add_portfolio_item(buyer, str(path), path.name, attested=True)
    with pytest.raises(Forbidden):
        engine.add_portfolio_item(None, str(path), path.name, attested=True)


def test_a_seller_can_remove_only_their_own_items(engine, tmp_path):
    owner, other = seller(engine, "image"), users.create_user(engine.db, "other", "password1", "seller")
    path = uploads.png(tmp_path)
    item = engine.add_portfolio_item(owner, str(path), path.name, attested=True)
    with pytest.raises(Exception, match="does not exist in your portfolio"):
        engine.remove_portfolio_item(other, item["id"])
    engine.remove_portfolio_item(owner, item["id"])
    assert not (engine.settings.data_dir / item["file_path"]).exists()
