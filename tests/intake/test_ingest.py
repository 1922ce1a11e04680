"""hongwang ingest: what collectors drop in a folder is filed, refused with a reason, and never lost."""

from __future__ import annotations

import io
import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from hongwang.cli import app
from hongwang.pipeline.content import load
from hongwang.pipeline.content.validate import validate
from hongwang.pipeline.core.hashing import sha256_file
from hongwang.pipeline.intake import convert, ingest, journal

from support.cli import HONGWANG

ROOT = Path(__file__).resolve().parents[2]
NOW = ingest.dates.parse("2026-11-23 10:00").value

GOOD_MD = """---
标题: 东渚镇开展主题党日活动
日期: 2026年11月20日
单位: "dz"
栏目: 党建动态
采集员: 王晓燕
---

　　11月20日，东渚镇组织党员开展主题党日活动。

![活动现场](<现场 照片.jpg>)
"""


def photo_with_gps(size=(2400, 1800)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "TestCam"  # Make
    exif[0x8825] = {1: "N", 2: (31.0, 17.0, 0.0), 3: "E", 4: (120.0, 37.0, 0.0)}  # GPS IFD
    output = io.BytesIO()
    image.save(output, "JPEG", exif=exif)
    return output.getvalue()


def has_gps(path: Path) -> bool:
    with Image.open(path) as image:
        return bool(image.getexif().get_ifd(0x8825))


@pytest.fixture
def inbox(tmp_path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder


def run(inbox, content, **kwargs):
    return ingest.ingest(inbox, content.root, now=NOW, **kwargs)


def test_markdown_with_photo_is_normalised_filed_and_logged(inbox, content):
    (inbox / "a.md").write_bytes(GOOD_MD.encode("gbk"))
    (inbox / "现场 照片.jpg").write_bytes(photo_with_gps())
    assert has_gps(inbox / "现场 照片.jpg")
    report = run(inbox, content)
    [decision] = report.decisions
    assert decision.accepted and decision.sources == ["a.md", "现场 照片.jpg"]
    filed = content.root / "dz/2026/dong-zhu-zhen-kai-zhan-zhu-ti-dang-ri-huo-dong.md"
    text = filed.read_text(encoding="utf-8")
    assert "title: 东渚镇开展主题党日活动" in text and "date: '2026-11-20'" in text and "标题" not in text
    assert "collector: 王晓燕" in text
    image_ref = "dong-zhu-zhen-kai-zhan-zhu-ti-dang-ri-huo-dong/xian-chang-zhao-pian.jpg"
    assert f"]({image_ref})" in text
    with Image.open(filed.parent / image_ref) as image:
        assert max(image.size) == convert.WEB_IMAGE_EDGE
    assert not has_gps(filed.parent / image_ref)
    assert sorted(p.name for p in (inbox / "done").iterdir()) == ["a.md", "现场 照片.jpg"]
    assert not (inbox / "a.md").exists()
    warnings = " ".join(decision.warnings)
    assert "encoding-converted" in warnings and "date-normalised" in warnings
    records = journal.read_log(inbox)
    assert [r["source"] for r in records] == ["a.md", "现场 照片.jpg"]
    assert records[0]["result"] == "accepted" and records[0]["org"] == "dz" and records[0]["collector"] == "王晓燕"
    assert records[0]["sha256"] == sha256_file(inbox / "done" / "a.md")
    assert records[0]["destination"] == "dz/2026/dong-zhu-zhen-kai-zhan-zhu-ti-dang-ri-huo-dong.md"
    assert validate(content.root).errors == []
    assert not (inbox / journal.WORK / "check").exists()
    assert [p.name for p in (inbox / journal.WORK).iterdir()] == ["lock"]


def test_text_file_takes_title_from_first_line_and_org_from_folder(inbox, content):
    (inbox / "dz").mkdir()
    (inbox / "dz" / "走访.txt").write_text("\n东渚镇开展冬季走访慰问\n\n第一段。\n\n第二段。\n", encoding="utf-8")
    [decision] = run(inbox, content).decisions
    assert decision.accepted, decision.reason
    source = load.load_source(content.root / decision.destination, content.root)
    assert source.meta["title"] == "东渚镇开展冬季走访慰问"
    assert source.meta["org"] == "dz" and source.meta["date"] == "2026-11-23"
    assert source.meta["category"] == "党建动态"
    assert source.body.strip() == "第一段。\n\n第二段。"
    assert (inbox / "done" / "dz" / "走访.txt").exists()


def test_text_file_without_org_folder_is_refused_with_a_chinese_reason(inbox, content):
    (inbox / "走访.txt").write_text("东渚镇开展冬季走访慰问\n正文\n", encoding="utf-8")
    [decision] = run(inbox, content).decisions
    assert not decision.accepted
    reason = (inbox / "rejected" / "走访.txt.退回原因.txt").read_text(encoding="utf-8")
    assert "单位代码命名的文件夹" in reason and "dz" in reason
    assert (inbox / "rejected" / "走访.txt").exists()
    assert journal.read_log(inbox)[0]["result"] == "rejected"


def explorer_name(name: str) -> str:
    """What Windows Explorer shows with "hide extensions for known file types" on (the default)."""
    stem, dot, suffix = name.rpartition(".")
    return stem if dot and suffix.lower() in {"txt", "md", "docx", "jpg", "yaml"} else name


def test_a_reason_note_never_looks_like_a_second_copy_in_explorer(inbox, content):
    (inbox / "走访.md").write_text("---\ntitle: 走访\n---\n正文\n", encoding="utf-8")
    (inbox / "走访.txt").write_text("东渚镇开展冬季走访慰问\n正文\n", encoding="utf-8")
    run(inbox, content)
    shown = sorted(explorer_name(p.name) for p in (inbox / "rejected").iterdir())
    assert shown == ["走访", "走访", "走访.md.退回原因", "走访.txt.退回原因"]  # the two sources, then two notes
    notes = [name for name in shown if "退回原因" in name]
    assert not {explorer_name(n) for n in notes} & {"走访.md", "走访.txt", "走访"}


def test_refusal_reason_names_file_line_code_and_fix(inbox, content):
    (inbox / "bad.md").write_text(
        '---\ntitle: 标题\ndate: 2026-11-20\norg: "dz-hg"\ncategory: 党建动态\n---\n\n'
        "联系人身份证 110101199003074514\n",
        encoding="utf-8",
    )
    [decision] = run(inbox, content).decisions
    reason = (inbox / "rejected" / "bad.md.退回原因.txt").read_text(encoding="utf-8")
    assert "bad.md 第 4 行：错误 [org-unknown]" in reason and "dz-hq" in reason and "修改方法" in reason
    assert "bad.md 第 8 行：错误 [personal-id]" in reason
    assert "110101199003074514" not in reason and "1101**********4514" in reason
    assert not any(content.root.rglob("*.md"))


def test_yaml_notice_is_filed_with_lines_of_the_yaml_file(inbox, content):
    notice = """kind: notice
title: 干部任前公示
date: 2026-11-16
org: "zzb"
notice_type: cadre
period:
  start: 2026-11-17
  end: 2026-11-19
contact:
  phone: "0512-12380"
persons:
  - name: 张某某
    gender: 男
    birth: "1982-05"
    current_post: 副镇长
    proposed_post: 镇长
body: |
  现予公示。
"""
    (inbox / "short.yaml").write_text(notice, encoding="utf-8")
    (inbox / "ok.yaml").write_text(
        notice.replace("2026-11-19", "2026-11-23").replace("干部任前公示", "任前公示"), encoding="utf-8"
    )
    ok, short = run(inbox, content).decisions
    assert ok.accepted and not short.accepted
    assert "short.yaml 第 8 行：错误 [period-too-short]" in short.reason and "2026-11-23" in short.reason
    filed = load.load_source(content.root / ok.destination, content.root)
    assert filed.meta["period"] == {"start": "2026-11-17", "end": "2026-11-23"}
    assert filed.body.strip() == "现予公示。"


def test_word_document_with_a_photo_is_converted(inbox, content):
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_heading("红旗村召开党员大会", level=1)
    document.add_paragraph("11月18日，红旗村党总支召开党员大会。")
    document.add_picture(io.BytesIO(photo_with_gps((2000, 1000))))
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "项目", "人数"
    table.cell(1, 0).text, table.cell(1, 1).text = "参会党员", "46"
    (inbox / "dz-hq").mkdir()
    document.save(inbox / "dz-hq" / "党员大会.docx")
    [decision] = run(inbox, content).decisions
    assert decision.accepted, decision.reason
    filed = content.root / decision.destination
    source = load.load_source(filed, content.root)
    assert source.meta["title"] == "红旗村召开党员大会" and source.meta["org"] == "dz-hq"
    assert "红旗村党总支召开党员大会" in source.body and "参会党员" in source.body
    [image] = (filed.parent / filed.stem).iterdir()
    assert f'src="{filed.stem}/{image.name}"' in source.body and "<table>" in source.body
    assert not has_gps(image)
    assert validate(content.root).errors == []


@pytest.mark.parametrize(
    "name, data, phrase",
    [
        ("old.doc", b"\xd0\xcf\x11\xe0junk", "另存为"),
        ("broken.docx", b"PK\x03\x04 not really a zip", "无法读取这个 Word 文档"),
        ("fake.jpg", b"not an image at all", "不是可以打开的图片"),
        ("logo.svg", b"<svg><script>alert(1)</script></svg>", "PNG"),
        ("binary.md", b"\x00\x01\x02" * 100, "不是文本"),
    ],
)
def test_unusable_files_are_refused_not_crashed(inbox, content, name, data, phrase):
    (inbox / "dz").mkdir()
    (inbox / "dz" / name).write_bytes(data)
    [decision] = run(inbox, content).decisions
    assert not decision.accepted
    assert phrase in (inbox / "rejected" / "dz" / f"{name}.退回原因.txt").read_text(encoding="utf-8")


def test_symlinks_are_refused_and_never_followed(inbox, content, tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text(GOOD_MD.replace("![活动现场](<现场 照片.jpg>)", "机密"), encoding="utf-8")
    (inbox / "link.md").symlink_to(secret)
    [decision] = run(inbox, content).decisions
    assert not decision.accepted and "链接" in decision.reason
    assert not any(content.root.rglob("*.md"))
    assert secret.exists()


def test_same_title_twice_gets_distinct_slugs(inbox, content):
    (inbox / "a.md").write_text(GOOD_MD, encoding="utf-8")
    (inbox / "b.md").write_text(GOOD_MD, encoding="utf-8")
    first, second = run(inbox, content).decisions
    assert first.destination.endswith("huo-dong.md") and second.destination.endswith("huo-dong-2.md")
    (inbox / "c.md").write_text(GOOD_MD, encoding="utf-8")
    [third] = run(inbox, content).decisions
    assert third.destination.endswith("huo-dong-3.md")
    assert validate(content.root).errors == []


def test_resubmitting_a_file_name_keeps_both_in_done(inbox, content):
    (inbox / "a.md").write_text(GOOD_MD, encoding="utf-8")
    run(inbox, content)
    (inbox / "a.md").write_text(GOOD_MD.replace("主题党日", "冬训"), encoding="utf-8")
    run(inbox, content)
    assert sorted(p.name for p in (inbox / "done").iterdir()) == ["a-2.md", "a.md"]


def test_dry_run_changes_nothing(inbox, content):
    (inbox / "a.md").write_text(GOOD_MD, encoding="utf-8")
    (inbox / "b.txt").write_text("标题\n正文\n", encoding="utf-8")
    before = sorted(p.relative_to(inbox.parent) for p in inbox.parent.rglob("*"))
    report = run(inbox, content, dry_run=True)
    assert [d.accepted for d in report.decisions] == [True, False]
    assert sorted(p.relative_to(inbox.parent) for p in inbox.parent.rglob("*")) == before


def test_cli_ingest_reports_and_exits_1_when_something_is_refused(inbox, content):
    (inbox / "a.md").write_text(GOOD_MD, encoding="utf-8")
    (inbox / "b.txt").write_text("标题\n正文\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["ingest", str(inbox), "--content", str(content.root)])
    assert result.exit_code == 1, result.output
    assert "已收录 a.md" in result.output and "已退回 b.txt" in result.output
    assert "收录 1 件，退回 1 件" in result.output
    again = CliRunner().invoke(app, ["ingest", str(inbox), "--content", str(content.root)])
    assert again.exit_code == 0 and "共 0 件" in again.output
    bad = CliRunner().invoke(app, ["ingest", str(content.root), "--content", str(content.root)])
    assert bad.exit_code == 2 and "Traceback" not in bad.output


def test_cli_ingest_json_has_one_record_per_submission(inbox, content):
    (inbox / "a.md").write_text(GOOD_MD.replace("![活动现场](<现场 照片.jpg>)", ""), encoding="utf-8")
    (inbox / "b.txt").write_text("标题\n正文\n", encoding="utf-8")
    dry = CliRunner().invoke(app, ["ingest", str(inbox), "--content", str(content.root), "--dry-run", "-f", "json"])
    assert dry.exit_code == 1 and json.loads(dry.stdout)["dry_run"] is True
    assert sorted(p.name for p in inbox.iterdir()) == ["a.md", "b.txt"]  # a dry run moves nothing
    result = CliRunner().invoke(app, ["ingest", str(inbox), "--content", str(content.root), "--format", "json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert (report["accepted"], report["rejected"], report["dry_run"]) == (1, 1, False)
    accepted, refused = sorted(report["decisions"], key=lambda d: d["sources"])
    assert accepted["accepted"] and accepted["org"] == "dz" and accepted["collector"] == "王晓燕"
    assert (content.root / accepted["destination"]).is_file() and accepted["reason"] is None
    assert not refused["accepted"] and refused["sources"] == ["b.txt"] and "单位" in refused["reason"]
    assert (inbox / refused["destination"]).is_file()  # the reason note beside the refused file


# ---------------------------------------------------------------- SIGKILL at any moment


def make_submissions(inbox: Path) -> dict[str, str]:
    """Submissions and what must become of them: 'done' or 'rejected'."""
    expected = {}
    for index in range(8):
        name = f"a{index:02d}.md"
        (inbox / name).write_text(
            GOOD_MD.replace("主题党日活动", f"主题党日活动第{index}次").replace("现场 照片.jpg", f"p{index}.jpg"),
            encoding="utf-8",
        )
        expected[name] = "done"
        if index % 3 == 0:
            (inbox / f"p{index}.jpg").write_bytes(photo_with_gps((400, 300)))
            expected[f"p{index}.jpg"] = "done"
    (inbox / "dz").mkdir()
    for index in range(3):
        (inbox / "dz" / f"t{index}.txt").write_text(f"红旗村活动{index}\n正文{index}\n", encoding="gbk")
        expected[f"dz/t{index}.txt"] = "done"
    for index in range(3):
        (inbox / f"bad{index}.md").write_text(GOOD_MD.replace('"dz"', '"nowhere"'), encoding="utf-8")
        expected[f"bad{index}.md"] = "rejected"
    return expected


def where(inbox: Path, rel: str) -> list[str]:
    return [
        state
        for state, path in (
            ("inbox", inbox / rel),
            ("done", inbox / "done" / rel),
            ("rejected", inbox / "rejected" / rel),
        )
        if path.exists()
    ]


def pending_decisions(inbox: Path) -> dict[str, dict]:
    found = {}
    for file in (inbox / journal.WORK).glob("*/decision.json"):
        data = json.loads(file.read_text(encoding="utf-8"))
        for rel in data["sources"]:
            found[rel] = data
    return found


def assert_nothing_lost_or_half_written(inbox: Path, content_root: Path, expected: dict[str, str]) -> None:
    pending = pending_decisions(inbox)
    logged = {r["source"]: r for r in journal.read_log(inbox)}
    for rel, outcome in expected.items():
        places = where(inbox, rel)
        assert len(places) == 1, (rel, places)
        if places == ["inbox"]:
            continue
        assert places == [outcome], (rel, places)
        decision = logged.get(rel) or pending.get(rel)
        assert decision, f"{rel} moved without a log line or a pending decision"
        if outcome == "done":
            assert (content_root / decision["destination"]).is_file(), rel
        else:
            assert (inbox / decision["destination"]).is_file(), rel
    # Whatever is in content/ is whole: it all validates (no torn file, no half-filed submission).
    assert validate(content_root).errors == []


def ingest_command(inbox: Path, content_root: Path) -> list[str]:
    return [*HONGWANG, "ingest", str(inbox), "--content", str(content_root)]


def assert_finished(inbox: Path, content_root: Path, expected: dict[str, str]) -> None:
    assert_nothing_lost_or_half_written(inbox, content_root, expected)
    for rel, outcome in expected.items():
        assert where(inbox, rel) == [outcome], rel
    records = journal.read_log(inbox)
    assert sorted(r["source"] for r in records) == sorted(expected)  # each decision logged exactly once
    filed = list(content_root.rglob("*.md"))
    assert len(filed) == sum(1 for rel, o in expected.items() if o == "done" and not rel.endswith(".jpg"))
    assert not list(content_root.rglob(".*.part")) and not pending_decisions(inbox)


def test_sigkill_at_every_kind_of_step_loses_nothing(inbox, content):
    """Ingest SIGKILLs itself at a random step boundary (mid-write, between writes and moves, before the
    log line, ...) run after run; every run first finishes what the previous one committed."""
    expected = make_submissions(inbox)
    rng = random.Random(3)
    kills, recovered_runs = 0, 0
    for _ in range(60):
        env = {**os.environ, journal.KILL_AT_STEP_ENV: str(rng.randint(1, 40))}
        process = subprocess.run(ingest_command(inbox, content.root), cwd=ROOT, env=env, capture_output=True, text=True)
        if process.returncode != -signal.SIGKILL:
            assert process.returncode in (0, 1), process.stderr
            break
        kills += 1
        recovered_runs += bool(pending_decisions(inbox))
        assert_nothing_lost_or_half_written(inbox, content.root, expected)
    assert kills >= 3 and recovered_runs >= 1
    assert_finished(inbox, content.root, expected)


def test_sigkill_from_outside_at_random_moments_loses_nothing(inbox, content):
    expected = make_submissions(inbox)
    env = {**os.environ, journal.STEP_DELAY_ENV: "0.003"}
    rng = random.Random(5)
    kills = 0
    for _ in range(4):
        logged = len(journal.read_log(inbox))
        process = subprocess.Popen(
            ingest_command(inbox, content.root), cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        while len(journal.read_log(inbox)) <= logged and process.poll() is None:
            time.sleep(0.005)  # wait until this run is filing, then strike at a random moment
        time.sleep(rng.uniform(0.0, 0.15))
        if process.poll() is not None:
            break
        process.send_signal(signal.SIGKILL)
        process.wait()
        kills += 1
        assert_nothing_lost_or_half_written(inbox, content.root, expected)
    assert kills >= 2
    final = subprocess.run(ingest_command(inbox, content.root), cwd=ROOT, capture_output=True, text=True)
    assert final.returncode in (0, 1), final.stderr
    assert_finished(inbox, content.root, expected)
