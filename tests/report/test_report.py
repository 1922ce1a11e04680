"""`hongwang report`: the portal judged like a website inspection, at a fixed --as-of date."""

import json
import shutil
from datetime import date
from html.parser import HTMLParser

import pytest

from hongwang.pipeline.content import freshness
from hongwang.pipeline.core import dates
from hongwang.pipeline.report import inspect as report
from hongwang.pipeline.report.render import spark

from support.cli import run
from support.example import EXAMPLE

AS_OF = "2026-11-23"


def report_json(content_dir, tmp_path, *extra, as_of=AS_OF):
    result = run(
        "report",
        "--content",
        content_dir,
        "--as-of",
        as_of,
        "--format",
        "json",
        "--links-results",
        tmp_path / "none.json",
        *extra,
    )
    return result.exit_code, json.loads(result.output)


def column(data, category, org=None):
    return next(c for c in data["columns"] if c["category"] == category and c["org"] == org)


def article(content, rel, day, category="党建动态", org="dz", title="标题"):
    content.article(rel, f'title: {title}\ndate: {day}\norg: "{org}"\ncategory: {category}')


# ---------------------------------------------------------------- the example county, all three formats


@pytest.fixture(scope="module")
def example_json(tmp_path_factory):
    return report_json(EXAMPLE, tmp_path_factory.mktemp("r"))


def test_example_stale_and_fresh_columns(example_json):
    code, data = example_json
    stale = {c["category"] for c in data["columns"] if c["scope"] == "site" and c["state"] == "stale"}
    assert stale == {"党建动态", "理论学习", "廉政建设", "党务公开", "政策法规"}
    assert column(data, "基层党建")["state"] == "ok"
    assert column(data, "通知公告")["state"] == "ok"  # notices: 6 months
    policy = column(data, "政策法规")
    assert (policy["last_update"], policy["days_since"], policy["window"]) == ("2026-02-25", 271, "6 个月")
    assert policy["stale_since"] == "2026-08-26"
    news = column(data, "党建动态")
    assert (news["last_update"], news["window"], news["stale_since"]) == ("2026-06-30", "14 天", "2026-07-15")


def test_example_columns_are_worst_first(example_json):
    _, data = example_json
    order = [report.STATE_ORDER[c["state"]] for c in data["columns"]]
    assert order == sorted(order)
    empty_villages = [c["org"] for c in data["columns"] if c["state"] == "empty"]
    assert "ht-sb" in empty_villages and all(c["category"] is None for c in data["columns"] if c["state"] == "empty")
    site_stale = [c["category"] for c in data["columns"] if c["scope"] == "site" and c["state"] == "stale"]
    assert site_stale[0] == "政策法规"  # the longest silence first


def test_example_waiting_letters_and_failure(example_json):
    code, data = example_json
    assert code == 1 and data["ok"] is False
    waiting = {w["received"]: w for w in data["letters_waiting"]}
    assert set(waiting) == {"2026-06-10", "2026-11-12"}
    assert waiting["2026-06-10"]["days_waiting"] == 166 and waiting["2026-06-10"]["overdue"] is True
    assert waiting["2026-11-12"]["days_waiting"] == 11 and waiting["2026-11-12"]["overdue"] is False
    assert [f["code"] for f in data["failures"]] == ["letter-overdue"]


def test_example_home_notices_identifiers_activity(example_json):
    _, data = example_json
    assert data["home"] == {
        "last_update": "2026-11-20",
        "latest_title": "青溪县委组织部关于干部任前公示的公告（第二批）",
        "days_since": 3,
        "window": "14 天",
        "state": "ok",
    }
    assert [n["start"] for n in data["notices_current"]] == ["2026-11-17"]
    assert [n["start"] for n in data["notices_starting"]] == ["2026-11-25"]
    assert [n["end"] for n in data["notices_ending"]] == ["2026-11-23"]
    assert data["identifiers_missing"] == []
    activity = {a["org"]: a for a in data["activity"]}
    assert activity["zzb"]["months"][0] == "2025-12" and activity["zzb"]["months"][-1] == "2026-11"
    assert activity["zzb"]["counts"][-1] == 3 and activity["zzb"]["total"] == 4
    assert activity["ht-sb"]["quiet"] and activity["ht-sb"]["last_update"] is None
    assert "1 项不合格" in data["summary"]


