"""The Content Security Policy: in every page's <meta>, sent by `hongwang serve`, written in the nginx example,
and nothing in any page that would need 'unsafe-inline' (checked on every page of the example, not a sample)."""

from __future__ import annotations

import threading
import urllib.request
from html.parser import HTMLParser

from hongwang.pipeline.deploy.serve import make_server
from hongwang.pipeline.site import csp

from support.example import ROOT

COUNTY = "https://www.qingxi.example.gov.cn"


class Inline(HTMLParser):
    """What a policy without 'unsafe-inline' would block, and where the policy's <meta> stands."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self.policies: list[str] = []
        self.before_policy: list[str] = []  # elements that load something before the policy is known
        self.open_script: bool = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "meta" and (attributes.get("http-equiv") or "").lower() == "content-security-policy":
            self.policies.append(attributes.get("content") or "")
        elif tag in ("script", "link", "style", "img", "video") and not self.policies:
            self.before_policy.append(tag)
        if tag == "style":
            self.problems.append("<style>")
        if tag == "script" and "src" not in attributes and attributes.get("type") != "application/json":
            self.problems.append("inline <script>")
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.problems.append(f"<{tag} {name}=>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"<{tag} {name}=javascript:>")

    handle_startendtag = handle_starttag


def test_every_page_has_the_policy_first_and_nothing_inline(example_site):
    output = example_site.output_dir
    html_files = sorted(output.rglob("*.html"))
    assert len(html_files) > 100
    expected = csp.page_policy(COUNTY)
    assert f"media-src 'self' {COUNTY};" in expected and "unsafe" not in expected
    problems = {}
    for path in html_files:
        parser = Inline()
        parser.feed(path.read_text(encoding="utf-8"))
        if parser.policies != [expected] or parser.before_policy or parser.problems:
            problems[path.relative_to(output).as_posix()] = (parser.policies, parser.before_policy, parser.problems)
    assert problems == {}


def test_without_a_site_url_media_come_only_from_the_site():
    assert "media-src 'self';" in csp.page_policy("")
    assert csp.origin("https://www.example.gov.cn/hongwang/") == "https://www.example.gov.cn"
    assert csp.origin("file:///x") == ""


def test_the_server_sends_the_header_policy_and_the_nginx_example_writes_it(example_site):
    server = make_server(example_site.output_dir, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/index.html"
        with urllib.request.urlopen(url, timeout=10) as response:
            sent = response.headers["Content-Security-Policy"]
    finally:
        server.shutdown()
        server.server_close()
    assert sent == csp.HEADER_POLICY and "frame-ancestors 'self'" in sent and "unsafe" not in sent
    deploy = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    assert f'add_header Content-Security-Policy "{csp.HEADER_POLICY}" always;' in deploy
