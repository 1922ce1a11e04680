"""The cache: file digests remembered by stat (never trusted for a file that could change unseen), sharded tables."""

import os
import time

import pytest

from hongwang.pipeline.core import cache

OLD = time.time() - 3600


def settled(path, text):
    """A file last changed an hour ago (its ctime is still now: only mtime can be set)."""
    path.write_text(text, encoding="utf-8")
    os.utime(path, (OLD, OLD))
    return path


def digests(folder, max_bytes=1000):
    return cache.FileDigests(cache.Store(folder), max_bytes)


def hashed_and_saved(path, folder) -> str:
    """Hash path as a run would seconds after the file's last change, and keep the stamp."""
    first = digests(folder)
    first.settled_before_ns = time.time_ns() + 10**9
    digest = first(path)
    first.save()
    return digest


def test_a_digest_is_the_file_sha256_and_is_remembered_by_stat(tmp_path):
    path = settled(tmp_path / "a.md", "正文")
    assert hashed_and_saved(path, tmp_path / "cache") == cache.sha256("正文".encode())
    remembered = cache.Store(tmp_path / "cache").read(cache.FileDigests.TABLE)
    assert list(remembered) == [str(path)]
    stamp, digest = remembered[str(path)]
    assert digest == cache.sha256("正文".encode()) and stamp[0] == path.stat().st_size


def test_a_remembered_stamp_is_served_without_reading_the_file(tmp_path):
    path = settled(tmp_path / "a.md", "正文")
    hashed_and_saved(path, tmp_path / "cache")
    second = digests(tmp_path / "cache")
    second.known[str(path)] = (second.known[str(path)][0], "remembered")
    assert second(path) == "remembered"  # same stat: the stored digest, no read


def test_an_edit_that_keeps_size_and_mtime_is_still_seen(tmp_path):
    path = settled(tmp_path / "a.md", "甲乙")
    hashed_and_saved(path, tmp_path / "cache")
    time.sleep(0.01)
    settled(path, "丙丁")  # same byte count, mtime put back: the ctime moved
    assert digests(tmp_path / "cache")(path) == cache.sha256("丙丁".encode())


def test_a_file_changed_just_before_hashing_is_not_remembered(tmp_path):
    path = tmp_path / "a.md"
    path.write_text("刚刚写好", encoding="utf-8")  # mtime = now: a second edit in the same clock tick could hide
    fresh = digests(tmp_path / "cache")
    assert fresh(path) == cache.sha256("刚刚写好".encode())
    fresh.save()
    assert cache.Store(tmp_path / "cache").read(cache.FileDigests.TABLE) == {}


def test_too_large_and_missing_files_have_no_digest(tmp_path):
    big = settled(tmp_path / "big.md", "x" * 2000)
    table = digests(tmp_path / "cache", max_bytes=1000)
    assert table(big) == "" and table(tmp_path / "gone.md") == ""


def test_a_sharded_table_rewrites_only_the_shards_whose_entries_changed(tmp_path):
    store = cache.Store(tmp_path)
    table = {f"content/org{n}/a{n}.md": ("digest", n) for n in range(200)}
    store.write("documents", table, shards=8)
    files = sorted(tmp_path.glob("documents-*.pickle"))
    assert len(files) == 8
    before = {path.name: path.stat().st_mtime_ns for path in files}
    time.sleep(0.01)

    again = cache.Store(tmp_path)
    read = again.read("documents", shards=8)
    assert read == table
    read = {**read, "content/org7/a7.md": ("digest", "edited")}
    again.write("documents", read, shards=8)
    changed = [p.name for p in sorted(tmp_path.glob("documents-*.pickle")) if p.stat().st_mtime_ns != before[p.name]]
    assert len(changed) == 1
    assert cache.Store(tmp_path).read("documents", shards=8) == read

    del read["content/org3/a3.md"]  # a deleted file's entry goes with the next write
    again.write("documents", read, shards=8)
    assert "content/org3/a3.md" not in cache.Store(tmp_path).read("documents", shards=8)


