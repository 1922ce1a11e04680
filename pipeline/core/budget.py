"""A CPU-time budget for work on one untrusted file, so one pathological file cannot stall a whole run.

Python-Markdown and some regular expressions take quadratic time on inputs no collector writes but a
damaged or hostile file can hold (50,000 `[` in one paragraph took 570 s to validate). `cpu_budget`
raises `BudgetExceeded` in the calling thread once the process has spent that much CPU time (not wall
time: a loaded machine does not make a file fail), and again every tenth of it until the work stops.
It is a BaseException, like KeyboardInterrupt, so a library's `except Exception` cannot swallow it:
catch it explicitly. It works in the main thread of a process (the CLI, each forked worker); elsewhere
it does nothing.
"""

from __future__ import annotations

import atexit
import os
import signal
import threading

DEFAULT_SECONDS = 10.0
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


class cpu_budget:  # noqa: N801 - used as `with cpu_budget():`, like a function of contextlib
    """Raise BudgetExceeded in the work inside once it has spent `seconds` of CPU (default seconds_per_file()).

    A timer ticks every tenth of the shortest budget in force and counts the ticks the running budget has
    seen: n ticks mean at least n - 1 tenths spent. Entering a budget sets nothing and reads no clock (setting
    and clearing the timer around every file cost 13-20 µs a file, reading the CPU clock instead 7-14 µs, out
    of ~310 µs of checks); the timer stops at its first tick with no budget running, when `rest()` is called
    (validate calls it when its files are checked), and at exit. Budgets nest: the innermost counts."""

    def __init__(self, seconds: float | None = None):
        self.seconds = seconds_per_file() if seconds is None else seconds
        self.outer: list | None = None

    def __enter__(self) -> cpu_budget:
        global _running
        if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
            return self
        self.outer, _running = _running, [self.seconds, 0]  # [seconds, ticks seen]
        if _tick is None or _tick > self.seconds / TICKS:
            _start_ticking(self.seconds / TICKS)
        return self

    def __exit__(self, *_) -> None:
        global _running
        if threading.current_thread() is threading.main_thread():
            _running = self.outer


TICKS = 10  # per budget: a file allowed 10 s is stopped within 11
_running: list | None = None  # [seconds, ticks seen] of the budget in force
_tick: float | None = None  # the timer's period while it ticks
_handler_installed = False


def _start_ticking(period: float) -> None:
    global _tick, _handler_installed
    if not _handler_installed:
        signal.signal(signal.SIGVTALRM, _ticked)
        # The interpreter puts SIGVTALRM's default action (end the process) back as it exits: a tick after that,
        # with the timer still running, killed a publish in CI. atexit runs before.
        atexit.register(rest)
        _handler_installed = True
    signal.setitimer(signal.ITIMER_VIRTUAL, period, period)
    _tick = period


def rest() -> None:
    """Stop the timer until a budget is entered again."""
    global _tick
    if _tick is not None and threading.current_thread() is threading.main_thread():
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        _tick = None


def _ticked(_signum, _frame):
    if _running is None:
        rest()
        return
    _running[1] += 1
    if (_running[1] - 1) * _tick >= _running[0]:
        raise BudgetExceeded(_running[0])  # and at every tick after, until the work gives up


def _forget_timer() -> None:
    """A forked child inherits these variables but not the timer."""
    global _tick, _running
    _tick = _running = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_timer)
