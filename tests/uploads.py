"""Builders of good and bad upload files for the tests (written to a folder, returned as paths)."""

import io
import struct
from pathlib import Path

import numpy as np
import soundfile
from PIL import Image


def png(folder: Path, name="work.png", size=(256, 256), colour=(200, 80, 40)) -> Path:
    path = folder / name
    image = Image.new("RGB", size, colour)
    image.paste((30, 120, 160), (size[0] // 4, size[1] // 4, size[0] // 2, size[1] // 2))
    image.save(path)
    return path


def decompression_bomb(folder: Path) -> Path:
    path = folder / "bomb.png"
    Image.new("1", (12_000, 12_000)).save(path, optimize=True)  # 144 MP in a few KB
    return path


def html_as_png(folder: Path) -> Path:
    path = folder / "portfolio.png"
    path.write_text("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>")
    return path


def wav_bytes(seconds=3.0, rate=22_050, silent=False) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    audio = np.zeros_like(t) if silent else 0.3 * np.sin(2 * np.pi * 180 * t) * (1 + np.sin(3 * t))
    buffer = io.BytesIO()
    soundfile.write(buffer, audio.astype(np.float32), rate, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


def wav(folder: Path, name="take.wav", **kw) -> Path:
    path = folder / name
    path.write_bytes(wav_bytes(**kw))
    return path


def truncated_wav(folder: Path) -> Path:
    path = folder / "truncated.wav"
    data = wav_bytes(4.0)
    path.write_bytes(data[: len(data) // 2])
    return path


def wav_cut_mid_header(folder: Path) -> Path:
    path = folder / "cut.wav"
    path.write_bytes(wav_bytes(2.0)[:30])
    return path


def wav_with_lying_rate(folder: Path) -> Path:
    data = bytearray(wav_bytes(2.0))
    struct.pack_into("<I", data, 24, 192_000)  # fmt chunk's sample rate field
    path = folder / "lying.wav"
    path.write_bytes(bytes(data))
    return path


def random_mp3(folder: Path) -> Path:
    path = folder / "song.mp3"
    path.write_bytes(np.random.default_rng(0).integers(0, 256, 50_000, dtype=np.uint8).tobytes()
                     .replace(b"\xff", b"\x00"))
    return path


def hour_of_silence(folder: Path) -> Path:
    path = folder / "silence.wav"
    soundfile.write(path, np.zeros(3600 * 8_000, dtype=np.int16), 8_000, subtype="PCM_16")
    return path


def text(folder: Path, name="copy.txt", body=None) -> Path:
    path = folder / name
    path.write_text(body or "Fresh bread every morning, baked by people who love it. Come in.",
                    encoding="utf-8")
    return path


def huge_text(folder: Path) -> Path:
    path = folder / "novel.txt"
    path.write_text("All work and no play makes a dull copywriter. " * (20 * 2**20 // 46))
    return path


def latin1_text(folder: Path) -> Path:
    path = folder / "legacy.txt"
    path.write_bytes("Café crème, déjà vu: a très bon menu for the bistro downtown.".encode("cp1252"))
    return path


def audio_bytes(fmt: str, seconds=3.0, rate=22_050, **kw) -> bytes:
    """The test tone of wav_bytes encoded as FLAC, OGG (Vorbis) or MP3."""
    audio, rate = soundfile.read(io.BytesIO(wav_bytes(seconds, rate, **kw)), dtype="float32")
    buffer = io.BytesIO()
    soundfile.write(buffer, audio, rate, format=fmt, **({"subtype": "VORBIS"} if fmt == "OGG" else {}))
    return buffer.getvalue()


def recording(folder: Path, name: str, **kw) -> Path:
    """A good recording in the format its name says (.wav, .flac, .ogg or .mp3)."""
    path = folder / name
    fmt = Path(name).suffix[1:].upper()
    path.write_bytes(wav_bytes(**kw) if fmt == "WAV" else audio_bytes(fmt, **kw))
    return path


def wav_named_mp3(folder: Path) -> Path:
    path = folder / "take.mp3"
    path.write_bytes(wav_bytes())
    return path


def flac_cut_mid_header(folder: Path) -> Path:
    path = folder / "cut.flac"
    path.write_bytes(audio_bytes("FLAC")[:20])
    return path


def low_rate_wav(folder: Path) -> Path:
    return wav(folder, "phone.wav", rate=4_000)


def eleven_minutes(folder: Path) -> Path:
    path = folder / "long-read.wav"
    t = np.arange(11 * 60 * 8_000) / 8_000
    tone = 0.3 * np.sin(2 * np.pi * 180 * t) * (1 + np.sin(3 * t))
    soundfile.write(path, tone.astype(np.float32), 8_000, subtype="PCM_16")
    return path


def room_hiss(folder: Path) -> Path:
    """Eight seconds of quiet microphone hiss (about -50 dBFS) and nothing said."""
    path = folder / "muted-mic.wav"
    hiss = np.random.default_rng(1).standard_normal(8 * 22_050) * 0.003
    soundfile.write(path, hiss.astype(np.float32), 22_050, subtype="PCM_16")
    return path


def unsupported_aiff(folder: Path) -> Path:
    path = folder / "take.aiff"
    audio, rate = soundfile.read(io.BytesIO(wav_bytes()), dtype="float32")
    soundfile.write(path, audio, rate, format="AIFF")
    return path