def test_example_text_report(tmp_path):
    result = run("report", "--content", EXAMPLE, "--as-of", AS_OF, "--links-results", tmp_path / "none.json")
    assert result.exit_code == 1
    out = result.output
    assert "✗ 来信“关于村务公开栏信息更新不及时的反映”（横塘镇党委）已等待 166 天未答复，超过 90 天" in out
    assert "超期  政策法规  政策  全县  6     2026-02-25  271 天  6 个月" in out
    assert "【页脚标识】齐全" in out
    assert out.rstrip().endswith("缺少页脚标识 0 项。")


class _Html(HTMLParser):
    def __init__(self):
        super().__init__()
        self.svgs = 0
        self.failures = []
        self._in_failure = False

    def handle_starttag(self, tag, attrs):
        self.svgs += tag == "svg"
        self._in_failure = tag == "li" and dict(attrs).get("data-code") is not None

    def handle_data(self, data):
        if self._in_failure:
            self.failures.append(data)
            self._in_failure = False


def test_example_html_report(tmp_path):
    target = tmp_path / "r" / "report.html"
    result = run(
        "report",
        "--content",
        EXAMPLE,
        "--as-of",
        AS_OF,
        "--format",
        "html",
        "--output",
        target,
        "--links-results",
        tmp_path / "none.json",
    )
    assert result.exit_code == 1 and f"报告已写入 {target}" in result.output
    page = target.read_text(encoding="utf-8")
    parsed = _Html()
    parsed.feed(page)
    assert parsed.svgs == 37  # one sparkline per org in orgs.yaml
    assert parsed.failures == ["来信“关于村务公开栏信息更新不及时的反映”（横塘镇党委）已等待 166 天未答复，超过 90 天"]
    assert '<html lang="zh-CN">' in page and "http" not in page.split("<body>")[0]  # standalone: nothing fetched
    assert '<tr class="state-stale"><td>超期</td><td>政策法规</td>' in page


def test_missing_identifiers_in_all_three_formats(tmp_path):
    copy = tmp_path / "content"
    shutil.copytree(EXAMPLE, copy)
    site = (copy / "site.yaml").read_text(encoding="utf-8")
    site = "\n".join(line for line in site.split("\n") if not line.startswith(("icp:", "site_code:")))
    (copy / "site.yaml").write_text(site, encoding="utf-8")
    code, data = report_json(copy, tmp_path)
    assert code == 1
    assert data["identifiers_missing"] == [
        {"key": "icp", "name": "ICP备案号"},
        {"key": "site_code", "name": "网站标识码"},
    ]
    assert [f["code"] for f in data["failures"]].count("identifier-missing") == 2
    text = run("report", "--content", copy, "--as-of", AS_OF, "--links-results", tmp_path / "x").output
    assert "【页脚标识】缺少 ICP备案号（icp）、网站标识码（site_code）" in text
    assert "✗ site.yaml 缺少 icp（ICP备案号），页脚不显示" in text
    run(
        "report",
        "--content",
        copy,
        "--as-of",
        AS_OF,
        "-f",
        "html",
        "-o",
        tmp_path / "r.html",
        "--links-results",
        tmp_path / "x",
    )
    assert "<li>缺少 ICP备案号（site.yaml 中的 icp）</li>" in (tmp_path / "r.html").read_text(encoding="utf-8")


# ---------------------------------------------------------------- every state, one at a time


def test_news_window_boundary_and_empty_category(content, tmp_path):
    article(content, "dz/a.md", "2026-11-09")
    _, data = report_json(content.root, tmp_path)
    assert column(data, "党建动态")["state"] == "ok"  # exactly 14 days
    assert column(data, "党建动态", "dz")["state"] == "ok"
    assert column(data, "党务公开")["state"] == "empty" and column(data, "党务公开")["items"] == 0
    assert column(data, None, "zzb")["state"] == "empty"  # an org with nothing published
    _, data = report_json(content.root, tmp_path, as_of="2026-11-24")
    assert column(data, "党建动态")["state"] == "stale"
    assert data["home"]["state"] == "stale"


