"""The reader's portal in Debian's chromium, measured: the phone's first screen, touch targets and text sizes,
one-line lists at desktop widths, panels without empty halves, the 头条, 适老化 (text-size steps, high contrast
from rendered colours, focus rings on the header, read-aloud) and the themed 404 through `hongwang serve`.

Screenshots of home, a list, an article, a notice and search at 375 and 1366 px are kept in tests/artifacts/.
"""

from __future__ import annotations

import io
import subprocess

import pytest
from PIL import Image

from support.browser import ARTIFACTS, screenshot
from support.cli import HONGWANG
from support.servers import free_port, stop, wait_for_port

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1366, "height": 768}
ARTICLE = "article/dz-dangjian-lianmeng-qiangcun-fumin.html"  # the 头条, with a photo
NOTICE = "notice/gongshi-ganbu-renqian-dierpi.html"
SHOTS = {"home": "index.html", "list": "category/dongtai.html", "article": ARTICLE, "notice": NOTICE}
SHOTS["search"] = "search.html"

# (r, g, b, a) of an element's background as painted: the first ancestor with an opaque colour; None when an
# ancestor paints an image or gradient first (then the contrast is not computable from colours alone).
JS_HELPERS = """
window.hwColour = (text) => { const p = text.match(/[\\d.]+/g).map(Number); return p.length === 3 ? [...p, 1] : p; };
window.hwBackground = (element) => {
  for (let e = element; e; e = e.parentElement) {
    const style = getComputedStyle(e);
    const colour = hwColour(style.backgroundColor);
    if (colour[3] > 0.5) return colour;
    if (style.backgroundImage !== 'none') return null;
  }
  return [255, 255, 255, 1];
};
window.hwLuminance = ([r, g, b]) => {
  const lin = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
};
window.hwContrast = (a, b) => {
  const [x, y] = [hwLuminance(a), hwLuminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
};
window.hwTextElements = () => [...document.querySelectorAll('body *')].filter((e) =>
  [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()) && e.getClientRects().length &&
  getComputedStyle(e).visibility !== 'hidden' && e.offsetWidth > 1 && !e.closest('.visually-hidden, .skip-link'));
"""


@pytest.fixture
def open_page(chromium, served_example):
    contexts = []

    def make(path: str, java_script: bool = True, **options):
        context = chromium.new_context(java_script_enabled=java_script, **options)
        contexts.append(context)
        page = context.new_page()
        page.add_init_script(JS_HELPERS)
        page.goto(served_example.url(path))
        return page

    yield make
    for context in contexts:
        context.close()


def box(page, selector: str) -> dict:
    found = page.locator(selector).first.bounding_box()
    assert found, selector
    return found


def overflow(page) -> int:
    return page.evaluate("() => document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth")


# ---------------------------------------------------------------- phone first


def test_the_first_phone_screen_shows_name_search_menu_and_the_first_news(open_page):
    page = open_page("index.html", java_script=False, viewport=PHONE)
    fold = PHONE["height"]
    for selector in [
        ".site-name",
        "#site-search-q",
        ".site-menu summary",
        ".lead-item h2",
        ".panel-latest li >> nth=1",
    ]:
        found = box(page, selector)
        assert found["y"] + found["height"] <= fold, selector
    assert not page.locator(".site-nav").is_visible()  # the section bar is for wider screens
    menu = page.locator(".menu-list a")
    assert menu.count() >= 10 and not menu.first.is_visible()  # collapsed: not four rows of links
    page.locator(".site-menu summary").click()  # <details>: opens without JavaScript
    assert menu.first.is_visible() and page.locator(".menu-list a[aria-current]").inner_text() == "首页"
    heights = [menu.nth(i).bounding_box()["height"] for i in range(menu.count())]
    assert min(heights) >= 44
    assert overflow(page) <= 0


