"""The API docs at /api/docs/ render in a real browser, offline, under the site's CSP."""

import pytest


@pytest.mark.django_db(transaction=True)
def test_the_api_docs_render_every_operation_and_can_try_one(page, live_server, screenshot):
    problems = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    outside = []
    page.on("request", lambda request: request.url.startswith(live_server.url) or outside.append(request.url))

    page.goto("/api/docs/")
    page.locator(".opblock").first.wait_for()

    assert page.locator(".opblock").count() >= 18
    assert page.get_by_text("/api/v1/claims/{slug}/").first.is_visible()
    page.locator(".opblock-summary", has_text="/api/v1/topics/").first.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    status = page.locator(".live-responses-table tr.response td.response-col_status").first
    status.wait_for()
    assert status.inner_text().startswith("200")
    full = screenshot(page, "api-docs")
    page.locator(".opblock-summary", has_text="/api/v1/topics/").first.scroll_into_view_if_needed()
    page.screenshot(path=str(full.with_name("api-docs-try-it.png")))
    assert problems == []  # no CSP violation, no script error
    assert outside == []  # every asset is served by us: the page works offline
