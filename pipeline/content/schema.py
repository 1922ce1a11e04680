"""The content schema, declared once: every kind of submission, its fields, their Chinese names and rules.

This table drives everything that knows about fields (compare MkDocs' `config_options`):

- content/aliases.py derives the Chinese key and value aliases from it;
- content/checker.py checks each field by its `type` (one handler per type), in the order declared
  here, and runs the kind's `rules` (checks across fields, named here, written there);
- content/reference.py writes the field tables in docs/collectors.md from it;
- content/jsonschema.py turns it into the JSON Schema `hongwang schema` prints for editors;
- intake/scaffold.py writes the `hongwang new` templates from each field's `template` value;
- site/model.py takes its Chinese labels (notice types, audiences, person columns) from it.

To add a field: add a `Field` to the kinds that take it. A field of a plain type (text, date, datetime,
choice, tags, bool, integer) needs nothing else. Site configuration files (site.yaml, orgs.yaml,
links.yaml) are declared at the end, for their aliases and docs.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, replace

# Field types. Plain ones are checked generically; the others name a handler in content/checker.py.
TEXT, DATE, DATETIME, CHOICE, TAGS, BOOL, INTEGER = "text", "date", "datetime", "choice", "tags", "bool", "integer"
KIND, ORG, SLUG, CATEGORY, DISCLOSURE_TYPE = "kind", "org", "slug", "category", "disclosure-type"
PERIOD, CONTACT, PERSONS, TABLE, IGNORED = "period", "contact", "persons", "table", "ignored"
# A list of records (each item's keys are the field's `fields`, checked by their own types), a length of
# time (25:30), a file beside the submission (its `accept` says which: video, image, subtitles), a video
# series, a mailbox named in site.yaml, and a value kept as written for the kind's rule to read.
RECORDS, DURATION, MEDIA, SERIES, MAILBOX, RAW = "records", "duration", "media", "series", "mailbox", "raw"
PLAIN_TYPES = (TEXT, DATE, DATETIME, CHOICE, TAGS, BOOL, INTEGER)

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ORG_CODE_PATTERN = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
SLUG_MAX_CHARS = 80

# What `hongwang new` writes for the collector to replace starts with 请 ("please …"): every `template` value
# and `Kind.body` that does is a placeholder, and a submission still holding one is refused with its line
# (content/checker.py). `placeholders()` below collects them, so a new template line is covered at once.
PLACEHOLDER_MARK = "请"
TITLE_PLACEHOLDER = "请填写标题"  # the title `hongwang new` writes when none is given
# `hongwang new` without --title names the file 新稿-<kind>-<time>.md: not a valid slug, so the page is named
# from the title, and `validate` says what to rename the file to once the title is real.
PROVISIONAL_PREFIX = "新稿-"


@dataclass(frozen=True)
class Choice:
    value: str
    label: str  # shown on pages and in the docs
    aliases: tuple[str, ...] = ()  # other ways collectors may write the value


@dataclass(frozen=True)
class Field:
    key: str
    label: str  # the Chinese name in messages and docs
    type: str
    aliases: tuple[str, ...] = ()  # Chinese keys collectors may write instead of `key`
    required: bool = False
    choices: tuple[Choice, ...] = ()
    default: object = None  # the value when the field is absent
    help: str = ""
    example: object = None  # a value as a collector writes it (docs, JSON Schema)
    template: str | None = None  # what `hongwang new` writes after "key: " ({title}, {now}, {today}, {org} …)
    commented: bool = False  # `new` writes the line commented out (an option the collector may switch on)
    note: str = ""  # the comment `new` writes at the end of the line
    only_in: str = ""  # "disclosure": checked and kept only for items in a 党务公开 category
    store: str = ""  # the key in the checked document, when not `key` (a letter's status is its letter_status)
    fields: tuple[Field, ...] = ()  # keys of a mapping (period, contact) or of each list item (persons, records)
    accept: str = ""  # a media field: "video", "image" or "subtitles"

    def canonical(self, value: object) -> object:
        """The value as written mapped to its canonical form (Chinese value aliases); strings stripped."""
        if not isinstance(value, str):
            return value
        text = value.strip()
        for choice in self.choices:
            if text == choice.value or text in choice.aliases:
                return choice.value
        return text

    @property
    def names_written(self) -> tuple[str, ...]:
        """The key and every Chinese alias of it."""
        return (self.key, *self.aliases)

    @property
    def stored_as(self) -> str:
        return self.store or self.key

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(choice.value for choice in self.choices)

    def choice_label(self, value: str) -> str:
        return next((c.label for c in self.choices if c.value == value), value)


def required(spec: Field) -> Field:
    return replace(spec, required=True)


def commented(spec: Field, template: str, note: str) -> Field:
    return replace(spec, template=template, commented=True, note=note)


@dataclass(frozen=True)
class NoticeType:
    """A kind of 公示: who is named and how long it runs by default (site.yaml `notice_rules` may change it)."""

    value: str
    label: str
    aliases: tuple[str, ...]
    persons_required: tuple[str, ...]
    min_workdays: int


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    aliases: tuple[str, ...]
    fields: tuple[Field, ...]
    help: str
    rules: tuple[str, ...] = ()  # checks across fields, by name (content/checker.py `rule_<name>`)
    fixed: tuple[tuple[str, object], ...] = ()  # values every document of the kind gets
    folder: str = ""  # where `hongwang new` puts the file; "" = no template
    suffix: str = ".md"  # the file `hongwang new` writes: Markdown with front matter, or pure YAML
    intro: str = ""  # the comment `new` writes first
    body: str = ""  # the body `new` writes

    def field(self, key: str) -> Field | None:
        return next((f for f in self.fields if f.key == key), None)

    @functools.cached_property
    def keys(self) -> frozenset[str]:
        return frozenset(f.key for f in self.fields)

    @property
    def required_keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.fields if f.required)


# ---------------------------------------------------------------- values

AUDIENCES = (
    Choice("public", "向社会公开", ("向社会公开", "社会公开", "公开")),
    Choice("internal", "党内公开", ("党内公开", "全党", "本地区", "本单位", "特定对象", "内部")),
)
PUBLISH_STATES = (Choice("published", "发布", ("发布", "已发布")), Choice("draft", "草稿", ("草稿",)))
LETTER_STATES = (Choice("已答复", "已答复"), Choice("办理中", "办理中"))
NOTICE_TYPES = (
    NoticeType(
        "cadre",
        "干部任前公示",
        ("干部任前公示", "任前公示", "干部"),
        ("name", "gender", "birth", "current_post", "proposed_post"),
        5,
    ),
    NoticeType(
        "member-development",
        "发展党员公示",
        ("发展党员公示", "发展对象公示", "发展党员"),
        ("name", "gender", "birth", "branch"),
        5,
    ),
    NoticeType(
        "member-conversion",
        "预备党员转正公示",
        ("预备党员转正公示", "转正公示"),
        ("name", "gender", "birth", "branch"),
        5,
    ),
    NoticeType("other", "其他公示", ("其他",), ("name",), 0),
)
ORG_KINDS = (
    Choice("county", "县委", ("县委", "县")),
    Choice("township", "乡镇（街道）", ("乡镇", "镇", "街道")),
    Choice("department", "县直部门", ("部门",)),
    Choice("village", "村（社区）", ("村", "社区")),
    Choice("branch", "党支部", ("支部",)),
)
CATEGORY_KINDS = ("news", "notices", "policy", "disclosure")

# ---------------------------------------------------------------- fields shared by kinds

TITLE = Field(
    "title",
    "标题",
    TEXT,
    ("标题",),
    help="一句话标题，不超过 40 个字",
    example="东渚镇举办村党组织书记示范培训班",
    template="{title}",
)
DATE_FIELD = Field(
    "date",
    "日期",
    DATETIME,
    ("日期", "发布日期"),
    help='发布日期，写成 2026-03-18；带时间时加英文引号 "2026-03-18 09:30"。晚于今天的稿件到那天才发布',
    example="2026-03-18",
    template='"{now}"',
)
ORG_FIELD = Field(
    "org",
    "单位",
    ORG,
    ("单位", "发布单位"),
    help="发布单位的代码（见 orgs.yaml），加英文引号",
    example="dz",
    template='"{org}"',
)
SUMMARY = Field(
    "summary",
    "摘要",
    TEXT,
    ("摘要",),
    default="",
    help="一两句话概括全文，列表和订阅中显示",
    example="一两句话的摘要。",
)
COLLECTOR = Field("collector", "采集员", TEXT, ("作者", "采集员"), default="", help="采集员姓名", example="王晓燕")
TAGS_FIELD = Field("tags", "标签", TAGS, ("标签", "关键词"), help="关键词列表", example=["书记培训", "基层治理"])
AUDIENCE = Field(
    "audience",
    "公开范围",
    CHOICE,
    ("公开范围",),
    choices=AUDIENCES,
    default="public",
    help="public 向社会公开（默认）；internal 党内公开，只出现在内网版本",
    example="public",
)
STATUS = Field(
    "status",
    "状态",
    CHOICE,
    ("状态", "办理状态"),
    choices=PUBLISH_STATES,
    default="published",
    help="draft 草稿，不发布",
    example="draft",
)
SLUG_FIELD = Field(
    "slug",
    "网址名",
    SLUG,
    ("别名", "网址名"),
    help="网页文件名：小写字母、数字和连字符；不写时由文件名或标题拼音生成",
    example="dz-shuji-peixun",
)
KIND_FIELD = Field(
    "kind", "类型", KIND, ("类型",), help="内容类型；不写时为文章（pages/ 下为页面，stats/ 下的 YAML 为统计）"
)


def _common(*middle: Field, summary: Field = SUMMARY, collector: Field = COLLECTOR) -> tuple[Field, ...]:
    """kind, title, the kind's own fields, then the fields every kind shares."""
    return (KIND_FIELD, *middle, summary, collector, TAGS_FIELD, AUDIENCE, STATUS, SLUG_FIELD)


