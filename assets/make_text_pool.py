"""Write the text judge's reference pool of other writers: `python -m assets.make_text_pool`.

The demo copywriters ("playful", "formal") are sellers and stay out of the pool; the engine adds
the other sellers' portfolios at judging time.
"""

import json
from pathlib import Path

from assets.copy_samples import write_samples

POOL_PATH = Path(__file__).resolve().parent / "reference" / "text_pool.jsonl"
POOL_WRITERS = ("lyrical", "technical", "plainspoken", "salesy")
SAMPLES_PER_WRITER = 60
SEED = 101


def pool_records(writers=POOL_WRITERS, count: int = SAMPLES_PER_WRITER, seed: int = SEED) -> list[dict]:
    """Return the pool as {"writer", "title", "brief", "text"} records, writer by writer."""
    return [{"writer": writer, **sample} for writer in writers
            for sample in write_samples(writer, count, seed=seed)]


def write_pool(path: Path = POOL_PATH) -> Path:
    """Write the pool as JSON lines to `path` and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = (json.dumps(record, ensure_ascii=False) for record in pool_records())
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":
    written = write_pool()
    print(f"wrote {written} ({written.stat().st_size:,} bytes)")
