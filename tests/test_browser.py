"""The app as a person sees it: `python app.py` started fresh, the demo buyer logs in through
headless Chromium, sees the creator directory and opens a creator's portfolio."""

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import DEMO_PASSWORD, free_port

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    port = free_port()
    env = {**os.environ, "SIGNATURE_DATA_DIR": str(tmp_path_factory.mktemp("e2e") / "data"),
           "SIGNATURE_PORT": str(port)}
    process = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"app.py exited early:\n{process.stdout.read()}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.5)
    else:
        process.kill()
        pytest.fail("app.py did not serve its first page within 180 s")
    yield url
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: run `bash scripts/run-tests.sh`, which installs it")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser.new_page(viewport={"width": 1400, "height": 1000})
        browser.close()


def log_in(page, url, username):
    page.goto(url)
    page.fill("input[type=text]", username)
    page.fill("input[type=password]", DEMO_PASSWORD)
    page.keyboard.press("Enter")


def test_buyer_logs_in_and_sees_the_creator_directory(app_url, page):
    log_in(page, app_url, "buyer")
    page.wait_for_selector(".sig-card", timeout=60_000)
    cards = page.locator(".sig-card")
    assert cards.count() == 6
    text = page.locator(".sig-directory").inner_text()
    for name in ("Mara Lind", "Theo Ash", "Ravi Mensah", "Inès Laurent", "Juniper Vale", "Harold Finch"):
        assert name in text
    assert "$45.00" in text
    assert page.locator(".sig-samples img").count() >= 8  # designers' thumbnails render
    assert page.get_by_text("Wallet:").is_visible()
    assert not page.get_by_role("tab", name="Admin").is_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "directory.png", full_page=True)
    assert (ARTIFACTS / "directory.png").stat().st_size > 50_000


def test_seller_sees_their_studio(app_url, page):
    log_in(page, app_url, "mara")
    page.wait_for_selector(".sig-card", timeout=60_000)
    page.get_by_role("tab", name="Studio").click()
    page.get_by_text("36 pieces, 6 held out").wait_for(timeout=30_000)
    page.screenshot(path=ARTIFACTS / "studio.png", full_page=True)


def test_a_buyer_sees_orders_and_verifies_a_file_made_elsewhere(app_url, page, tmp_path):
    from PIL import Image

    log_in(page, app_url, "buyer")
    page.wait_for_selector(".sig-card", timeout=60_000)
    page.get_by_role("tab", name="Orders").click()
    page.get_by_text("Order the human").wait_for(timeout=30_000)
    page.get_by_text("Your AI samples").wait_for(timeout=30_000)
    page.screenshot(path=ARTIFACTS / "orders.png", full_page=True)
    page.get_by_role("tab", name="Verify").click()
    picture = tmp_path / "elsewhere.png"
    Image.new("RGB", (300, 200), "teal").save(picture)
    page.locator("#verify-upload input[type=file]").set_input_files(str(picture))
    page.get_by_role("button", name="Verify", exact=True).click()
    page.locator("#verify-result").get_by_text("Unknown.").wait_for(timeout=30_000)


def test_a_wrong_password_stays_on_the_login_page(app_url, page):
    page.goto(app_url)
    page.fill("input[type=text]", "buyer")
    page.fill("input[type=password]", "wrong-password")
    page.keyboard.press("Enter")
    page.get_by_text("Incorrect Credentials", exact=False).wait_for(timeout=15_000)
    assert page.locator(".sig-card").count() == 0


def test_a_buyer_chats_with_a_creators_assistant(app_url, page):
    log_in(page, app_url, "buyer")
    page.wait_for_selector(".sig-card", timeout=60_000)
    page.get_by_text("Chat with a creator's AI assistant").click()
    page.locator("#chat-creator input").click()
    page.get_by_role("option").filter(has_text="Mara Lind").first.click()
    page.locator("#chat-message textarea").fill("How much is a geometric poster?")
    page.locator("#assistant-chat").get_by_role("button", name="Send").click()
    reply = page.locator("#assistant-chat").get_by_text("$45", exact=False)
    reply.first.wait_for(timeout=120_000)
    assert page.locator("#assistant-chat").get_by_text("AI assistant", exact=False).first.is_visible()
    page.locator("#assistant-chat").scroll_into_view_if_needed()
    page.screenshot(path=ARTIFACTS / "assistant_chat.png", full_page=True)
