"""Post-build step: the Pagefind full-text index, and what each page tells Pagefind.

Chinese needs Pagefind's *extended* binary (`pagefind-bin-extended`): it segments
Chinese words at index time; the standard binary finds nothing for a Chinese
query. Pages declare `lang="zh-CN"`. Only content pages (articles, notices,
letters, pages, statistics, the first page of each org) carry
`data-pagefind-body`, so lists, navigation and footers never enter the index.

`index(output_dir)` is the one call the build and the benchmark make.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from ..core import dates

BUNDLE = "pagefind"
NEXT_BUNDLE = ".pagefind-next"  # Pagefind writes here; swapped in when it succeeds
OLD_BUNDLE = ".pagefind-old"
UI_SUFFIXES = (".js", ".css")


SECTION_PAGES = {
    "video": ("视频", "video", "党员电教"),
    "quiz": ("测试", "quiz", "学习测试"),
    "interview": ("访谈", "interview", "在线访谈"),
    "alert": ("紧急发布", "alert", "紧急发布"),
}


class SearchIndexError(RuntimeError):
    """Pagefind is missing or failed."""


@dataclass(frozen=True)
class Facets:
    """The filters and metadata a content page carries for Pagefind (Chinese names: the UI shows them)."""

    kind: str  # 类型
    title: str
    org: str | None = None  # 单位
    section: str | None = None  # 栏目
    year: int | None = None  # 年份
    date: str | None = None  # ISO, for sorting
    date_label: str | None = None  # 2026年11月23日, shown under each result


@dataclass
class SearchStats:
    pages: int
    seconds: float
    index_bytes: int  # the index proper: fragments, index chunks, metadata, wasm
    bundle_bytes: int  # everything under output/pagefind/, UI scripts included
    files: int

    def as_dict(self) -> dict:
        return {
            "pages": self.pages,
            "seconds": round(self.seconds, 3),
            "index_bytes": self.index_bytes,
            "bundle_bytes": self.bundle_bytes,
            "files": self.files,
        }


def facets(template: str, variables: dict, pager=None) -> Facets | None:
    """What a page contributes to search, or None for pages that are not indexed."""
    if template == "article":
        item = variables["article"]
        return _item_facets("文章", item, item.category.name if item.category else None)
    if template == "notice":
        item = variables["notice"]
        return _item_facets("公示", item, "公示公告")
    if template == "letter":
        return _item_facets("来信", variables["letter"], "回音壁")
    if template == "page":
        return _item_facets("页面", variables["doc"], None)
    if template == "stats":
        return _item_facets("统计", variables["table"], "数据统计")
    if template in SECTION_PAGES:  # 党员电教 (with its transcript), 学习测试, 在线访谈 (with its record), 紧急发布
        kind, variable, section = SECTION_PAGES[template]
        return _item_facets(kind, variables[variable], section)
    if template == "org" and (pager is None or pager.number == 1):
        org = variables["org"]
        return Facets("单位", org.name, org=org.short_name)
    return None


def _item_facets(kind: str, item, section: str | None) -> Facets:
    return Facets(
        kind,
        item.title,
        org=item.org.short_name if item.org else None,
        section=section,
        year=item.year,
        date=dates.iso_day(item.date) if item.date else None,
        date_label=dates.cn_date(item.date) if item.date else None,
    )


def executable() -> Path:
    try:
        import pagefind_bin_extended

        return Path(pagefind_bin_extended.get_executable())
    except (ImportError, FileNotFoundError) as error:
        raise SearchIndexError(
            "找不到 Pagefind 中文搜索索引程序（pagefind-bin-extended），请在网站目录运行 make install 重新安装"
        ) from error


def index(output_dir: Path) -> SearchStats:
    """Index the built site in place; the bundle goes to output/pagefind/."""
    return start(output_dir).finish()


class Indexing:
    """A running Pagefind. It reads only the HTML pages, so the build writes feeds and the sitemap meanwhile
    (Pagefind keeps about one core busy; the other one is free).

    The new bundle is written beside the old one (`.pagefind-next/`) and swapped in when Pagefind
    succeeds: until then, and if it fails or is stopped, the site keeps its last search index."""

    def __init__(self, output_dir: Path):
        self.output_dir = Path(output_dir)
        self.bundle = self.output_dir / BUNDLE
        self.next = self.output_dir / NEXT_BUNDLE
        remove_leftovers(self.output_dir)
        command = [
            str(executable()),
            "--site",
            str(self.output_dir),
            "--output-subdir",
            NEXT_BUNDLE,
            "--keep-index-url",
            "--silent",
        ]
        self.started = time.perf_counter()
        self.stopped = False
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8", errors="replace"
        )

    def finish(self) -> SearchStats:
        """Wait for Pagefind, then put its bundle in place of the last one."""
        stdout, stderr = self.process.communicate()
        seconds = time.perf_counter() - self.started
        if self.stopped:
            raise SearchIndexError("搜索索引的更新已停止（内容又有改动）")
        if self.process.returncode != 0:
            detail = (stderr or stdout).strip().splitlines()
            raise SearchIndexError(
                "生成搜索索引失败（Pagefind）：" + (detail[-1] if detail else f"退出码 {self.process.returncode}")
            )
        self._swap()
        entry = json.loads((self.bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
        files = [p for p in self.bundle.rglob("*") if p.is_file()]
        return SearchStats(
            pages=sum(lang["page_count"] for lang in entry["languages"].values()),
            seconds=seconds,
            index_bytes=sum(p.stat().st_size for p in files if p.suffix not in UI_SUFFIXES),
            bundle_bytes=sum(p.stat().st_size for p in files),
            files=len(files),
        )

    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        """Kill Pagefind if it still runs; the last complete index stays in place. Safe from any thread."""
        self.stopped = True
        if self.process.poll() is None:
            self.process.kill()

    def _swap(self) -> None:
        old = self.output_dir / OLD_BUNDLE
        if self.bundle.exists():
            self.bundle.rename(old)
        self.next.rename(self.bundle)
        shutil.rmtree(old, ignore_errors=True)


def start(output_dir: Path) -> Indexing:
    return Indexing(output_dir)


def remove_leftovers(output_dir: Path) -> None:
    """A build killed part-way may leave a half-written or a replaced bundle; neither must be published."""
    for name in (NEXT_BUNDLE, OLD_BUNDLE):
        shutil.rmtree(Path(output_dir) / name, ignore_errors=True)
