"""Validation of uploaded portfolio files, before anything is stored.

Every check reads the file in a guarded way (header first, limits before decoding) and raises
InvalidInput with a message that says what to do. Nothing here writes anywhere.
"""

import dataclasses
import hashlib
import io
import struct
import warnings
from pathlib import Path

import numpy as np

from engine.errors import InvalidInput

EXTENSIONS = {
    "image": (".png", ".jpg", ".jpeg", ".webp"),
    "voice": (".wav", ".flac", ".ogg", ".mp3"),
    "text": (".txt", ".md"),
}
SILENCE_RMS = 1e-3  # about -60 dBFS
AUDIO_TYPES = {".wav": "audio/wav", ".flac": "audio/flac", ".ogg": "audio/ogg", ".mp3": "audio/mpeg"}
TYPE_NAMES = {"audio/wav": "WAV", "audio/flac": "FLAC", "audio/ogg": "OGG", "audio/mpeg": "MP3"}
MIN_SPEECH_S = 0.5  # of frames that are both sounding (above -60 dBFS) and speech to the VAD
VAD_RATE, VAD_FRAME = 16_000, 480  # webrtcvad: 30 ms frames at 16 kHz
SCAN_BLOCK_S = 3  # whole seconds, so that a block is a whole number of VAD frames


@dataclasses.dataclass(frozen=True)
class CheckedUpload:
    """A file that passed validation, with what was learned reading it."""
    modality: str
    media_type: str
    extension: str
    size_bytes: int
    sha256: str
    width: int | None = None
    height: int | None = None
    duration_s: float | None = None
    sample_rate: int | None = None
    text: str | None = None


def modality_of(filename: str) -> str:
    """The modality a file name's extension belongs to, or InvalidInput listing what is accepted."""
    ext = Path(filename).suffix.lower()
    for modality, extensions in EXTENSIONS.items():
        if ext in extensions:
            return modality
    accepted = ", ".join(e for exts in EXTENSIONS.values() for e in exts)
    raise InvalidInput(f"'{Path(filename).name}' is not a supported file type. Accepted: {accepted}.")


def check_upload(path: str | Path, filename: str, settings, expected_modality: str | None = None
                 ) -> CheckedUpload:
    """Validate an uploaded file by type, size and content; return what was read from it."""
    path = Path(path)
    name = Path(filename).name
    modality = modality_of(filename)
    if expected_modality and modality != expected_modality:
        raise InvalidInput(
            f"'{name}' is a {modality} file, but this portfolio holds {expected_modality} work. "
            f"Upload {', '.join(EXTENSIONS[expected_modality])} files.")
    if not path.is_file():
        raise InvalidInput(f"The upload of '{name}' did not arrive: please try again.")
    size = path.stat().st_size
    if size == 0:
        raise InvalidInput(f"'{name}' is empty.")
    limit = {"image": settings.max_image_mb * 2**20, "voice": settings.max_audio_mb * 2**20,
             "text": settings.max_text_kb * 2**10}[modality]
    if size > limit:
        raise InvalidInput(f"'{name}' is {_human(size)}; {modality} files are limited to "
                           f"{_human(limit)}. Upload a smaller file.")
    data = path.read_bytes()
    checker = {"image": _check_image, "voice": _check_audio, "text": _check_text}[modality]
    details = checker(data, name, settings)
    return CheckedUpload(modality=modality, extension=Path(filename).suffix.lower(),
                         size_bytes=size, sha256=hashlib.sha256(data).hexdigest(), **details)


def _human(n: int) -> str:
    return f"{n / 2**20:.1f} MB" if n >= 2**20 else f"{n / 2**10:.0f} KB"


def _looks_like_text(data: bytes) -> bool:
    head = data[:512].lstrip().lower()
    return head.startswith((b"<!doctype", b"<html", b"<?xml", b"<svg", b"{", b"<"))


