"""The intake journal: every decision is committed before it is carried out, so a crash never loses a submission.

A submission goes through
  1. plan    – staged output in INBOX/.ingest-work/<id>/ (invisible to content/),
  2. commit  – INBOX/.ingest-work/<id>/decision.json written atomically,
  3. apply   – outputs copied into content/ (temp + fsync + rename), sources renamed
               into done/ or rejected/, the log line appended, the work folder removed.
A run first rolls every committed decision forward (apply is idempotent) and deletes
uncommitted work, so SIGKILL at any point leaves each submission in the inbox, in
done/ plus content/, or in rejected/. INBOX/ingest-log.jsonl records every decision.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..core import dates
from ..core.hashing import CHUNK

WORK = ".ingest-work"
LOG_NAME = "ingest-log.jsonl"
# Crash tests: slow every step down (seconds), or SIGKILL ourselves at the N-th step boundary.
STEP_DELAY_ENV = "HONGWANG_INGEST_STEP_DELAY"
KILL_AT_STEP_ENV = "HONGWANG_INGEST_KILL_AT_STEP"
_steps_taken = 0


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
    held: bool = False  # left in the inbox until the machine can handle it (a video without ffmpeg installed)

    def as_json(self) -> dict:
        return self.__dict__.copy()


# ---------------------------------------------------------------- durable file operations


def pause() -> None:
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
    _replace_atomic(path, lambda handle: handle.write(data))


def copy_atomic(path: Path, source: Path) -> None:
    """write_atomic for a staged file, streamed in chunks: a converted video is never held in memory."""

    def fill(handle) -> None:
        with open(source, "rb") as original:
            shutil.copyfileobj(original, handle, CHUNK)

    _replace_atomic(path, fill)


def _replace_atomic(path: Path, fill) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o644)  # mkstemp's 0600 would follow the file to the web server
            fill(handle)
            handle.flush()
            os.fsync(handle.fileno())
        pause()
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


@contextmanager
def locked(work: Path):
    work.mkdir(parents=True, exist_ok=True)
    with (work / "lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IngestProblem(f"另一个 hongwang ingest 正在处理 {work.parent}，请等它结束") from None
        yield


# ---------------------------------------------------------------- commit, apply, recover


def commit(work: Path, decision: Decision) -> None:
    pause()
    write_atomic(
        work / decision.id / "decision.json",
        json.dumps(decision.as_json(), ensure_ascii=False, indent=1).encode("utf-8"),
    )
    pause()


def apply(inbox: Path, content_dir: Path, work: Path, decision: Decision, recovering: bool = False) -> None:
    """Carry out a committed decision. Idempotent: safe to repeat after a crash at any point."""
    staged = work / decision.id / "staged"
    for root, outputs in ((content_dir, decision.outputs), (inbox, decision.inbox_outputs)):
        for dest, name in outputs.items():
            source = staged / name
            if source.exists():  # gone only when a previous apply already finished with this folder
                copy_atomic(root / dest, source)
            pause()
    for rel, target_rel in decision.moves.items():
        source, target = inbox / rel, inbox / target_rel
        if source.exists() or source.is_symlink():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
            _fsync_dir(target.parent)
            _fsync_dir(source.parent)
        pause()
    log = inbox / LOG_NAME
    # Only a decision a crash interrupted can already be in the log (reading it is O(log) per decision).
    if not (
        recovering and log.exists() and f'"id": "{decision.id}"' in log.read_text(encoding="utf-8", errors="replace")
    ):
        _append_log(log, _log_records(decision))
    pause()
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
    return [
        {
            "time": stamp,
            "id": decision.id,
            "source": rel,
            "sha256": decision.hashes.get(rel, ""),
            "destination": decision.destination,
            "moved_to": decision.moves.get(rel, ""),
            "org": decision.org,
            "collector": decision.collector,
            "result": "accepted" if decision.accepted else "held" if decision.held else "rejected",
            "warnings": len(decision.warnings),
        }
        for rel in decision.sources
    ]
