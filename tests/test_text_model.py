"""Personal text models end to end on a tiny hub-format LM: LoRA training with checkpoints and
resume, adapters hot-swapped on one base, the training job, the publish gate, and paid try-outs
that respect the creator's boundaries."""

import dataclasses
import json
from pathlib import Path

import pytest

from assets.copy_samples import write_samples
from engine import Engine
from engine.errors import InvalidInput, NotFound
from engine.jobs import JobCancelled
from storage import creators, ledger, users
from tests.conftest import make_settings
from tests.tiny_lm import build_tiny_lm

torch = pytest.importorskip("torch")


@pytest.fixture(scope="module")
def tiny_lm(tmp_path_factory):
    texts = [s["text"] for w in ("playful", "formal") for s in write_samples(w, 20, seed=3)]
    return build_tiny_lm(tmp_path_factory.mktemp("tiny-lm"), texts)


def tiny_settings(data_dir, tiny_lm, **overrides):
    return make_settings(data_dir, profile="hub", text_model_id=str(tiny_lm), text_train_steps=6,
                         fidelity_samples=8, **overrides)


def examples(writer="playful", n=12):
    return [(s["brief"], s["text"]) for s in write_samples(writer, n, seed=1)]


def test_the_hub_profile_loads_a_saved_model_and_records_its_revision(tiny_lm, tmp_path):
    from engine.text.base import load_base, spec_for
    spec = spec_for(tiny_settings(tmp_path, tiny_lm))
    assert spec.model_id == str(tiny_lm) and len(spec.revision) == 16
    model, tokenizer = load_base(spec)
    assert model.config.num_hidden_layers == 2 and tokenizer.pad_token is not None


def train(tiny_lm, tmp_path, steps=6, cancel_at=None, resume_from=None, writer="playful"):
    from engine.text.base import hub_spec, load_base
    from engine.text.train import TrainConfig, train_adapter
    model, tokenizer = load_base(hub_spec(str(tiny_lm)))
    seen = []

    def report(step, total, loss, checkpoint):
        seen.append((step, loss, checkpoint))

    def check():
        if cancel_at is not None and len([s for s in seen if s[0]]) >= cancel_at:
            raise JobCancelled()

    config = TrainConfig(steps=steps, batch_size=2, learning_rate=3e-3, checkpoint_every=2, max_tokens=96)
    result = train_adapter(model, tokenizer, examples(writer), "Juniper Vale", tmp_path / f"adapter-{writer}",
                           config, report, check, tmp_path / "ckpt", resume_from)
    return result, seen


def test_lora_training_lowers_the_loss_and_saves_a_safetensors_adapter(tiny_lm, tmp_path):
    result, seen = train(tiny_lm, tmp_path, steps=10)
    assert result["final_loss"] < result["first_loss"]
    assert [s for s, _, _ in seen][-1] == 10
    saved = tmp_path / "adapter-playful"
    assert (saved / "adapter_model.safetensors").stat().st_size > 0
    config = json.loads((saved / "adapter_config.json").read_text())
    assert config["peft_type"] == "LORA" and config["layers_to_transform"] == [0, 1]


def test_training_resumes_from_its_last_checkpoint(tiny_lm, tmp_path):
    with pytest.raises(JobCancelled):
        train(tiny_lm, tmp_path, steps=6, cancel_at=3)
    checkpoints = sorted((tmp_path / "ckpt").glob("step-*"))
    assert [c.name for c in checkpoints] == ["step-00002"]
    result, seen = train(tiny_lm, tmp_path, steps=6, resume_from=str(checkpoints[0]))
    assert result["resumed_at"] == 2
    assert [s for s, _, _ in seen if s] == [3, 4, 5, 6]


