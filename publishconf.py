"""Settings for publishing: absolute site URL for feeds, canonical links and sitemap.

Page links stay relative so one output serves the county host and village PCs alike.
"""

from hongwang.pelicanconf import *  # noqa: F401,F403

HONGWANG_PUBLISH = True
