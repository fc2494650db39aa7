"""The Engine: the one facade the app and the CLI call. It holds settings, per-thread database
connections and the model backends; every operation checks who is asking."""

import functools
import re
import threading

from engine import boundaries as creator_boundaries
from engine import model_deletion, money, orders, personal_models, tryouts
from engine import portfolio as portfolio_files
from engine.errors import Forbidden, InvalidInput, NotFound, PaymentError
from engine.ids import as_id
from engine.jobs import JobKind, JobRunner
from engine.registry import BackendRegistry
from storage import audit, conversations, creators, ledger, models, open_db, payouts, portfolio, topics, users
from storage import assistant as assistant_store
from storage import boundaries as boundary_store
from storage import notifications
from storage import jobs as job_rows
from storage import redteam as redteam_store
from storage.db import connect

MAX_TOP_UP_CENTS = 100_000
USERNAME = re.compile(r"^[a-z0-9_.-]{3,32}$")


class Engine:
    """Everything that computes or writes, for one data dir and profile."""

    def __init__(self, settings, backends: BackendRegistry | None = None):
        self.settings = settings
        self._local = threading.local()
        self._guard = None
        self._guard_lock = threading.Lock()
        self._assistant_models = None
        self._assistant_lock = threading.Lock()
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        open_db(settings.db_path).close()
        with self.db.atomic():
            ledger.ensure_platform_accounts(self.db)
        self.backends = backends or BackendRegistry(settings)
        self.jobs = JobRunner(lambda: connect(settings.db_path), settings.data_dir, self._job_kinds())

    def _job_kinds(self) -> list[JobKind]:
        from engine.text import job as text_job  # torch-free at import; trains lazily
        from engine.voice import job as voice_job  # numpy only at import; fits lazily
        from engine.image import job as image_job  # numpy only at import; trains lazily
        return [JobKind("train_text", functools.partial(text_job.run, self), resumable=True,
                        on_end=personal_models.on_training_end),
                JobKind("train_voice", functools.partial(voice_job.run, self), resumable=True,
                        on_end=personal_models.on_training_end),
                JobKind("train_image", functools.partial(image_job.run, self), resumable=True,
                        on_end=personal_models.on_training_end),
                JobKind("redteam", functools.partial(creator_boundaries.run_redteam_job, self))]

    def start_background(self) -> None:
        """Start the job worker (resuming or failing jobs a previous process left running)."""
        self.jobs.start()

    @property
    def guard(self):
        """The boundary guard (engine.guard.Guard), created on first use; its sentence embedder
        loads on the first check that needs it."""
        with self._guard_lock:
            if self._guard is None:
                from engine.guard import Guard
                self._guard = Guard()
            return self._guard

    @property
    def assistant_models(self):
        """The assistant's embeddings and trigger detectors (engine.assistant.models), sharing the
        guard's sentence embedder, with the assistant's own encoder beside it for triggers
        (tuning.PairedEmbedder); created on first use."""
        with self._assistant_lock:
            if self._assistant_models is None:
                from engine.assistant.models import AssistantModels
                from engine.assistant.tuning import PairedEmbedder, TunedEmbedder
                from engine.guard.classifier import Embedder
                paired = PairedEmbedder(TunedEmbedder(), self.guard.embedder)
                self._assistant_models = AssistantModels(self.guard.embedder, Embedder(paired))
            return self._assistant_models

    @property
    def db(self):
        """This thread's connection to the database (SQLite connections stay in one thread)."""
        if getattr(self._local, "db", None) is None:
            self._local.db = connect(self.settings.db_path)
        return self._local.db

    # --- accounts -------------------------------------------------------------------------

    def login(self, username: str, password: str) -> dict | None:
        """The user whose credentials these are, or None."""
        user = users.check_login(self.db, username, password)
        if user:
            users.touch(self.db, user["id"])
        return user

    def user(self, username: str | None) -> dict | None:
        """The user with this username, or None (also for None)."""
        return users.find_user(self.db, username) if username else None

    @staticmethod
    def require(user: dict | None, *roles: str) -> dict:
        """Return `user` when it has one of `roles`; otherwise raise Forbidden."""
        if user is None:
            raise Forbidden("Please log in first.")
        if user["role"] not in roles:
            wanted = " or ".join(roles)
            article = "an" if wanted[0] in "aeiou" else "a"
            raise Forbidden(f"This needs {article} {wanted} account; you are logged in as "
                            f"{'an' if user['role'][0] in 'aeiou' else 'a'} {user['role']}.")
        return user

    def create_user(self, actor: dict | None, username: str, password: str, role: str,
                    display_name: str = "") -> dict:
        """Admin: add an account (sellers get an empty profile to fill in)."""
        self.require(actor, "admin")
        username = (username or "").strip().lower()
        if not USERNAME.match(username):
            raise InvalidInput("Usernames are 3-32 characters: lowercase letters, digits, . _ -")
        if len(password or "") < 8:
            raise InvalidInput("Passwords need at least 8 characters.")
        if role not in users.ROLES:
            raise InvalidInput(f"Role must be one of: {', '.join(users.ROLES)}.")
        if users.find_user(self.db, username):
            raise InvalidInput(f"The username '{username}' is taken.")
        with self.db.atomic():
            user = users.create_user(self.db, username, password, role, display_name)
            ledger.ensure_user_accounts(self.db, user)
            audit.record(self.db, actor["id"], "user.create", f"user:{user['id']}", role=role)
        return user

    # --- directory ------------------------------------------------------------------------

    def directory(self, modality: str | None = None, query: str = "") -> list[dict]:
        """Creators as buyers browse them: profile, gigs with packages, a few portfolio items."""
        query = (query or "").strip().lower()
        cards = []
        for creator in creators.list_creators(self.db):
            if modality and creator["modality"] != modality:
                continue
            gigs = creators.gigs_for(self.db, creator["user_id"])
            haystack = " ".join([creator["display_name"], creator["headline"], creator["bio"]]
                                + [g["title"] for g in gigs]).lower()
            if query and query not in haystack:
                continue
            items = portfolio.items_for(self.db, creator["user_id"], held_out=False)
            cards.append({**creator, "gigs": gigs, "samples": items[:4],
                          "portfolio_count": len(items)})
        return cards

    # --- portfolio ------------------------------------------------------------------------

    def add_portfolio_item(self, actor: dict | None, upload_path: str, filename: str,
                           title: str = "", caption: str = "", attested: bool = False,
                           held_out: bool = False) -> dict:
        """Seller: validate an upload and add it to their portfolio."""
        self.require(actor, "seller")
        if not attested:
            raise InvalidInput("Confirm that you own this work (or hold the rights to it) "
                               "before uploading it.")
        profile = creators.get_profile(self.db, actor["id"])
        if profile is None:
            raise InvalidInput("Set up your creator profile (Assistant tab) before uploading.")
        item = portfolio_files.store_item(
            self.db, self.settings, actor["id"], profile["modality"], upload_path, filename,
            title=(title or "").strip(), caption=(caption or "").strip(), held_out=held_out)
        audit.record(self.db, actor["id"], "portfolio.add", f"portfolio:{item['id']}",
                     sha256=item["sha256"], size_bytes=item["size_bytes"])
        return item

    def remove_portfolio_item(self, actor: dict | None, item_id: int) -> None:
        """Seller: delete one of their own portfolio items and its file."""
        self.require(actor, "seller")
        item = portfolio.get_item(self.db, int(item_id))
        if item is None or item["seller_id"] != actor["id"]:
            raise NotFound("That portfolio item does not exist in your portfolio.")
        portfolio_files.remove_item(self.db, self.settings, item)
        audit.record(self.db, actor["id"], "portfolio.remove", f"portfolio:{item_id}")

    # --- profile, gigs, trigger topics ----------------------------------------------------

    def save_profile(self, actor: dict | None, headline: str, bio: str, tone: str,
                     languages: str) -> dict:
        """Seller: update their profile text (the modality is fixed at sign-up)."""
        self.require(actor, "seller")
        current = creators.get_profile(self.db, actor["id"])
        if current is None:
            raise NotFound("No creator profile exists for this account; ask an admin.")
        if not (headline or "").strip():
            raise InvalidInput("Write a headline: one line that tells buyers what you do.")
        profile = creators.save_profile(self.db, actor["id"], current["modality"],
                                        headline.strip()[:120], (bio or "").strip()[:2000],
                                        (tone or "friendly").strip()[:40],
                                        (languages or "English").strip()[:120])
        audit.record(self.db, actor["id"], "profile.save", f"user:{actor['id']}")
        return profile

    def save_gig(self, actor: dict | None, gig_id: int | None, title: str, description: str,
                 packages: list[dict]) -> dict:
        """Seller: create (gig_id None) or replace one of their gigs and its packages."""
        self.require(actor, "seller")
        title = (title or "").strip()
        if not title:
            raise InvalidInput("Give the gig a title.")
        packages = validate_packages(packages)
        if gig_id:
            self._own_gig(actor, gig_id)
            gig = creators.update_gig(self.db, int(gig_id), title, (description or "").strip(), packages)
        else:
            gig = creators.create_gig(self.db, actor["id"], title, (description or "").strip(), packages)
        audit.record(self.db, actor["id"], "gig.save", f"gig:{gig['id']}")
        return gig

    def remove_gig(self, actor: dict | None, gig_id: int) -> None:
        """Seller: hide one of their gigs from buyers."""
        self.require(actor, "seller")
        self._own_gig(actor, gig_id)
        creators.deactivate_gig(self.db, int(gig_id))
        audit.record(self.db, actor["id"], "gig.remove", f"gig:{gig_id}")

    def _own_gig(self, actor: dict, gig_id) -> dict:
        gig = creators.get_gig(self.db, int(gig_id))
        if gig is None or gig["seller_id"] != actor["id"] or not gig["active"]:
            raise NotFound("That gig does not exist among your gigs.")
        return gig

    def save_topic(self, actor: dict | None, topic_id: int | None, name: str, phrases: str,
                   words: str) -> dict:
        """Seller: create or edit a trigger topic; phrases one per line, words comma-separated."""
        self.require(actor, "seller")
        name = (name or "").strip()
        phrase_list = [p.strip() for p in (phrases or "").splitlines() if p.strip()]
        word_list = [w.strip() for w in (words or "").split(",") if w.strip()]
        if not name:
            raise InvalidInput("Give the topic a name, e.g. 'Rush orders'.")
        if not phrase_list and not word_list:
            raise InvalidInput("Add at least one example phrase or word for this topic.")
        existing = {t["name"].lower(): t for t in topics.topics_for(self.db, actor["id"])}
        clash = existing.get(name.lower())
        if clash and clash["id"] != (int(topic_id) if topic_id else None):
            raise InvalidInput(f"You already have a topic called '{name}'.")
        if topic_id:
            self._own_topic(actor, topic_id)
            topic = topics.update_topic(self.db, int(topic_id), name, phrase_list, word_list)
        else:
            topic = topics.add_topic(self.db, actor["id"], name, phrase_list, word_list)
        audit.record(self.db, actor["id"], "topic.save", f"topic:{topic['id']}")
        return topic

    def remove_topic(self, actor: dict | None, topic_id: int) -> None:
        """Seller: delete one of their trigger topics."""
        self.require(actor, "seller")
        self._own_topic(actor, topic_id)
        topics.delete_topic(self.db, int(topic_id))
        audit.record(self.db, actor["id"], "topic.remove", f"topic:{topic_id}")

    def _own_topic(self, actor: dict, topic_id) -> dict:
        topic = topics.get_topic(self.db, int(topic_id))
        if topic is None or topic["seller_id"] != actor["id"]:
            raise NotFound("That trigger topic does not exist among your topics.")
        return topic

    # --- money ----------------------------------------------------------------------------

    def wallet(self, actor: dict | None) -> int:
        """Buyer: their wallet balance in cents."""
        self.require(actor, "buyer")
        return ledger.wallet_balance(self.db, actor["id"])

    def top_up(self, actor: dict | None, amount_cents: int, idempotency_key: str) -> int:
        """Buyer: add money to their wallet (a demo card payment); returns the new balance."""
        self.require(actor, "buyer")
        if not isinstance(amount_cents, int) or not 0 < amount_cents <= MAX_TOP_UP_CENTS:
            raise InvalidInput(f"Top up between $0.01 and ${MAX_TOP_UP_CENTS // 100:,} at a time.")
        try:
            entry = ledger.top_up(self.db, actor["id"], amount_cents, idempotency_key)
        except ledger.LedgerError as exc:
            raise PaymentError(str(exc)) from None
        if not entry["replayed"]:
            audit.record(self.db, actor["id"], "wallet.top_up", f"ledger:{entry['id']}",
                         amount_cents=amount_cents)
        return ledger.wallet_balance(self.db, actor["id"])

    def generate(self, actor: dict | None, model_id: int, request: dict,
                 idempotency_key: str | None = None) -> dict:
        """Buyer: run a published model once and charge its price, together or not at all.

        A failed generation raises before any charge; replaying an idempotency key returns the
        first generation without running the model or charging again.
        """
        self.require(actor, "buyer")
        money.check_model_available(self, model_id)
        return tryouts.generate(self, actor, model_id, request, idempotency_key)

    def pay_plan(self, actor: dict | None, plan: str, source: str = "earnings") -> dict:
        """Seller: pay this month of the creation or assistant plan, from earnings or card."""
        return money.pay_plan(self, self.require(actor, "seller"), plan, source)

    def creator_account(self, actor: dict | None) -> dict:
        """Seller: their earnings balance and this month's plans."""
        return money.creator_account(self, self.require(actor, "seller"))

    def refund(self, actor: dict | None, generation_id, amount_cents: int | None = None,
               reason: str = "", idempotency_key: str = "") -> dict:
        """Admin: refund all or part of a generation (fee and creator share in proportion)."""
        self.require(actor, "admin")
        return money.refund(self, actor, generation_id, amount_cents, reason,
                            idempotency_key or tryouts.new_key())

    def run_payouts(self, actor: dict | None, run_key: str) -> list[dict]:
        """Admin: one payout run, named once (e.g. the month); returns who was paid what."""
        return money.run_payouts(self, self.require(actor, "admin"), run_key)

    def renew_plans(self, actor: dict | None) -> dict:
        """Admin: renew this month's plans from earnings; returns renewed and lapsed."""
        return money.renew_plans(self, self.require(actor, "admin"))

    def payouts_csv(self, actor: dict | None, run_key: str | None = None) -> str:
        """Admin: payouts as CSV (one run, or all)."""
        self.require(actor, "admin")
        return payouts.payouts_csv(self.db, run_key or None)

    def money_overview(self, actor: dict | None) -> dict:
        """Admin: creator balances, reconciliation, payouts, plans and the equity programme."""
        self.require(actor, "admin")
        return money.overview(self)

    # --- personal models ------------------------------------------------------------------

    def train(self, actor: dict | None) -> dict:
        """Seller: queue training of a new version of their personal model; returns the job."""
        self.require(actor, "seller")
        return personal_models.start_training(self, actor)

    def studio_model(self, actor: dict | None) -> dict:
        """Seller: their model, versions, latest job and boundaries."""
        return personal_models.studio_view(self, self.require(actor, "seller"))

    def cancel_training(self, actor: dict | None) -> dict:
        return personal_models.cancel_training(self, self.require(actor, "seller"))

    def publish(self, actor: dict | None, model_id, price_cents: int) -> dict:
        """Seller: publish at a price per generation; refused under fidelity 0.90."""
        return personal_models.publish(self, self.require(actor, "seller"), model_id, price_cents)

    def disable(self, actor: dict | None, model_id) -> dict:
        return personal_models.disable(self, self.require(actor, "seller"), model_id)

    def delete_model(self, actor: dict | None, model_id, purge_portfolio: bool = False) -> dict:
        """Seller: delete their model at once (refused while it trains), its files and cached
        copies, and with `purge_portfolio` their portfolio for it; returns the receipt. The
        ledger keeps its entries."""
        return model_deletion.delete_model(self, self.require(actor, "seller"), model_id, purge_portfolio)

    def save_boundaries(self, actor: dict | None, topics: str, words: str, categories=()) -> dict:
        """Seller: replace their boundaries: topics one per line ("Name: phrase; phrase"), banned
        words comma-separated, and the built-in categories switched on."""
        return creator_boundaries.save(self, self.require(actor, "seller"), topics, words, categories)

    def boundaries(self, actor: dict | None) -> dict:
        """Seller: their boundaries, latest red-team run and any run in flight."""
        actor = self.require(actor, "seller")
        return creator_boundaries.redteam_view(self, actor["id"])

    def run_redteam(self, actor: dict | None, seller_id: int | None = None) -> dict:
        """Seller (their own) or admin (any seller): queue a red-team run of the boundaries."""
        return creator_boundaries.start_redteam(self, self.require(actor, "seller", "admin"), seller_id)

    def check_assistant_message(self, seller_id: int, buyer: dict | None, text: str,
                                stage: str = "request"):
        """The assistant's guard on a buyer's message ('request') or a drafted reply ('output');
        a block is logged and raised as InvalidInput with the buyer's reason."""
        return creator_boundaries.check_assistant_message(self, seller_id, buyer["id"] if buyer else None,
                                                          text, stage)

    def published_models(self, modality: str | None = None) -> list[dict]:
        return money.visible(self, personal_models.published(self.db, modality))

    def stream_copy(self, actor: dict | None, model_id, brief: str, idempotency_key: str | None = None):
        """Buyer: stream copy from a published text model, charged once it is complete."""
        self.require(actor, "buyer")
        money.check_model_available(self, model_id)
        return tryouts.stream_copy(self, actor, model_id, brief, idempotency_key)

    def speak(self, actor: dict | None, model_id, script: str,
              idempotency_key: str | None = None) -> dict:
        """Buyer: hear a script in a published voice model's voice, charged once the clip is made.
        Returns the generation with `audio_path` and `duration_s`."""
        self.require(actor, "buyer")
        money.check_model_available(self, model_id)
        return tryouts.speak(self, actor, model_id, script, idempotency_key)

    def draw_images(self, actor: dict | None, model_id, prompt: str, count: int = 1,
                    idempotency_key: str | None = None) -> dict:
        """Buyer: draw images for a prompt with a published image model, each charged once made
        and allowed. Returns {"images": generations with `image_path`, "withheld": reasons}."""
        self.require(actor, "buyer")
        money.check_model_available(self, model_id)
        return tryouts.draw(self, actor, model_id, prompt, count, idempotency_key)

    def image_steering(self, model_id) -> list[str]:
        """The words a prompt can steer a published image model with."""
        model = tryouts.published_model(self.db, model_id, "image")
        version = self.db["model_versions"].get(model["current_version_id"])
        with self.backends.using("image") as backend:
            return backend.steering(self.settings.data_dir / version["artefact_path"])

    # --- orders and provenance ---------------------------------------------------------------

    def set_order_prices(self, actor: dict | None, model_id, licence_cents: int, blend_cents: int) -> dict:
        """Seller: the price of licensing an AI sample and of a blend for one of their models."""
        return orders.set_prices(self, self.require(actor, "seller"), model_id, licence_cents, blend_cents)

    def license_sample(self, actor: dict | None, generation_id, idempotency_key: str) -> dict:
        """Buyer: license one of their samples; returns the completed licence order."""
        return orders.license_sample(self, self.require(actor, "buyer"), generation_id, idempotency_key)

    def licensed_file(self, actor: dict | None, generation_id):
        """Buyer: the clean file of a sample they hold a licence for."""
        return orders.licensed_file(self, self.require(actor, "buyer"), generation_id)

    def order_human(self, actor: dict | None, package_id, brief: str, idempotency_key: str) -> dict:
        """Buyer: order the creator for a gig package (the price waits in escrow)."""
        return orders.order_human(self, self.require(actor, "buyer"), package_id, brief, idempotency_key)

    def order_blend(self, actor: dict | None, generation_id, brief: str, idempotency_key: str) -> dict:
        """Buyer: order the creator to finish one of their AI samples."""
        return orders.order_blend(self, self.require(actor, "buyer"), generation_id, brief, idempotency_key)

    def order_step(self, actor: dict | None, order_id, to_status: str, note: str = "",
                   delivery_file: str | None = None) -> dict:
        """Buyer or seller (an admin settling a dispute): accept, deliver, complete, cancel or
        refund an order."""
        return orders.step(self, self.require(actor, "buyer", "seller", "admin"), order_id, to_status, note,
                           delivery_file)

    def orders(self, actor: dict | None) -> list[dict]:
        """Buyer or seller: their orders (an admin: everyone's), newest first, with the steps
        open to them."""
        return orders.listing(self, self.require(actor, "buyer", "seller", "admin"))

    def delivery_file(self, actor: dict | None, order_id):
        """The file delivered for an order."""
        return orders.delivery_file(self, self.require(actor, "buyer", "seller", "admin"), order_id)

    def blend_sample(self, actor: dict | None, order_id):
        """Seller (or admin): the AI sample a blend order asks them to finish."""
        return orders.blend_sample(self, self.require(actor, "seller", "admin"), order_id)

    def my_samples(self, actor: dict | None) -> list[dict]:
        """Buyer: their recent try-outs with licence and blend offers."""
        return orders.samples(self, self.require(actor, "buyer"))

    def gig_packages(self) -> list[dict]:
        return orders.packages(self)

    def verify(self, actor: dict | None, path=None, text: str | None = None) -> dict:
        """Anyone logged in: which creator, model version and licence a file or text came from."""
        from engine.provenance import records

        return records.verify(self, path, text, viewer=self.require(actor, "buyer", "seller", "admin"))

    # --- admin ----------------------------------------------------------------------------

    def admin_guard(self, actor: dict | None) -> dict:
        """Admin: every creator's latest red-team run (with runs in flight) and the guard's log."""
        self.require(actor, "admin")
        rows = redteam_store.latest_per_seller(self.db)
        for row in rows:
            row["job"] = job_rows.latest_for_target(self.db, f"redteam:{row['seller_id']}")
        return {"creators": rows, "blocks": boundary_store.recent_blocks(self.db)}

    def admin_overview(self, actor: dict | None) -> dict:
        """Admin: users, models, ledger balances with the invariant check, the audit log."""
        self.require(actor, "admin")
        return {"users": users.list_users(self.db), "models": models.list_models(self.db),
                "balances": ledger.account_balances(self.db),
                "invariants": ledger.check_invariants(self.db),
                "audit": audit.recent(self.db)}

    # --- the assistant -------------------------------------------------------------------------

    def assistant_start(self, actor: dict | None, seller_id) -> int:
        """Buyer: open a chat with a creator's assistant; returns the conversation id."""
        from engine.assistant import replies
        return replies.start(self, self.require(actor, "buyer"), as_id(seller_id))

    def assistant_reply(self, actor: dict | None, conversation_id, message: str):
        """Buyer: the assistant's reply to a message (an engine.assistant.replies.Reply to stream)."""
        from engine.assistant import replies
        return replies.reply(self, self.require(actor, "buyer"), as_id(conversation_id),
                             message)

    def set_presence(self, actor: dict | None, online: bool) -> dict:
        """Seller: switch 'online' on or off (the assistant pings an online creator about leads)."""
        actor = self.require(actor, "seller")
        users.set_presence(self.db, actor["id"], bool(online))
        return creators.get_profile(self.db, actor["id"])

    def assistant_inbox(self, actor: dict | None) -> dict:
        """Seller: open handoffs, briefs the assistant collected, and unread notifications (reading
        them counts as activity for the creator's presence)."""
        actor = self.require(actor, "seller")
        users.touch(self.db, actor["id"])
        return {"handoffs": assistant_store.handoffs_for(self.db, actor["id"]),
                "briefs": assistant_store.briefs_for(self.db, actor["id"]),
                "notifications": notifications.unread(self.db, actor["id"])}

    def close_handoff(self, actor: dict | None, handoff_id) -> None:
        """Seller: mark a handoff answered."""
        actor = self.require(actor, "seller")
        if not assistant_store.close_handoff(self.db, actor["id"], as_id(handoff_id)):
            raise NotFound("That handoff is not an open one of yours.")

    def read_notifications(self, actor: dict | None) -> None:
        """Any user: mark their notifications read."""
        actor = self.require(actor, "seller", "buyer", "admin")
        notifications.mark_read(self.db, actor["id"])

    def answer_proposals(self, actor: dict | None) -> list[dict]:
        """Seller: drafts of answers to buyers' most frequent questions, from past conversations."""
        from engine.assistant import answers, grounding
        actor = self.require(actor, "seller")
        ground = grounding.load(self.db, actor["id"])
        return answers.proposals(self.db, self.assistant_models.embed, actor["id"], ground.numbers)

    def approve_answer(self, actor: dict | None, question: str, answer: str, asked: int = 0) -> dict:
        """Seller: approve an answer; the assistant then sends it as written to that question."""
        actor = self.require(actor, "seller")
        question, answer = (question or "").strip(), (answer or "").strip()
        if not question or not answer:
            raise InvalidInput("Give both the question and your answer.")
        if len(question) > 300 or len(answer) > 2000:
            raise InvalidInput("Keep the question under 300 characters and the answer under 2,000.")
        self.check_assistant_message(actor["id"], None, answer, "output")
        return assistant_store.save_answer(self.db, actor["id"], question, answer, int(asked or 0))

    def approved_answers(self, actor: dict | None) -> list[dict]:
        """Seller: their approved answers."""
        return assistant_store.answers_for(self.db, self.require(actor, "seller")["id"])

    def remove_answer(self, actor: dict | None, answer_id) -> None:
        """Seller: withdraw an approved answer."""
        assistant_store.delete_answer(self.db, self.require(actor, "seller")["id"], as_id(answer_id))

    def seller_conversations(self, actor: dict | None) -> list[dict]:
        """Seller: their past conversations with buyers."""
        self.require(actor, "seller")
        return conversations.for_seller(self.db, actor["id"])


def validate_packages(packages: list[dict]) -> list[dict]:
    """Check gig packages (tier, name, price in cents, delivery days, revisions); return them clean."""
    if not packages:
        raise InvalidInput("A gig needs at least one package (basic, standard or premium).")
    clean, seen = [], set()
    for package in packages:
        tier = str(package.get("tier", "")).strip().lower()
        if tier not in creators.TIERS or tier in seen:
            raise InvalidInput("Each package needs its own tier: basic, standard or premium.")
        seen.add(tier)
        try:
            price = int(package["price_cents"])
            days, revisions = int(package["delivery_days"]), int(package["revisions"])
        except (KeyError, TypeError, ValueError):
            raise InvalidInput(f"The {tier} package needs a price, delivery days and revisions "
                               "as whole numbers.") from None
        if price <= 0 or days <= 0 or revisions < 0:
            raise InvalidInput(f"The {tier} package needs a positive price and delivery time, "
                               "and revisions of 0 or more.")
        clean.append({"tier": tier, "name": str(package.get("name") or tier.title()).strip(),
                      "description": str(package.get("description") or "").strip(),
                      "price_cents": price, "delivery_days": days, "revisions": revisions})
    return clean
