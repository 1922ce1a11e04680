"""What collectors hand in → what content/ holds: Word and plain text to Markdown, images made fit for the web."""

from __future__ import annotations

import html
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote

import yaml

from ..content.slugs import default_slug
from ..core import images

IMAGE_SUFFIXES = images.SUFFIXES
MAX_DOCX_BYTES = 30 * 1024 * 1024
MAX_IMAGE_BYTES = images.MAX_BYTES
WEB_IMAGE_EDGE = images.MAX_EDGE

IMAGE_REF = re.compile(
    r"(?P<pre>!\[[^\]]*\]\(\s*)(?:<(?P<angled>[^>\n]+)>|(?P<plain>[^)\s]+))(?P<post>\s*(?:\"[^\"]*\")?\s*\))"
    r"|(?P<ipre><img\b[^>]*?\bsrc\s*=\s*[\"'])(?P<isrc>[^\"']+)(?P<ipost>[\"'])",
    re.IGNORECASE,
)
_BLOCK_END = re.compile(r"(</(?:p|h[1-6]|table|ul|ol|blockquote)>)(?=<)")
_FIRST_BLOCK = re.compile(r"\s*<(h[1-6]|p)\b[^>]*>(.*?)</\1>", re.DOTALL)


class Refused(Exception):
    """This submission cannot be filed; `lines` say why, in Chinese, one problem a line."""

    def __init__(self, lines: list[str]):
        super().__init__("\n".join(lines))
        self.lines = lines


def text_title_and_body(text: str, rel: str) -> tuple[str, str]:
    """A plain-text submission: the first line that is not blank is the title, the rest the body."""
    lines = [line.strip() for line in text.split("\n")]
    title = next((line for line in lines if line), "")
    if not title:
        raise Refused([f"{rel}: 文件是空的。第一行写标题，之后写正文"])
    return title, "\n".join(lines[lines.index(title) + 1 :]).strip()


def docx_title_and_body(path: Path, rel: str, images: Images) -> tuple[str, str]:
    """A Word document: its first paragraph is the title, the rest becomes HTML (tables kept; images web-sized)."""
    import mammoth

    if path.stat().st_size > MAX_DOCX_BYTES:
        raise Refused([f"{rel}: Word 文档超过 {MAX_DOCX_BYTES >> 20} MB，请压缩图片或拆分后提交"])

    def save_image(image):
        with image.open() as stream:
            data = web_image_bytes(stream.read(), f"{rel} 中的图片")
        return {"src": images.add(f"tu-{len(images.files) + 1}", data)}

    with path.open("rb") as handle:
        try:
            # HTML, not mammoth's Markdown: that flattens Word tables, which notices rely on.
            result = mammoth.convert_to_html(handle, convert_image=mammoth.images.img_element(save_image))
        except Refused:
            raise
        except Exception:  # noqa: BLE001 - mammoth raises many kinds on a damaged file
            raise Refused(
                [f"{rel}: 无法读取这个 Word 文档（可能已损坏或不是 .docx）。请在 Word 中另存为 .docx 后重新提交"]
            ) from None
    html_body = separate_blocks(result.value)
    first = _FIRST_BLOCK.match(html_body)
    title = html.unescape(re.sub(r"<[^>]+>", "", first.group(2))).strip() if first else ""
    if not title:
        raise Refused([f"{rel}: Word 文档第一段不是标题。第一段写标题（不要放图片或表格），之后写正文"])
    return title, html_body[first.end() :].strip()


class Images:
    """Web-ready images of one submission under safe file names, and how the body referred to them."""

    def __init__(self):
        self.files: dict[str, bytes] = {}  # safe name → bytes
        self.names: dict[str, str] = {}  # name as the body writes it → safe name

    def add(self, original: str, data: bytes) -> str:
        suffix = ".png" if data.startswith(b"\x89PNG") else ".gif" if data.startswith(b"GIF8") else ".jpg"
        stem = default_slug(Path(original).stem, Path(original).stem)
        name, counter = stem + suffix, 1
        while name in self.files:
            counter += 1
            name = f"{stem}-{counter}{suffix}"
        self.files[name] = data
        self.names[original] = name
        self.names[name] = name
        return name


def markdown_text(meta: dict, body: str) -> str:
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, default_flow_style=False, width=4096)
    return f"---\n{front}---\n\n{body.strip()}\n"


def yaml_to_markdown(text: str) -> str:
    """A pure-YAML submission becomes front matter; its `body:` (正文) is left for load to lift out."""
    return f"---\n{text.rstrip()}\n---\n"


def separate_blocks(html_text: str) -> str:
    """A blank line between top-level blocks (none inside tables), so the file reads paragraph by paragraph."""
    pieces, last, depth = [], 0, 0
    for match in _BLOCK_END.finditer(html_text):
        segment = html_text[last : match.end()]
        depth += len(re.findall(r"<table\b", segment)) - segment.count("</table>")
        pieces.append(segment + ("\n\n" if depth == 0 else ""))
        last = match.end()
    pieces.append(html_text[last:])
    return "".join(pieces).strip()


def image_target(match: re.Match) -> str:
    return match.group("angled") or match.group("plain") or match.group("isrc") or ""


def rewrite_image_refs(body: str, old: str, new: str) -> str:
    def swap(match):
        if posixpath.basename(unquote(image_target(match))) != old:
            return match.group(0)
        if match.group("pre"):
            return match.group("pre") + new + match.group("post")
        return match.group("ipre") + new + match.group("ipost")

    return IMAGE_REF.sub(swap, body)


def web_image(path: Path, rel: str) -> bytes:
    if path.is_symlink():
        raise Refused([f"{rel}: 这是一个快捷方式（链接），不是图片本身"])
    if path.stat().st_size > MAX_IMAGE_BYTES:
        raise Refused([f"{rel}: 图片超过 {MAX_IMAGE_BYTES >> 20} MB，请缩小后提交"])
    return web_image_bytes(path.read_bytes(), rel)


def web_image_bytes(data: bytes, label: str) -> bytes:
    """Resized, upright, without EXIF/GPS/XMP (core/images.py); PNG and GIF stay, anything else becomes JPEG."""
    try:
        return images.web_image(data, keep_format=False)
    except images.ImageError as problem:
        hint = "请缩小后提交" if "过" in str(problem) else "请另存为 JPG 或 PNG 后提交"
        raise Refused([f"{label}: {problem}，{hint}"]) from None
