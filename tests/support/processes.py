"""`hongwang publish` as a separate process a test can stop at a named step, watch and kill (SIGKILL)."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from hongwang.pipeline.deploy import releases

from support.cli import HONGWANG
from support.example import ROOT

NOW = "2026-11-23 10:00"


def start_publish(config: Path, content: Path, pause_at: str | None = None) -> subprocess.Popen:
    """HONGWANG_PUBLISH_PAUSE_AT stops it at a step (it says `paused at <step>` on stderr and sleeps)."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop(releases.PAUSE_ENV, None)
    if pause_at:
        env[releases.PAUSE_ENV] = pause_at
    return subprocess.Popen(
        [*HONGWANG, "publish", "--config", str(config), "--content", str(content), "--now", NOW],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        cwd=ROOT,
    )


def wait_for_stderr(process: subprocess.Popen, text: str) -> None:
    """Read the process's stderr until a line holds text (it must, before the process ends)."""
    for line in process.stderr:
        if text in line.decode():
            return
    raise AssertionError(f"publish exited ({process.wait()}) without saying “{text}”")


def wait_for_pause(process: subprocess.Popen, step: str) -> None:
    wait_for_stderr(process, f"paused at {step}")


def kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait()
    process.stderr.close()
