"""core/workers.py: a background step in a forked process, as the build runs the search update beside Pelican."""

from __future__ import annotations

import os

import pytest

from hongwang.pipeline.core import workers


def test_a_background_task_runs_in_another_process_and_hands_back_its_result(monkeypatch):
    monkeypatch.setenv("HONGWANG_WORKERS", "2")
    with workers.Background(lambda: (os.getpid(), sum(range(1000)))) as task:
        pid, total = task.result()
    assert pid != os.getpid() and total == 499500


def test_its_exception_is_raised_by_result(monkeypatch):
    monkeypatch.setenv("HONGWANG_WORKERS", "2")

    def fail():
        raise ValueError("坏了")

    with workers.Background(fail) as task, pytest.raises(ValueError, match="坏了"):
        task.result()


def test_leaving_the_block_waits_for_it_even_when_the_caller_failed(monkeypatch, tmp_path):
    monkeypatch.setenv("HONGWANG_WORKERS", "2")
    done = tmp_path / "done"

    def slow():
        import time

        time.sleep(0.3)
        done.write_text("ok")
        return "x" * 1_000_000  # more than a pipe holds: it must be read before the child is reaped

    with pytest.raises(RuntimeError), workers.Background(slow):
        raise RuntimeError("the pages failed")
    assert done.read_text() == "ok"


def test_a_child_that_dies_is_reported_not_waited_for_forever(monkeypatch):
    monkeypatch.setenv("HONGWANG_WORKERS", "2")
    with workers.Background(lambda: os._exit(3)) as task, pytest.raises(RuntimeError, match="退出码 3"):
        task.result()


def test_with_one_core_it_runs_here_at_once(monkeypatch):
    monkeypatch.setenv("HONGWANG_WORKERS", "1")
    ran = []
    task = workers.Background(lambda: ran.append(os.getpid()) or "done")
    assert ran == [os.getpid()] and task.result() == "done"
