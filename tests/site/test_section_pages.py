"""党员电教, 学习测试, 在线访谈 and 紧急发布 in the built site: pages, lists, feeds (through feedparser), the
alert state file and what the incremental build rewrites when an alert comes and goes.

The example county is built at 2026-11-23 10:00: its upcoming interview (2026-12-10) is 预告, its past one
(2026-10-15) 已结束, its alert (2026-07-10 … 07-12) expired.
"""

from __future__ import annotations

import json
import re
import shutil

import feedparser
from lxml import html as lxml_html

from hongwang.pipeline.core import dates
from hongwang.pipeline.site.build import build
from hongwang.pipeline.site.search.query import Index

from support.example import EXAMPLE, EXAMPLE_NOW

DANGKE = "video/dangke-lixiang-xinnian.html"
JINGSHI = "video/jingshi-jiaoyu-yian-weijian.html"
QUIZ = "quiz/dangzhang-zhishi-ceshi.html"
UPCOMING = "interview/fangtan-cun-shuji.html"
PAST = "interview/fangtan-dangyuan-jiaoyu.html"


def page(site, path: str):
    return lxml_html.fromstring((site.output_dir / path).read_bytes())


def main_text(site, path: str) -> str:
    return page(site, path).xpath("string(//main)")


def feed(site, key: str):
    return feedparser.parse((site.output_dir / f"feeds/{key}.rss.xml").read_bytes())


def test_a_video_page_plays_the_local_file_with_subtitles_and_shows_its_transcript(example_site):
    doc = page(example_site, DANGKE)
    (video,) = doc.xpath("//video")
    source = video.xpath(".//source")[0]
    assert source.get("src") == "../files/zzb/2026/dangke-lixiang-xinnian.mp4" and source.get("type") == "video/mp4"
    (track,) = video.xpath(".//track")
    assert (track.get("kind"), track.get("srclang"), track.get("src")) == (
        "subtitles",
        "zh-CN",
        "../files/zzb/2026/dangke-lixiang-xinnian.vtt",
    )
    assert video.get("poster") == "../files/zzb/2026/dangke-lixiang-xinnian.jpg"
    out, content = example_site.output_dir, EXAMPLE / "zzb/2026"
    for name in ("dangke-lixiang-xinnian.mp4", "dangke-lixiang-xinnian.vtt"):  # as they are (the poster is re-encoded)
        assert (out / "files/zzb/2026" / name).read_bytes() == (content / name).read_bytes()
    assert (out / "files/zzb/2026/dangke-lixiang-xinnian.jpg").is_file()
    # Nothing from another host; the county's own address only as the video's second source, which a browser
    # tries when the local file is missing (a village bundle made with --without-video).
    every_src = doc.xpath("//@src | //@poster")
    assert every_src and not [
        s for s in every_src if re.match(r"^(https?:)?//", s) and s not in video.xpath(".//source/@src")
    ]
    assert (
        video.xpath(".//source/@src")[1]
        == "https://www.qingxi.example.gov.cn/files/zzb/2026/dangke-lixiang-xinnian.mp4"
    )
    text = main_text(example_site, DANGKE)
    assert "主讲：县委党校 李明" in text and "时长：00:06" in text
    assert "补足精神之钙" in text  # the transcript, in the page's searchable body
    assert [b.get("data-seek") for b in doc.xpath("//button[@data-seek]")] == ["0", "2", "4"]
    cues = json.loads(doc.xpath("string(//script[@id='hw-cues'])"))
    assert cues[0] == [0.0, 2.0, "同志们，今天我们学习如何坚定理想信念。"]
    # No transcript written: the subtitle text stands in for it.
    assert "守住底线、不碰红线" in main_text(example_site, JINGSHI)
    index = Index(example_site.output_dir)  # and search finds each video by what is said in it
    for words, url in (("补足精神之钙", DANGKE), ("守住底线", JINGSHI)):
        assert url in [card[0] for _, card in index.verified(index.search(words))], words


def test_videos_are_listed_newest_first_and_by_series(example_site):
    titles = page(example_site, "video/index.html").xpath(
        "//ul[@class='video-grid']//span[@class='video-title']/text()"
    )
    assert titles == ["党课：坚定理想信念　筑牢信仰之基", "警示教育片《以案为鉴　警钟长鸣》"]
    chips = page(example_site, "video/index.html").xpath("//nav[@class='filter']//a/@href")
    assert chips == ["../video/index.html", "../video/series/dang-ke.html", "../video/series/jing-shi-jiao-yu.html"]
    series = page(example_site, "video/series/jing-shi-jiao-yu.html")
    assert series.xpath("//span[@class='video-title']/text()") == ["警示教育片《以案为鉴　警钟长鸣》"]
    assert "./video/index.html" in page(example_site, "index.html").xpath("//nav[@class='site-nav']//a/@href")


def test_the_video_feed_carries_each_file_as_an_enclosure(example_site):
    parsed = feed(example_site, "videos")
    assert not parsed.bozo
    first = parsed.entries[0]
    (enclosure,) = first.enclosures
    size = (EXAMPLE / "zzb/2026/dangke-lixiang-xinnian.mp4").stat().st_size
    assert enclosure.href == "https://www.qingxi.example.gov.cn/files/zzb/2026/dangke-lixiang-xinnian.mp4"
    assert (enclosure.type, int(enclosure.length)) == ("video/mp4", size)
    assert [t.term for t in first.tags] == ["党员电教", "党课"]
    everything = [e.link for e in feed(example_site, "all").entries]
    assert "https://www.qingxi.example.gov.cn/" + DANGKE in everything


