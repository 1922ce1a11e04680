"""Every image that reaches output/ is resized to the theme's largest use, stripped of EXIF/GPS/XMP and
re-encoded by Pillow, whichever way it came into content/; the result is cached by the source's hash."""

from __future__ import annotations

import functools
import io
import json

import pytest
from PIL import Image, ImageSequence, PngImagePlugin

from hongwang.pipeline.core import images

from support.cli import run

FRONT = 'title: 图片稿件\ndate: 2026-11-20\norg: "dz"\ncategory: 党建动态'
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description GPSLatitude="31,17N"/></x:xmpmeta>'
SECRETS = (b"xmpmeta", b"GPSLatitude", b"TestCam", b"secret comment")


def gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "TestCam"  # Make
    exif[0x0112] = 6  # Orientation: the camera was turned; the published image must stand upright
    exif[0x8825] = {1: "N", 2: (31.0, 17.0, 0.0), 3: "E", 4: (120.0, 37.0, 0.0)}  # GPS IFD
    return exif


@functools.lru_cache
def photo(size, image_format: str) -> bytes:
    if image_format == "JPEG":  # a camera's photo: noise, the worst case for size and time
        image = Image.effect_noise(size, 40).convert("RGB")
    else:  # screenshots and graphics: smooth
        gradient = Image.linear_gradient("L").resize(size)
        image = Image.merge("RGB", (gradient, gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT), gradient))
    output = io.BytesIO()
    if image_format == "PNG":
        info = PngImagePlugin.PngInfo()
        info.add_text("Comment", "secret comment")
        info.add_itxt("XML:com.adobe.xmp", XMP.decode())
        image.save(output, "PNG", pnginfo=info, exif=gps_exif())
    elif image_format == "GIF":
        frames = [image.convert("P"), Image.new("RGB", size, (200, 30, 30)).convert("P")]
        frames[0].save(output, "GIF", save_all=True, append_images=frames[1:], duration=500, comment=b"secret comment")
    else:
        image.save(output, image_format, exif=gps_exif(), xmp=XMP, comment=b"secret comment", quality=95)
    return output.getvalue()


CASES = {"photo.jpg": ((4000, 3000), "JPEG"), "scan.png": ((2000, 1500), "PNG"), "pic.webp": ((2000, 1500), "WEBP")}
CASES["anim.gif"] = ((1800, 900), "GIF")


@pytest.fixture
def site(content, tmp_path):
    body = "\n\n".join(f"![现场照片{i}]({name})" for i, name in enumerate(CASES))
    content.article("dz/2026/pic.md", FRONT, body=body)
    for name, (size, image_format) in CASES.items():
        (content.root / "dz/2026" / name).write_bytes(photo(size, image_format))
    return content, tmp_path / "out"


def build(content, out) -> dict:
    result = run("build", "--content", content.root, "--output", out, "--now", "2026-11-23", "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_images_dropped_into_content_are_resized_stripped_and_reencoded(site):
    content, out = site
    report = build(content, out)
    assert report["images"]["count"] == len(CASES) == report["images"]["encoded"]
    for name, ((width, height), image_format) in CASES.items():
        source = (content.root / "dz/2026" / name).read_bytes()
        published = (out / "files/dz/2026" / name).read_bytes()
        assert len(published) < len(source) or image_format == "GIF", name
        with Image.open(io.BytesIO(published)) as image:
            assert image.format == image_format and max(image.size) == images.MAX_EDGE, (name, image.size)
            assert not image.getexif() and not image.info.get("xmp") and "comment" not in image.info
            if image_format != "GIF":  # turned upright by the EXIF orientation tag
                assert image.height > image.width, name
            else:
                assert image.width / image.height == pytest.approx(width / height, rel=0.01)
            if image_format == "GIF":
                assert sum(1 for _ in ImageSequence.Iterator(image)) == 2
        for secret in SECRETS:
            assert secret not in published, (name, secret)


def test_a_second_build_takes_images_from_the_cache_and_writes_the_same_bytes(site):
    content, out = site
    build(content, out)
    first = {name: (out / "files/dz/2026" / name).read_bytes() for name in CASES}
    again = build(content, out)
    assert again["images"]["encoded"] == 0
    assert {name: (out / "files/dz/2026" / name).read_bytes() for name in CASES} == first
    cold = build(content, out.parent / "cold")  # the cache serves a new output folder as well
    assert cold["images"]["encoded"] == 0
    assert {name: (out.parent / "cold/files/dz/2026" / name).read_bytes() for name in CASES} == first
    (content.root / "dz/2026/photo.jpg").write_bytes(photo((1200, 900), "JPEG"))
    changed = build(content, out)
    assert changed["images"]["encoded"] == 1
    with Image.open(out / "files/dz/2026/photo.jpg") as image:
        assert image.size == (900, 1200)


def test_an_image_without_alt_text_is_warned_about_on_its_line(content):
    content.article("dz/a.md", FRONT, body="第一段。\n\n![](photo.jpg)\n\n<img src='b.jpg' alt=''>\n\n![说明](c.jpg)")
    result = run("validate", "--content", content.root, "--format", "json")
    found = [(d["line"], d["code"], d["severity"]) for d in json.loads(result.output)]
    assert found == [(10, "image-alt-missing", "warning"), (12, "image-alt-missing", "warning")]


def test_an_unreadable_image_or_an_svg_is_refused_with_its_line(content, tmp_path):
    content.article("dz/a.md", FRONT, body="第一段。\n\n![坏图](bad.png)\n\n![图标](logo.svg)")
    (content.root / "dz/bad.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    (content.root / "dz/logo.svg").write_text("<svg><script>alert(1)</script></svg>", encoding="utf-8")
    result = run("build", "--content", content.root, "--output", tmp_path / "out")
    assert result.exit_code == 1
    assert "dz/a.md:10: 错误 [image-unreadable]" in result.output
    assert "dz/a.md:12: 错误 [image-svg]" in result.output
    assert not (tmp_path / "out" / "files").exists()
