"""The bundled example county and small content trees, shared by every test package."""

from __future__ import annotations

import textwrap
from pathlib import Path

from hongwang.pipeline.core import dates

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "content"
# Fixed build time: notice states and embargoes in the example are asserted against it.
EXAMPLE_NOW = dates.parse("2026-11-23 10:00").value

MINI_SITE = """\
name: 测试红网
host: 中共测试县委组织部
icp: 苏ICP备00000000号
police_record: 苏公网安备 32000000000000号
site_code: "3200000000"
phone: "0512-5000 1001"
categories:
  - {name: 党建动态, slug: dongtai, kind: news}
  - {name: 党务公开, slug: dangwu, kind: disclosure}
  - {name: 通知公告, slug: tongzhi, kind: notices}
"""

MINI_ORGS = """\
orgs:
  - {code: "qx", name: 中共测试县委员会, kind: county}
  - {code: "zzb", name: 中共测试县委组织部, short_name: 县委组织部, kind: department, parent: "qx"}
  - {code: "dz", name: 中共东渚镇委员会, short_name: 东渚镇, kind: township, parent: "qx"}
  - {code: "dz-hq", name: 东渚镇红旗村党总支, kind: village, parent: "dz"}
"""


class ContentTree:
    """A throwaway content/ folder; write() dedents so tests read like the files collectors write."""

    def __init__(self, root: Path):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.write("site.yaml", MINI_SITE)
        self.write("orgs.yaml", MINI_ORGS)

    def write(self, rel: str, text: str, encoding: str = "utf-8") -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(textwrap.dedent(text).encode(encoding))
        return path

    def article(self, rel: str, front: str, body: str = "正文内容。") -> Path:
        return self.write(rel, f"---\n{textwrap.dedent(front).strip()}\n---\n\n{body}\n")
