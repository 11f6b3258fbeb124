"""A reader's walk through the public pages in headless Chromium, on the desk's real
seed records, with screenshots in artifacts/screenshots/: home, a claim, its evidence
passage on the source page, an agreement timeline, search, the meetings chart, and
the claim and source pages on a phone."""

import pytest
from django.conf import settings

from tests.browser.conftest import SCREENSHOTS
from tracker.desk.seeds import load_seeds

CLAIM_URL = "/claims/s4-defence-agreement-signed/"
IN_VIEW = "el => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }"


@pytest.fixture
def seeded(transactional_db):
    load_seeds(settings.BASE_DIR / "seeds")


def test_a_reader_follows_a_verdict_to_its_evidence_and_on(page, seeded, screenshot):
    page.goto("/")
    assert page.locator("h1").inner_text() == "What was claimed, whether it holds, and why"
    assert page.locator(".claim-item").count() == 8
    screenshot(page, "01-home")

    page.goto(CLAIM_URL)  # a link a reader was sent
    assert page.locator("h1").inner_text() == "Canada and South Korea signed a defence agreement during Carney's visit."
    # Unsupported since the issue-27 audit: the archive neither confirms nor refutes a signature.
    assert page.locator(".verdict-panel").get_by_text("Unsupported", exact=True).is_visible()
    assert page.locator("script[type='application/ld+json']").count() == 1
    screenshot(page, "02-claim")

    announced = page.locator(".evidence").filter(has_text="announced the new Canada-Republic of Korea")
    announced.get_by_role("link", name="Read it in context").first.click()
    page.wait_for_url("**/sources/pmo-readout-indo-pacific-partnerships/#passage-*")
    anchor = page.url.split("#")[1]
    passage = page.locator(f"mark#{anchor}")
    assert "announced the new Canada-Republic of Korea" in passage.inner_text()
    assert passage.evaluate(IN_VIEW), "the cited passage is not scrolled into view"
    # The targeted passage stands out from the other highlighted ones.
    assert passage.evaluate("el => getComputedStyle(el).outlineStyle") == "solid"
    page.screenshot(path=str(SCREENSHOTS / "03-source-passage-viewport.png"))
    screenshot(page, "03-source-passage")

    page.goto("/agreements/ca-kr-general-security-of-information-agreement/")
    steps = page.locator(".timeline__step")
    assert steps.count() >= 1
    assert steps.last.locator(".meta a").count() == 1  # each step names its source
    assert steps.last.get_by_role("link", name="the agreement as of this date").count() == 1
    screenshot(page, "04-agreement-timeline")

    page.get_by_label("Search the tracker").fill("Lee Jae Myung")
    page.get_by_label("Search the tracker").press("Enter")
    page.wait_for_url("**/search/?q=Lee+Jae+Myung")
    assert page.locator(".search-result").count() >= 3
    assert page.locator(".search-result mark").first.inner_text().lower() == "lee"
    screenshot(page, "05-search")


def test_the_meetings_chart_is_drawn_without_javascript(browser, live_server, seeded, screenshot):
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.goto("/meetings/")
    chart = page.locator("svg.chart__svg")
    assert chart.get_attribute("role") == "img"
    bars = page.locator("svg rect").count()
    assert bars >= 3
    assert page.locator(".chart__table tbody tr").count() == bars
    screenshot(page, "06-meetings")
    context.close()


def test_the_pages_read_well_on_a_phone(phone_page, seeded, screenshot):
    pages = [
        (CLAIM_URL, "07-phone-claim"),
        ("/sources/pmo-readout-indo-pacific-partnerships/", "08-phone-source"),
        ("/claims/", "09-phone-claims"),
    ]
    for url, name in pages:
        phone_page.goto(url)
        overflow = phone_page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{url} scrolls sideways by {overflow}px"
        screenshot(phone_page, name)


def test_the_keyboard_reaches_the_skip_link_first(page, seeded):
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    assert page.locator(".skip-link").is_visible()