# ---------------------------------------------------------------- articles

CATEGORY_FIELD = Field(
    "category",
    "栏目",
    CATEGORY,
    ("栏目", "分类"),
    help="网站已有的栏目名称（见 site.yaml）",
    example="基层党建",
    template="{category}",
    note="栏目，须是网站已有栏目：{categories}",
)
DISCLOSURE_FIELDS = (
    Field(
        "disclosure_type",
        "公开类别",
        DISCLOSURE_TYPE,
        ("公开类别",),
        only_in="disclosure",
        default="其他",
        help="党务公开的类别，只能写 site.yaml 中 disclosure_types 列出的名称",
        example="组织建设",
    ),
    Field("reviewed_by", "审核人", TEXT, ("审核人",), only_in="disclosure", help="保密审查的审核人", example="李明"),
    Field("approved_by", "批准人", TEXT, ("批准人",), only_in="disclosure", help="批准公开的负责人", example="张华"),
    Field(
        "approved_on",
        "审批日期",
        DATE,
        ("审批日期",),
        only_in="disclosure",
        help="批准公开的日期",
        example="2026-03-16",
    ),
)
ARTICLE = Kind(
    "article",
    "文章",
    ("文章",),
    (
        KIND_FIELD,
        required(TITLE),
        required(DATE_FIELD),
        required(ORG_FIELD),
        required(CATEGORY_FIELD),
        *DISCLOSURE_FIELDS,
        replace(COLLECTOR, template="请填写采集员姓名"),
        replace(SUMMARY, template="请用一两句话概括本文。"),
        replace(TAGS_FIELD, template="[]"),
        commented(AUDIENCE, "internal", "仅党内公开时取消本行开头的 #"),
        commented(STATUS, "draft", "暂不发布时取消本行开头的 #"),
        SLUG_FIELD,
    ),
    "动态、党务公开、政策等文章：Markdown 文件，信息块之后写正文",
    rules=("disclosure_review",),
    folder="{org}/{year}",
    intro="文章。# 后面是说明，可以保留也可以删除。冒号用英文冒号，冒号后加一个空格。",
    body="请在这里写正文。段落之间空一行。",
)

