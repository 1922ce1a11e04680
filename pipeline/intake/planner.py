"""Planning one submission: group it with its images, convert it, check it as collectors wrote it and as it
will be filed, and decide: accepted (where it goes) or refused (why, line by line, in Chinese).

Nothing here touches content/ or moves a source: a plan is staged in the work folder and carried out
by intake/journal.py once committed.
"""

from __future__ import annotations

import posixpath
import shutil
import uuid
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote

from ..content import aliases, lint, load, validate
from ..content.documents import Facts, Validation
from ..content.schema import SLUG_PATTERN
from ..content.slugs import default_slug
from ..core import dates
from ..core.diagnostics import Diagnostic
from ..core.hashing import sha256_file
from . import convert
from .convert import IMAGE_SUFFIXES, VIDEO_SUFFIXES, Held, Refused
from .journal import LOG_NAME, Decision

DONE = "done"
REJECTED = "rejected"
# The reason note beside a refused file: `走访.md.退回原因.txt`, never `走访.md.txt`, which Windows Explorer
# (extensions hidden by default) shows as a second "走访.md" next to the refused 走访.md shown as "走访".
REASON_SUFFIX = ".退回原因.txt"
TEXT_SUFFIXES = {".md", ".markdown", ".yaml", ".yml", ".txt"}
SUPPORTED = TEXT_SUFFIXES | IMAGE_SUFFIXES | VIDEO_SUFFIXES | {".docx", ".vtt"}
DATE_KEYS = ("date", "approved_on", "received", "reply_date")
_UNSUPPORTED_HINTS = {
    ".doc": "请在 Word 中“另存为”Word 文档（.docx）后重新提交",
    ".wps": "请在 WPS 中“另存为”Word 文档（.docx）后重新提交",
    ".pdf": "PDF 无法转为网页正文，请提交 Word 文档（.docx）或文本文件",
    ".svg": "SVG 图片可能含有脚本，请另存为 PNG 或 JPG",
}


def submission_units(inbox: Path) -> list[list[Path]]:
    """Groups of files handled together: a text file with the images it references, or a lone file."""
    files = sorted(p for p in _inbox_files(inbox))
    by_resolved = {p.resolve(): p for p in files if not p.is_symlink()}
    claimed: set[Path] = set()
    units: list[list[Path]] = []
    for path in files:
        if path.suffix.lower() in {".md", ".markdown", ".yaml", ".yml"} and not path.is_symlink():
            named = [*_referenced_images(path), *_referenced_media(path)]
            referenced = dict.fromkeys(by_resolved[r] for r in named if r in by_resolved)
            images = [p for p in referenced if p not in claimed]
            claimed.update(images)
            units.append([path, *images])
    for path in files:
        if path not in claimed and not any(path == unit[0] for unit in units):
            units.append([path])
    return sorted(units, key=lambda unit: unit[0])


def _inbox_files(inbox: Path):
    for path in inbox.rglob("*"):
        parts = path.relative_to(inbox).parts
        if parts[0] in (DONE, REJECTED, LOG_NAME) or any(p.startswith((".", "~$")) for p in parts):
            continue
        if path.is_file() or path.is_symlink():
            yield path


def _referenced_images(path: Path) -> list[Path]:
    """Resolved paths of the images in path's own folder that its body shows."""
    text, _ = load.decode(path, path.name)
    if text is None:
        return []
    found = []
    folder = path.parent.resolve()
    for match in convert.IMAGE_REF.finditer(text):
        target = unquote(convert.image_target(match))
        if "://" in target or target.startswith("/"):
            continue
        candidate = (folder / target).resolve()
        if candidate.parent == folder and candidate.suffix.lower() in IMAGE_SUFFIXES:
            found.append(candidate)
    return found


