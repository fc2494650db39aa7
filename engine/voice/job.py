"""The training job of a personal voice model: the matched voice fitted on the creator's
recordings, then the voice judge on clips of scripts the model was not fitted on.

The flow is bench/voice_model.py's: the voice is matched to the recordings (and their
transcripts) and saved (a checkpoint too: after a restart the job resumes from it), at
least `settings.fidelity_samples` clips are generated and the judge scores them against the
creator's recordings and a pool of other voices. Runs in the engine's job worker.

Under SIGNATURE_PROFILE=hub the profile is the creator's reference clips for the coqui-tts models
(engine/voice/hub.py) instead of a matched voice; the judge and everything after it are the same.
"""

import os
import re
import time
from pathlib import Path

import numpy as np

from engine.personal_models import record_judged, run_training, training_subject
from storage import creators, portfolio

MAX_FIT_SECONDS = 120.0  # recordings fitted on, in all: bounds the fitting time
MAX_PARALLEL_CLIP_S = 20.0  # longer clips are not aligned word by word with the base voice (DTW)
WORDS_PER_SECOND = (0.8, 5.0)  # a caption this dense for its clip is taken as its transcript
OTHER_CREATOR_CLIPS = 8
SAMPLES_REPORTED = 12
SAMPLE_CLIPS_KEPT = 2  # generated clips saved with the version for the Studio to play
# What the base voice reads for its statistics when the creator's transcripts are not known.
BASE_SCRIPTS = (
    "Welcome back. Today we are looking at something a little different.",
    "For opening hours and directions, press one. To speak to someone, stay on the line.",
    "It started with a single idea, and a kitchen table covered in sketches.",
    "Fresh from the oven every morning, and gone by noon. Come early.",
    "The museum's north wing is closed for repairs until the end of the month.",
    "Thank you for listening. If you enjoyed this episode, tell a friend about it.",
    "Storms are expected this evening, so plan your journey home before six.",
    "Meet the team behind the app that plans your week in under a minute.",
)


def run(engine, ctx) -> dict:
    """Fit, save the profile, judge fidelity; record everything on the model version (a failure
    or cancel marks it failed; a shutdown leaves it to resume after restart). The judge's encoder
    sets its own thread count; the serving count is put back afterwards."""
    return run_training(ctx, lambda: _fit_and_judge(engine, ctx))


def transcript(item: dict) -> str | None:
    """The words said in a recording: its brief, or its caption when the caption is as many words
    as a person says in the clip's length; None when neither looks like a transcript."""
    for text in (item.get("brief"), item.get("caption")):
        words = len(re.findall(r"[A-Za-z']+", text or ""))
        duration = item.get("duration_s") or 0.0
        if words and duration and WORDS_PER_SECOND[0] <= words / duration <= WORDS_PER_SECOND[1]:
            return text.strip()
    return None


def fitting_set(clips: list[tuple], scripts: list[str | None]) -> tuple[list[tuple], list[str] | None]:
    """The recordings to fit on (at most MAX_FIT_SECONDS in all, the last one cut short when it
    would pass that) and their transcripts, or None for the transcripts when they cannot be used
    word by word: one is missing, a clip is longer than MAX_PARALLEL_CLIP_S, or a clip was cut."""
    chosen, left, parallel = [], MAX_FIT_SECONDS, True
    for (audio, rate), script in zip(clips, scripts):
        if left <= 0.5:
            break
        seconds = len(audio) / rate
        if seconds > left:
            audio, parallel = audio[:int(left * rate)], False
        parallel = parallel and script is not None and seconds <= MAX_PARALLEL_CLIP_S
        chosen.append((audio, rate))
        left -= min(seconds, left)
    return chosen, ([s for s, _ in zip(scripts, chosen)] if parallel else None)


def fresh_scripts(count: int, exclude: set[str], seed: int = 11) -> list[str]:
    """Ad scripts no creator recorded: the first two sentences of generated copy, none of them in
    `exclude` (the job's judging scripts and bench/voice_model.py's)."""
    from assets import copy_samples

    found, round_ = [], 0
    while len(found) < count:
        for writer in copy_samples.WRITERS:
            for sample in copy_samples.write_samples(writer, 4, seed=seed + round_):
                text = " ".join(re.split(r"(?<=[.!?])\s+", sample["text"])[:2])
                if text not in exclude and text not in found:
                    found.append(text)
        round_ += 1
    return found[:count]


