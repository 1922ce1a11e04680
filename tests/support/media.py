"""Tiny real videos made with Debian's ffmpeg (`.ci/run` installs it): a second or two, a few kilobytes."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

FFMPEG = shutil.which("ffmpeg")
needs_ffmpeg = pytest.mark.skipif(FFMPEG is None, reason="ffmpeg not installed (apt-get install ffmpeg)")

# name → (container format, video codec arguments, audio codec arguments)
KINDS = {
    "mp4": ("mp4", ["-c:v", "libx264", "-pix_fmt", "yuv420p"], ["-c:a", "aac"]),
    "mp4-slow-start": ("mp4", ["-c:v", "libx264", "-pix_fmt", "yuv420p"], ["-c:a", "aac"]),
    "webm": ("webm", ["-c:v", "libvpx", "-b:v", "100k"], ["-c:a", "libopus"]),
    "avi": ("avi", ["-c:v", "mpeg4"], ["-c:a", "mp3"]),
    "wmv": ("asf", ["-c:v", "wmv2"], ["-c:a", "wmav2"]),
    "mov-mpeg4": ("mov", ["-c:v", "mpeg4"], ["-c:a", "aac"]),
    "mp4-lossless": ("mp4", ["-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuv420p"], ["-c:a", "aac"]),
    "mkv-h264": ("matroska", ["-c:v", "libx264", "-pix_fmt", "yuv420p"], ["-c:a", "aac"]),
}


def make_video(path: Path, kind: str = "mp4", seconds: float = 1.5, size: str = "96x64", noise: bool = False) -> Path:
    """A test pattern with a tone, in the container and codecs `kind` names (never judged by path's suffix).

    noise: random pixels at a high bit rate instead, for a large file made in a second (6 s at 640x360: ~18 MB)."""
    container, video, audio = KINDS[kind]
    faststart = ["-movflags", "+faststart"] if kind == "mp4" else []
    picture = f"testsrc=size={size}:rate=10"
    if noise:
        picture = f"nullsrc=s={size}:r=10,geq=random(1)*255:128:128"
        video = [*video, "-preset", "ultrafast", "-b:v", "30M", "-maxrate", "30M", "-bufsize", "2M"]
    tone = "sine=frequency=440:sample_rate=22050"
    path.parent.mkdir(parents=True, exist_ok=True)
    command = [FFMPEG or "ffmpeg", "-nostdin", "-y", "-v", "error", "-f", "lavfi", "-i", picture, "-f", "lavfi"]
    command += ["-i", tone, "-t", str(seconds), *video, *audio, *faststart, "-f", container, str(path)]
    subprocess.run(command, check=True)
    return path


def probe(path: Path) -> dict:
    """ffprobe's view of a file: format name, codecs, duration (what the tests check outputs against)."""
    import json

    done = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path)],
        capture_output=True,
        check=True,
    )
    return json.loads(done.stdout)


def image(path: Path) -> Path:
    """A small JPEG (a poster)."""
    subprocess.run(
        [
            FFMPEG or "ffmpeg",
            "-nostdin",
            "-y",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=96x64",
            "-frames:v",
            "1",
            "-f",
            "image2",
            str(path),
        ],
        check=True,
    )
    return path
