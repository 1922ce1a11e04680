"""Running `hongwang` as a person does: its stderr on a real pseudo-terminal, its stdout piped.

What the terminal received comes back as text with the escape sequences taken out; `counts` reads the
last frame a progress stage was drawn with.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import signal
import struct
import subprocess
import termios
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from hongwang.pipeline.core.progress import STAGES

from .cli import HONGWANG
from .example import ROOT

ESCAPE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-_]")
HIDE_CURSOR = b"\x1b[?25l"  # what rich writes when its live display starts


@dataclass
class Run:
    returncode: int
    stdout: str
    terminal: str  # what stderr wrote, escape sequences removed
    raw: bytes  # the same with them


def environment(env: dict[str, str] | None) -> dict[str, str]:
    """This environment without CI (the suite may itself run in CI), with `env` on top."""
    environ = {k: v for k, v in os.environ.items() if k != "CI"}
    environ["TERM"] = "xterm-256color"
    environ.update(env or {})
    return environ


def run_piped(*args, env: dict[str, str] | None = None, timeout: float = 600) -> Run:
    """`hongwang ARGS` with stdout and stderr both piped (cron, a log file, `| less`)."""
    done = subprocess.run(
        [*HONGWANG, *map(str, args)],
        cwd=ROOT,
        env=environment(env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=timeout,
    )
    return Run(done.returncode, done.stdout.decode(), ESCAPE.sub("", done.stderr.decode(errors="replace")), done.stderr)


def run_on_terminal(
    *args,
    env: dict[str, str] | None = None,
    interrupt_when: Callable[[], bool] | None = None,
    timeout: float = 600,
) -> Run:
    """`hongwang ARGS` with stderr on a pseudo-terminal 120 columns wide and stdout piped.

    interrupt_when: polled while the command runs; once true the command gets Ctrl+C (SIGINT), as a
    server (`serve --watch`) is stopped. `timeout` only keeps a hung command from hanging the suite."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    process = subprocess.Popen(
        [*HONGWANG, *map(str, args)],
        cwd=ROOT,
        env=environment(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=follower,
        # Ctrl+C as on a terminal, even when the suite itself runs in the background (`make test &`), where
        # the shell has the command ignore SIGINT and Python would then never raise KeyboardInterrupt
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    os.close(follower)
    received: list[bytes] = []
    stdout: list[bytes] = []

    def drain_terminal() -> None:  # read as it comes: a full terminal buffer would block the command
        while True:
            try:
                data = os.read(leader, 65536)
            except OSError:  # EIO: the command closed its end
                return
            if not data:
                return
            received.append(data)

    readers = [
        threading.Thread(target=drain_terminal, daemon=True),
        threading.Thread(target=lambda: stdout.append(process.stdout.read()), daemon=True),
    ]
    for reader in readers:
        reader.start()
    deadline = time.monotonic() + timeout
    try:
        while process.poll() is None and time.monotonic() < deadline:
            if interrupt_when is not None and interrupt_when():
                process.send_signal(signal.SIGINT)
                interrupt_when = None
            time.sleep(0.05)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        for reader in readers:
            reader.join(10)
        os.close(leader)
    raw = b"".join(received)
    return Run(process.returncode, b"".join(stdout).decode(), ESCAPE.sub("", raw.decode(errors="replace")), raw)


def counts(terminal: str, stage: str) -> tuple[int, int | None] | None:
    """(done, total) of `stage` as last drawn, e.g. 检查 ━━━━ 90/90 0:00:01 → (90, 90); None if never drawn."""
    found = re.findall(rf"{stage}\s+[━╸╺ ]*\s*(\d+)/(\d+|\?)\s", terminal)
    if not found:
        return None
    done, total = found[-1]
    return int(done), None if total == "?" else int(total)


def drew_progress(run: Run) -> bool:
    """Any stage drawn, any bar, or the cursor hidden for a live display."""
    return any(counts(run.terminal, stage) for stage in STAGES) or "━" in run.terminal or HIDE_CURSOR in run.raw