def test_home_page_stale_is_a_failure_and_fresh_home_exits_0(content, tmp_path):
    article(content, "dz/a.md", "2026-11-01")
    content.article("dz/b.md", 'title: 公告\ndate: 2026-11-01\norg: "dz"\ncategory: 通知公告')
    code, data = report_json(content.root, tmp_path)
    assert code == 1 and [f["code"] for f in data["failures"]] == ["home-stale"]
    code, data = report_json(content.root, tmp_path, as_of="2026-11-10")
    assert code == 0 and data["ok"] and data["failures"] == []
    assert "没有不合格项" in data["summary"]


def test_notices_window_in_months_and_configurable_windows(content, tmp_path):
    content.write(
        "site.yaml",
        content.root.joinpath("site.yaml")
        .read_text(encoding="utf-8")
        .replace(
            "{name: 通知公告, slug: tongzhi, kind: notices}",
            "{name: 通知公告, slug: tongzhi, kind: notices}\n  - {name: 政策法规, slug: zhengce, kind: policy}",
        )
        + "freshness:\n  news: 1 个月\n  policy: 90\n",
    )
    content.article("zzb/a.md", 'title: 通知\ndate: 2026-05-23\norg: "zzb"\ncategory: 通知公告')
    content.article("zzb/b.md", 'title: 办法\ndate: 2026-08-24\norg: "zzb"\ncategory: 政策法规')
    article(content, "dz/a.md", "2026-10-23")
    _, data = report_json(content.root, tmp_path)
    assert column(data, "通知公告")["state"] == "ok"  # 6 months back from 11-23 is 05-23
    assert column(data, "政策法规")["state"] == "stale" and column(data, "政策法规")["window"] == "90 天"
    assert column(data, "党建动态")["state"] == "ok" and column(data, "党建动态")["window"] == "1 个月"
    _, data = report_json(content.root, tmp_path, as_of="2026-11-24")
    assert column(data, "通知公告")["state"] == "stale"
    assert column(data, "党建动态")["state"] == "stale"


def test_unreadable_window_falls_back_and_says_so(content, tmp_path):
    content.write(
        "site.yaml", content.root.joinpath("site.yaml").read_text(encoding="utf-8") + "freshness:\n  news: 两周\n"
    )
    article(content, "dz/a.md", "2026-11-09")
    _, data = report_json(content.root, tmp_path)
    assert column(data, "党建动态")["window"] == "14 天"
    assert any("两周" in note for note in data["notes"])


def letter(content, name, received, replied=None):
    reply = f'\nreply_date: "{replied}"\nstatus: 已答复\nreply: 已答复。' if replied else "\nstatus: 办理中"
    content.article(
        f"letters/{name}.md", f'kind: letter\ntitle: 来信{name}\nreceived: "{received}"\norg: "dz"{reply}', "来信内容。"
    )


def test_letters_waiting_90_days_is_fine_91_is_a_failure(content, tmp_path):
    article(content, "dz/a.md", "2026-11-20")
    letter(content, "ninety", "2026-08-25")
    letter(content, "ninety-one", "2026-08-24")
    letter(content, "answered", "2026-01-05", replied="2026-01-10")
    code, data = report_json(content.root, tmp_path)
    assert [(w["title"], w["days_waiting"], w["overdue"]) for w in data["letters_waiting"]] == [
        ("来信ninety-one", 91, True),
        ("来信ninety", 90, False),
    ]
    assert code == 1 and [f["code"] for f in data["failures"]] == ["letter-overdue"]


def notice(content, name, start, end, published="2026-11-01"):
    content.write(
        f"dz/{name}.yaml",
        f"""\
        kind: notice
        title: 公示{name}
        date: "{published}"
        org: "dz"
        notice_type: other
        period: {{start: "{start}", end: "{end}"}}
        contact: {{phone: "0512-12380"}}
        persons: [{{name: 张三}}]
        """,
    )


