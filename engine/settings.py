"""Settings: one frozen dataclass read from SIGNATURE_* environment variables."""

import dataclasses
import os
import re
from pathlib import Path

PROFILES = ("embedded", "hub")


@dataclasses.dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("data")
    profile: str = "embedded"
    threads: int = 1
    train_threads: int = 2
    host: str = "127.0.0.1"
    port: int = 7860
    demo_data: bool = True
    fee_bps: int = 1500
    plan_creation_cents: int = 2500
    plan_assistant_cents: int = 2900
    plans_enforced: bool = False
    payout_minimum_cents: int = 100
    equity_min_years: float = 1.0
    equity_earnings_cents: int = 3_000_000
    equity_growth_bps: int = 1000
    equity_alt_earnings_cents: int = 10_000_000
    equity_grant_cents: int = 250_000
    equity_grant_years: int = 4
    queue_size: int = 32
    max_upload_mb: int = 120
    max_image_mb: int = 20
    max_image_pixels: int = 16_000_000
    min_image_side: int = 64
    max_audio_mb: int = 110
    min_audio_s: float = 1.0
    max_audio_s: float = 600.0
    min_sample_rate: int = 8_000
    max_sample_rate: int = 48_000
    max_text_kb: int = 1024
    text_train_steps: int = 100
    fidelity_samples: int = 64
    text_model_id: str = "HuggingFaceTB/SmolLM2-360M-Instruct"
    # Personal image models. embedded: seconds of generator and upsampler training (on
    # train_threads), the generator starting from the house base (engine/image/house.py) unless
    # image_house_base is off; hub: a Stable-Diffusion-format text-to-image pipeline (hub id or
    # folder) with a LoRA per designer trained for image_lora_steps at image_lora_resolution.
    # image_fidelity_samples images are judged per model (twice fidelity_samples: the publish
    # gate's interval is 0.7 times as wide).
    image_train_seconds: float = 780.0
    image_upsampler_seconds: float = 90.0
    image_fidelity_samples: int = 128
    image_house_base: bool = True
    image_model_id: str = "stabilityai/sd-turbo"
    image_model_revision: str = "main"
    image_lora_steps: int = 400
    image_lora_resolution: int = 512
    image_hub_steps: int = 1
    # The `hub` profile's voice (coqui-tts catalogue ids; licences in engine/voice/hub.py and the
    # README). The defaults allow commercial use: VITS on VCTK (Apache-2.0) speaks the script as
    # `voice_speaker`, FreeVC (MIT) converts it to the creator's voice from their reference clips.
    # A zero-shot cloning model (XTTS-v2: Coqui Public Model License, YourTTS: CC BY-NC-ND 4.0 —
    # both non-commercial) can replace both: voice_model_id=<it>, voice_conversion_model_id=none.
    voice_model_id: str = "tts_models/en/vctk/vits"
    voice_conversion_model_id: str = "voice_conversion_models/multilingual/vctk/freevc24"
    voice_speaker: str = "p225"
    voice_language: str = "en"

    @property
    def db_path(self) -> Path:
        return self.data_dir / "signature.db"

    @property
    def portfolio_dir(self) -> Path:
        return self.data_dir / "portfolio"

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"

    @classmethod
    def from_env(cls, environ: dict | None = None) -> "Settings":
        """Read every field from SIGNATURE_<FIELD NAME> where set; others keep their defaults."""
        environ = os.environ if environ is None else environ
        values = {}
        for field in dataclasses.fields(cls):
            raw = environ.get(f"SIGNATURE_{field.name.upper()}")
            if raw is None or raw == "":
                continue
            values[field.name] = _parse(field, raw)
        settings = cls(**values)
        if settings.profile not in PROFILES:
            raise ValueError(f"SIGNATURE_PROFILE must be one of {PROFILES}, not {settings.profile!r}")
        if not 0 <= settings.fee_bps <= 10_000:
            raise ValueError("SIGNATURE_FEE_BPS must be between 0 and 10000 basis points")
        check_voice_models(settings)
        for name in ("plan_creation_cents", "plan_assistant_cents", "payout_minimum_cents",
                     "equity_earnings_cents", "equity_alt_earnings_cents", "equity_grant_cents",
                     "equity_grant_years"):
            if getattr(settings, name) < 1:
                raise ValueError(f"SIGNATURE_{name.upper()} must be at least 1")
        return settings


VOICE_MODEL_ID = re.compile(r"^tts_models/[\w.-]+/[\w.-]+/[\w.-]+$")
VOICE_CONVERSION_MODEL_ID = re.compile(r"^voice_conversion_models/[\w.-]+/[\w.-]+/[\w.-]+$")
NONE = "none"


def check_voice_models(settings: "Settings") -> None:
    """The hub voice's model ids are coqui-tts catalogue ids (`tts_models/<language>/<dataset>/
    <model>`, `voice_conversion_models/...` or `none`); raises ValueError naming the variable."""
    if not VOICE_MODEL_ID.match(settings.voice_model_id):
        raise ValueError("SIGNATURE_VOICE_MODEL_ID must be a coqui-tts model id such as "
                         f"tts_models/en/vctk/vits, not {settings.voice_model_id!r}")
    conversion = settings.voice_conversion_model_id
    if conversion != NONE and not VOICE_CONVERSION_MODEL_ID.match(conversion):
        raise ValueError("SIGNATURE_VOICE_CONVERSION_MODEL_ID must be a coqui-tts voice conversion "
                         "model id such as voice_conversion_models/multilingual/vctk/freevc24, or "
                         f"'none' for a model that clones from reference clips, not {conversion!r}")


def _parse(field: dataclasses.Field, raw: str):
    kind = field.type
    if kind is bool:
        if raw.lower() not in ("1", "0", "true", "false", "yes", "no"):
            raise ValueError(f"SIGNATURE_{field.name.upper()} must be true or false, not {raw!r}")
        return raw.lower() in ("1", "true", "yes")
    try:
        return kind(raw)
    except ValueError:
        raise ValueError(f"SIGNATURE_{field.name.upper()} must be a {kind.__name__}, not {raw!r}") from None
