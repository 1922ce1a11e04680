"""Pelican settings for local builds: relative URLs, so output/ works from any host or sub-path.

`hongwang build` overrides PATH, OUTPUT_PATH and HONGWANG_PROFILE. Settings
must stay picklable (no lambdas): Pelican's cache pickles them.
"""

SITENAME = "红网"
AUTHOR = ""
PATH = "content"
OUTPUT_PATH = "output"
THEME = "theme"
THEME_STATIC_DIR = "theme"
TIMEZONE = "Asia/Shanghai"
DEFAULT_LANG = "zh-CN"
DEFAULT_DATE_FORMAT = "%Y年%m月%d日"

PLUGINS = ["hongwang.pipeline.site.glue"]  # the installed package (see pyproject.toml)

# Our generator renders every page from the validated model; Pelican's own
# readers must not pick up collectors' Markdown or YAML a second time.
ARTICLE_PATHS = []
PAGE_PATHS = []
STATIC_PATHS = []
DIRECT_TEMPLATES = []
READERS = {"html": None, "htm": None, "rst": None, "md": None, "markdown": None}
ARTICLE_SAVE_AS = ""
PAGE_SAVE_AS = ""
CATEGORY_SAVE_AS = ""
TAG_SAVE_AS = ""
AUTHOR_SAVE_AS = ""

FEED_ALL_ATOM = None
FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = None
CATEGORY_FEED_RSS = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None

RELATIVE_URLS = True
SITEURL = ""
DELETE_OUTPUT_DIRECTORY = True
OUTPUT_RETENTION = []
CHECK_MODIFIED_METHOD = "sha256"
LOAD_CONTENT_CACHE = False
CACHE_CONTENT = False

# Autoescape: titles and every YAML string are untrusted text; only sanitised bodies are Markup.
JINJA_ENVIRONMENT = {"trim_blocks": True, "lstrip_blocks": True, "extensions": [], "autoescape": True}

HONGWANG_PROFILE = "public"
# Absolute site URL for feeds, canonical links and the sitemap; None reads it from content/site.yaml.
HONGWANG_SITEURL = None