def test_notices_current_starting_and_ending_within_7_days(content, tmp_path):
    notice(content, "ending-soon", "2026-11-16", "2026-11-30")
    notice(content, "running-long", "2026-11-01", "2026-12-31")
    notice(content, "starts-in-7", "2026-11-30", "2026-12-04")
    notice(content, "starts-in-8", "2026-12-01", "2026-12-07")
    notice(content, "over", "2026-11-02", "2026-11-06")
    notice(content, "not-yet-published", "2026-11-25", "2026-11-30", published="2026-11-24")  # embargoed
    _, data = report_json(content.root, tmp_path, as_of="2026-11-23")
    titles = lambda key: [n["title"] for n in data[key]]  # noqa: E731
    assert titles("notices_current") == ["公示running-long", "公示ending-soon"]
    assert titles("notices_ending") == ["公示ending-soon"]
    assert titles("notices_starting") == ["公示starts-in-7"]


def test_broken_internal_links_from_check_links_results(content, tmp_path):
    article(content, "dz/a.md", "2026-11-20")
    results = tmp_path / "check-links.json"
    results.write_text(
        json.dumps(
            {
                "checked_at": "2026-11-23T08:00:00+08:00",
                "internal": {"pages": 3, "references": 40, "broken": [{"page": "index.html", "ref": "gone.html"}]},
                "external": None,
            }
        ),
        encoding="utf-8",
    )
    result = run("report", "--content", content.root, "--as-of", AS_OF, "--format", "json", "--links-results", results)
    data = json.loads(result.output)
    assert result.exit_code == 1 and [f["code"] for f in data["failures"]] == ["link-broken"]
    assert data["links"]["internal_checked"] == 40
    text = run("report", "--content", content.root, "--as-of", AS_OF, "--links-results", results).output
    assert "内部链接 40 个，失效 1 个" in text and "✗ index.html 中的链接 gone.html 指向不存在的文件" in text


def test_bad_as_of_is_a_usage_error(content):
    result = run("report", "--content", content.root, "--as-of", "下周一")
    assert result.exit_code == 2 and "--as-of" in result.output


# ---------------------------------------------------------------- pieces


def test_month_windows_clamp_to_month_end():
    six_months = freshness.DEFAULTS["notices"]
    assert six_months.oldest_fresh(date(2026, 8, 31)) == date(2026, 2, 28)
    assert six_months.first_stale_day(date(2026, 2, 28)) == date(2026, 8, 29)
    assert freshness.parse_window("2 周") == freshness.Window(14, "days")
    assert freshness.parse_window("6个月") == freshness.Window(6, "months")
    assert freshness.parse_window(0) is None and freshness.parse_window("soon") is None


def test_month_keys_and_text_sparkline():
    assert report.month_keys(dates.parse("2026-02-10").value.date(), 3) == ["2025-12", "2026-01", "2026-02"]
    assert spark([0, 1, 4, 8]) == "·▁▄█"


def test_content_with_errors_is_still_reported(content, tmp_path):
    article(content, "dz/a.md", "2026-11-20")
    content.article("letters/x.md", 'kind: letter\ntitle: 没写收信日期\norg: "dz"\nstatus: 办理中', "来信。")
    code, data = report_json(content.root, tmp_path)
    assert code == 1 and data["content_errors"] == 1
    assert data["failures"] == [
        {"code": "letter-overdue", "message": "来信“没写收信日期”（东渚镇）没有收信日期，按超期未答复计"}
    ]


@pytest.mark.browser
def test_html_report_as_chromium_shows_it(chromium, tmp_path):
    from support.browser import screenshot

    target = tmp_path / "report.html"
    run(
        "report",
        "--content",
        EXAMPLE,
        "--as-of",
        AS_OF,
        "--format",
        "html",
        "--output",
        target,
        "--links-results",
        tmp_path / "none.json",
    )
    page = chromium.new_page(viewport={"width": 1100, "height": 900})
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(target.as_uri())
    assert requests == [target.as_uri()]  # standalone: no stylesheet, font or script fetched
    assert page.locator("#summary").inner_text().startswith("青溪红网 2026-11-23 检查结论：1 项不合格")
    sparklines = page.locator("svg.spark polyline")
    assert sparklines.count() == 37
    box = sparklines.first.bounding_box()
    assert box and box["width"] > 100  # drawn across the 12 months, not collapsed
    stale_row = page.locator("tr.state-stale").first
    assert stale_row.evaluate("row => getComputedStyle(row).backgroundColor") != "rgba(0, 0, 0, 0)"
    screenshot(page, "report-example")
    page.close()
