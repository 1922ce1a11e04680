"""Each diagnostic names the file, the line, a code and a fix in Chinese."""

import pytest

from hongwang.pipeline.content.validate import validate

GOOD = """
    title: 东渚镇开展主题党日活动
    date: 2026-11-20
    org: "dz"
    category: 党建动态
"""


def codes(result):
    return codes_of(result.diagnostics)


def codes_of(diagnostics):
    return [(d.file, d.line, d.code) for d in diagnostics]


def test_clean_article_has_no_diagnostics(content):
    content.article("dz/2026/good.md", GOOD)
    result = validate(content.root)
    assert result.diagnostics == []
    assert result.documents[0].fields["slug"] == "good"


def test_unknown_key_suggests_the_right_one(content):
    content.article("dz/2026/a.md", GOOD + "    summery: 摘要\n")
    [d] = validate(content.root).diagnostics
    assert (d.file, d.line, d.code, d.severity) == ("dz/2026/a.md", 6, "unknown-key", "error")
    assert "summary" in d.message and "修改方法" in d.message


def test_missing_required_field(content):
    content.article("dz/2026/a.md", 'title: 标题\ndate: 2026-11-20\norg: "dz"')
    [d] = validate(content.root).diagnostics
    assert d.code == "required-missing" and "category" in d.message and "栏目" in d.message


def test_bad_date_names_line_and_form(content):
    content.article("dz/2026/a.md", GOOD.replace("2026-11-20", "2026-13-45"))
    [d] = validate(content.root).diagnostics
    assert (d.line, d.code) == (3, "date-invalid")
    assert "2026-11-20" in d.message  # the fix shows the right form


def test_chinese_date_forms_are_read_with_a_warning(content):
    content.article("dz/2026/a.md", GOOD.replace("2026-11-20", "2026年11月20日"))
    result = validate(content.root)
    [d] = result.diagnostics
    assert (d.code, d.severity) == ("date-normalised", "warning")
    assert result.documents[0].fields["date"].day.isoformat() == "2026-11-20"


def test_unknown_org_suggests_code_and_maps_names(content):
    content.article("dz/2026/a.md", GOOD.replace('"dz"', '"dz-hg"'))
    content.article("dz/2026/b.md", GOOD.replace('"dz"', "东渚镇"))
    found = validate(content.root).diagnostics
    assert [(d.file, d.line, d.code) for d in found] == [
        ("dz/2026/a.md", 4, "org-unknown"),
        ("dz/2026/b.md", 4, "org-unknown"),
    ]
    assert "dz-hq" in found[0].message
    assert 'org: "dz"' in found[1].message


def test_unknown_category(content):
    content.article("dz/2026/a.md", GOOD.replace("党建动态", "党建动太"))
    [d] = validate(content.root).diagnostics
    assert (d.line, d.code) == (5, "category-unknown") and "党建动态" in d.message


def test_duplicate_slug(content):
    content.article("dz/2026/a.md", GOOD + "    slug: same\n")
    content.article("zzb/2026/b.md", GOOD + "    slug: same\n")
    [d] = validate(content.root).diagnostics
    assert (d.file, d.line, d.code) == ("zzb/2026/b.md", 6, "slug-duplicate")
    assert "dz/2026/a.md" in d.message


def test_chinese_title_file_gets_pinyin_slug(content):
    content.article("dz/2026/东渚镇活动.md", GOOD)
    [doc] = validate(content.root).documents
    assert doc.fields["slug"] == "dong-zhu-zhen-kai-zhan-zhu-ti-dang-ri-huo-dong"


def test_disclosure_needs_review_trail(content):
    content.article("dz/2026/d.md", GOOD.replace("党建动态", "党务公开"))
    [d] = validate(content.root).diagnostics
    assert d.code == "review-missing"
    content.article(
        "dz/2026/d.md",
        GOOD.replace("党建动态", "党务公开")
        + "    reviewed_by: 张某\n    approved_by: 李某\n    approved_on: 2026-11-19\n",
    )
    assert validate(content.root).diagnostics == []


def test_internal_disclosure_may_skip_review(content):
    content.article("dz/2026/d.md", GOOD.replace("党建动态", "党务公开") + "    audience: internal\n")
    assert validate(content.root).diagnostics == []


def test_fullwidth_colon_and_tab(content):
    content.write("dz/a.md", "---\ntitle：标题\ndate: 2026-11-20\n---\n")
    content.write("dz/b.md", "---\ntitle: 标题\nperiod:\n\tstart: 2026-11-20\n---\n")
    found = codes(validate(content.root))
    assert ("dz/a.md", 2, "yaml-fullwidth") in found
    assert ("dz/b.md", 4, "yaml-tab") in found


