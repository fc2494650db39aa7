"""Personal models and their versions (reads and plain writes; training lives in the engine)."""


def list_models(db) -> list[dict]:
    """Every model with its seller and current version's fidelity (and its report, JSON), newest
    first."""
    return list(db.query(
        """SELECT m.id, u.display_name AS seller, m.modality, m.name, m.status, m.price_cents,
                  v.version, v.fidelity, v.fidelity_ci_low, v.fidelity_ci_high, v.copies,
                  v.fidelity_report, v.base_model_id, m.updated_at
           FROM models m JOIN users u ON u.id = m.seller_id
           LEFT JOIN model_versions v ON v.id = m.current_version_id
           WHERE m.status != 'deleted' ORDER BY m.id DESC"""))


def models_for(db, seller_id: int) -> list[dict]:
    """A seller's models (not deleted), newest first."""
    return list(db.query(
        "SELECT * FROM models WHERE seller_id = ? AND status != 'deleted' ORDER BY id DESC",
        [seller_id]))