# ---------------------------------------------------------------- notices (公示)

PERSON_FIELDS = (
    Field("name", "姓名", TEXT, ("姓名",), example="张某某", template="请填写姓名"),
    Field("gender", "性别", TEXT, ("性别",), example="男", template="男"),
    Field(
        "birth",
        "出生年月",
        TEXT,
        ("出生年月",),
        help="只写到月份，如 1982-05",
        example="1982-05",
        template='"1980-01"',
        note="只写到月份",
    ),
    Field("ethnicity", "民族", TEXT, ("民族",), example="汉族"),
    Field("native_place", "籍贯", TEXT, ("籍贯",), example="江苏苏州"),
    Field("education", "学历", TEXT, ("学历",), example="大学", template="大学"),
    Field("party_since", "入党时间", TEXT, ("入党时间",), example="2005-06"),
    Field("current_post", "现任职务", TEXT, ("现任职务",), example="东渚镇党委副书记、镇长", template="请填写现任职务"),
    Field("proposed_post", "拟任职务", TEXT, ("拟任职务",), example="拟任乡镇党委书记", template="请填写拟任职务"),
    Field("branch", "所在支部", TEXT, ("所在支部",), example="红旗村党总支第一支部"),
    Field("applied_on", "申请入党时间", TEXT, ("申请入党时间",), example="2023-03"),
    Field("activist_on", "确定为积极分子时间", TEXT, ("确定积极分子时间",), example="2023-09"),
    Field("probation_start", "预备期起始", TEXT, ("预备期起始",), example="2025-07"),
    Field("note", "备注", TEXT, ("备注",)),
)
PERIOD_FIELDS = (
    Field("start", "开始", DATE, ("开始", "开始日期"), example="2026-11-17", template='"{today}"'),
    Field("end", "结束", DATE, ("结束", "结束日期"), example="2026-11-23", template='"{end}"'),
)
CONTACT_FIELDS = (
    Field(
        "phone", "电话", TEXT, ("电话", "举报电话"), example="0512-12380", template='"请填写举报电话，如 0512-12380"'
    ),
    Field(
        "address",
        "地址",
        TEXT,
        ("地址", "通信地址"),
        example="青溪县人民路1号县委组织部干部监督科",
        template="请填写来信地址",
    ),
    Field("email", "电子邮箱", TEXT, ("邮箱", "电子邮箱"), example="jubao@example.gov.cn", template="请填写邮箱"),
    Field("hours", "接待时间", TEXT, ("接待时间",), example="工作日 8:30—17:30"),
)
CONTACT_TEXT_LABEL = "方式"  # a contact written as one line of text instead of phone/address/email
NOTICE = Kind(
    "notice",
    "公示",
    ("公示",),
    _common(
        required(TITLE),
        required(DATE_FIELD),
        required(ORG_FIELD),
        Field(
            "notice_type",
            "公示类型",
            CHOICE,
            ("公示类型",),
            required=True,
            default="other",
            choices=tuple(Choice(t.value, t.label, t.aliases) for t in NOTICE_TYPES),
            help="cadre 干部任前公示、member-development 发展党员公示、member-conversion 预备党员转正公示、other 其他",
            example="cadre",
            template="cadre",
            note="cadre 干部任前 | member-development 发展党员 | member-conversion 预备党员转正 | other",
        ),
        Field(
            "period",
            "公示期",
            PERIOD,
            ("公示期",),
            required=True,
            fields=PERIOD_FIELDS,
            help="start 开始日期、end 结束日期；干部任前公示不少于 5 个工作日（按法定节假日和调休计算）",
            example={"start": "2026-11-17", "end": "2026-11-23"},
            template="",
        ),
        Field(
            "contact",
            "反映渠道",
            CONTACT,
            ("联系方式", "反映渠道"),
            required=True,
            fields=CONTACT_FIELDS,
            help="受理反映的电话（如 12380）、地址或邮箱，至少一项",
            template="",
            example={"phone": "0512-12380", "address": "青溪县人民路1号"},
        ),
        Field(
            "persons",
            "公示对象",
            PERSONS,
            ("公示对象", "人员"),
            required=True,
            fields=PERSON_FIELDS,
            help="人员名单：每人以“- name: 姓名”开头；出生年月只写到月份，不得写身份证号",
            template="",
            example=[{"name": "张某某", "gender": "男", "birth": "1982-05"}],
        ),
        Field(
            "exceptional", "破格", BOOL, ("破格",), default=False, help="破格提拔时写 true，并写破格理由", example=True
        ),
        Field(
            "exceptional_reason", "破格理由", TEXT, ("破格理由",), help="破格提拔的理由", example="在重大任务中表现突出"
        ),
        Field("category", "栏目", IGNORED, ("栏目", "分类"), help="公示都列在“公示公告”中，此项可不写"),
    ),
    "公示（干部任前、发展党员、预备党员转正等）：Markdown 或纯 YAML 文件",
    rules=("exceptional_reason",),
    fixed=(("category", None),),
    folder="{org}/{year}",
    intro="公示。公示期不少于规定的工作日（干部任前公示不少于 5 个工作日）。",
    body="根据有关规定，现将以下人选予以公示。公示期间，如有反映，请通过上述方式向我们反映。",
)

