"""Collectors' inbox → content/: normalise, validate, file, and never lose a submission.

What collectors drop into INBOX (optionally in a folder named after their org code,
INBOX/<org>/...): Markdown, YAML, plain text (first line = title), Word .docx, images.
Each submission is either filed as content/<org>/<year>/<slug>.md (source moved to
INBOX/done/) or refused (moved to INBOX/rejected/ with a Chinese `<name>.txt` reason).
INBOX/ingest-log.jsonl records every decision, one JSON line per source file.

Crash safety: a submission goes through
  1. plan    – staged output in INBOX/.ingest-work/<id>/ (invisible to content/),
  2. commit  – INBOX/.ingest-work/<id>/decision.json written atomically,
  3. apply   – outputs copied into content/ (temp + fsync + rename), sources renamed
               into done/ or rejected/, the log line appended, the work folder removed.
A run first rolls every committed decision forward (apply is idempotent) and deletes
uncommitted work, so SIGKILL at any point leaves each submission in the inbox, in
done/ plus content/, or in rejected/.
"""

from __future__ import annotations

import fcntl
import html
import io
import json
import os
import posixpath
import re
import shutil
import signal
import tempfile
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote

import yaml

from . import dates, load, validate
from .bundle import sha256_file
from .diagnostics import Diagnostic

DONE = "done"
REJECTED = "rejected"
WORK = ".ingest-work"
LOG_NAME = "ingest-log.jsonl"
TEXT_SUFFIXES = {".md", ".markdown", ".yaml", ".yml", ".txt"}
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif"}
SUPPORTED = TEXT_SUFFIXES | IMAGE_SUFFIXES | {".docx"}
MAX_DOCX_BYTES = 30 * 1024 * 1024
MAX_IMAGE_BYTES = 30 * 1024 * 1024
MAX_IMAGE_PIXELS = 60_000_000
WEB_IMAGE_EDGE = 1600
DATE_KEYS = ("date", "approved_on", "received", "reply_date")
# Crash tests: slow every step down (seconds), or SIGKILL ourselves at the N-th step boundary.
STEP_DELAY_ENV = "HONGWANG_INGEST_STEP_DELAY"
KILL_AT_STEP_ENV = "HONGWANG_INGEST_KILL_AT_STEP"
_steps_taken = 0

_IMAGE_REF = re.compile(
    r"(?P<pre>!\[[^\]]*\]\(\s*)(?:<(?P<angled>[^>\n]+)>|(?P<plain>[^)\s]+))(?P<post>\s*(?:\"[^\"]*\")?\s*\))"
    r"|(?P<ipre><img\b[^>]*?\bsrc\s*=\s*[\"'])(?P<isrc>[^\"']+)(?P<ipost>[\"'])", re.IGNORECASE)
_BLOCK_END = re.compile(r"(</(?:p|h[1-6]|table|ul|ol|blockquote)>)(?=<)")
_FIRST_BLOCK = re.compile(r"\s*<(h[1-6]|p)\b[^>]*>(.*?)</\1>", re.DOTALL)
_UNSUPPORTED_HINTS = {
    ".doc": "请在 Word 中“另存为”Word 文档（.docx）后重新提交",
    ".wps": "请在 WPS 中“另存为”Word 文档（.docx）后重新提交",
    ".pdf": "PDF 无法转为网页正文，请提交 Word 文档（.docx）或文本文件",
    ".svg": "SVG 图片可能含有脚本，请另存为 PNG 或 JPG",
}


class IngestProblem(Exception):
    """The inbox or content folder cannot be used at all (a usage error, not a submission's fault)."""


@dataclass
class Decision:
    """What happens to one submission (a text/Word file and the images it references, or one image)."""

    id: str
    sources: list[str]  # inbox-relative
    accepted: bool
    org: str = ""
    collector: str = ""
    destination: str = ""  # content-relative main file, or inbox-relative reason file
    outputs: dict[str, str] = field(default_factory=dict)  # content-relative dest → staged name
    inbox_outputs: dict[str, str] = field(default_factory=dict)  # inbox-relative dest (reasons) → staged name
    moves: dict[str, str] = field(default_factory=dict)  # inbox-relative source → inbox-relative target
    hashes: dict[str, str] = field(default_factory=dict)  # inbox-relative source → sha256
    reason: str = ""
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return self.__dict__.copy()