@pytest.mark.parametrize("path", ["index.html", "category/dongtai.html", ARTICLE, NOTICE, "notice/index.html"])
def test_on_a_phone_touch_targets_are_44px_and_text_16px(open_page, path):
    page = open_page(path, viewport=PHONE)
    page.locator(".site-menu summary").click()
    small = page.evaluate(
        """() => [...document.querySelectorAll(
              '.site-header a, .site-header button, .site-header summary, .site-header input, .item-list a,'
            + '.filter a, .pagination a, .more a, .services a, .report-12380 a, .org-chips a, .footer-links a,'
            + '.identifiers a, .print-button')]
          .filter((e) => e.getClientRects().length && !e.closest('[hidden]'))
          .map((e) => [e.textContent.trim().slice(0, 12) || e.tagName, e.getBoundingClientRect()])
          .filter(([, r]) => r.width && (r.height < 44 || r.width < 44))
          .map(([name, r]) => `${name} ${Math.round(r.width)}×${Math.round(r.height)}`)"""
    )
    assert small == [], path
    tiny = page.evaluate(
        """() => hwTextElements().filter((e) => e.closest('main'))
          .filter((e) => parseFloat(getComputedStyle(e).fontSize) < 16)
          .map((e) => `${e.tagName}.${e.className}: ${getComputedStyle(e).fontSize}`)"""
    )
    assert tiny == [], path


# ---------------------------------------------------------------- desktop lists and panels


@pytest.mark.parametrize("path", ["index.html", "category/dongtai.html", "notice/index.html"])
def test_at_desktop_width_titles_and_dates_share_one_line_with_dates_right_aligned(open_page, path):
    page = open_page(path, viewport=DESKTOP)
    rows = page.evaluate(
        """() => [...document.querySelectorAll('main .item-list li')].filter((li) => li.querySelector('a'))
           .map((li) => {
             const row = li.getBoundingClientRect(), title = li.querySelector(':scope > a').getBoundingClientRect();
             const meta = li.querySelector('.meta'), date = meta.getBoundingClientRect();
             return {row: [row.left, row.right, row.height], title: [title.top, title.bottom],
                     date: [date.top, date.bottom, date.right], line: parseFloat(getComputedStyle(li).lineHeight)};
           })"""
    )
    assert len(rows) >= 6
    for row in rows:
        left, right, height = row["row"]
        assert height < 2 * row["line"], row  # one line
        title_top, title_bottom = row["title"]
        date_top, date_bottom, date_right = row["date"]
        assert date_top < title_bottom and title_top < date_bottom, row  # on the same line
        assert abs(date_right - right) <= 1, row  # right-aligned


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1366"])
def test_no_panel_stands_half_empty(open_page, viewport):
    page = open_page("index.html", viewport=viewport)
    gaps = page.evaluate(
        """() => [...document.querySelectorAll('main .panel, main .report-12380')].map((panel) => {
             const inner = panel.getBoundingClientRect().bottom - parseFloat(getComputedStyle(panel).paddingBottom)
                           - parseFloat(getComputedStyle(panel).borderBottomWidth);
             const last = [...panel.children].pop().getBoundingClientRect().bottom;
             return [panel.querySelector('h2').textContent.trim(), Math.round(inner - last)];
           })"""
    )
    assert len(gaps) >= 8
    assert [name for name, gap in gaps if gap > 16] == []
    notices = page.locator(".panel-notices li")
    assert notices.count() >= 4  # 公示 and 通知公告 together: never a panel with one lonely row
    kinds = {page.locator(".panel-notices li").nth(i).locator(".state, .tag").first.inner_text() for i in range(4)}
    assert "通知公告" in kinds and kinds & {"公示中", "已结束", "即将开始"}


def test_the_lead_item_has_its_photo_re_encoded_at_the_themes_largest_use(open_page, example_site):
    page = open_page("index.html", viewport=DESKTOP)
    photo = page.locator(".lead-item .lead-photo")
    natural = photo.evaluate("(img) => [img.naturalWidth, img.naturalHeight, img.complete]")
    assert natural[2] and 0 < natural[0] <= 1600
    shown = photo.bounding_box()
    lead = box(page, ".lead-item")
    assert shown["width"] == pytest.approx(lead["width"], abs=1) and shown["width"] * 2 <= 1600 + 200
    assert photo.get_attribute("alt").startswith("东渚镇")
    phone = open_page("index.html", viewport=PHONE).locator(".lead-item .lead-photo").bounding_box()
    assert phone["width"] <= 0.45 * PHONE["width"]  # a thumbnail beside the title: the news stays on screen


# ---------------------------------------------------------------- 适老化


def root_size(page) -> float:
    return page.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)")