# ---------------------------------------------------------------- letters (回音壁)

LETTER = Kind(
    "letter",
    "来信",
    ("来信",),
    (
        KIND_FIELD,
        required(TITLE),
        Field(
            "received",
            "收信日期",
            DATE,
            ("收信日期",),
            required=True,
            help="收到来信的日期",
            example="2026-09-02",
            template='"{today}"',
        ),
        required(ORG_FIELD),
        Field(
            "asker",
            "来信人",
            TEXT,
            ("来信人",),
            default="",
            help="来信人，如“某镇居民 王先生”，不写全名和电话",
            example="东渚镇居民 王先生",
            template="请填写来信人（如：某镇居民 王先生）",
        ),
        Field(
            "status",
            "状态",
            CHOICE,
            ("状态", "办理状态"),
            required=True,
            choices=LETTER_STATES,
            default="办理中",
            store="letter_status",
            help="已答复 或 办理中",
            example="已答复",
            template="办理中",
            note="已答复后改为 已答复，并填写 reply 和 reply_date",
        ),
        commented(
            Field("reply_date", "答复日期", DATE, ("答复日期",), help="答复的日期", example="2026-09-08"),
            '"{today}"',
            "",
        ),
        commented(
            Field(
                "reply",
                "答复",
                TEXT,
                ("答复",),
                default="",
                help="答复正文，多行时写 reply: | 再换行缩进",
                example="答复正文……",
            ),
            "|\n  请在这里写答复正文",
            "",
        ),
        replace(DATE_FIELD, help="不写时用收信日期", template=None),
        SUMMARY,
        COLLECTOR,
        TAGS_FIELD,
        AUDIENCE,
        SLUG_FIELD,
    ),
    "回音壁来信与答复：信息块写答复，正文写来信内容",
    rules=("letter_reply",),
    fixed=(("status", "published"),),
    folder="letters/{year}",
    body="请在这里写来信内容。",
)

# ---------------------------------------------------------------- pages and statistics

