"""Collector input for the 电教 video, 学习测试, 在线访谈 and 紧急发布 kinds, through `hongwang validate`.

Videos are real files made by ffmpeg; whether they play is decided by their bytes and ffprobe, never
by their names (an AVI renamed .mp4 is still refused). Every refusal names the file, the line and a fix.
"""

from __future__ import annotations

import json

import pytest

from support.cli import run
from support.media import image, make_video, needs_ffmpeg

VIDEO_FRONT = """\
kind: 视频
标题: 党课：坚定理想信念
日期: 2026-11-01
单位: "zzb"
视频文件: {file}
封面: dangke.jpg
专题: 党课
主讲人: 县委党校 李明
"""
VTT = "WEBVTT\n\n00:00.000 --> 00:00.800\n同志们好\n\n00:00.800 --> 00:01.400\n今天讲党课\n"


def diagnostics(content, *extra) -> list[dict]:
    result = run("validate", "--content", content.root, "--format", "json", "--no-cache", *extra)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.output)


def codes(found: list[dict], path: str | None = None) -> list[tuple[str, int, str]]:
    return [(d["file"], d["line"], d["code"]) for d in found if path is None or d["file"] == path]


def video_submission(content, file="dangke.mp4", kind="mp4", extra="", make=True):
    folder = content.root / "zzb/2026"
    if make:
        make_video(folder / file, kind)
    image(folder / "dangke.jpg")
    return content.article("zzb/2026/dangke.md", VIDEO_FRONT.format(file=file) + extra, "文字稿。")


@needs_ffmpeg
def test_a_good_video_with_poster_chapters_and_webvtt_subtitles_validates(content):
    video_submission(
        content,
        extra='时长: "00:02"\n章节:\n  - {时间: "00:00", 标题: 导语}\n  - {时间: "00:01", 标题: 正文}\n'
        "字幕: dangke.vtt\n",
    )
    content.write("zzb/2026/dangke.vtt", VTT)
    assert diagnostics(content) == []


@needs_ffmpeg
@pytest.mark.parametrize(
    "kind, name, said",
    [
        ("avi", "huiyi.mp4", "AVI 格式"),  # renamed: the bytes decide, not the extension
        ("wmv", "huiyi.wmv", "WMV/ASF 格式"),
        ("mov-mpeg4", "huiyi.mov", "视频编码是 mpeg4"),
        ("mkv-h264", "huiyi.mkv", "MKV 格式"),
        ("mp4-lossless", "huiyi.mp4", "High 4:4:4 Predictive"),  # H.264, yuv420p, and still not playable
    ],
)
def test_videos_browsers_cannot_play_are_refused_with_the_reason_and_the_fix(content, kind, name, said):
    video_submission(content, file=name, kind=kind)
    found = [d for d in diagnostics(content) if d["code"] == "video-format"]
    assert [(d["file"], d["line"]) for d in found] == [("zzb/2026/dangke.md", 6)]
    assert said in found[0]["message"] and "hongwang ingest" in found[0]["message"]


@needs_ffmpeg
def test_webm_plays_and_an_mp4_without_fast_start_is_a_warning(content):
    video_submission(content, file="a.webm", kind="webm")
    assert diagnostics(content) == []
    video_submission(content, file="b.mp4", kind="mp4-slow-start")
    assert codes(diagnostics(content)) == [("zzb/2026/dangke.md", 6, "video-not-faststart")]