def test_short_cadre_notice_says_how_to_fix(content):
    content.article(
        "zzb/2026/n.md",
        """
        kind: notice
        title: 干部任前公示
        date: 2026-09-28
        org: "zzb"
        notice_type: cadre
        period: {start: 2026-09-29, end: 2026-10-08}
        contact: {phone: "0512-12380"}
        persons:
          - {name: 张三, gender: 男, birth: "1980-05", current_post: 副镇长, proposed_post: 镇长}
    """,
    )
    [d] = validate(content.root).diagnostics
    # 29, 30 September and 8 October are working days; 1–7 October is the National Day holiday.
    assert d.code == "period-too-short"
    assert "只有 3 个工作日" in d.message
    # 9 October (Friday) and 10 October, a Saturday made a working day, complete the five:
    # a Monday–Friday count would have said 12 October.
    assert "2026-10-10" in d.message


def test_birth_dates_must_stop_at_the_month(content):
    content.article(
        "zzb/2026/n.md",
        """
        kind: notice
        title: 干部任前公示
        date: 2026-11-16
        org: "zzb"
        notice_type: cadre
        period: {start: 2026-11-17, end: 2026-11-23}
        contact: {phone: "0512-12380"}
        persons:
          - {name: 张三, gender: 男, birth: "1980-05-12", current_post: 副镇长, proposed_post: 镇长}
    """,
    )
    [d] = validate(content.root).diagnostics
    assert (d.code, d.line) == ("birth-too-precise", 10)
    assert "1980-05" in d.message


def test_personal_id_is_reported_masked(content):
    content.article("dz/2026/a.md", GOOD, body="联系人身份证号 11010519491231002X。")
    [d] = validate(content.root).diagnostics
    assert d.code == "personal-id"
    assert "1101**********002X" in d.message and "11010519491231002X" not in d.message


def test_example_content_is_clean():
    from support.example import EXAMPLE

    result = validate(EXAMPLE)
    assert result.errors == []
    assert len(result.documents) >= 50


def test_a_cached_verdict_says_what_checking_the_file_said(content, tmp_path, monkeypatch):
    from hongwang.pipeline.core import cache

    monkeypatch.setattr(cache.FileDigests, "RACY_SECONDS", -60)  # trust the stat of files written just now
    content.article("dz/2026/good.md", GOOD)
    content.article("dz/2026/warned.md", GOOD.replace("主题党日活动", "<b>主题党日</b>活动"), "![](missing.png)")
    content.article("dz/2026/again.md", GOOD + "    slug: good\n")  # good.md's slug: a check across files
    checked = validate(content.root, store=cache.Store(tmp_path / "cache"))
    assert {code for _, _, code in codes(checked)} == {"slug-duplicate", "html-sanitised", "image-alt-missing"}

    assert_answered_from_cache(content.root, tmp_path / "cache", checked, monkeypatch)


def assert_answered_from_cache(root, cache_folder, checked, monkeypatch) -> None:
    """Validating again reads no submission (load_source) and says what checking them said, with and without
    the documents."""
    from hongwang.pipeline.content import load
    from hongwang.pipeline.core import cache

    def unread(*args, **kwargs):
        raise AssertionError("a file whose bytes were checked before was read and checked again")

    monkeypatch.setattr(load, "load_source", unread)
    for documents in (False, True):
        again = validate(root, store=cache.Store(cache_folder), documents=documents)
        assert again.diagnostics == checked.diagnostics
        assert again.facts == checked.facts
        assert [d.fields for d in again.documents] == ([d.fields for d in checked.documents] if documents else [])


def test_a_validate_alone_keeps_no_document_and_the_build_makes_them(content, tmp_path, monkeypatch):
    """`hongwang validate` checks without making the documents only a build needs; the next build checks those
    files again for them, and what it builds from is what a fresh check makes."""
    from hongwang.pipeline.content import load
    from hongwang.pipeline.content import validate as module
    from hongwang.pipeline.core import cache

    monkeypatch.setattr(cache.FileDigests, "RACY_SECONDS", -60)  # trust the stat of files written just now
    content.article("dz/2026/good.md", GOOD)
    content.article("dz/2026/warned.md", GOOD.replace("主题党日活动", "<b>主题党日</b>活动"))
    store = tmp_path / "cache"
    alone = validate(content.root, store=cache.Store(store), documents=False)
    kept = cache.Store(store).read(module.VERDICTS, cache.SHARDS)
    assert len(kept) == 2 and not any(documented for *_, documented in kept.values())
    assert cache.Store(store).read(module.DOCUMENTS, cache.SHARDS) == {}

    real_load = load.load_source
    read = []
    monkeypatch.setattr(load, "load_source", lambda path, *a, **k: read.append(path.name) or real_load(path, *a, **k))
    assert validate(content.root, store=cache.Store(store), documents=False).diagnostics == alone.diagnostics
    assert read == []  # the verdicts alone answer another validate
    built = validate(content.root, store=cache.Store(store))
    assert sorted(read) == ["good.md", "warned.md"]
    fresh = validate(content.root)
    assert built.diagnostics == alone.diagnostics == fresh.diagnostics
    assert [d.fields for d in built.documents] == [d.fields for d in fresh.documents] != []
    assert_answered_from_cache(content.root, store, built, monkeypatch)


