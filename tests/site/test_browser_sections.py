"""党员电教, 学习测试, 在线访谈 and 紧急发布 as Debian's chromium shows them, over `hongwang serve`'s server
(byte ranges) and from file://: a video plays, seeks and shows a subtitle cue; a quiz is taken and scored;
interview states and the alert banner follow the reader's clock without a rebuild.
"""

from __future__ import annotations

import json
import re

import pytest
from test_browser_portal import horizontal_overflow, serious_axe_violations

from hongwang.pipeline.core import dates
from hongwang.pipeline.site.build import build

from support.browser import Served, screenshot

pytestmark = pytest.mark.browser

DANGKE = "video/dangke-lixiang-xinnian.html"
QUIZ = "quiz/dangzhang-zhishi-ceshi.html"
UPCOMING = "interview/fangtan-cun-shuji.html"


def beijing(text: str):
    return dates.parse(text).value


@pytest.fixture
def context(chromium):
    opened = []

    def make(**options):
        opened.append(chromium.new_context(**options))
        return opened[-1]

    yield make
    for each in opened:
        each.close()


def test_a_video_plays_seeks_by_byte_ranges_and_shows_a_subtitle_cue(context, served_example):
    ranges = []
    page = context(viewport={"width": 1280, "height": 900}).new_page()
    requested = []
    page.on("response", lambda r: ranges.append(r.status) if r.url.endswith(".mp4") else None)
    page.on("request", lambda r: requested.append(r.url))
    page.goto(served_example.url(DANGKE))
    video = page.locator("#hw-video")
    assert page.evaluate("() => document.querySelector('#hw-video').canPlayType('video/mp4; codecs=\"avc1.42E01E\"')")
    page.evaluate("() => { const v = document.querySelector('#hw-video'); v.muted = true; return v.play(); }")
    page.wait_for_function("() => document.querySelector('#hw-video').currentTime > 0.5")
    page.get_by_role("button", name="00:04").click()  # the chapter 二、筑牢信仰之基
    page.wait_for_function("() => document.querySelector('#hw-video').currentTime >= 4")
    # Paused and put back inside the cue of 00:04-00:06: on a starved machine the video can play past 6 s
    # before a pause sent from here arrives, and the cue is then gone for good.
    video.evaluate("v => { v.pause(); v.currentTime = 4.5; }")
    shown = page.wait_for_function(  # the cue of 00:04–00:06, shown over the picture (waits until it is)
        """cue => { const t = document.querySelector('#hw-video').textTracks[0];
                    return t && t.mode === 'showing' && t.activeCues && t.activeCues.length
                           && t.activeCues[0].text === cue; }""",
        arg="我们要筑牢信仰之基、补足精神之钙、把稳思想之舵。",
    ).json_value()
    assert shown is True
    assert 206 in ranges  # the player asked for byte ranges and the server answered them
    assert not [u for u in requested if not u.startswith(served_example.base)]  # the county fallback untouched
    screenshot(page, "video-page-1280")


def test_opened_from_disk_the_subtitles_come_from_the_page(context, example_site):
    page = context().new_page()
    page.goto((example_site.output_dir / DANGKE).as_uri())
    cues = page.wait_for_function(
        """() => { const tracks = document.querySelector('#hw-video').textTracks;
                   const t = tracks[tracks.length - 1];
                   return t && t.mode === 'showing' && t.cues && t.cues.length; }"""
    ).json_value()
    assert cues == 3


def answer(page, data: dict, right: bool) -> int:
    """Tick the right (or a wrong) answer of every drawn question; returns how many were asked."""
    by_question = {q["question"]: q for q in data["questions"]}
    sets = page.locator("fieldset[data-question]")
    for index in range(sets.count()):
        fieldset = sets.nth(index)
        legend = fieldset.locator("legend").inner_text()
        question = by_question[legend.split("）", 1)[1]]
        correct = [0 if question["answer"] else 1] if question["type"] == "judge" else question["answer"]
        choices = range(fieldset.locator("input").count())
        picks = correct if right else [next(i for i in choices if i not in correct)]
        for pick in picks:
            fieldset.locator("input").nth(pick).check()
    return sets.count()


