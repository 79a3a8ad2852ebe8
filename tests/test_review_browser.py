"""End to end: a reviewer logs in to the real `factwire review` server in headless
Chromium, corrects a fact in the queue, and `factwire facts` answers with the
corrected value.  Saves a screenshot of the review page to screenshots/review.png.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from test_review import FACT_ACTUAL, FACT_PLANNED, PASSWORD, make_review_db

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.skipif(
    not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)),
    reason="Debian chromium and chromium-driver are not installed (/usr/bin/chromium, "
           "/usr/bin/chromedriver): apt-get install chromium chromium-driver")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"factwire review exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"factwire review did not answer at {url}")


@pytest.fixture
def review_server(tmp_path):
    from datasette_auth_passwords.utils import hash_password
    db = make_review_db(tmp_path / "factwire.db")
    port = free_port()
    env = dict(os.environ, FACTWIRE_REVIEWERS=f"alice:{hash_password(PASSWORD, iterations=20000)}",
               FACTWIRE_REVIEW_SECRET="browser-test-secret")
    env.pop("FACTWIRE_REVIEWERS_FILE", None)
    proc = subprocess.Popen([str(BIN / "factwire"), "review", "--db", db, "--port", str(port),
                             "--host", "127.0.0.1"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    origin = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(origin + "/-/review", proc)
        yield origin, db
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--window-size=1280,1500",
                f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def facts_through_cli(db: str) -> dict[str, dict]:
    """The facts as `factwire facts` answers (falls back to the view without that command)."""
    help_run = subprocess.run([str(BIN / "factwire"), "facts", "--help"], capture_output=True)
    if help_run.returncode == 0:
        out = subprocess.run([str(BIN / "factwire"), "facts", "--format", "json", "--limit", "0",
                              "--db", db], capture_output=True, text=True, check=True)
        return {f["id"]: f for f in json.loads(out.stdout)}
    import sqlite3
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    return {r["id"]: dict(r) for r in conn.execute("select * from facts")}


def test_reviewer_corrects_a_fact_in_the_browser(review_server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    origin, db = review_server
    wait = WebDriverWait(browser, 20)

    # A visitor sees the queue but no buttons.
    browser.get(origin + "/-/review")
    assert browser.find_elements(By.CSS_SELECTOR, f'[data-fact-id="{FACT_PLANNED}"]')
    assert not browser.find_elements(By.CSS_SELECTOR, "button.fw-accept")

    # Log in with datasette-auth-passwords' form.
    browser.get(origin + "/-/login")
    browser.find_element(By.ID, "id_username").send_keys("alice")
    browser.find_element(By.ID, "id_password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form.password-login input[type=submit]").click()
    wait.until(lambda d: d.get_cookie("ds_actor") is not None)

    # The queue, lowest confidence first: the planned 6 million t/year comes first.
    browser.get(origin + "/-/review")
    cards = browser.find_elements(By.CSS_SELECTOR, ".fw-card")
    assert cards[0].get_attribute("data-fact-id") == FACT_PLANNED
    card = cards[0]
    assert card.find_element(By.CSS_SELECTOR, "mark.quantity").text == "6 million tonnes a year"
    assert "alert(1)" in card.find_element(By.CSS_SELECTOR, ".fw-meta").text  # title, as text

    # Correct it: amount, commodity and period.
    card.find_element(By.CSS_SELECTOR, "details.fw-correct summary").click()
    form = card.find_element(By.CSS_SELECTOR, "form.fw-correct-form")
    amount = form.find_element(By.NAME, "amount")
    amount.clear()
    amount.send_keys("7500000")
    commodity = form.find_element(By.NAME, "commodity")
    commodity.clear()
    commodity.send_keys("crude oil")
    browser.execute_script(
        "arguments[0].value = '2027-01-01'; arguments[1].value = '2027-12-31';",
        form.find_element(By.NAME, "period_start"), form.find_element(By.NAME, "period_end"))
    form.find_element(By.CSS_SELECTOR, "button.fw-save").click()

    # The reviewer sees the effect at once.
    message = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "p.message-info")))
    assert f"Corrected fact {FACT_PLANNED}" in message.text
    assert "now 7,500,000 t/year, crude oil, 2027-01-01..2027-12-31" in message.text
    recent = browser.find_element(By.CSS_SELECTOR, ".fw-recent .fw-effective").text
    assert recent.startswith("7,500,000 t/year, crude oil") and "[corrected]" in recent
    # It left the unreviewed queue.
    ids = [c.get_attribute("data-fact-id") for c in browser.find_elements(By.CSS_SELECTOR, ".fw-card")]
    assert FACT_PLANNED not in ids and FACT_ACTUAL in ids

    screenshots = ROOT / "screenshots"
    screenshots.mkdir(exist_ok=True)
    browser.save_screenshot(str(screenshots / "review.png"))
    assert (screenshots / "review.png").stat().st_size > 10_000

    # The CLI answers with the corrected value.
    facts = facts_through_cli(db)
    corrected = facts[FACT_PLANNED]
    assert corrected["amount"] == 7500000.0
    assert corrected["commodity"] == "crude oil"
    assert (corrected["period_start"], corrected["period_end"]) == ("2027-01-01", "2027-12-31")
    assert corrected["review_status"] == "corrected" and corrected["reviewed_by"] == "alice"
    assert facts[FACT_ACTUAL]["amount"] == 1200000.0 and facts[FACT_ACTUAL]["review_status"] == "unreviewed"
