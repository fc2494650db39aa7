"""Personal voice models: a shared neural base TTS (piper, joe voice) plus a per-creator WORLD-vocoder
profile (pitch statistics, frequency warp, spectral-envelope and recording-chain correction)."""
