"""The CLI through Typer's runner: exit codes, formats, messages, never a traceback."""

import json
import re
import subprocess
import sys
import threading
import urllib.request

from hongwang.pipeline.deploy.serve import make_server

from support.cli import run

GOOD = 'title: 标题\ndate: 2026-11-20\norg: "dz"\ncategory: 党建动态'


def test_validate_clean_exits_0(content):
    content.article("dz/a.md", GOOD)
    result = run("validate", "--content", content.root)
    assert result.exit_code == 0
    assert "检查通过" in result.output


def test_validate_errors_exit_1_with_file_line(content):
    content.article("dz/a.md", GOOD.replace('dz"', 'nowhere"'))
    result = run("validate", "--content", content.root)
    assert result.exit_code == 1
    assert "dz/a.md:4: 错误 [org-unknown]" in result.output
    assert "共 1 个错误" in result.output


def test_validate_json_has_exactly_the_contract_keys(content):
    content.article("dz/a.md", GOOD + "\ntitel: x")
    result = run("validate", "--content", content.root, "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert isinstance(data, list) and data
    for item in data:
        assert set(item) == {"file", "line", "code", "severity", "message"}
    assert data[0]["code"] == "unknown-key" and data[0]["line"] == 6


def test_validate_single_path(content):
    content.article("dz/a.md", GOOD)
    bad = content.article("dz/b.md", "title: x")
    assert run("validate", "--content", content.root, content.root / "dz/a.md").exit_code == 0
    assert run("validate", "--content", content.root, bad).exit_code == 1


def test_usage_errors_exit_2(tmp_path, content):
    assert run("validate", "--content", tmp_path / "missing").exit_code == 2
    assert run("validate", "--content", content.root, tmp_path).exit_code == 2
    assert run("validate", "--format", "xml").exit_code == 2
    assert run("build", "--content", content.root, "--output", content.root).exit_code == 2


def test_build_refuses_and_says_where(content, tmp_path):
    content.article("dz/a.md", GOOD.replace("2026-11-20", "2026-02-30"))
    result = run("build", "--content", content.root, "--output", tmp_path / "out")
    assert result.exit_code == 1
    assert "dz/a.md:3" in result.output and "未生成网站" in result.output


def test_build_reports_counts(content, tmp_path):
    content.article("dz/a.md", GOOD)
    result = run("build", "--content", content.root, "--output", tmp_path / "out", "--format", "json")
    assert result.exit_code == 0
    report = json.loads(result.output)
    assert report["ok"] and report["articles"] == 1
    assert (tmp_path / "out/article/a.html").is_file()


def test_new_article_validates_after_creation(content):
    result = run("new", "article", "--org", "dz", "--title", "东渚镇召开党建工作会议", "--content", content.root)
    assert result.exit_code == 0
    path = next(content.root.glob("dz/*/*.md"))
    assert str(path.name) in result.output
    assert path.name.startswith("dong-zhu-zhen")
    assert run("validate", "--content", content.root).exit_code == 1  # the placeholders (tests/content/test_unedited)
    fill_in(content)
    assert run("validate", "--content", content.root).exit_code == 0


def fill_in(content) -> None:
    """What a collector does: every 请填写… / 请在这里写… replaced by real text."""
    for path in content.root.rglob("*.md"):
        path.write_text(re.sub(r"请[^\"\n]*", "实际内容", path.read_text(encoding="utf-8")), encoding="utf-8")


def test_new_notice_and_letter_validate(content):
    for kind in ("notice", "letter"):
        assert run("new", kind, "--org", "zzb", "--title", f"测试{kind}", "--content", content.root).exit_code == 0
    fill_in(content)
    result = run("validate", "--content", content.root)
    # Templates are valid once a collector has replaced their placeholders.
    assert result.exit_code == 0, result.output


def test_new_refuses_unknown_org(content):
    result = run("new", "article", "--org", "dzz", "--content", content.root)
    assert result.exit_code == 2
    assert "dz" in result.output


def test_serve_serves_the_built_site(content, tmp_path):
    content.article("dz/a.md", GOOD)
    run("build", "--content", content.root, "--output", tmp_path / "out")
    server = make_server(tmp_path / "out", "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/article/a.html", timeout=5) as response:
            assert response.status == 200
            assert response.headers["Content-Type"] == "text/html; charset=utf-8"
            assert "标题" in response.read().decode()
    finally:
        server.shutdown()
        server.server_close()


def test_serve_refuses_missing_site(tmp_path):
    result = run("serve", "--output", tmp_path)
    assert result.exit_code == 2 and "hongwang build" in result.output


def validate_in_a_fresh_python(content, before: str = "", after: str = "") -> subprocess.CompletedProcess:
    """`hongwang validate` of content through cli.main() in a new interpreter, with code run before and after it."""
    argv = ["hongwang", "validate", "--content", str(content.root), "--quiet"]
    code = f"import atexit, gc, sys, hongwang.cli\n{before}sys.argv = {argv!r}\n"
    code += f"try: hongwang.cli.main()\nexcept SystemExit as exit: assert not exit.code, exit.code\n{after}"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)


def test_a_warm_validate_imports_no_renderer(content):
    # Markdown, Jinja, Pelican (and urllib, for check-links) cost a no-change validate of a county a tenth of its
    # time; only a miss renders
    content.article("dz/a.md", GOOD)
    before = "hongwang.cli.cache.FileDigests.RACY_SECONDS = -60  # trust the stat of a file written just now\n"
    after = "print(sorted(m for m in ('markdown', 'jinja2', 'pelican', 'urllib.request') if m in sys.modules))"
    runs = [validate_in_a_fresh_python(content, before, after) for _ in "12"]
    assert all(ran.returncode == 0 for ran in runs), runs[-1].stderr
    assert "'markdown'" in runs[0].stdout  # the first run checked the file
    assert runs[1].stdout.splitlines()[-1] == "[]"


def test_the_exit_does_not_collect_what_the_command_made(content):
    # The interpreter's shutdown runs the cycle collector whatever gc.disable() said; over a county's model that
    # pass was a tenth of an edit. main() freezes the heap first, so that pass skips it.
    content.article("dz/a.md", GOOD)
    ran = validate_in_a_fresh_python(content, "atexit.register(lambda: print('frozen', gc.get_freeze_count()))\n")
    assert ran.returncode == 0, ran.stderr
    frozen = int(ran.stdout.split("frozen")[-1])
    assert frozen > 10_000  # the modules and whatever the command made, not nothing
