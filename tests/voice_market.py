"""Voice-over artists for the tests: espeak-ng recordings uploaded as a creator uploads them, a
small matched voice fitted on three of them, and a version written straight into the database as
if the judge had scored it 0.95, so the buyer's side is tested without a training job. Nothing
here is used by the product."""

import importlib.util
import json
import shutil
from pathlib import Path

import pytest

from assets import voices
from storage import creators, ledger, users

needs_voice = pytest.mark.skipif(
    not voices.espeak_available() or importlib.util.find_spec("pyworld") is None,
    reason="needs espeak-ng and pyworld")


def voice_seller(engine, username: str = "ravi", display_name: str = "Ravi Mensah") -> dict:
    """A seller with a voice-over profile and ledger accounts (no recordings yet)."""
    user = users.create_user(engine.db, username, "password1", "seller", display_name)
    creators.save_profile(engine.db, user["id"], "voice", "Warm voice-overs")
    ledger.ensure_user_accounts(engine.db, user)
    return user


def upload_recordings(engine, seller: dict, folder: Path, voice: str = "warm_baritone",
                      count: int = 10, seed: int = 0, hold_out_every: int = 5) -> list[dict]:
    """Upload `count` espeak-ng clips of `voice`, captioned with their transcripts; every
    `hold_out_every`-th one is held out."""
    import soundfile

    folder.mkdir(parents=True, exist_ok=True)
    items = []
    for i, clip in enumerate(voices.render_clips(voice, count, seed=seed)):
        path = folder / f"{voice}-{seed}-{i:02d}.wav"
        soundfile.write(path, clip["audio"], clip["sample_rate"])
        items.append(engine.add_portfolio_item(
            seller, str(path), path.name, title=clip["title"], caption=clip["transcript"],
            attested=True, held_out=i % hold_out_every == hold_out_every - 1))
    return items


def fit_small_profile(folder: Path, voice: str = "warm_baritone") -> Path:
    """A matched voice fitted on three clips of `voice`, saved as folder/profile.npz."""
    from engine.voice import adapt, matched
    from engine.voice.job import BASE_SCRIPTS

    rendered = voices.render_clips(voice, 3, seed=2)
    clips = [(c["audio"], c["sample_rate"]) for c in rendered]
    profile = matched.fit(clips, [c["transcript"] for c in rendered], list(BASE_SCRIPTS))
    folder.mkdir(parents=True, exist_ok=True)
    return adapt.save_profile(profile, folder / "profile.npz")


def judged_version(engine, seller: dict, profile: Path, fidelity: float) -> dict:
    """Write a voice model version with this fidelity straight into the database (the test
    stand-in for a training job): returns the model."""
    db = engine.db
    model = db["models"].insert({"seller_id": seller["id"], "modality": "voice", "status": "ready",
                                 "name": f"{seller['display_name']} — voice", "price_cents": 100,
                                 "created_at": "now", "updated_at": "now"}).last_pk
    relative = Path("models") / str(model) / "v1" / "profile.npz"
    (engine.settings.data_dir / relative).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(profile, engine.settings.data_dir / relative)
    report = {"n": 64, "attributed": round(64 * fidelity), "fidelity": fidelity, "copies": 0,
              "held_out_attributed": 1.0, "train_s": 30.0, "recordings": 12, "fit_seconds": 85.0,
              "transcripts_used": True, "pool": ["seller:ines", "gravel_bass"], "pool_left_out": [],
              "samples": [{"script": "Fresh bread every morning.", "attributed": True,
                           "voice": "creator", "p_creator": 0.9, "typicality": 0.8, "copy": False}],
              "sample_clips": [], "written_by": "tests/voice_market.py"}
    version = db["model_versions"].insert({
        "model_id": model, "version": 1, "status": "ready", "profile": "embedded",
        "base_model_id": "espeak-ng English voice bank", "artefact_path": str(relative),
        "training_data_sha256": "0" * 64, "fidelity": fidelity,
        "fidelity_ci_low": max(0.0, fidelity - 0.06), "fidelity_ci_high": min(1.0, fidelity + 0.03),
        "copies": 0, "fidelity_report": json.dumps(report), "created_at": "now"}).last_pk
    db["models"].update(model, {"current_version_id": version})
    return db["models"].get(model)


def force_published(engine, seller: dict, profile: Path, price_cents: int = 120) -> dict:
    """A voice model as if judged at 0.95, published through the real gate at `price_cents`."""
    model = judged_version(engine, seller, profile, 0.95)
    return engine.publish(seller, model["id"], price_cents)
