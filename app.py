"""Run Signature: `python app.py` (settings from SIGNATURE_* environment variables)."""
from app import serve
from engine import Settings

if __name__ == "__main__":
    serve(Settings.from_env())
