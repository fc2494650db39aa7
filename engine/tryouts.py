"""Buyers' try-outs of published personal models: one paid generation at a time, charged through
the ledger.

Every kind of try-out takes the same steps, in this order:
1. the model must be published (`published_model`);
2. an idempotency key already used returns its first generation, without running the model or
   charging again (`replayed`);
3. the creator's boundaries are checked on the request by the guard (engine.guard, through
   engine.boundaries), and the wallet must cover the price (`check_request`): a blocked request
   is logged and never charged;
4. the model runs; its output is checked by the guard (`check_output`): copy as text; a voice
   clip speaks the script checked in step 3; an image by its NSFW score and the words OCR reads
   in it;
5. images and speech get an invisible watermark carrying a provenance serial
   (engine/provenance); the generation, its charge and its signed provenance record commit
   together (`charge`). Anything that fails before that charges nothing; a file whose charge
   fails is deleted. What the buyer sees before licensing is a preview with a visible mark.
"""

import hashlib
import json
import os
import uuid

from engine import boundaries as creator_boundaries
from engine.errors import InvalidInput, NotFound, PaymentError
from engine.ids import as_id
from engine.provenance import preview, records, text_mark
from storage import ledger
from storage import provenance as provenance_store

MAX_BRIEF_CHARS = 2000
MAX_SCRIPT_CHARS = 1000  # about a minute of speech
MAX_PROMPT_CHARS = 500
MAX_IMAGES = 4


def new_key() -> str:
    """An idempotency key for a generation the caller did not name."""
    return f"gen:{uuid.uuid4().hex}"


def published_model(db, model_id, modality: str | None = None) -> dict:
    """The published model with this id (of this modality), or NotFound."""
    rows = list(db.query("SELECT * FROM models WHERE id = ?", [as_id(model_id)]))
    model = rows[0] if rows else None
    if model is None or model["status"] != "published" or (modality and model["modality"] != modality):
        raise NotFound("This model is not available: its creator has not published it or has disabled it.")
    return model


def replayed(db, actor: dict, key: str, request: str) -> dict | None:
    """The generation already made with this idempotency key for this buyer and request (marked
    replayed), None for a new key; PaymentError when the key was used for something else."""
    rows = list(db.query("SELECT * FROM generations WHERE idempotency_key = ?", [key]))
    if not rows:
        return None
    if rows[0]["buyer_id"] != actor["id"] or rows[0]["request"] != request:
        raise PaymentError("This request id was already used for another generation; send the "
                           "request again without it.")
    return {**rows[0], "replayed": True}


def check_request(engine, actor: dict, model: dict, text: str) -> tuple[dict, dict]:
    """Check the request's text against the creator's boundaries through the guard (a block is
    logged and explained, and costs nothing) and the buyer's wallet against the price. Returns
    (seller, boundaries) for `check_output`."""
    db = engine.db
    seller = db["users"].get(model["seller_id"])
    limits = creator_boundaries.check_request(engine, seller, actor["id"], model["id"], model["modality"], text)
    if ledger.wallet_balance(db, actor["id"]) < model["price_cents"]:
        raise PaymentError(f"A generation costs ${model['price_cents'] / 100:.2f}; top up your wallet first.")
    return seller, limits


def check_output(engine, actor: dict, model: dict, seller: dict, limits: dict, content):
    """Withhold (logged, not charged) an output that crosses the creator's boundaries; returns
    the guard's verdict (for an image it says what could not be inspected)."""
    return creator_boundaries.check_output(engine, seller, actor["id"], model["id"], model["modality"],
                                           content, limits)


def request_text(request: dict) -> str:
    """The words of a generation request (prompt, brief, script, style notes), for the guard."""
    return "\n".join(str(v) for v in request.values() if isinstance(v, str) and v.strip())


def charge(engine, actor: dict, model: dict, request: str, key: str, serial: int | None, content_sha256: str | None,
           output_path: str | None = None, output_text: str | None = None) -> dict:
    """Record the generation, charge its price and sign its provenance record (`serial`, the
    hash of the file or of the normalised text; none when serial is None) in one transaction, if
    the model is still published (a creator may disable it while it runs); returns the
    generation row."""
    db = engine.db
    if db["models"].get(model["id"])["status"] != "published":
        raise NotFound("The creator disabled this model while it was working; you were not charged.")
    try:
        return ledger.charge_generation(
            db, actor["id"], model["seller_id"], model["current_version_id"], model["price_cents"],
            engine.settings.fee_bps, key, request, output_path, output_text=output_text,
            then=None if serial is None else
            lambda generation: records.record_generation(engine, generation, model, serial, content_sha256))
    except ledger.LedgerError as exc:
        raise PaymentError(str(exc)) from None


