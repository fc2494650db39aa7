"""Versioned schema migrations, applied in order and recorded in PRAGMA user_version.

Append a new entry to MIGRATIONS to change the schema; never edit one that has shipped.
"""

SCHEMA_V1 = """
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE COLLATE NOCASE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('buyer', 'seller', 'admin')),
    password_hash TEXT NOT NULL,
    online INTEGER NOT NULL DEFAULT 0,
    last_active_at TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE creator_profiles (
    user_id INTEGER PRIMARY KEY REFERENCES users(id),
    modality TEXT NOT NULL CHECK (modality IN ('image', 'voice', 'text')),
    headline TEXT NOT NULL DEFAULT '',
    bio TEXT NOT NULL DEFAULT '',
    tone TEXT NOT NULL DEFAULT 'friendly',
    languages TEXT NOT NULL DEFAULT 'English',
    updated_at TEXT NOT NULL
);

CREATE TABLE gigs (
    id INTEGER PRIMARY KEY,
    seller_id INTEGER NOT NULL REFERENCES users(id),
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);
CREATE INDEX gigs_seller ON gigs(seller_id);

CREATE TABLE gig_packages (
    id INTEGER PRIMARY KEY,
    gig_id INTEGER NOT NULL REFERENCES gigs(id) ON DELETE CASCADE,
    tier TEXT NOT NULL CHECK (tier IN ('basic', 'standard', 'premium')),
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    price_cents INTEGER NOT NULL CHECK (price_cents > 0 AND typeof(price_cents) = 'integer'),
    delivery_days INTEGER NOT NULL CHECK (delivery_days > 0),
    revisions INTEGER NOT NULL CHECK (revisions >= 0),
    UNIQUE (gig_id, tier)
);

CREATE TABLE portfolio_items (
    id INTEGER PRIMARY KEY,
    seller_id INTEGER NOT NULL REFERENCES users(id),
    modality TEXT NOT NULL CHECK (modality IN ('image', 'voice', 'text')),
    title TEXT NOT NULL DEFAULT '',
    caption TEXT NOT NULL DEFAULT '',
    brief TEXT NOT NULL DEFAULT '',
    file_path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    media_type TEXT NOT NULL,
    width INTEGER,
    height INTEGER,
    duration_s REAL,
    sample_rate INTEGER,
    ownership_attested INTEGER NOT NULL CHECK (ownership_attested = 1),
    attested_at TEXT NOT NULL,
    held_out INTEGER NOT NULL DEFAULT 0 CHECK (held_out IN (0, 1)),
    created_at TEXT NOT NULL,
    UNIQUE (seller_id, sha256)
);
CREATE INDEX portfolio_seller ON portfolio_items(seller_id, modality);

CREATE TABLE models (
    id INTEGER PRIMARY KEY,
    seller_id INTEGER NOT NULL REFERENCES users(id),
    modality TEXT NOT NULL CHECK (modality IN ('image', 'voice', 'text')),
    name TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'draft'
        CHECK (status IN ('draft', 'training', 'ready', 'published', 'disabled', 'deleted')),
    price_cents INTEGER NOT NULL DEFAULT 0 CHECK (price_cents >= 0 AND typeof(price_cents) = 'integer'),
    current_version_id INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE model_versions (
    id INTEGER PRIMARY KEY,
    model_id INTEGER NOT NULL REFERENCES models(id),
    version INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'training'
        CHECK (status IN ('training', 'ready', 'failed', 'deleted')),
    profile TEXT NOT NULL,
    base_model_id TEXT,
    base_revision TEXT,
    artefact_path TEXT,
    training_data_sha256 TEXT NOT NULL,
    fidelity REAL,
    fidelity_ci_low REAL,
    fidelity_ci_high REAL,
    copies INTEGER,
    fidelity_report TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (model_id, version)
);

CREATE TABLE generations (
    id INTEGER PRIMARY KEY,
    model_version_id INTEGER NOT NULL REFERENCES model_versions(id),
    buyer_id INTEGER NOT NULL REFERENCES users(id),
    request TEXT NOT NULL,
    output_path TEXT,
    status TEXT NOT NULL CHECK (status IN ('done', 'blocked', 'failed')),
    price_cents INTEGER NOT NULL CHECK (typeof(price_cents) = 'integer'),
    ledger_entry_id INTEGER REFERENCES ledger_entries(id),
    idempotency_key TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

CREATE TABLE conversations (
    id INTEGER PRIMARY KEY,
    seller_id INTEGER NOT NULL REFERENCES users(id),
    buyer_id INTEGER NOT NULL REFERENCES users(id),
    subject TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'handed_off', 'closed')),
    outcome TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX conversations_seller ON conversations(seller_id);

CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id),
    sender TEXT NOT NULL CHECK (sender IN ('buyer', 'seller', 'assistant', 'system')),
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX messages_conversation ON messages(conversation_id);

CREATE TABLE trigger_topics (
    id INTEGER PRIMARY KEY,
    seller_id INTEGER NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    phrases TEXT NOT NULL DEFAULT '[]',
    words TEXT NOT NULL DEFAULT '[]',
    builtin INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    UNIQUE (seller_id, name)
);

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    read_at TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_id INTEGER,
    action TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;

-- Double-entry ledger. Amounts are integer cents: debits positive, credits negative.
-- An entry carries its postings as JSON; the database refuses an unbalanced entry and
-- copies the postings into ledger_postings itself. Neither table can be updated or deleted.
CREATE TABLE ledger_accounts (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('asset', 'liability', 'revenue', 'expense', 'equity')),
    user_id INTEGER REFERENCES users(id),
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE ledger_entries (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    kind TEXT NOT NULL,
    memo TEXT NOT NULL DEFAULT '',
    idempotency_key TEXT NOT NULL UNIQUE,
    fingerprint TEXT NOT NULL,
    postings TEXT NOT NULL
);

CREATE TRIGGER ledger_entries_balanced BEFORE INSERT ON ledger_entries
BEGIN
    SELECT RAISE(ABORT, 'ledger entry needs at least two postings')
    WHERE json_array_length(NEW.postings) < 2;
    SELECT RAISE(ABORT, 'ledger amounts must be non-zero integer cents')
    WHERE EXISTS (SELECT 1 FROM json_each(NEW.postings) p
                  WHERE json_type(p.value, '$.amount') != 'integer'
                     OR json_extract(p.value, '$.amount') = 0);
    SELECT RAISE(ABORT, 'ledger entry does not balance')
    WHERE (SELECT SUM(json_extract(p.value, '$.amount')) FROM json_each(NEW.postings) p) != 0;
    SELECT RAISE(ABORT, 'ledger posting names an unknown account')
    WHERE EXISTS (SELECT 1 FROM json_each(NEW.postings) p
                  WHERE json_extract(p.value, '$.account') NOT IN (SELECT id FROM ledger_accounts));
END;

CREATE TABLE ledger_postings (
    entry_id INTEGER NOT NULL REFERENCES ledger_entries(id),
    seq INTEGER NOT NULL,
    account_id TEXT NOT NULL REFERENCES ledger_accounts(id),
    amount_cents INTEGER NOT NULL,
    PRIMARY KEY (entry_id, seq)
);
CREATE INDEX ledger_postings_account ON ledger_postings(account_id);

CREATE TRIGGER ledger_postings_match_entry BEFORE INSERT ON ledger_postings
BEGIN
    SELECT RAISE(ABORT, 'ledger postings are written only by their entry')
    WHERE NOT EXISTS (
        SELECT 1 FROM ledger_entries e
        WHERE e.id = NEW.entry_id
          AND json_extract(e.postings, '$[' || NEW.seq || '].account') = NEW.account_id
          AND json_extract(e.postings, '$[' || NEW.seq || '].amount') = NEW.amount_cents);
END;

CREATE TRIGGER ledger_entries_post AFTER INSERT ON ledger_entries
BEGIN
    INSERT INTO ledger_postings (entry_id, seq, account_id, amount_cents)
    SELECT NEW.id, CAST(p.key AS INTEGER), json_extract(p.value, '$.account'),
           json_extract(p.value, '$.amount')
    FROM json_each(NEW.postings) p;
END;

CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only: post a reversing entry'); END;
CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only: post a reversing entry'); END;
CREATE TRIGGER ledger_postings_no_update BEFORE UPDATE ON ledger_postings
BEGIN SELECT RAISE(ABORT, 'ledger postings are append-only'); END;
CREATE TRIGGER ledger_postings_no_delete BEFORE DELETE ON ledger_postings
BEGIN SELECT RAISE(ABORT, 'ledger postings are append-only'); END;
"""

