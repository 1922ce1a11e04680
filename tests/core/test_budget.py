"""The CPU budget of one file's checks: it stops runaway work, in the build and in forked workers."""

import os
import time

import pytest

from hongwang.pipeline.core import budget, workers


def spin(seconds: float) -> float:
    """Burn CPU until `seconds` of it are spent; the CPU seconds spent."""
    started = time.process_time()
    while time.process_time() - started < seconds:
        sum(range(1000))
    return time.process_time() - started


def stopped_after(seconds: float) -> float | None:
    """The CPU seconds a budget of `seconds` let an endless loop run, or None if it never stopped it (in 20×)."""
    started = time.process_time()
    try:
        with budget.cpu_budget(seconds):
            spin(seconds * 20)
    except budget.BudgetExceeded as stop:
        assert stop.seconds == seconds
        return time.process_time() - started
    return None


def test_runaway_work_is_stopped_once_its_budget_is_spent():
    spent = stopped_after(0.2)
    assert spent is not None and spent >= 0.2


def test_a_short_budget_after_a_long_one_is_not_left_to_the_long_ones_timer():
    with budget.cpu_budget(30):
        spin(0.01)  # the timer now rings 30 s of CPU from here
    spent = stopped_after(0.2)
    assert spent is not None


def test_nested_budgets_the_inner_one_stops_its_work_and_the_outer_one_goes_on():
    with budget.cpu_budget(30):
        assert stopped_after(0.2) is not None
        spin(0.3)  # past the inner budget: nothing rings for the outer one's work
    spin(0.3)  # nor after every budget has ended (the timer rings once, to nobody)


def test_a_forked_worker_keeps_its_own_timer(monkeypatch):
    """A child inherits the parent's note of when the timer rings, not the timer."""
    monkeypatch.setattr(workers, "MIN_PARALLEL_TASKS", 1)
    monkeypatch.setenv("HONGWANG_WORKERS", "2")
    with budget.cpu_budget(30):
        spin(0.01)
    spent = workers.run(lambda _: (os.getpid(), stopped_after(0.2)), range(2))
    assert {pid for pid, _ in spent} != {os.getpid()}
    assert all(seconds is not None for _, seconds in spent)


@pytest.mark.parametrize("seconds", ["0.3", "nonsense"])
def test_the_budget_per_file_comes_from_the_environment(monkeypatch, seconds):
    monkeypatch.setenv(budget.ENVIRONMENT, seconds)
    assert budget.cpu_budget().seconds == (0.3 if seconds == "0.3" else budget.DEFAULT_SECONDS)


def test_a_process_that_ends_right_after_a_budget_is_not_killed_by_its_timer(tmp_path):
    """The interpreter puts SIGVTALRM's default action (end the process) back as it exits: a tick of a timer left
    running then killed a `hongwang publish` in CI. Here the exit tears down a big heap right after a budget."""
    import subprocess
    import sys

    script = tmp_path / "ends.py"
    script.write_text(
        "from hongwang.pipeline.core import budget\n"
        "junk = [[i] for i in range(1_000_000)]  # freed at exit: several ticks of CPU\n"
        "with budget.cpu_budget(0.1):\n"
        "    pass\n"
    )
    for _ in range(2):
        assert subprocess.run([sys.executable, str(script)]).returncode == 0