def test_text_size_steps_are_applied_announced_and_remembered_without_cookies(open_page, served_example):
    page = open_page("index.html", viewport=PHONE)
    button = page.locator("#text-size")
    assert button.inner_text() == "字号：标准" and root_size(page) == 16
    for expected_px, label in [(20, "大"), (24, "特大"), (28, "超大")]:
        button.click()
        assert root_size(page) == expected_px and button.inner_text() == f"字号：{label}"
        assert page.locator("#tool-status").inner_text() == f"字号已调为{label}"
    body = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('.item-list a')).fontSize)")
    assert body >= 28
    for path in ["category/dongtai.html", ARTICLE, NOTICE]:  # remembered across pages, and still fits 375 px
        page.goto(served_example.url(path))
        assert root_size(page) == 28 and page.locator("#text-size").inner_text() == "字号：超大"
        assert overflow(page) <= 0, path
    assert page.evaluate("() => localStorage.getItem('hw-text-size')") == "3"
    assert page.context.cookies() == []
    page.locator("#text-size").click()
    assert root_size(page) == 16 and page.evaluate("() => localStorage.getItem('hw-text-size')") is None


def text_contrasts(page) -> list[tuple[float, str]]:
    return page.evaluate(
        """() => hwTextElements().map((e) => {
             const bg = hwBackground(e);
             return bg && [hwContrast(hwColour(getComputedStyle(e).color), bg), `${e.tagName}.${e.className}`];
           }).filter(Boolean)"""
    )


@pytest.mark.parametrize("path", ["index.html", ARTICLE, NOTICE, "letters/index.html"])
def test_high_contrast_mode_keeps_every_rendered_text_at_7_to_1_and_is_remembered(open_page, served_example, path):
    page = open_page("index.html", viewport=DESKTOP)
    normal = text_contrasts(page)
    assert min(ratio for ratio, _ in normal) >= 4.5, min(normal)
    button = page.locator("#contrast")
    assert button.inner_text() == "高对比度：关" and button.get_attribute("aria-pressed") == "false"
    button.click()
    assert button.inner_text() == "高对比度：开" and button.get_attribute("aria-pressed") == "true"
    assert page.locator("#tool-status").inner_text() == "已打开高对比度模式"
    page.goto(served_example.url(path))
    assert page.locator("#contrast").get_attribute("aria-pressed") == "true"
    found = text_contrasts(page)
    assert len(found) > 30
    low = sorted(item for item in found if item[0] < 7)
    assert low == [], path
    screenshot(page, f"reader-high-contrast-{path.split('/')[0].replace('.html', '')}-1366")
    assert page.context.cookies() == []


