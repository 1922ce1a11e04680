"""A CPU-time budget for work on one untrusted file, so one pathological file cannot stall a whole run.

Python-Markdown and some regular expressions take quadratic time on inputs no collector writes but a
damaged or hostile file can hold (50,000 `[` in one paragraph took 570 s to validate). `cpu_budget`
raises `BudgetExceeded` in the calling thread once the process has spent that much CPU time (not wall
time: a loaded machine does not make a file fail), and again every REPEAT seconds until the work stops.
It is a BaseException, like KeyboardInterrupt, so a library's `except Exception` cannot swallow it:
catch it explicitly. It works in the main thread of a process (the CLI, each forked worker); elsewhere
it does nothing.
"""

from __future__ import annotations

import os
import signal
import threading
from contextlib import contextmanager

DEFAULT_SECONDS = 10.0
REPEAT = 0.1  # seconds of CPU between further signals, should one be swallowed
ENVIRONMENT = "HONGWANG_FILE_SECONDS"  # overrides DEFAULT_SECONDS (tests use a short budget)


class BudgetExceeded(BaseException):
    """A BaseException, like KeyboardInterrupt: library code's `except Exception` must not swallow it."""

    def __init__(self, seconds: float):
        super().__init__(f"超过 {seconds:g} 秒")
        self.seconds = seconds


def seconds_per_file() -> float:
    try:
        return max(0.1, float(os.environ.get(ENVIRONMENT, DEFAULT_SECONDS)))
    except ValueError:
        return DEFAULT_SECONDS


@contextmanager
def cpu_budget(seconds: float | None = None):
    seconds = seconds_per_file() if seconds is None else seconds
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    global _seconds, _handler_installed
    if not _handler_installed:  # once: the handler only fires while a timer set here runs
        signal.signal(signal.SIGVTALRM, _exceeded)
        _handler_installed = True
    outer, _seconds = _seconds, seconds
    signal.setitimer(signal.ITIMER_VIRTUAL, seconds, REPEAT)  # again and again until the work gives up
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, *((outer, REPEAT) if outer else (0,)))
        _seconds = outer


_seconds: float | None = None  # the budget in force, while one is
_handler_installed = False


def _exceeded(_signum, _frame):
    raise BudgetExceeded(_seconds)
