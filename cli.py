"""The `hongwang` command line: parses arguments, calls pipeline/, renders results.

Exit codes: 0 success, 1 content errors, 2 usage or environment error.
No Python traceback ever reaches a collector: unexpected failures are reported
as one Chinese sentence with exit code 2.
"""

from __future__ import annotations

import functools
import gc
import json
import os
import sys
import threading
from contextlib import contextmanager
from datetime import datetime
from enum import Enum
from pathlib import Path

import typer

from .pipeline.content import jsonschema
from .pipeline.content import schema as content_schema
from .pipeline.content.config import validate_config
from .pipeline.content.validate import report as validation_report
from .pipeline.content.validate import validate as run_validate
from .pipeline.core import cache, dates
from .pipeline.core import diagnostics as diagnostics_module
from .pipeline.core import progress as progress_module
from .pipeline.core.units import human_bytes
from .pipeline.intake import scaffold
from .pipeline.report import LINK_RESULTS, LINK_RESULTS_FILE, LINK_STATE_DIR
from .pipeline.site.errors import BuildError

# The build, the portal model and the report are imported by the commands that use them: with them (and
# Markdown, Jinja) a no-change validate of a county spent a tenth of its time importing.

app = typer.Typer(
    help="红网：县级党建门户的内容检查、生成与发布工具。",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

DEFAULT_CONTENT = Path("content")
DEFAULT_OUTPUT = Path("output")


class OutputFormat(str, Enum):
    text = "text"
    json = "json"


class Layout(str, Enum):
    auto = "auto"
    pointer = "pointer"
    symlink = "symlink"


class Profile(str, Enum):
    public = "public"
    internal = "internal"


class UsageProblem(Exception):
    """Wrong arguments or environment: exit code 2."""


def guarded(command):
    """Turn every unexpected failure into a one-line Chinese message and exit code 2."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except typer.Exit:
            raise
        except (UsageProblem, BuildError) as problem:
            typer.echo(f"错误：{problem}", err=True)
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            typer.echo("已中断。", err=True)
            raise typer.Exit(2) from None
        except Exception as error:  # noqa: BLE001 - the promise is: never a traceback
            typer.echo(
                f"错误：程序内部出错（{type(error).__name__}: {error}）。请把这条信息发给网站维护人员。", err=True
            )
            raise typer.Exit(2) from None

    return wrapper


def content_dir_or_fail(content: Path) -> Path:
    if not content.is_dir():
        raise UsageProblem(f"找不到内容目录 {content}。请在网站目录中运行，或用 --content 指定内容目录")
    return content


# ---------------------------------------------------------------- progress on the terminal

# Seconds a run goes before its progress is drawn: a quicker run shows nothing at all. Tests set 0 to see
# progress on any build deterministically (and a large value to see that a quick run shows none).
PROGRESS_DELAY_ENV = "HONGWANG_PROGRESS_DELAY"
PROGRESS_DELAY = 2.0
QUIET_HELP = "不显示进度（在终端上运行超过 2 秒时，默认显示检查、生成页面等各阶段的进度）"


def progress_wanted(quiet: bool) -> bool:
    """Progress is for a person watching: stderr is a terminal (not piped, not a log file), not CI, not --quiet."""
    if quiet or os.environ.get("CI", "").strip().lower() not in ("", "0", "false"):
        return False
    if os.environ.get("TERM", "").lower() in ("dumb", "unknown"):  # cannot redraw a line in place
        return False
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced or closed
        return False


def progress_delay() -> float:
    try:
        return max(0.0, float(os.environ.get(PROGRESS_DELAY_ENV, PROGRESS_DELAY)))
    except ValueError:
        return PROGRESS_DELAY


# Held while a frame is drawn, and by the process while it forks workers (core/workers.py): a fork never
# copies a lock the drawing thread holds, in rich or in stderr's buffer, into a worker.
_drawing = threading.Lock()
_fork_hooks: list[bool] = []


def _after_fork_in_worker() -> None:
    _drawing.release()
    plain = getattr(sys.stderr, "rich_proxied_file", None)  # a worker writes to the terminal, not to the display
    if plain is not None:
        sys.stderr = plain


class TerminalProgress(progress_module.Progress):
    """The pipeline's stages (core/progress.py) as rich progress bars on stderr: one line per stage with its
    count and time. A thread of ours starts the display once the run has taken `delay` seconds (stages
    finished by then are drawn finished) and redraws it four times a second (rich's own refresh thread is
    off: see _drawing). stdout is left alone, so `--format json` stays clean; a line written to stderr
    meanwhile (a warning) is printed above the bars."""

    REDRAW = 0.25  # seconds

    def __init__(self, delay: float):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        if not _fork_hooks:
            os.register_at_fork(
                before=_drawing.acquire, after_in_parent=_drawing.release, after_in_child=_after_fork_in_worker
            )
            _fork_hooks.append(True)
        self.bars = Progress(
            TextColumn("{task.description}"),
            BarColumn(complete_style="cyan", finished_style="green"),  # clear in 16 colours too
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(file=sys.stderr),
            auto_refresh=False,
            redirect_stdout=False,
        )
        self.current = None  # the rich task of the stage in progress
        self.shown = False
        self.closed = threading.Event()
        if delay <= 0:  # at once, before the first stage (what the tests rely on)
            self._show()
        self.thread = threading.Thread(target=self._draw, args=(delay,), name="hongwang-progress", daemon=True)
        self.thread.start()

    def stage(self, name: str, total: int | None = None) -> None:
        if self.current is not None and self.bars.tasks[-1].description == name:
            if total is not None:
                self.bars.update(self.current, total=total)
            return
        self._finish_stage()
        self.current = self.bars.add_task(name, total=total)

    def advance(self, n: int = 1) -> None:
        if self.current is not None:
            self.bars.advance(self.current, n)

    def _finish_stage(self) -> None:
        """The stage in progress is over: its time stops; a count without a total becomes its total."""
        if self.current is None:
            return
        task = self.bars.tasks[-1]
        if task.total is None:
            self.bars.update(self.current, total=task.completed)
        self.bars.stop_task(self.current)
        self.current = None

    def _show(self) -> None:
        with _drawing:
            if not self.shown and not self.closed.is_set():
                self.shown = True
                self.bars.start()

    def _draw(self, delay: float) -> None:
        if self.closed.wait(delay):
            return  # the run ended first: nothing is drawn at all
        self._show()
        while not self.closed.wait(self.REDRAW):
            with _drawing:
                self.bars.refresh()

    def close(self) -> None:
        self.closed.set()
        self.thread.join()
        self._finish_stage()
        if self.shown:
            self.bars.stop()  # the last frame stays: each stage finished, with its count and time


@contextmanager
def terminal_progress(quiet: bool):
    """The progress object a command passes to the pipeline: drawn on the terminal, or QUIET."""
    if not progress_wanted(quiet):
        yield progress_module.QUIET
        return
    shown = TerminalProgress(progress_delay())
    try:
        yield shown
    finally:
        shown.close()


def render_diagnostics(found, output_format: OutputFormat, stream=None) -> None:
    if output_format is OutputFormat.json:
        typer.echo(json.dumps([d.as_dict() for d in found], ensure_ascii=False, indent=2))
        return
    for d in found:
        label = "错误" if d.is_error else "警告"
        typer.echo(f"{d.file}:{d.line}: {label} [{d.code}] {d.message}", err=stream == "err")


def summary_line(found) -> str:
    errors = diagnostics_module.count_errors(found)
    warnings = len(found) - errors
    files = len({d.file for d in found if d.is_error})
    if errors:
        return f"共 {errors} 个错误（涉及 {files} 个文件），{warnings} 个警告。请按提示修改后重新检查。"
    return f"检查通过：没有错误，{warnings} 个警告。"


@app.command()
@guarded
def validate(
    paths: list[Path] | None = typer.Argument(None, metavar="PATH", help="只检查这些文件或文件夹（默认检查全部内容）"),
    content: Path = typer.Option(DEFAULT_CONTENT, "--content", "-c", help="内容目录"),
    output_format: OutputFormat = typer.Option(OutputFormat.text, "--format", "-f", help="text 给人看，json 给程序用"),
    no_cache: bool = typer.Option(False, "--no-cache", help="不用缓存，逐个文件重新检查"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help=QUIET_HELP),
):
    """检查内容：必填字段、日期、单位代码、栏目、网址名等。有错误时退出码为 1。"""
    content = content_dir_or_fail(content)
    only = [resolve_inside(p, content) for p in paths] if paths else None
    store = cache.Store(None if no_cache else cache.default_folder(content))
    with terminal_progress(quiet) as progress:
        if only:
            diagnostics = run_validate(content, only, store=store, documents=False, progress=progress).diagnostics
        else:
            diagnostics = validation_report(content, store, progress=progress)
    render_diagnostics(diagnostics, output_format)
    if output_format is OutputFormat.text:
        typer.echo(summary_line(diagnostics))
    raise typer.Exit(1 if any(d.is_error for d in diagnostics) else 0)


def resolve_inside(path: Path, content: Path) -> Path:
    resolved = path.resolve()
    root = content.resolve()
    if resolved != root and root not in resolved.parents:
        raise UsageProblem(f"{path} 不在内容目录 {content} 中")
    if not resolved.exists():
        raise UsageProblem(f"找不到 {path}")
    return resolved


def parse_now(value: str | None) -> datetime | None:
    if value is None:
        return None
    parsed = dates.parse(value)
    if parsed is None:
        raise UsageProblem(f'--now 的日期“{value}”无法识别，请写成 2026-11-23 或 "2026-11-23 09:00"')
    return parsed.value


@app.command()
@guarded
def build(
    content: Path = typer.Option(DEFAULT_CONTENT, "--content", "-c", help="内容目录"),
    output: Path = typer.Option(DEFAULT_OUTPUT, "--output", "-o", help="输出目录"),
    profile: Profile = typer.Option(Profile.public, "--profile", help="public 对外网站；internal 含党内公开内容"),
    now: str | None = typer.Option(None, "--now", help="按这个时间生成（公示状态、定时发布），默认当前时间"),
    output_format: OutputFormat = typer.Option(OutputFormat.text, "--format", "-f"),
    no_cache: bool = typer.Option(False, "--no-cache", help="不用缓存（.hongwang-cache/），清空输出目录后全部重新生成"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help=QUIET_HELP),
):
    """先检查内容，再用 Pelican 生成网站到输出目录。有错误时不生成，退出码为 1。

    默认只重新生成内容有变化的页面：检查和渲染结果缓存在内容目录旁的 .hongwang-cache/ 中。"""
    from .pipeline.site.build import build as run_build

    content = content_dir_or_fail(content)
    with terminal_progress(quiet) as progress:
        result = run_build(
            content,
            output,
            profile.value,
            now=parse_now(now),
            cache_dir=False if no_cache else None,
            progress=progress,
        )
    if output_format is OutputFormat.json:
        typer.echo(json.dumps(build_report(result), ensure_ascii=False, indent=2))
        raise typer.Exit(0 if result.ok else 1)
    render_diagnostics(result.diagnostics, output_format)
    if not result.ok:
        typer.echo(summary_line(result.diagnostics))
        typer.echo("未生成网站：请先改正以上错误。")
        raise typer.Exit(1)
    counts = result.counts
    excluded = "，".join(
        f"{label} {counts.excluded.get(key, 0)} 篇"
        for key, label in (("draft", "草稿"), ("internal", "党内公开"), ("future", "定时发布"))
    )
    done = "内容与上次生成时相同，网站无需改动" if result.unchanged else f"本次重新生成页面 {result.pages_rendered} 个"
    typer.echo(
        f"已生成 {result.output_dir}：文章 {counts.articles} 篇，公示 {counts.notices} 个，"
        f"来信 {counts.letters} 件，单位 {counts.orgs} 个，共 {result.files_written} 个文件，"
        f"用时 {result.seconds:.1f} 秒（未发布：{excluded}；{done}）。"
    )
    if result.assets and result.assets.images:
        typer.echo(images_line(result.assets))
    typer.echo(discovery_line(result.post))
    for warning in result.warnings:
        typer.echo(f"警告：{warning}")
    typer.echo(f"用浏览器打开 {result.output_dir / 'index.html'}，或运行 hongwang serve 后访问 http://127.0.0.1:8000/")


def images_line(report) -> str:
    if not report.encoded:
        return f"图片 {report.images} 张：都没有变化，沿用上次压缩好的。"
    rest = "，其余沿用上次的" if report.images > report.encoded else ""
    return (
        f"图片 {report.images} 张：本次缩小并去除拍摄信息 {report.encoded} 张"
        f"（{report.bytes_in / 1048576:.1f} MB → {report.bytes_out / 1048576:.1f} MB，{report.seconds:.1f} 秒）{rest}。"
    )


def discovery_line(post) -> str:
    feeds = f"订阅源 {post.feeds.feeds} 个（RSS 与 Atom 各一份）" if post.feeds else "未生成订阅源"
    sitemap = f"网站地图 {post.sitemap.urls} 个网址" if post.sitemap and post.sitemap.urls else "未生成网站地图"
    search = post.search
    how = "重写" if search.whole else f"更新 {search.written} 个文件"
    return (
        f"{feeds}，{sitemap}，搜索索引 {search.documents} 篇（{how}；共 {search.files} 个文件 "
        f"{search.index_bytes / 1024:.0f} KB，{search.seconds:.1f} 秒）。"
    )


def build_report(result) -> dict:
    report = {
        "ok": result.ok,
        "output": str(result.output_dir),
        "diagnostics": [d.as_dict() for d in result.diagnostics],
    }
    if result.ok:
        counts = result.counts
        report.update(
            articles=counts.articles,
            notices=counts.notices,
            letters=counts.letters,
            orgs=counts.orgs,
            files=result.files_written,
            seconds=round(result.seconds, 3),
            stage_seconds={stage: round(spent, 3) for stage, spent in result.stage_seconds.items()},
            unchanged=result.unchanged,
            pages_rendered=result.pages_rendered,
            pages_deleted=result.pages_deleted,
            images={
                "count": result.assets.images if result.assets else 0,
                "encoded": result.assets.encoded if result.assets else 0,
                "seconds": round(result.assets.seconds, 3) if result.assets else 0,
            },
            excluded=dict(counts.excluded),
        )
        post = result.post
        report.update(
            site_url=post.site_url,
            warnings=result.warnings,
            feeds=post.feeds.files if post.feeds else [],
            sitemap_urls=post.sitemap.urls if post.sitemap else 0,
            search=post.search.as_dict() if post.search else None,
        )
    return report


@app.command()
@guarded
def serve(
    output: Path = typer.Option(DEFAULT_OUTPUT, "--output", "-o", "--site", help="要提供访问的网站目录"),
    bind: str = typer.Option("127.0.0.1", "--bind", "-b", help="监听地址；村级电脑对局域网提供访问时用 0.0.0.0"),
    port: int = typer.Option(8000, "--port", "-p"),
    watch: bool = typer.Option(False, "--watch", "-w", help="预览：先生成，内容或模板改动后自动重新生成"),
    content: Path = typer.Option(DEFAULT_CONTENT, "--content", "-c", help="内容目录（用于 --watch）"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="--watch 重新生成时不显示进度"),
):
    """在本机提供网站访问（默认 http://127.0.0.1:8000/）；也可服务解压的离线包或 sync 的目录。"""
    from .pipeline.deploy import serve as serving
    from .pipeline.deploy.releases import served_folder

    if watch:
        serve_and_watch(content_dir_or_fail(content), output, bind, port, quiet)
        return
    if not (served_folder(output) / "index.html").is_file():  # a publish or sync folder: `current` per request
        raise UsageProblem(f"{output} 中没有 index.html。请先运行 hongwang build")
    typer.echo(f"网站地址：http://{bind}:{port}/ （按 Ctrl+C 停止）")
    serving.serve(output, bind, port)


def serve_and_watch(content: Path, output: Path, bind: str, port: int, quiet: bool = False) -> None:
    from .pipeline.deploy import preview

    def report(result, problem):
        if problem:
            typer.echo(f"错误：{problem}（继续提供上一次生成的网页）", err=True)
        elif not result.ok:
            render_diagnostics(result.diagnostics, OutputFormat.text)
            typer.echo(summary_line(result.diagnostics) + " 未重新生成。")
        else:
            typer.echo(
                f"已重新生成：{result.files_written} 个文件，用时 {result.seconds:.1f} 秒（搜索索引已同步更新）。"
            )

    def ready(actual_port):
        typer.echo(
            f"网站地址：http://{bind}:{actual_port}/ （修改 {content} 或 theme/ 后自动重新生成；按 Ctrl+C 停止）"
        )

    try:
        preview.run(content, output, bind, port, report, ready, progress=lambda: terminal_progress(quiet))
    except KeyboardInterrupt:
        pass


NewType = Enum("NewType", {kind.key: kind.key for kind in scaffold.kinds()}, type=str)  # the kinds with a template


@app.command()
@guarded
def new(
    kind: NewType = typer.Argument(
        ..., metavar="TYPE", help=" | ".join(f"{k.key} {k.label}" for k in scaffold.kinds())
    ),
    org: str = typer.Option(..., "--org", help="发布单位代码（见 content/orgs.yaml）"),
    title: str = typer.Option("", "--title", help="标题（不写时文件先用临时名称，写好标题后按 validate 的提示改名）"),
    content: Path = typer.Option(DEFAULT_CONTENT, "--content", "-c", help="内容目录"),
):
    """按模板新建一篇内容，并显示文件位置。"""
    content = content_dir_or_fail(content)
    try:
        path = scaffold.create(content, kind.value, org, title, dates.now())
    except scaffold.ScaffoldError as problem:
        raise UsageProblem(str(problem)) from None
    typer.echo(f"已新建：{path}")
    typer.echo("请用记事本或其他编辑器打开，按提示填写后运行 hongwang validate 检查。")
    if path.name.startswith(content_schema.PROVISIONAL_PREFIX):
        typer.echo("文件名是临时的：写好标题并保存后，hongwang validate 会提示按标题改成什么文件名。")


@app.command()
@guarded
def schema(
    content: Path = typer.Option(
        DEFAULT_CONTENT,
        "--content",
        "-c",
        help="内容目录：其中的单位代码、栏目和公开类别列为可选值（目录不存在时不列）",
    ),
    output: Path | None = typer.Option(None, "--output", "-o", help="写入这个文件（默认打印）"),
):
    """打印稿件信息块的 JSON Schema，供 VS Code 等编辑器在输入时补全和检查字段（见 docs/collectors.md）。"""
    config = validate_config(content) if content.is_dir() else None
    text = json.dumps(jsonschema.build(config), ensure_ascii=False, indent=2) + "\n"
    if output is None:
        typer.echo(text, nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    typer.echo(f"已写入 {output}（{'含' if config else '不含'}本站的单位代码、栏目和公开类别）")


class ReportFormat(str, Enum):
    text = "text"
    json = "json"
    html = "html"


def parse_as_of(value: str | None) -> datetime:
    """A day means the end of that day: everything dated that day counts as published."""
    if value is None:
        return dates.now()
    parsed = dates.parse(value)
    if parsed is None:
        raise UsageProblem(f"--as-of 的日期“{value}”无法识别，请写成 2026-11-23")
    return parsed.value if parsed.has_time else parsed.value.replace(hour=23, minute=59, second=59)


# ---------------------------------------------------------------- publish, bundle, sync

DEFAULT_PUBLISH_CONFIG = Path("publish.yaml")


def refuse_unless_built(outcome) -> None:
    """Exit 1 with the validation report (or the refusal) when the release could not be built."""
    if outcome.build is not None and not outcome.build.ok:
        render_diagnostics(outcome.build.diagnostics, OutputFormat.text)
        typer.echo(summary_line(outcome.build.diagnostics))
        typer.echo("未发布：请先改正以上错误。线上网站保持不变。")
        raise typer.Exit(1)
    if outcome.refusal:
        typer.echo(f"错误：{outcome.refusal}", err=True)
        typer.echo("未发布：线上网站保持不变。")
        raise typer.Exit(1)


@app.command()
@guarded
def report(
    content: Path = typer.Option(DEFAULT_CONTENT, "--content", "-c", help="内容目录"),
    as_of: str | None = typer.Option(None, "--as-of", help="按这一天检查（默认今天），如 2026-11-23"),
    output_format: ReportFormat = typer.Option(
        ReportFormat.text, "--format", "-f", help="text 给人看，json 给程序用，html 生成网页"
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="写入这个文件（html 默认写入 hongwang-report.html）"
    ),
    links_results: Path = typer.Option(
        LINK_RESULTS,
        "--links-results",
        help="hongwang check-links 的结果文件（没有则不含链接检查）",
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help=QUIET_HELP),
):
    """按网站检查指标生成健康报告：栏目更新、首页、来信答复、公示、页脚标识、链接。有不合格项时退出码为 1。"""
    from .pipeline.report import inspect as site_report
    from .pipeline.report import render as report_render

    content = content_dir_or_fail(content)
    as_of_time = parse_as_of(as_of)
    with terminal_progress(quiet) as progress:
        result = site_report.from_content(content, as_of_time, links_results, progress)
    rendered = report_render.render(result, output_format.value)
    if output is None and output_format is ReportFormat.html:
        output = Path("hongwang-report.html")
    if output is None:
        typer.echo(rendered, nl=False)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(rendered, encoding="utf-8")
        typer.echo(f"报告已写入 {output}")
        typer.echo(site_report.summary(result))
    raise typer.Exit(0 if result.ok else 1)


@app.command("check-links")
@guarded
def check_links(
    output: Path = typer.Option(DEFAULT_OUTPUT, "--output", "-o", help="已生成的网站目录"),
    external: bool = typer.Option(False, "--external", help="同时检查友情链接和内容中的外部链接（需要联网）"),
    content: Path = typer.Option(DEFAULT_CONTENT, "--content", "-c", help="内容目录（--external 时读取外部链接）"),
    state_dir: Path = typer.Option(
        LINK_STATE_DIR, "--state-dir", help="检查结果和缓存的存放目录（hongwang report 从这里读取结果）"
    ),
    max_age: float = typer.Option(72, "--max-age", help="外部链接检查结果缓存多少小时内有效"),
    timeout: float = typer.Option(10, "--timeout", help="每次请求最多等待的秒数"),
    retries: int = typer.Option(2, "--retries", help="超时、连接失败或 5xx 时重试次数"),
    workers: int = typer.Option(8, "--workers", help="同时检查的外部链接数"),
):
    """检查网站中的失效链接：内部链接和图片等文件（离线），加 --external 时检查外部网站。有失效链接时退出码为 1。"""
    from .pipeline.report import linkcheck

    if not (output / "index.html").is_file():
        raise UsageProblem(f"{output} 中没有 index.html。请先运行 hongwang build")
    portal = None
    if external:
        from .pipeline.site.model import build as build_model

        validation = run_validate(content_dir_or_fail(content))
        portal = build_model(validation, "public", dates.now())
    result = linkcheck.run(
        output,
        state_dir,
        portal,
        max_age_hours=max_age,
        timeout=timeout,
        retries=max(0, retries),
        workers=max(1, workers),
    )
    for broken in result.internal.broken:
        typer.echo(f"{broken['page']}: 失效链接 {broken['ref']}（找不到这个文件）")
    for link in result.broken_external:
        typer.echo(f"{link['url']}: {link['error']}（出现在 {'、'.join(link['sources'])}）")
    for link in result.redirected:
        hops = " → ".join(f"{hop['status']} {hop['to']}" for hop in link["redirects"])
        typer.echo(f"{link['url']}: 已跳转 {hops}（建议改为最终地址）")
    line = (
        f"内部链接 {result.internal.references} 个（{result.internal.pages} 个文件），"
        f"失效 {len(result.internal.broken)} 个"
    )
    if result.external is not None:
        line += (
            f"；外部链接 {result.external['checked']} 个（其中 {result.external['from_cache']} 个用缓存），"
            f"失效 {len(result.broken_external)} 个，跳转 {len(result.redirected)} 个"
        )
    typer.echo(f"{line}。结果已写入 {state_dir / LINK_RESULTS_FILE}")
    raise typer.Exit(0 if result.ok else 1)


@app.command()
@guarded
def publish(
    target_name: str | None = typer.Option(None, "--target", "-t", help="publish.yaml 中的发布目标名称"),
    dry_run: bool = typer.Option(False, "--dry-run", help="只生成并检查，显示将要发布的内容，不改动线上网站"),
    rollback: bool = typer.Option(False, "--rollback", help="把 current 切回上一个版本（不重新生成）"),
    bundle_dir: Path | None = typer.Option(None, "--bundle", help="同时把这次发布打包成村级离线包，放到此目录"),
    config: Path = typer.Option(DEFAULT_PUBLISH_CONFIG, "--config", help="发布配置文件"),
    content: Path = typer.Option(DEFAULT_CONTENT, "--content", "-c", help="内容目录"),
    now: str | None = typer.Option(None, "--now", help="按这个时间生成，默认当前时间"),
    key: Path | None = typer.Option(None, "--key", help="签名私钥（默认用 publish.yaml 的 signing_key）"),
    output_format: OutputFormat = typer.Option(OutputFormat.text, "--format", "-f", help="text 给人看，json 给程序用"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help=QUIET_HELP),
):
    """用 publishconf.py 生成网站，签名，原子地发布到目标（新版本目录 + 切换 current），可回退。"""
    from .pipeline.deploy import config as publish_config
    from .pipeline.deploy import publish as publishing
    from .pipeline.deploy.manifest import ManifestError
    from .pipeline.deploy.releases import PublishError
    from .pipeline.deploy.signing import SigningError

    try:
        settings = publish_config.load_config(config)
        target = publish_config.choose_target(settings, target_name)
        target.on_wait = say_waiting
        if rollback:
            done = target.rollback()
            if output_format is OutputFormat.json:
                typer.echo(json.dumps(deployment_report(done, rollback=True), ensure_ascii=False, indent=2))
                return
            typer.echo(
                f"已回退 {target.name}（{target.describe()}）：current 从 {done.previous} 切换到 {done.release}。"
            )
            return
        content = content_dir_or_fail(content)
        signer = load_signer(key or settings.signing_key, content)
        build_time = parse_now(now)
        with terminal_progress(quiet) as progress:
            outcome = publishing.publish(
                content,
                target,
                dry_run=dry_run,
                now=build_time,
                bundle_dir=bundle_dir,
                signer=signer,
                progress=progress,
            )
    except (PublishError, ManifestError, SigningError) as problem:
        raise UsageProblem(str(problem)) from None
    if output_format is OutputFormat.json:
        typer.echo(json.dumps(publish_report(outcome), ensure_ascii=False, indent=2))
        raise typer.Exit(0 if outcome.ok else 1)
    refuse_unless_built(outcome)
    render_deployment(outcome)
    typer.echo(signature_line(outcome.signed_by))


def deployment_report(done, rollback: bool = False) -> dict:
    report = {
        "target": done.target.name,
        "where": done.target.describe(),
        "release": done.release,
        "previous": done.previous,
    }
    if rollback:
        return {"ok": True, "rollback": True, **report}
    return {
        **report,
        "files_copied": done.files_copied,
        "bytes_copied": done.bytes_copied,
        "bytes_sent": done.bytes_sent,
        "files_linked": done.files_linked,
        "removed": done.removed,
    }


def publish_report(outcome) -> dict:
    """`publish --format json`: what was (or, with --dry-run, would be) published, or why not."""
    built = outcome.build
    report = {
        "ok": outcome.ok,
        "dry_run": outcome.dry_run,
        "refusal": outcome.refusal or None,
        "diagnostics": [d.as_dict() for d in built.diagnostics] if built else [],
    }
    if not outcome.ok:
        return report
    manifest = outcome.manifest
    report.update(
        version=manifest.version,
        files=len(manifest.files),
        bytes=manifest.total_size,
        signed_by=outcome.signed_by or None,
        seconds={phase: round(value, 3) for phase, value in outcome.seconds.items()},
        build=build_report(outcome.build),
        deployment=deployment_report(outcome.deployment),
        bundle=(
            {"archive": str(outcome.bundle.archive), "sha256": outcome.bundle.sha256, "signed": outcome.bundle.signed}
            if outcome.bundle
            else None
        ),
    )
    return report


def say_waiting(message: str) -> None:
    typer.echo(message, err=True)


def load_signer(key: Path | None, content: Path):
    """The county's signing key, refused inside content/, output/ or a git work tree; None when none is set."""
    from .pipeline.deploy import signing

    if key is None:
        return None
    return signing.load_signer(key, [content, DEFAULT_OUTPUT])


def signature_line(signed_by: str) -> str:
    if signed_by:
        return f"已签名：密钥指纹 {signed_by}（村级电脑用 hongwang sync --trust 公钥 核对）。"
    return (
        "警告：未签名（publish.yaml 中没有 signing_key）：村级电脑无法核实这个版本来自县里。"
        "请运行 hongwang keys new 生成密钥，并在 publish.yaml 中写 signing_key。"
    )


def render_deployment(outcome) -> None:
    done, manifest = outcome.deployment, outcome.manifest
    size = human_bytes(manifest.total_size)
    if outcome.dry_run:
        typer.echo(
            f"试运行：将发布版本 {done.release} 到 {done.target.name}（{done.target.describe()}），"
            f"共 {len(manifest.files)} 个文件 {size}；当前线上版本：{done.previous or '无'}。"
        )
        typer.echo(
            f"其中需要复制 {done.files_copied} 个文件（{human_bytes(done.bytes_copied)}），"
            f"{done.files_linked} 个与线上相同{done.detail}。未改动线上网站。"
        )
        return
    typer.echo(
        f"已发布版本 {done.release} 到 {done.target.name}（{done.target.describe()}）：共 {len(manifest.files)} "
        f"个文件 {size}；传输 {done.files_copied} 个（{human_bytes(done.bytes_copied)}），"
        f"{done.files_linked} 个未变直接沿用。"
    )
    typer.echo(
        f"上一个版本：{done.previous or '无'}（可用 hongwang publish --rollback 回退）。"
        + (f"已清理旧版本：{'、'.join(done.removed)}。" if done.removed else "")
    )
    if outcome.bundle is not None:
        typer.echo(f"村级离线包：{outcome.bundle.archive}（校验文件 {outcome.bundle.checksum_file.name}）")


@app.command()
@guarded
def bundle(
    destination: Path = typer.Option(Path("dist"), "--output", "-o", help="离线包放到这个目录"),
    site: Path | None = typer.Option(None, "--site", help="打包一个已发布的版本目录（含 manifest.json），不重新生成"),
    content: Path = typer.Option(DEFAULT_CONTENT, "--content", "-c", help="内容目录"),
    now: str | None = typer.Option(None, "--now", help="按这个时间生成，默认当前时间"),
    key: Path | None = typer.Option(None, "--key", help="签名私钥（默认用 publish.yaml 的 signing_key）"),
    config: Path = typer.Option(DEFAULT_PUBLISH_CONFIG, "--config", help="发布配置文件（只读取其中的 signing_key）"),
    without_video: bool = typer.Option(
        False, "--without-video", help="轻量包：不含电教视频，视频页面从县里网站播放（以后 sync 时再下载视频）"
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help=QUIET_HELP),
):
    """生成村级离线包：网站 + 签名的 manifest.json（版本、生成时间、每个文件的 sha256 和大小）的 zip，外加 .sha256 校验文件。"""  # noqa: E501
    from .pipeline.deploy import bundle as bundling
    from .pipeline.deploy import config as publish_config
    from .pipeline.deploy import publish as publishing
    from .pipeline.deploy.manifest import ManifestError
    from .pipeline.deploy.releases import PublishError
    from .pipeline.deploy.signing import SigningError

    try:
        if key is None and config.is_file():
            key = publish_config.load_config(config).signing_key
        signer = load_signer(key, content)
        if site is not None:
            made = bundling.write_bundle(site, destination, signer, without_video)
        else:
            content, build_time = content_dir_or_fail(content), parse_now(now)
            with terminal_progress(quiet) as progress:
                outcome = publishing.make_bundle(
                    content, destination, build_time, signer, without_video, progress, say_waiting
                )
            refuse_unless_built(outcome)
            made = outcome.bundle
    except (ManifestError, PublishError, SigningError) as problem:
        raise UsageProblem(str(problem)) from None
    typer.echo(
        f"已生成离线包 {made.archive}：版本 {made.manifest.version}，{len(made.manifest.files)} 个文件 "
        f"{human_bytes(made.manifest.total_size)}；sha256 {made.sha256}（见 {made.checksum_file.name}）。"
    )
    if without_video:
        typer.echo(
            f"轻量包：未打包电教视频 {made.videos_left_out} 个（{human_bytes(made.video_bytes_left_out)}），"
            "视频页面从县里网站播放；运行 hongwang sync 时再下载到本机。"
        )
    if signer is not None or not made.signed:
        from .pipeline.deploy.signing import fingerprint

        typer.echo(signature_line(fingerprint(signer.public) if signer else ""))
    typer.echo(
        "村级电脑：解压后运行 hongwang serve --site 解压出的文件夹 --bind 0.0.0.0，"
        "或用 hongwang sync 从县里服务器更新。"
    )


@app.command()
@guarded
def sync(
    url: str = typer.Argument(
        ..., metavar="URL", help="县里网站的地址，例如 https://www.example.gov.cn/ （从中读取 manifest.json）"
    ),
    dest: Path = typer.Option(Path("village-site"), "--dest", "-d", help="本机网站目录（其中的 current 是当前版本）"),
    keep: int = typer.Option(3, "--keep", help="保留的版本数", min=2),
    retries: int = typer.Option(3, "--retries", help="每个文件下载失败或校验不符时的重试次数", min=1),
    trust: Path | None = typer.Option(
        None, "--trust", help="县里的公钥文件（county.pub）：第一次使用时记住，以后只接受它签名的新版本"
    ),
    layout: Layout = typer.Option(
        Layout.auto,
        "--layout",
        help="current 的形式：auto 沿用已有的（新目录在 Windows 上用指针文件，其他系统用符号链接），"
        "pointer 指针文件（不需要符号链接权限），symlink 符号链接",
    ),
):
    """村级电脑更新：核对县里的签名，只下载有变化的文件，逐个核对 sha256，全部正确后才原子切换到新版本。"""
    from .pipeline.deploy import sync as syncing

    try:
        report = syncing.sync(url, dest, keep=keep, retries=retries, trust=trust, layout=layout.value)
    except syncing.SyncError as problem:
        raise UsageProblem(f"{problem}。本机网站保持原样未切换") from None
    if report.signed_by:
        pinned = "，已记住这把密钥（以后只接受它或它认可的新密钥签名的版本）" if report.pinned else ""
        typer.echo(f"签名核对无误：县里密钥指纹 {report.signed_by}{pinned}。")
    else:
        typer.echo(
            "警告：没有核对签名（没有用 --trust 指定县里的公钥）：无法确认这个版本来自县里。"
            "请向县里网站维护人员要公钥 county.pub，运行 hongwang sync 网址 --trust county.pub。"
        )
    if report.up_to_date:
        typer.echo(
            f"已是最新版本 {report.version}：{report.files_total} 个文件全部核对无误"
            f"（下载 {human_bytes(report.bytes_downloaded)}）。"
        )
        return
    percent = 100 * report.bytes_downloaded / max(report.site_bytes, 1)
    typer.echo(
        f"已更新到版本 {report.version}（原版本 {report.previous or '无'}）：下载 {report.files_downloaded} 个文件、"
        f"共 {human_bytes(report.bytes_downloaded)}（网站总大小 {human_bytes(report.site_bytes)} 的 {percent:.1f}%），"
        f"沿用本机 {report.files_reused} 个文件；全部 sha256 核对无误。"
    )
    if report.retried:
        typer.echo(
            f"下载中发现 {len(report.retried)} 次损坏或不完整并已重新下载：{'、'.join(sorted(set(report.retried)))}。"
        )
    from .pipeline.deploy.releases import served_folder

    typer.echo(f"网站目录：{served_folder(dest)}（运行 hongwang serve --site {dest} --bind 0.0.0.0 供村里局域网访问）")


keys_app = typer.Typer(
    help="县里的签名密钥：生成、换钥。私钥只留在发布用的电脑上，公钥发给各村。", no_args_is_help=True
)
app.add_typer(keys_app, name="keys")
DEFAULT_KEY_FOLDER = Path("~/.config/hongwang")


@keys_app.command("new")
@guarded
def keys_new(
    name: str = typer.Option("county", "--name", help="密钥名称：生成 名称.key（私钥）和 名称.pub（公钥）"),
    folder: Path = typer.Option(
        DEFAULT_KEY_FOLDER, "--output", "-o", help="放密钥的文件夹（不能在网站目录或 git 仓库中）"
    ),
    content: Path = typer.Option(DEFAULT_CONTENT, "--content", "-c", help="内容目录（私钥不能放在其中）"),
):
    """生成一对签名密钥（Ed25519）：私钥给 publish 和 bundle 签名，公钥发给村级电脑用 sync --trust 核对。"""
    from .pipeline.deploy import signing

    try:
        private, public, raw = signing.new_key_pair(folder.expanduser(), name, [content, DEFAULT_OUTPUT])
    except (signing.SigningError, OSError) as problem:
        raise UsageProblem(str(problem)) from None
    typer.echo(f"已生成私钥 {private}（只留在这台电脑上：不要拷贝给别人，不要放进网站目录或 git）")
    typer.echo(f"已生成公钥 {public}（发给各村，村里运行 hongwang sync 网址 --trust {public.name}）")
    typer.echo(f"密钥指纹：{signing.fingerprint(raw)}（各村第一次同步时显示这串字符，请电话核对）")
    typer.echo(f"下一步：在 publish.yaml 中写一行 signing_key: {private}")


@keys_app.command("rotate")
@guarded
def keys_rotate(
    old: Path = typer.Option(..., "--old", help="正在使用的私钥"),
    new: Path = typer.Option(..., "--new", help="新私钥（先用 hongwang keys new --name 新名称 生成）"),
    content: Path = typer.Option(DEFAULT_CONTENT, "--content", "-c", help="内容目录（私钥不能放在其中）"),
):
    """换钥：用旧私钥为新公钥签一份认可记录，村级电脑同步时自动改信新密钥，不必逐村重新配置。"""
    from .pipeline.deploy import signing

    try:
        record, before, after = signing.rotate(old.expanduser(), new.expanduser(), [content, DEFAULT_OUTPUT])
    except (signing.SigningError, OSError) as problem:
        raise UsageProblem(str(problem)) from None
    typer.echo(
        f"已写入换钥记录 {record}：旧密钥（指纹 {signing.fingerprint(before.public)}）认可新密钥"
        f"（指纹 {signing.fingerprint(after.public)}）。"
    )
    typer.echo(
        f"下一步：把 publish.yaml 的 signing_key 改为 {after.path}（换钥记录须与它放在同一文件夹），然后发布；"
        f"各村下次同步时自动改信新密钥。旧私钥在各村都同步过之后再销毁。"
    )


@app.command()
@guarded
def ingest(
    inbox: Path = typer.Argument(
        ..., metavar="INBOX", help="收件文件夹：采集员放入的 .md/.txt/.yaml/.docx、图片和视频（可按单位代码分文件夹）"
    ),
    content: Path = typer.Option(DEFAULT_CONTENT, "--content", "-c", help="内容目录"),
    dry_run: bool = typer.Option(False, "--dry-run", help="只检查并显示结果，不移动、不写入任何文件"),
    output_format: OutputFormat = typer.Option(OutputFormat.text, "--format", "-f", help="text 给人看，json 给程序用"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help=QUIET_HELP),
):
    """收稿：检查收件文件夹中的稿件，合格的整理后存入内容目录，不合格的退回并写明原因。"""
    from .pipeline.intake import ingest as ingesting

    content = content_dir_or_fail(content)
    try:
        with terminal_progress(quiet) as progress:
            report = ingesting.ingest(inbox, content, dry_run=dry_run, progress=progress)
    except ingesting.IngestProblem as problem:
        raise UsageProblem(str(problem)) from None
    if output_format is OutputFormat.json:
        typer.echo(json.dumps(ingest_report(report, dry_run), ensure_ascii=False, indent=2))
        raise typer.Exit(1 if report.rejected else 0)
    if report.recovered:
        typer.echo(f"已完成上次中断的 {report.recovered} 件稿件。")
    verb = "将收录" if dry_run else "已收录"
    for decision in report.decisions:
        sources = "、".join(decision.sources)
        if decision.accepted:
            typer.echo(f"{verb} {sources} → {content / decision.destination}")
            for warning in decision.warnings:
                typer.echo(f"    {warning}")
        elif decision.held:
            typer.echo(f"暂不处理 {sources}（留在收件文件夹）：")
            for line in decision.reason.split("\n"):
                typer.echo(f"    {line}")
        else:
            where = "（试运行，未移动）" if dry_run else f"，原因见 {inbox / decision.destination}"
            typer.echo(f"{'将退回' if dry_run else '已退回'} {sources}{where}")
            for line in decision.reason.split("\n"):
                typer.echo(f"    {line}")
    held = f"，暂不处理 {len(report.held)} 件" if report.held else ""
    typer.echo(
        f"共 {len(report.decisions)} 件：收录 {len(report.accepted)} 件，退回 {len(report.rejected)} 件{held}。"
        + ("（试运行，没有改动任何文件）" if dry_run else "")
    )
    raise typer.Exit(1 if report.rejected or report.held else 0)


def ingest_report(report, dry_run: bool) -> dict:
    """`ingest --format json`: one record per submission, paths relative to the content folder (accepted) or
    to the inbox (the reason file of a refused one)."""
    return {
        "dry_run": dry_run,
        "recovered": report.recovered,
        "accepted": len(report.accepted),
        "rejected": len(report.rejected),
        "decisions": [
            {
                "sources": d.sources,
                "accepted": d.accepted,
                "org": d.org or None,
                "collector": d.collector or None,
                "destination": d.destination or None,
                "reason": d.reason or None,
                "warnings": d.warnings,
            }
            for d in report.decisions
        ],
    }


def main() -> None:
    """The `hongwang` console entry. A one-shot command leaves CPython's cycle collector off to the end: the
    pipeline pauses it while it builds (core/cache.py), and turning it back on costs one scan of everything a
    county build made (0.5 s at N = 20,000) to free nothing the exit would not. `serve` runs for days.

    Whatever the command made is frozen before the interpreter exits: its shutdown runs the cycle collector once
    more, collector off or not, and that pass over a county's model was ~0.3 s of a one-article edit at
    N = 20,000 (0.54–0.62 s between the build's end and the exit, 0.27–0.37 s frozen)."""
    if sys.argv[1:2] != ["serve"]:
        gc.disable()
    try:
        app()
    finally:
        gc.freeze()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