def ring_pixels(before: Image.Image, after: Image.Image) -> int:
    """Pixels whose colour changed by at least 3:1 (WCAG 2.4.13's measure of a focus indicator)."""

    def luminance(pixel):
        def channel(c):
            c /= 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

        r, g, b = pixel[:3]
        return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)

    count = 0
    for old, new in zip(before.get_flattened_data(), after.get_flattened_data(), strict=True):
        if old != new:
            high, low = sorted((luminance(old), luminance(new)), reverse=True)
            count += (high + 0.05) / (low + 0.05) >= 3
    return count


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1366"])
@pytest.mark.parametrize("contrast", [False, True], ids=["normal", "high-contrast"])
def test_focus_rings_are_visible_on_every_header_control(open_page, viewport, contrast):
    page = open_page("index.html", viewport=viewport)
    if contrast:
        page.locator("#contrast").click()
        page.reload()  # remembered; and Tab starts from the top again
    page.mouse.move(viewport["width"] - 1, viewport["height"] - 1)
    grab = lambda: Image.open(io.BytesIO(page.screenshot())).convert("RGB")  # noqa: E731
    before = grab()
    page.evaluate("() => document.activeElement.blur()")
    page.keyboard.press("Tab")  # the skip link
    checked = []
    while True:
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => { const e = document.activeElement, r = e.getBoundingClientRect();
                       return [e.closest('header') !== null, e.textContent.trim().slice(0, 10) || e.id,
                               [r.left, r.top, r.width, r.height]]; }"""
        )
        if not focused[0] or len(checked) >= 12:
            break
        left, top, width, height = focused[2]
        clip = tuple(round(v) for v in (left - 8, top - 8, left + width + 8, top + height + 8))
        changed = ring_pixels(before.crop(clip), grab().crop(clip))
        perimeter = 2 * (width + height)
        checked.append(focused[1])
        assert changed >= 2 * perimeter, (focused[1], changed, perimeter)
    assert len(checked) >= (4 if viewport is PHONE else 12)


def test_read_aloud_speaks_the_page_in_chinese_and_can_be_stopped(chromium, served_example):
    recorder = """
      window.spoken = []; window.cancelled = 0;
      Object.defineProperty(window, 'speechSynthesis', {value: {
        speak: (u) => window.spoken.push([u.text, u.lang]), cancel: () => { window.cancelled += 1; }}});
      window.SpeechSynthesisUtterance = function (text) { this.text = text; };
    """
    context = chromium.new_context(viewport=PHONE)
    try:
        context.add_init_script(recorder)
        page = context.new_page()
        page.goto(served_example.url(ARTICLE))
        button = page.locator("#read-aloud")
        assert button.inner_text() == "朗读本页" and button.get_attribute("aria-pressed") == "false"
        button.click()
        spoken = page.evaluate("() => window.spoken")
        assert spoken and {lang for _, lang in spoken} == {"zh-CN"}
        text = "".join(t for t, _ in spoken)
        assert "东渚镇组建片区党建联盟推动强村富民" in text and "片区党建联盟签约仪式" in text
        assert button.inner_text() == "停止朗读" and button.get_attribute("aria-pressed") == "true"
        button.click()
        assert button.inner_text() == "朗读本页" and page.evaluate("() => window.cancelled") >= 2
    finally:
        context.close()
    silent = chromium.new_context()
    try:
        silent.add_init_script("delete window.speechSynthesis; delete window.SpeechSynthesisUtterance;")
        page = silent.new_page()
        page.goto(served_example.url(ARTICLE))
        assert page.locator("#text-size").is_visible() and not page.locator("#read-aloud").is_visible()
    finally:
        silent.close()


# ---------------------------------------------------------------- marks, mailboxes, notices


def test_emblem_12380_record_links_and_the_way_to_write_a_letter(open_page, served_example):
    page = open_page("index.html", viewport=DESKTOP)
    emblem = box(page, ".site-header .emblem")
    assert emblem["width"] >= 40 and emblem["height"] == emblem["width"]
    fill = page.evaluate("() => getComputedStyle(document.querySelector('.emblem g')).fill")
    assert fill == "rgb(255, 211, 78)"  # gold on the red masthead
    report = page.locator(".report-12380")
    assert "12380" in report.locator("h2").inner_text()
    assert report.locator("a[href^='tel:']").get_attribute("href") == "tel:051212380"
    assert report.locator("a[href='https://www.12380.gov.cn/']").count() == 1
    footer = page.locator(".identifiers")
    assert footer.locator("a[href='https://beian.miit.gov.cn/']").inner_text() == "苏ICP备00000000号-1"
    police = footer.locator("a[href^='https://beian.mps.gov.cn/']")
    assert police.get_attribute("href").endswith("code=32000000000000")
    page.goto(served_example.url("letters/index.html"))
    page.locator("a.write-letter").click()
    assert page.url.endswith("contact.html#mailboxes")
    heading = box(page, "#mailboxes")
    assert 0 <= heading["y"] < DESKTOP["height"] / 2  # the mailboxes are what the reader lands on
    assert page.locator(".mailbox").count() >= 5 and page.locator(".mailbox-text").count() == 1


# ---------------------------------------------------------------- 404


def test_a_missing_nested_path_through_hongwang_serve_is_the_styled_404_with_a_working_home_link(
    chromium, example_site, tmp_path
):
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [*HONGWANG, "serve", "--output", str(example_site.output_dir), "--port", str(port)],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    context = chromium.new_context(viewport=PHONE)
    try:
        wait_for_port(port, server, log)
        page = context.new_page()
        response = page.goto(f"http://127.0.0.1:{port}/article/2019/no/such/page.html")
        assert response.status == 404
        assert page.locator("h1").inner_text() == "页面未找到"
        header = page.evaluate("() => getComputedStyle(document.querySelector('.site-header')).backgroundImage")
        assert "gradient" in header  # the stylesheet loaded from three folders up
        assert box(page, ".site-header .emblem")["width"] >= 30
        screenshot(page, "reader-404-375")
        home = page.locator("main a", has_text="首页")
        with page.expect_navigation():
            home.click()
        assert page.url == f"http://127.0.0.1:{port}/index.html"
        assert page.locator(".lead-item").count() == 1
    finally:
        context.close()
        stop(server)


# ---------------------------------------------------------------- screenshots


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1366"])
def test_key_pages_fit_and_are_kept_as_screenshots(open_page, served_example, viewport):
    page = open_page("index.html", viewport=viewport)
    for name, path in SHOTS.items():
        page.goto(served_example.url(path))
        assert overflow(page) <= 0, (name, viewport)
        assert screenshot(page, f"reader-{name}-{viewport['width']}").is_file()
    assert len(list(ARTIFACTS.glob("reader-*.png"))) >= 10
