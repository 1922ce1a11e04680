from pathlib import Path

import pytest

from hongwang.pipeline.content import load
from hongwang.pipeline.content.aliases import SUBMISSION_ALIASES, canonical_key
from hongwang.pipeline.core import yamltree


def test_chinese_aliases_map_to_canonical_keys(content):
    path = content.article(
        "dz/2026/a.md",
        """
        标题: 东渚镇开展主题党日活动
        日期: 2026-11-20
        单位: "dz"
        栏目: 党建动态
        摘要: 摘要文字
        采集员: 王晓燕
        公开范围: public
    """,
    )
    source = load.load_source(path, content.root)
    assert source.readable
    assert source.meta == {
        "title": "东渚镇开展主题党日活动",
        "date": "2026-11-20",
        "org": "dz",
        "category": "党建动态",
        "summary": "摘要文字",
        "collector": "王晓燕",
        "audience": "public",
    }


def test_every_documented_alias_is_canonical_in_the_table():
    for alias, key in SUBMISSION_ALIASES.items():
        assert canonical_key(alias, SUBMISSION_ALIASES) == key
        assert canonical_key(f" {alias}\u3000", SUBMISSION_ALIASES) == key


def test_key_lines_are_file_lines(content):
    path = content.write("dz/2026/a.md", '\n---\ntitle: 标题\n\ndate: 2026-11-20\norg: "dz"\n---\n正文\n')
    source = load.load_source(path, content.root)
    assert source.line("title") == 3
    assert source.line("date") == 5
    assert source.line("org") == 6
    assert source.body_line == 8
    assert source.body.strip() == "正文"


def test_nested_lines_and_aliases(content):
    path = content.article(
        "dz/2026/n.md",
        """
        kind: notice
        公示期:
          开始: 2026-11-17
          结束: 2026-11-23
        公示对象:
          - 姓名: 张三
            出生年月: "1980-05"
    """,
    )
    source = load.load_source(path, content.root)
    assert source.meta["period"] == {"start": "2026-11-17", "end": "2026-11-23"}
    assert source.meta["persons"] == [{"name": "张三", "birth": "1980-05"}]
    assert source.line("period", "end") == 5
    assert source.line("persons", 0, "birth") == 8


def test_bom_and_crlf_are_accepted(content):
    path = content.root / "dz" / "bom.md"
    path.parent.mkdir(parents=True)
    path.write_bytes("\ufeff---\r\ntitle: 标题\r\ndate: 2026-11-20\r\n---\r\n正文\r\n".encode("utf-8"))
    source = load.load_source(path, content.root)
    assert source.readable
    assert source.meta["title"] == "标题"
    assert source.line("date") == 3


def test_yaml_11_surprises_are_plain_strings():
    tree = yamltree.parse("time: 12:30\nmode: 0755\nanswer: no\ncount: 12\nflag: true\n")
    assert tree.value == {"time": "12:30", "mode": "0755", "answer": "no", "count": 12, "flag": True}


def test_yaml_aliases_are_refused():
    import pytest

    with pytest.raises(yamltree.YamlProblem) as problem:
        yamltree.parse("a: &x [1, 2]\nb: *x\n")
    assert problem.value.code == "yaml-alias"
    assert problem.value.line == 2


def test_pure_yaml_submission_with_body(content):
    path = content.write("ht/2026/n.yaml", "kind: notice\ntitle: 公示\nbody: |\n  第一段\n")
    source = load.load_source(path, content.root)
    assert source.meta["kind"] == "notice"
    assert "body" not in source.meta
    assert source.body.strip() == "第一段"
    assert source.body_line == 4


def test_missing_front_matter_and_unclosed_block(content):
    missing = load.load_source(content.write("dz/a.md", "标题: 没有信息块\n"), content.root)
    assert [d.code for d in missing.diagnostics] == ["front-matter-missing"]
    unclosed = load.load_source(content.write("dz/b.md", "---\ntitle: 标题\n正文\n"), content.root)
    assert [d.code for d in unclosed.diagnostics] == ["front-matter-unclosed"]


def test_config_files_and_media_are_not_submissions(content):
    content.write("links.yaml", "links: []\n")
    content.write("media/readme.md", "x")
    content.article("dz/a.md", "title: x")
    names = [p.name for p in load.submission_files(content.root)]
    assert names == ["a.md"]


