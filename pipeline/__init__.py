"""hongwang's pipeline: content files → checked documents → the portal → a published site.

    core/      dates, work days, URLs, diagnostics, safe YAML, personal data, hashing, cache, workers
    content/   files → checked documents (schema, load, checker, validate)
    site/      documents → model → pages (Pelican), feeds, sitemap, search index
    deploy/    a built site → releases on a server, village bundles, sync, the HTTP server
    intake/    collectors' inbox → content/ (journal, planner, converters); `hongwang new`
    report/    the site health report and the link check

Imports point down only: report, intake and deploy may use site, content and core; site uses
content and core; content uses core; core uses nothing of ours.
"""
