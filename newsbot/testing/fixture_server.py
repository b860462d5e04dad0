"""A local HTTP server that plays fixture folders as if they were the live sites (tests only, loopback only).

Replay (:mod:`newsbot.replay`) answers requests inside Scrapy; this server answers them over real HTTP so
that the whole download stack (HTTP/1.x handler, compression, redirects, robots.txt, timeouts) and the
recorder (:mod:`newsbot.record`) can be exercised end to end without touching the network.

- Entries are served by path + query (host ignored), POST entries by their form body (field order ignored),
  with the recorded status and headers and the body byte for byte; anything else is a 404 with an empty
  body. ``/robots.txt`` is an ordinary entry: served when the fixture has one, else 404.
- When several folders share a path (``/robots.txt``, ``/kinh-te``), a request carrying the
  ``X-Newsbot-Origin`` header (set by :class:`HostMapMiddleware`) is looked up by its original URL first.
- :class:`HostMapMiddleware` rewrites a crawl's requests for ``https://baocantho.com.vn/...`` to the server
  and the responses' URLs back, so absolute links in the pages keep resolving to the original site.
- Bounded: each connection has a socket timeout, the server answers 503 after ``max_requests`` requests, and
  ``__exit__`` always shuts it down. ``faults`` is the hook for fault injection (see :class:`FaultAction`).
"""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response

from newsbot.fixtures import FixtureEntry, FixtureFolder, find_fixture_dir, origin_of, path_key, url_key
from newsbot.replay import replay_headers

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

__all__ = [
    "FaultAction",
    "FaultHook",
    "FixtureServer",
    "HOSTMAP_PRIORITY",
    "HostMapMiddleware",
    "ORIGIN_HEADER",
]

#: Request header naming the original origin of a rewritten request (disambiguates several folders).
ORIGIN_HEADER = "X-Newsbot-Origin"
#: DOWNLOADER_MIDDLEWARES priority for :class:`HostMapMiddleware`: after Offsite (50) and RobotsTxt (100),
#: so both see the original URL and robots.txt is fetched for the original host (and then rewritten).
HOSTMAP_PRIORITY = 120
_MAX_POST_BODY = 1 << 20
_MAX_FAULT_DELAY = 60.0


@dataclass(frozen=True)
class FaultAction:
    """What to do instead of (or on top of) serving a request normally. Fields combine.

    - ``delay``: sleep this many seconds (capped at 60) before answering: exercises DOWNLOAD_TIMEOUT.
    - ``drop``: close the connection without answering: exercises connection-lost handling.
    - ``status``: answer this status with an empty body instead of the entry (5xx bursts, 429...).
    - ``truncate_at``: announce the full Content-Length but send only that many body bytes (data loss).
    - ``reset``: abort the connection with a TCP RST (``SO_LINGER`` 0) instead of a clean close: before
      anything is sent, or after the ``truncate_at`` bytes when both are set.
    - ``headers``: headers added to (or replacing, case-insensitively) the answer's: a wrong or missing
      charset in ``Content-Type``, a ``Location`` for redirect loops, ``Content-Encoding`` for a gzip bomb.
    - ``body``: these bytes instead of the entry's body (or instead of the empty body of a ``status`` answer):
      robots.txt rules, oversize pages, compressed bombs.
    """

    status: int | None = None
    delay: float = 0.0
    drop: bool = False
    truncate_at: int | None = None
    reset: bool = False
    headers: Mapping[str, str] | None = None
    body: bytes | None = None


#: ``faults(method, path_and_query) -> FaultAction | None``, called for every request before lookup.
FaultHook = Callable[[str, str], FaultAction | None]


def _is_source(obj: Any) -> bool:
    """A folder-like object (e.g. :class:`newsbot.testing.generator.GeneratedSite`) that answers lookups itself."""
    return isinstance(obj, FixtureFolder) or all(hasattr(obj, n) for n in ("lookup", "lookup_path", "origins"))


def _as_folders(folders: Any) -> list[FixtureFolder]:
    if isinstance(folders, (str, os.PathLike)) or _is_source(folders):
        folders = [folders]
    out: list[FixtureFolder] = []
    for item in folders:
        out.append(item if _is_source(item) else FixtureFolder(find_fixture_dir(item)))
    return out


def _merge_headers(base: Mapping[str, str], extra: Mapping[str, str] | None) -> dict[str, str]:
    """``base`` with ``extra`` added; a name in both (any case) takes ``extra``'s value."""
    if not extra:
        return dict(base)
    low = {k.lower() for k in extra}
    out = {k: v for k, v in base.items() if k.lower() not in low}
    out.update(extra)
    return out