# Background jobs (training runs): progress lives here so it survives a page reload and a restart.
SCHEMA_V2_JOBS = """
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    owner_id INTEGER REFERENCES users(id),
    target TEXT NOT NULL DEFAULT '',
    payload TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled')),
    step INTEGER NOT NULL DEFAULT 0,
    total INTEGER NOT NULL DEFAULT 0,
    loss REAL,
    eta_s REAL,
    message TEXT NOT NULL DEFAULT '',
    preview_path TEXT,
    result TEXT,
    error TEXT,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    checkpoint_path TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    started_at TEXT,
    updated_at TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX jobs_status ON jobs(status);
CREATE INDEX jobs_owner ON jobs(owner_id);
"""

SCHEMA_V3_BOUNDARIES = """
CREATE TABLE boundaries (
    seller_id INTEGER PRIMARY KEY REFERENCES users(id),
    categories TEXT NOT NULL DEFAULT '[]',
    topics TEXT NOT NULL DEFAULT '[]',
    words TEXT NOT NULL DEFAULT '[]',
    updated_at TEXT NOT NULL
);
CREATE TABLE guard_events (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    seller_id INTEGER REFERENCES users(id),
    buyer_id INTEGER REFERENCES users(id),
    model_id INTEGER REFERENCES models(id),
    stage TEXT NOT NULL CHECK (stage IN ('request', 'output')),
    reason TEXT NOT NULL,
    excerpt TEXT NOT NULL DEFAULT ''
);
ALTER TABLE generations ADD COLUMN output_text TEXT;
"""