def test_adapters_hot_swap_on_one_loaded_base(tiny_lm, tmp_path):
    from engine.text.backend import TextBackend
    train(tiny_lm, tmp_path, steps=4, writer="playful")
    train(tiny_lm, tmp_path, steps=4, writer="formal")
    backend = TextBackend(tiny_settings(tmp_path, tiny_lm))
    brief = "Write launch copy for a bakery."
    outputs = {}
    for name in ("playful", "formal", None, "playful"):
        path = str(tmp_path / f"adapter-{name}") if name else None
        outputs.setdefault(name, []).append(
            "".join(backend.stream(path, "Juniper Vale", brief, max_new_tokens=12, seed=7)))
    base = backend._base
    assert len(backend._adapters) == 2
    assert backend._model.base_model.model is base  # one base, adapters swapped on it
    assert outputs["playful"][0] == outputs["playful"][1]  # same adapter, same seed, same copy
    assert len({outputs["playful"][0], outputs["formal"][0], outputs[None][0]}) == 3

    # a deleted model's adapter is unloaded; the last one leaves the bare base
    assert backend.forget(str((tmp_path / "adapter-playful").resolve())) == 1
    assert list(backend._model.peft_config) == list(backend._adapters) and len(backend._adapters) == 1
    assert "".join(backend.stream(str(tmp_path / "adapter-formal"), "Juniper Vale", brief,
                                  max_new_tokens=12, seed=7)) == outputs["formal"][0]
    assert backend.forget(str((tmp_path / "adapter-formal").resolve())) == 1
    assert backend._adapters == {} and not hasattr(backend._model, "peft_config")
    assert "".join(backend.stream(None, "Juniper Vale", brief, max_new_tokens=12, seed=7)) == outputs[None][0]
    assert "".join(backend.stream(str(tmp_path / "adapter-playful"), "Juniper Vale", brief,
                                  max_new_tokens=12, seed=7)) == outputs["playful"][0]  # loads again


@pytest.fixture
def market(tiny_lm, tmp_path):
    """A copywriter with 14 samples (4 held out), a buyer with $20, the job worker running."""
    settings = tiny_settings(tmp_path / "data", tiny_lm)
    engine = Engine(settings)
    writer = users.create_user(engine.db, "juniper", "password1", "seller", "Juniper Vale")
    creators.save_profile(engine.db, writer["id"], "text", "Playful copy")
    other = users.create_user(engine.db, "harold", "password1", "seller", "Harold Finch")
    creators.save_profile(engine.db, other["id"], "text", "Formal copy")
    for user, style in ((writer, "playful"), (other, "formal")):
        ledger.ensure_user_accounts(engine.db, user)
        for i, sample in enumerate(write_samples(style, 16, seed=2)):
            path = tmp_path / f"{style}-{i}.txt"
            path.write_text(sample["text"])
            engine.add_portfolio_item(user, str(path), path.name, attested=True, held_out=i % 4 == 3)
    buyer = users.create_user(engine.db, "bea", "password1", "buyer")
    ledger.ensure_user_accounts(engine.db, buyer)
    engine.top_up(buyer, 2000, "card")
    engine.start_background()
    yield {"engine": engine, "writer": writer, "buyer": buyer}
    engine.jobs.stop()


def trained(market) -> dict:
    engine = market["engine"]
    job = engine.train(market["writer"])
    with pytest.raises(InvalidInput, match="already training"):
        engine.train(market["writer"])
    job = engine.jobs.wait(job["id"], timeout=300)
    assert job["status"] == "done", job["error"]
    return engine.studio_model(market["writer"])


def test_the_training_job_records_an_adapter_and_a_fidelity_report(market):
    view = trained(market)
    version, engine = view["current"], market["engine"]
    assert view["model"]["status"] == "ready" and version["status"] == "ready"
    assert (engine.settings.data_dir / version["artefact_path"] / "adapter_model.safetensors").is_file()
    assert 0.0 <= version["fidelity_ci_low"] <= version["fidelity"] <= version["fidelity_ci_high"] <= 1.0
    report = json.loads(version["fidelity_report"])
    assert report["n"] == 8 and report["held_out_attributed"] == 1.0
    assert version["base_model_id"] == engine.settings.text_model_id
    assert len(version["training_data_sha256"]) == 64
    assert view["job"]["step"] == view["job"]["total"]


def test_the_publish_gate_refuses_a_model_under_090_and_says_why(market):
    view = trained(market)
    assert view["current"]["fidelity"] < 0.90  # a random 2-layer model does not write like anyone
    with pytest.raises(InvalidInput, match=r"under 0\.90.*Add more samples"):
        market["engine"].publish(market["writer"], view["model"]["id"], 150)
    assert market["engine"].published_models() == []


def published(market, price=150) -> dict:
    engine = market["engine"]
    view = trained(market)
    engine.db["model_versions"].update(view["current"]["id"], {"fidelity": 0.95})  # as if judged true
    return engine.publish(market["writer"], view["model"]["id"], price)


def wallet(market):
    return ledger.wallet_balance(market["engine"].db, market["buyer"]["id"])


def test_a_buyer_streams_copy_and_is_charged_once(market):
    model, engine = published(market), market["engine"]
    chunks = list(engine.stream_copy(market["buyer"], model["id"], "Launch copy for a bakery", "try-1"))
    assert len(chunks) >= 2 and chunks[-1]
    assert wallet(market) == 2000 - 150
    generation = engine.db["generations"].rows_where("idempotency_key = ?", ["try-1"]).__next__()
    assert generation["output_text"] == chunks[-1] and generation["price_cents"] == 150
    assert ledger.check_invariants(engine.db)["ok"]