def test_a_file_whose_stat_changed_but_not_its_bytes_is_hashed_not_checked_again(content, tmp_path, monkeypatch):
    """Written just before the run (its stat not trusted yet), copied or checked out again: the same bytes."""
    import os

    from hongwang.pipeline.core import cache, workers

    content.article("dz/2026/good.md", GOOD)
    content.article("dz/2026/warned.md", GOOD.replace("主题党日活动", "<b>主题党日</b>活动"))
    checked = validate(content.root, store=cache.Store(tmp_path / "cache"))
    assert {code for _, _, code in codes(checked)} == {"html-sanitised"}
    for path in content.root.rglob("*.md"):
        os.utime(path)
    monkeypatch.setattr(workers, "MIN_PARALLEL_TASKS", 1)  # hashed by forked workers, as a county's files are
    monkeypatch.setenv("HONGWANG_WORKERS", "2")
    assert_answered_from_cache(content.root, tmp_path / "cache", checked, monkeypatch)


def test_an_image_header_is_read_again_only_when_the_image_changed(content, tmp_path, monkeypatch):
    import io

    from PIL import Image

    from hongwang.pipeline.core import cache, images

    monkeypatch.setattr(cache.FileDigests, "RACY_SECONDS", -60)  # trust the stat of files written just now
    png = io.BytesIO()
    Image.new("RGB", (4, 3)).save(png, "PNG")
    content.article("dz/2026/photo.md", GOOD, "![合影](photo.png)")
    image = content.root / "dz/2026/photo.png"
    image.write_bytes(png.getvalue())
    read = []
    real_check = images.check
    monkeypatch.setattr(images, "check", lambda source: read.append(source) or real_check(source))

    def image_codes():
        return [code for _, _, code in codes(validate(content.root, store=cache.Store(tmp_path / "cache")))]

    assert image_codes() == [] and len(read) == 1
    assert image_codes() == [] and len(read) == 1  # the same stat: the verdict kept, the header not read
    image.write_bytes(b"\x89PNG\r\n\x1a\nnot really")  # the photo replaced by a broken file
    assert image_codes() == ["image-unreadable"] and len(read) == 2
    assert image_codes() == ["image-unreadable"] and len(read) == 2
    image.write_bytes(png.getvalue())
    assert image_codes() == [] and len(read) == 3


def test_a_validate_with_nothing_changed_says_what_the_last_one_said_without_reading_a_file(
    content, tmp_path, monkeypatch
):
    from datetime import datetime, timedelta

    from hongwang.pipeline.content import load
    from hongwang.pipeline.content.validate import report
    from hongwang.pipeline.core import cache, dates

    content.article("dz/2026/good.md", GOOD)
    content.article("dz/2026/later.md", GOOD.replace("2026-11-20", "2027-03-01"))  # far ahead of `now`
    now = datetime(2026, 11, 25, 9, 0, tzinfo=dates.SHANGHAI)
    store = cache.Store(tmp_path / "cache")
    said = report(content.root, store, now)
    assert [code for _, _, code in codes_of(said)] == ["date-far-future"]

    real_load = load.load_source
    monkeypatch.setattr(load, "load_source", lambda *a, **k: pytest.fail("a file was read again"))
    assert report(content.root, cache.Store(tmp_path / "cache"), now + timedelta(hours=1)) == said
    # The next day (or any moment an item's dates could change a warning) it is checked again, and an edit is seen
    monkeypatch.setattr(load, "load_source", real_load)
    [tomorrow] = report(content.root, cache.Store(tmp_path / "cache"), now + timedelta(days=1))
    assert "晚 96 天" in said[0].message and "晚 95 天" in tomorrow.message
    content.article("dz/2026/good.md", GOOD.replace('org: "dz"', 'org: "nowhere"'))
    broken = report(content.root, cache.Store(tmp_path / "cache"), now + timedelta(days=1))
    assert "org-unknown" in [code for _, _, code in codes_of(broken)]
    # An error is never answered from the record: its file is the one being fixed, and checked every time
    checked = []
    monkeypatch.setattr(load, "load_source", lambda *a, **k: checked.append(a[0]) or real_load(*a, **k))
    assert report(content.root, cache.Store(tmp_path / "cache"), now + timedelta(days=1)) == broken
    assert [path.name for path in checked] == ["good.md"]
