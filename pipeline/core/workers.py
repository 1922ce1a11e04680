"""Spread independent work over the machine's cores with forked workers.

Fork (Linux) lets workers inherit the loaded model, settings and templates
without pickling them; only each task's result travels back. Small batches run
serially in the calling process: forking costs more than it saves there.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence

MIN_PARALLEL_TASKS = 200
_work: tuple[Callable, Sequence, int] | None = None  # set before forking; workers inherit it


def workers() -> int:
    configured = os.environ.get("HONGWANG_WORKERS", "")
    if configured.isdigit():
        return max(1, int(configured))
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _run_chunk(index: int) -> list:
    task, items, size = _work
    return [task(item) for item in items[index * size : (index + 1) * size]]


def run(
    task: Callable,
    items: Sequence,
    min_parallel: int | None = None,
    advance: Callable[[int], None] | None = None,
) -> list:
    """[task(item) for item in items], in order, on every core when it pays (min_parallel: fewer tasks than
    this run here, MIN_PARALLEL_TASKS when not given; heavy tasks such as re-encoding a photo pay from two).

    advance(n), if given, is called here (never in a worker) as n more items are done: per item when serial,
    per chunk as the workers' results come back (core/progress.py draws it)."""
    global _work
    count = workers()
    min_parallel = MIN_PARALLEL_TASKS if min_parallel is None else min_parallel  # read now: tests lower it
    if count < 2 or len(items) < max(2, min_parallel) or "fork" not in multiprocessing.get_all_start_methods():
        if advance is None:
            return [task(item) for item in items]
        return [_then(task(item), advance) for item in items]
    size = max(1, len(items) // (count * 8))
    _work = (task, items, size)
    chunks = []
    try:
        with multiprocessing.get_context("fork").Pool(count) as pool:
            for chunk in pool.imap(_run_chunk, range((len(items) + size - 1) // size), chunksize=1):
                chunks.append(chunk)
                if advance is not None:
                    advance(len(chunk))
    finally:
        _work = None
    return [result for chunk in chunks for result in chunk]


def _then(result, advance: Callable[[int], None]):
    advance(1)
    return result


class Background:
    """One task run in a forked process while this one goes on; `result()` waits for it and returns its
    result (or raises its exception). Leaving the `with` block waits too, so nothing is left running.
    With one core, or no fork, the task runs at once, here."""

    def __init__(self, task: Callable):
        self._process = None
        if workers() < 2 or "fork" not in multiprocessing.get_all_start_methods():
            self._outcome = _outcome_of(task)
            return
        context = multiprocessing.get_context("fork")  # the task is inherited, never pickled
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(target=_send_outcome, args=(task, send))
        self._process.start()
        send.close()

    def result(self):
        self._finish()
        ok, value = self._outcome
        if not ok:
            raise value
        return value

    def _finish(self) -> None:
        """Take the outcome (before joining: a child blocked on a full pipe would never end) and reap it."""
        if self._process is None:
            return
        try:
            self._outcome = self._receive.recv()
        except EOFError:  # killed, or it could not send its outcome
            self._outcome = (False, None)
        self._process.join()
        self._receive.close()
        if self._outcome == (False, None):
            self._outcome = (False, RuntimeError(f"后台步骤异常退出（退出码 {self._process.exitcode}）"))
        self._process = None

    def __enter__(self) -> Background:
        return self

    def __exit__(self, *_) -> None:
        self._finish()


def _outcome_of(task: Callable) -> tuple[bool, object]:
    try:
        return True, task()
    except Exception as error:  # noqa: BLE001 - handed to result(), which raises it in the caller
        return False, error


def _send_outcome(task: Callable, send) -> None:
    outcome = _outcome_of(task)
    try:
        send.send(outcome)
    except Exception as error:  # noqa: BLE001 - a result or exception that cannot be pickled
        send.send((False, RuntimeError(f"{type(error).__name__}: {error}")))
    send.close()