def test_a_patch_reads_and_writes_only_the_shards_of_the_keys_it_changes(tmp_path):
    table = {f"content/org{n}/a{n}.md": ("digest", n) for n in range(200)}
    cache.Store(tmp_path).write("documents", table, shards=8)
    before = {p.name: p.stat().st_mtime_ns for p in tmp_path.glob("documents-*.pickle")}
    time.sleep(0.01)
    damaged = cache._shard_name("documents", cache._shard_of("content/org9/a9.md", 8), 8) + ".pickle"
    (tmp_path / damaged).write_bytes(b"x")
    edited, gone = "content/org7/a7.md", "content/org3/a3.md"

    store = cache.Store(tmp_path)
    assert store.part("documents", edited, shards=8)[edited] == ("digest", 7)
    store.patch("documents", {edited: ("digest", "edited"), "content/new.md": ("digest", "new")}, [gone], shards=8)
    changed = {p.name for p in tmp_path.glob("documents-*.pickle") if p.stat().st_mtime_ns != before[p.name]}
    shards = {cache._shard_of(key, 8) for key in (edited, gone, "content/new.md")}
    assert changed == {cache._shard_name("documents", n, 8) + ".pickle" for n in shards} | {damaged}
    read = cache.Store(tmp_path).read("documents", shards=8)
    lost = {k for k in table if cache._shard_of(k, 8) == cache._shard_of("content/org9/a9.md", 8)}
    expected = {k: v for k, v in table.items() if k != gone and k not in lost}
    assert read == {**expected, edited: ("digest", "edited"), "content/new.md": ("digest", "new")}


def test_tables_no_version_reads_are_deleted_and_the_others_kept(tmp_path):
    store = cache.Store(tmp_path)
    store.write("items", {"a": 1}, cache.SHARDS)
    store.write("verdicts", {"a": 1})
    retired = [tmp_path / "bodies.pickle", *(tmp_path / f"bodies-{n:02d}-of-16.pickle" for n in range(16))]
    for path in retired:
        path.write_bytes(b"old")
    kept = sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("bodies"))
    store.drop_retired()
    assert not any(path.exists() for path in retired)
    assert sorted(p.name for p in tmp_path.iterdir()) == kept
    assert cache.Store(tmp_path).read("items", cache.SHARDS) == {"a": 1}


def _environment(templates, store, options):
    from jinja2 import Environment, FileSystemLoader

    environment = Environment(loader=FileSystemLoader(str(templates)), **options)
    environment.bytecode_cache = store.template_bytecode(options)
    return environment


def test_compiled_templates_are_kept_and_a_changed_template_is_compiled_again(tmp_path, monkeypatch):
    from jinja2 import Environment

    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.html").write_text("<p>{{ name }}</p>", encoding="utf-8")
    options = {"trim_blocks": True, "autoescape": True}
    store = cache.Store(tmp_path / "cache")
    assert _environment(templates, store, options).get_template("page.html").render(name="党委") == "<p>党委</p>"
    assert len(list((tmp_path / "cache" / "templates").glob("*.cache"))) == 1

    def refuse(*_args, **_kwargs):
        raise AssertionError("compiled again")

    monkeypatch.setattr(Environment, "compile", refuse)
    assert _environment(templates, store, options).get_template("page.html").render(name="<b>") == "<p>&lt;b&gt;</p>"
    (templates / "page.html").write_text("<div>{{ name }}</div>", encoding="utf-8")
    with pytest.raises(AssertionError, match="compiled again"):  # a changed template is not served from the cache
        _environment(templates, store, options).get_template("page.html")


def test_compiled_templates_of_other_options_or_code_are_not_served_and_are_deleted(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.html").write_text("{% if true %}\n<p>{{ name }}</p>\n{% endif %}\n", encoding="utf-8")
    store = cache.Store(tmp_path / "cache")
    trimmed = _environment(templates, store, {"trim_blocks": True})
    assert trimmed.get_template("page.html").render(name="x") == "<p>x</p>\n"
    first = sorted((tmp_path / "cache" / "templates").glob("*.cache"))
    plain = _environment(templates, store, {"trim_blocks": False})  # Jinja's own key would serve the trimmed code
    assert plain.get_template("page.html").render(name="x") == "\n<p>x</p>\n"
    assert not any(path.exists() for path in first)
    assert cache.Store(None).template_bytecode({}) is None
