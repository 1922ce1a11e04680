"""The example home page as a real browser shows it."""

import pytest

from support.browser import screenshot

pytestmark = pytest.mark.browser


def test_home_renders_in_chromium(chromium, served_example):
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(served_example.url("index.html"))
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator(".site-name").inner_text() == "青溪红网"
    page.get_by_role("link", name="组织机构").first.click()
    assert page.url.endswith("org/index.html")
    screenshot(page, "home-smoke")
    assert all(u.startswith(served_example.base) for u in requests), requests
    page.close()
