"""What collectors hand in → what content/ holds: Word and plain text to Markdown, images made fit for the web,
videos made playable in a browser (Debian's ffmpeg)."""

from __future__ import annotations

import html
import posixpath
import re
import shutil
from pathlib import Path
from urllib.parse import unquote

import yaml

from ..content import load, schema
from ..content.slugs import default_slug
from ..core import images, media, webvtt

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


# ---------------------------------------------------------------- 党员电教 videos

VIDEO_SUFFIXES = {".mp4", ".m4v", ".mov", ".webm", ".mkv", ".avi", ".wmv", ".asf", ".rm", ".rmvb", ".flv"}
VIDEO_SUFFIXES |= {".mpg", ".mpeg", ".vob", ".3gp", ".ts"}  # what a collector may hand in; the bytes decide
MEDIA_KEYS = {
    name: spec.key for spec in schema.VIDEO.fields if spec.type == schema.MEDIA for name in spec.names_written
}
_MEDIA_LINE = re.compile(r"^\s*([^\s:#][^:：]*?)\s*[:：]\s*[\"'“”]?([^\"'“”#\n]+?)[\"'“”]?\s*(?:#.*)?$")


class Held(Exception):
    """This submission cannot be handled on this machine yet (no ffmpeg): it stays in the inbox."""

    def __init__(self, lines: list[str]):
        super().__init__("\n".join(lines))
        self.lines = lines


def media_references(text: str) -> list[tuple[str, str]]:
    """(key, file name) of each video, poster or subtitle file a video submission's front matter names."""
    found = []
    for line in text.split("\n"):
        match = _MEDIA_LINE.match(line)
        if match and match.group(1).strip() in MEDIA_KEYS:
            found.append((MEDIA_KEYS[match.group(1).strip()], unquote(match.group(2).strip())))
    return found


class Videos:
    """A video submission's files made ready for the web in the staging folder (never read into memory whole):
    the video as MP4 (H.264/AAC, fast start) or WebM, a poster taken from it, the poster and subtitles given."""

    def __init__(self, staged: Path):
        self.staged = staged
        self.files: dict[str, tuple[str, str]] = {}  # file name as written → (staged name, name to file it under)
        self.taken_poster: tuple[str, str] | None = None  # a frame of the video, when no poster was given
        self.notes: list[str] = []

    def add(self, key: str, path: Path, rel: str) -> None:
        staged = f"media-{len(self.files)}"
        stem = default_slug(path.stem, path.stem) or "video"
        if key == "file":
            suffix, note = video_for_web(path, rel, self.staged / staged)
            self.files[path.name] = (staged, stem + suffix)
            self.notes.append(f"{rel}：{note}")
            poster(self.staged / staged, rel, self.staged / f"{staged}-poster")
            self.taken_poster = (f"{staged}-poster", stem + ".jpg")
        elif key == "poster":
            data = web_image(path, rel)
            (self.staged / staged).write_bytes(data)
            suffix = ".png" if data.startswith(b"\x89PNG") else ".gif" if data.startswith(b"GIF8") else ".jpg"
            self.files[path.name] = (staged, stem + "-poster" + suffix)
        else:
            subtitles(path, rel, self.staged / staged)
            self.files[path.name] = (staged, stem + ".vtt")


def _tools_or_hold(rel: str) -> None:
    missing = [name for name in ("ffprobe", "ffmpeg") if media.tool(name) is None]
    if missing:
        raise Held(
            [
                f"{rel}: 本机没有安装 ffmpeg，无法检查和转换视频。请网站维护人员安装 ffmpeg"
                f"（{media.INSTALL_HINT}）后重新运行 hongwang ingest；视频暂留在收件文件夹"
            ]
        )


def video_for_web(source: Path, rel: str, target: Path) -> tuple[str, str]:
    """(suffix, what was done): copied when browsers already play it with a fast start, else made an MP4."""
    _tools_or_hold(rel)
    try:
        found = media.probe(source)
    except media.MediaError as error:
        raise Refused([f"{rel}: {error}。请确认这是视频文件"]) from None
    if found.video is None:
        raise Refused([f"{rel}: 文件中没有视频画面（只有声音或不是视频），请提交视频文件"])
    if media.problem(found) is None and (found.container == "webm" or found.faststart):
        shutil.copyfile(source, target)
        return (".webm" if found.container == "webm" else ".mp4"), f"{found.label} 视频浏览器可以直接播放，原样收录"
    try:
        done = media.to_mp4(source, target, found)
        converted = media.probe(target)
    except media.MediaError as error:
        raise Refused([f"{rel}: {error}。请用视频软件另存为 MP4（H.264/AAC）后重新提交"]) from None
    if converted is None or media.problem(converted):
        raise Refused([f"{rel}: 转换后的视频仍无法在浏览器中播放，请用视频软件另存为 MP4（H.264/AAC）后重新提交"])
    return ".mp4", f"{done}，原文件保留在 done/ 中"


def poster(video: Path, rel: str, target: Path) -> None:
    try:
        found = media.probe(video)
        media.poster(video, target, found.duration if found else None)
    except media.MediaError as error:
        raise Refused([f"{rel}: 无法从视频中截取封面（{error}）"]) from None


def subtitles(source: Path, rel: str, target: Path) -> None:
    """WebVTT subtitles, checked line by line (a collector fixes them in their own file)."""
    text, _ = load.decode(source, rel)
    cues, problems = webvtt.parse(text) if text is not None else ([], [(1, "无法读取")])
    if problems:
        raise Refused(
            [f"{rel} 第 {line} 行：字幕 {detail}。字幕用 WebVTT 格式：第一行写 WEBVTT" for line, detail in problems]
        )
    target.write_text(text, encoding="utf-8")
