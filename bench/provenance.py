"""Provenance benchmark: how often Verify finds where an output came from after the usual
transformations, on 100 outputs per modality, and how many outputs never marked pass the
watermark's tag check (Verify would then still need their serial to belong to a record).

- images: drawn by the demo designers' trained image models (trains them briefly through the
  product's job unless --data-dir points at a data dir that holds trained models, e.g. the one
  `bench/image_model.py --data-dir` keeps), marked as try-outs mark them;
- speech: a matched voice fitted on three demo recordings, speaking 100 lines of demo copy;
- copy: 100 demo copywriter texts, known by their normalised hash.
Each output gets its own random serial, marked and read back through payload.unpack with the
platform key; "found" means the exact serial came back (for text: the same fingerprint).
Prints one JSON object as its last line.
Usage: python bench/provenance.py [--data-dir DIR] [--train-seconds 120]
"""

import argparse
import io
import json
import secrets
import statistics
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from engine.provenance import audio_mark, image_mark, keys, payload, text_mark  # noqa: E402

OUTPUTS = 100


def jpeg(picture, quality):
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def gain(picture, factor):
    return Image.fromarray(np.clip(np.asarray(picture, dtype=np.float64) * factor, 0, 255).astype(np.uint8))


IMAGE_CHANGES = {
    "none": lambda p: p, "jpeg_q75": lambda p: jpeg(p, 75), "jpeg_q50": lambda p: jpeg(p, 50),
    "resize_half": lambda p: p.resize((p.width // 2, p.height // 2), Image.BICUBIC),
    "resize_double": lambda p: p.resize((p.width * 2, p.height * 2), Image.BICUBIC),
    "resize_0.75_jpeg_q75": lambda p: jpeg(p.resize((p.width * 3 // 4,) * 2, Image.BICUBIC), 75),
    "gain_0.8": lambda p: gain(p, 0.8), "gain_1.2": lambda p: gain(p, 1.2)}


def mp3(audio, rate, level=None):
    import soundfile

    buffer = io.BytesIO()
    extra = {"compression_level": level} if level is not None else {}
    soundfile.write(buffer, np.clip(audio, -1, 1), rate, format="MP3", **extra)
    buffer.seek(0)
    decoded, decoded_rate = soundfile.read(buffer)
    return decoded, decoded_rate


def resampled(audio, rate, to):
    from scipy.signal import resample_poly

    return resample_poly(audio, to, rate), to


AUDIO_CHANGES = {
    "none": lambda a, r: (a, r), "mp3": lambda a, r: mp3(a, r),
    "mp3_low_bitrate": lambda a, r: mp3(a, r, 0.9),
    "resample_16k": lambda a, r: resampled(a, r, 16000), "resample_44k": lambda a, r: resampled(a, r, 44100),
    "gain_-6dB": lambda a, r: (a * 0.5, r), "gain_+6dB_clipped": lambda a, r: (np.clip(a * 2.0, -1, 1), r),
    "resample_16k_mp3": lambda a, r: mp3(*resampled(a, r, 16000))}

TEXT_CHANGES = {
    "none": lambda t: t, "upper_case": str.upper,
    "curly_quotes_and_dashes": lambda t: t.replace("'", "\u2019").replace(" - ", " \u2014 ").replace('"', "\u201c"),
    "rewrapped": lambda t: textwrap.fill(t, 60),
    "zero_width_and_spaces": lambda t: t.replace(" ", "  \u200b", 5),
    "one_word_changed": lambda t: t.replace(" the ", " a ", 1) if " the " in t else t + " Thanks.",
}


def image_outputs(data_dir: Path | None, train_seconds: float) -> tuple[list, str]:
    """100 images from the demo designers' trained models (50 each)."""
    from assets import demo
    from engine.engine import Engine
    from engine.image.backend import ImageBackend
    from engine.settings import Settings
    from storage import users

    scratch = tempfile.TemporaryDirectory()
    settings = Settings(data_dir=data_dir or Path(scratch.name), image_train_seconds=train_seconds,
                        image_upsampler_seconds=min(90.0, train_seconds / 4))
    engine = Engine(settings)
    if data_dir is None:
        demo.ensure_demo(engine, log=lambda *_: None)
        engine.start_background()
        try:
            for name in ("mara", "theo"):
                job = engine.train(users.find_user(engine.db, name))
                engine.jobs.wait(job["id"], timeout=3600, poll_s=1.0)
        finally:
            engine.jobs.stop()
    folders = []
    for name in ("mara", "theo"):
        seller = users.find_user(engine.db, name)
        version = engine.studio_model(seller)["current"]
        folders.append((name, settings.data_dir / version["artefact_path"]))
    backend = ImageBackend(settings)
    images = []
    for name, folder in folders:
        for i in range(OUTPUTS // len(folders)):
            images.extend(backend.draw(folder, "", [9000 + i]))
    source = f"trained models in {data_dir}" if data_dir else f"models trained for {train_seconds:.0f} s"
    return images, source


def speech_outputs() -> list[tuple]:
    """100 lines of demo copy spoken by a matched voice fitted on three demo recordings."""
    from assets import copy_samples, voices
    from engine.voice import matched
    from engine.voice.job import BASE_SCRIPTS

    rendered = voices.render_clips("warm_baritone", 3, seed=2)
    profile = matched.fit([(c["audio"], c["sample_rate"]) for c in rendered],
                          [c["transcript"] for c in rendered], list(BASE_SCRIPTS))
    lines = [s["text"].split(". ")[0][:160] for s in copy_samples.write_samples("playful", OUTPUTS, seed=5)]
    return [matched.speak(profile, line) for line in lines]


def text_outputs() -> list[str]:
    from assets import copy_samples

    return [s["text"] for w in ("playful", "formal") for s in copy_samples.write_samples(w, OUTPUTS // 2, seed=9)]


def rates(found: dict[str, list[bool]]) -> dict[str, float]:
    return {change: round(float(np.mean(hits)), 3) for change, hits in found.items()}


def main() -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--train-seconds", type=float, default=120.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        secret = keys.load_or_create(Path(scratch)).mark_secret
    result = {}

    images, source = image_outputs(args.data_dir, args.train_seconds)
    found = {change: [] for change in IMAGE_CHANGES}
    false_found, psnr, embed_s, read_s = 0, [], [], []
    for picture in images:
        serial = secrets.randbits(32)
        started = time.perf_counter()
        marked = image_mark.embed(picture, payload.pack(serial, secret))
        embed_s.append(time.perf_counter() - started)
        error = np.asarray(marked, float) - np.asarray(picture, float)
        psnr.append(float(10 * np.log10(255 ** 2 / max(float(np.mean(error ** 2)), 1e-9))))
        for change, apply in IMAGE_CHANGES.items():
            started = time.perf_counter()
            found[change].append(payload.unpack(image_mark.read(apply(marked)), secret) == serial)
            read_s.append(time.perf_counter() - started)
        false_found += payload.unpack(image_mark.read(picture), secret) is not None
    result["image"] = {"outputs": len(images), "source": source, "found": rates(found),
                       "unmarked_passing_tag": false_found, "psnr_db_median": round(statistics.median(psnr), 1),
                       "psnr_db_min": round(min(psnr), 1), "embed_s_median": round(statistics.median(embed_s), 3),
                       "read_s_median": round(statistics.median(read_s), 3)}
    print(json.dumps({"image": result["image"]}), flush=True)

    clips = speech_outputs()
    found = {change: [] for change in AUDIO_CHANGES}
    false_found, snr, embed_s = 0, [], []
    for audio, rate in clips:
        serial = secrets.randbits(32)
        started = time.perf_counter()
        marked = audio_mark.embed(audio, rate, payload.pack(serial, secret))
        embed_s.append(time.perf_counter() - started)
        snr.append(float(10 * np.log10(np.sum(np.square(audio)) / max(float(np.sum(np.square(marked - audio))), 1e-12))))
        for change, apply in AUDIO_CHANGES.items():
            found[change].append(payload.unpack(audio_mark.read(*apply(marked, rate)), secret) == serial)
        false_found += payload.unpack(audio_mark.read(np.asarray(audio, np.float64), rate), secret) is not None
    result["speech"] = {"outputs": len(clips), "found": rates(found), "unmarked_passing_tag": false_found,
                        "clip_s_median": round(float(statistics.median(len(a) / r for a, r in clips)), 2),
                        "snr_db_median": round(statistics.median(snr), 1),
                        "embed_s_median": round(statistics.median(embed_s), 3)}
    print(json.dumps({"speech": result["speech"]}), flush=True)

    texts = text_outputs()
    known = {text_mark.fingerprint(t) for t in texts}
    found = {change: [text_mark.fingerprint(apply(t)) in known for t in texts] for change, apply in TEXT_CHANGES.items()}
    result["text"] = {"outputs": len(texts), "found": rates(found)}
    return result


if __name__ == "__main__":
    print(json.dumps(main()))