# The guard: red-team runs per creator (their boundaries, per modality), and the modality and
# category of each logged block.
SCHEMA_V4_GUARD = """
CREATE TABLE redteam_runs (
    id INTEGER PRIMARY KEY,
    seller_id INTEGER NOT NULL REFERENCES users(id),
    model_id INTEGER REFERENCES models(id),
    job_id INTEGER REFERENCES jobs(id),
    boundaries TEXT NOT NULL DEFAULT '{}',
    modalities TEXT NOT NULL DEFAULT '[]',
    attempts INTEGER NOT NULL CHECK (attempts >= 0),
    breaks INTEGER NOT NULL CHECK (breaks >= 0),
    results TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL
);
CREATE INDEX redteam_runs_seller ON redteam_runs(seller_id, id);
ALTER TABLE guard_events ADD COLUMN modality TEXT;
ALTER TABLE guard_events ADD COLUMN category TEXT;
"""

# Provenance of generated outputs (signed records that watermarks point to) and orders: licences
# of AI samples, the human for a gig package, and blends (an AI draft finished by the creator).
SCHEMA_V5_ORDERS = """
CREATE TABLE provenance (
    id INTEGER PRIMARY KEY,
    serial INTEGER NOT NULL UNIQUE,
    generation_id INTEGER NOT NULL UNIQUE REFERENCES generations(id),
    modality TEXT NOT NULL CHECK (modality IN ('image', 'voice', 'text')),
    content_sha256 TEXT NOT NULL,
    record TEXT NOT NULL,
    signature TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX provenance_content ON provenance(content_sha256);
CREATE TRIGGER provenance_no_update BEFORE UPDATE ON provenance
BEGIN SELECT RAISE(ABORT, 'provenance records are append-only'); END;
CREATE TRIGGER provenance_no_delete BEFORE DELETE ON provenance
BEGIN SELECT RAISE(ABORT, 'provenance records are append-only'); END;

CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('licence', 'human', 'blend')),
    buyer_id INTEGER NOT NULL REFERENCES users(id),
    seller_id INTEGER NOT NULL REFERENCES users(id),
    model_id INTEGER REFERENCES models(id),
    generation_id INTEGER REFERENCES generations(id),
    package_id INTEGER,  -- no reference: a gig's packages are rewritten when it is edited
    title TEXT NOT NULL,
    brief TEXT NOT NULL DEFAULT '',
    price_cents INTEGER NOT NULL CHECK (price_cents > 0 AND typeof(price_cents) = 'integer'),
    status TEXT NOT NULL CHECK (status IN ('requested', 'accepted', 'delivered', 'completed',
                                           'cancelled', 'refunded')),
    delivery_note TEXT,
    delivery_path TEXT,
    licence_record TEXT,
    licence_signature TEXT,
    idempotency_key TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX orders_buyer ON orders(buyer_id, id);
CREATE INDEX orders_seller ON orders(seller_id, id);
CREATE UNIQUE INDEX orders_one_licence ON orders(generation_id, buyer_id)
    WHERE kind = 'licence' AND status = 'completed';

CREATE TABLE order_events (
    id INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL REFERENCES orders(id),
    status TEXT NOT NULL,
    actor_id INTEGER REFERENCES users(id),
    ledger_entry_id INTEGER REFERENCES ledger_entries(id),
    note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX order_events_order ON order_events(order_id, id);

ALTER TABLE models ADD COLUMN licence_cents INTEGER NOT NULL DEFAULT 0;
ALTER TABLE models ADD COLUMN blend_cents INTEGER NOT NULL DEFAULT 0;
"""

