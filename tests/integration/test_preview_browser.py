"""The preview opens in a real headless Chromium: not blank, title, contacts and unsubscribe shown."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO, Cli, missing_server

ARTIFACTS = Path(os.environ.get("MAILER_TEST_ARTIFACTS", REPO / "test-artifacts"))
CHROMIUM = os.environ.get("MAILER_CHROMIUM", "/usr/bin/chromium")
# As root Chromium needs --no-sandbox; the rest keep it from reaching out to the network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _browser_page(playwright: object, width: int) -> object:
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        missing_server(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)  # type: ignore[attr-defined]
    return browser.new_page(viewport={"width": width, "height": 900})


@pytest.mark.parametrize("width", [390, 1024], ids=["phone", "desktop"])
def test_preview_renders_in_chromium(sqlite_cli: Cli, tmp_path: Path, width: int) -> None:
    """mailer preview writes HTML that a browser shows with its title, contacts and unsubscribe link."""
    from PIL import Image
    from playwright.sync_api import sync_playwright

    cli = sqlite_cli
    assert cli("spokespeople", "import", str(REPO / "contacts" / "spokespeople.yaml")).code == 0
    out = tmp_path / "preview"
    result = cli(
        "preview",
        str(REPO / "examples" / "immunization-release.md"),
        "--lang",
        "fr",
        "--out",
        str(out),
    )
    assert result.code == 0, result
    html_file = next(out.glob("*.fr.html"))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / f"preview-fr-{width}.png"
    with sync_playwright() as p:
        page = _browser_page(p, width)
        page.goto(html_file.as_uri())  # type: ignore[attr-defined]
        body = page.inner_text("body")  # type: ignore[attr-defined]
        assert "La vaccination" in body or "vaccination" in body.lower()
        assert "Pour plus d’informations" in body or "Pour plus d'informations" in body
        unsubscribe = page.locator("a[href*='/u/']")  # type: ignore[attr-defined]
        assert unsubscribe.count() >= 1
        assert unsubscribe.first.is_visible()
        tel = page.locator("a[href^='tel:']")  # type: ignore[attr-defined]
        assert tel.count() >= 2
        page.screenshot(path=str(shot), full_page=True)  # type: ignore[attr-defined]
    image = Image.open(shot).convert("L")
    low, high = image.getextrema()
    assert high - low > 100, "the screenshot is blank"
    assert len(set(image.resize((64, 64)).get_flattened_data())) > 20
