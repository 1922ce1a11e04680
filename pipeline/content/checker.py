"""One loaded submission → its checked document and diagnostics, field by field as content/schema.py declares.

Each field is checked by the handler of its type (`check_<type>`), in the order the
kind declares them; then the kind's rules (`rule_<name>`) check what spans fields:
a disclosure's review trail, a notice's working days, a letter's reply.
"""

from __future__ import annotations

import posixpath
import re
from datetime import timedelta
from urllib.parse import urlsplit

from ..core import dates
from ..core.diagnostics import Diagnostic, diag
from . import schema, slugs, tables
from .aliases import did_you_mean
from .documents import Document, SiteSettings
from .load import Source
from .schema import Field, Kind

KIND_VALUES = tuple(k.key for k in schema.KINDS)
INTERVIEW_DEFAULT_HOURS = 2
OPTION_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_DURATION = re.compile(r"^(?:(\d{1,2})[:：])?(\d{1,3})[:：](\d{1,2})$")
_DURATION_CN = re.compile(r"^(?:(\d+)\s*(?:小时|时))?\s*(?:(\d+)\s*(?:分钟|分))?\s*(?:(\d+)\s*秒)?$")
KIND_SPEC = schema.Field("kind", "类型", schema.KIND, choices=schema.KIND_CHOICES)
PERSON_LABELS = {f.key: f.label for f in schema.PERSON_FIELDS}
FIELD_PLACEHOLDERS, BODY_PLACEHOLDERS = schema.placeholders()
# Each field type → the Checker method that checks it: "check_" and the type, "-" written "_"
_HANDLERS = {spec.type: "check_" + spec.type.replace("-", "_") for kind in schema.KINDS for spec in kind.fields}
# One pass to tell that a text holds none of them, as nearly every text does.
_ANY_FIELD_PLACEHOLDER = re.compile("|".join(map(re.escape, FIELD_PLACEHOLDERS)))
_ANY_BODY_PLACEHOLDER = re.compile("|".join(map(re.escape, BODY_PLACEHOLDERS)))


