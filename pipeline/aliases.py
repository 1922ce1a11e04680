"""The one alias table: Chinese keys collectors may write, mapped to canonical keys.

Docs and did-you-mean suggestions are generated from these tables, so a new
alias is added here and nowhere else.
"""

from __future__ import annotations

# Front-matter keys of submissions (articles, notices, letters, pages, stats).
SUBMISSION_ALIASES: dict[str, str] = {
    "类型": "kind",
    "标题": "title",
    "日期": "date",
    "发布日期": "date",
    "单位": "org",
    "发布单位": "org",
    "栏目": "category",
    "分类": "category",
    "公开范围": "audience",
    "状态": "status",
    "作者": "collector",
    "采集员": "collector",
    "标签": "tags",
    "关键词": "tags",
    "摘要": "summary",
    "别名": "slug",
    "网址名": "slug",
    "公开类别": "disclosure_type",
    "审核人": "reviewed_by",
    "批准人": "approved_by",
    "审批日期": "approved_on",
    "公示类型": "notice_type",
    "公示期": "period",
    "开始": "start",
    "结束": "end",
    "联系方式": "contact",
    "反映渠道": "contact",
    "公示对象": "persons",
    "人员": "persons",
    "破格": "exceptional",
    "破格理由": "exceptional_reason",
    "收信日期": "received",
    "来信人": "asker",
    "答复": "reply",
    "答复日期": "reply_date",
    "办理状态": "status",
    "正文": "body",
    "单位名": "unit",
    "计量单位": "unit",
    "来源": "source",
    "列": "columns",
    "行": "rows",
    "年度": "year",
}

# Keys inside `period:` and `contact:` blocks.
NESTED_ALIASES: dict[str, str] = {
    "开始": "start",
    "开始日期": "start",
    "结束": "end",
    "结束日期": "end",
    "电话": "phone",
    "举报电话": "phone",
    "地址": "address",
    "通信地址": "address",
    "邮箱": "email",
    "电子邮箱": "email",
    "接待时间": "hours",
}

# Keys of a person in a notice.
PERSON_ALIASES: dict[str, str] = {
    "姓名": "name",
    "性别": "gender",
    "出生年月": "birth",
    "民族": "ethnicity",
    "籍贯": "native_place",
    "学历": "education",
    "入党时间": "party_since",
    "现任职务": "current_post",
    "拟任职务": "proposed_post",
    "所在支部": "branch",
    "申请入党时间": "applied_on",
    "确定积极分子时间": "activist_on",
    "预备期起始": "probation_start",
    "备注": "note",
}

SITE_ALIASES: dict[str, str] = {
    "名称": "name",
    "网站名称": "name",
    "副标题": "tagline",
    "主办单位": "host",
    "承办单位": "operator",
    "地址": "address",
    "邮编": "postcode",
    "电话": "phone",
    "邮箱": "email",
    "ICP备案号": "icp",
    "公安机关备案号": "police_record",
    "网站标识码": "site_code",
    "党政机关网站标识": "party_gov_mark",
    "网址": "siteurl",
    "信箱": "mailboxes",
    "栏目": "categories",
    "公示规则": "notice_rules",
}

ORG_ALIASES: dict[str, str] = {
    "代码": "code",
    "名称": "name",
    "简称": "short_name",
    "类型": "kind",
    "上级": "parent",
    "联系方式": "contact",
}

LINK_ALIASES: dict[str, str] = {
    "名称": "name",
    "网址": "url",
    "分组": "group",
    "单位": "org",
}

# Values collectors may write in Chinese.
VALUE_ALIASES: dict[str, dict[str, str]] = {
    "kind": {
        "文章": "article",
        "公示": "notice",
        "来信": "letter",
        "页面": "page",
        "统计": "stats",
    },
    "audience": {
        "向社会公开": "public",
        "社会公开": "public",
        "公开": "public",
        "党内公开": "internal",
        "全党": "internal",
        "本地区": "internal",
        "本单位": "internal",
        "特定对象": "internal",
        "内部": "internal",
    },
    "status": {
        "发布": "published",
        "已发布": "published",
        "草稿": "draft",
    },
    "notice_type": {
        "干部任前公示": "cadre",
        "任前公示": "cadre",
        "干部": "cadre",
        "发展党员公示": "member-development",
        "发展对象公示": "member-development",
        "发展党员": "member-development",
        "预备党员转正公示": "member-conversion",
        "转正公示": "member-conversion",
        "其他": "other",
    },
    "org_kind": {
        "县委": "county",
        "县": "county",
        "乡镇": "township",
        "镇": "township",
        "街道": "township",
        "部门": "department",
        "村": "village",
        "社区": "village",
        "支部": "branch",
    },
}


def canonical_key(key: str, table: dict[str, str]) -> str:
    """Map a key as written (maybe Chinese, maybe padded) to its canonical form."""
    stripped = key.strip()
    return table.get(stripped, stripped)


def canonical_value(field: str, value: object) -> object:
    if isinstance(value, str):
        return VALUE_ALIASES.get(field, {}).get(value.strip(), value.strip())
    return value


def aliases_for(canonical: str, table: dict[str, str]) -> list[str]:
    return [alias for alias, key in table.items() if key == canonical]
