"""A seeded county-scale corpus for the benchmark, written three ways.

`write(root, n)` writes the same N items (about 9 in 10 articles, 1 in 10
member-development and cadre notices) from 160 organisations over 20 years as
- root/hongwang/content: hongwang's content tree (site.yaml, orgs.yaml, links.yaml, org/year/slug.md),
- root/pelican/content: standard Markdown with Pelican metadata (org → author, so every org gets a page and feed),
- root/hugo: a Hugo site using bench/hugo_site/, whose layouts and front matter give hongwang's page set
  (lists per category, org, township and 党务公开 type and year, org hubs, feeds; see bench/README.md).
Bodies are realistic Chinese with lists, tables and image references (small real PNGs under media/).
Their prose is as varied as real county text, not a few template sentences: a character-level Markov
chain (order 3) trained on the bundled example county, with phrases from pypinyin's 47,000-phrase list
spliced in (a real portal's vocabulary keeps growing with its size; a template corpus's stops at a few
thousand distinct terms and makes any search index look small and fast). The same seed always gives
byte-identical files.
"""

from __future__ import annotations

import bisect
import collections
import functools
import itertools
import random
import re
import shutil
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIRST_YEAR, LAST_YEAR = 2006, 2025
IMAGE_COUNT = 24
CATEGORIES = [
    ("党建动态", "dongtai", "news"),
    ("基层党建", "jiceng", "news"),
    ("党务公开", "dangwu", "disclosure"),
    ("廉政建设", "lianzheng", "news"),
    ("理论学习", "xuexi", "news"),
    ("通知公告", "tongzhi", "notices"),
    ("政策法规", "zhengce", "policy"),
]
DEPARTMENTS = [
    "组织部",
    "宣传部",
    "统战部",
    "政法委",
    "编办",
    "机关工委",
    "老干部局",
    "党校",
    "党史办",
    "档案馆",
    "教育局",
    "卫健委",
    "农业农村局",
    "民政局",
    "人社局",
]
TOWNS = ["东渚", "横塘", "柳桥", "锦岚", "石湖", "清溪", "白沙", "枫林", "梅村", "桃源", "凤凰", "龙岗", "松陵", "兰亭"]
VILLAGE_WORDS = ["莲塘", "渔港", "新桥", "杨湾", "南浜", "北庄", "东岸", "西坞", "前进", "联合"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊洋艳勇军杰娟涛明超秀霞平刚桂英华玉兰建国志红海燕晓雨浩然佳思琪宇轩子涵欣怡"
TOPICS = [
    "主题教育",
    "党史学习教育",
    "三会一课",
    "主题党日",
    "党员积分制管理",
    "基层党组织标准化建设",
    "村级组织换届",
    "党员冬训",
    "结对共建",
    "网格化党建",
    "乡村振兴",
    "作风建设",
    "清廉村居建设",
    "民主评议党员",
    "组织生活会",
    "党费收缴",
    "发展党员",
    "人才引育",
    "志愿服务",
    "红色教育基地",
]
ACTIONS = [
    "扎实开展",
    "深入推进",
    "召开",
    "部署推进",
    "全面启动",
    "创新开展",
    "组织开展",
    "高质量推进",
    "专题研究",
    "总结表彰",
]
SUFFIXES = ["工作", "专题会议", "推进会", "培训班", "观摩活动", "集中学习", "动员大会", "现场会"]
SENTENCES = [
    "{org}坚持以习近平新时代中国特色社会主义思想为指导，把{topic}作为全年重点任务，层层压实责任。",
    "会议传达学习了上级关于{topic}的部署要求，结合实际研究制定了具体措施，明确了时间表和路线图。",
    "今年以来，{org}共组织集中学习{n}次，开展专题研讨{m}场，{n2}名党员参加。",
    "活动中，党员们重温入党誓词，参观了县党史教育馆，接受了一次深刻的党性教育。",
    "下一步，{org}将持续巩固{topic}成果，建立长效机制，推动各项工作落地见效。",
    "各党支部书记围绕{topic}作交流发言，分享了经验做法，查找了问题不足。",
    "镇党委坚持问题导向，梳理出{m}项重点任务，逐项明确责任领导、责任科室和完成时限。",
    "通过“线上+线下”相结合的方式，让流动党员、老弱病残党员也能及时参加组织生活。",
    "村“两委”干部带头走访群众，收集意见建议{n}条，已办结{m}条，群众满意度明显提升。",
    "县委组织部有关负责同志表示，要把{topic}与中心工作结合起来，以党建引领基层治理。",
    "此次培训采取专题授课、现场教学、分组讨论等形式，学员们纷纷表示收获很大。",
    "{org}还注重发挥先进典型示范作用，评选表彰优秀共产党员{m}名、优秀党务工作者{m2}名。",
]
LIST_ITEMS = [
    "落实“三会一课”制度，按时召开支部党员大会",
    "规范党费收缴、使用和管理",
    "加强党员教育管理和监督",
    "开展“亮身份、践承诺”活动",
    "推进党务、村务、财务公开",
    "做好困难党员和老党员关爱帮扶",
    "抓好发展党员工作，严把入口关",
    "开展党员志愿服务，解决群众急难愁盼问题",
]
POSTS = [
    "镇党委委员、副镇长",
    "县委组织部组织科科长",
    "县教育局副局长",
    "镇党委副书记",
    "县农业农村局党组成员",
    "街道办事处副主任",
    "县卫健委办公室主任",
    "县民政局社会事务科科长",
]


@dataclass
class Org:
    code: str
    name: str
    short: str
    kind: str
    parent: str | None


@dataclass
class Item:
    kind: str  # "article" | "notice"
    slug: str
    title: str
    when: datetime
    org: Org
    category: tuple[str, str, str] | None
    summary: str
    collector: str
    tags: list[str]
    body: str
    front_extra: list[str]  # extra hongwang front-matter lines (notices, disclosures)

    @property
    def rel(self) -> str:
        return f"{self.org.code}/{self.when.year}/{self.slug}.md"


def build_orgs() -> list[Org]:
    orgs = [Org("qx", "中共青溪县委员会", "青溪县委", "county", None)]
    for i, name in enumerate(DEPARTMENTS, 1):
        orgs.append(
            Org(
                f"bm{i:02d}",
                f"中共青溪县委{name}" if i <= 9 else f"中共青溪县{name}委员会",
                f"县{name}",
                "department",
                "qx",
            )
        )
    for i, town in enumerate(TOWNS, 1):
        code = f"zh{i:02d}"
        orgs.append(Org(code, f"中共青溪县{town}镇委员会", f"{town}镇党委", "township", "qx"))
        for j in range(1, 10):
            village = VILLAGE_WORDS[(i + j) % len(VILLAGE_WORDS)] + ("村" if j % 3 else "社区")
            orgs.append(
                Org(f"{code}-c{j:02d}", f"中共青溪县{town}镇{village}委员会", f"{town}{village}党委", "village", code)
            )
    for i in range(1, 160 - len(orgs) + 1):
        orgs.append(
            Org(
                f"bm{i:02d}-zb",
                f"中共{DEPARTMENTS[i - 1]}机关支部委员会",
                f"{DEPARTMENTS[i - 1]}机关支部",
                "branch",
                f"bm{i:02d}",
            )
        )
    assert len(orgs) == 160
    return orgs


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


MARKOV_ORDER = 3
LONG_NUMBER = re.compile(r"\d[\d \-]{7,}\d")
PHRASE_SHARE = 0.12  # chance, after a Chinese character, that a vocabulary phrase follows


@functools.cache
def prose_model() -> tuple[dict, list, list, list]:
    """(Markov transitions, their states, phrases, cumulative Zipf weights of the phrases)."""
    from pypinyin import phrases_dict

    example = HERE.parent / "content"
    bodies = []
    for path in sorted(example.rglob("*.md")):
        if path.relative_to(example).parts[0] == "pages":  # the collectors' guide: Markdown about Markdown
            continue
        parts = path.read_text(encoding="utf-8").split("---", 2)
        bodies.append(" ".join(line for line in parts[-1].splitlines() if line and line[0] not in "|#-!>"))
    text = "".join(bodies)
    transitions = collections.defaultdict(list)
    for i in range(len(text) - MARKOV_ORDER):
        transitions[text[i : i + MARKOV_ORDER]].append(text[i + MARKOV_ORDER])
    phrases = sorted(phrases_dict.phrases_dict)
    random.Random(7).shuffle(phrases)
    weights = list(itertools.accumulate(1 / (rank + 10) for rank in range(len(phrases))))
    return dict(transitions), sorted(transitions), phrases, weights


def prose(rng: random.Random, length: int) -> str:
    transitions, states, phrases, weights = prose_model()
    state = rng.choice(states)
    out, size = [state], len(state)
    while size < length:
        if rng.random() < PHRASE_SHARE and "\u4e00" <= state[-1] <= "\u9fff":
            phrase = phrases[bisect.bisect(weights, rng.random() * weights[-1])]
            out.append(phrase)
            size += len(phrase)
            continue
        following = transitions.get(state)
        if not following:
            state = rng.choice(states)
            out.append(state)
            size += len(state)
            continue
        character = rng.choice(following)
        out.append(character)
        size += 1
        state = state[1:] + character
    # chains of numbers from different sentences can read as a card or phone number: keep their first digits
    return LONG_NUMBER.sub(lambda match: match.group()[:4], "".join(out))


def article_body(rng: random.Random, org: Org, topic: str, index: int) -> str:
    def sentence() -> str:
        opening = rng.choice(SENTENCES).format(
            org=org.short,
            topic=topic,
            n=rng.randint(3, 30),
            m=rng.randint(2, 12),
            n2=rng.randint(20, 400),
            m2=rng.randint(1, 8),
        )
        return opening + prose(rng, rng.randint(60, 160)) + "。"

    paragraphs = ["".join(sentence() for _ in range(rng.randint(1, 2))) for _ in range(rng.randint(3, 6))]
    blocks = paragraphs[:2]
    if index % 3 == 0:
        blocks.append("主要做法：\n\n" + "\n".join(f"- {item}" for item in rng.sample(LIST_ITEMS, 4)))
    if index % 4 == 0:
        rows = "\n".join(
            f"| {rng.choice(TOWNS)}镇 | {rng.randint(50, 900)} | {rng.randint(1, 40)} | {rng.randint(80, 100)}% |"
            for _ in range(rng.randint(3, 6))
        )
        blocks.append("| 单位 | 党员人数 | 新发展党员 | 参学率 |\n| --- | ---: | ---: | ---: |\n" + rows)
    if index % 5 == 0:
        blocks.append(f"![{topic}现场](../../media/photo-{index % IMAGE_COUNT:02d}.png)")
    blocks += paragraphs[2:]
    return "\n\n".join(blocks) + "\n"


def make_items(n: int, orgs: list[Org], seed: int) -> list[Item]:
    rng = random.Random(seed)
    span = (datetime(LAST_YEAR, 12, 31) - datetime(FIRST_YEAR, 1, 1)).days
    article_categories = [c for c in CATEGORIES if c[2] != "notices"] + [CATEGORIES[5]]
    items = []
    for index in range(n):
        org = rng.choice(orgs)
        when = datetime(FIRST_YEAR, 1, 1, 9) + timedelta(days=rng.randrange(span), minutes=rng.randrange(540))
        topic = rng.choice(TOPICS)
        collector = person_name(rng)
        if index % 10 == 9:
            items.append(make_notice(rng, index, org, when, collector))
            continue
        category = rng.choice(article_categories)
        title = f"{org.short}{rng.choice(ACTIONS)}{topic}{rng.choice(SUFFIXES)}"
        extra = []
        if category[2] == "disclosure":
            approved = (when - timedelta(days=3)).date().isoformat()
            extra = [
                "disclosure_type: 组织建设",
                f"reviewed_by: {person_name(rng)}（保密审查员）",
                f"approved_by: {person_name(rng)}",
                f'approved_on: "{approved}"',
            ]
        items.append(
            Item(
                "article",
                f"{org.code}-{when.year}-{index:06d}",
                title,
                when,
                org,
                category,
                f"{org.short}围绕{topic}开展工作，推动党建工作提质增效。",
                collector,
                [topic, category[0]],
                article_body(rng, org, topic, index),
                extra,
            )
        )
    return items


def make_notice(rng: random.Random, index: int, org: Org, when: datetime, collector: str) -> Item:
    cadre = index % 20 == 19
    start = when.date() + timedelta(days=(7 - when.weekday()) % 7 or 7)  # the next Monday
    end = start + timedelta(days=18)  # at least 5 working days even across a long holiday
    notice_type = "cadre" if cadre else "member-development"
    persons = []
    for _ in range(rng.randint(1, 4)):
        birth = f"{rng.randint(1965, 2002)}-{rng.randint(1, 12):02d}"
        lines = [f"  - name: {person_name(rng)}", f"    gender: {rng.choice('男女')}", f'    birth: "{birth}"']
        if cadre:
            lines += [f"    current_post: {rng.choice(POSTS)}", f"    proposed_post: {rng.choice(POSTS)}"]
        else:
            lines += [f"    branch: {org.short}", "    education: 大学"]
        persons.append("\n".join(lines))
    extra = [
        "kind: notice",
        f"notice_type: {notice_type}",
        "period:",
        f'  start: "{start.isoformat()}"',
        f'  end: "{end.isoformat()}"',
        "contact:",
        '  phone: "0512-12380"',
        "  address: 青溪县人民路1号",
        "persons:",
        *persons,
    ]
    title = f"{org.name}关于{'干部任前' if cadre else '拟发展党员'}的公示"
    body = (
        f"根据有关规定，经{org.short}研究，现将有关情况予以公示。公示时间：{start.year}年{start.month}月"
        f"{start.day}日至{end.year}年{end.month}月{end.day}日。\n\n公示期间，党员和群众可通过来电、来信、来访等方式"
        f"反映情况和问题。反映问题要实事求是，提倡署真实姓名。\n\n举报电话：0512-12380\n"
    )
    return Item(
        "notice",
        f"gs-{org.code}-{when.year}-{index:06d}",
        title,
        when,
        org,
        None,
        f"{org.short}{'干部任前' if cadre else '发展党员'}公示",
        collector,
        ["公示"],
        body,
        extra,
    )


# ---------------------------------------------------------------- writers


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_hongwang(root: Path, orgs: list[Org], items: list[Item]) -> None:
    content = root / "content"
    (content / "media").mkdir(parents=True, exist_ok=True)
    write_images(content / "media")
    site = (HERE.parent / "content" / "site.yaml").read_text(encoding="utf-8")
    (content / "site.yaml").write_text(site, encoding="utf-8")
    lines = ["orgs:"]
    for org in orgs:
        lines += [
            f'  - code: "{org.code}"',
            f"    name: {org.name}",
            f"    short_name: {org.short}",
            f"    kind: {org.kind}",
        ] + ([f'    parent: "{org.parent}"'] if org.parent else [])
    (content / "orgs.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    links = ["links:"] + [
        f'  - {{name: {o.short}网站, url: "https://{o.code}.qingxi.example.gov.cn/", group: 县内网站, org: "{o.code}"}}'
        for o in orgs[:30]
    ]
    links += ['  - {name: 共产党员网, url: "https://www.12371.cn/", group: 全国党建网站}']
    (content / "links.yaml").write_text("\n".join(links) + "\n", encoding="utf-8")
    for item in items:
        front = [f"title: {quote(item.title)}", f'date: "{item.when:%Y-%m-%d %H:%M}"', f'org: "{item.org.code}"']
        if item.category:
            front.append(f"category: {item.category[0]}")
        front += [
            f"collector: {item.collector}",
            f"summary: {quote(item.summary)}",
            f"tags: [{', '.join(item.tags)}]",
            f"slug: {item.slug}",
            *item.front_extra,
        ]
        write_text(content / item.rel, "---\n" + "\n".join(front) + "\n---\n\n" + item.body)


def write_pelican(root: Path, orgs: list[Org], items: list[Item]) -> None:
    content = root / "content"
    write_images(content / "media")
    for item in items:
        category = item.category[0] if item.category else "公示公告"
        header = [
            f"Title: {item.title}",
            f"Date: {item.when:%Y-%m-%d %H:%M}",
            f"Category: {category}",
            f"Tags: {', '.join(item.tags)}",
            f"Authors: {item.org.short}",
            f"Slug: {item.slug}",
            f"Summary: {item.summary}",
        ]
        body = item.body.replace("](../../media/", "]({static}/media/")
        write_text(content / item.rel, "\n".join(header) + "\n\n" + body)
    (root / "pelicanconf.py").write_text(PELICAN_CONF, encoding="utf-8")


PELICAN_CONF = """# Vanilla Pelican 4.12: default theme, the same pagination (20) and feeds per category and org.
SITENAME = "青溪红网"
SITEURL = ""
PATH = "content"
TIMEZONE = "Asia/Shanghai"
DEFAULT_LANG = "zh"
STATIC_PATHS = ["media"]
DEFAULT_PAGINATION = 20
PAGINATION_PATTERNS = ((1, "{url}", "{save_as}"), (2, "{name}-p{number}{extension}", "{name}-p{number}{extension}"))
FEED_DOMAIN = "https://www.qingxi.example.gov.cn"
FEED_ALL_ATOM = "feeds/all.atom.xml"
FEED_ALL_RSS = "feeds/all.rss.xml"
CATEGORY_FEED_ATOM = "feeds/category/{slug}.atom.xml"
CATEGORY_FEED_RSS = "feeds/category/{slug}.rss.xml"
AUTHOR_FEED_ATOM = "feeds/org/{slug}.atom.xml"
AUTHOR_FEED_RSS = "feeds/org/{slug}.rss.xml"
TAG_SAVE_AS = ""
TAGS_SAVE_AS = ""
AUTHOR_URL = "org/{slug}.html"
AUTHOR_SAVE_AS = "org/{slug}.html"
CATEGORY_URL = "category/{slug}.html"
CATEGORY_SAVE_AS = "category/{slug}.html"
ARTICLE_URL = "article/{slug}.html"
ARTICLE_SAVE_AS = "article/{slug}.html"
SLUG_REGEX_SUBSTITUTIONS = [(r"[^\\w\\s-]", ""), (r"(?u)\\A\\s*", ""), (r"(?u)\\s*\\Z", ""), (r"[-\\s]+", "-")]
AUTHOR_REGEX_SUBSTITUTIONS = SLUG_REGEX_SUBSTITUTIONS
RELATIVE_URLS = True
"""


ORG_KIND_LABELS = {
    "county": "县委",
    "department": "县直部门",
    "township": "乡镇",
    "village": "村（社区）",
    "branch": "机关支部",
}
BOARD = "公示公告"  # hongwang's notice board (notice/index.html): every notice and every 通知公告 article


def write_hugo(root: Path, orgs: list[Org], items: list[Item]) -> None:
    """The Hugo site: bench/hugo_site/ plus one content file per item and data/orgs.yaml for the org hubs.

    Front matter puts each item in the lists hongwang files it in: its category (a notice or a 通知公告
    article also on the 公示公告 board), its org, its township's villages list (villages' items), and for
    党务公开 its 公开类别 and year. Tags are shown on the page, as hongwang does, without lists of their own."""
    shutil.copytree(HERE / "hugo_site", root, dirs_exist_ok=True)
    write_images(root / "static" / "media")
    by_code = {org.code: org for org in orgs}
    lines = []
    for org in orgs:
        children = [o.short for o in orgs if o.parent == org.code]
        parent = quote(by_code[org.parent].short if org.parent else "")
        lines += [
            f"{quote(org.short)}:",
            f"  name: {quote(org.name)}",
            f"  kind: {ORG_KIND_LABELS[org.kind]}",
            f"  parent: {parent}",
            f"  children: [{', '.join(quote(c) for c in children)}]",
        ]
    write_text(root / "data" / "orgs.yaml", "\n".join(lines) + "\n")
    for item in items:
        section = "article" if item.kind == "article" else "notice"
        categories = [item.category[0]] if item.category else []
        if item.kind == "notice" or (item.category and item.category[2] == "notices"):
            categories.append(BOARD)
        front = [
            f"title: {quote(item.title)}",
            f"date: {item.when:%Y-%m-%dT%H:%M:00+08:00}",
            f"slug: {item.slug}",
            f"summary: {quote(item.summary)}",
            f"categories: [{', '.join(categories)}]",
            f"orgs: [{quote(item.org.short)}]",
            f"tags: [{', '.join(item.tags)}]",
        ]
        parent = by_code.get(item.org.parent or "")
        if item.org.kind == "village" and parent and parent.kind == "township":
            front.append(f"townships: [{quote(parent.short)}]")
        if item.category and item.category[2] == "disclosure":
            kind = next(line.split(": ", 1)[1] for line in item.front_extra if line.startswith("disclosure_type:"))
            front += [f"types: [{kind}]", f'years: ["{item.when.year}"]']
        if item.kind == "notice":  # period, contact and persons as hongwang has them (not its `kind` keys)
            front += item.front_extra[item.front_extra.index("period:") :]
        body = item.body.replace("](../../media/", "](/media/")
        write_text(root / "content" / section / f"{item.slug}.md", "---\n" + "\n".join(front) + "\n---\n\n" + body)


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def write_images(folder: Path) -> None:
    from PIL import Image, ImageDraw

    folder.mkdir(parents=True, exist_ok=True)
    for index in range(IMAGE_COUNT):
        image = Image.new("RGB", (320, 200), (200 - index * 5, 40 + index * 3, 40))
        ImageDraw.Draw(image).rectangle((20, 20, 300, 180), outline=(255, 230, 180), width=4)
        image.save(folder / f"photo-{index:02d}.png", optimize=True)


def write(root: Path, n: int, seed: int = 2026) -> list[Item]:
    """Write all three trees for N items under root (replacing what was there)."""
    if root.exists():
        shutil.rmtree(root)
    orgs = build_orgs()
    items = make_items(n, orgs, seed)
    write_hongwang(root / "hongwang", orgs, items)
    write_pelican(root / "pelican", orgs, items)
    write_hugo(root / "hugo", orgs, items)
    return items


if __name__ == "__main__":
    target, count = Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    write(target, count)
    print(f"{count} items → {target}")
