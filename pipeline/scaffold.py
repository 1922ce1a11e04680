"""`hongwang new`: filled-in templates collectors start from."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from . import validate
from .dates import iso_day


class ScaffoldError(Exception):
    pass


ARTICLE = """---
# 文章。# 后面是说明，可以保留也可以删除。冒号用英文冒号，冒号后加一个空格。
title: {title}
date: "{now}"
org: "{org}"
category: 党建动态          # 栏目，须是网站已有栏目：{categories}
collector: 请填写采集员姓名
summary: 请用一两句话概括本文。
tags: []
# audience: internal        # 仅党内公开时取消本行开头的 #
# status: draft             # 暂不发布时取消本行开头的 #
---

请在这里写正文。段落之间空一行。
"""

NOTICE = """---
# 公示。公示期不少于规定的工作日（干部任前公示不少于 5 个工作日）。
kind: notice
title: {title}
date: "{now}"
org: "{org}"
notice_type: cadre          # cadre 干部任前 | member-development 发展党员 | member-conversion 预备党员转正 | other
period:
  start: "{today}"
  end: "{end}"
contact:
  phone: "请填写举报电话，如 0512-12380"
  address: 请填写来信地址
  email: 请填写邮箱
persons:
  - name: 请填写姓名
    gender: 男
    birth: "1980-01"          # 只写到月份
    education: 大学
    current_post: 请填写现任职务
    proposed_post: 请填写拟任职务
---

根据有关规定，现将以下人选予以公示。公示期间，如有反映，请通过上述方式向我们反映。
"""

LETTER = """---
kind: letter
title: {title}
received: "{today}"
org: "{org}"
asker: 请填写来信人（如：某镇居民 王先生）
status: 办理中              # 已答复后改为 已答复，并填写 reply 和 reply_date
# reply_date: "{today}"
# reply: |
#   答复正文
---

请在这里写来信内容。
"""

TEMPLATES = {"article": ARTICLE, "notice": NOTICE, "letter": LETTER}


def create(content_dir: Path, kind: str, org: str, title: str, now: datetime) -> Path:
    result = validate.validate_config(content_dir)
    orgs = {o["code"] for o in result.orgs}
    if org not in orgs:
        hint = validate.did_you_mean(org, orgs)
        raise ScaffoldError(f"单位代码“{org}”不存在{hint}。可用代码见 content/orgs.yaml")
    slug = validate.default_slug("", title) or kind
    folder = content_dir / ("letters" if kind == "letter" else org) / str(now.year)
    path = folder / f"{slug}.md"
    counter = 2
    while path.exists():
        path = folder / f"{slug}-{counter}.md"
        counter += 1
    calendar = result.site.calendar
    text = TEMPLATES[kind].format(
        title=title, org=org, now=now.strftime("%Y-%m-%d %H:%M"), today=iso_day(now),
        end=iso_day(calendar.end_for(now.date(), 5)),
        categories="、".join(c.name for c in result.site.categories),
    )
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