def _image_kind(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _check_image(data: bytes, name: str, settings) -> dict:
    from PIL import Image

    media_type = _image_kind(data)
    if media_type is None:
        looks = "HTML or text" if _looks_like_text(data) else "something else"
        raise InvalidInput(f"'{name}' is not an image: its content looks like {looks}. "
                           "Upload a PNG, JPEG or WebP image.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > settings.max_image_pixels:
                raise InvalidInput(
                    f"'{name}' is {width} × {height} pixels ({width * height / 1e6:.0f} MP); the "
                    f"limit is {settings.max_image_pixels / 1e6:.0f} MP. Resize it and upload again.")
            image.load()
    except InvalidInput:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidInput(f"'{name}' decodes to far more pixels than its size suggests and was "
                           "refused. Export it again at a normal resolution.") from None
    except Exception:
        raise InvalidInput(f"'{name}' could not be read as an image: the file is damaged or "
                           "truncated. Export it again and upload the new file.") from None
    if min(width, height) < settings.min_image_side:
        raise InvalidInput(f"'{name}' is only {width} × {height} pixels; portfolio images need at "
                           f"least {settings.min_image_side} pixels on each side.")
    return {"media_type": media_type, "width": width, "height": height}


def _audio_kind(data: bytes) -> str | None:
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "audio/wav"
    if data.startswith(b"fLaC"):
        return "audio/flac"
    if data.startswith(b"OggS"):
        return "audio/ogg"
    if data.startswith(b"ID3") or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return "audio/mpeg"
    return None


def _check_wav_header(data: bytes, name: str) -> None:
    """Compare what a WAV header declares with what the file holds."""
    pos, fmt_seen = 12, False
    while pos + 8 <= len(data):
        chunk_id, chunk_size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        if chunk_id == b"fmt ":
            if chunk_size < 16 or pos + 24 > len(data):
                break
            fmt_seen = True
        if chunk_id == b"data":
            if not fmt_seen:
                raise InvalidInput(f"'{name}' has no valid format header before its audio data: "
                                   "export it again as a standard WAV file.")
            held = len(data) - (pos + 8)
            if chunk_size > held:
                raise InvalidInput(
                    f"'{name}' is truncated or its header is wrong: the header promises "
                    f"{_human(chunk_size)} of audio but the file holds {_human(held)}. "
                    "Export the recording again.")
            return
        pos += 8 + chunk_size + (chunk_size & 1)
    raise InvalidInput(f"'{name}' is cut off inside its header: it holds no audio data. "
                       "Export the recording again.")


@dataclasses.dataclass(frozen=True)
class AudioScan:
    """What a block-by-block read of a recording found: its length, how much of it is speech,
    and whether the read stopped early (past the length limit)."""
    duration_s: float
    speech_s: float
    stopped_early: bool


def scan_audio(data: bytes, limit_s: float) -> AudioScan:
    """Decode a recording block by block (never all at once) and measure its speech: 30 ms frames
    that are above -60 dBFS and that webrtcvad (mode 3) calls speech. Stops once the recording is
    known to be longer than `limit_s` (speech is then measured in that first part). Raises what
    soundfile raises on damaged data."""
    import soundfile
    import webrtcvad

    from engine.audio import resample

    vad = webrtcvad.Vad(3)
    frames = speech = 0
    with soundfile.SoundFile(io.BytesIO(data)) as handle:
        rate = int(handle.samplerate)
        for block in handle.blocks(blocksize=rate * SCAN_BLOCK_S, dtype="float32", always_2d=True):
            frames += len(block)
            wav = resample(block.mean(axis=1), rate, VAD_RATE)
            wav = wav[:len(wav) - len(wav) % VAD_FRAME].reshape(-1, VAD_FRAME)
            loud = np.sqrt(np.mean(wav.astype(np.float64) ** 2, axis=1)) >= SILENCE_RMS
            pcm = np.round(np.clip(wav, -1.0, 1.0) * 32767).astype("<i2")
            speech += sum(1 for row, ok in zip(pcm, loud) if ok and vad.is_speech(row.tobytes(), VAD_RATE))
            if frames / rate > limit_s:
                return AudioScan(frames / rate, speech * VAD_FRAME / VAD_RATE, True)
    return AudioScan(frames / rate, speech * VAD_FRAME / VAD_RATE, False)


def _check_audio(data: bytes, name: str, settings) -> dict:
    import soundfile

    media_type = _audio_kind(data)
    if media_type is None:
        raise InvalidInput(f"'{name}' is not an audio file we can read. "
                           "Upload WAV, FLAC, OGG or MP3 recordings.")
    extension = Path(name).suffix.lower()
    if AUDIO_TYPES.get(extension) != media_type:
        actual = TYPE_NAMES[media_type]
        raise InvalidInput(f"'{name}' holds {actual} audio but is named {extension}: rename it to "
                           f".{actual.lower()} (or export it again as {extension[1:].upper()}) "
                           "and upload it again.")
    if media_type == "audio/wav":
        _check_wav_header(data, name)
    try:
        info = soundfile.info(io.BytesIO(data))
    except Exception:
        raise InvalidInput(f"'{name}' could not be read as audio: the file is damaged or not "
                           "really a recording. Export it again.") from None
    rate = int(info.samplerate)
    if not settings.min_sample_rate <= rate <= settings.max_sample_rate:
        raise InvalidInput(f"'{name}' has a sample rate of {rate} Hz; recordings must be between "
                           f"{settings.min_sample_rate} and {settings.max_sample_rate} Hz.")
    try:
        scan = scan_audio(data, settings.max_audio_s)
    except Exception:
        raise InvalidInput(f"'{name}' could not be decoded: the audio data is damaged or "
                           "truncated. Export it again.") from None
    duration = scan.duration_s
    if scan.stopped_early and info.frames > 0:
        duration = max(duration, info.frames / rate)
    if duration < settings.min_audio_s:
        _check_duration(duration, name, settings)
    if scan.speech_s < MIN_SPEECH_S:
        raise InvalidInput(f"'{name}' holds no speech: it is silent or only background noise. "
                           "Upload a recording of your voice.")
    _check_duration(duration, name, settings)
    return {"media_type": media_type, "duration_s": round(duration, 3), "sample_rate": rate}


def _check_duration(duration: float, name: str, settings) -> None:
    if duration < settings.min_audio_s:
        raise InvalidInput(f"'{name}' is {duration:.1f} s long; recordings must be at least "
                           f"{settings.min_audio_s:g} s.")
    if duration > settings.max_audio_s:
        raise InvalidInput(f"'{name}' is {duration / 60:.1f} minutes long; recordings are limited "
                           f"to {settings.max_audio_s / 60:g} minutes. Split it into shorter clips.")


def _check_text(data: bytes, name: str, settings) -> dict:
    if b"\x00" in data:
        raise InvalidInput(f"'{name}' is a binary file, not text. Upload a plain-text .txt or .md file.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(f"'{name}' is not UTF-8 text. Save it as UTF-8 (most editors offer "
                           "this under 'Save as' / 'Encoding') and upload it again.") from None
    if len(text.split()) < 5:
        raise InvalidInput(f"'{name}' holds fewer than 5 words; a copy sample needs real text.")
    return {"media_type": "text/plain", "text": text}
