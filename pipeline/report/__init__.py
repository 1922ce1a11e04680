"""The site health report, as a website inspection judges the portal, and the link check that feeds it.

inspect (the public model → a plain Report) → render (text, JSON, HTML with its template in
theme/report/); linkcheck (internal links offline, partner sites over the network).

Where the link check keeps its results is named here, not in linkcheck: the command line's defaults need
the names, and importing linkcheck (urllib, ssl) for them cost every `hongwang validate` ~15 ms.
"""

from pathlib import Path

LINK_STATE_DIR = Path(".hongwang")  # next to content/ and output/, never inside output/
LINK_RESULTS_FILE = "check-links.json"
LINK_RESULTS = LINK_STATE_DIR / LINK_RESULTS_FILE