def _referenced_media(path: Path) -> dict[Path, str]:
    """Resolved path → field (file, poster, subtitles) of the files in path's own folder a video submission names."""
    text, _ = load.decode(path, path.name)
    if text is None:
        return {}
    folder = path.parent.resolve()
    found = {}
    for key, name in convert.media_references(text):
        candidate = (folder / name).resolve()
        if candidate.parent == folder:
            found[candidate] = key
    return found


class Planner:
    def __init__(self, inbox: Path, content_dir: Path, work: Path, config: Validation, now: datetime):
        self.inbox, self.content_dir, self.work = inbox, content_dir, work
        self.config = config
        self.now = now
        self.orgs = {o["code"]: o for o in config.orgs}
        existing = validate.validate(content_dir)
        self.taken_slugs = {(d.kind, d.fields["slug"]) for d in existing.documents}
        self.taken_names: set[str] = set()

    def plan(self, unit: list[Path]) -> Decision:
        main = unit[0]
        rel = main.relative_to(self.inbox).as_posix()
        decision = Decision(
            id=uuid.uuid4().hex[:16], sources=[p.relative_to(self.inbox).as_posix() for p in unit], accepted=False
        )
        decision.hashes = {p.relative_to(self.inbox).as_posix(): sha256_file(p) for p in unit if not p.is_symlink()}
        staged = self.work / decision.id / "staged"
        staged.mkdir(parents=True, exist_ok=True)
        try:
            self._accept(unit, decision, staged)
        except Refused as refused:
            self._refuse(decision, refused.lines, staged)
        except Held as held:  # not the collector's fault: the file waits in the inbox for ffmpeg
            shutil.rmtree(staged, ignore_errors=True)
            decision.held, decision.reason = True, "\n".join(held.lines)
        except Exception as error:  # noqa: BLE001 - a broken file is refused, never a crash of the run
            self._refuse(
                decision,
                [f"{rel}: 无法处理这个文件（{type(error).__name__}）。请另存为 UTF-8 文本或 .docx 后重新提交"],
                staged,
            )
        return decision

    # --- refusing

    def _refuse(self, decision: Decision, lines: list[str], staged: Path) -> None:
        shutil.rmtree(staged, ignore_errors=True)
        staged.mkdir(parents=True, exist_ok=True)
        decision.accepted = False
        decision.outputs = {}
        main = decision.sources[0]
        decision.moves = {rel: self._free_name(f"{REJECTED}/{rel}") for rel in decision.sources}
        reason_rel = decision.moves[main] + REASON_SUFFIX
        decision.destination = reason_rel
        decision.reason = "\n".join(lines)
        text = (
            f"退回原因：{main} 未能收录，请按以下提示修改后重新放入收件文件夹。\n\n"
            + "\n".join(f"- {line}" for line in lines)
            + "\n"
        )
        (staged / "reason.txt").write_text(text, encoding="utf-8")
        decision.inbox_outputs = {reason_rel: "reason.txt"}

    def _free_name(self, rel: str) -> str:
        """rel, or rel with -2, -3 … before the suffix when that name is taken in the inbox."""
        candidate, counter = rel, 1
        while (
            (self.inbox / candidate).exists()
            or (self.inbox / (candidate + REASON_SUFFIX)).exists()
            or candidate in self.taken_names
        ):
            counter += 1
            stem, dot, suffix = rel.rpartition(".")
            candidate = f"{stem}-{counter}.{suffix}" if dot and "/" not in suffix else f"{rel}-{counter}"
        self.taken_names.add(candidate)
        return candidate

    # --- accepting

    def _accept(self, unit: list[Path], decision: Decision, staged: Path) -> None:
        main = unit[0]
        rel = main.relative_to(self.inbox).as_posix()
        suffix = main.suffix.lower()
        if main.is_symlink():
            raise Refused([f"{rel}: 这是一个快捷方式（链接），不是文件本身。请把文件本身放入收件文件夹"])
        if suffix not in SUPPORTED:
            hint = _UNSUPPORTED_HINTS.get(suffix, "请提交 .md、.txt、.yaml、.docx、JPG/PNG 图片或视频")
            raise Refused([f"{rel}: 不支持 {suffix or '无扩展名'} 文件。{hint}"])
        folder_org = self._folder_org(main)
        if suffix in IMAGE_SUFFIXES:
            self._accept_media(main, rel, folder_org, decision, staged)
            return
        if suffix in VIDEO_SUFFIXES:
            self._accept_video(main, rel, folder_org, decision, staged)
            return
        if suffix == ".vtt":
            raise Refused([f"{rel}: 字幕文件要和视频稿件（写了 subtitles: {main.name} 的 .md 文件）一起放入收件文件夹"])
        images = convert.Images()
        videos = convert.Videos(staged)
        pending: list[tuple[str, Path]] = []
        if suffix == ".docx":
            text, warnings = self._from_docx(main, rel, folder_org, images)
        elif suffix == ".txt":
            text, warnings = self._from_txt(main, rel, folder_org)
        else:
            text, warnings = self._decoded(main, rel)
            if suffix in {".yaml", ".yml"}:
                text = convert.yaml_to_markdown(text)
            named = _referenced_media(main)
            for extra in unit[1:]:
                if extra.resolve() in named:
                    pending.append((named[extra.resolve()], extra))
                else:
                    images.add(extra.name, convert.web_image(extra, extra.relative_to(self.inbox).as_posix()))
        line_offset = {".md": 0, ".markdown": 0, ".yaml": -1, ".yml": -1}.get(suffix)
        meta, body, diagnostics = self._check(text, rel, folder_org, line_offset)
        for key, extra in pending:  # checked first: a refused submission costs no conversion
            videos.add(key, extra, extra.relative_to(self.inbox).as_posix())
        self._file(decision, meta, body, images, staged, warnings + diagnostics + videos.notes, videos)

    def _folder_org(self, path: Path) -> str | None:
        parts = path.relative_to(self.inbox).parts
        return parts[0] if len(parts) > 1 and parts[0] in self.orgs else None

    def _decoded(self, path: Path, rel: str) -> tuple[str, list[str]]:
        text, found = load.decode(path, rel)
        if text is None:
            raise Refused([_line(d, rel) for d in found])
        return text, [_line(d, rel) for d in found]

    def _from_txt(self, path: Path, rel: str, folder_org: str | None) -> tuple[str, list[str]]:
        text, warnings = self._decoded(path, rel)
        if load.split_front_matter(text) is not None:
            return text, warnings  # a .txt written like a Markdown submission
        title, body = convert.text_title_and_body(text, rel)
        return self._generated(rel, folder_org, title, body), warnings

    def _from_docx(self, path: Path, rel: str, folder_org: str | None, images: convert.Images) -> tuple[str, list[str]]:
        title, body = convert.docx_title_and_body(path, rel, images)
        return self._generated(rel, folder_org, title, body), []

    def _generated(self, rel: str, folder_org: str | None, title: str, body: str) -> str:
        if not folder_org:
            codes = "、".join(list(self.orgs)[:8])
            raise Refused(
                [
                    f"{rel}: 不知道这篇稿件属于哪个单位。请把文件放进以单位代码命名的文件夹，"
                    f"例如 收件文件夹/dz/{Path(rel).name}（单位代码见 orgs.yaml：{codes}……）"
                ]
            )
        category = next(
            (c.name for c in self.config.site.categories if c.kind == "news"),
            self.config.site.categories[0].name if self.config.site.categories else "",
        )
        meta = {"title": title, "date": dates.iso_day(self.now), "org": folder_org, "category": category}
        return convert.markdown_text(meta, body)

    def _check(
        self, text: str, rel: str, folder_org: str | None, line_offset: int | None
    ) -> tuple[dict, str, list[str]]:
        """Validate as written (lines match the collector's file), then the canonical form."""
        scratch = self.work / f"check-{uuid.uuid4().hex[:8]}"
        try:
            source = self._load_staged(scratch, text, rel)
            if folder_org and source.readable and "org" not in source.meta:
                source.meta["org"] = folder_org
            if isinstance(source.meta.get("body"), str):  # a YAML submission's 正文
                source.body = source.meta.pop("body")
            document, found = validate.check_source(source, self.config.site, self.orgs)
            if document:
                found += lint.far_future(Facts.of(document), self.now)
            errors = [d for d in found if d.is_error]
            if errors:
                raise Refused([_line(d, rel, line_offset) for d in errors])
            warnings = [_line(d, rel, line_offset) for d in found]
            meta = _canonical_meta(source.meta)
            return meta, source.body.strip("\n"), warnings
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def _load_staged(self, scratch: Path, text: str, rel: str) -> load.Source:
        path = scratch / "x" / (Path(rel).stem + ".md")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return load.load_source(path, scratch)

    def _file(
        self,
        decision: Decision,
        meta: dict,
        body: str,
        images: convert.Images,
        staged: Path,
        warnings: list[str],
        videos: convert.Videos | None = None,
    ) -> None:
        org = str(meta.get("org"))
        kind = aliases.canonical_value("kind", meta.get("kind")) or "article"
        parsed = dates.parse(meta.get("date") or meta.get("received") or "")
        year = parsed.value.year if parsed else self.now.year
        slug = self._free_slug(
            kind, str(meta.get("slug") or "") or default_slug("", str(meta.get("title", ""))), org, year
        )
        meta["slug"] = slug
        folder = f"{org}/{year}"
        for original, name in images.names.items():
            body = convert.rewrite_image_refs(body, original, f"{slug}/{name}")
        media_outputs = self._media_fields(decision.sources[0], meta, videos, folder, slug) if videos else {}
        text = convert.markdown_text(meta, body)
        main_dest = f"{folder}/{slug}.md"
        self._recheck(text, main_dest, staged, images)
        decision.outputs = {}
        for index, (name, data) in enumerate(images.files.items()):  # images first: the page never shows a gap
            (staged / f"image-{index}").write_bytes(data)
            decision.outputs[f"{folder}/{slug}/{name}"] = f"image-{index}"
        decision.outputs.update(media_outputs)
        (staged / "main.md").write_text(text, encoding="utf-8")
        decision.outputs[main_dest] = "main.md"
        decision.accepted = True
        decision.org = org
        decision.collector = str(meta.get("collector") or "")
        decision.destination = main_dest
        decision.warnings = warnings
        decision.moves = {rel: self._free_name(f"{DONE}/{rel}") for rel in decision.sources}

    def _media_fields(self, rel: str, meta: dict, videos: convert.Videos, folder: str, slug: str) -> dict[str, str]:
        """Point file/poster/subtitles at the files as filed (`<slug>/<name>`); a poster taken from the video when
        none was given. Returns content-relative destination → staged name. A named file that is neither in the
        inbox nor in content/ is refused: the filed video page would have nothing to play."""
        outputs = {}
        for key in ("file", "poster", "subtitles"):
            written = meta.get(key)
            if not isinstance(written, str) or not written.strip():
                continue
            name = posixpath.basename(written.strip().replace("\\", "/"))
            if name in videos.files:
                staged_name, final = videos.files[name]
                meta[key] = f"{slug}/{final}"
                outputs[f"{folder}/{slug}/{final}"] = staged_name
            elif not (self.content_dir / folder / written.strip()).is_file():
                raise Refused([f"{rel}: 写了 {key}: {written}，但收件文件夹中没有这个文件。请把它和稿件放在同一文件夹"])
        if videos.taken_poster and not meta.get("poster"):
            staged_name, final = videos.taken_poster
            meta["poster"] = f"{slug}/{final}"
            outputs[f"{folder}/{slug}/{final}"] = staged_name
        return outputs

    def _recheck(self, text: str, dest: str, staged: Path, images: convert.Images) -> None:
        """The file as it will be filed must validate too (it is what the build reads)."""
        root = staged / "recheck"
        path = root / dest
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        source = load.load_source(path, root)
        _, found = validate.check_source(source, self.config.site, self.orgs)
        shutil.rmtree(root, ignore_errors=True)
        errors = [d for d in found if d.is_error]
        if errors:
            raise Refused([_line(d, dest, 0) for d in errors])

    def _free_slug(self, kind: str, slug: str, org: str, year: int) -> str:
        slug = slug if SLUG_PATTERN.match(slug) else "item"
        candidate, counter = slug, 1
        while (kind, candidate) in self.taken_slugs or (
            self.content_dir / org / str(year) / f"{candidate}.md"
        ).exists():
            counter += 1
            candidate = f"{slug}-{counter}"
        self.taken_slugs.add((kind, candidate))
        return candidate

    def _accept_video(self, path: Path, rel: str, folder_org: str | None, decision: Decision, staged: Path) -> None:
        """A video on its own: made playable and filed under media/<org>/ with a poster, for a submission to name."""
        if not folder_org:
            raise Refused([f"{rel}: 单独提交的视频要放进以单位代码命名的文件夹，例如 收件文件夹/dz/{path.name}"])
        videos = convert.Videos(staged)
        videos.add("file", path, rel)
        (staged_name, final), poster_staged = videos.files[path.name], videos.taken_poster[0]
        stem, suffix = posixpath.splitext(final)
        dest, counter = f"media/{folder_org}/{final}", 1
        while (self.content_dir / dest).exists() or dest in self.taken_names:
            counter += 1
            dest = f"media/{folder_org}/{stem}-{counter}{suffix}"
        self.taken_names.add(dest)
        decision.outputs = {dest[: -len(suffix)] + ".jpg": poster_staged, dest: staged_name}
        decision.accepted = True
        decision.org = folder_org
        decision.destination = dest
        decision.warnings = videos.notes
        decision.moves = {r: self._free_name(f"{DONE}/{r}") for r in decision.sources}

    def _accept_media(self, path: Path, rel: str, folder_org: str | None, decision: Decision, staged: Path) -> None:
        if not folder_org:
            raise Refused([f"{rel}: 单独提交的图片要放进以单位代码命名的文件夹，例如 收件文件夹/dz/{path.name}"])
        data = convert.web_image(path, rel)
        stem = default_slug(path.stem, path.stem)
        suffix = ".png" if data.startswith(b"\x89PNG") else ".gif" if data.startswith(b"GIF8") else ".jpg"
        dest, counter = f"media/{folder_org}/{stem}{suffix}", 1
        while (self.content_dir / dest).exists() or dest in self.taken_names:
            counter += 1
            dest = f"media/{folder_org}/{stem}-{counter}{suffix}"
        self.taken_names.add(dest)
        (staged / "image").write_bytes(data)
        decision.outputs = {dest: "image"}
        decision.accepted = True
        decision.org = folder_org
        decision.destination = dest
        decision.moves = {r: self._free_name(f"{DONE}/{r}") for r in decision.sources}


def _line(d: Diagnostic, rel: str, line_offset: int | None = 0) -> str:
    """One reason line for a collector: their file name, the line when it is theirs, the message."""
    where = f"{rel} 第 {max(d.line + line_offset, 1)} 行" if line_offset is not None else rel
    kind = "错误" if d.is_error else "警告"
    return f"{where}：{kind} [{d.code}] {d.message}"


def _canonical_meta(meta: dict) -> dict:
    """English keys (already mapped by load), dates written the standard way."""
    result = dict(meta)
    for key in DATE_KEYS:
        if key in result:
            result[key] = _standard_date(result[key])
    if isinstance(result.get("period"), dict):
        result["period"] = {k: _standard_date(v) if k in ("start", "end") else v for k, v in result["period"].items()}
    return result


def _standard_date(raw):
    parsed = dates.parse(raw)
    if parsed is None:
        return raw
    day = dates.iso_day(parsed.value)
    return day + parsed.value.strftime(" %H:%M") if parsed.has_time else day
