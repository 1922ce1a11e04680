"""No Content Security Policy violation on any page type, served by `hongwang serve` (header and meta policies)
and opened from disk (the meta policy alone), in Chromium."""

from __future__ import annotations

import pytest

from hongwang.pipeline.site import pages

pytestmark = pytest.mark.browser

LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} in ${e.sourceFile}:${e.lineNumber}`);
});
"""


def one_page_per_template(example_site) -> dict[str, str]:
    chosen: dict[str, str] = {}
    for spec in pages.plan(example_site.portal):
        chosen.setdefault(spec.template, spec.name)
    return chosen


@pytest.fixture(scope="module")
def tab(chromium):
    """One tab for every page (a new one per page cost more than the pages): the listener is set per document."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(LISTEN)
    page = context.new_page()
    page.console_csp = []
    page.on("console", lambda m: page.console_csp.append(m.text) if "Content Security Policy" in m.text else None)
    yield page
    context.close()


def violations(tab, url: str, ready: str | None = None) -> list[str]:
    tab.console_csp.clear()
    tab.goto(url, wait_until="load")
    if ready:
        tab.wait_for_selector(ready)
    tab.wait_for_timeout(50)  # a violation event is dispatched as a task after the blocked load
    return tab.evaluate("window.__csp") + tab.console_csp


def test_every_page_type_served_and_from_disk_has_no_csp_violation(example_site, served_example, tab):
    chosen = one_page_per_template(example_site)
    assert len(chosen) >= 20, chosen  # every kind of page the theme has
    output = example_site.output_dir
    checks = {}
    for template, name in chosen.items():
        checks[f"{template} served"] = served_example.url(name)
        checks[f"{template} file://"] = (output / name).as_uri()
    problems = {what: found for what, url in sorted(checks.items()) if (found := violations(tab, url))}
    # 党建: search.js loads the index by <script src> and writes the results
    searched = violations(tab, served_example.url("search.html?q=%E5%85%9A%E5%BB%BA"), "#search-results li")
    missing = violations(tab, served_example.url("no/such/page.html"))  # the themed 404, from a depth
    assert (problems, searched, missing) == ({}, [], [])


def test_the_listener_would_see_a_violation(served_example, tab):
    """The check above can fail: an inline style added to a page is reported."""
    tab.goto(served_example.url("index.html"))
    tab.evaluate("document.head.append(Object.assign(document.createElement('style'), {textContent: 'p{}'}))")
    tab.wait_for_function("window.__csp.length > 0")
    assert "style-src" in tab.evaluate("window.__csp")[0]