def generate(engine, actor: dict, model_id, request: dict, key: str | None = None) -> dict:
    """Run a published model's backend once (`backend.generate(model, request)` returns the output
    file) and charge its price, together or not at all."""
    model = published_model(engine.db, model_id)
    key = key or new_key()
    body = json.dumps(request, sort_keys=True)
    previous = replayed(engine.db, actor, key, body)
    if previous:
        return previous
    seller, limits = check_request(engine, actor, model, request_text(request))
    with engine.backends.using(model["modality"]) as backend:
        output_path = backend.generate(model, request)
    if model["modality"] == "image":
        check_output(engine, actor, model, seller, limits, output_path)
    if not output_path or not os.path.exists(output_path):  # nothing to attest
        return charge(engine, actor, model, body, key, None, None, None)
    return charge(engine, actor, model, body, key, provenance_store.new_serial(engine.db),
                  records.sha256_file(output_path), str(output_path))


def stream_copy(engine, actor: dict, model_id, brief: str, key: str | None = None):
    """Stream copy from a published text model; charge its price when the copy is complete and
    allowed. Yields the text so far; a blocked brief or draft is never charged."""
    db = engine.db
    brief = (brief or "").strip()
    if not brief:
        raise InvalidInput("Write a brief first: what the copy is for, the audience and the tone.")
    if len(brief) > MAX_BRIEF_CHARS:
        raise InvalidInput(f"Your brief is {len(brief):,} characters; keep it under "
                           f"{MAX_BRIEF_CHARS:,} (a few sentences work best).")
    model = published_model(db, model_id, "text")
    key = key or new_key()
    request = json.dumps({"brief": brief})
    previous = replayed(db, actor, key, request)
    if previous:
        yield previous["output_text"]
        return
    seller, limits = check_request(engine, actor, model, brief)
    version = db["model_versions"].get(model["current_version_id"])
    adapter = str(engine.settings.data_dir / version["artefact_path"])
    text = ""
    with engine.backends.using("text") as backend:
        for chunk in backend.stream(adapter, seller["display_name"], brief):
            text += chunk
            yield text
    check_output(engine, actor, model, seller, limits, text)
    charge(engine, actor, model, request, key, provenance_store.new_serial(db), text_mark.fingerprint(text),
           output_text=text)
    yield text


def speak(engine, actor: dict, model_id, script: str, key: str | None = None) -> dict:
    """Say a buyer's script with a published voice model and charge its price once the clip is
    made. Returns the generation with `audio_path` (absolute) and `duration_s`; a blocked script,
    a script that cannot be spoken or a failed charge costs nothing."""
    import soundfile

    db, settings = engine.db, engine.settings
    script = (script or "").strip()
    if not script:
        raise InvalidInput("Write a script first: the words you want to hear in this voice.")
    if len(script) > MAX_SCRIPT_CHARS:
        raise InvalidInput(f"Your script is {len(script):,} characters; keep it under "
                           f"{MAX_SCRIPT_CHARS:,} (about a minute of speech).")
    if not any(c.isalnum() for c in script):
        raise InvalidInput("Your script has no words to say: write it out as words.")
    model = published_model(db, model_id, "voice")
    key = key or new_key()
    request = json.dumps({"script": script})
    previous = replayed(db, actor, key, request)
    if previous:
        return _with_audio(settings, previous)
    check_request(engine, actor, model, script)
    version = db["model_versions"].get(model["current_version_id"])
    try:
        with engine.backends.using("voice") as backend:
            audio, rate = backend.speak(settings.data_dir / version["artefact_path"], script)
    except ValueError as exc:
        raise InvalidInput(f"This script could not be spoken ({exc}); write it out as plain "
                           "sentences and try again. You have not been charged.") from None
    from engine.provenance import audio_mark

    serial = provenance_store.new_serial(db)
    audio = audio_mark.embed(audio, rate, records.mark_bits(settings, serial))
    relative = output_name(actor, key, serial, ".wav")
    final = settings.data_dir / relative
    shown = preview_path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    part = final.with_suffix(".part")
    try:
        soundfile.write(part, audio, rate, subtype="PCM_16", format="WAV")
        soundfile.write(shown, preview.speech(audio, rate), rate, subtype="PCM_16", format="WAV")
        os.replace(part, final)
        generation = charge(engine, actor, model, request, key, serial, records.sha256_file(final),
                            output_path=relative)
    except BaseException:
        for path in (part, final, shown):
            path.unlink(missing_ok=True)
        raise
    if generation["replayed"]:  # the same request ran twice at once: keep the first one's files
        for path in (final, shown):
            path.unlink(missing_ok=True)
    return _with_audio(settings, generation)


