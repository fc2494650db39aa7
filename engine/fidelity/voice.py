"""Voice fidelity: speaker attribution (resemblyzer embeddings) against a pool of voices, plus a copy check.

The judge is independent of the generator: it learns the creator's voice against other voices and
asks, clip by clip, whether the creator is the most likely speaker. A clip is a pair
`(audio, sample_rate)` of float mono samples in [-1, 1] and their rate in Hz; `load_clip` reads
one from a file.
"""

from pathlib import Path

import numpy as np

from engine.fidelity.stats import fidelity_report
from engine.fidelity.voice_encoder import SAMPLE_RATE, VoiceEmbedder, resample

__all__ = ["VoiceEmbedder", "VoiceJudge", "load_clip", "find_copies", "judge_clips",
           "copy_similarity"]

CREATOR = "creator"
# Best aligned spectral match (copy_similarity) of demo training clips with themselves replayed,
# gain-changed by +-12 dB, trimmed (0.7 s and 0.5 s off the ends), cut to their first 1.5 s or
# resampled through 8 kHz: >= 0.94. A different take of the same script by the same voice
# (espeak-ng speaking rate +-5 %, pitch +-3): <= 0.86; clips of different scripts: <= 0.44.
COPY_THRESHOLD = 0.9
COPY_WINDOW = 1024  # 64 ms: resolves the harmonics of a voice
COPY_BINS = 256  # 0-4 kHz
COPY_HOP = 160  # 10 ms
COPY_MIN_SECONDS = 1.0


def load_clip(path: str | Path) -> tuple[np.ndarray, int]:
    """Read an audio file as a clip: (float32 mono samples, sample rate)."""
    import soundfile

    audio, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    return audio.mean(axis=1), int(rate)


class VoiceJudge:
    """Who speaks in a clip: the creator or one of the other voices it was fitted against.

    Two checks must agree. Attribution: a multinomial logistic regression over voices on
    standardised speaker embeddings. Typicality: the clip's embedding lies no farther (cosine distance) from the
    creator's centroid than the creator's own clips do (leave-one-out distances: mean plus
    `tolerance` standard deviations), so that a voice missing from the pool is not credited to the
    creator just because it resembles them more than the other voices do.
    """

    def __init__(self, model, centroid: np.ndarray, threshold: float, embedder: VoiceEmbedder):
        self.model = model
        self.centroid = centroid
        self.threshold = threshold
        self.embedder = embedder

    @classmethod
    def fit(cls, creator_clips: list[tuple], other_voices: dict[str, list[tuple]],
            embedder: VoiceEmbedder, c: float = 0.1, tolerance: float = 2.0) -> "VoiceJudge":
        """Learn the creator (labelled "creator") against every other voice's clips."""
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        others = {name: list(clips) for name, clips in other_voices.items() if clips}
        if len(creator_clips) < 3 or not others:
            raise ValueError("the judge needs at least 3 creator clips and one other voice")
        if CREATOR in others:
            raise ValueError(f"{CREATOR!r} is reserved for the creator's own clips")
        clips = list(creator_clips) + [clip for batch in others.values() for clip in batch]
        labels = [CREATOR] * len(creator_clips) + [n for n, batch in others.items() for _ in batch]
        vectors = embedder.embed(clips)
        model = make_pipeline(StandardScaler(),
                              LogisticRegression(C=c, class_weight="balanced", max_iter=5000))
        model.fit(vectors, labels)
        own = vectors[:len(creator_clips)]
        centroid = _unit(own.mean(axis=0))
        leave_one_out = np.array([1.0 - float(own[i] @ _unit(np.delete(own, i, axis=0).mean(axis=0)))
                                  for i in range(len(own))])
        threshold = leave_one_out.mean() + tolerance * leave_one_out.std()
        return cls(model, centroid, max(float(threshold), 1e-6), embedder)

    def attribute(self, clips: list[tuple]) -> list[dict]:
        """Per clip: the most likely voice, p_creator, similarity to the creator's centroid,
        typicality (cosine distance / threshold) and typical."""
        if not clips:
            return []
        vectors = self.embedder.embed(clips)
        proba = self.model.predict_proba(vectors)
        classes = list(self.model.classes_)
        column = classes.index(CREATOR)
        similarity = vectors @ self.centroid
        ratios = (1.0 - similarity) / self.threshold
        return [{"voice": classes[int(np.argmax(row))], "p_creator": float(row[column]),
                 "similarity": float(sim), "typicality": float(ratio), "typical": bool(ratio <= 1.0)}
                for row, sim, ratio in zip(proba, similarity, ratios)]

    def is_creator(self, clips: list[tuple]) -> list[bool]:
        """Whether each clip is the creator's: best label, p_creator >= 0.5 and typical voice."""
        return [_credited(a) for a in self.attribute(clips)]


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / max(float(np.linalg.norm(vector)), 1e-12)