PAGE = Kind(
    "page",
    "页面",
    ("页面",),
    _common(required(TITLE), DATE_FIELD),
    "固定页面（关于本站、领导信箱等）：content/pages/ 下的 Markdown",
    fixed=(("category", None),),
)
TABLE_FIELDS = (
    Field("unit", "计量单位", TABLE, ("单位名", "计量单位"), help="数值的计量单位", example="人"),
    Field("source", "来源", TABLE, ("来源",), help="数据来源", example="县委组织部"),
    Field(
        "columns", "列", TABLE, ("列",), help="列名列表，第一列是行名（年份时画折线图）", example=["年份", "党员人数"]
    ),
    Field("rows", "行", TABLE, ("行",), help="数据行，每行的项数与列数相同", example=[["2025", 1234]]),
    Field("csv", "CSV 文件", TABLE, help="代替 columns 和 rows：同一文件夹中的 CSV 文件名", example="dangyuan.csv"),
    Field("year", "年度", TABLE, ("年度",), help="数据所属年度", example=2025),
)
STATS = Kind(
    "stats",
    "统计",
    ("统计",),
    _common(
        required(TITLE),
        DATE_FIELD,
        ORG_FIELD,
        *TABLE_FIELDS,
        Field("category", "栏目", IGNORED, ("栏目", "分类"), help="统计表列在“数据统计”中，此项可不写"),
    ),
    "统计表：content/stats/ 下的 YAML（或 YAML 加同名文件夹中的 CSV）",
    rules=("stats_table",),
    fixed=(("category", None),),
)

# ---------------------------------------------------------------- 党员电教 videos

VIDEO_SERIES = ("专题学习", "党课", "警示教育", "先进典型", "政策解读", "实用技术")  # site.yaml video_series overrides
CHAPTER_FIELDS = (
    Field(
        "time", "时间", DURATION, ("时间", "开始时间"), required=True, help="章节开始的时间，如 05:30", example="05:30"
    ),
    Field("title", "标题", TEXT, ("标题", "章节"), required=True, help="章节标题", example="一、坚定理想信念"),
)
VIDEO = Kind(
    "video",
    "电教视频",
    ("视频", "电教视频", "电教"),
    _common(
        required(TITLE),
        required(DATE_FIELD),
        required(ORG_FIELD),
        Field(
            "file",
            "视频文件",
            MEDIA,
            ("视频文件", "视频"),
            required=True,
            accept="video",
            help="视频文件名，与本文件放在同一文件夹（或写 media/ 下的路径）。只收 MP4（H.264 视频、AAC 音频）"
            "和 WebM；AVI、WMV、RMVB 等请交给 hongwang ingest 转换",
            example="dangke-2026.mp4",
            template="请填写视频文件名.mp4",
        ),
        Field(
            "poster",
            "封面",
            MEDIA,
            ("封面", "封面图片"),
            accept="image",
            help="封面图片（JPG/PNG），与本文件放在同一文件夹；hongwang ingest 转换视频时自动截取",
            example="dangke-2026.jpg",
            template="请填写封面图片文件名.jpg",
        ),
        Field(
            "series",
            "专题",
            SERIES,
            ("专题", "系列"),
            required=True,
            help="视频所属专题，如 专题学习、党课、警示教育（site.yaml 的 video_series 可另行规定）",
            example="党课",
            template="党课",
            note="专题：" + "、".join(VIDEO_SERIES),
        ),
        Field(
            "speaker", "主讲人", TEXT, ("主讲人", "主讲"), default="", example="县委党校 李明", template="请填写主讲人"
        ),
        Field(
            "duration",
            "时长",
            DURATION,
            ("时长",),
            help="写成 25:30 或 1:02:03；不写时按视频文件计算",
            example="25:30",
        ),
        Field(
            "chapters",
            "章节",
            RECORDS,
            ("章节",),
            fields=CHAPTER_FIELDS,
            help="可选：章节列表，每项写 time 和 title，时间从早到晚",
            example=[{"time": "00:00", "title": "导语"}, {"time": "05:30", "title": "一、坚定理想信念"}],
        ),
        Field(
            "subtitles",
            "字幕",
            MEDIA,
            ("字幕", "字幕文件"),
            accept="subtitles",
            help="可选：WebVTT 字幕文件（.vtt，第一行是 WEBVTT），与本文件放在同一文件夹",
            example="dangke-2026.vtt",
        ),
        Field("category", "栏目", IGNORED, ("栏目", "分类"), help="视频都列在“党员电教”中，此项可不写"),
    ),
    "党员电教视频：Markdown 文件，信息块写视频信息，正文写文字稿（站内搜索可以搜到）",
    rules=("video_chapters",),
    fixed=(("category", None),),
    folder="{org}/{year}",
    intro="党员电教视频。视频文件与本文件放在同一文件夹。",
    body="请在这里写视频的文字稿（讲稿），站内搜索可以搜到。不写时使用字幕中的文字。",
)

# ---------------------------------------------------------------- 学习测试 self-tests