def test_the_tree_walk_keeps_every_rule_of_a_submission(content, tmp_path):
    content.write("site.yaml", "x: 1\n")  # config files count only at the top
    content.write("dz/site.yaml", "title: nested\n")
    content.write("media/readme.md", "x")
    content.write("dz/media/kept.md", "x")  # only the top-level media/ is assets
    content.write(".git/HEAD.md", "x")
    content.write("_drafts/a.md", "x")
    content.write("dz/_old.md", "x")
    content.write("dz/.hidden.md", "x")
    content.write("dz/UPPER.MD", "x")
    content.write("dz/b.yml", "x")
    content.write("dz/notes.txt", "x")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("x", encoding="utf-8")
    (content.root / "dz/linked.md").symlink_to(content.root / "dz/b.yml")
    (content.root / "dz/escape.md").symlink_to(outside / "secret.md")
    (content.root / "linked-folder").symlink_to(outside, target_is_directory=True)
    found = [p.relative_to(content.root).as_posix() for p in load.submission_files(content.root)]
    assert found == ["dz/UPPER.MD", "dz/b.yml", "dz/escape.md", "dz/linked.md", "dz/media/kept.md", "dz/site.yaml"]
    by_path_rules = sorted(p for p in load._walk(content.root) if load._is_submission(p, content.root))
    assert [p.relative_to(content.root).as_posix() for p in by_path_rules] == found
    # The build's one walk finds the same, with each one's stat, and lists every file and folder besides
    listing = load.listing(content.root)
    assert listing.submissions == [str(content.root / rel) for rel in found]
    for name in listing.submissions:
        status = Path(name).stat()  # a symlink's target, as validate reads it
        assert listing.stamps[name] == (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino)
    # and each one's name below content/ as relative_name gives it, but for the symlinks (which name their target)
    assert listing.relative == {
        name: load.relative_name(Path(name), content.root)
        for name in listing.submissions
        if not Path(name).is_symlink()
    }
    assert len(listing.relative) == len(found) - 2
    listed = [entry[0] for entry in listing.entries]
    assert listed == sorted(listed)
    assert {".git/HEAD.md", "_drafts/a.md", "media/readme.md", "dz/notes.txt", "linked-folder/secret.md"} <= set(listed)


def test_submission_names_are_in_the_order_of_sorted_paths(content):
    # "a-b" sorts before "a/…" as a string ("-" < "/") but after "a" as a path part: the walk must sort by parts
    for rel in ("a-b/x.md", "a/b.md", "a/b/c.md", "a.b.md", "a0/x.md", "A/x.md", "a/b-c.md", "a/b/a.md"):
        content.article(rel, "title: x")
    root = content.root.resolve()
    names = load.submission_names(root)
    assert names == [str(p) for p in sorted(load._walk(root)) if load._is_submission(p, root)]
    assert load.submission_files(root) == [Path(name) for name in names]


def test_libyaml_path_reads_exactly_what_the_strict_loader_reads():
    from pathlib import Path

    texts = [
        "time: 12:30\nmode: 0755\nanswer: no\ncount: 12\nratio: 1.5\nflag: true\nempty:\n",
        'title: 标题\npersons:\n  - name: 张三\n    birth: "1990-01"\n  - {name: 李四, gender: 女}\n',
    ]
    for path in sorted(Path("content").rglob("*.md")) + sorted(Path("content").rglob("*.yaml")):
        split = load.split_front_matter(path.read_text(encoding="utf-8-sig"))
        texts.append(split[0] if split and path.suffix == ".md" else path.read_text(encoding="utf-8-sig"))
    fast_used = 0
    for text in texts:
        if text is None:
            continue
        loader, node = yamltree._compose_fast(text)
        fast_used += loader is not None
        fast = yamltree.parse(text, 3)
        strict_loader, strict_node = yamltree._compose_strict(text, 3)
        strict = yamltree.Tree(None)
        if strict_node is not None:
            strict.value = yamltree._Builder(strict_loader, 3, lambda _p, k: k, strict.lines).build(strict_node, ())
        assert (fast.value, fast.lines) == (strict.value, strict.lines), text
    assert fast_used > len(texts) // 2  # the fast path is really taken


def test_yaml_node_bound_holds_on_the_libyaml_path():
    text = "items: [" + ", ".join(["1"] * (yamltree.MAX_NODES + 5)) + "]\n"
    assert yamltree._compose_fast(text)[0] is not None
    with pytest.raises(yamltree.YamlProblem) as problem:
        yamltree.parse(text)
    assert problem.value.code == "yaml-too-complex"
