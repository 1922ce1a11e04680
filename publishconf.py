"""Settings for publishing: absolute site URL for feeds, canonical links and sitemap.

Page links stay relative so one output serves the county host and village PCs alike.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pelicanconf import *  # noqa: E402,F401,F403

HONGWANG_PUBLISH = True
