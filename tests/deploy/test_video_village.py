"""Videos on village PCs: a bundle stores them (or, made --without-video, leaves them for the county to stream);
`hongwang sync` streams them to disk (never whole in memory) and never downloads one it already has."""

from __future__ import annotations

import subprocess
import sys
import zipfile

from test_sync import County, FaultyHandler

from support.cli import run
from support.media import make_video, needs_ffmpeg

VIDEO = "files/zzb/2026/dangke-lixiang-xinnian.mp4"
MEASURE = (
    "import resource, sys\n"
    "from hongwang.cli import app\n"
    "try:\n    app(sys.argv[1:])\n"
    "except SystemExit as done:\n    code = done.code\n"
    "print('MAXRSS_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, 'EXIT', code)\n"
)


def test_a_bundle_stores_videos_and_a_light_one_leaves_them_out(tmp_path):
    county = County(tmp_path)
    try:
        site = county.root / "releases" / county.publish()
        full = run("bundle", "--site", site, "--output", tmp_path / "dist")
        light = run("bundle", "--site", site, "--output", tmp_path / "dist", "--without-video")
    finally:
        county.close()
    assert full.exit_code == 0 and light.exit_code == 0, light.output
    assert "未打包电教视频 2 个" in light.output
    (light_zip,) = (tmp_path / "dist").glob("hongwang-site-*-light.zip")
    (full_zip,) = set((tmp_path / "dist").glob("hongwang-site-*.zip")) - {light_zip}
    with zipfile.ZipFile(full_zip) as zipped:
        video = next(i for i in zipped.infolist() if i.filename.endswith(VIDEO))
        assert video.compress_type == zipfile.ZIP_STORED  # already compressed: stored, not deflated again
    with zipfile.ZipFile(light_zip) as zipped:
        names = zipped.namelist()
        manifest = next(zipped.read(n) for n in names if n.endswith("/manifest.json")).decode()
    assert not [n for n in names if n.endswith((".mp4", ".webm"))]
    assert [n for n in names if n.endswith("dangke-lixiang-xinnian.vtt")]  # subtitles and posters stay
    assert VIDEO in manifest  # the signed manifest is the release's: a later sync fetches the videos


@needs_ffmpeg
def test_sync_streams_a_large_video_to_disk_and_never_downloads_it_again(tmp_path):
    county = County(tmp_path)
    big = make_video(county.content / "zzb/2026/dahui.mp4", "mp4", seconds=6, size="640x360", noise=True)
    (county.content / "zzb/2026/dahui.md").write_text(
        '---\nkind: video\ntitle: 全县党员大会录像\ndate: 2026-11-15\norg: "zzb"\nfile: dahui.mp4\n'
        "poster: dangke-lixiang-xinnian.jpg\nseries: 专题学习\n---\n",
        encoding="utf-8",
    )
    size = big.stat().st_size
    assert size > 15_000_000
    village = tmp_path / "village"

    def sync() -> tuple[int, str]:
        done = subprocess.run(
            [sys.executable, "-c", MEASURE, "sync", county.url, "--dest", str(village)],
            capture_output=True,
            text=True,
            check=True,
        )
        kilobytes, _, code = done.stdout.rsplit("MAXRSS_KB", 1)[1].split()
        assert code in ("0", "None"), done.stdout + done.stderr
        return int(kilobytes) * 1024, done.stdout

    try:
        county.publish()
        FaultyHandler.requests.clear()
        first_memory, _ = sync()
        assert "zzb/2026/dahui.mp4" in " ".join(FaultyHandler.requests)
        assert (village / "current/files/zzb/2026/dahui.mp4").read_bytes() == big.read_bytes()
        idle_memory, _ = sync()  # up to date: nothing downloaded
        assert first_memory - idle_memory < size / 2  # streamed to disk, not held in memory

        edited = county.content / "dz/2025/dz-zhibu-shuji-peixun.md"
        edited.write_text(edited.read_text(encoding="utf-8") + "\n补充说明。\n", encoding="utf-8")
        county.publish()
        FaultyHandler.requests.clear()
        _, output = sync()
    finally:
        county.close()
    assert not [r for r in FaultyHandler.requests if r.endswith(".mp4")]  # present by hash: never fetched again
    assert "沿用本机" in output
