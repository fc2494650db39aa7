"""espeak-ng run as a program: text in, float audio out, with explicit voice parameters.

espeak-ng is a formant synthesiser: an accent (its English voices) and a voice variant (formant
and pitch-range settings) give the timbre; pitch (0-99), speed (words per minute) and a gap
between words (units of 10 ms) are set per call.
"""

import functools
import io
import shutil
import subprocess

import numpy as np

PROGRAM = "espeak-ng"
TIMEOUT_S = 60
INSTALL_HINT = "espeak-ng is not installed: run `apt-get install -y espeak-ng` (the setup script does this)"


def available() -> bool:
    """Whether the espeak-ng program is on PATH."""
    return shutil.which(PROGRAM) is not None


@functools.lru_cache(maxsize=1)
def version() -> str:
    """espeak-ng's version line, e.g. "eSpeak NG text-to-speech: 1.51  Data at: ..." cut to the
    version ("1.51")."""
    done = subprocess.run([PROGRAM, "--version"], capture_output=True, check=False, text=True)
    words = done.stdout.split()
    return words[words.index("text-to-speech:") + 1] if "text-to-speech:" in words else done.stdout.strip()


def run(text: str, voice: str, speed: float, pitch: float, word_gap: int = 0,
        amplitude: int = 120) -> tuple[np.ndarray, int]:
    """Speak `text` with espeak voice `voice` (e.g. "en-us+m3"): (float32 mono audio, its rate).
    Raises RuntimeError when espeak-ng is missing or fails."""
    if not available():
        raise RuntimeError(INSTALL_HINT)
    command = [PROGRAM, "--stdout", "-v", voice, "-s", str(int(round(speed))),
               "-p", str(int(round(np.clip(pitch, 0, 99)))), "-g", str(int(word_gap)),
               "-a", str(int(amplitude))]
    try:
        done = subprocess.run(command, input=text.encode("utf-8"), capture_output=True, check=False,
                              timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"espeak-ng did not finish within {TIMEOUT_S} s") from None
    if done.returncode != 0 or len(done.stdout) <= 44:
        raise RuntimeError(f"espeak-ng failed: {done.stderr.decode(errors='replace').strip()}")
    return read_wav(done.stdout)


def read_wav(data: bytes) -> tuple[np.ndarray, int]:
    """espeak-ng's WAV output as (float32 mono, rate). Written to a pipe, its header gives no data
    length; soundfile may refuse it, and then the PCM after the "data" tag is read directly."""
    import soundfile

    try:
        audio, rate = soundfile.read(io.BytesIO(data), dtype="float32", always_2d=True)
        return audio.mean(axis=1), rate
    except RuntimeError:
        start = data.find(b"data") + 8
        rate = int.from_bytes(data[24:28], "little")
        pcm = np.frombuffer(data[start:start + (len(data) - start) // 2 * 2], dtype="<i2")
        return pcm.astype(np.float32) / 32768.0, rate


def trim(audio: np.ndarray, rate: int, threshold_db: float = -45.0, pad_s: float = 0.06) -> np.ndarray:
    """`audio` without the silence before and after the speech (10 ms frames more than
    `threshold_db` under the loudest one), `pad_s` of it kept each side."""
    frame = max(1, int(rate * 0.01))
    n = len(audio) // frame
    if n == 0:
        return audio
    rms = np.sqrt(np.mean(audio[:n * frame].reshape(n, frame) ** 2, axis=1) + 1e-12)
    loud = np.nonzero(rms > rms.max() * 10 ** (threshold_db / 20))[0]
    if len(loud) == 0:
        return audio
    pad = int(rate * pad_s)
    return audio[max(0, loud[0] * frame - pad):min(len(audio), (loud[-1] + 1) * frame + pad)]