def _check_loopback(host: str) -> None:
    """Refuse to bind anywhere but loopback: fixture pages must never be exposed on a network."""
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise ValueError(f"FixtureServer binds to loopback only, not {host!r}")


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "newsbot-fixture/1"
    protocol_version = "HTTP/1.0"  # one request per connection: no keep-alive bookkeeping, no hung sockets

    def setup(self) -> None:
        self.timeout = self.server.fixture_server.request_timeout
        super().setup()

    def do_GET(self) -> None:
        self._serve("GET")

    def do_HEAD(self) -> None:
        self._serve("HEAD")

    def do_POST(self) -> None:
        self._serve("POST")

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("fixture server: " + format, *args)

    def _send(
        self,
        status: int,
        headers: dict[str, str],
        body: bytes,
        *,
        send_body: bool = True,
        truncate_at: int | None = None,
    ) -> None:
        self.send_response_only(status)
        if not any(k.lower() == "date" for k in headers):
            self.send_header("Date", formatdate(usegmt=True))
        for name, value in headers.items():
            if name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body and body:
            self.wfile.write(body if truncate_at is None else body[: max(0, truncate_at)])
        self.wfile.flush()

    def _reset(self) -> None:
        """Abort the connection: SO_LINGER 0 makes close() send a RST instead of a FIN."""
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass
        self.close_connection = True

    def _serve(self, method: str) -> None:
        fs = self.server.fixture_server
        number = fs._next_request()
        body_in = b""
        if method == "POST":
            length = int(self.headers.get("Content-Length") or 0)
            if length > _MAX_POST_BODY:
                fs._log(method, self.path, 413)
                self._send(413, {"Content-Type": "text/plain"}, b"request body too large")
                return
            body_in = self.rfile.read(length) if length > 0 else b""
        if number > fs.max_requests:
            fs._log(method, self.path, 503)
            self._send(503, {"Content-Type": "text/plain"}, b"fixture server: max_requests exceeded")
            return

        fault = fs.faults(method, self.path) if fs.faults is not None else None
        if fault is not None:
            if fault.delay > 0:
                time.sleep(min(fault.delay, _MAX_FAULT_DELAY))
            if fault.drop or (fault.reset and fault.truncate_at is None):
                fs._log(method, self.path, 0)
                if fault.reset:
                    self._reset()
                self.close_connection = True
                return
            if fault.status is not None:
                fs._log(method, self.path, fault.status)
                headers = _merge_headers({"Content-Type": "text/plain"}, fault.headers)
                self._send(fault.status, headers, fault.body or b"", send_body=method != "HEAD",
                           truncate_at=fault.truncate_at)
                if fault.reset:
                    self._reset()
                return

        entry = fs.resolve(method, self.path, body_in, origin=self.headers.get(ORIGIN_HEADER))
        if entry is None:
            fs._log(method, self.path, 404)
            self._send(404, {"Content-Type": "text/html; charset=utf-8"}, b"")
            return
        body = entry.read_body() if fault is None or fault.body is None else fault.body
        fs._log(method, self.path, entry.status)
        self._send(
            entry.status,
            _merge_headers(replay_headers(entry.headers, len(body)), fault.headers if fault is not None else None),
            body,
            send_body=method != "HEAD",
            truncate_at=fault.truncate_at if fault is not None else None,
        )
        if fault is not None and fault.reset:
            self._reset()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # a crawl opens up to CONCURRENT_REQUESTS connections at once
    fixture_server: FixtureServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (its timeout fired during a slow answer) is expected under faults: no traceback."""
        if isinstance(sys.exc_info()[1], (ConnectionError, socket.timeout)):
            logger.debug("fixture server: client %s went away", client_address)
            return
        super().handle_error(request, client_address)


class FixtureServer:
    """Serve fixture folders over HTTP on 127.0.0.1 from a daemon thread; use as a context manager.

    ``folders`` is a :class:`~newsbot.fixtures.FixtureFolder`, a path or domain key, or a list of them.
    ``port=0`` picks a free port; read :attr:`base_url` after start. :attr:`host_map` is the value for the
    ``NEWSBOT_HOST_MAP`` setting of :class:`HostMapMiddleware`.
    """

    def __init__(
        self,
        folders: Any,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        max_requests: int = 10_000,
        faults: FaultHook | None = None,
        request_timeout: float = 10.0,
    ) -> None:
        _check_loopback(host)
        self.folders = _as_folders(folders)
        seen: dict[str, None] = {}
        for folder in self.folders:
            for origin in folder.origins():
                seen.setdefault(origin, None)
        self._origins = list(seen)
        self.host = host
        self.port = port
        self.max_requests = max_requests
        self.faults = faults
        self.request_timeout = request_timeout
        self.request_count = 0
        #: ``(method, path, status)`` of every request served, in order (status 0: connection dropped).
        self.request_log: list[tuple[str, str, int]] = []
        self._lock = threading.Lock()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle
    def start(self) -> FixtureServer:
        """Bind and start serving (idempotent); returns ``self``."""
        if self._httpd is not None:
            return self
        httpd = _Server((self.host, self.port), _Handler)
        httpd.fixture_server = self
        httpd.timeout = self.request_timeout
        self._httpd = httpd
        self.port = httpd.server_address[1]
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="fixture-server", daemon=True
        )
        self._thread.start()
        return self

    def shutdown(self) -> None:
        """Stop serving and close the socket (idempotent, safe to call from any thread but the server's)."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FixtureServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.shutdown()

    # -- addresses
    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (no trailing slash)."""
        if self._httpd is None:
            raise RuntimeError("FixtureServer is not started")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def origins(self) -> list[str]:
        """Original ``scheme://host`` origins of all served entries."""
        return list(self._origins)

    @property
    def host_map(self) -> dict[str, str]:
        """``{original origin: base_url}`` for every origin in the folders: the ``NEWSBOT_HOST_MAP`` value."""
        return {origin: self.base_url for origin in self.origins}

    def url_for(self, original_url: str) -> str:
        """The local URL serving ``original_url`` (same path and query, fragment dropped)."""
        parts = urlsplit(original_url)
        return self.base_url + (parts.path or "/") + ("?" + parts.query if parts.query else "")

    # -- lookup
    def resolve(
        self, method: str, path: str, body: bytes | None = None, *, origin: str | None = None
    ) -> FixtureEntry | None:
        """The entry answering ``method path`` (POST: form ``body``), or ``None``.

        With the ``origin`` of a site in the folders, only that site's recordings answer (several folders may
        share paths); otherwise the first folder with a recording of the path and query wins.
        """
        if origin:
            try:
                origin = origin_of(origin)
            except ValueError:
                origin = None
            if origin is not None and origin in self._origins:
                url = origin + path_key(path)
                for folder in self.folders:
                    entry = folder.lookup(method, url, body)
                    if entry is not None:
                        return entry
                return None
        for folder in self.folders:
            entry = folder.lookup_path(method, path, body)
            if entry is not None:
                return entry
        return None

    def _next_request(self) -> int:
        with self._lock:
            self.request_count += 1
            return self.request_count

    def _log(self, method: str, path: str, status: int) -> None:
        with self._lock:
            self.request_log.append((method, path, status))


class HostMapMiddleware:
    """Downloader middleware sending requests for mapped origins to a local server, keeping URLs original.

    Setting ``NEWSBOT_HOST_MAP = {"https://baocantho.com.vn": "http://127.0.0.1:PORT"}`` (or a JSON string);
    priority :data:`HOSTMAP_PRIORITY` (120). A request for a mapped origin is re-issued to the local base with
    the same path and query (``dont_filter``, ``dont_obey_robotstxt``: the original was already checked) and
    an ``X-Newsbot-Origin`` header; its response gets the original URL back, so spiders and extractors see
    ``https://baocantho.com.vn/...`` and relative/absolute links resolve as on the live site.
    ``response.request`` is the local request. Stats: ``hostmap/rewritten``.
    """

    META_KEY = "newsbot_hostmap"

    def __init__(self, host_map: dict[str, str], stats: StatsCollector | None = None) -> None:
        self.map = {origin_of(src): dst.rstrip("/") for src, dst in host_map.items()}
        self.reverse = {origin_of(dst): origin_of(src) for src, dst in host_map.items()}
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HostMapMiddleware:
        host_map = crawler.settings.getdict("NEWSBOT_HOST_MAP")
        if not host_map:
            raise NotConfigured("NEWSBOT_HOST_MAP is not set")
        return cls({str(k): str(v) for k, v in host_map.items()}, crawler.stats)

    @staticmethod
    def _path_query(url: str) -> str:
        parts = urlsplit(url)
        return (parts.path or "/") + ("?" + parts.query if parts.query else "")

    def process_request(self, request: Request, spider: Spider | None = None) -> Request | None:
        info = request.meta.get(self.META_KEY)
        if info and info.get("local") == request.url:
            return None  # already rewritten
        scheme = urlsplit(request.url).scheme.lower()
        if scheme not in ("http", "https"):
            return None
        origin = origin_of(request.url)
        if origin in self.map:
            local = self.map[origin] + self._path_query(request.url)
            meta = dict(request.meta)
            meta[self.META_KEY] = {"local": local, "original": request.url}
            meta["dont_obey_robotstxt"] = True
            headers = request.headers.copy()
            headers[ORIGIN_HEADER] = origin
            if self.stats is not None:
                self.stats.inc_value("hostmap/rewritten")
            return request.replace(url=local, meta=meta, headers=headers, dont_filter=True)
        source = self.reverse.get(origin)
        if source is not None:
            # Already aimed at the local server, e.g. a relative redirect resolved against the local URL.
            request.meta[self.META_KEY] = {
                "local": request.url,
                "original": source + self._path_query(request.url),
            }
            request.headers[ORIGIN_HEADER] = source
        return None

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        info = request.meta.get(self.META_KEY)
        if info and info.get("local") == request.url and url_key(response.url) == url_key(request.url):
            return response.replace(url=info["original"])
        return response
