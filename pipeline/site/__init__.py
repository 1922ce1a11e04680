"""The site build: checked documents → the portal model → every page through Pelican → feeds, sitemap, search.

model (what is published, typed) → pages (which file from which template) → glue (the Pelican
generator, thin) → feeds, sitemap, search (post-build steps on the written output). incremental
keeps the page dependency record; build is the one call that runs them all.
"""
