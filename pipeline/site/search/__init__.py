"""Chinese full-text search of our own: an n-gram index written by the build, read by theme/static/js/search.js.

text (normalisation shared with the browser) → terms (1-3-grams, where each is filed) → documents
(what is searchable) → writer (cold or incremental, files under output/search/) with codec (the shard
format) and ids (stable document ids). `query` answers a query in Python exactly as the browser does:
the tests use it as the reference for the browser and for the ground truth.
"""
