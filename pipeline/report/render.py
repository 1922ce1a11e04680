"""The site health report (report.Report) as text for a terminal, JSON for programs, HTML for the web team."""

from __future__ import annotations

import json
import unicodedata

from jinja2 import Environment, FileSystemLoader

from ..core.paths import THEME
from .inspect import LETTER_LIMIT_DAYS, Report, summary

STATE_NAMES = {"ok": "正常", "stale": "超期", "empty": "空栏目"}
KIND_NAMES = {"news": "动态", "notices": "公告", "policy": "政策", "disclosure": "公开", "special": "专栏"}
SPARK_CHARS = "▁▂▃▄▅▆▇█"


def as_json(report: Report) -> str:
    return json.dumps(report.as_dict(), ensure_ascii=False, indent=2)


# ---------------------------------------------------------------- text


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text, columns: int) -> str:
    text = "" if text is None else str(text)
    return text + " " * max(columns - width(text), 0)


def table(rows: list[list], headers: list[str]) -> list[str]:
    columns = zip(headers, *rows, strict=True)
    widths = [max(width(str(cell if cell is not None else "")) for cell in column) for column in columns]
    lines = ["  " + "  ".join(pad(h, w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines += ["  " + "  ".join(pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return lines


def spark(counts: list[int]) -> str:
    top = max(counts) or 1
    return "".join(
        " " if c == 0 else SPARK_CHARS[min(len(SPARK_CHARS) - 1, (c * len(SPARK_CHARS) - 1) // top)] for c in counts
    ).replace(" ", "·")


def _ago(days: int | None) -> str:
    return "" if days is None else f"{days} 天"


def column_rows(columns) -> list[list]:
    return [
        [
            STATE_NAMES[c.state],
            c.category or "（单位页面）",
            KIND_NAMES[c.kind],
            c.org_name or "全县",
            c.items,
            c.last_update or "无",
            _ago(c.days_since),
            c.window,
        ]
        for c in columns
    ]


def _profile_name(profile: str) -> str:
    return "对外网站" if profile == "public" else "内网"


def as_text(report: Report) -> str:
    out = [
        f"{report.site} 网站健康检查报告（检查日期 {report.as_of}，{_profile_name(report.profile)}）",
        "",
    ]
    out.append("【不合格项】")
    out += [f"  ✗ {f.message}" for f in report.failures] or ["  无"]
    home = report.home
    out += [
        "",
        f"【首页】最近更新 {home.last_update or '无'}"
        + (f"（{home.days_since} 天前，期限 {home.window}）" if home.days_since is not None else "")
        + f"：{STATE_NAMES[home.state]}"
        + (f"　{home.latest_title}" if home.latest_title else ""),
    ]
    headers = ["状态", "栏目", "类型", "单位", "条数", "最近更新", "距今", "期限"]
    for scope, title in (("site", "全站栏目"), ("org", "各单位栏目")):
        columns = [c for c in report.columns if c.scope == scope]
        out += [
            "",
            f"【{title}】{len(columns)} 个，超期 {sum(c.state == 'stale' for c in columns)} 个，"
            f"空 {sum(c.state == 'empty' for c in columns)} 个（最差的在前）",
        ]
        out += table(column_rows(columns), headers)
    out += ["", f"【回音壁待答复来信】{len(report.letters_waiting)} 件（超过 {LETTER_LIMIT_DAYS} 天为不合格）"]
    out += (
        table(
            [
                ["超期" if w.overdue else "办理中", w.days_waiting, w.received, w.org_name, w.title]
                for w in report.letters_waiting
            ],
            ["状态", "已等待天数", "收信日期", "答复单位", "标题"],
        )
        if report.letters_waiting
        else ["  无"]
    )
    for label, notices in (
        ("公示中", report.notices_current),
        ("7 天内开始", report.notices_starting),
        ("7 天内结束", report.notices_ending),
    ):
        out += ["", f"【公示：{label}】{len(notices)} 个"]
        out += [f"  {n.start} 至 {n.end}  {n.notice_type}  {n.title}" for n in notices] or ["  无"]
    out += [
        "",
        "【页脚标识】"
        + (
            "齐全"
            if not report.identifiers_missing
            else "缺少 " + "、".join(f"{i['name']}（{i['key']}）" for i in report.identifiers_missing)
        ),
    ]
    out += ["", "【链接检查】" + _links_line(report)]
    first, last = (report.activity[0].months[0], report.activity[0].months[-1]) if report.activity else ("", "")
    out += ["", f"【各单位近 12 个月发布量】{first} 至 {last}，每格一个月（· 为 0）"]
    out += table(
        [
            [a.name, spark(a.counts), a.total, a.last_update or "从未发布", "近一年无更新" if a.quiet else ""]
            for a in report.activity
        ],
        ["单位", "逐月", "合计", "最近更新", ""],
    )
    out += [""] + [f"注意：{n}" for n in report.notes] + ([""] if report.notes else [])
    if report.content_errors:
        out.append(f"注意：内容检查有 {report.content_errors} 个错误，网站无法生成，请先运行 hongwang validate。")
    out.append(summary(report))
    return "\n".join(out) + "\n"


def _links_line(report: Report) -> str:
    links = report.links
    if links is None:
        return "没有检查结果（运行 hongwang check-links 后再生成报告）"
    if links.get("error"):
        return links["error"]
    broken = len(links["internal_broken"])
    text = f"{links.get('checked_at')} 检查：内部链接 {links['internal_checked']} 个，失效 {broken} 个"
    if links.get("external_checked") is not None:
        text += (
            f"；外部链接 {links['external_checked']} 个，失效 {len(links['external_broken'])} 个，"
            f"跳转 {len(links['redirects'])} 个"
        )
    return text


# ---------------------------------------------------------------- html


def sparkline_points(counts: list[int], width_px: int = 120, height_px: int = 24) -> str:
    top = max(counts) or 1
    step = width_px / max(len(counts) - 1, 1)
    return " ".join(f"{i * step:.1f},{height_px - 2 - (c / top) * (height_px - 4):.1f}" for i, c in enumerate(counts))


_environment = Environment(loader=FileSystemLoader(THEME / "report"), autoescape=True, trim_blocks=False)


def as_html(report: Report) -> str:
    months = report.activity[0].months if report.activity else [""]
    return _environment.get_template("report.html").render(
        r=report,
        summary=summary(report),
        states=STATE_NAMES,
        kinds=KIND_NAMES,
        limit=LETTER_LIMIT_DAYS,
        links_line=_links_line(report),
        months=months,
        points=sparkline_points,
        zip=zip,
    )


RENDERERS = {"text": as_text, "json": as_json, "html": as_html}


def render(report: Report, output_format: str) -> str:
    return RENDERERS[output_format](report)
