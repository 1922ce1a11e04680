"""Running `hongwang` through Typer's runner, as every CLI test does: never a traceback."""

from typer.testing import CliRunner

from cli import app

runner = CliRunner()


def run(*args):
    result = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result