def test_a_quiz_page_carries_its_bank_for_the_browser_and_shows_it_without_javascript(example_site):
    doc = page(example_site, QUIZ)
    data = json.loads(doc.xpath("string(//script[@id='hw-quiz-data'])"))
    assert (data["draw"], data["passMark"], data["timeLimit"], len(data["questions"])) == (5, 3, 10, 10)
    first = data["questions"][0]
    assert first["answer"] == [1] and first["source"] == "《中国共产党章程》第一条"
    assert {q["type"] for q in data["questions"]} == {"single", "multiple", "judge"}
    static = doc.xpath("//section[@id='hw-quiz-static']")[0]
    assert len(static.xpath(".//ol[@class='question-bank']/li")) == 10
    assert "需要浏览器启用 JavaScript" in static.text_content()
    assert "../theme/js/quiz.js" in doc.xpath("//script/@src")
    assert not doc.xpath("//main//form[@action]")  # nothing is ever sent anywhere
    listed = page(example_site, "quiz/index.html").xpath("//ul[@class='item-list']/li/a/text()")
    assert listed == ["入党积极分子党章知识测试", "党务工作者业务知识测试"]


def test_interview_state_the_record_anonymised_and_the_next_one_on_the_home_page(example_site):
    upcoming, past = page(example_site, UPCOMING), page(example_site, PAST)
    assert upcoming.xpath("string(//span[@data-interview-start])") == "预告"
    assert past.xpath("string(//span[@data-interview-start])") == "已结束"
    assert upcoming.xpath("//span/@data-interview-start") == ["2026-12-10T09:30:00+08:00"]
    ask = upcoming.xpath("//section[@class='ask']")[0]
    assert "buzhang@example.gov.cn" in ask.text_content() and ask.get("hidden") is None
    record = past.xpath("string(//section[@class='record'])")
    assert "横塘镇 王女士" in record  # she agreed to be named
    assert "张先生" not in record and record.count("网友") == 2  # the others are 网友
    home = page(example_site, "index.html")
    panel = home.xpath("//section[contains(@class, 'panel-interview')]")[0]
    assert panel.xpath(".//a/@href")[1] == "./" + UPCOMING and "预告" in panel.text_content()
    parsed = feed(example_site, "interviews")
    assert [e.link.rsplit("/", 2)[-2:] for e in parsed.entries] == [UPCOMING.split("/"), PAST.split("/")]
    assert "横塘镇 王女士" in parsed.entries[1].content[0].value


def test_every_page_loads_the_one_alert_state_file_which_holds_no_expired_alert(example_site):
    out = example_site.output_dir
    state = (out / "alert/current.js").read_text(encoding="utf-8")
    assert re.search(r"window\.HW_ALERTS = \[\];", state)  # the example's alert expired in July
    for path in ("index.html", DANGKE, "org/zzb.html", "notice/index.html"):
        scripts = page(example_site, path).xpath("//script/@src")
        assert any(s.endswith("alert/current.js") for s in scripts), path
    assert "有效期：2026年7月10日 08:00至2026年7月12日 18:00" in main_text(
        example_site, "alert/jinji-qiangjiangyu-fangfan.html"
    )
    assert feed(example_site, "alerts").entries[0].title == "关于做好强降雨和汛期安全防范工作的紧急通知"


ALERT = """\
kind: alert
title: 关于青溪河超警戒水位的紧急通知
date: "2026-11-19 08:00"
org: "dz"
level: red
expires: "2026-11-25 18:00"
"""


def test_an_alert_in_force_comes_first_in_the_feeds_and_rewrites_only_its_own_files(tmp_path):
    county = tmp_path / "content"
    shutil.copytree(EXAMPLE, county)
    out, cache = tmp_path / "out", tmp_path / "cache"
    first = build(county, out, now=EXAMPLE_NOW, cache_dir=cache)
    assert first.ok and (out / "alert/current.js").read_text(encoding="utf-8").endswith("window.HW_ALERTS = [];\n")
    before = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*.html")}

    (county / "dz/2026/alert.md").write_text(f"---\n{ALERT}---\n\n请沿河各村立即转移低洼地带群众。\n", encoding="utf-8")
    second = build(county, out, now=EXAMPLE_NOW, cache_dir=cache)
    assert second.ok
    state = json.loads((out / "alert/current.js").read_text(encoding="utf-8").split("=", 1)[1].rstrip(";\n"))
    assert [(a["url"], a["level"], a["start"], a["expires"]) for a in state] == [
        ("alert/alert.html", "red", "2026-11-19T08:00:00+08:00", "2026-11-25T18:00:00+08:00")
    ]
    after = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*.html")}
    changed = sorted(name for name in before if after.get(name) != before[name])
    assert changed == ["alert/index.html"]  # no other page holds the alert: they only load alert/current.js
    assert second.pages_rendered < len(before) / 5  # those whose record reads every item, rendered the same
    entries = feedparser.parse((out / "feeds/all.rss.xml").read_bytes()).entries
    assert (
        entries[0].title == "关于青溪河超警戒水位的紧急通知"
    )  # first, though newer items follow it (an older alert still in force)
    assert entries[1].published_parsed > entries[0].published_parsed

    cold = tmp_path / "cold"
    assert build(county, cold, now=EXAMPLE_NOW, cache_dir=False).ok
    differ = [
        p.relative_to(cold).as_posix()
        for p in cold.rglob("*")
        if p.is_file() and p.read_bytes() != (out / p.relative_to(cold)).read_bytes()
    ]
    assert differ == []

    later = dates.parse("2026-11-26 09:00").value  # expired: the next build empties the state file
    assert build(county, out, now=later, cache_dir=cache).ok
    assert (out / "alert/current.js").read_text(encoding="utf-8").endswith("window.HW_ALERTS = [];\n")
