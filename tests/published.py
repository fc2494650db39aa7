"""A published model with one ready version, written straight to the database for tests that
need something to buy but not a trained model."""


def published_model(db, seller_id: int, price_cents: int, modality: str = "text") -> tuple[int, int]:
    """Insert a published `modality` model at `price_cents` with version 1 as its current version;
    returns (model id, version id)."""
    model = db["models"].insert({"seller_id": seller_id, "modality": modality, "name": "m",
                                 "status": "published", "price_cents": price_cents,
                                 "created_at": "now", "updated_at": "now"}).last_pk
    version = db["model_versions"].insert({"model_id": model, "version": 1, "status": "ready",
                                           "profile": "embedded", "training_data_sha256": "h",
                                           "created_at": "now"}).last_pk
    db["models"].update(model, {"current_version_id": version})
    return model, version
