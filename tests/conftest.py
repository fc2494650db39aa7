"""Shared fixtures: engines on temporary data dirs, the demo marketplace, a running app."""

import dataclasses
import socket
import threading
from pathlib import Path

import pytest

from engine import Engine, Settings

DEMO_PASSWORD = "signature-demo"


def make_settings(data_dir: Path, **overrides) -> Settings:
    return dataclasses.replace(Settings(), data_dir=Path(data_dir), demo_data=False, **overrides)


@pytest.fixture
def settings(tmp_path) -> Settings:
    return make_settings(tmp_path / "data")


@pytest.fixture
def engine(settings) -> Engine:
    return Engine(settings)


@pytest.fixture(scope="session")
def demo_engine(tmp_path_factory) -> Engine:
    """An engine over the generated demo marketplace (generated once per test session)."""
    from assets.demo import ensure_demo

    engine = Engine(make_settings(tmp_path_factory.mktemp("demo") / "data"))
    ensure_demo(engine, log=lambda *_: None)
    return engine


@pytest.fixture(scope="session")
def voice_profile(tmp_path_factory):
    """A small matched voice fitted on three demo clips (tests/voice_market.py), once per session."""
    from tests.voice_market import fit_small_profile

    return fit_small_profile(tmp_path_factory.mktemp("voice-profile"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """The app served in this process over its own demo data; yields its URL and engine."""
    from assets.demo import ensure_demo
    from app import build_demo, launch_options

    settings = make_settings(tmp_path_factory.mktemp("served") / "data", port=free_port())
    engine = Engine(settings)
    ensure_demo(engine, log=lambda *_: None)
    demo = build_demo(settings, engine)
    demo.launch(prevent_thread_lock=True, quiet=True, **launch_options(settings, engine))
    yield {"url": f"http://127.0.0.1:{settings.port}/", "engine": engine}
    demo.close()


def login(server, username):
    """A gradio_client Client logged in as a demo user."""
    from gradio_client import Client

    return Client(server["url"], auth=(username, DEMO_PASSWORD), verbose=False)


@pytest.fixture(scope="session")
def clients(server):
    return {name: login(server, name) for name in ("buyer", "mara", "juniper", "admin")}
