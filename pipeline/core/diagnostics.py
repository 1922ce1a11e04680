"""Diagnostics: what validation returns instead of printing.

Every code has one entry in CODES with its meaning and the fix, in Chinese for
collectors. The collector docs print this table, so a new code is documented
the moment it exists.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from .budget import BudgetExceeded
from .dates import ACCEPTED_FORMATS
from .personal_data import redact

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Code:
    code: str
    severity: str
    title: str
    fix: str


CODES: dict[str, Code] = {
    c.code: c
    for c in [
        Code(
            "file-unreadable",
            ERROR,
            "文件无法读取或不是文本文件",
            "请确认文件是用记事本/WPS另存为的 UTF-8 文本，而不是图片、压缩包或 Word 原件",
        ),
        Code("file-too-large", ERROR, "文件超过大小上限", "请拆分正文，或把图片、附件作为单独文件放在同一文件夹"),
        Code(
            "internal-error",
            ERROR,
            "检查这个文件时程序出错或用时过长（其他文件照常检查）",
            "检查提示的那一行附近有没有层层嵌套的括号、成片重复的符号或乱码，删掉后重新检查；"
            "改不好时把这个文件发给网站维护人员",
        ),
        Code(
            "encoding-converted",
            WARNING,
            "文件不是 UTF-8 编码，已按检测到的编码转换",
            "请在记事本中选择“另存为”，编码选“UTF-8”后保存",
        ),
        Code("encoding-unknown", ERROR, "无法识别文件编码", "请在记事本中选择“另存为”，编码选“UTF-8”后重新提交"),
        Code(
            "front-matter-missing",
            ERROR,
            "缺少开头的 --- 信息块",
            "文件第一行写 ---，接着写 标题:、日期: 等信息，再用一行 --- 结束，之后写正文",
        ),
        Code("front-matter-unclosed", ERROR, "信息块没有结束的 --- 行", "在信息块最后一项之后单独加一行 ---，再写正文"),
        Code("yaml-syntax", ERROR, "信息块格式错误", "每项写成“键: 值”（英文冒号后加一个空格），缩进只用空格不用 Tab"),
        Code(
            "yaml-fullwidth",
            ERROR,
            "信息块中使用了全角符号",
            "把全角冒号“：”改为英文冒号“: ”，去掉键名中的全角空格和中文引号",
        ),
        Code(
            "key-fullwidth",
            WARNING,
            "字段名中有全角空格或中文引号，已忽略这些符号",
            "字段名前后不加空格和引号，例如写 title: 或 标题: ",
        ),
        Code("yaml-tab", ERROR, "信息块中使用了 Tab 缩进", "把行首的 Tab 换成两个空格"),
        Code("yaml-alias", ERROR, "信息块中使用了 YAML 锚点或引用（& 或 *）", "直接写出内容，不要使用 & 和 * 引用"),
        Code("yaml-too-complex", ERROR, "信息块层级或条目过多", "请精简信息块；人员名单超过 500 人请分多个公示提交"),
        Code("not-a-mapping", ERROR, "信息块不是“键: 值”的形式", "按模板逐行写“键: 值”，可运行 hongwang new 生成模板"),
        Code("unknown-key", ERROR, "无法识别的字段名", "按提示改正字段名，或删除该行"),
        Code("required-missing", ERROR, "缺少必填字段", "按提示补上该字段"),
        Code(
            "placeholder",
            ERROR,
            "稿件中还留着模板的提示文字（请填写……、请在这里写……）",
            "把提示文字换成实际内容；用不到的可选项连同整行删除",
        ),
        Code("value-invalid", ERROR, "字段取值不在允许范围内", "改为提示中列出的取值之一"),
        Code("value-type", ERROR, "字段内容的形式不对", "按提示的形式填写（例如列表用 [甲, 乙]，文字直接写）"),
        Code("date-invalid", ERROR, "日期无法识别", f"日期写成 {ACCEPTED_FORMATS}"),
        Code("date-normalised", WARNING, "日期写法不规范，已按规范读取", "请按 GB/T 7408 写成 2026-11-20"),
        Code(
            "date-far-future",
            WARNING,
            "日期晚于今天 30 天以上：到那天才会在网站上出现",
            "如果是笔误（如把 2026 写成 2027），请改正日期；确实要到那天发布的可以不改",
        ),
        Code("org-unknown", ERROR, "单位代码不存在", "改为 orgs.yaml 中已有的单位代码，或请网站维护人员先添加该单位"),
        Code("category-unknown", ERROR, "栏目不存在", "改为 site.yaml 中已有的栏目名称"),
        Code(
            "slug-invalid",
            ERROR,
            "网址名（slug）只能用小写字母、数字和连字符",
            "改成如 dz-shuji-peixun 的形式，或删除 slug 行由系统生成",
        ),
        Code(
            "file-name-provisional",
            WARNING,
            "文件还用着 hongwang new 起的临时名称",
            "关闭编辑器后按提示给文件改名（名称由标题的拼音生成）",
        ),
        Code("slug-duplicate", ERROR, "网址名（slug）与其他文件重复", "给其中一篇加上不同的 slug，例如在末尾加年份"),
        Code(
            "review-missing",
            ERROR,
            "党务公开内容缺少审核审批记录",
            "补上 reviewed_by（审核人）、approved_by（批准人）、approved_on（审批日期）",
        ),
        Code("period-order", ERROR, "公示期结束日期早于开始日期", "检查公示期的开始和结束日期"),
        Code("period-too-short", ERROR, "公示期不足规定的工作日数", "按提示把结束日期延后"),
        Code(
            "calendar-uncovered",
            WARNING,
            "节假日日历不包含该年份",
            "请网站维护人员在 content/calendar.yaml 中补充该年的节假日和调休日",
        ),
        Code(
            "contact-missing",
            ERROR,
            "公示缺少反映问题的渠道",
            "在 contact 下写明 phone（电话，如 12380）、address（地址）或 email（邮箱）",
        ),
        Code("person-field-missing", ERROR, "公示人员信息缺少必填项", "按提示为该人员补上缺少的项"),
        Code("birth-too-precise", ERROR, "出生日期只能写到月份", "写成 1982-05 这样的年月，不要写具体日期"),
        Code("exceptional-reason-missing", ERROR, "破格提拔未说明理由", "补上 exceptional_reason（破格理由）"),
        Code("personal-id", ERROR, "内容中含有身份证号码", "删除身份证号码；公示只需姓名、性别、出生年月和职务"),
        Code("personal-bank-card", ERROR, "内容中含有银行卡号", "删除银行卡号"),
        Code(
            "personal-mobile", ERROR, "内容中含有个人手机号码", "删除手机号码；对外联系电话只写在 contact 的 phone 项中"
        ),
        Code(
            "invisible-char",
            ERROR,
            "标题、摘要、姓名、网址名等信息中含有看不见的控制字符",
            "这类字符多随从网页或微信复制的文字带来，记事本里看不见：把这一项的文字删掉后重新手打（不要复制粘贴），"
            "保存后重新检查",
        ),
        Code(
            "html-sanitised",
            WARNING,
            "内容中的 HTML 含有不安全部分，发布时会被删除",
            "删除脚本、事件属性、javascript: 链接和外站 iframe，只保留普通文字和表格",
        ),
        Code(
            "path-outside",
            ERROR,
            "引用的文件路径超出了内容目录",
            "图片和附件请放在同一文件夹或 media/ 文件夹，用相对路径引用",
        ),
        Code(
            "image-unreadable",
            ERROR,
            "图片无法打开，或大得不像照片（超过 30 MB 或 6000 万像素）",
            "用画图或 WPS 把图片另存为 JPG（或 PNG），必要时缩小，再替换这个文件",
        ),
        Code(
            "image-svg",
            ERROR,
            "SVG 图片可能含有脚本，不能发布",
            "把图片另存为 PNG 或 JPG，再改正文中的文件名",
        ),
        Code(
            "image-alt-missing",
            WARNING,
            "图片没有替代文字（说明图片内容的一句话）",
            "在 ![ ] 的方括号里写一句图片说明，如 ![党员志愿者清理河道](photo.jpg)；读屏软件会读给视障读者听",
        ),
        Code(
            "media-remote",
            ERROR,
            "视频、封面和字幕不能引用其他网站的地址",
            "不嵌入第三方网站的视频：把视频文件放在稿件旁边，只写文件名（如 file: dangke.mp4）",
        ),
        Code(
            "media-missing",
            ERROR,
            "找不到引用的视频、封面或字幕文件",
            "把文件放在稿件所在的文件夹，文件名与信息块中写的一致（注意大小写和扩展名）",
        ),
        Code(
            "video-format",
            ERROR,
            "视频格式浏览器无法播放",
            "把原视频放进收件文件夹运行 hongwang ingest，自动转为 MP4（H.264 视频、AAC 音频）；"
            "或用视频转换软件另存为 MP4（H.264/AAC）",
        ),
        Code(
            "video-unchecked",
            WARNING,
            "本机没有 ffprobe，未能检查视频的编码",
            "安装 ffmpeg（Debian、统信 UOS、麒麟：sudo apt-get install ffmpeg）后重新检查",
        ),
        Code(
            "video-not-faststart",
            WARNING,
            "MP4 视频的索引在文件末尾，要下载很多内容后才能开始播放",
            "把视频放进收件文件夹运行 hongwang ingest 重新封装"
            "（或 ffmpeg -i 原文件 -c copy -movflags +faststart 新文件.mp4）",
        ),
        Code(
            "video-duration",
            WARNING,
            "写的时长与视频文件不符",
            "删除 duration 一行（按视频文件计算），或改为提示中的时长",
        ),
        Code(
            "video-poster-missing",
            WARNING,
            "视频没有封面图片",
            "加一行 poster: 封面.jpg（与稿件放在同一文件夹）；hongwang ingest 转换视频时会自动截取封面",
        ),
        Code(
            "subtitles-invalid",
            ERROR,
            "字幕文件不是有效的 WebVTT 字幕",
            "第一行写 WEBVTT，空一行后每条字幕写“00:00:01.000 --> 00:00:04.000”和字幕文字；"
            "SRT 字幕把时间中的逗号改为点、删去序号行前的空白即可",
        ),
        Code("chapter-time", ERROR, "章节时间顺序不对或超出视频时长", "章节按时间从早到晚排列，时间不超过视频时长"),
        Code(
            "quiz-answer", ERROR, "测试题的答案不在选项中", "答案写选项字母（A、B、C……）或选项原文；判断题写 对 或 错"
        ),
        Code(
            "quiz-options",
            ERROR,
            "测试题的选项重复、太少或多余",
            "单选、多选题写两个以上互不相同的选项；判断题不写选项",
        ),
        Code(
            "quiz-count",
            ERROR,
            "合格题数、每次抽题数与题库题数不相称",
            "合格题数不多于每次抽题数，每次抽题数不多于题库题数",
        ),
        Code(
            "alert-long",
            WARNING,
            "紧急发布的有效期过长",
            "紧急发布只用于突发情况，有效期不超过 30 天；长期信息请发为文章或通知公告",
        ),
        Code("stats-shape", ERROR, "统计表格式不对", "columns 写列名列表，rows 每行的项数要与 columns 相同"),
        Code("site-config", ERROR, "网站配置（site.yaml / orgs.yaml / links.yaml）有误", "按提示修改配置文件"),
        Code(
            "punctuation-half-width",
            WARNING,
            "中文句子中使用了半角标点",
            "按 GB/T 15834 把中文之间的 , . ? ! ; 改为全角的 ，。？！；",
        ),
        Code("title-too-long", WARNING, "标题超过 40 个字", "把标题压缩到 40 个字以内，细节写进摘要或正文"),
        Code(
            "summary-missing",
            WARNING,
            "正文较长（超过 500 字）但没有摘要",
            "在信息块中加一行“摘要: ……”，用一两句话概括全文",
        ),
        Code(
            "site-identifier-missing",
            WARNING,
            "网站页脚标识信息不全",
            "在 site.yaml 中补上主办单位、ICP备案号、公安机关备案号和网站标识码",
        ),
    ]
}


@dataclass(frozen=True)
class Diagnostic:
    file: str
    line: int
    code: str
    severity: str
    message: str

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


def diag(
    file: Path | str, line: int, code: str, detail: str, fix: str | None = None, severity: str | None = None
) -> Diagnostic:
    """A diagnostic whose message is the detail plus the fix for its code."""
    entry = CODES[code]
    message = redact(f"{detail}。修改方法：{fix or entry.fix}。")  # a message quoting a value never repeats a number
    return Diagnostic(str(file), max(int(line), 1), code, severity or entry.severity, message)


def internal_error(file: Path | str, line: int, error: Exception) -> Diagnostic:
    """Checking one file failed unexpectedly: that file's error (the run goes on), saying where and what to look for."""
    if isinstance(error, BudgetExceeded):
        what = f"检查第 {line} 行起的内容{error}仍未完成（可能有成片重复的括号或符号）"
    elif isinstance(error, RecursionError):
        what = f"第 {line} 行起的内容嵌套过深（如层层缩进的列表或引用）"
    else:
        what = f"检查第 {line} 行起的内容时程序出错（{type(error).__name__}）"
    return diag(file, line, "internal-error", what)


def count_errors(diagnostics: list[Diagnostic]) -> int:
    return sum(1 for d in diagnostics if d.is_error)


def sort_key(d: Diagnostic) -> tuple:
    return (d.file, d.line, d.code)