def _credited(verdict: dict) -> bool:
    return verdict["voice"] == CREATOR and verdict["p_creator"] >= 0.5 and verdict["typical"]


def spectral_frames(clip: tuple) -> np.ndarray:
    """Unit-norm frames of the clip's 0-4 kHz log spectrum (16 kHz, 64 ms window, 10 ms hop), each
    frame's own mean removed and floored 50 dB below its peak, so gain and trimming do not matter
    and a different pitch (shifted harmonics) does; silent frames are zero rows."""
    wav = resample(*clip).astype(np.float64)
    count = 1 + (len(wav) - COPY_WINDOW) // COPY_HOP if len(wav) >= COPY_WINDOW else 0
    if count <= 0:
        return np.zeros((0, COPY_BINS))
    index = np.arange(COPY_WINDOW)[None, :] + COPY_HOP * np.arange(count)[:, None]
    power = np.abs(np.fft.rfft(wav[index] * np.hanning(COPY_WINDOW), axis=1)[:, :COPY_BINS]) ** 2
    peak = power.max(axis=1, keepdims=True)
    log = np.log(power + peak * 1e-5 + 1e-20)
    log -= log.mean(axis=1, keepdims=True)
    log[peak[:, 0] <= 1e-12] = 0.0
    return log / np.maximum(np.linalg.norm(log, axis=1, keepdims=True), 1e-12)


def copy_similarity(sample: np.ndarray, training: np.ndarray,
                    min_frames: int = int(COPY_MIN_SECONDS * SAMPLE_RATE / COPY_HOP)) -> float:
    """Best mean frame cosine between two `spectral_frames` sequences over all time alignments whose
    sounding frames overlap for at least half the sample (and `min_frames`); 0.0 when none does."""
    a, b = len(sample), len(training)
    if a == 0 or b == 0:
        return 0.0
    size = 1 << (a + b - 1).bit_length()

    def correlate(x, y):
        spectrum = np.fft.rfft(x, size, axis=0).conj() * np.fft.rfft(y, size, axis=0)
        if spectrum.ndim > 1:
            spectrum = spectrum.sum(axis=1)
        return np.fft.irfft(spectrum, size)[np.arange(-(a - 1), b) % size]

    sounding_a = (np.abs(sample).sum(axis=1) > 0).astype(float)
    sounding_b = (np.abs(training).sum(axis=1) > 0).astype(float)
    overlap = np.round(correlate(sounding_a, sounding_b))
    valid = overlap >= max(min_frames, sounding_a.sum() / 2)
    if not valid.any():
        return 0.0
    return float(np.max(correlate(sample, training)[valid] / overlap[valid]))


def find_copies(generated: list[tuple], training: list[tuple],
                threshold: float = COPY_THRESHOLD) -> list[dict]:
    """Generated clips that replay a training recording (whole or trimmed, re-encoded or at another
    gain): best aligned spectral match >= threshold.

    Returns {"sample": i, "training": j, "similarity": s} for each copying clip, naming the training
    clip it matches best.
    """
    references = [spectral_frames(clip) for clip in training]
    copies = []
    for i, clip in enumerate(generated):
        frames = spectral_frames(clip)
        scores = [copy_similarity(frames, other) for other in references]
        if scores:
            j = int(np.argmax(scores))
            if scores[j] >= threshold:
                copies.append({"sample": i, "training": j, "similarity": round(scores[j], 4)})
    return copies


def judge_clips(judge: VoiceJudge, clips: list[tuple], training_clips: list[tuple],
                copy_threshold: float = COPY_THRESHOLD) -> dict:
    """Score generated clips: the share attributed to the creator that are not copies, with a 95 % CI."""
    verdicts = judge.attribute(clips)
    return fidelity_report(verdicts, [_credited(v) for v in verdicts],
                           find_copies(clips, training_clips, copy_threshold))
