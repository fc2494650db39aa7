"""Startup benchmark: seconds from `python app.py` to the first page served, and peak RSS.

The demo data is generated beforehand (not timed). Each run starts a fresh process, polls the
login page until it answers 200, then logs in as the demo buyer and loads the creator directory
so that the peak RSS covers serving real data. Prints one JSON object as its last line.
Usage: python bench/startup.py [runs]
"""

import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "bench" / "out" / "startup-data"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree_rss_mb(process: psutil.Process) -> float:
    try:
        procs = [process] + process.children(recursive=True)
        return sum(p.memory_info().rss for p in procs) / 2**20
    except psutil.NoSuchProcess:
        return 0.0


def one_run(env: dict) -> dict:
    port = free_port()
    env = {**env, "SIGNATURE_PORT": str(port)}
    url = f"http://127.0.0.1:{port}/"
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    watched, peak, first_page = psutil.Process(process.pid), 0.0, None
    try:
        while first_page is None:
            peak = max(peak, tree_rss_mb(watched))
            if process.poll() is not None:
                raise RuntimeError("app.py exited before serving a page")
            try:
                if httpx.get(url, timeout=1).status_code == 200:
                    first_page = time.perf_counter() - started
            except httpx.HTTPError:
                time.sleep(0.05)
        from gradio_client import Client
        client = Client(url, auth=("buyer", "signature-demo"), verbose=False)
        html, _ = client.predict("", "", api_name="/tryouts_directory")
        directory = time.perf_counter() - started
        assert "Mara Lind" in html
        peak = max(peak, tree_rss_mb(watched))
    finally:
        process.terminate()
        process.wait(timeout=30)
    return {"first_page_s": first_page, "directory_s": directory, "peak_rss_mb": peak}


def main(runs: int = 5) -> dict:
    env = {**os.environ, "SIGNATURE_DATA_DIR": str(DATA_DIR)}
    subprocess.run([sys.executable, "-m", "engine", "demo"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    results = [one_run(env) for _ in range(runs)]
    return {
        "benchmark": "startup",
        "runs": runs,
        "first_page_s": round(statistics.median(r["first_page_s"] for r in results), 2),
        "first_page_s_all": [round(r["first_page_s"], 2) for r in results],
        "directory_served_s": round(statistics.median(r["directory_s"] for r in results), 2),
        "peak_rss_mb": round(max(r["peak_rss_mb"] for r in results), 1),
        "targets": {"first_page_s": 10, "peak_rss_mb": 1536},
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)))
