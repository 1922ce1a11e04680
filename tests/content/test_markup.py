"""The sanitiser's inventory (what the html-sanitised warning names) and its quick pass for plain HTML."""

import pytest

from hongwang.pipeline.content import markup


def exact_inventory(raw_html: str) -> list[str]:
    inventory = markup._Inventory()
    inventory.feed(raw_html)
    inventory.close()
    return list(dict.fromkeys(inventory.removed))


SNIPPETS = [
    markup.markdown_to_html(
        "## 标题\n\n正文**加粗**，[链接](https://example.gov.cn/a?b=1&c=2)。\n\n"
        "| 项目 | 数量 |\n| :-- | --: |\n| 党员 | 12 |\n\n![照片](media/a.jpg)\n\n- 一\n- 二\n"
    ),
    "<p>正文</p><h1>大标题</h1>",
    '<p onclick="alert(1)">点我</p>',
    '<a href="javascript:alert(1)">链接</a>',
    '<a href="javascript&#58;alert(1)">实体编码的链接</a>',
    '<a href="jav&#x09;ascript:alert(1)">带制表符</a>',
    '<A HREF="javascript:alert(1)">大写</A>',
    '<a href="x>" onclick="y">引号里有尖括号</a>',
    "<a href='javascript:alert(1)'>单引号</a>",
    '<img src="data:image/png;base64,AAAA" alt="">',
    '<td style="text-align: right">右对齐</td>',
    "<!-- 注释 --><p>正文</p>",
    "<script>alert(1)</script>",
    '<iframe src="https://example.com"></iframe>',
    "<p>1 < 2 and 3 > 2</p>",
    '<div class="admonition note"><p class="admonition-title">注意</p></div>',
    '<video src="media/a.mp4" controls onplay="x()"></video>',
]


@pytest.mark.parametrize("raw_html", SNIPPETS)
def test_the_quick_pass_never_disagrees_with_the_exact_inventory(raw_html):
    assert markup.removed_parts(raw_html) == exact_inventory(raw_html)


def test_markdowns_own_output_takes_the_quick_pass():
    assert markup._plainly_allowed(SNIPPETS[0])
    assert not markup._plainly_allowed('<a href="javascript:alert(1)">x</a>')
    assert not markup._plainly_allowed('<a href="javascript&#58;alert(1)">x</a>')
