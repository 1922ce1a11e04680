"""The example portal as Debian's chromium shows it: phone and desktop widths, axe-core,
the notice script against a faked clock, print to A4, 200 % zoom, the large-text toggle.

One browser for the whole session (the `chromium` fixture); axe-core comes from the
axe-playwright-python wheel (its bundled axe.min.js is injected from disk, never fetched).
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from importlib import resources

import pytest

from hongwang.pipeline.core import dates, workdays

from support.browser import screenshot
from support.example import ROOT

pytestmark = pytest.mark.browser

AXE_SOURCE = (resources.files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")
PORTAL_JS = ROOT / "theme/static/js/portal.js"
CADRE_NOTICE = "notice/gongshi-ganbu-renqian-dierpi.html"  # 公示期 2026-11-25 (Wed) … 2026-12-01 (Tue)
KEY_PAGES = {"home": "index.html", "org": "org/zzb.html", "notice": CADRE_NOTICE, "letters": "letters/index.html"}
MORE_PAGES = ["category/dangwu.html", "org/index.html", "stats/dangyuan-shuliang.html", "contact.html"]


def beijing(text: str) -> datetime:
    return dates.parse(text).value


class Visit:
    """A fresh browser context that records every request it makes."""

    def __init__(self, chromium, served, **options):
        self.served = served
        self.context = chromium.new_context(**options)
        self.requests: list[str] = []
        self.context.on("request", lambda request: self.requests.append(request.url))
        self.page = self.context.new_page()

    def open(self, path: str):
        self.page.goto(self.served.url(path))
        return self.page

    def foreign_requests(self) -> list[str]:
        return [url for url in self.requests if not url.startswith(self.served.base)]

    def close(self):
        self.context.close()


@pytest.fixture
def visit(chromium, served_example):
    opened: list[Visit] = []

    def make(**options) -> Visit:
        opened.append(Visit(chromium, served_example, **options))
        return opened[-1]

    yield make
    for v in opened:
        v.close()


def serious_axe_violations(page) -> list[str]:
    # Evaluated through the DevTools protocol: an injected <script> would be inline, which the pages' Content
    # Security Policy rightly blocks.
    page.evaluate(AXE_SOURCE)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def horizontal_overflow(page) -> int:
    return page.evaluate("() => document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth")


@pytest.mark.parametrize("width", [375, 1280])
def test_key_pages_pass_axe_fit_the_width_and_stay_on_this_host(visit, width):
    v = visit(viewport={"width": width, "height": 900})
    problems = {}
    for name, path in KEY_PAGES.items():
        page = v.open(path)
        screenshot(page, f"portal-{name}-{width}")
        assert horizontal_overflow(page) <= 0, (path, width)
        found = serious_axe_violations(page)
        if found:
            problems[path] = found
    assert problems == {}
    assert v.foreign_requests() == []


def test_other_sections_pass_axe_and_stay_on_this_host(visit):
    v = visit(viewport={"width": 1280, "height": 900})
    problems = {}
    for path in MORE_PAGES:
        found = serious_axe_violations(v.open(path))
        if found:
            problems[path] = found
    assert problems == {}
    assert v.foreign_requests() == []


def notice_state(page) -> tuple[str, str]:
    span = page.locator(".notice-period [data-notice-start]")
    note = page.locator(".notice-period .remaining")
    return span.inner_text(), (note.inner_text() if note.count() else "")


@pytest.mark.parametrize(
    "clock, state, note",
    [
        ("2026-11-20 09:00", "即将开始", "5天后开始"),
        ("2026-11-26 09:00", "公示中", "还剩4个工作日"),
        ("2026-11-28 09:00", "公示中", "还剩2个工作日"),  # a Saturday: the weekend is not counted
        ("2026-12-01 16:00", "公示中", "还剩1个工作日，今天截止"),
        ("2026-12-02 08:00", "已结束", ""),
    ],
)
def test_notice_state_follows_the_readers_clock(visit, clock, state, note):
    v = visit(timezone_id="America/New_York")  # Beijing dates, whatever the PC's time zone
    v.page.clock.set_fixed_time(beijing(clock))
    page = v.open(CADRE_NOTICE)
    assert notice_state(page) == (state, note)
    home = v.open("index.html")
    spans = home.locator(f'.panel-notices li:has(a[href$="{CADRE_NOTICE}"]) [data-notice-start]')
    assert spans.inner_text() == state


def test_notice_script_counts_official_holidays_and_adjusted_workdays(visit):
    calendar = workdays.Calendar()
    data = workdays.exceptions(calendar, [2026])

    html = (
        f'<html lang="zh-CN"><head><script>{PORTAL_JS.read_text(encoding="utf-8")}</script></head><body>'
        '<p class="a"><span data-notice-start="2026-09-28" data-notice-end="2026-10-12">公示中</span></p>'
        '<p class="b"><span data-notice-start="2027-12-28" data-notice-end="2028-01-05">公示中</span></p>'
        f'<script type="application/json" id="hw-workdays">{json.dumps(data)}</script></body></html>'
    )
    v = visit()
    v.page.clock.set_fixed_time(beijing("2026-09-29 10:00"))
    v.page.set_content(html)
    expected = calendar.count_workdays(date(2026, 9, 29), date(2026, 10, 12))
    assert expected == 6  # 9-29, 9-30, 10-8, 10-9, 10-10 (adjusted Saturday), 10-12: not the National Day holiday
    assert v.page.locator(".a .remaining").inner_text() == f"还剩{expected}个工作日"
    v.page.clock.set_fixed_time(beijing("2027-12-30 10:00"))
    v.page.set_content(html)
    # 2027 is not in the shipped list: the state is corrected but no count is guessed
    assert v.page.locator(".b [data-notice-start]").inner_text() == "公示中"
    assert v.page.locator(".b .remaining").inner_text() == ""


def test_without_javascript_the_build_time_state_and_dates_show(visit, example_site):
    notice = next(n for n in example_site.portal.notices if n.url == CADRE_NOTICE)
    v = visit(java_script_enabled=False)
    page = v.open(CADRE_NOTICE)
    assert page.locator(".notice-period [data-notice-start]").inner_text() == notice.state == "即将开始"
    assert "2026年11月25日" in page.locator(".notice-period").inner_text()
    assert not page.locator("#text-size").is_visible()
    assert page.locator("table.persons tbody tr").count() == len(notice.persons)


def test_readable_at_200_percent_zoom_with_large_text(visit):
    # A 1280 px screen at 200 % zoom lays pages out in 640 CSS px at device scale 2.
    v = visit(viewport={"width": 640, "height": 800}, device_scale_factor=2)
    for large in (False, True):
        for path in [*KEY_PAGES.values(), *MORE_PAGES]:
            page = v.open(path)
            if large and path == "index.html":
                page.locator("#text-size").click()
            assert horizontal_overflow(page) <= 0, (path, large)
    screenshot(v.page, "portal-contact-zoom200-large")


def test_every_notice_prints_on_one_a4_page(visit, example_site):
    v = visit()
    for notice in example_site.portal.notices:
        page = v.open(notice.url)
        pdf = page.pdf(format="A4")
        pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))
        assert pages == 1, (notice.url, pages)


def test_skip_link_and_focus_are_visible_from_the_keyboard(visit):
    v = visit(viewport={"width": 1280, "height": 900})
    page = v.open("letters/index.html")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.className")
    assert focused == "skip-link"
    box = page.locator(".skip-link").bounding_box()
    assert box["x"] >= 0 and box["y"] >= 0
    assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("() => parseFloat(getComputedStyle(document.activeElement).outlineWidth)") >= 2
