"""Plain helpers of the tests that drive the pages in Debian's Chromium (tests/pages/test_*browser.py); their
fixtures (the live `yichuang serve`, the browser, the screenshots folder) are in tests/pages/conftest.py."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "counter-pass-42"
SAMPLES = ROOT / "samples"


def sign_in_page(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def shot(page, artefacts: Path, name: str) -> None:
    page.screenshot(path=str(artefacts / f"{name}.png"), full_page=True)


def wait_until(condition, seconds: float) -> None:
    """Polls from the test (the pages' CSP forbids the string evaluation `wait_for_function` would need)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"not reached within {seconds} s")
        time.sleep(1)
