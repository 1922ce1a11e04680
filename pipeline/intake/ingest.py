"""`hongwang ingest`: collectors' inbox → content/, normalised, checked, filed; never lose a submission.

What collectors drop into INBOX (optionally in a folder named after their org code,
INBOX/<org>/...): Markdown, YAML, plain text (first line = title), Word .docx, images.
Each submission is either filed as content/<org>/<year>/<slug>.md (source moved to
INBOX/done/) or refused (moved to INBOX/rejected/ with a Chinese `<name>.退回原因.txt` reason).
Each is planned (intake/planner.py), then committed and applied through the journal
(intake/journal.py), which is what makes a crash at any point safe.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..content import validate
from ..content.documents import Validation
from ..core import dates
from ..core.progress import CHECK, QUIET, Progress
from . import journal
from .journal import WORK, Decision, IngestProblem
from .planner import Planner, submission_units

__all__ = ["ingest", "IngestProblem", "Report"]


@dataclass
class Report:
    decisions: list[Decision] = field(default_factory=list)
    recovered: int = 0

    @property
    def accepted(self) -> list[Decision]:
        return [d for d in self.decisions if d.accepted]

    @property
    def rejected(self) -> list[Decision]:
        return [d for d in self.decisions if not d.accepted and not d.held]

    @property
    def held(self) -> list[Decision]:
        """Left in the inbox: this machine cannot handle them yet (a video without ffmpeg installed)."""
        return [d for d in self.decisions if d.held]


def ingest(
    inbox: Path, content_dir: Path, dry_run: bool = False, now: datetime | None = None, progress: Progress = QUIET
) -> Report:
    """progress: told the submissions checked (core/progress.py)."""
    inbox, content_dir = Path(inbox).resolve(), Path(content_dir).resolve()
    _check_folders(inbox, content_dir)
    config = validate.validate_config(content_dir)
    if config.errors:
        first = config.errors[0]
        raise IngestProblem(
            f"网站配置有错误（{first.file} 第 {first.line} 行：{first.message}），请先运行 hongwang validate"
        )
    now = now or dates.now()
    report = Report()
    if dry_run:
        with tempfile.TemporaryDirectory(prefix="hongwang-ingest-") as scratch:
            _plan_all(inbox, content_dir, Path(scratch), config, now, report, progress=progress)
        return report
    work = inbox / WORK
    with journal.locked(work):
        report.recovered = journal.recover(inbox, content_dir)
        _plan_all(inbox, content_dir, work, config, now, report, commit=True, progress=progress)
    return report


def _check_folders(inbox: Path, content_dir: Path) -> None:
    if not inbox.is_dir():
        raise IngestProblem(f"找不到收件文件夹 {inbox}")
    if not (content_dir / "site.yaml").is_file():
        raise IngestProblem(f"{content_dir} 不是内容目录（缺少 site.yaml），请用 --content 指定")
    if inbox == content_dir or content_dir in inbox.parents or inbox in content_dir.parents:
        raise IngestProblem("收件文件夹和内容目录不能互相包含，请把收件文件夹放在 content/ 之外")


def _plan_all(
    inbox: Path,
    content_dir: Path,
    work: Path,
    config: Validation,
    now: datetime,
    report: Report,
    commit: bool = False,
    progress: Progress = QUIET,
) -> None:
    planner = Planner(inbox, content_dir, work, config, now)
    units = submission_units(inbox)
    progress.stage(CHECK, len(units))
    for unit in units:
        decision = planner.plan(unit)
        journal.pause()
        report.decisions.append(decision)
        if commit:
            journal.commit(work, decision)
            journal.apply(inbox, content_dir, work, decision)
        progress.advance()
