"""Scrapy settings for newsbot: polite defaults for live sites.

Every value here can be overridden per run (``-s NAME=VALUE`` or the ``newsbot`` CLI options). Replay mode
(``NEWSBOT_REPLAY_DIR``) lifts the throttling since no server is involved.
"""

from newsbot import __version__

BOT_NAME = "newsbot"
SPIDER_MODULES = ["newsbot.spiders"]
NEWSPIDER_MODULE = "newsbot.spiders"

# --- politeness (live crawls) ---
USER_AGENT = f"newsbot/{__version__} (+https://github.com/newsbot-vn/newsbot; research crawler of public news)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
DNS_TIMEOUT = 20
REDIRECT_MAX_TIMES = 5

REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"

# --- newsbot components ---
DOWNLOADER_MIDDLEWARES = {
    # Answers every request from fixture folders when NEWSBOT_REPLAY_DIR is set; inactive otherwise.
    "newsbot.replay.ReplayMiddleware": 950,
    # Refuses private, loopback and link-local hosts on live crawls (after HostMap and Replay).
    "newsbot.security.PrivateAddressGuard": 960,
}
ITEM_PIPELINES = {
    "newsbot.pipelines.ValidationPipeline": 100,
    "newsbot.pipelines.DedupPipeline": 200,
    "newsbot.pipelines.state.StatePipeline": 300,
    "newsbot.pipelines.JsonLinesWriterPipeline": 900,
}

EXTENSIONS = {
    "newsbot.extensions.report.RunReport": 500,
}

NEWSBOT_DATA_DIR = None  # crawl state (state.sqlite) and per-run part files; the CLI defaults it to ./data
NEWSBOT_STATE = True  # incremental runs against the crawl state in NEWSBOT_DATA_DIR
NEWSBOT_REFRESH_DAYS = 0  # re-fetch known articles published in the last N days; write an update if changed
NEWSBOT_RETRY_PENDING_MAX = 5  # attempts for articles a previous run discovered but could not finish
NEWSBOT_MAX_ERROR_RATE = 0.05
NEWSBOT_MIN_COVERAGE = {"title": 1.0, "body": 1.0, "published_at": 1.0}
NEWSBOT_DRIFT_WINDOW = 5
NEWSBOT_DRIFT_DROP = 0.3
NEWSBOT_DRIFT_MIN_ITEMS = 5
NEWSBOT_ALLOW_PRIVATE = False  # True only for replay and tests against 127.0.0.1 (the CLI's --replay sets it)
NEWSBOT_REPLAY_DIR = None  # a fixture folder (or a list): serve recorded responses instead of the network
NEWSBOT_OUTPUT = None  # JSON Lines file the writer appends to
NEWSBOT_FSYNC_EVERY = 50
NEWSBOT_SINCE = None  # YYYY-MM-DD: skip older articles and stop paging past them
NEWSBOT_MAX_PAGES = 0  # per section; 0 = follow pagination to the end
NEWSBOT_REQUIRED_FIELDS = ["url", "title", "body", "published_at"]