@dataclass
class Report:
    decisions: list[Decision] = field(default_factory=list)
    recovered: int = 0

    @property
    def accepted(self) -> list[Decision]:
        return [d for d in self.decisions if d.accepted]

    @property
    def rejected(self) -> list[Decision]:
        return [d for d in self.decisions if not d.accepted]


# ---------------------------------------------------------------- durable file operations

def _pause() -> None:
    """A step boundary: where the crash tests make ingest slow, or kill it."""
    global _steps_taken
    _steps_taken += 1
    if os.environ.get(KILL_AT_STEP_ENV) == str(_steps_taken):
        os.kill(os.getpid(), signal.SIGKILL)
    delay = os.environ.get(STEP_DELAY_ENV)
    if delay:
        time.sleep(float(delay))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes) -> None:
    """Write data so that path holds either its old content or all of data, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o644)  # mkstemp's 0600 would follow the file to the web server
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        _pause()
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _append_log(log: Path, records: list[dict]) -> None:
    log.parent.mkdir(parents=True, exist_ok=True)
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")
    fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        if os.fstat(fd).st_size and _last_byte(log) != b"\n":
            os.write(fd, b"\n")  # a line cut short by a crash stays on its own line
        os.write(fd, lines)
        os.fsync(fd)
    finally:
        os.close(fd)


def _last_byte(path: Path) -> bytes:
    with path.open("rb") as handle:
        handle.seek(-1, os.SEEK_END)
        return handle.read(1)


def read_log(inbox: Path) -> list[dict]:
    """The audit log's records (a line cut short by a crash is skipped)."""
    log = inbox / LOG_NAME
    if not log.exists():
        return []
    records = []
    for line in log.read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return records


# ---------------------------------------------------------------- the run

