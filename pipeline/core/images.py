"""Images made fit for the portal. Every image that reaches output/ passes here, whichever way it came in
(dropped into content/, sent through `hongwang ingest`, inside a Word file), and so does every image ingest
files into content/.

- resized so its longest edge is at most MAX_EDGE: the theme's widest use of an image is the article
  column and the home page's 头条 photo, 50rem = 800 CSS px, shown sharp at 2× on phones;
- turned upright by its EXIF orientation, converted to sRGB when it carries another colour profile;
- re-encoded with Pillow from the pixels alone: no EXIF (camera, GPS position), XMP, comments or
  other metadata survive, however the camera or editor wrote them;
- kept in its format (JPEG, PNG, WebP, GIF with every frame): a page links the file by its name.

Pillow decodes the file, never a library of ours; a file it cannot read is ImageError with the Chinese
reason, which validation (content/validate.py) reports with the line that shows the image.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

MAX_EDGE = 1600
MAX_BYTES = 30 * 1024 * 1024
MAX_PIXELS = 60_000_000
SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif"}
JPEG_QUALITY = 82
WEBP_QUALITY = 80
_KEPT_INFO = ("transparency", "duration", "loop", "background")  # what a frame needs, not metadata


class ImageError(Exception):
    """Not an image Pillow can read (or too large to be one a collector meant): the reason, in Chinese."""


def check(source: bytes | Path) -> str | None:
    """The reason an image cannot be published, or None. Reads the header only: fast enough for validation."""
    from PIL import Image

    size = len(source) if isinstance(source, bytes) else source.stat().st_size
    if size > MAX_BYTES:
        return f"图片超过 {MAX_BYTES >> 20} MB"
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(io.BytesIO(source) if isinstance(source, bytes) else source) as image:
            if image.width * image.height > MAX_PIXELS:
                return "图片像素过多"
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return "图片像素过多"
    except (OSError, SyntaxError, ValueError):
        return "不是可以打开的图片文件"
    return None


def web_image(data: bytes, keep_format: bool = True) -> bytes:
    """The image re-encoded for the web. keep_format=False (ingest, which names the file itself): PNG and
    GIF stay, anything else becomes JPEG."""
    from PIL import Image

    problem = check(data)
    if problem:
        raise ImageError(problem)
    try:
        with Image.open(io.BytesIO(data)) as original:
            image_format = original.format
            if image_format == "GIF":
                return _gif(original)
            if image_format == "JPEG":
                scale = MAX_EDGE / max(original.size)
                if scale < 1:  # decode at a reduced DCT scale: a 4000×3000 photo reads 2–4× faster
                    original.draft("RGB", (math.ceil(original.width * scale), math.ceil(original.height * scale)))
            image = _upright_srgb(original)
            image.thumbnail((MAX_EDGE, MAX_EDGE), Image.Resampling.LANCZOS)
            if not keep_format:
                image_format = "PNG" if image_format == "PNG" else "JPEG"
            return _encode(image, image_format)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError("图片像素过多") from None
    except (OSError, SyntaxError, ValueError):
        raise ImageError("不是可以打开的图片文件") from None


def _upright_srgb(original):
    from PIL import ImageCms, ImageOps

    image = ImageOps.exif_transpose(original)
    icc = original.info.get("icc_profile")
    if icc:
        try:
            mode = image.mode if image.mode in ("RGB", "RGBA") else "RGB"
            image = ImageCms.profileToProfile(
                image, ImageCms.ImageCmsProfile(io.BytesIO(icc)), ImageCms.createProfile("sRGB"), outputMode=mode
            )
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile: the pixels as they are
    if image.mode == "CMYK" or image.mode == "I;16":
        image = image.convert("RGB")
    clean = image.copy() if image is original else image  # never write to the file's own info
    clean.info = {k: v for k, v in image.info.items() if k in _KEPT_INFO}
    return clean


def _encode(image, image_format: str) -> bytes:
    output = io.BytesIO()
    if image_format == "PNG":
        if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
            image = image.convert("RGBA")
        image.save(output, "PNG", optimize=True)
    elif image_format == "WEBP":
        image.save(output, "WEBP", quality=WEBP_QUALITY, method=4)
    else:
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(output, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return output.getvalue()


def _gif(original) -> bytes:
    """Every frame, resized together; only timing and transparency kept (no comments, no XMP)."""
    from PIL import Image, ImageSequence

    scale = min(1.0, MAX_EDGE / max(original.size))
    size = (max(1, round(original.width * scale)), max(1, round(original.height * scale)))
    frames, durations = [], []
    for frame in ImageSequence.Iterator(original):
        durations.append(frame.info.get("duration", 100))
        rgba = frame.convert("RGBA")
        rgba = rgba.resize(size, Image.Resampling.LANCZOS) if scale < 1 else rgba
        rgba.info = {}  # convert() copies the comment and any XMP along
        frames.append(rgba)
    output = io.BytesIO()
    first, rest = frames[0], frames[1:]
    options = {"optimize": True, "disposal": 2}
    if rest:
        options.update(save_all=True, append_images=rest, duration=durations, loop=original.info.get("loop", 0))
    first.save(output, "GIF", **options)
    return output.getvalue()