@pytest.mark.parametrize("brief, message", [("", "Write a brief"), ("x" * 50_000, "50,000 characters")])
def test_bad_briefs_are_refused_without_a_charge(market, brief, message):
    model = published(market)
    with pytest.raises(InvalidInput, match=message):
        list(market["engine"].stream_copy(market["buyer"], model["id"], brief))
    assert wallet(market) == 2000


def test_boundaries_block_the_brief_and_the_output_without_a_charge(market, monkeypatch):
    model, engine = published(market), market["engine"]
    engine.save_boundaries(market["writer"], "election campaign", "casino, tobacco")
    with pytest.raises(InvalidInput, match="doesn't take on work involving “casino”"):
        list(engine.stream_copy(market["buyer"], model["id"], "Ad for my C4SINO night"))
    with pytest.raises(InvalidInput, match="election campaign"):
        list(engine.stream_copy(market["buyer"], model["id"], "copy for my ELECTION   campaign"))

    from engine.text.backend import TextBackend
    monkeypatch.setattr(TextBackend, "stream", lambda self, *a, **k: iter(["Light up ", "a t o b a c c o pipe"]))
    with pytest.raises(InvalidInput, match="withheld"):
        list(engine.stream_copy(market["buyer"], model["id"], "copy for a pipe shop"))
    assert wallet(market) == 2000
    assert [e["stage"] for e in engine.db["guard_events"].rows] == ["request", "request", "output"]


def test_a_disabled_model_cannot_be_used(market):
    model, engine = published(market), market["engine"]
    engine.disable(market["writer"], model["id"])
    with pytest.raises(NotFound, match="disabled"):
        list(engine.stream_copy(market["buyer"], model["id"], "Launch copy"))
    assert wallet(market) == 2000


def test_a_portfolio_of_two_samples_gets_a_clear_error(tiny_lm, tmp_path):
    engine = Engine(tiny_settings(tmp_path / "data", tiny_lm))
    seller = users.create_user(engine.db, "new", "password1", "seller")
    creators.save_profile(engine.db, seller["id"], "text", "New copywriter")
    for i, sample in enumerate(write_samples("playful", 2, seed=5)):
        path = tmp_path / f"s{i}.txt"
        path.write_text(sample["text"])
        engine.add_portfolio_item(seller, str(path), path.name, attested=True)
    with pytest.raises(InvalidInput, match=r"2 samples to learn from.*add 10 more"):
        engine.train(seller)
    assert engine.db["models"].count == 0 and engine.db["jobs"].count == 0


def test_cancelling_training_marks_the_version_failed(market):
    engine = market["engine"]
    engine.jobs.stop()  # keep the job queued so that the cancel lands before it runs
    job = engine.train(market["writer"])
    engine.cancel_training(market["writer"])
    assert engine.jobs.get(job["id"])["status"] == "cancelled"
    view = engine.studio_model(market["writer"])
    assert view["versions"][0]["status"] == "failed" and view["model"]["status"] == "draft"
    assert json.loads(view["versions"][0]["fidelity_report"])["error"]


class _WordTokenizer:
    """One token per entry of `vocab`, enough for the sampling helpers."""

    def __init__(self, vocab):
        self.vocab = vocab

    def __len__(self):
        return len(self.vocab)

    def batch_decode(self, rows):
        return ["".join(self.vocab[i] for i in row) for row in rows]


def test_no_sentence_of_a_draft_opens_like_an_earlier_one():
    import torch

    from engine.text.generate import opener_blocker

    vocab = ["<prompt>", "Go", " on", ",", " yes", ".", " Meet", " our", "!", " Go", " ahead", "?"]
    tokenizer = _WordTokenizer(vocab)
    blocker = opener_blocker(tokenizer, prompt_len=1)
    ids = {word: i for i, word in enumerate(vocab)}

    def allowed(words):
        row = torch.tensor([[0] + [ids[w] for w in words]])
        scores = blocker(row, torch.zeros(1, len(vocab)))
        return {vocab[i] for i in range(len(vocab)) if scores[0, i] > -float("inf")}

    draft = [" Go", " on", ",", " yes", "."]
    assert " on" not in allowed(draft + [" Go"])          # "Go on" opened a sentence already
    assert " ahead" in allowed(draft + [" Go"])           # "Go ahead" has not
    assert " on" in allowed([" Go"])                      # the first sentence is free
    assert allowed(draft + [" Go", " ahead"]) == set(vocab)  # past the opener, nothing is banned
    assert allowed(draft + [" Meet"]) == set(vocab)
