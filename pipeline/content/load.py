"""Files → sources: decode, split front matter, map Chinese aliases to canonical keys.

Loading never raises on bad input: a file it cannot read becomes a Source with
diagnostics and no metadata, so validation can report every file at once.
"""

from __future__ import annotations

import codecs
import functools
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..core.cache import stat_stamp
from ..core.diagnostics import Diagnostic, diag
from ..core.hashing import sha256
from ..core.yamltree import Tree, YamlProblem, parse
from . import aliases

MAX_FILE_BYTES = 2 * 1024 * 1024
CONFIG_FILES = ("site.yaml", "orgs.yaml", "links.yaml", "calendar.yaml", "publish.yaml")
MARKDOWN_SUFFIXES = {".md", ".markdown"}
YAML_SUFFIXES = {".yaml", ".yml"}
SKIPPED_DIRS = {"media"}

_FENCE = re.compile(r"^(---|\.\.\.)\s*$")
_FULLWIDTH_KEY = re.compile(r"^\s*(?:-\s+)?[^\s:#'\"][^:]*?[：]")
# Only a key line: block text (正文) legitimately starts paragraphs with full-width spaces.
_FULLWIDTH_INDENTED_KEY = re.compile(r"^[ \t]*\u3000[\u3000 ]*(?:-\s+)?[\w\u4e00-\u9fff]{1,20}[ \u3000]*:(?:\s|$)")
_UNICODE_SPACES = "\u3000\u00a0\u2002\u2003\u2009\ufeff"
_UTF16_BOMS = ((b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
_BINARY_KINDS = (
    (b"PK\x03\x04", " Word 文档或压缩包（.docx/.zip）"),
    (b"\xd0\xcf\x11\xe0", " 旧版 Word/Excel 文档（.doc/.xls）"),
    (b"%PDF", " PDF 文件"),
    (b"\x89PNG", " PNG 图片"),
    (b"\xff\xd8\xff", " JPEG 图片"),
)
_KEY_TRANSLATION = str.maketrans(dict.fromkeys(_UNICODE_SPACES + "“”‘’「」"))


@dataclass
class Source:
    """One submission file as read, before validation."""

    path: Path
    rel: str
    meta: dict = field(default_factory=dict)
    tree: Tree = field(default_factory=lambda: Tree({}))
    body: str = ""
    body_line: int = 1
    is_markdown: bool = True
    diagnostics: list[Diagnostic] = field(default_factory=list)
    digest: str = ""  # sha256 of the file's bytes: what caches and the page dependency record key on

    @property
    def readable(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)

    def line(self, *path) -> int:
        return self.tree.line(tuple(path))

    def without_lines(self) -> Source:
        """This source without its map of lines (and the cached strings): for a reader that reports
        nothing more about it. At N = 20,000 the map was a fifth of the time the build took to unpickle
        its documents."""
        return replace(self, tree=Tree(None))

    @property
    def strings(self) -> list[tuple[tuple, str]]:
        """(key path, text) of every string and number in the front matter: what the text checks read.

        Kept after the first call (as functools.cached_property would, without its lock: 3 µs a file)."""
        found = self.__dict__.get("_strings")
        if found is None:
            found = self.__dict__["_strings"] = strings(self.meta)
        return found


def strings(value, path: tuple = ()) -> list[tuple[tuple, str]]:
    """(key path, text) for every string or number in parsed YAML."""
    found: list[tuple[tuple, str]] = []
    _add_strings(value, path, found)
    return found


def _add_strings(value, path: tuple, found: list) -> None:
    if isinstance(value, str):  # most values
        found.append((path, value))
    elif isinstance(value, dict):
        for key, item in value.items():
            _add_strings(item, (*path, key), found)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _add_strings(item, (*path, index), found)
    elif isinstance(value, int) and not isinstance(value, bool):
        found.append((path, str(value)))


@dataclass
class Config:
    """A configuration file (site.yaml, orgs.yaml, links.yaml) as read."""

    path: Path
    rel: str
    tree: Tree = field(default_factory=lambda: Tree({}))
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def value(self):
        return self.tree.value


# ---------------------------------------------------------------- decoding


def decode(path: Path, rel: str, data: bytes | None = None) -> tuple[str | None, list[Diagnostic]]:
    """Read a text file as collectors save it: UTF-8 with or without BOM, GBK, any newline.

    data: the file's bytes when the caller has already read them."""
    try:
        size = path.stat().st_size if data is None else len(data)
        if size > MAX_FILE_BYTES:
            return None, [
                diag(rel, 1, "file-too-large", f"{rel} 有 {size // 1024} KB，超过上限 {MAX_FILE_BYTES // 1024} KB")
            ]
        data = path.read_bytes() if data is None else data
    except OSError as error:
        return None, [diag(rel, 1, "file-unreadable", f"无法读取 {rel}（{error.strerror}）")]
    for bom, codec in _UTF16_BOMS:
        if data.startswith(bom):
            return _decode_utf16(data, codec, rel)
    if data.find(b"\x00", 0, 8192) >= 0:
        kind = next((name for magic, name in _BINARY_KINDS if data.startswith(magic)), "二进制文件")
        return None, [diag(rel, 1, "file-unreadable", f"{rel} 实际是{kind}，不是文本")]
    diagnostics: list[Diagnostic] = []
    try:
        text = data[3:].decode() if data.startswith(codecs.BOM_UTF8) else data.decode()  # C's UTF-8 path
    except UnicodeDecodeError:
        text, diagnostics = _decode_legacy(data, rel)
        if text is None:
            return None, diagnostics
    return normalise_newlines(text), diagnostics


def _decode_utf16(data: bytes, codec: str, rel: str) -> tuple[str | None, list[Diagnostic]]:
    """Notepad's “Unicode” choice saves UTF-16 with a BOM."""
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None, [diag(rel, 1, "encoding-unknown", f"{rel} 以 UTF-16 标记开头，但内容无法按 UTF-16 读取")]
    return normalise_newlines(text), [
        diag(rel, 1, "encoding-converted", f"{rel} 是 UTF-16（记事本中的“Unicode”）编码，已转换为 UTF-8 读取")
    ]


def _decode_legacy(data: bytes, rel: str) -> tuple[str | None, list[Diagnostic]]:
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=["gb18030", "gbk", "gb2312", "big5", "utf_16"]).best()
    if best is None:
        return None, [diag(rel, 1, "encoding-unknown", f"{rel} 不是 UTF-8 文本，也无法识别为 GBK/GB18030")]
    encoding = best.encoding
    label = {"gb18030": "GB18030", "gbk": "GBK", "gb2312": "GB2312", "big5": "Big5"}.get(encoding, encoding)
    text = str(best)
    return text, [
        diag(
            rel,
            1,
            "encoding-converted",
            f"{rel} 是 {label} 编码（中文 Windows 记事本、WPS 的默认编码），已转换为 UTF-8 读取",
        )
    ]


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


# ---------------------------------------------------------------- key mapping


def submission_key(path: tuple, key: str) -> str:
    key = clean_key(key)
    if not path:
        return aliases.canonical_key(key, aliases.SUBMISSION_ALIASES)
    if path[0] == "persons" and len(path) == 2:
        return aliases.canonical_key(key, aliases.PERSON_ALIASES)
    if path[0] in ("period", "contact") and len(path) == 1:
        return aliases.canonical_key(key, aliases.NESTED_ALIASES)
    if len(path) == 2 and path[0] in aliases.RECORD_ALIASES:
        return aliases.canonical_key(key, aliases.RECORD_ALIASES[path[0]])
    return key


@functools.lru_cache(maxsize=4096)
def _mapped_key(path: tuple, key: str) -> tuple[str, bool]:
    """(submission_key, whether the key as written needed cleaning): a county's files share a few dozen keys."""
    return submission_key(path, key), clean_key(key) != key


def clean_key(key: str) -> str:
    """Forgive invisible differences: full-width spaces, NBSP, curly quotes around a key."""
    if key.isascii():
        return key.strip()
    return key.translate(_KEY_TRANSLATION).strip()


def _config_key(table: dict[str, str], list_key: str | None = None, item_table=None):
    def map_key(path: tuple, key: str) -> str:
        key = clean_key(key)
        if not path:
            return aliases.canonical_key(key, table)
        if item_table and len(path) == 2 and path[0] == list_key:
            return aliases.canonical_key(key, item_table)
        if path[-1] == "contact":
            return aliases.canonical_key(key, aliases.NESTED_ALIASES)
        return key

    return map_key


# ---------------------------------------------------------------- front matter


def split_front_matter(text: str) -> tuple[str | None, int, str, int] | None:
    """(front matter, its first line, body, body's first line); None if no opening fence.

    The front matter is None when the opening fence has no closing fence.
    """
    lines = text.split("\n")
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start >= len(lines) or not _FENCE.match(lines[start].replace("－", "-")):
        return None
    for index in range(start + 1, len(lines)):
        if _FENCE.match(lines[index]):
            front = "\n".join(lines[start + 1 : index])
            body = "\n".join(lines[index + 1 :])
            return front, start + 2, body, index + 2
    return (None, start + 1, "", _likely_body_line(lines, start + 1))


_YAMLISH = re.compile(r"^(?:\s|-\s|#|[^\s:：]{1,30}\s*[:：](?:\s|$))")


def _likely_body_line(lines: list[str], first: int) -> int:
    """1-based line where the body probably starts when the closing --- is missing."""
    for index in range(first, len(lines)):
        if lines[index].strip() and not _YAMLISH.match(lines[index]):
            return index + 1
    return len(lines) + 1


def precheck_yaml(text: str, rel: str, first_line: int) -> list[Diagnostic]:
    """Typos PyYAML reports badly: full-width colons and tab indentation (only run once parsing failed)."""
    found = []
    for number, line in enumerate(text.split("\n"), start=first_line):
        if line.startswith("\t") or re.match(r"^ *\t", line):
            found.append(diag(rel, number, "yaml-tab", f"第 {number} 行用 Tab 缩进"))
        elif ":" not in line.split("：", 1)[0] and _FULLWIDTH_KEY.match(line):
            key = line.split("：", 1)[0].strip().lstrip("- ")
            found.append(
                diag(
                    rel,
                    number,
                    "yaml-fullwidth",
                    f"第 {number} 行“{key}”后面用了全角冒号“：”",
                    f"改为“{key}: ”（英文冒号加空格）",
                )
            )
    return found


def fullwidth_indents(text: str, rel: str, first_line: int) -> list[Diagnostic]:
    """Full-width spaces as indentation: YAML reads them as part of the key, silently flattening nesting."""
    return [
        diag(
            rel,
            number,
            "yaml-fullwidth",
            f"第 {number} 行行首用了全角空格",
            "行首的缩进只用英文空格（输入法切换到半角后再输入空格）",
        )
        for number, line in enumerate(text.split("\n"), start=first_line)
        if _FULLWIDTH_INDENTED_KEY.match(line)
    ]


def _parse_yaml(text: str, rel: str, first_line: int, map_key) -> tuple[Tree | None, list[Diagnostic]]:
    """Parse; when PyYAML fails (or finds no mapping), name the collector's typo instead if we can."""
    indents = fullwidth_indents(text, rel, first_line)
    if indents:
        return None, indents
    try:
        tree = parse(text, first_line - 1, map_key)
    except YamlProblem as problem:
        return None, precheck_yaml(text, rel, first_line) or [
            diag(rel, problem.line, problem.code, problem.detail, problem.fix)
        ]
    if tree.value is not None and not isinstance(tree.value, dict):
        typos = precheck_yaml(text, rel, first_line)
        if typos:
            return None, typos
    return tree, []


# ---------------------------------------------------------------- public API


def load_source(path: Path, content_dir: Path, data: bytes | None = None, rel: str | None = None) -> Source:
    """One submission as read: `data` its bytes and `rel` its name below content/ when the caller knows them."""
    rel = rel or relative_name(path, content_dir)
    source = Source(path=path, rel=rel, is_markdown=path.suffix.lower() in MARKDOWN_SUFFIXES)
    text, source.diagnostics = decode(path, rel, data)
    if text is None:
        return source
    if source.is_markdown:
        split = split_front_matter(text)
        if split is None:
            source.diagnostics.append(diag(rel, 1, "front-matter-missing", f"{rel} 开头没有 --- 信息块"))
            return source
        front, front_line, source.body, source.body_line = split
        if front is None:
            body_line = source.body_line
            source.body_line = 1
            source.diagnostics.append(
                diag(
                    rel,
                    front_line,
                    "front-matter-unclosed",
                    f"第 {front_line} 行的 --- 信息块没有结束行",
                    f"在第 {body_line} 行（正文开始处）之前单独加一行 ---",
                )
            )
            return source
    else:
        front, front_line = text, 1
    forgiven: list[tuple[tuple, str]] = []

    def map_key(path: tuple, key: str) -> str:
        canonical, unclean = _mapped_key(path, key)
        if unclean:
            forgiven.append((path, key))
        return canonical

    tree, problems = _parse_yaml(front, rel, front_line, map_key)
    source.diagnostics.extend(problems)
    if tree is None:
        return source
    for path, key in forgiven:
        canonical = submission_key(path, key)
        source.diagnostics.append(
            diag(
                rel,
                tree.line(path + (canonical,)),
                "key-fullwidth",
                f"字段名“{key}”中有全角空格或中文引号，已按“{canonical}”读取",
                f"把这一行的字段名改为 {canonical}（或 {clean_key(key)}），不加引号和空格",
            )
        )
    source.tree = tree
    if tree.value is None:
        tree.value = {}
    if not isinstance(tree.value, dict):
        source.diagnostics.append(diag(rel, front_line, "not-a-mapping", f"{rel} 的信息块不是“键: 值”形式"))
        tree.value = {}
    tree.lines.setdefault((), front_line)
    source.meta = tree.value
    if not source.is_markdown and isinstance(source.meta.get("body"), str):
        source.body = source.meta.pop("body")
        source.body_line = tree.line(("body",)) + 1
    return source


def load_config(
    path: Path,
    content_dir: Path,
    table: dict[str, str],
    list_key: str | None = None,
    item_table: dict[str, str] | None = None,
) -> Config:
    rel = relative_name(path, content_dir)
    config = Config(path=path, rel=rel)
    if not path.exists():
        return config
    text, config.diagnostics = decode(path, rel)
    if text is None:
        return config
    tree, problems = _parse_yaml(text, rel, 1, _config_key(table, list_key, item_table))
    config.diagnostics.extend(problems)
    if tree is not None:
        config.tree = tree
        if tree.value is None:
            tree.value = {}
    return config


def load_site_config(content_dir: Path) -> Config:
    return load_config(content_dir / "site.yaml", content_dir, aliases.SITE_ALIASES)


def load_orgs_config(content_dir: Path) -> Config:
    return load_config(content_dir / "orgs.yaml", content_dir, aliases.ORGS_LIST_ALIASES, "orgs", aliases.ORG_ALIASES)


def load_links_config(content_dir: Path) -> Config:
    return load_config(
        content_dir / "links.yaml", content_dir, aliases.LINKS_LIST_ALIASES, "links", aliases.LINK_ALIASES
    )


def submission_files(content_dir: Path, only: list[Path] | None = None) -> list[Path]:
    """Every submission file under content/, in a stable order."""
    return [Path(name) for name in submission_names(content_dir, only)]


@dataclass
class Listing:
    """content/ as one walk saw it, for a build or a whole validate: every file and folder with its stat (what
    makes a build the last build, site/unchanged.py, and a validate the last one, validate.report) and the
    submissions among them with theirs (what validate checks, without a second walk or stat per file)."""

    entries: list[tuple]  # (path below content/, (size, mtime, ctime, inode)), every file and folder, sorted
    submissions: list[str]  # as submission_names gives them
    stamps: dict[str, tuple]  # submission → (size, mtime, ctime, inode) (core/cache.FileDigests' stamp)
    # submission → its name below content/, for each that is no symlink (relative_name costs an lstat)
    relative: dict[str, str] = field(default_factory=dict)

    @functools.cached_property
    def digest(self) -> str:
        """Of every entry and its stat: equal for two walks only if nothing under content/ changed between."""
        return sha256(repr(self.entries).encode("utf-8", "surrogateescape"))


def listing(content_dir: Path) -> Listing:
    """One scandir per folder and one stat per entry (following symlinks, as validate reads files).

    Every folder is walked, hidden ones and media/ too (a changed video is a changed input); submissions are
    found as _submissions_under finds them: not in hidden, `_` or top-level media/ folders, nor in a symlinked
    folder."""
    entries, found, stamps, relative = [], [], {}, {}
    folders = [(str(content_dir), (), True)]
    while folders:
        folder, parts, may_hold = folders.pop()
        prefix = "".join(part + "/" for part in parts)
        try:
            with os.scandir(folder) as scanned:
                for entry in scanned:
                    try:
                        status = entry.stat()
                    except OSError:
                        continue
                    stamp = stat_stamp(status)
                    entries.append((prefix + entry.name, stamp))
                    if entry.is_dir():
                        holds = may_hold and not entry.is_symlink() and _folder_of_submissions(entry.name, parts)
                        folders.append((entry.path, (*parts, entry.name), holds))
                    elif may_hold and _submission_entry(entry, parts, content_dir):
                        found.append(((*parts, entry.name), entry.path))
                        stamps[entry.path] = stamp
                        if not entry.is_symlink():
                            relative[entry.path] = prefix + entry.name
        except OSError:
            continue
    submissions = [name for _, name in sorted(found, key=_path_order)]
    return Listing(sorted(entries), submissions, stamps, relative)


def submission_names(content_dir: Path, only: list[Path] | None = None) -> list[str]:
    """submission_files as strings, in the same order: at county scale making and sorting 20,000 Paths
    costs more than a no-change validate's whole check."""
    if only:
        files: list[Path] = []
        for target in only:
            files.extend(_walk(target) if target.is_dir() else [target])
        return [str(f) for f in sorted({f for f in files if _is_submission(f, content_dir)})]
    return [name for _, name in sorted(_submissions_under(content_dir), key=_path_order)]


def _walk(root: Path):
    for path in root.rglob("*"):
        if path.is_file():
            yield path


def _path_order(found: tuple[tuple[str, ...], str]):
    """The order sorted() gives the Paths: by their parts, without case on Windows (as pathlib compares)."""
    parts = found[0]
    return parts if os.name == "posix" else tuple(part.lower() for part in parts)


def _submissions_under(content_dir: Path):
    """(parts below content/, path) of the whole tree, in one scandir per folder, pruning hidden, `_` and
    media/ folders.

    Plain files are judged by name (no stat, no path resolution: pathlib's rglob, is_file and
    resolve cost ~0.5 s at county scale); symlinked files go through _is_submission like any path."""
    folders = [(str(content_dir), ())]
    while folders:
        folder, parts = folders.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            if _folder_of_submissions(entry.name, parts):
                                folders.append((entry.path, (*parts, entry.name)))
                        elif _submission_entry(entry, parts, content_dir):
                            yield (*parts, entry.name), entry.path
                    except OSError:
                        continue
        except OSError:
            continue


def _folder_of_submissions(name: str, parts: tuple) -> bool:
    return not _hidden(name) and not (not parts and name in SKIPPED_DIRS)


def _submission_entry(entry: os.DirEntry, parts: tuple, content_dir: Path) -> bool:
    """A file entry (not a folder) found below content/`parts`."""
    if entry.is_symlink():
        return entry.is_file() and _is_submission(Path(entry.path), content_dir)
    return entry.is_file() and _submission_name(entry.name, top_level=not parts)


def _hidden(name: str) -> bool:
    return name.startswith((".", "_"))


def _submission_name(name: str, top_level: bool) -> bool:
    if _hidden(name) or (top_level and name in CONFIG_FILES):
        return False
    suffix = os.path.splitext(name)[1].lower()
    return suffix in MARKDOWN_SUFFIXES or suffix in YAML_SUFFIXES


def _inside(path: Path, content_dir: Path) -> Path:
    """path relative to content/; resolving only symlinks (resolving every file costs a storm of lstat calls)."""
    root = _resolved(content_dir)
    if path.is_absolute() and not os.path.islink(path):
        name, prefix = str(path), _prefix(root)
        if name.startswith(prefix):
            return Path(name[len(prefix) :])
    return path.resolve().relative_to(root)


@functools.lru_cache(maxsize=64)
def _prefix(root: Path) -> str:
    return os.path.join(str(root), "")


@functools.lru_cache(maxsize=64)
def _resolved(directory: Path) -> Path:
    return directory.resolve()


def _is_submission(path: Path, content_dir: Path) -> bool:
    try:
        parts = _inside(path, content_dir).parts
    except ValueError:
        parts = path.parts
    if any(_hidden(p) for p in parts) or (len(parts) > 1 and parts[0] in SKIPPED_DIRS):
        return False
    if len(parts) == 1 and parts[0] in CONFIG_FILES:
        return False
    suffix = path.suffix.lower()
    return suffix in MARKDOWN_SUFFIXES or suffix in YAML_SUFFIXES


def relative_name(path: Path, content_dir: Path) -> str:
    try:
        return _inside(path, content_dir).as_posix()
    except ValueError:
        return path.as_posix()


def load_sources(content_dir: Path, only: list[Path] | None = None) -> list[Source]:
    return [load_source(path, content_dir) for path in submission_files(content_dir, only)]