def judging_scripts(held_out: list[dict], trained_on: set[str], count: int) -> list[str]:
    """Scripts the model was not fitted on: the held-out recordings' transcripts, then fresh ones."""
    scripts = []
    for item in held_out:
        text = transcript(item)
        if text and text not in trained_on and text not in scripts:
            scripts.append(text)
    return (scripts + fresh_scripts(count, trained_on | set(scripts)))[:max(count, 0)]


def other_voices(db, settings, seller_id: int, creator_clips: list[tuple]) -> dict[str, list[tuple]]:
    """Everyone the creator is judged against: the platform's other voice-over artists, the
    shipped synthetic pool (espeak-ng voices, cached under the data dir) and the creator's own
    recordings pitch-shifted up and down (another voice in the same family)."""
    from assets import voice_pool
    from engine.fidelity.voice import load_clip

    pool = {}
    for creator in creators.list_creators(db):
        if creator["modality"] == "voice" and creator["user_id"] != seller_id:
            items = portfolio.items_for(db, creator["user_id"], "voice", held_out=False,
                                        limit=OTHER_CREATOR_CLIPS)
            if items:
                pool[f"seller:{creator['username']}"] = [
                    load_clip(settings.data_dir / i["file_path"]) for i in items]
    pool.update(voice_pool.reference_pool(settings.cache_dir / "voice_pool"))
    for semitones in voice_pool.SHIFTS:
        pool[voice_pool.shifted_name("creator", semitones)] = [
            (voice_pool.shift_pitch(audio, semitones), rate)
            for audio, rate in creator_clips[:voice_pool.CLIPS_PER_VOICE]]
    return pool


def fit_judge(creator_clips: list[tuple], pool: dict, embedder):
    """The voice judge, and the pool voices left out of it: a pool voice whose clips the judge
    finds typical of the creator (most of them within the creator's own spread) is the creator's
    voice, not another one (e.g. the espeak-ng voice a demo creator was rendered with), so it
    cannot serve as a voice to tell them from."""
    from engine.fidelity.voice import VoiceJudge

    judge = VoiceJudge.fit(creator_clips, pool, embedder)
    alike = sorted(name for name, clips in pool.items()
                   if np.mean([v["typical"] for v in judge.attribute(clips)]) >= 0.5)
    if alike:
        judge = VoiceJudge.fit(creator_clips, {k: v for k, v in pool.items() if k not in alike},
                               embedder)
    return judge, alike


def _save_profile(profile: dict, path: Path) -> None:
    from engine.voice import adapt

    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_suffix(".part")
    adapt.save_profile(profile, part)
    os.replace(part, path)


def _embedded_profile(ctx, version_dir, fit_clips, fit_scripts, first_sample, total):
    """The matched voice (engine/voice/matched.py): fitted and saved, or read back on resume.
    Returns (profile, its path, script -> (audio, rate))."""
    from engine.voice import adapt, matched

    profile_path = version_dir / "profile.npz"
    profile = None
    if ctx.resume_from and ctx.resume_from.resolve() == profile_path.resolve():
        profile = adapt.load_profile(profile_path)
        if profile.get("method") == "matched":
            ctx.report(first_sample, total, message="resumed: your voice was already matched")
        else:  # a checkpoint of the earlier grain generator: match the voice afresh
            profile = None
    if profile is None:
        def progress(done, of, message):
            ctx.check_cancelled()
            ctx.report(int(done / max(of, 1) * (first_sample - 1)), total, message=message)

        profile = matched.fit(fit_clips, fit_scripts, list(BASE_SCRIPTS), progress)
        _save_profile(profile, profile_path)
        ctx.report(first_sample, total, message=f"voice matched ({profile['voice']}) and saved",
                   checkpoint_path=profile_path.resolve())
    return profile, profile_path, lambda script: matched.speak(profile, script)


def _hub_profile(ctx, settings, version_dir, fit_clips, first_sample, total):
    """The hub profile (engine/voice/hub.py): the creator's reference clips chosen and saved for
    the coqui-tts models, or read back on resume. Returns (profile, its path, script -> audio)."""
    from engine.voice import hub

    profile_path = version_dir / hub.PROFILE_FILE
    voice = hub.HubVoice(settings)
    if ctx.resume_from and ctx.resume_from.resolve() == profile_path.resolve():
        profile = hub.load_profile(profile_path)
        ctx.report(first_sample, total, message="resumed: your reference recordings were already chosen")
    else:
        started = time.perf_counter()
        ctx.check_cancelled()
        ctx.report(0, total, message=f"choosing reference clips from your {len(fit_clips)} recordings")
        profile = hub.fit(fit_clips, settings, profile_path)
        profile["fit_s"] = round(time.perf_counter() - started, 1)
        ctx.report(first_sample, total, message="reference clips chosen and saved",
                   checkpoint_path=profile_path.resolve())
    return profile, profile_path, lambda script: voice.speak(profile, script)


