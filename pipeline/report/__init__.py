"""The site health report, as a website inspection judges the portal, and the link check that feeds it.

inspect (the public model → a plain Report) → render (text, JSON, HTML with its template in
theme/report/); linkcheck (internal links offline, partner sites over the network).
"""