class Checker:
    """Checks one source; collects diagnostics and the normalised fields."""

    def __init__(self, source: Source, site: SiteSettings, orgs: dict[str, dict]):
        self.source = source
        self.site = site
        self.orgs = orgs
        self.meta = source.meta
        self.found: list[Diagnostic] = []
        self.fields: dict = {}
        self.parsed: dict[str, dates.ParsedDate | None] = {}  # date fields as parsed, for rules that need the time
        self.where: int | str = 1  # the line, or the field, being checked: where an unexpected failure is reported

    def report(self, key_path: tuple, code: str, detail: str, fix: str | None = None) -> None:
        self.found.append(diag(self.source.rel, self.source.line(*key_path), code, detail, fix))

    def kind(self) -> Kind | None:
        raw = self.meta.get("kind")
        if raw is None:
            first = self.source.rel.split("/", 1)[0]
            name = (
                "page"
                if first == "pages"
                else "stats"
                if first == "stats" and not self.source.is_markdown
                else "article"
            )
            return schema.kind(name)
        value = KIND_SPEC.canonical(raw)
        if value not in KIND_VALUES:
            self.report(
                ("kind",),
                "value-invalid",
                f"类型“{value}”无法识别{did_you_mean(value, KIND_VALUES)}",
                f"kind 只能是 {'、'.join(KIND_VALUES)}（或不写，默认为文章）",
            )
            return None
        return schema.kind(value)

    def run(self) -> Document | None:
        kind = self.kind()
        if kind is None:
            return None
        self.check_keys(kind)
        self.check_required(kind)
        self.fields = {"kind": kind.key, "org": None}
        for spec in kind.fields:
            if not spec.only_in or self.applies(spec.only_in):
                self.where = spec.key
                getattr(self, _HANDLERS[spec.type])(spec)
        for rule in kind.rules:
            self.where = 1
            getattr(self, "rule_" + rule)()
        self.check_placeholders()
        self.fields.update(kind.fixed)
        return Document(self.source, kind.key, self.fields)

    def where_line(self) -> int:
        """The line being checked; a field's is looked up only when something failed there."""
        return self.source.line(self.where) if isinstance(self.where, str) else self.where

    def check_placeholders(self) -> None:
        """Nothing `hongwang new` wrote for the collector to replace may be published (schema.placeholders)."""
        for key_path, text in self.source.strings:
            if not _ANY_FIELD_PLACEHOLDER.search(text):
                continue
            phrase = next(p for p in FIELD_PLACEHOLDERS if p in text)
            name = ".".join(map(str, key_path))
            self.report(key_path, "placeholder", f"{name} 还是模板的提示文字“{phrase}”")
        if not _ANY_BODY_PLACEHOLDER.search(self.source.body):
            return
        for offset, line in enumerate(self.source.body.split("\n")):
            phrase = next((p for p in BODY_PLACEHOLDERS if p in line), None)
            if phrase:
                number = self.source.body_line + offset
                self.found.append(
                    diag(self.source.rel, number, "placeholder", f"正文第 {number} 行还是模板的提示文字“{phrase}”")
                )

    def applies(self, condition: str) -> bool:
        if condition == "disclosure":
            category = self.site.category(self.fields["category"]) if self.fields.get("category") else None
            return bool(category and category.kind == "disclosure")
        raise ValueError(condition)  # a condition the schema names but nobody wrote

    def check_keys(self, kind: Kind) -> None:
        for key in self.meta:
            if key not in kind.keys:
                names = {name for spec in kind.fields for name in (spec.key, *spec.aliases)}
                self.report(
                    (key,),
                    "unknown-key",
                    f"字段“{key}”无法识别{did_you_mean(key, names)}",
                    "改正字段名，或删除该行（可用字段见 README 的字段表）",
                )

    def check_required(self, kind: Kind) -> None:
        for spec in kind.fields:
            if spec.required and self.meta.get(spec.key) in (None, "", [], {}):
                dated = spec.type in (schema.DATE, schema.DATETIME)
                self.report(
                    (spec.key,) if spec.key in self.meta else (),
                    "required-missing",
                    f"缺少必填字段 {spec.key}（{spec.label}）",
                    f"在信息块中加一行“{spec.key}: ……”（也可写“{spec.label}: ……”）"
                    + (f"，日期写成 {dates.ACCEPTED_FORMATS}" if dated else ""),
                )

    # --- plain types

    def check_plain(self, spec: Field) -> None:
        """text, choice, tags, bool, integer and duration: the value as the field declares it (see `value`)."""
        self.fields[spec.stored_as] = self.value(spec, self.meta.get(spec.key), (spec.key,))

    def text(self, key: str) -> str | None:
        value = self.meta.get(key)
        if value is None:
            return None
        if isinstance(value, (dict, list)):
            self.report((key,), "value-type", f"{key}（{schema.field_label(key)}）应为一段文字")
            return None
        return str(value).strip()

    def check_datetime(self, spec: Field) -> None:
        self.fields[spec.stored_as] = self.date(spec.key)

    def check_date(self, spec: Field) -> None:
        parsed = self.date(spec.key)
        self.fields[spec.stored_as] = parsed.day if parsed else None

    def date(self, key: str, *path) -> dates.ParsedDate | None:
        container = self.meta
        for part in path:
            container = container.get(part) if isinstance(container, dict) else None
        raw = container.get(key) if isinstance(container, dict) else None
        if raw is None:
            return None
        parsed = dates.parse(raw)
        key_path = (*path, key)
        if parsed is None:
            self.report(
                key_path,
                "date-invalid",
                f"{'.'.join(map(str, key_path))} 的日期“{raw}”无法识别",
                f"日期写成 {dates.ACCEPTED_FORMATS}",
            )
        elif parsed.normalised:
            fixed = dates.iso_day(parsed.value) + (parsed.value.strftime(" %H:%M") if parsed.has_time else "")
            self.report(
                key_path,
                "date-normalised",
                f"日期“{raw}”已按 {fixed} 读取",
                f"写成 {fixed}" if not parsed.has_time else f'写成 "{fixed}"',
            )
        if not path:
            self.parsed[key] = parsed
        return parsed

    check_text = check_choice = check_tags = check_bool = check_integer = check_duration = check_plain

    def check_kind(self, spec: Field) -> None:
        """Decided before the fields are checked (the kind says which fields there are)."""

    def check_ignored(self, spec: Field) -> None:
        """Accepted and not used (the kind's fixed values say what it is)."""

    check_table = check_ignored  # statistics tables are read as a whole by rule_stats_table

    # --- lists of records (题库, 嘉宾, 访谈实录, 章节): each item's keys checked by their own types

    def check_records(self, spec: Field) -> None:
        raw = self.meta.get(spec.key)
        records: list[dict] = []
        if raw is not None and not isinstance(raw, list):
            first = spec.fields[0].key
            self.report((spec.key,), "value-type", f"{spec.key}（{spec.label}）应为列表", f"每项以“- {first}: ”开头")
        elif raw is not None:
            for index, item in enumerate(raw):
                if isinstance(item, dict):
                    records.append(self.record(spec, item, (spec.key, index)))
                else:
                    self.report((spec.key, index), "value-type", f"{spec.label}第 {index + 1} 项不是“键: 值”形式")
        self.fields[spec.stored_as] = records

    def record(self, spec: Field, item: dict, path: tuple) -> dict:
        names = {name for sub in spec.fields for name in sub.names_written}
        known = {sub.key for sub in spec.fields}
        where = f"{spec.label}第 {path[-1] + 1} 项"
        for key in item:
            if key not in known:
                self.report(
                    (*path, key),
                    "unknown-key",
                    f"{where}的字段“{key}”无法识别{did_you_mean(key, names)}",
                    f"可用字段：{'、'.join(f'{sub.key}（{sub.label}）' for sub in spec.fields)}",
                )
        values = {}
        for sub in spec.fields:
            raw = item.get(sub.key)
            if sub.required and raw in (None, "", [], {}):
                self.report(
                    path if sub.key not in item else (*path, sub.key),
                    "required-missing",
                    f"{where}缺少 {sub.key}（{sub.label}）",
                    f"在这一项中加一行“{sub.key}: ……”（也可写“{sub.label}: ……”）",
                )
            values[sub.key] = self.value(sub, raw, (*path, sub.key))
        return values

    def value(self, spec: Field, raw, path: tuple):
        """One value of a plain type (or a duration) as the field declares it; the default when absent or wrong."""
        if raw is None:
            return spec.default
        if spec.type == schema.TEXT:
            if isinstance(raw, (dict, list)):
                self.report(path, "value-type", f"{_dotted(path)}（{spec.label}）应为一段文字")
                return spec.default
            return str(raw).strip()
        if spec.type == schema.CHOICE:
            value = spec.canonical(raw)
            if value in spec.values:
                return value
            self.report(
                path,
                "value-invalid",
                f"{_dotted(path)}（{spec.label}）的值“{raw}”无法识别{did_you_mean(value, spec.values)}",
                f"只能是 {'、'.join(spec.values)}",
            )
            return spec.default
        if spec.type == schema.BOOL:
            return raw is True
        if spec.type == schema.INTEGER:
            if isinstance(raw, int) and not isinstance(raw, bool):
                return raw
            self.report(path, "value-type", f"{_dotted(path)}（{spec.label}）应为整数", f"写成 {path[-1]}: 5")
            return spec.default
        if spec.type == schema.TAGS:
            return self.tags(spec, raw, path)
        if spec.type == schema.DURATION:
            return self.duration(spec, raw, path)
        return raw  # RAW: the kind's rule reads it as written

    def tags(self, spec: Field, raw, path: tuple) -> list[str]:
        if isinstance(raw, str):
            return [t for t in re.split(r"[,，、;；\s]+", raw) if t]
        if isinstance(raw, list) and all(isinstance(t, (str, int, float)) and not isinstance(t, bool) for t in raw):
            return [str(t).strip() for t in raw]
        self.report(path, "value-type", f"{path[-1]}（{spec.label}）应为列表", f"写成 {path[-1]}: [书记培训, 基层治理]")
        return []

    def duration(self, spec: Field, raw, path: tuple) -> int | None:
        """Seconds from 25:30, 1:02:03, 25分30秒 or a number of seconds."""
        if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
            return raw
        text = str(raw).strip()
        match = _DURATION.match(text)
        if match and int(match.group(3)) < 60 and (match.group(1) is None or int(match.group(2)) < 60):
            hours, minutes, seconds = (int(g or 0) for g in match.groups())
            return hours * 3600 + minutes * 60 + seconds
        match = _DURATION_CN.match(text)
        if text and match and any(match.groups()):
            hours, minutes, seconds = (int(g or 0) for g in match.groups())
            return hours * 3600 + minutes * 60 + seconds
        self.report(
            path,
            "value-invalid",
            f"{'.'.join(map(str, path))}（{spec.label}）“{raw}”无法识别",
            '写成 "25:30"（25 分 30 秒）或 "1:02:03"，加英文引号',
        )
        return None

    def check_raw(self, spec: Field) -> None:
        self.fields[spec.stored_as] = self.meta.get(spec.key)

    # --- the portal's own types

    def check_org(self, spec: Field) -> None:
        self.fields[spec.stored_as] = self.org()

    def org(self) -> str | None:
        raw = self.meta.get("org")
        if raw in (None, ""):
            return None
        code = str(raw).strip()
        if code in self.orgs:
            return code
        by_name = {o["name"]: c for c, o in self.orgs.items()} | {
            o.get("short_name"): c for c, o in self.orgs.items() if o.get("short_name")
        }
        if code in by_name:
            fix = f'单位要写代码，“{code}”的代码是 {by_name[code]}，请写 org: "{by_name[code]}"'
            self.report(("org",), "org-unknown", f"单位“{code}”写的是名称而不是代码", fix)
        else:
            self.report(("org",), "org-unknown", f"单位代码“{code}”不存在{did_you_mean(code, self.orgs)}")
        return None

    def check_slug(self, spec: Field) -> None:
        raw = self.meta.get(spec.key)
        if raw is not None:
            slug = str(raw).strip()
            if slugs.is_valid(slug):
                self.fields[spec.stored_as] = slug
                return
            self.report((spec.key,), "slug-invalid", f"网址名“{slug}”不合规")
        self.fields[spec.stored_as] = slugs.default_slug(self.source.path.stem, self.fields.get("title", ""))

    def check_media(self, spec: Field) -> None:
        """A file beside the submission (or under media/): its path relative to content/, never another site.

        Whether the file is there and what it holds is checked in content/media.py, which sees the file
        itself (this check is cached by the submission's bytes only)."""
        raw = self.text(spec.key)
        self.fields[spec.stored_as] = None
        if not raw:
            return
        if re.match(r"^[A-Za-z]:[\\/]|^[\\/](?![\\/])", raw):  # C:\视频\a.mp4, /home/…: this PC, not the site
            self.report(
                (spec.key,),
                "path-outside",
                f"{spec.key}（{spec.label}）“{raw}”是电脑上的完整路径",
                "把文件放在稿件所在的文件夹，只写文件名（如 file: dangke.mp4）",
            )
            return
        if urlsplit(raw).scheme or raw.startswith(("//", "\\\\")):
            self.report(
                (spec.key,),
                "media-remote",
                f"{spec.key}（{spec.label}）“{raw[:60]}”是外站地址，不能嵌入其他网站的视频或文件",
            )
            return
        base = posixpath.dirname(self.source.rel)
        path = posixpath.normpath(posixpath.join(base, raw.replace("\\", "/")))
        if path == ".." or path.startswith("../"):
            self.report((spec.key,), "path-outside", f"{spec.key}（{spec.label}）“{raw}”在内容目录之外")
            return
        self.fields[spec.stored_as] = path

    def check_series(self, spec: Field) -> None:
        value = self.text(spec.key) or None
        allowed = self.site.values.get("video_series")
        if value and isinstance(allowed, list) and allowed and value not in [str(a) for a in allowed]:
            names = [str(a) for a in allowed]
            self.report(
                (spec.key,),
                "value-invalid",
                f"专题“{value}”不在 site.yaml 的 video_series 中{did_you_mean(value, names)}",
                f"只能是 {'、'.join(names)}",
            )
        self.fields[spec.stored_as] = value

    def check_mailbox(self, spec: Field) -> None:
        value = self.text(spec.key) or None
        boxes = self.site.values.get("mailboxes")
        names = (
            [str(b.get("name")) for b in boxes if isinstance(b, dict) and b.get("name")]
            if isinstance(boxes, list)
            else []
        )
        if value and value not in names:
            self.report(
                (spec.key,),
                "value-invalid",
                f"信箱“{value}”不在 site.yaml 的 mailboxes 中{did_you_mean(value, names)}",
                f"写 site.yaml 中已有的信箱名称：{'、'.join(names)}"
                if names
                else "请网站维护人员先在 site.yaml 的 mailboxes 中加上这个信箱",
            )
            value = None
        self.fields[spec.stored_as] = value

    def check_category(self, spec: Field) -> None:
        raw = self.meta.get(spec.key)
        category = self.site.category(str(raw).strip()) if raw is not None else None
        if raw is not None and category is None:
            names = [c.name for c in self.site.categories]
            self.report(
                (spec.key,),
                "category-unknown",
                f"栏目“{raw}”不存在{did_you_mean(raw, names)}",
                f"改为已有栏目之一：{'、'.join(names)}",
            )
        self.fields[spec.stored_as] = category.name if category else None

    def check_disclosure_type(self, spec: Field) -> None:
        raw_type = self.text(spec.key)
        types = self.site.disclosure_types
        if raw_type and raw_type not in types:
            self.report(
                (spec.key,),
                "value-invalid",
                f"公开类别“{raw_type}”无法识别{did_you_mean(raw_type, types)}",
                f"只能是 {'、'.join(types)}",
            )
            raw_type = None
        self.fields[spec.stored_as] = raw_type or spec.default

    def check_period(self, spec: Field) -> None:
        f = self.fields
        period = self.meta.get(spec.key)
        if period is not None and not isinstance(period, dict):
            self.report(
                (spec.key,),
                "value-type",
                "公示期应写开始和结束两项",
                "写成两行：period: 下一行缩进写 start: 2026-11-17，再下一行写 end: 2026-11-23",
            )
            period = None
        start = self.date("start", spec.key) if period else None
        end = self.date("end", spec.key) if period else None
        if period is not None:
            for key in ("start", "end"):
                if key not in period:
                    self.report(
                        (spec.key,), "required-missing", f"公示期缺少 {key}", f"在 period 下加一行“  {key}: 2026-11-20”"
                    )
        f["period_start"] = start.day if start else None
        f["period_end"] = end.day if end else None
        if not (start and end):
            return
        if end.day < start.day:
            self.report(
                (spec.key, "end"),
                "period-order",
                f"公示期结束日期 {dates.iso_day(end.day)} 早于开始日期 {dates.iso_day(start.day)}",
            )
            return
        self.check_workdays(start.day, end.day)

    def check_workdays(self, start, end) -> None:
        calendar = self.site.calendar
        uncovered = calendar.uncovered_years(start, end)
        if uncovered:
            years = "、".join(map(str, uncovered))
            self.report(
                ("period",),
                "calendar-uncovered",
                f"节假日日历不含 {years} 年，无法准确计算工作日，已暂按周一至周五计算",
            )
        minimum = self.site.notice_min_workdays.get(self.fields["notice_type"], 0)
        count = calendar.count_workdays(start, end)
        if count < minimum:
            needed = calendar.end_for(start, minimum)
            self.report(
                ("period", "end"),
                "period-too-short",
                f"公示期 {dates.iso_day(start)} 至 {dates.iso_day(end)} 只有 {count} 个工作日，"
                f"少于规定的 {minimum} 个工作日",
                f"把结束日期改为 {dates.iso_day(needed)} 或更晚",
            )

    def check_contact(self, spec: Field) -> None:
        raw = self.meta.get(spec.key)
        value: dict = {}
        if isinstance(raw, str):
            value = {"text": raw.strip()}
        elif raw is not None and (
            not isinstance(raw, dict) or not any(raw.get(k) for k in ("phone", "address", "email"))
        ):
            self.report((spec.key,), "contact-missing", "反映渠道中没有电话、地址或邮箱")
        elif raw is not None:
            value = {k: str(v).strip() for k, v in raw.items() if v not in (None, "")}
        self.fields[spec.stored_as] = value

    def check_persons(self, spec: Field) -> None:
        raw = self.meta.get(spec.key)
        persons: list[dict] = []
        if raw is not None and not isinstance(raw, list):
            self.report((spec.key,), "value-type", "公示对象应为人员列表", "每个人员以“- name: 姓名”开头")
        elif raw is not None:
            required_keys = schema.notice_type(self.fields["notice_type"]).persons_required
            checked = (self.person(person, index, required_keys) for index, person in enumerate(raw))
            persons = [person for person in checked if person is not None]
        self.fields[spec.stored_as] = persons

    def person(self, person, index: int, required_keys: tuple[str, ...]) -> dict | None:
        if not isinstance(person, dict):
            self.report(("persons", index), "value-type", f"第 {index + 1} 位人员信息不是“键: 值”形式")
            return None
        person = {k: v for k, v in person.items() if v is not None}
        missing = [k for k in required_keys if person.get(k) in (None, "")]
        if missing:
            labels = "、".join(f"{k}（{PERSON_LABELS.get(k, k)}）" for k in missing)
            who = person.get("name") or f"第 {index + 1} 位"
            self.report(("persons", index), "person-field-missing", f"人员“{who}”缺少 {labels}")
        if "birth" in person:
            person["birth"] = self.birth(person["birth"], index)
        return {k: str(v) for k, v in person.items()}

    def birth(self, raw, index: int) -> str:
        month = dates.parse_month(str(raw))
        if month:
            return f"{month[0]:04d}-{month[1]:02d}"
        parsed = dates.parse(raw)
        if parsed:
            self.report(
                ("persons", index, "birth"),
                "birth-too-precise",
                f"出生年月“{raw}”写到了具体日期，公示不得公开完整出生日期",
                f"改为 {parsed.value.year:04d}-{parsed.value.month:02d}",
            )
            return f"{parsed.value.year:04d}-{parsed.value.month:02d}"
        self.report(("persons", index, "birth"), "date-invalid", f"出生年月“{raw}”无法识别", "写成 1982-05")
        return ""

    # --- rules across fields (named by each kind in the schema)

    def rule_disclosure_review(self) -> None:
        """党务公开: 提出 → 审核 → 审批 before anything reaches the public."""
        f = self.fields
        if not self.applies("disclosure"):
            return
        missing = [k for k in ("reviewed_by", "approved_by", "approved_on") if not f[k]]
        if missing and f["audience"] == "public":
            self.report(
                tuple(missing[:1]) if missing[0] in self.meta else (),
                "review-missing",
                f"党务公开内容缺少 {'、'.join(missing)}，未经审核审批不能向社会公开",
            )

    def rule_exceptional_reason(self) -> None:
        if self.fields["exceptional"] and not self.fields["exceptional_reason"]:
            self.report(("exceptional",), "exceptional-reason-missing", "破格提拔（exceptional: true）没有说明理由")

    def rule_letter_reply(self) -> None:
        f = self.fields
        if f["letter_status"] == "已答复" and not (f["reply"] and f["reply_date"]):
            self.report(
                ("status",),
                "required-missing",
                "状态为“已答复”但缺少 reply（答复）或 reply_date（答复日期）",
                "补上答复内容和答复日期，或把 status 改为 办理中",
            )
        if f["received"] and f["reply_date"] and f["reply_date"] < f["received"]:
            self.report(("reply_date",), "period-order", "答复日期早于收信日期", "检查两个日期")
        if f["date"] is None and self.parsed.get("received"):
            f["date"] = self.parsed["received"]

    def rule_stats_table(self) -> None:
        table, problems = tables.read_table(self.source, self.meta)
        for key_path, detail, fix in problems:
            self.report(key_path, "stats-shape", detail, fix)
        self.fields.update(table)

    def rule_video_chapters(self) -> None:
        chapters = self.fields["chapters"]
        times = [c["time"] for c in chapters]
        for index in range(1, len(times)):
            if times[index] is not None and times[index - 1] is not None and times[index] <= times[index - 1]:
                self.report(
                    ("chapters", index, "time"),
                    "chapter-time",
                    f"第 {index + 1} 个章节的时间不晚于上一个章节",
                    "章节按时间从早到晚排列，每个章节的 time 比上一个晚",
                )
        duration = self.fields["duration"]
        for index, when in enumerate(times):
            if duration is not None and when is not None and when >= duration:
                self.report(
                    ("chapters", index, "time"),
                    "chapter-time",
                    f"第 {index + 1} 个章节的时间超出了视频时长",
                    "检查章节时间和 duration（时长）",
                )

    def rule_quiz_bank(self) -> None:
        f = self.fields
        questions = [self.question(q, index) for index, q in enumerate(f["questions"])]
        f["questions"] = [q for q in questions if q is not None]
        bank = len(f["questions"])
        draw = f["draw"]
        if draw is not None and draw <= 0:
            self.report(
                ("draw",), "quiz-count", f"每次抽题数 {draw} 不是正数", "写成 draw: 10，或删除这一行（每次出全部题目）"
            )
            draw = f["draw"] = None
        if draw is not None and bank and len(f["questions"]) == len(questions) and draw > bank:
            self.report(
                ("draw",),
                "quiz-count",
                f"每次抽题 {draw} 道，但题库只有 {bank} 道题",
                f"把 draw 改为 {bank} 或更少，或在题库中加题",
            )
            draw = None
        drawn = draw or bank
        pass_mark = f["pass_mark"]
        if pass_mark is not None and (pass_mark <= 0 or (drawn and pass_mark > drawn)):
            self.report(
                ("pass_mark",),
                "quiz-count",
                f"合格题数 {pass_mark} 不在 1 到每次抽题数 {drawn} 之间",
                f"把 pass_mark 改为 1 到 {drawn} 之间的整数（如 {max(1, round(drawn * 0.6))}）",
            )
        if f["time_limit"] is not None and f["time_limit"] <= 0:
            self.report(
                ("time_limit",),
                "value-invalid",
                f"限时 {f['time_limit']} 分钟不是正数",
                "写成 time_limit: 15，或删除这一行",
            )
            f["time_limit"] = None

    def question(self, question: dict, index: int) -> dict | None:
        """A bank question with its answer as option indexes (or True/False for 判断题); None when unusable."""
        path = ("questions", index)
        number = f"第 {index + 1} 题"
        options, answer, kind = question["options"], question["answer"], question["type"]
        if answer is None:
            return None
        if kind == "judge":
            if options:
                self.report((*path, "options"), "quiz-options", f"{number}是判断题，不需要选项", "删除 options 一行")
            value = answer if isinstance(answer, bool) else str(answer).strip()
            if value is True or value in schema.JUDGE_TRUE:
                return {**question, "options": [], "answer": True}
            if value is False or value in schema.JUDGE_FALSE:
                return {**question, "options": [], "answer": False}
            self.report(
                (*path, "answer"), "quiz-answer", f"{number}是判断题，答案“{answer}”无法识别", "答案写 对 或 错"
            )
            return None
        duplicates = sorted({o for o in options if options.count(o) > 1})
        if duplicates:
            self.report(
                (*path, "options"),
                "quiz-options",
                f"{number}的选项“{'、'.join(duplicates)}”重复",
                "每个选项只写一次",
            )
            return None
        if len(options) < 2:
            self.report(
                (*path, "options") if options else path,
                "quiz-options",
                f"{number}只有 {len(options)} 个选项",
                "单选、多选题至少写两个选项：options: [选项一, 选项二, 选项三]",
            )
            return None
        written = answer if isinstance(answer, list) else self.answer_parts(answer, options, kind)
        chosen, unknown = [], []
        for part in written:
            found = self.option_index(part, options)
            (unknown if found is None else chosen).append(part if found is None else found)
        letters = f"A–{OPTION_LETTERS[len(options) - 1]}"
        if unknown or not chosen:
            self.report(
                (*path, "answer"),
                "quiz-answer",
                f"{number}的答案“{'、'.join(map(str, unknown or [answer]))}”不在选项中"
                f"（共 {len(options)} 个选项 {letters}）",
                f"答案写选项字母 {letters} 或选项原文",
            )
            return None
        chosen = sorted(set(chosen))
        if kind == "single" and len(chosen) > 1:
            self.report(
                (*path, "answer"),
                "quiz-answer",
                f"{number}是单选题，却有 {len(chosen)} 个答案",
                "单选题只写一个答案；有多个正确答案时把 type 改为 multiple",
            )
            return None
        return {**question, "answer": chosen}

    @staticmethod
    def answer_parts(answer, options: list[str], kind: str) -> list:
        """A multiple-choice answer written as one string: "AC", "A、C", "A,C" (or one option's text)."""
        text = str(answer).strip()
        if text in options:
            return [text]
        if kind == "multiple":
            compact = re.sub(r"[,，、;；\s]+", "", text)
            if re.fullmatch(r"[A-Za-zＡ-Ｚａ-ｚ]+", compact):
                return list(compact)
            return [p for p in re.split(r"[,，、;；\s]+", text) if p]
        return [text]

    @staticmethod
    def option_index(written, options: list[str]) -> int | None:
        text = str(written).strip()
        if text in options:
            return options.index(text)
        letter = text.upper().translate(_FULLWIDTH_LETTERS)
        if len(letter) == 1 and letter in OPTION_LETTERS[: len(options)]:
            return OPTION_LETTERS.index(letter)
        return None

    def rule_interview_time(self) -> None:
        f = self.fields
        start, end = f["start"], f["end"]
        if start and end and end.value <= start.value:
            self.report(
                ("end",), "period-order", "访谈结束时间不晚于开始时间", "检查 start（访谈时间）和 end（结束时间）"
            )
            f["end"] = None
        names = {g["name"] for g in f["guests"] if g["name"]}
        for index, entry in enumerate(f["record"]):
            if entry["guest"] and entry["guest"] not in names:
                self.report(
                    ("record", index, "guest"),
                    "value-invalid",
                    f"访谈实录第 {index + 1} 问的回答嘉宾“{entry['guest']}”不在 guests 中"
                    + did_you_mean(entry["guest"], names),
                    "写 guests 中嘉宾的姓名",
                )

    def rule_alert_period(self) -> None:
        f = self.fields
        start = f["start"] or f["date"]
        expires = f["expires"]
        if not (start and expires):
            return
        if expires.value <= start.value:
            self.report(("expires",), "period-order", "失效时间不晚于生效时间", "把 expires（失效时间）改到生效之后")
        elif expires.value - start.value > timedelta(days=schema.ALERT_LONGEST_DAYS):
            self.report(
                ("expires",),
                "alert-long",
                f"紧急发布的提示长达 {(expires.value - start.value).days} 天",
                f"紧急发布只用于 {schema.ALERT_LONGEST_DAYS} 天内的突发情况；长期信息请发为文章或通知公告",
            )


_FULLWIDTH_LETTERS = str.maketrans({chr(0xFF21 + i): chr(0x41 + i) for i in range(26)})


def _dotted(path: tuple) -> str:
    """A key path as messages name it: persons.0.name."""
    return ".".join(map(str, path))
