"""The files a video submission names, checked as files: there, playable in a browser, a real image, valid WebVTT.

content/checker.py resolves the paths; what the files hold is checked here, on every validate,
because the checker's result is cached by the submission's own bytes and a video, poster or
subtitle file changes on its own. ffprobe's findings are remembered by each video's stat (size,
mtime, inode), so a no-change validate probes nothing. The build reads the result from
`Validation.media` (the probed duration, the MIME type, the subtitle cues).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field

from ..core import images, media, webvtt
from ..core.diagnostics import Diagnostic, diag
from ..core.personal_data import redact
from .documents import Document, Validation

PROBE_TABLE = "media-probes"
MAX_SUBTITLE_BYTES = 2 * 1024 * 1024
DURATION_TOLERANCE = 5  # seconds between the duration written and the file's own


@dataclass
class VideoFiles:
    """What the build needs from a video's files (and the token that changes when any of them does)."""

    video: str
    mime: str = "video/mp4"
    size: int = 0
    duration: int | None = None
    width: int = 0
    height: int = 0
    poster: str | None = None
    subtitles: str | None = None
    cues: list[webvtt.Cue] = field(default_factory=list)
    token: str = ""


def check(validation: Validation, videos: list[Document], store) -> list[Diagnostic]:
    """Check each video document's files; record what the build needs in validation.media."""
    probes = Probes(store)
    found: list[Diagnostic] = []
    for document in videos:
        found += _check_video(document, validation, probes)
    probes.save()
    return found


class Probes:
    """ffprobe results remembered by (path, size, mtime, inode); `None` when ffprobe is not installed."""

    def __init__(self, store):
        self.store = store
        self.known = store.read(PROBE_TABLE) if store else {}
        self.used: dict = {}

    def __call__(self, path: str, status: os.stat_result):
        stamp = (status.st_size, status.st_mtime_ns, status.st_ino)
        entry = self.known.get(path)
        if entry and entry[0] == stamp:
            result = entry[1]
        else:
            try:
                result = media.probe(path)
            except media.MediaError as error:
                result = str(error)
        if result is not None:  # "not installed" is not remembered: installing ffmpeg takes effect at once
            self.used[path] = (stamp, result)
        return result

    def save(self) -> None:
        if self.store and self.used != self.known:
            self.store.write(PROBE_TABLE, self.used)


def _check_video(document: Document, validation: Validation, probes: Probes) -> list[Diagnostic]:
    fields, source = document.fields, document.source
    root = validation.content_dir
    found: list[Diagnostic] = []

    def report(key: str, code: str, detail: str, fix: str | None = None) -> None:
        line = source.line(key) if key in source.meta else 1
        found.append(diag(document.rel, line, code, detail, fix))

    token = hashlib.blake2b(digest_size=16)
    video = fields.get("file")
    files = VideoFiles(video or "")
    if video:
        status = _stat(root / video)
        if status is None:
            report("file", "media-missing", f"找不到视频文件 {video}")
        else:
            files.size = status.st_size
            token.update(repr((video, status.st_size, status.st_mtime_ns, status.st_ino)).encode())
            _check_playable(str(root / video), video, status, probes, files, report)
            written = fields.get("duration")
            if (
                written is not None
                and files.duration is not None
                and abs(written - files.duration) > DURATION_TOLERANCE
            ):
                report(
                    "duration",
                    "video-duration",
                    f"写的时长 {clock(written)} 与视频文件的 {clock(files.duration)} 不符",
                    f'改为 duration: "{clock(files.duration)}"，或删除这一行',
                )
    poster = fields.get("poster")
    if poster:
        status = _stat(root / poster)
        if status is None:
            report("poster", "media-missing", f"找不到封面图片 {poster}")
        elif images.check(root / poster):
            report("poster", "image-unreadable", f"封面 {poster} {images.check(root / poster)}")
        else:
            files.poster = poster
            token.update(repr((poster, status.st_size, status.st_mtime_ns, status.st_ino)).encode())
    elif video:
        report("file", "video-poster-missing", f"视频 {video} 没有封面（poster）")
    subtitles = fields.get("subtitles")
    if subtitles:
        cues, problems = _read_subtitles(root / subtitles)
        if problems is None:
            report("subtitles", "media-missing", f"找不到字幕文件 {subtitles}")
        else:
            for line, detail in problems:
                found.append(
                    diag(subtitles, line, "subtitles-invalid", f"字幕 {subtitles} {detail}（{document.rel} 引用）")
                )
            if not problems:
                files.subtitles, files.cues = subtitles, cues
                token.update(repr((subtitles, cues)).encode())
    files.token = token.hexdigest()
    validation.media[document.rel] = files
    return found


def _check_playable(path: str, rel: str, status, probes: Probes, files: VideoFiles, report) -> None:
    found = probes(path, status)
    if isinstance(found, str):
        report("file", "video-format", f"视频 {rel} {found}")
        return
    if found is None:  # no ffprobe: the container by its first bytes only, codecs unchecked
        container = media.sniff(path)
        if container in ("mp4", "mov", "webm"):
            files.mime = media.MIME["webm" if container == "webm" else "mp4"]
            report("file", "video-unchecked", f"本机没有 ffprobe，视频 {rel} 的编码未检查")
        else:
            label = media.CONTAINER_NAMES.get(container)
            what = f"是 {label} 格式" if label else "不是可以识别的视频文件"
            report("file", "video-format", f"视频 {rel} {what}，网页中的播放器只能播放 MP4 和 WebM")
        return
    reason = media.problem(found)
    if reason:
        report("file", "video-format", f"视频 {rel} 是 {redact(reason)}")
        return
    files.mime = found.mime or files.mime
    files.duration = round(found.duration) if found.duration else None
    files.width, files.height = found.width, found.height
    if found.faststart is False:
        report("file", "video-not-faststart", f"视频 {rel} 的索引（moov）在文件末尾")


def _stat(path) -> os.stat_result | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status if os.path.isfile(path) else None


def _read_subtitles(path) -> tuple[list[webvtt.Cue], list[tuple[int, str]] | None]:
    """(cues, problems); problems None when the file is not there."""
    status = _stat(path)
    if status is None:
        return [], None
    if status.st_size > MAX_SUBTITLE_BYTES:
        return [], [(1, f"超过 {MAX_SUBTITLE_BYTES >> 20} MB")]
    with open(path, "rb") as handle:
        data = handle.read()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [(1, "不是 UTF-8 编码（请在记事本中另存为 UTF-8）")]
    return webvtt.parse(text)


def clock(seconds: float) -> str:
    """25:30, or 1:02:03 past an hour."""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"
