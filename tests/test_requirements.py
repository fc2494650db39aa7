"""The environment stays reproducible and CPU-only: torch pinned, no torchvision/torchaudio/CUDA."""

import importlib.metadata
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = re.compile(r"^(torchvision|torchaudio|nvidia-.*|triton)$", re.IGNORECASE)


def pins(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-r "):
            name, _, version = line.partition("==")
            found[name.lower()] = version
    return found


def test_requirements_are_exact_pins_and_torch_is_the_cpu_release():
    for name in ("requirements.txt", "requirements-dev.txt", "requirements-nodeps.txt", "constraints.txt"):
        assert all(version for version in pins(ROOT / name).values()), name
    assert pins(ROOT / "requirements.txt")["torch"] == "2.13.0"
    assert pins(ROOT / "constraints.txt")["torch"] == "2.13.0"


def test_no_cuda_or_torch_extension_packages_are_installed_or_pinned():
    installed = {d.metadata["Name"] for d in importlib.metadata.distributions()}
    assert sorted(n for n in installed if FORBIDDEN.match(n)) == []
    assert sorted(n for n in pins(ROOT / "constraints.txt") if FORBIDDEN.match(n)) == []
    assert importlib.metadata.version("torch").startswith("2.13.0")


def test_coqui_tts_is_only_in_the_space_requirements():
    space = (ROOT / "requirements-space.txt").read_text().splitlines()
    assert "-r requirements.txt" in space
    assert pins(ROOT / "requirements-space.txt") == {"coqui-tts": "0.28.0"}
    for name in ("requirements.txt", "requirements-dev.txt", "requirements-nodeps.txt", "constraints.txt"):
        assert "coqui-tts" not in pins(ROOT / name), name
