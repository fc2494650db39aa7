"""Personal voice models: a shared neural base TTS (piper, joe voice; base.py) plus a per-creator
profile fitted on their recordings (adapt.py: grain selection by default, a WORLD-vocoder mapping
as the alternative), trained and judged by a background job (job.py) and served to buyers by the
voice backend (backend.py). Under the `hub` profile the base is a pretrained coqui-tts model and
the profile is the creator's reference clips (hub.py)."""