def _fit_and_judge(engine, ctx) -> dict:
    import soundfile

    from engine.fidelity.voice import VoiceEmbedder, judge_clips, load_clip

    db, settings = ctx.db, engine.settings
    version_id = ctx.payload["version_id"]
    subject = training_subject(db, settings.data_dir, version_id, "voice")
    version, seller_id, version_dir = subject["version"], subject["seller_id"], subject["folder"]
    train_items, held_items = subject["train"], subject["held"]
    train_clips = [load_clip(settings.data_dir / i["file_path"]) for i in train_items]
    fit_clips, fit_scripts = fitting_set(train_clips, [transcript(i) for i in train_items])
    n_samples = settings.fidelity_samples
    scripts = judging_scripts(held_items, {s for s in map(transcript, train_items) if s}, n_samples)
    first_sample = len(fit_clips) + 1
    total = first_sample + n_samples + 1
    if settings.profile == "hub":
        profile, profile_path, say = _hub_profile(ctx, settings, version_dir, fit_clips,
                                                  first_sample, total)
    else:
        profile, profile_path, say = _embedded_profile(ctx, version_dir, fit_clips,
                                                       fit_scripts, first_sample, total)

    generated = []
    for i, script in enumerate(scripts):
        ctx.check_cancelled()
        generated.append(say(script))
        ctx.report(first_sample + i + 1, total,
                   message=f"judging fidelity: clip {i + 1} of {len(scripts)} generated")
    ctx.check_cancelled()
    ctx.report(total - 1, total, message="judging fidelity: scoring the clips")
    started = time.perf_counter()
    pool = other_voices(db, settings, seller_id, train_clips)
    # The speaker encoder (a torch LSTM) runs on the serving thread count: with more threads than
    # free cores its steps wait on each other (measured: 7.3 s a clip on 2 threads with one core
    # busy, 0.11 s on 1 thread).
    judge, alike = fit_judge(train_clips, pool, VoiceEmbedder(threads=settings.threads))
    verdict = judge_clips(judge, generated, train_clips)
    held_clips = [load_clip(settings.data_dir / i["file_path"]) for i in held_items]
    held_rate = float(np.mean(judge.is_creator(held_clips))) if held_clips else None

    kept = []
    for i, (audio, rate) in enumerate(generated[:SAMPLE_CLIPS_KEPT]):
        path = version_dir / "samples" / f"{i:02d}.wav"
        path.parent.mkdir(parents=True, exist_ok=True)
        soundfile.write(path, audio, rate, subtype="PCM_16")
        kept.append({"path": str(path.relative_to(settings.data_dir)), "script": scripts[i]})
    report = {
        "n": verdict["n"], "attributed": verdict["attributed"], "fidelity": verdict["fidelity"],
        "ci_low": verdict["ci_low"], "ci_high": verdict["ci_high"], "copies": verdict["copies"],
        "held_out_attributed": held_rate, "train_s": profile.get("fit_s"),
        "judge_s": round(time.perf_counter() - started, 1), "method": profile.get("method"),
        "recordings": len(fit_clips), "fit_seconds": round(sum(len(a) / r for a, r in fit_clips), 1),
        "transcripts_used": fit_scripts is not None, "base_model": version["base_model_id"],
        "pool": sorted(k for k in pool if k not in alike), "pool_left_out": alike,
        "samples": [{"script": s, "attributed": v["attributed"], "voice": v["voice"],
                     "p_creator": round(v["p_creator"], 3), "typicality": round(v["typicality"], 2),
                     "copy": v["copy"]}
                    for s, v in list(zip(scripts, verdict["per_sample"]))[:SAMPLES_REPORTED]],
        "sample_clips": kept}
    if profile.get("licences"):
        report["licences"] = profile["licences"]
    if profile.get("method") == "matched":
        report["matched"] = {k: profile[k] for k in ("voice", "pitch", "speed", "lowpass_hz", "reverb")}
    record_judged(db, version_id, str(profile_path.relative_to(settings.data_dir)), verdict, report)
    ctx.report(total, total, message=f"judged: fidelity {verdict['fidelity']:.2f} on "
                                     f"{verdict['n']} clips")
    return {k: report[k] for k in ("fidelity", "ci_low", "ci_high", "copies", "train_s")}
