"""The dependency direction app -> engine -> storage holds, and nothing heavy loads at import."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def imported_modules(package: str) -> dict[str, set[str]]:
    found = {}
    for path in (ROOT / package).rglob("*.py"):
        names = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


@pytest.mark.parametrize("package, forbidden", [
    ("engine", {"gradio", "gradio_client", "app"}),
    ("storage", {"gradio", "gradio_client", "torch", "engine", "app"}),
    ("assets", {"gradio", "gradio_client", "app"}),
])
def test_package_never_imports_the_layers_above(package, forbidden):
    offenders = {file: sorted(names & forbidden) for file, names in imported_modules(package).items()
                 if names & forbidden}
    assert offenders == {}


def test_the_scan_sees_a_wrong_arrow():
    bad = ROOT / "storage" / "_wrong_arrow_probe.py"
    bad.write_text("import gradio\n")
    try:
        assert "gradio" in imported_modules("storage")["storage/_wrong_arrow_probe.py"]
    finally:
        bad.unlink()


def test_importing_the_app_loads_no_model_library():
    code = ("import sys, app, engine, storage, assets.demo; "
            "print(sorted(m for m in ('torch', 'transformers', 'diffusers', 'onnxruntime') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


def test_cli_help_runs():
    result = subprocess.run([sys.executable, "-m", "engine", "--help"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0
    assert "backends" in result.stdout and "ledger" in result.stdout