@contextmanager
def _locked(work: Path):
    work.mkdir(parents=True, exist_ok=True)
    with (work / "lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IngestProblem(f"另一个 hongwang ingest 正在处理 {work.parent}，请等它结束") from None
        yield


def ingest(inbox: Path, content_dir: Path, dry_run: bool = False, now: datetime | None = None) -> Report:
    inbox, content_dir = Path(inbox).resolve(), Path(content_dir).resolve()
    _check_folders(inbox, content_dir)
    config = validate.validate_config(content_dir)
    if config.errors:
        first = config.errors[0]
        raise IngestProblem(f"网站配置有错误（{first.file} 第 {first.line} 行：{first.message}），请先运行 hongwang validate")
    now = now or dates.now()
    report = Report()
    if dry_run:
        with tempfile.TemporaryDirectory(prefix="hongwang-ingest-") as scratch:
            _plan_all(inbox, content_dir, Path(scratch), config, now, report)
        return report
    work = inbox / WORK
    with _locked(work):
        report.recovered = recover(inbox, content_dir)
        _plan_all(inbox, content_dir, work, config, now, report, commit=True)
    return report


def _check_folders(inbox: Path, content_dir: Path) -> None:
    if not inbox.is_dir():
        raise IngestProblem(f"找不到收件文件夹 {inbox}")
    if not (content_dir / "site.yaml").is_file():
        raise IngestProblem(f"{content_dir} 不是内容目录（缺少 site.yaml），请用 --content 指定")
    if inbox == content_dir or content_dir in inbox.parents or inbox in content_dir.parents:
        raise IngestProblem("收件文件夹和内容目录不能互相包含，请把收件文件夹放在 content/ 之外")


def _plan_all(inbox: Path, content_dir: Path, work: Path, config: validate.Validation, now: datetime,
              report: Report, commit: bool = False) -> None:
    planner = _Planner(inbox, content_dir, work, config, now)
    for unit in submission_units(inbox):
        decision = planner.plan(unit)
        _pause()
        report.decisions.append(decision)
        if commit:
            _commit(work, decision)
            apply(inbox, content_dir, work, decision)


def submission_units(inbox: Path) -> list[list[Path]]:
    """Groups of files handled together: a text file with the images it references, or a lone file."""
    files = sorted(p for p in _inbox_files(inbox))
    by_resolved = {p.resolve(): p for p in files if not p.is_symlink()}
    claimed: set[Path] = set()
    units: list[list[Path]] = []
    for path in files:
        if path.suffix.lower() in {".md", ".markdown"} and not path.is_symlink():
            referenced = dict.fromkeys(by_resolved[r] for r in _referenced_images(path) if r in by_resolved)
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
    for match in _IMAGE_REF.finditer(text):
        target = unquote(_image_target(match))
        if "://" in target or target.startswith("/"):
            continue
        candidate = (folder / target).resolve()
        if candidate.parent == folder and candidate.suffix.lower() in IMAGE_SUFFIXES:
            found.append(candidate)
    return found


# ---------------------------------------------------------------- commit, apply, recover

def _commit(work: Path, decision: Decision) -> None:
    _pause()
    write_atomic(work / decision.id / "decision.json",
                 json.dumps(decision.as_json(), ensure_ascii=False, indent=1).encode("utf-8"))
    _pause()


def apply(inbox: Path, content_dir: Path, work: Path, decision: Decision, recovering: bool = False) -> None:
    """Carry out a committed decision. Idempotent: safe to repeat after a crash at any point."""
    staged = work / decision.id / "staged"
    for root, outputs in ((content_dir, decision.outputs), (inbox, decision.inbox_outputs)):
        for dest, name in outputs.items():
            source = staged / name
            if source.exists():  # gone only when a previous apply already finished with this folder
                write_atomic(root / dest, source.read_bytes())
            _pause()
    for rel, target_rel in decision.moves.items():
        source, target = inbox / rel, inbox / target_rel
        if source.exists() or source.is_symlink():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
            _fsync_dir(target.parent)
            _fsync_dir(source.parent)
        _pause()
    log = inbox / LOG_NAME
    # Only a decision a crash interrupted can already be in the log (reading it is O(log) per decision).
    if not (recovering and log.exists() and
            f'"id": "{decision.id}"' in log.read_text(encoding="utf-8", errors="replace")):
        _append_log(log, _log_records(decision))
    _pause()
    shutil.rmtree(work / decision.id, ignore_errors=True)


def recover(inbox: Path, content_dir: Path) -> int:
    """Finish every committed decision a crash interrupted; discard uncommitted work. Returns how many."""
    work = inbox / WORK
    finished = 0
    if not work.is_dir():
        return 0
    for folder in sorted(p for p in work.iterdir() if p.is_dir()):
        decision_file = folder / "decision.json"
        if decision_file.is_file():
            decision = Decision(**json.loads(decision_file.read_text(encoding="utf-8")))
            _remove_torn_writes(inbox, content_dir, decision)
            apply(inbox, content_dir, work, decision, recovering=True)
            finished += 1
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return finished


def _remove_torn_writes(inbox: Path, content_dir: Path, decision: Decision) -> None:
    """Temp files a crash left beside this decision's outputs (never read: load skips dot-files)."""
    for root, outputs in ((content_dir, decision.outputs), (inbox, decision.inbox_outputs)):
        for dest in outputs:
            target = root / dest
            for temp in target.parent.glob(f".{target.name}.*.part"):
                temp.unlink(missing_ok=True)


def _log_records(decision: Decision) -> list[dict]:
    stamp = dates.now().isoformat(timespec="seconds")
    return [{"time": stamp, "id": decision.id, "source": rel, "sha256": decision.hashes.get(rel, ""),
             "destination": decision.destination, "moved_to": decision.moves.get(rel, ""),
             "org": decision.org, "collector": decision.collector,
             "result": "accepted" if decision.accepted else "rejected",
             "warnings": len(decision.warnings)} for rel in decision.sources]


# ---------------------------------------------------------------- planning one submission

class _Refused(Exception):
    def __init__(self, lines: list[str]):
        super().__init__("\n".join(lines))
        self.lines = lines


class _Planner:
    def __init__(self, inbox: Path, content_dir: Path, work: Path, config: validate.Validation, now: datetime):
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
        decision = Decision(id=uuid.uuid4().hex[:16], sources=[p.relative_to(self.inbox).as_posix() for p in unit],
                            accepted=False)
        decision.hashes = {p.relative_to(self.inbox).as_posix(): sha256_file(p) for p in unit if not p.is_symlink()}
        staged = self.work / decision.id / "staged"
        staged.mkdir(parents=True, exist_ok=True)
        try:
            self._accept(unit, decision, staged)
        except _Refused as refused:
            self._refuse(decision, refused.lines, staged)
        except Exception as error:  # noqa: BLE001 - a broken file is refused, never a crash of the run
            self._refuse(decision, [f"{rel}: 无法处理这个文件（{type(error).__name__}）。请另存为 UTF-8 文本"
                                    f"或 .docx 后重新提交"], staged)
        return decision

    # --- refusing

    def _refuse(self, decision: Decision, lines: list[str], staged: Path) -> None:
        shutil.rmtree(staged, ignore_errors=True)
        staged.mkdir(parents=True, exist_ok=True)
        decision.accepted = False
        decision.outputs = {}
        main = decision.sources[0]
        decision.moves = {rel: self._free_name(f"{REJECTED}/{rel}") for rel in decision.sources}
        reason_rel = decision.moves[main] + ".txt"
        decision.destination = reason_rel
        decision.reason = "\n".join(lines)
        text = (f"退回原因：{main} 未能收录，请按以下提示修改后重新放入收件文件夹。\n\n"
                + "\n".join(f"- {line}" for line in lines) + "\n")
        (staged / "reason.txt").write_text(text, encoding="utf-8")
        decision.inbox_outputs = {reason_rel: "reason.txt"}

    def _free_name(self, rel: str) -> str:
        """rel, or rel with -2, -3 … before the suffix when that name is taken in the inbox."""
        candidate, counter = rel, 1
        while (self.inbox / candidate).exists() or (self.inbox / (candidate + ".txt")).exists() \
                or candidate in self.taken_names:
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
            raise _Refused([f"{rel}: 这是一个快捷方式（链接），不是文件本身。请把文件本身放入收件文件夹"])
        if suffix not in SUPPORTED:
            hint = _UNSUPPORTED_HINTS.get(suffix, "请提交 .md、.txt、.yaml、.docx 或 JPG/PNG 图片")
            raise _Refused([f"{rel}: 不支持 {suffix or '无扩展名'} 文件。{hint}"])
        folder_org = self._folder_org(main)
        if suffix in IMAGE_SUFFIXES:
            self._accept_media(main, rel, folder_org, decision, staged)
            return
        images = _Images()
        if suffix == ".docx":
            text, warnings = self._from_docx(main, rel, folder_org, images)
        elif suffix == ".txt":
            text, warnings = self._from_txt(main, rel, folder_org)
        else:
            text, warnings = self._decoded(main, rel)
            if suffix in {".yaml", ".yml"}:
                text = _yaml_to_markdown(text)
            for image in unit[1:]:
                images.add(image.name, _web_image(image, image.relative_to(self.inbox).as_posix()))
        line_offset = {".md": 0, ".markdown": 0, ".yaml": -1, ".yml": -1}.get(suffix)
        meta, body, diagnostics = self._check(text, rel, folder_org, line_offset)
        self._file(decision, meta, body, images, staged, warnings + diagnostics)

    def _folder_org(self, path: Path) -> str | None:
        parts = path.relative_to(self.inbox).parts
        return parts[0] if len(parts) > 1 and parts[0] in self.orgs else None

    def _decoded(self, path: Path, rel: str) -> tuple[str, list[str]]:
        text, found = load.decode(path, rel)
        if text is None:
            raise _Refused([_line(d, rel) for d in found])
        return text, [_line(d, rel) for d in found]

    def _from_txt(self, path: Path, rel: str, folder_org: str | None) -> tuple[str, list[str]]:
        text, warnings = self._decoded(path, rel)
        if load.split_front_matter(text) is not None:
            return text, warnings  # a .txt written like a Markdown submission
        lines = [line.strip() for line in text.split("\n")]
        title = next((line for line in lines if line), "")
        if not title:
            raise _Refused([f"{rel}: 文件是空的。第一行写标题，之后写正文"])
        body = "\n".join(lines[lines.index(title) + 1:]).strip()
        return self._generated(rel, folder_org, title, body), warnings

    def _from_docx(self, path: Path, rel: str, folder_org: str | None, images: "_Images") \
            -> tuple[str, list[str]]:
        import mammoth

        if path.stat().st_size > MAX_DOCX_BYTES:
            raise _Refused([f"{rel}: Word 文档超过 {MAX_DOCX_BYTES >> 20} MB，请压缩图片或拆分后提交"])

        def save_image(image):
            with image.open() as stream:
                data = _web_image_bytes(stream.read(), f"{rel} 中的图片")
            return {"src": images.add(f"tu-{len(images.files) + 1}", data)}

        with path.open("rb") as handle:
            try:
                # HTML, not mammoth's Markdown: that flattens Word tables, which notices rely on.
                result = mammoth.convert_to_html(handle, convert_image=mammoth.images.img_element(save_image))
            except _Refused:
                raise
            except Exception:  # noqa: BLE001 - mammoth raises many kinds on a damaged file
                raise _Refused([f"{rel}: 无法读取这个 Word 文档（可能已损坏或不是 .docx）。请在 Word 中另存为 .docx 后重新提交"]) \
                    from None
        html_body = _separate_blocks(result.value)
        first = _FIRST_BLOCK.match(html_body)
        title = html.unescape(re.sub(r"<[^>]+>", "", first.group(2))).strip() if first else ""
        if not title:
            raise _Refused([f"{rel}: Word 文档第一段不是标题。第一段写标题（不要放图片或表格），之后写正文"])
        return self._generated(rel, folder_org, title, html_body[first.end():].strip()), []

    def _generated(self, rel: str, folder_org: str | None, title: str, body: str) -> str:
        if not folder_org:
            codes = "、".join(list(self.orgs)[:8])
            raise _Refused([f"{rel}: 不知道这篇稿件属于哪个单位。请把文件放进以单位代码命名的文件夹，"
                            f"例如 收件文件夹/dz/{Path(rel).name}（单位代码见 orgs.yaml：{codes}……）"])
        category = next((c.name for c in self.config.site.categories if c.kind == "news"),
                        self.config.site.categories[0].name if self.config.site.categories else "")
        meta = {"title": title, "date": dates.iso_day(self.now), "org": folder_org, "category": category}
        return _markdown_text(meta, body)

    def _check(self, text: str, rel: str, folder_org: str | None, line_offset: int | None) \
            -> tuple[dict, str, list[str]]:
        """Validate as written (lines match the collector's file), then the canonical form."""
        scratch = self.work / f"check-{uuid.uuid4().hex[:8]}"
        try:
            source = self._load_staged(scratch, text, rel)
            if folder_org and source.readable and "org" not in source.meta:
                source.meta["org"] = folder_org
            if isinstance(source.meta.get("body"), str):  # a YAML submission's 正文
                source.body = source.meta.pop("body")
            document, found = validate.check_source(source, self.config.site, self.orgs)
            errors = [d for d in found if d.is_error]
            if errors:
                raise _Refused([_line(d, rel, line_offset) for d in errors])
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

    def _file(self, decision: Decision, meta: dict, body: str, images: "_Images", staged: Path,
              warnings: list[str]) -> None:
        org = str(meta.get("org"))
        kind = validate.aliases.canonical_value("kind", meta.get("kind")) or "article"
        parsed = dates.parse(meta.get("date") or meta.get("received") or "")
        year = parsed.value.year if parsed else self.now.year
        slug = self._free_slug(kind, str(meta.get("slug") or "") or
                               validate.default_slug("", str(meta.get("title", ""))), org, year)
        meta["slug"] = slug
        folder = f"{org}/{year}"
        for original, name in images.names.items():
            body = _rewrite_image_refs(body, original, f"{slug}/{name}")
        text = _markdown_text(meta, body)
        main_dest = f"{folder}/{slug}.md"
        self._recheck(text, main_dest, staged, images)
        decision.outputs = {}
        for index, (name, data) in enumerate(images.files.items()):  # images first: the page never shows a gap
            (staged / f"image-{index}").write_bytes(data)
            decision.outputs[f"{folder}/{slug}/{name}"] = f"image-{index}"
        (staged / "main.md").write_text(text, encoding="utf-8")
        decision.outputs[main_dest] = "main.md"
        decision.accepted = True
        decision.org = org
        decision.collector = str(meta.get("collector") or "")
        decision.destination = main_dest
        decision.warnings = warnings
        decision.moves = {rel: self._free_name(f"{DONE}/{rel}") for rel in decision.sources}

    def _recheck(self, text: str, dest: str, staged: Path, images: "_Images") -> None:
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
            raise _Refused([_line(d, dest, 0) for d in errors])

    def _free_slug(self, kind: str, slug: str, org: str, year: int) -> str:
        slug = slug if validate.SLUG.match(slug) else "item"
        candidate, counter = slug, 1
        while (kind, candidate) in self.taken_slugs or (self.content_dir / org / str(year) / f"{candidate}.md").exists():
            counter += 1
            candidate = f"{slug}-{counter}"
        self.taken_slugs.add((kind, candidate))
        return candidate

    def _accept_media(self, path: Path, rel: str, folder_org: str | None, decision: Decision, staged: Path) -> None:
        if not folder_org:
            raise _Refused([f"{rel}: 单独提交的图片要放进以单位代码命名的文件夹，例如 收件文件夹/dz/{path.name}"])
        data = _web_image(path, rel)
        stem = validate.default_slug(path.stem, path.stem)
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


# ---------------------------------------------------------------- conversions

class _Images:
    """Web-ready images of one submission under safe file names, and how the body referred to them."""

    def __init__(self):
        self.files: dict[str, bytes] = {}  # safe name → bytes
        self.names: dict[str, str] = {}  # name as the body writes it → safe name

    def add(self, original: str, data: bytes) -> str:
        suffix = ".png" if data.startswith(b"\x89PNG") else ".gif" if data.startswith(b"GIF8") else ".jpg"
        stem = validate.default_slug(Path(original).stem, Path(original).stem)
        name, counter = stem + suffix, 1
        while name in self.files:
            counter += 1
            name = f"{stem}-{counter}{suffix}"
        self.files[name] = data
        self.names[original] = name
        self.names[name] = name
        return name


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
        result["period"] = {k: _standard_date(v) if k in ("start", "end") else v
                            for k, v in result["period"].items()}
    return result


def _standard_date(raw):
    parsed = dates.parse(raw)
    if parsed is None:
        return raw
    day = dates.iso_day(parsed.value)
    return day + parsed.value.strftime(" %H:%M") if parsed.has_time else day


def _markdown_text(meta: dict, body: str) -> str:
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, default_flow_style=False, width=4096)
    return f"---\n{front}---\n\n{body.strip()}\n"


