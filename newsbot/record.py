"""Record live pages into a fixture folder (``pages/`` + ``manifest.json``), for replay and gold files.

Two layers:

- :func:`write_entry` is the Scrapy-free core: it names the page file after the URL, writes the body
  atomically and updates the manifest. Every path it writes is checked to stay inside the folder, because
  URLs, response headers and existing manifests are all untrusted input.
- :func:`record` fetches URLs with a small Scrapy crawl and stores each response through :func:`write_entry`.
  The crawl runs in a child Python process: Twisted's reactor cannot be restarted, and the CLI, the tests and
  notebooks may all call :func:`record` more than once per process. The child is killed after ``timeout``.

Recording is polite by default: robots.txt obeyed, an identifying User-Agent, a download delay, timeouts,
redirects not followed silently but recorded hop by hop (a 3xx entry, then the target), so replay reproduces
them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import AsyncIterator, Iterable, Mapping
from email.utils import formatdate
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from newsbot import __version__
from newsbot.fixtures import FixtureEntry, FixtureFolder, UnsafePathError, safe_child, url_key

logger = logging.getLogger(__name__)

__all__ = [
    "KINDS",
    "RECORD_SETTINGS",
    "RecordError",
    "RecordResult",
    "file_name_for",
    "flatten_headers",
    "guess_kind",
    "record",
    "write_entry",
]

KINDS = ("section", "article", "api", "other")

#: Identifies the bot honestly while looking like a browser family to servers that reject unknown agents.
USER_AGENT = f"Mozilla/5.0 (compatible; newsbot/{__version__}; offline-fixture recorder)"

#: Defaults of the recording crawl; ``record(settings=...)`` overrides them key by key.
RECORD_SETTINGS: dict[str, Any] = {
    "USER_AGENT": USER_AGENT,
    "ROBOTSTXT_OBEY": True,
    "DOWNLOAD_TIMEOUT": 30,
    "DOWNLOAD_DELAY": 1.0,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
    "RETRY_TIMES": 2,
    "DOWNLOAD_MAXSIZE": 20 * 1024 * 1024,
    "HTTPCACHE_ENABLED": False,
    "TELNETCONSOLE_ENABLED": False,
    "LOG_LEVEL": "INFO",
    "COOKIES_ENABLED": True,
}

MAX_REDIRECTS = 5
_DROP_HEADERS = {"content-encoding", "transfer-encoding", "connection", "keep-alive"}
_SLUG_MAX = 60


class RecordError(RuntimeError):
    """The recording crawl failed as a whole (crash, timeout); per-URL failures are in ``RecordResult``."""


class RecordResult(list[FixtureEntry]):
    """The entries recorded, in order, plus ``failures``: ``[(url, reason)]`` for URLs not recorded."""

    def __init__(
        self, entries: Iterable[FixtureEntry] = (), failures: Iterable[tuple[str, str]] = ()
    ) -> None:
        super().__init__(entries)
        self.failures: list[tuple[str, str]] = list(failures)


# ----------------------------------------------------------------------------------------------------
# Scrapy-free core


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")


def _slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text[:_SLUG_MAX].strip("-")


def _extension(content_type: str, url: str) -> str:
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime in ("text/html", "application/xhtml+xml"):
        return ".html"
    if mime in ("application/json", "text/json", "application/javascript+json") or mime.endswith("+json"):
        return ".json"
    if mime in ("application/xml", "text/xml") or mime.endswith("+xml"):
        return ".xml"
    if mime.startswith("text/"):
        return ".txt"
    if not mime:
        suffix = Path(urlsplit(url).path).suffix.lower()
        if suffix in (".htm", ".html", ".aspx", ".php", ".asp", ".jsp", ""):
            return ".html"
        if suffix in (".json", ".xml", ".txt"):
            return suffix
    return ".bin"


def file_name_for(
    url: str, content_type: str = "", *, method: str = "GET", form: Mapping[str, Any] | None = None
) -> str:
    """A safe, stable page file name for ``url``: ``<slug>_<hash8><ext>``.

    The slug (ASCII, ``[a-z0-9-]``, at most 60 characters) comes from the last path segments and the
    query, so the file is recognisable; the hash of the normalised URL (and form) keeps distinct URLs apart.
    Built only from ``[a-z0-9_.-]``, it cannot contain a separator or ``..`` whatever the URL says.
    """
    parts = urlsplit(url_key(url))  # canonical: same page, same name (query order, fragment, case of host)
    segments = [s for s in unquote(parts.path).split("/") if s and s not in (".", "..")]
    raw = "-".join(segments[-2:])
    raw = re.sub(r"\.(html?|aspx?|php|jsp|txt|json|xml)$", "", raw, flags=re.I)
    if parts.query:
        raw += "-" + unquote(parts.query)
    slug = _slug(raw) or "index"
    key = method.upper() + " " + url_key(url)
    if form:
        key += " " + json.dumps(sorted((str(k), str(v)) for k, v in form.items()))
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:8]
    return f"{slug}_{digest}{_extension(content_type, url)}"


def guess_kind(url: str, status: int = 200) -> str:
    """``other`` for robots.txt, sitemaps and redirects; else ``article`` (pass ``kind`` for sections)."""
    path = urlsplit(url).path.lower()
    if path == "/robots.txt" or ("sitemap" in path and path.endswith(".xml")) or 300 <= status < 400:
        return "other"
    return "article"


def flatten_headers(headers: Any) -> dict[str, str]:
    """Response headers as a flat ``{str: str}`` dict (repeated headers joined with ", ").

    Accepts Scrapy ``Headers`` (bytes keys, list-of-bytes values), ``http.client`` messages or a mapping.
    """
    out: dict[str, str] = {}
    items = headers.items() if hasattr(headers, "items") else headers
    for name, value in items:
        key = name.decode("latin-1") if isinstance(name, bytes) else str(name)
        values = value if isinstance(value, (list, tuple)) else [value]
        text = ", ".join(v.decode("latin-1") if isinstance(v, bytes) else str(v) for v in values)
        out[key] = f"{out[key]}, {text}" if key in out else text
    return out


def _clean_headers(headers: Mapping[str, str], body_length: int) -> dict[str, str]:
    """Drop transfer-level headers (the body is stored decoded), fix Content-Length, make sure Date exists."""
    out: dict[str, str] = {}
    for name, value in headers.items():
        low = name.lower()
        if low in _DROP_HEADERS:
            continue
        out[name] = str(body_length) if low == "content-length" else value
    if not any(k.lower() == "date" for k in out):
        # Replay resolves relative dates ("hôm qua") against the recorded Date: never leave it out.
        out["Date"] = formatdate(usegmt=True)
    return out


def write_entry(
    folder: FixtureFolder | str | os.PathLike[str],
    url: str,
    status: int,
    headers: Mapping[str, str] | Any,
    body: bytes,
    kind: str | None = None,
    *,
    file: str | None = None,
    method: str = "GET",
    form: Mapping[str, Any] | None = None,
    request_headers: Mapping[str, str] | None = None,
    save: bool = True,
) -> FixtureEntry:
    """Store one response in ``folder`` (created if needed) and return its manifest entry.

    Re-recording a URL (same method, normalised URL and form) replaces its entry and reuses its file name,
    so ``expected/<stem>.json`` stays attached. ``file`` forces a name; it must be a plain file name that
    stays inside ``pages/`` (:class:`~newsbot.fixtures.UnsafePathError` otherwise). ``kind`` defaults to the
    existing entry's kind, else :func:`guess_kind`. The manifest is saved atomically unless ``save=False``.
    """
    _check_url(url)
    if not isinstance(body, bytes):
        raise TypeError("body must be bytes")
    ff = folder if isinstance(folder, FixtureFolder) else FixtureFolder(folder)
    method = method.upper()
    flat = _clean_headers(flatten_headers(headers), len(body))
    content_type = next((v for k, v in flat.items() if k.lower() == "content-type"), "")

    probe = FixtureEntry(
        url=url,
        file="",
        status=int(status),
        headers=flat,
        kind="other",
        method=method,
        form=dict(form) if form is not None else None,
    )
    existing = next((e for e in ff.entries if e.key == probe.key), None)

    if file is not None:
        safe_child(ff.pages_dir, file)  # raises UnsafePathError before anything is written
        name = file
    elif existing is not None:
        name = existing.file
        try:
            safe_child(ff.pages_dir, name)
        except UnsafePathError:
            logger.warning("existing entry for %s has an unsafe file name %r; using a new name", url, name)
            name = file_name_for(url, content_type, method=method, form=form)
    else:
        name = file_name_for(url, content_type, method=method, form=form)

    if kind is None:
        kind = existing.kind if existing is not None else guess_kind(url, int(status))
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")

    entry = FixtureEntry(
        url=url,
        file=name,
        status=int(status),
        headers=flat,
        kind=kind,
        method=method,
        form=dict(form) if form is not None else None,
        request_headers=dict(request_headers) if request_headers is not None else None,
        extra=dict(existing.extra) if existing is not None else {},
    )
    ff.add(entry, body)
    if save:
        ff.save_manifest()
    return entry


# ----------------------------------------------------------------------------------------------------
# Scrapy crawl (runs in a child process)


def _make_spider_class() -> type:
    """Build the recording spider lazily so importing this module does not import Scrapy."""
    import scrapy

    class RecordSpider(scrapy.Spider):
        """Fetch each URL once (GET), store every response, follow redirects by hand so each hop is stored."""

        name = "newsbot_record"

        def __init__(
            self,
            urls: list[str],
            out_dir: str,
            kind: str | None = None,
            include_robots: bool = False,
            **kwargs: Any,
        ) -> None:
            super().__init__(**kwargs)
            self.urls = list(urls)
            self.kind = kind
            self.include_robots = include_robots
            self.folder = FixtureFolder(out_dir)
            self.recorded: list[dict[str, Any]] = []
            self.failures: list[tuple[str, str]] = []

        def _request(self, url: str, kind: str | None, hops: int, origin_url: str) -> scrapy.Request:
            return scrapy.Request(
                url,
                callback=self.parse,
                errback=self.failed,
                dont_filter=True,
                meta={
                    "dont_redirect": True,
                    "handle_httpstatus_all": True,
                    "record_kind": kind,
                    "record_hops": hops,
                    "record_origin_url": origin_url,
                },
            )

        async def start(self) -> AsyncIterator[Any]:
            origins: dict[str, None] = {}
            for url in self.urls:
                parts = urlsplit(url)
                origins.setdefault(f"{parts.scheme}://{parts.netloc}", None)
                yield self._request(url, self.kind, 0, url)
            if self.include_robots:
                for origin in origins:
                    req = self._request(
                        origin + "/robots.txt", "other", MAX_REDIRECTS, origin + "/robots.txt"
                    )
                    req.meta["dont_obey_robotstxt"] = True
                    yield req

        def parse(self, response: scrapy.http.Response) -> Any:
            status = response.status
            is_redirect = 300 <= status < 400 and b"Location" in response.headers
            kind = "other" if is_redirect else response.meta.get("record_kind")
            entry = write_entry(self.folder, response.url, status, response.headers, response.body, kind)
            row = entry.to_dict()
            self.recorded.append(row)
            yield row
            hops = response.meta.get("record_hops", 0)
            if is_redirect:
                location = response.headers.get(b"Location", b"").decode("latin-1")
                target = urljoin(response.url, location)
                if hops < MAX_REDIRECTS and urlsplit(target).scheme in ("http", "https"):
                    yield self._request(
                        target,
                        response.meta.get("record_kind"),
                        hops + 1,
                        response.meta.get("record_origin_url", response.url),
                    )
                else:
                    self.failures.append(
                        (
                            response.meta.get("record_origin_url", response.url),
                            f"redirect not followed to {target}",
                        )
                    )

        def failed(self, failure: Any) -> None:
            request = getattr(failure, "request", None)
            url = request.meta.get("record_origin_url", request.url) if request is not None else "?"
            reason = failure.getErrorMessage() or failure.type.__name__
            logger.warning("not recorded: %s (%s)", url, reason)
            self.failures.append((url, f"{failure.type.__name__}: {reason}"))

    return RecordSpider


def _worker_main(argv: list[str] | None = None) -> None:
    """Child side of :func:`record`: run the crawl, then write recorded rows and failures as JSON."""
    from scrapy.crawler import CrawlerProcess

    args = sys.argv[1:] if argv is None else argv
    cfg = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    spidercls = _make_spider_class()
    process = CrawlerProcess(settings=cfg["settings"])
    crawler = process.create_crawler(spidercls)
    process.crawl(
        crawler,
        urls=cfg["urls"],
        out_dir=cfg["out_dir"],
        kind=cfg["kind"],
        include_robots=cfg["include_robots"],
    )
    process.start()
    spider = crawler.spider
    payload = {
        "recorded": getattr(spider, "recorded", []),
        "failures": getattr(spider, "failures", []),
        "finish_reason": (crawler.stats.get_value("finish_reason") if crawler.stats else None),
    }
    Path(cfg["output"]).write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")


def record(
    urls: list[str],
    out_dir: Path,
    *,
    kind: str | None = None,
    settings: dict[str, Any] | None = None,
    include_robots: bool = False,
    timeout: float = 600.0,
) -> RecordResult:
    """Fetch ``urls`` (GET) and store them in the fixture folder ``out_dir``; return the entries recorded.

    ``kind`` applies to every URL (``article``/``section``/``api``/``other``); by default an entry keeps its
    previous kind when re-recorded, else robots.txt is ``other`` and the rest ``article``. ``settings``
    override :data:`RECORD_SETTINGS` (JSON-serialisable values only: they go to a child process), e.g.
    ``{"DOWNLOAD_DELAY": 0}`` against a local server or ``{"ROBOTSTXT_OBEY": False}`` with permission.
    ``include_robots`` also stores each origin's robots.txt. URLs refused by robots.txt or failing to download
    are left out and listed in ``result.failures``. Raises :class:`RecordError` when the crawl itself fails
    or exceeds ``timeout`` seconds.
    """
    urls = list(urls)
    for url in urls:
        _check_url(url)
    if kind is not None and kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    merged = {**RECORD_SETTINGS, "CLOSESPIDER_TIMEOUT": max(1, int(timeout) - 10), **(settings or {})}

    # Imported here: newsbot.testing is the generic child-process plumbing (env, PYTHONPATH).
    from newsbot.testing import subprocess_env

    with tempfile.TemporaryDirectory(prefix="newsbot-record-") as tmp:
        cfg_path = Path(tmp) / "config.json"
        result_path = Path(tmp) / "result.json"
        cfg = {
            "urls": urls,
            "out_dir": str(out.resolve()),
            "kind": kind,
            "include_robots": include_robots,
            "settings": merged,
            "output": str(result_path),
        }
        cfg_path.write_text(json.dumps(cfg), encoding="utf-8")
        try:
            proc = subprocess.run(
                [sys.executable, "-c", "import newsbot.record as r; r._worker_main()", str(cfg_path)],
                env=subprocess_env(),
                capture_output=True,
                text=True,
                encoding="utf-8",
                errors="replace",
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise RecordError(f"recording timed out after {timeout:.0f}s") from exc
        if proc.returncode != 0 or not result_path.is_file():
            tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-40:])
            raise RecordError(f"recording crawl failed (exit {proc.returncode}):\n{tail}")
        data = json.loads(result_path.read_text(encoding="utf-8"))

    folder = FixtureFolder(out)
    entries: list[FixtureEntry] = []
    for row in data["recorded"]:
        method = row.get("method", "GET")
        found = folder.lookup(method, row["url"])
        if found is not None and found not in entries:
            entries.append(found)
    failures = [(str(u), str(r)) for u, r in data["failures"]]
    # URLs neither recorded nor failed: the crawl stopped early (CLOSESPIDER_TIMEOUT, shutdown signal...).
    done = {url_key(row["url"]) for row in data["recorded"]} | {url_key(u) for u, _ in failures}
    for url in urls:
        if url_key(url) not in done:
            failures.append((url, f"not fetched (crawl finished: {data.get('finish_reason')})"))
    for url, reason in failures:
        logger.warning("not recorded: %s (%s)", url, reason)
    return RecordResult(entries, failures)
