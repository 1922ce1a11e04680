"""Video files: what they hold (first bytes and Debian's `ffprobe`) and making them playable (`ffmpeg`).

Nothing here guesses from a file name. The container is recognised by the file's first bytes, the
codecs by ffprobe; without ffprobe a caller learns that (`probe` returns None) rather than a guess.
Browsers play MP4 (ISO-BMFF) with H.264 video (8-bit 4:2:0) and AAC or MP3 audio, and WebM with
VP8/VP9/AV1 video and Opus or Vorbis audio: `problem()` names anything else.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

INSTALL_HINT = "sudo apt-get install ffmpeg"
CONTAINER_NAMES = {
    "mp4": "MP4",
    "mov": "MOV",
    "webm": "WebM",
    "matroska": "MKV",
    "avi": "AVI",
    "asf": "WMV/ASF",
    "rm": "RM/RMVB",
    "flv": "FLV",
    "mpeg": "MPEG/VOB",
    "mpegts": "MPEG-TS",
}
ISO_BMFF = ("mp4", "mov")
BROWSER_VIDEO = {"mp4": ("h264",), "webm": ("vp8", "vp9", "av1")}
BROWSER_AUDIO = {"mp4": ("aac", "mp3"), "webm": ("opus", "vorbis")}
BROWSER_PIXELS = ("yuv420p", "yuvj420p")
MIME = {"mp4": "video/mp4", "webm": "video/webm"}
PUBLISHED_SUFFIXES = (".mp4", ".m4v", ".mov", ".webm")  # the names of videos a built site holds (validated ones)
POSTER_EDGE = 1280  # posters and converted videos are at most this wide (720p): village PCs and phones
_QUICKTIME_FIRST_BOXES = (b"moov", b"wide", b"mdat", b"free", b"skip", b"pnot")


class MediaError(Exception):
    """ffprobe or ffmpeg could not read or write the file (the message is for people)."""


@dataclass(frozen=True)
class Probe:
    container: str  # a key of CONTAINER_NAMES, or "unknown"
    video: str | None  # codec names as ffprobe spells them: h264, hevc, vp9, wmv3, rv40 …
    audio: str | None
    pixel_format: str | None
    width: int
    height: int
    duration: float | None
    faststart: bool | None  # ISO-BMFF: the index (moov) comes before the media data (mdat)
    profile: str | None = None  # H.264: Baseline, Main, High play; High 10, 4:2:2, 4:4:4 (lossless) do not

    @property
    def label(self) -> str:
        return CONTAINER_NAMES.get(self.container, "未知")

    @property
    def mime(self) -> str | None:
        return MIME.get("mp4" if self.container in ISO_BMFF else self.container)


def tool(name: str) -> str | None:
    """The path of ffprobe or ffmpeg on PATH, or None."""
    return shutil.which(name)


def sniff(path: Path) -> str:
    """The container by its first bytes: a key of CONTAINER_NAMES or "unknown"."""
    with open(path, "rb") as handle:
        head = handle.read(4096)
    if head[4:8] == b"ftyp":
        return "mov" if head[8:12] == b"qt  " else "mp4"
    if head[4:8] in _QUICKTIME_FIRST_BOXES:
        return "mov"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm" if b"webm" in head[:64] else "matroska"
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return "avi"
    if head.startswith(b"\x30\x26\xb2\x75\x8e\x66\xcf\x11"):
        return "asf"
    if head.startswith(b".RMF"):
        return "rm"
    if head.startswith(b"FLV"):
        return "flv"
    if head.startswith((b"\x00\x00\x01\xba", b"\x00\x00\x01\xb3")):
        return "mpeg"
    if len(head) > 188 and head[0] == 0x47 and head[188] == 0x47:
        return "mpegts"
    return "unknown"


def faststart(path: Path) -> bool | None:
    """For ISO-BMFF: True when `moov` precedes `mdat` (playback starts before the whole file is fetched)."""
    size = os.path.getsize(path)
    position = 0
    with open(path, "rb") as handle:
        while position + 8 <= size:
            handle.seek(position)
            header = handle.read(16)
            length, box = int.from_bytes(header[:4], "big"), header[4:8]
            if length == 1 and len(header) >= 16:
                length = int.from_bytes(header[8:16], "big")
            elif length == 0:
                length = size - position
            if box == b"moov":
                return True
            if box == b"mdat":
                return False
            if length < 8:
                return None
            position += length
    return None


def probe(path: Path) -> Probe | None:
    """What the file holds; None when ffprobe is not installed. MediaError when it is no media file."""
    ffprobe = tool("ffprobe")
    if ffprobe is None:
        return None
    command = [ffprobe, "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path)]
    try:
        done = subprocess.run(command, capture_output=True, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise MediaError(f"ffprobe 无法读取（{error}）") from None
    if done.returncode != 0:
        raise MediaError("不是可以识别的视频文件（ffprobe 无法读取）")
    data = json.loads(done.stdout.decode("utf-8", "replace") or "{}")
    streams = data.get("streams") or []
    video = next((s for s in streams if s.get("codec_type") == "video" and not _is_cover_art(s)), None)
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    container = sniff(path)
    duration = _number((data.get("format") or {}).get("duration")) or _number((video or {}).get("duration"))
    return Probe(
        container,
        video.get("codec_name") if video else None,
        audio.get("codec_name") if audio else None,
        video.get("pix_fmt") if video else None,
        int(video.get("width") or 0) if video else 0,
        int(video.get("height") or 0) if video else 0,
        duration,
        faststart(path) if container in ISO_BMFF else None,
        video.get("profile") if video else None,
    )


def _is_cover_art(stream: dict) -> bool:
    return bool((stream.get("disposition") or {}).get("attached_pic"))


def _number(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def problem(found: Probe) -> str | None:
    """Why browsers cannot play this file, in Chinese; None when they can."""
    family = "mp4" if found.container in ISO_BMFF else found.container
    if family not in BROWSER_VIDEO:
        detail = f"，视频编码 {found.video}" if found.video else ""
        return f"{found.label} 格式{detail}，网页中的播放器无法播放（只支持 MP4 和 WebM）"
    if found.video is None:
        return f"{found.label} 文件中没有视频画面"
    if found.video not in BROWSER_VIDEO[family]:
        wanted = "H.264" if family == "mp4" else "VP8、VP9 或 AV1"
        return f"{found.label} 文件的视频编码是 {found.video}，浏览器只能播放 {wanted} 编码"
    if family == "mp4" and found.profile and any(mark in found.profile for mark in ("10", "4:2:2", "4:4:4")):
        return f"H.264 视频的档次是 {found.profile}，浏览器无法播放，应为 High、Main 或 Baseline 档次"
    if family == "mp4" and found.pixel_format not in BROWSER_PIXELS:
        return f"H.264 视频的像素格式是 {found.pixel_format}（10 位或 4:2:2/4:4:4），浏览器无法播放，应为 yuv420p"
    if found.audio is not None and found.audio not in BROWSER_AUDIO[family]:
        wanted = "AAC" if family == "mp4" else "Opus 或 Vorbis"
        return f"{found.label} 文件的音频编码是 {found.audio}，浏览器只能播放 {wanted} 音频"
    return None


def _run_ffmpeg(arguments: list[str], what: str) -> None:
    ffmpeg = tool("ffmpeg")
    if ffmpeg is None:
        raise MediaError(f"本机没有安装 ffmpeg，无法{what}（安装：{INSTALL_HINT}）")
    try:
        done = subprocess.run([ffmpeg, "-nostdin", "-y", "-v", "error", *arguments], capture_output=True, check=False)
    except OSError as error:
        raise MediaError(f"无法运行 ffmpeg（{error}）") from None
    if done.returncode != 0:
        last = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise MediaError(f"ffmpeg {what}失败：{last[-1] if last else done.returncode}")


_SCALE = f"scale='trunc(min({POSTER_EDGE},iw)/2)*2':-2"


def to_mp4(source: Path, target: Path, found: Probe) -> str:
    """An MP4 browsers play, with its index first (fast start). Remuxed when the codecs already play,
    transcoded to H.264/AAC (at most 720p wide) otherwise. Returns what was done, in Chinese."""
    remux = found.container in ISO_BMFF and problem(found) is None
    if remux:
        codecs = ["-c", "copy"]
        done = "重新封装为 MP4（快速启动）"
    else:
        codecs = ["-vf", _SCALE, "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p"]
        codecs += ["-c:a", "aac", "-b:a", "128k", "-ac", "2"]
        done = f"由 {found.label}（{found.video or '无视频'}/{found.audio or '无音频'}）转换为 MP4（H.264/AAC）"
    _run_ffmpeg(
        [
            "-i",
            str(source),
            "-map",
            "0:v:0",
            "-map",
            "0:a:0?",
            *codecs,
            "-movflags",
            "+faststart",
            "-f",
            "mp4",
            str(target),
        ],
        "转换视频",
    )
    return done


def poster(video: Path, target: Path, duration: float | None) -> None:
    """A JPEG frame from a third into the video (at most 3 s in: past a fade-in, before the talk starts)."""
    at = min(3.0, (duration or 0) / 3)
    _run_ffmpeg(
        [
            "-ss",
            f"{at:.2f}",
            "-i",
            str(video),
            "-frames:v",
            "1",
            "-vf",
            _SCALE,
            "-q:v",
            "3",
            "-f",
            "image2",
            str(target),
        ],
        "截取封面",
    )