QUESTION_TYPES = (
    Choice("single", "单选题", ("单选", "单选题")),
    Choice("multiple", "多选题", ("多选", "多选题")),
    Choice("judge", "判断题", ("判断", "判断题", "是非题")),
)
JUDGE_TRUE = ("对", "正确", "是", "√", "✓", "true", "True")
JUDGE_FALSE = ("错", "错误", "否", "×", "✗", "false", "False")
QUESTION_FIELDS = (
    Field(
        "type",
        "题型",
        CHOICE,
        ("题型",),
        choices=QUESTION_TYPES,
        default="single",
        help="single 单选题（默认）、multiple 多选题、judge 判断题",
        example="single",
        template="single",
        note="single 单选 | multiple 多选 | judge 判断",
    ),
    Field(
        "question",
        "题目",
        TEXT,
        ("题目", "问题"),
        required=True,
        example="党员必须履行的义务共有几项？",
        template="请填写题目",
    ),
    Field(
        "options",
        "选项",
        TAGS,
        ("选项",),
        help="单选、多选题的选项列表，依次为 A、B、C……；判断题不写",
        example=["六项", "七项", "八项", "九项"],
        template="[选项一, 选项二, 选项三, 选项四]",
    ),
    Field(
        "answer",
        "答案",
        RAW,
        ("答案",),
        required=True,
        help="单选题写字母 A 或选项原文；多选题写 [A, C] 或 AC；判断题写 对 或 错",
        example="C",
        template="A",
    ),
    Field(
        "explanation",
        "解析",
        TEXT,
        ("解析", "答案解析"),
        required=True,
        help="交卷后显示的解析",
        example="党章第三条规定党员必须履行八项义务。",
        template="请填写答案解析",
    ),
    Field(
        "source",
        "出处",
        TEXT,
        ("出处", "依据"),
        required=True,
        help="题目依据的文件和条款",
        example="《中国共产党章程》第三条",
        template="《中国共产党章程》第X条",
    ),
)
QUIZ = Kind(
    "quiz",
    "学习测试",
    ("测试", "学习测试", "知识测试"),
    _common(
        required(TITLE),
        required(DATE_FIELD),
        required(ORG_FIELD),
        Field(
            "participants",
            "测试对象",
            TEXT,
            ("测试对象", "适用对象"),
            default="",
            help="这套测试面向谁，如 入党积极分子、党务工作者、领导干部",
            example="入党积极分子",
            template="入党积极分子",
        ),
        commented(
            Field(
                "draw",
                "每次抽题",
                INTEGER,
                ("每次抽题", "抽题数"),
                help="每次测试从题库随机抽出的题数；不写时每次出全部题目",
                example=10,
            ),
            "10",
            "题库多于 10 题时取消本行开头的 #",
        ),
        Field(
            "pass_mark",
            "合格题数",
            INTEGER,
            ("合格题数", "及格题数", "及格线"),
            required=True,
            help="答对多少题为合格，不能多于每次抽题数",
            example=6,
            template="1",
            note="答对几题合格，不多于每次抽题数",
        ),
        Field("time_limit", "限时", INTEGER, ("限时", "答题时间"), help="答题限时（分钟）；不写则不限时", example=15),
        Field(
            "questions",
            "题库",
            RECORDS,
            ("题库", "试题"),
            required=True,
            fields=QUESTION_FIELDS,
            help="题目列表，每题以“- type: ”开头，写题目、选项、答案、解析和出处",
            example=[{"type": "judge", "question": "预备党员的预备期为一年。", "answer": "对", "explanation": "……"}],
            template="",
        ),
        Field("category", "栏目", IGNORED, ("栏目", "分类"), help="测试都列在“学习测试”中，此项可不写"),
    ),
    "学习测试（题库）：YAML 文件；每次测试从题库随机抽题，在读者的浏览器中作答、评分，答卷不上传",
    rules=("quiz_bank",),
    fixed=(("category", None),),
    folder="{org}/{year}",
    intro="学习测试。每道题写题型、题目、选项、答案、解析和出处；冒号用英文冒号，冒号后加一个空格。",
    suffix=".yaml",
)

# ---------------------------------------------------------------- 在线访谈 interviews