def output_name(actor: dict, key: str, serial: int, suffix: str) -> str:
    """Where an output is kept, relative to the data dir: named by its idempotency key and its
    provenance serial, so two runs of one request never write the same file."""
    return f"generations/{actor['id']}/{hashlib.sha256(key.encode()).hexdigest()[:24]}-{serial:08x}{suffix}"


def preview_path(final) -> "os.PathLike":
    """Where the visibly marked preview of an output file is kept, beside it."""
    return final.with_name(final.stem + ".preview" + final.suffix)


def _with_audio(settings, generation: dict) -> dict:
    """The generation with `audio_path` (the preview a buyer hears; the clean file comes with a
    licence) and `duration_s`."""
    import soundfile

    path = settings.data_dir / generation["output_path"]
    shown = preview_path(path)
    info = soundfile.info(str(path))
    return {**generation, "audio_path": str(shown if shown.exists() else path),
            "duration_s": round(info.frames / info.samplerate, 2)}


def draw(engine, actor: dict, model_id, prompt: str, count: int = 1, key: str | None = None) -> dict:
    """Draw `count` images for a buyer's prompt with a published image model, each charged its
    price once made and allowed (idempotency key `<key>:<i>`). An image the guard withholds is
    not charged and the others are still delivered. Returns {"images": generations with
    `image_path` (absolute), "withheld": reasons}; nothing is charged when every image is
    withheld, the prompt is blocked, the wallet cannot cover them or the model fails."""
    db, settings = engine.db, engine.settings
    prompt = (prompt or "").strip()
    if len(prompt) > MAX_PROMPT_CHARS:
        raise InvalidInput(f"Your prompt is {len(prompt):,} characters; keep it under "
                           f"{MAX_PROMPT_CHARS} (a line about the subject, colours and layout).")
    if not isinstance(count, int) or not 1 <= count <= MAX_IMAGES:
        raise InvalidInput(f"Ask for 1 to {MAX_IMAGES} images at a time.")
    model = published_model(db, model_id, "image")
    key = key or new_key()
    request = json.dumps({"prompt": prompt})
    keys = [f"{key}:{i}" for i in range(count)]
    previous = [replayed(db, actor, k, request) for k in keys]
    if all(previous):
        return {"images": [_with_image(settings, g) for g in previous], "withheld": []}
    seller, limits = check_request(engine, actor, model, prompt)
    if ledger.wallet_balance(db, actor["id"]) < model["price_cents"] * count:
        raise PaymentError(f"{count} images cost ${model['price_cents'] * count / 100:.2f}; top up "
                           "your wallet or ask for fewer.")
    from engine.provenance import image_mark

    version = db["model_versions"].get(model["current_version_id"])
    seeds = [int(hashlib.sha256(k.encode()).hexdigest()[:8], 16) for k in keys]
    with engine.backends.using("image") as backend:
        images = backend.draw(settings.data_dir / version["artefact_path"], prompt, seeds)
    delivered, withheld = [], []
    for k, done, image in zip(keys, previous, images):
        if done:
            delivered.append(_with_image(settings, done))
            continue
        try:
            check_output(engine, actor, model, seller, limits, image)
        except InvalidInput as exc:
            withheld.append(str(exc))
            continue
        serial = provenance_store.new_serial(db)
        image = image_mark.embed(image, records.mark_bits(settings, serial))
        relative = output_name(actor, k, serial, ".png")
        final = settings.data_dir / relative
        shown = preview_path(final)
        final.parent.mkdir(parents=True, exist_ok=True)
        part = final.with_suffix(".part")
        try:
            image.save(part, format="PNG")
            preview.image(image).save(shown, format="PNG")
            os.replace(part, final)
            generation = charge(engine, actor, model, request, k, serial, records.sha256_file(final),
                                output_path=relative)
        except BaseException:
            for path in (part, final, shown):
                path.unlink(missing_ok=True)
            raise
        if generation["replayed"]:  # the same request ran twice at once: keep the first one's files
            for path in (final, shown):
                path.unlink(missing_ok=True)
        delivered.append(_with_image(settings, generation))
    if not delivered:
        raise InvalidInput(withheld[0])
    return {"images": delivered, "withheld": withheld}


def _with_image(settings, generation: dict) -> dict:
    """The generation with `image_path`: the preview a buyer sees (the clean file comes with a
    licence)."""
    path = settings.data_dir / generation["output_path"]
    shown = preview_path(path)
    return {**generation, "image_path": str(shown if shown.exists() else path)}
