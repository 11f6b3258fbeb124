"""A reader's walk through the public pages in headless Chromium, with screenshots in
artifacts/screenshots/: home, a claim, its evidence passage on the source page, an
agreement timeline, search, the meetings chart, and the claim page on a phone."""

import pytest

from tests.browser.conftest import SCREENSHOTS
from tests.public.conftest import desk  # noqa: F401 - the realistic record, shared with tests/public

CLAIM = "Canada and South Korea signed a comprehensive defence agreement."


IN_VIEW = "el => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }"


def in_viewport(page, selector: str) -> bool:
    return page.eval_on_selector(selector, IN_VIEW)


@pytest.fixture
def published(transactional_db, desk):  # noqa: F811 - the imported fixture
    return desk


def test_a_reader_follows_a_verdict_to_its_evidence_and_on(page, published, screenshot):
    page.goto("/")
    assert page.locator("h1").inner_text() == "What was claimed, whether it holds, and why"
    screenshot(page, "01-home")

    page.get_by_role("link", name=CLAIM).first.click()
    page.wait_for_url("**/claims/canada-korea-signed-defence-agreement/")
    assert page.locator(".verdict-panel").get_by_text("Inaccurate", exact=True).is_visible()
    assert page.locator("script[type='application/ld+json']").count() == 1
    screenshot(page, "02-claim")

    page.get_by_role("link", name="Read it in context").first.click()
    page.wait_for_url("**/sources/pm-readout-indo-pacific-2025/#passage-*")
    anchor = page.url.split("#")[1]
    passage = page.locator(f"mark#{anchor}")
    assert "announced the new Canada-Republic of Korea" in passage.inner_text()
    assert in_viewport(page, f"mark#{anchor}")
    # The targeted passage stands out from the other highlighted ones.
    assert passage.evaluate("el => getComputedStyle(el).outlineStyle") == "solid"
    page.screenshot(path=str(SCREENSHOTS / "03-source-passage-viewport.png"))
    screenshot(page, "03-source-passage")

    page.goto("/agreements/canada-korea-gsoia/")
    steps = page.locator(".timeline__step")
    assert steps.count() == 2
    assert "Negotiations concluded" in steps.nth(1).text_content()
    assert steps.nth(1).get_by_role("link").inner_text().startswith("Prime Minister Carney advances")
    screenshot(page, "04-agreement-timeline")

    page.get_by_label("Search the tracker").fill("Lee Jae Myung")
    page.get_by_label("Search the tracker").press("Enter")
    page.wait_for_url("**/search/?q=Lee+Jae+Myung")
    assert page.locator(".search-result").count() >= 2
    assert page.locator(".search-result mark").first.inner_text() == "Lee"
    screenshot(page, "05-search")


def test_the_meetings_chart_is_drawn_without_javascript(browser, live_server, published, screenshot):
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.goto("/meetings/")
    chart = page.locator("svg.chart__svg")
    assert chart.get_attribute("role") == "img"
    assert "Republic of Korea: 3" in page.locator("svg desc").text_content()
    assert page.locator("svg rect").count() == 3
    screenshot(page, "06-meetings")
    context.close()


def test_the_claim_page_reads_well_on_a_phone(phone_page, published, screenshot):
    phone_page.goto("/claims/canada-korea-signed-defence-agreement/")
    overflow = phone_page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"
    screenshot(phone_page, "07-phone-claim")
    phone_page.goto("/sources/pm-readout-indo-pacific-2025/")
    assert phone_page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    screenshot(phone_page, "08-phone-source")


def test_the_keyboard_reaches_the_skip_link_first(page, published):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to content"
    assert page.locator(".skip-link").is_visible()