@pytest.mark.parametrize("where", ["served", "file"])
def test_a_quiz_is_drawn_answered_scored_explained_and_printed_in_the_browser(context, served_example, where):
    requests = []
    ctx = context(viewport={"width": 375, "height": 800})
    page = ctx.new_page()
    page.clock.set_fixed_time(beijing("2026-11-24 15:00"))
    url = served_example.url(QUIZ) if where == "served" else (served_example.root / QUIZ).as_uri()
    page.goto(url)
    page.on("request", lambda request: requests.append(request.url))  # from here on: nothing may be sent
    data = json.loads(page.locator("#hw-quiz-data").text_content())
    assert page.locator("#hw-quiz-static").is_hidden()
    page.get_by_label("姓名").fill("张三")
    page.get_by_role("button", name="开始测试").click()
    assert answer(page, data, right=True) == 5
    assert re.fullmatch(r"剩余时间 (10:00|09:[0-5]\d)", page.locator(".quiz-timer").inner_text())
    page.get_by_role("button", name="交卷").click()
    sheet = page.locator("#hw-quiz-result")
    assert "答对 5 / 5 题" in sheet.inner_text() and page.locator("#hw-quiz-verdict").inner_text() == "合格"
    assert "张三" in sheet.inner_text() and "2026年11月24日" in sheet.inner_text()
    assert sheet.locator(".explanation").count() == 5 and sheet.locator(".source").count() == 5
    assert horizontal_overflow(page) <= 0
    if where == "served":
        assert serious_axe_violations(page) == []
        screenshot(page, "quiz-result-375")
    page.get_by_role("button", name="再测一次").click()
    answer(page, data, right=False)
    page.get_by_role("button", name="交卷").click()
    assert page.locator("#hw-quiz-verdict").inner_text() == "不合格（答对 3 题为合格）"
    assert "答对 0 / 5 题" in page.locator("#hw-quiz-result").inner_text()
    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden() and page.locator("#hw-quiz-result").is_visible()
    assert [url for url in requests if "axe" not in url] == []


def test_a_quiz_with_a_time_limit_hands_itself_in_when_the_time_is_up(context, served_example):
    page = context().new_page()
    page.clock.install(time=beijing("2026-11-24 15:00"))
    page.goto(served_example.url(QUIZ))
    page.get_by_role("button", name="开始测试").click()
    page.locator("fieldset[data-question] input").first.check()
    page.clock.run_for("10:01")  # 限时 10 分钟
    sheet = page.locator("#hw-quiz-result")
    assert "答题时间已到，已自动交卷" in sheet.inner_text() and "（未填写）" in sheet.inner_text()
    assert page.locator(".quiz-timer").inner_text() == "已交卷，用时 10:00"
    assert page.locator("fieldset[data-question] input").first.is_disabled()


@pytest.mark.parametrize(
    "clock, state, asking",
    [("2026-12-01 09:00", "预告", True), ("2026-12-10 10:00", "进行中", False), ("2026-12-11 09:00", "已结束", False)],
)
def test_interview_state_follows_the_readers_clock(context, served_example, clock, state, asking):
    page = context().new_page()
    page.clock.set_fixed_time(beijing(clock))
    page.goto(served_example.url(UPCOMING))
    assert page.locator(".interview-status [data-interview-start]").inner_text() == state
    assert page.locator("section.ask").is_visible() is asking
    page.goto(served_example.url("index.html"))
    assert page.locator(".panel-interview [data-interview-start]").inner_text() == state


def test_new_pages_pass_axe_and_fit_a_phone(context, served_example):
    page = context(viewport={"width": 375, "height": 800}).new_page()
    problems = {}
    for path in (
        DANGKE,
        "video/index.html",
        QUIZ,
        UPCOMING,
        "interview/fangtan-dangyuan-jiaoyu.html",
        "alert/index.html",
    ):
        page.goto(served_example.url(path))
        assert horizontal_overflow(page) <= 0, path
        found = serious_axe_violations(page)
        if found:
            problems[path] = found
    assert problems == {}


ALERT = """\
---
kind: alert
title: 关于青溪河超警戒水位的紧急通知
date: "2026-07-10 08:00"
org: "dz"
level: red
expires: "2026-07-12 18:00"
---

请沿河各村立即转移低洼地带群众。
"""


def test_the_alert_banner_shows_while_in_force_and_goes_without_a_rebuild(context, content, tmp_path):
    content.article("dz/2026/a.md", 'title: 东渚镇召开党建工作会议\ndate: 2026-07-09\norg: "dz"\ncategory: 党建动态')
    content.write("dz/2026/alert.md", ALERT)
    result = build(content.root, tmp_path / "out", now=beijing("2026-07-10 09:00"))
    assert result.ok
    served = Served(tmp_path / "out")
    try:
        page = context(viewport={"width": 375, "height": 800}).new_page()
        page.clock.set_fixed_time(beijing("2026-07-11 12:00"))
        page.goto(served.url("article/a.html"))
        banner = page.locator("#hw-alerts")
        assert banner.is_visible() and "紧急发布（红色）：关于青溪河超警戒水位的紧急通知" in banner.inner_text()
        assert horizontal_overflow(page) <= 0 and serious_axe_violations(page) == []
        screenshot(page, "alert-banner-375")
        banner.get_by_role("link").click()
        assert page.url == served.url("alert/alert.html")
        page.clock.set_fixed_time(beijing("2026-07-12 18:01"))  # expired: the same site, no rebuild
        page.goto(served.url("index.html"))
        assert banner.is_hidden()

        page = context().new_page()  # a page left open loses the banner within a minute of expiry
        page.clock.install(time=beijing("2026-07-12 17:59"))
        page.goto((tmp_path / "out/index.html").as_uri())  # from disk: alert/current.js is a <script src>
        assert page.locator("#hw-alerts").is_visible()
        page.clock.run_for("02:00")
        assert page.locator("#hw-alerts").is_hidden()
    finally:
        served.close()