GUEST_FIELDS = (
    Field("name", "姓名", TEXT, ("姓名",), required=True, example="王建国", template="请填写嘉宾姓名"),
    Field("post", "职务", TEXT, ("职务",), default="", example="县委常委、组织部部长", template="请填写嘉宾职务"),
)
INTERVIEW_RECORD_FIELDS = (
    Field("question", "问", TEXT, ("问", "提问", "问题"), required=True, example="村党组织书记怎样参加培训？"),
    Field(
        "asker",
        "提问人",
        TEXT,
        ("提问人",),
        default="网友",
        help="提问人；除非写了 named: true（本人同意署名），页面一律显示为“网友”",
        example="东渚镇 王先生",
    ),
    Field("named", "同意署名", BOOL, ("同意署名",), default=False, help="提问人同意公开署名时写 true", example=True),
    Field("answer", "答", TEXT, ("答", "回答", "答复"), required=True, example="每年分两期集中培训……"),
    Field("guest", "回答嘉宾", TEXT, ("回答嘉宾", "回答人"), default="", help="回答的嘉宾姓名（须是 guests 中的人）"),
)
INTERVIEW = Kind(
    "interview",
    "在线访谈",
    ("访谈", "在线访谈"),
    _common(
        required(TITLE),
        required(DATE_FIELD),
        required(ORG_FIELD),
        Field(
            "start",
            "访谈时间",
            DATETIME,
            ("访谈时间", "开始时间", "开始"),
            required=True,
            help='访谈开始的时间，带时间时加英文引号 "2026-12-10 09:30"',
            example="2026-12-10 09:30",
            template='"{now}"',
        ),
        Field(
            "end",
            "结束时间",
            DATETIME,
            ("结束时间", "结束"),
            help="访谈结束的时间；不写时按开始后 2 小时计",
            example="2026-12-10 11:00",
        ),
        Field(
            "guests",
            "嘉宾",
            RECORDS,
            ("嘉宾", "访谈嘉宾"),
            required=True,
            fields=GUEST_FIELDS,
            help="嘉宾列表，每人写 name 和 post",
            example=[{"name": "王建国", "post": "县委常委、组织部部长"}],
            template="",
        ),
        commented(
            Field(
                "mailbox",
                "征集信箱",
                MAILBOX,
                ("征集信箱", "信箱"),
                help="访谈前征集网友问题的信箱：site.yaml 中 mailboxes 的名称",
                example="部长信箱",
            ),
            "部长信箱",
            "征集问题的信箱，写 site.yaml 中的信箱名称",
        ),
        Field(
            "record",
            "访谈实录",
            RECORDS,
            ("访谈实录", "实录"),
            fields=INTERVIEW_RECORD_FIELDS,
            help="访谈结束后补写：每问写 question、answer，可写 asker、guest",
            example=[{"question": "……", "asker": "网友", "answer": "……", "guest": "王建国"}],
        ),
        Field("category", "栏目", IGNORED, ("栏目", "分类"), help="访谈都列在“在线访谈”中，此项可不写"),
    ),
    "在线访谈：Markdown 文件，信息块写时间、嘉宾和实录，正文写访谈简介",
    rules=("interview_time",),
    fixed=(("category", None),),
    folder="{org}/{year}",
    intro="在线访谈。访谈结束后在 record 中补写实录；提问人未同意署名的，页面显示为“网友”。",
    body="请在这里写访谈简介：访谈主题、背景和网友关心的问题。",
)

# ---------------------------------------------------------------- 紧急发布 urgent alerts

ALERT_LEVELS = (
    Choice("red", "红色", ("红色", "一级", "Ⅰ级", "I级", "特别重大")),
    Choice("orange", "橙色", ("橙色", "二级", "Ⅱ级", "II级", "重大")),
    Choice("yellow", "黄色", ("黄色", "三级", "Ⅲ级", "III级", "较大")),
    Choice("blue", "蓝色", ("蓝色", "四级", "Ⅳ级", "IV级", "一般")),
)
ALERT_LONGEST_DAYS = 30
ALERT = Kind(
    "alert",
    "紧急发布",
    ("紧急发布", "紧急", "预警"),
    _common(
        required(TITLE),
        required(DATE_FIELD),
        required(ORG_FIELD),
        Field(
            "level",
            "级别",
            CHOICE,
            ("级别", "预警级别"),
            required=True,
            choices=ALERT_LEVELS,
            default="yellow",
            help="red 红色（特别重大）、orange 橙色（重大）、yellow 黄色（较大）、blue 蓝色（一般）",
            example="orange",
            template="orange",
            note="red 红色 | orange 橙色 | yellow 黄色 | blue 蓝色",
        ),
        Field(
            "start",
            "生效时间",
            DATETIME,
            ("生效时间", "开始"),
            help="从何时起在每个网页顶部提示；不写时从发布时间起",
            example="2026-07-10 08:00",
        ),
        Field(
            "expires",
            "失效时间",
            DATETIME,
            ("失效时间", "有效期至"),
            required=True,
            help="到这个时间提示自动消失，不必重新生成网站；带时间时加英文引号 "
            f'"2026-07-12 18:00"（最长 {ALERT_LONGEST_DAYS} 天）',
            example="2026-07-12 18:00",
            template='"{tomorrow}"',
        ),
        Field("category", "栏目", IGNORED, ("栏目", "分类"), help="紧急发布都列在“紧急发布”中，此项可不写"),
    ),
    "紧急发布（突发事件、汛情等）：Markdown 文件；生效期间每个网页顶部都显示提示，失效后自动消失",
    rules=("alert_period",),
    fixed=(("category", None),),
    folder="{org}/{year}",
    intro="紧急发布。生效期间每个网页顶部显示提示条，到失效时间自动消失。",
    body="请在这里写紧急发布的正文：发生了什么、群众应当怎么做、咨询电话。",
)