@needs_ffmpeg
def test_without_ffprobe_an_mp4_is_a_warning_and_an_avi_still_refused(content, tmp_path, monkeypatch):
    video_submission(content, file="a.mp4", kind="mp4")
    make_video(content.root / "zzb/2026/b.mp4", "avi")
    content.article("zzb/2026/b.md", VIDEO_FRONT.format(file="b.mp4"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no ffprobe, no ffmpeg
    found = diagnostics(content)
    assert ("zzb/2026/dangke.md", 6, "video-unchecked") in codes(found)
    refused = [d for d in found if d["code"] == "video-format"]
    assert [d["file"] for d in refused] == ["zzb/2026/b.md"] and "AVI" in refused[0]["message"]
    assert "apt-get install ffmpeg" in next(d for d in found if d["code"] == "video-unchecked")["message"]


def test_another_sites_player_or_a_missing_file_is_refused(content):
    content.article("zzb/2026/a.md", VIDEO_FRONT.format(file="https://v.qq.com/x/page/a.html"))
    content.article("zzb/2026/b.md", VIDEO_FRONT.format(file="../../../etc/passwd"))
    content.article("zzb/2026/c.md", VIDEO_FRONT.format(file="meiyou.mp4"))
    content.article("zzb/2026/d.md", VIDEO_FRONT.format(file="'D:\\党员电教\\dangke.mp4'"))
    found = codes(diagnostics(content))
    assert ("zzb/2026/a.md", 6, "media-remote") in found
    assert ("zzb/2026/b.md", 6, "path-outside") in found
    assert ("zzb/2026/c.md", 6, "media-missing") in found
    assert ("zzb/2026/c.md", 7, "media-missing") in found  # the poster too
    assert ("zzb/2026/d.md", 6, "path-outside") in found  # a path on the collector's PC


@needs_ffmpeg
def test_subtitles_are_checked_line_by_line_in_the_subtitle_file(content):
    video_submission(content, extra="字幕: dangke.vtt\n")
    content.write(
        "zzb/2026/dangke.vtt", "WEBVTT\n\n00:00.000 --> 00:00.800\n同志们好\n\n00:00,800 --> 00:01.400\n今天\n"
    )
    found = [d for d in diagnostics(content) if d["code"] == "subtitles-invalid"]
    assert [(d["file"], d["line"]) for d in found] == [("zzb/2026/dangke.vtt", 6)]
    assert "逗号" in found[0]["message"]
    content.write("zzb/2026/dangke.vtt", "1\n00:00:00,000 --> 00:00:00,800\n同志们好\n")  # SRT
    found = [d for d in diagnostics(content) if d["code"] == "subtitles-invalid"]
    assert [(d["file"], d["line"]) for d in found] == [("zzb/2026/dangke.vtt", 1)] and "SRT" in found[0]["message"]


@needs_ffmpeg
def test_chapters_in_order_within_the_video_and_a_duration_that_matches(content):
    video_submission(
        content,
        extra='时长: "12:00"\n章节:\n  - {时间: "00:05", 标题: 一}\n  - {时间: "00:02", 标题: 二}\n'
        '  - {时间: "15:00", 标题: 三}\n',
    )
    found = codes(diagnostics(content))
    assert ("zzb/2026/dangke.md", 13, "chapter-time") in found  # earlier than the chapter before it
    assert ("zzb/2026/dangke.md", 14, "chapter-time") in found  # after the end of the video
    assert ("zzb/2026/dangke.md", 10, "video-duration") in found  # 12:00 written, 00:02 in the file


QUIZ = """\
kind: 学习测试
标题: 党章知识测试
日期: 2026-11-01
单位: "zzb"
测试对象: 入党积极分子
每次抽题: {draw}
合格题数: {pass_mark}
题库:
  - 题型: 单选
    题目: 党员义务有几项？
    选项: [六项, 七项, 八项, 九项]
    答案: {answer}
    解析: 党章第三条规定了八项义务。
    出处: 《中国共产党章程》第三条
  - 题型: 多选
    题目: “四个自信”包括？
    选项: [道路自信, 理论自信, 制度自信, 文化自信, {extra_option}]
    答案: ABCD
    解析: 道路、理论、制度、文化自信。
    出处: 《中国共产党章程》总纲
  - 题型: 判断
    题目: 预备党员的预备期为一年。
    答案: {judge}
    解析: 预备期为一年。
    出处: 《中国共产党章程》第七条
"""


def quiz(content, draw=2, pass_mark=2, answer="C", extra_option="历史自信", judge="对"):
    text = QUIZ.format(draw=draw, pass_mark=pass_mark, answer=answer, extra_option=extra_option, judge=judge)
    return content.write("zzb/2026/ceshi.yaml", text)


def test_a_quiz_bank_with_letters_option_text_and_true_false_validates(content):
    quiz(content, answer="Ｃ")  # a full-width letter, as Chinese input methods type it
    assert diagnostics(content) == []
    quiz(content, answer="八项", judge="错误")
    assert diagnostics(content) == []


@pytest.mark.parametrize(
    "arguments, line, code, said",
    [
        ({"answer": "E"}, 12, "quiz-answer", "不在选项中（共 4 个选项 A–D）"),
        ({"answer": "十项"}, 12, "quiz-answer", "十项"),
        ({"answer": "[A, C]"}, 12, "quiz-answer", "单选题"),
        ({"extra_option": "道路自信"}, 17, "quiz-options", "重复"),
        ({"judge": "也许"}, 23, "quiz-answer", "对 或 错"),
        ({"pass_mark": 3}, 7, "quiz-count", "1 到每次抽题数 2"),
        ({"draw": 5, "pass_mark": 2}, 6, "quiz-count", "题库只有 3 道题"),
    ],
)
def test_quiz_mistakes_are_refused_on_their_line(content, arguments, line, code, said):
    quiz(content, **arguments)
    found = [d for d in diagnostics(content) if d["code"] == code]
    assert [(d["file"], d["line"]) for d in found] == [("zzb/2026/ceshi.yaml", line)], found
    assert said in found[0]["message"] and "修改方法" in found[0]["message"]


INTERVIEW = """\
kind: 访谈
标题: 如何当好村党组织书记
日期: 2026-11-20
单位: "zzb"
访谈时间: "2026-12-10 09:30"
结束时间: "{end}"
嘉宾:
  - {{姓名: 王建国, 职务: 县委常委、组织部部长}}
征集信箱: {mailbox}
访谈实录:
  - {{问: 怎样参加培训？, 答: 每年两期。, 回答嘉宾: {guest}}}
"""


def test_interview_time_order_mailbox_and_answering_guest_are_checked(content):
    content.write("site.yaml", (content.root / "site.yaml").read_text(encoding="utf-8") + MAILBOXES)
    good = INTERVIEW.format(end="2026-12-10 11:00", mailbox="部长信箱", guest="王建国")
    content.article("zzb/2026/fangtan.md", good)
    assert diagnostics(content) == []
    content.article("zzb/2026/fangtan.md", INTERVIEW.format(end="2026-12-10 08:00", mailbox="书记信箱", guest="王健国"))
    found = codes(diagnostics(content))
    assert ("zzb/2026/fangtan.md", 7, "period-order") in found
    assert ("zzb/2026/fangtan.md", 10, "value-invalid") in found  # 书记信箱 is not in site.yaml
    assert ("zzb/2026/fangtan.md", 12, "value-invalid") in found  # 王健国 is not a guest


MAILBOXES = """\
mailboxes:
  - {name: 部长信箱, email: buzhang@example.gov.cn, address: 测试县人民路1号}
"""


ALERT = """\
kind: 紧急发布
标题: 关于做好强降雨防范工作的紧急通知
日期: "2026-07-10 08:00"
单位: "zzb"
级别: {level}
失效时间: "{expires}"
"""


def test_alert_level_and_expiry_are_checked(content):
    content.article("zzb/2026/a.md", ALERT.format(level="橙色", expires="2026-07-12 18:00"))
    assert diagnostics(content) == []
    content.article("zzb/2026/a.md", ALERT.format(level="紫色", expires="2026-07-09 18:00"))
    found = codes(diagnostics(content))
    assert ("zzb/2026/a.md", 6, "value-invalid") in found and ("zzb/2026/a.md", 7, "period-order") in found
    content.article("zzb/2026/a.md", ALERT.format(level="Ⅱ级", expires="2026-09-12 18:00"))
    assert codes(diagnostics(content)) == [("zzb/2026/a.md", 7, "alert-long")]


def test_new_templates_for_the_new_kinds_validate_but_for_the_files_a_collector_adds(content):
    for kind in ("video", "quiz", "interview", "alert"):
        result = run("new", kind, "--org", "zzb", "--title", f"测试{kind}", "--content", content.root)
        assert result.exit_code == 0, result.output
    assert next(content.root.glob("zzb/*/*.yaml")).read_text(encoding="utf-8").startswith("# 学习测试")
    found = diagnostics(content)
    # Only what a collector must fill in: the 请填写… placeholders, and the video and poster files to add.
    assert {d["code"] for d in found if d["severity"] == "error"} == {"media-missing", "placeholder"}
    assert {d["file"].rsplit("/", 1)[1] for d in found if d["code"] == "media-missing"} == {
        "ce-shi-v-i-d-e-o.md"
    }  # 测试video in pinyin
