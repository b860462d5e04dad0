"""Offline crawling: a downloader middleware that answers every request from fixture folders.

Spiders, extractors and pipelines are tested and evaluated against recorded sites (``fixtures/<domain>/``)
without any network access, so runs are reproducible and the sites are not hammered. Enable it with::

    NEWSBOT_REPLAY_DIR = "fixtures/baocantho.com.vn"      # or a domain key, or a list of either
    DOWNLOADER_MIDDLEWARES = {"newsbot.replay.ReplayMiddleware": 950}

or merge :func:`replay_settings` into the crawl settings.

Priority 950 puts it after every built-in downloader middleware (the largest built-in is HttpCache at 900), so
on the way out Offsite, RobotsTxt, UserAgent, DefaultHeaders, Cookies... all see the request as they would
live, and the middleware then short-circuits the download. Because a response returned from
``process_request`` still passes through every ``process_response``, Redirect (3xx recordings are followed),
Cookies and DownloaderStats behave as live. HttpCompression also sees the response, so replayed headers lose
``Content-Encoding`` (bodies are stored decoded) and a ``Content-Length`` that does not match the body.
Disable HTTPCACHE for replay (a cache hit at 900 would answer before replay does); retries are harmless
(a recorded 5xx is served again identically) but pointless, :func:`replay_settings` turns them off.

RobotsTxtMiddleware fetches ``/robots.txt`` through the engine, i.e. through the downloader middlewares, so it
is answered here as well: the recorded robots.txt when there is one, else a 404, which Scrapy reads as
"allow all". Stats: ``replay/hit``, ``replay/miss`` (pages only) and ``replay/robots_hit``,
``replay/robots_miss``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Request, Response
from scrapy.responsetypes import responsetypes

from newsbot.fixtures import FixtureEntry, FixtureFolder, expand_fixture_dirs

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

__all__ = [
    "REPLAY_FLAG",
    "REPLAY_PRIORITY",
    "ReplayMiddleware",
    "is_replayed",
    "replay_headers",
    "replay_settings",
    "response_fetch_time",
]

#: The DOWNLOADER_MIDDLEWARES priority to use for :class:`ReplayMiddleware`.
REPLAY_PRIORITY = 950
#: Added to ``response.flags`` of every replayed response (hits and misses).
REPLAY_FLAG = "replay"
#: Additionally added to responses made up for a URL that has no recording.
MISS_FLAG = "replay-miss"

# Hop-by-hop and transport headers that describe the original wire transfer, not the stored body.
_DROP_HEADERS = {"content-encoding", "transfer-encoding", "connection", "keep-alive"}


def _as_list(value: Any) -> list[str]:
    """Setting value -> list of strings: a list/tuple as is, a string split on commas (``-s A=x,y``)."""
    if value is None:
        return []
    if isinstance(value, (str, os.PathLike)):
        return [part.strip() for part in str(value).split(",") if part.strip()]
    return [str(v) for v in value if str(v).strip()]


def replay_headers(headers: Mapping[str, str], body_length: int) -> dict[str, str]:
    """Return the recorded ``headers`` fit to go with the stored (decoded) body.

    ``Content-Encoding`` must go or HttpCompressionMiddleware would try to gunzip plain bytes; a
    ``Content-Length`` that disagrees with the body would make the response look truncated.
    """
    out: dict[str, str] = {}
    for name, value in headers.items():
        low = name.lower()
        if low in _DROP_HEADERS:
            continue
        if low == "content-length" and str(value).strip() != str(body_length):
            continue
        out[name] = value
    return out


def is_replayed(response: Response) -> bool:
    """True when ``response`` was served by :class:`ReplayMiddleware` (not downloaded)."""
    return REPLAY_FLAG in response.flags


def response_fetch_time(response: Any) -> datetime:
    """When the page was fetched, as an aware UTC datetime: the ``Date`` response header, else now.

    Extractors turn relative dates ("2 giờ trước", "hôm qua") into absolute ones against this time. Replayed
    responses keep the recorded ``Date`` header, so a fixture recorded in 2021 resolves "hôm qua" to 2021 and
    the gold output stays valid forever; live responses carry the server's ``Date``. When the header is
    missing or unparsable, ``request.meta["fetched_at"]`` (ISO 8601) is tried, then the current time.
    """
    raw: Any = None
    headers = getattr(response, "headers", None)
    if headers is not None:
        try:
            raw = headers.get(b"Date") if isinstance(headers, Headers) else _get_ci(headers, "Date")
        except Exception:  # a headers object of an unexpected type: fall through to the fallbacks
            raw = None
    if isinstance(raw, bytes):
        raw = raw.decode("latin-1")
    if raw:
        try:
            parsed = parsedate_to_datetime(str(raw))
        except (TypeError, ValueError, IndexError):
            parsed = None
        if parsed is not None:
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=UTC)
            return parsed.astimezone(UTC)
    try:
        meta_value = response.meta.get("fetched_at")
    except (AttributeError, ValueError):  # Response.meta raises AttributeError when there is no request
        meta_value = None
    if meta_value:
        try:
            parsed = datetime.fromisoformat(str(meta_value))
            return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)
        except ValueError:
            pass
    return datetime.now(UTC)


def _get_ci(headers: Mapping[str, Any], name: str) -> Any:
    low = name.lower()
    for key, value in headers.items():
        if str(key).lower() == low:
            return value
    return None


def replay_settings(
    dirs: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    base: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Return Scrapy settings that run a crawl entirely from fixture folders ``dirs``.

    Merges into ``base`` (not modified): sets ``NEWSBOT_REPLAY_DIR``, adds the middleware at
    :data:`REPLAY_PRIORITY`, disables the HTTP cache (it would answer before replay), retries, AutoThrottle
    and download delays (there is no server to be polite to).
    """
    settings = dict(base or {})
    if isinstance(dirs, (str, os.PathLike)):
        dir_list = [os.fspath(dirs)]
    else:
        dir_list = [os.fspath(d) for d in dirs]
    settings["NEWSBOT_REPLAY_DIR"] = dir_list
    mws = dict(settings.get("DOWNLOADER_MIDDLEWARES") or {})
    mws["newsbot.replay.ReplayMiddleware"] = REPLAY_PRIORITY
    settings["DOWNLOADER_MIDDLEWARES"] = mws
    settings.update(
        HTTPCACHE_ENABLED=False,
        RETRY_ENABLED=False,
        AUTOTHROTTLE_ENABLED=False,
        DOWNLOAD_DELAY=0,
    )
    return settings