# The assistant: answers a creator approved for their buyers' frequent questions, the brief it
# collects in each conversation, and the handoffs to the creator it raises.
SCHEMA_V6_ASSISTANT = """
CREATE TABLE approved_answers (
    id INTEGER PRIMARY KEY,
    seller_id INTEGER NOT NULL REFERENCES users(id),
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    asked INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (seller_id, question)
);

CREATE TABLE briefs (
    conversation_id INTEGER PRIMARY KEY REFERENCES conversations(id),
    seller_id INTEGER NOT NULL REFERENCES users(id),
    buyer_id INTEGER NOT NULL REFERENCES users(id),
    what TEXT NOT NULL DEFAULT '',
    deadline TEXT NOT NULL DEFAULT '',
    deadline_days INTEGER,
    budget_cents INTEGER,
    refs TEXT NOT NULL DEFAULT '',
    package_id INTEGER,
    lead_score INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'collecting' CHECK (status IN ('collecting', 'ready')),
    updated_at TEXT NOT NULL
);
CREATE INDEX briefs_seller ON briefs(seller_id);

CREATE TABLE handoffs (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id),
    seller_id INTEGER NOT NULL REFERENCES users(id),
    buyer_id INTEGER NOT NULL REFERENCES users(id),
    topic TEXT NOT NULL,
    summary TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered')),
    created_at TEXT NOT NULL
);
CREATE INDEX handoffs_seller ON handoffs(seller_id, id);

ALTER TABLE creator_profiles ADD COLUMN reply_hours INTEGER NOT NULL DEFAULT 24;
UPDATE trigger_topics SET phrases = replace(phrases, '"is this a bot"', '"put me through to the creator"')
    WHERE builtin = 1;
UPDATE trigger_topics SET words = '["real person", "talk to a human"]'
    WHERE builtin = 1 AND name = 'Asking for a human' AND words = '["human", "real person"]';
UPDATE trigger_topics SET words = '["chargeback", "dispute"]'
    WHERE builtin = 1 AND name = 'Disputes and refunds' AND words = '["refund", "dispute"]';
"""

MIGRATIONS = [
    (1, SCHEMA_V1),
    (2, SCHEMA_V2_JOBS),
    (3, SCHEMA_V3_BOUNDARIES),
    (4, SCHEMA_V4_GUARD),
    (5, SCHEMA_V5_ORDERS),
    (6, SCHEMA_V6_ASSISTANT),
]
