"""hongwang ingest with videos: what browsers cannot play is converted by Debian's ffmpeg (H.264/AAC MP4 with
fast start, a poster taken from the video), the original kept in done/; without ffmpeg the video waits."""

from __future__ import annotations

import json
from pathlib import Path

from support.cli import run
from support.media import make_video, needs_ffmpeg, probe

SUBMISSION = """\
---
kind: 视频
标题: 全县组织工作会议
日期: 2026-11-20
单位: "zzb"
视频文件: huiyi.avi
专题: 专题学习
主讲人: 县委组织部 王建国
字幕: huiyi.vtt
---

会议讲话文字稿。
"""
VTT = "WEBVTT\n\n00:00.000 --> 00:01.000\n同志们好\n"


def moov_before_mdat(path: Path) -> bool:
    data = path.read_bytes()
    return 0 <= data.find(b"moov") < data.find(b"mdat")


@needs_ffmpeg
def test_an_avi_with_its_submission_becomes_a_playable_mp4_with_a_poster(content, tmp_path):
    inbox = tmp_path / "inbox"
    original = make_video(inbox / "zzb/huiyi.avi", "avi")
    (inbox / "zzb/huiyi.md").write_text(SUBMISSION, encoding="utf-8")
    (inbox / "zzb/huiyi.vtt").write_text(VTT, encoding="utf-8")
    before = original.read_bytes()
    result = run("ingest", inbox, "--content", content.root)
    assert result.exit_code == 0, result.output
    assert "由 AVI（mpeg4/mp3）转换为 MP4（H.264/AAC）" in result.output
    (filed,) = content.root.glob("zzb/2026/*.md")
    folder = filed.with_suffix("")
    text = filed.read_text(encoding="utf-8")
    assert f"file: {folder.name}/huiyi.mp4" in text and f"poster: {folder.name}/huiyi.jpg" in text
    assert f"subtitles: {folder.name}/huiyi.vtt" in text
    found = probe(folder / "huiyi.mp4")
    codecs = {s["codec_type"]: s["codec_name"] for s in found["streams"]}
    assert codecs == {"video": "h264", "audio": "aac"} and "mp4" in found["format"]["format_name"]
    assert moov_before_mdat(folder / "huiyi.mp4")  # fast start: plays before it is fully downloaded
    assert (folder / "huiyi.jpg").read_bytes()[:3] == b"\xff\xd8\xff"
    assert (inbox / "done/zzb/huiyi.avi").read_bytes() == before  # the original is kept
    assert run("validate", "--content", content.root, "--no-cache").exit_code == 0


@needs_ffmpeg
def test_a_lone_video_goes_to_media_and_one_that_plays_already_is_kept_as_it_is(content, tmp_path):
    inbox = tmp_path / "inbox"
    make_video(inbox / "zzb/huiyi-luxiang.wmv", "wmv")
    webm = make_video(inbox / "zzb/jiangzuo.webm", "webm")
    kept = webm.read_bytes()
    result = run("ingest", inbox, "--content", content.root)
    assert result.exit_code == 0, result.output
    assert probe(content.root / "media/zzb/huiyi-luxiang.mp4")["streams"][0]["codec_name"] == "h264"
    assert (content.root / "media/zzb/huiyi-luxiang.jpg").is_file()
    assert (content.root / "media/zzb/jiangzuo.webm").read_bytes() == kept
    assert "WebM 视频浏览器可以直接播放，原样收录" in result.output


def test_without_ffmpeg_a_video_waits_in_the_inbox_and_the_run_says_how_to_install_it(content, tmp_path, monkeypatch):
    inbox = tmp_path / "inbox"
    (inbox / "zzb").mkdir(parents=True)
    (inbox / "zzb/huiyi.avi").write_bytes(b"RIFF\x00\x00\x00\x00AVI LIST" + bytes(200))
    (inbox / "zzb/huiyi.md").write_text(SUBMISSION.replace("字幕: huiyi.vtt\n", ""), encoding="utf-8")
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools"))
    result = run("ingest", inbox, "--content", content.root)
    assert result.exit_code == 1
    assert "暂不处理" in result.output and "sudo apt-get install ffmpeg" in result.output
    assert sorted(p.name for p in (inbox / "zzb").iterdir()) == ["huiyi.avi", "huiyi.md"]  # nothing moved
    assert not (inbox / "rejected").exists() and not list(content.root.glob("zzb/**/*.md"))
    log = [json.loads(line) for line in (inbox / "ingest-log.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {entry["result"] for entry in log} == {"held"}


@needs_ffmpeg
def test_a_video_submission_with_bad_subtitles_or_a_missing_file_is_refused_with_the_line(content, tmp_path):
    inbox = tmp_path / "inbox"
    make_video(inbox / "zzb/huiyi.avi", "avi")
    (inbox / "zzb/huiyi.md").write_text(SUBMISSION, encoding="utf-8")
    (inbox / "zzb/huiyi.vtt").write_text("WEBVTT\n\n00:00,000 --> 00:01,000\n同志们好\n", encoding="utf-8")
    (inbox / "dz").mkdir()
    (inbox / "dz/fangtan.md").write_text(SUBMISSION.replace("huiyi", "meiyou"), encoding="utf-8")
    result = run("ingest", inbox, "--content", content.root)
    assert result.exit_code == 1
    reason = (inbox / "rejected/zzb/huiyi.md.退回原因.txt").read_text(encoding="utf-8")
    assert "zzb/huiyi.vtt 第 3 行" in reason and "逗号" in reason
    missing = (inbox / "rejected/dz/fangtan.md.退回原因.txt").read_text(encoding="utf-8")
    assert "dz/fangtan.md: 写了 file: meiyou.avi，但收件文件夹中没有这个文件" in missing