class ReplayMiddleware:
    """Downloader middleware answering every request from recorded fixture folders, never the network.

    Hits get the recorded status, headers (see :func:`replay_headers`) and body, with the response class
    chosen from headers/URL/body as Scrapy's downloader would (``HtmlResponse`` for HTML...). Misses get an
    empty 404 so the crawl behaves as on a site where the page is gone, and are counted and logged so a spider
    wandering off the recorded pages is noticed. Every replayed response has ``"replay"`` in ``flags``; the
    request's meta gets ``replay`` (True), ``replay_file`` (the page file or None), ``replay_folder`` and
    ``fetched_at`` (the recorded ``Date`` as ISO 8601, when there is one).
    """

    def __init__(self, folders: list[FixtureFolder], stats: StatsCollector | None = None) -> None:
        self.folders = folders
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReplayMiddleware:
        """Build from ``NEWSBOT_REPLAY_DIR``: a path, a domain key, a folder of fixture folders, or a list
        (or comma-separated string) of them. Earlier folders win when two record the same request."""
        dirs = _as_list(crawler.settings.get("NEWSBOT_REPLAY_DIR"))
        if not dirs:
            raise NotConfigured("NEWSBOT_REPLAY_DIR is not set")
        folders = [FixtureFolder(path) for d in dirs for path in expand_fixture_dirs(d)]
        mw = cls(folders, crawler.stats)
        crawler.signals.connect(mw._spider_closed, signal=signals.spider_closed)
        logger.info(
            "Replay mode: answering requests from %s (%d entries)",
            ", ".join(str(f.path) for f in folders),
            sum(len(f) for f in folders),
        )
        return mw

    # -- lookup
    def find(self, request: Request) -> tuple[FixtureFolder, FixtureEntry] | None:
        """The first folder/entry recording ``request`` (method, URL and, for POST, form body)."""
        body = request.body if request.method.upper() == "POST" else None
        for folder in self.folders:
            entry = folder.lookup(request.method, request.url, body)
            if entry is not None:
                return folder, entry
        return None

    def _inc(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(key)

    # -- Scrapy hooks
    def process_request(self, request: Request, spider: Spider | None = None) -> Response | None:
        """Return the recorded response for ``request`` (or a 404 miss); never lets it reach the network."""
        scheme = urlsplit(request.url).scheme.lower()
        if scheme not in ("http", "https"):
            return None  # data:, file:, s3:... are not site pages: let their handlers deal with them
        is_robots = urlsplit(request.url).path == "/robots.txt"
        found = self.find(request)
        request.meta["replay"] = True
        if found is None:
            self._inc("replay/robots_miss" if is_robots else "replay/miss")
            log = logger.debug if is_robots else logger.info
            log("Replay miss (answered 404): %s %s", request.method, request.url)
            request.meta["replay_file"] = None
            request.meta["replay_folder"] = None
            respcls = responsetypes.from_args(url=request.url)
            return respcls(
                url=request.url, status=404, body=b"", flags=[REPLAY_FLAG, MISS_FLAG], request=request
            )

        folder, entry = found
        self._inc("replay/robots_hit" if is_robots else "replay/hit")
        body = entry.read_body()
        headers = Headers(replay_headers(entry.headers, len(body)))
        if request.method.upper() == "HEAD":
            body = b""  # HEAD is answered from the GET recording: same headers, no body
        request.meta["replay_file"] = entry.file
        request.meta["replay_folder"] = folder.name
        date = headers.get(b"Date")
        if date:
            try:
                request.meta["fetched_at"] = parsedate_to_datetime(date.decode("latin-1")).isoformat()
            except (TypeError, ValueError, IndexError):
                pass
        respcls = responsetypes.from_args(headers=headers, url=request.url, body=body)
        return respcls(
            url=request.url,
            status=entry.status,
            headers=headers,
            body=body,
            flags=[REPLAY_FLAG],
            request=request,
        )

    def _spider_closed(self, spider: Spider, reason: str) -> None:
        if self.stats is None:
            return
        logger.info(
            "Replay summary: %d hits, %d misses (robots.txt: %d hits, %d misses)",
            self.stats.get_value("replay/hit", 0),
            self.stats.get_value("replay/miss", 0),
            self.stats.get_value("replay/robots_hit", 0),
            self.stats.get_value("replay/robots_miss", 0),
        )