def _yaml_to_markdown(text: str) -> str:
    """A pure-YAML submission becomes front matter; its `body:` (正文) is left for load to lift out."""
    return f"---\n{text.rstrip()}\n---\n"


def _separate_blocks(html_text: str) -> str:
    """A blank line between top-level blocks (none inside tables), so the file reads paragraph by paragraph."""
    pieces, last, depth = [], 0, 0
    for match in _BLOCK_END.finditer(html_text):
        segment = html_text[last:match.end()]
        depth += len(re.findall(r"<table\b", segment)) - segment.count("</table>")
        pieces.append(segment + ("\n\n" if depth == 0 else ""))
        last = match.end()
    pieces.append(html_text[last:])
    return "".join(pieces).strip()


def _image_target(match: re.Match) -> str:
    return match.group("angled") or match.group("plain") or match.group("isrc") or ""


def _rewrite_image_refs(body: str, old: str, new: str) -> str:
    def swap(match):
        if posixpath.basename(unquote(_image_target(match))) != old:
            return match.group(0)
        if match.group("pre"):
            return match.group("pre") + new + match.group("post")
        return match.group("ipre") + new + match.group("ipost")

    return _IMAGE_REF.sub(swap, body)


def _web_image(path: Path, rel: str) -> bytes:
    if path.is_symlink():
        raise _Refused([f"{rel}: 这是一个快捷方式（链接），不是图片本身"])
    if path.stat().st_size > MAX_IMAGE_BYTES:
        raise _Refused([f"{rel}: 图片超过 {MAX_IMAGE_BYTES >> 20} MB，请缩小后提交"])
    return _web_image_bytes(path.read_bytes(), rel)


def _web_image_bytes(data: bytes, label: str) -> bytes:
    """Resized to at most WEB_IMAGE_EDGE pixels, turned upright, and without EXIF (no GPS location)."""
    from PIL import Image, ImageOps

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as original:
            image_format = original.format
            if image_format == "GIF":
                original.verify()
                return data  # GIF carries no EXIF; re-encoding would drop its animation
            image = ImageOps.exif_transpose(original)
            image.thumbnail((WEB_IMAGE_EDGE, WEB_IMAGE_EDGE))
            output = io.BytesIO()
            if image_format == "PNG" or image.mode in ("RGBA", "LA", "P"):
                image.save(output, "PNG", optimize=True)
            else:
                image.convert("RGB").save(output, "JPEG", quality=85, optimize=True)
            return output.getvalue()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _Refused([f"{label}: 图片像素过多，请缩小后提交"]) from None
    except (OSError, SyntaxError, ValueError):
        raise _Refused([f"{label}: 不是可以打开的图片文件，请另存为 JPG 或 PNG 后提交"]) from None