KINDS: tuple[Kind, ...] = (ARTICLE, NOTICE, LETTER, PAGE, STATS, VIDEO, QUIZ, INTERVIEW, ALERT)
KIND_CHOICES = tuple(Choice(k.key, k.label, k.aliases) for k in KINDS)
# A pure-YAML submission writes its body under this key (Markdown files write it after the front matter).
BODY_FIELD = Field("body", "正文", TEXT, ("正文",), help="纯 YAML 文件的正文，多行时写 body: | 再换行缩进")
# Written at the top level instead of under 公示期: read as start/end so the message names the English key.
STRAY_ALIASES = {"开始": "start", "结束": "end"}


def kind(key: str) -> Kind:
    return next(k for k in KINDS if k.key == key)


def notice_type(value: str) -> NoticeType:
    return next(t for t in NOTICE_TYPES if t.value == value)


def placeholders() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(in fields, in bodies): the phrases of every placeholder the templates write, each up to its first
    full stop or comma (so a collector who keeps "请填写举报电话" but deletes the example is still caught)."""

    def phrases(texts) -> tuple[str, ...]:
        found = []
        for text in texts:
            for line in text.split("\n"):
                line = line.strip().strip('"|').strip()
                if line.startswith(PLACEHOLDER_MARK):
                    found.append(re.split(r"[。，（]", line, maxsplit=1)[0])
        return tuple(dict.fromkeys(found))

    def templates(fields: tuple[Field, ...]):
        for spec in fields:
            if spec.template:
                yield spec.template
            yield from templates(spec.fields)

    in_fields = phrases([TITLE_PLACEHOLDER, *(t for k in KINDS for t in templates(k.fields))])
    return in_fields, phrases(k.body for k in KINDS)


def field_label(key: str) -> str:
    """The Chinese name of a front-matter key, whichever kind declares it."""
    for each in KINDS:
        found = each.field(key)
        if found is not None:
            return found.label
    return key


# ---------------------------------------------------------------- site configuration files


@dataclass(frozen=True)
class ConfigFile:
    name: str  # site.yaml
    label: str
    fields: tuple[Field, ...]
    list_key: str | None = None  # orgs.yaml holds `orgs:` (or 单位:/组织:) and a list of records
    list_aliases: tuple[str, ...] = ()
    contact_fields: tuple[Field, ...] = field(default=CONTACT_FIELDS)


SITE = ConfigFile(
    "site.yaml",
    "网站设置",
    (
        Field("name", "网站名称", TEXT, ("名称", "网站名称"), required=True, example="青溪红网"),
        Field("tagline", "副标题", TEXT, ("副标题",)),
        Field("host", "主办单位", TEXT, ("主办单位",), example="中共青溪县委组织部"),
        Field("operator", "承办单位", TEXT, ("承办单位",)),
        Field("address", "地址", TEXT, ("地址",)),
        Field("postcode", "邮编", TEXT, ("邮编",)),
        Field("phone", "联系电话", TEXT, ("电话",)),
        Field("email", "邮箱", TEXT, ("邮箱",)),
        Field("icp", "ICP备案号", TEXT, ("ICP备案号",)),
        Field("police_record", "公安机关备案号", TEXT, ("公安机关备案号",)),
        Field("site_code", "网站标识码", TEXT, ("网站标识码",)),
        Field("party_gov_mark", "党政机关网站标识", BOOL, ("党政机关网站标识",)),
        Field("siteurl", "网址", TEXT, ("网址",), example="https://www.example.gov.cn"),
        Field(
            "report_phone",
            "12380举报电话",
            TEXT,
            ("举报电话",),
            help="首页“12380举报”显示的电话；不写时用联系电话的区号加 12380",
            example="0512-12380",
        ),
        Field("mailboxes", "信箱", IGNORED, ("信箱",)),
        Field("categories", "栏目", IGNORED, ("栏目",)),
        Field("notice_rules", "公示规则", IGNORED, ("公示规则",)),
        Field("video_series", "电教专题", IGNORED, ("电教专题",)),
    ),
)
# The footer identifiers an inspection checks (国办秘函〔2019〕19号), in the order reports list them.
IDENTIFIER_KEYS = ("host", "icp", "police_record", "site_code", "phone")
ORGS = ConfigFile(
    "orgs.yaml",
    "组织机构",
    (
        Field("code", "代码", TEXT, ("代码",), required=True, example="dz-hq"),
        Field("name", "名称", TEXT, ("名称",), required=True, example="东渚镇红旗村党总支"),
        Field("short_name", "简称", TEXT, ("简称",)),
        Field("kind", "类型", CHOICE, ("类型",), required=True, choices=ORG_KINDS, example="village"),
        Field("parent", "上级", TEXT, ("上级",), example="dz"),
        Field("contact", "联系方式", CONTACT, ("联系方式",)),
    ),
    list_key="orgs",
    list_aliases=("单位", "组织"),
)
LINKS = ConfigFile(
    "links.yaml",
    "友情链接",
    (
        Field("name", "名称", TEXT, ("名称",), required=True),
        Field("url", "网址", TEXT, ("网址",), required=True),
        Field("group", "分组", TEXT, ("分组",)),
        Field("org", "单位", TEXT, ("单位",)),
    ),
    list_key="links",
    list_aliases=("链接",),
)
