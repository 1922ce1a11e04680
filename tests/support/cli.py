"""Running `hongwang` through Typer's runner, as every CLI test does: never a traceback."""

import sys

from typer.testing import CliRunner

from hongwang.cli import app

# The command as a separate process (what a collector's terminal or cron runs).
HONGWANG = [sys.executable, "-m", "hongwang.cli"]

runner = CliRunner()


def run(*args):
    result = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result
