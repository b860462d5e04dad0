"""Refuse to crawl private, loopback, link-local and reserved addresses (SSRF guard for live crawls).

A news page is untrusted input: a listing's "next page" link, a redirect ``Location`` or a hijacked DNS name
can point the crawler at ``http://127.0.0.1:8080/admin``, the cloud metadata service ``169.254.169.254`` or a
router on the office LAN. A site crawler has no business there, so :class:`PrivateAddressGuard` refuses any
request whose host is, or resolves to, an address that is not globally routable (``ipaddress``'s
``is_global``: loopback, RFC 1918 private, link-local, CGNAT shared space, unspecified, reserved,
documentation and IPv4-mapped forms of all of them), plus multicast.

It checks twice, because DNS can change between the checks (rebinding): before the download (the host
literal, or every address ``getaddrinfo`` returns for a name, resolved in a thread and cached per host), and
after it (``response.ip_address``, the address Scrapy actually connected to, when the handler reports it).

Tests and benchmarks crawl a fixture server on 127.0.0.1, and replay mode never touches the network, so both
set ``NEWSBOT_ALLOW_PRIVATE = True``; the middleware then disables itself (``NotConfigured``). Refusals raise
``IgnoreRequest``, are counted in ``newsbot/security/refused`` (and ``.../refused/<reason>``) and logged at
WARNING with the URL. A name that does not resolve is left to the downloader (it fails there, as usual).

Enable with ``DOWNLOADER_MIDDLEWARES = {"newsbot.security.PrivateAddressGuard": 960}``: after every built-in
middleware and after HostMap/Replay, so it judges the URL that is really about to be fetched (redirects come
back through it as new requests).
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.httpobj import urlparse_cached

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

__all__ = ["GUARD_PRIORITY", "PrivateAddressGuard", "address_problem", "host_problem"]

#: DOWNLOADER_MIDDLEWARES priority for :class:`PrivateAddressGuard`.
GUARD_PRIORITY = 960
_IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def address_problem(addr: str | _IPAddress) -> str | None:
    """Why a crawler must not connect to ``addr`` ("loopback", "private"...), or None for a public address."""
    ip = ipaddress.ip_address(addr.split("%", 1)[0] if isinstance(addr, str) else addr)
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped or ip.sixtofour
        if mapped is not None:
            return address_problem(mapped)
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link_local"
    if ip.is_multicast:
        return "multicast"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_private:
        return "private"
    if ip.is_reserved:
        return "reserved"
    if not ip.is_global:
        return "not_global"
    return None


def _literal(host: str) -> _IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def host_problem(host: str, addresses: list[str] | None = None) -> str | None:
    """Why ``host`` (a name or literal) is refused, given the ``addresses`` a name resolved to; None if allowed.

    ``localhost`` and ``*.localhost`` are refused by name (RFC 6761) whatever the resolver says.
    """
    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return "loopback"
    ip = _literal(host)
    if ip is not None:
        return address_problem(ip)
    for addr in addresses or ():
        problem = address_problem(addr)
        if problem is not None:
            return problem
    return None


def _resolve(host: str) -> list[str]:
    """Every address ``host`` resolves to (empty when it does not resolve): the same lookup the downloader makes."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class PrivateAddressGuard:
    """Downloader middleware: ``IgnoreRequest`` for hosts that are, or resolve to, non-public addresses.

    Inactive (``NotConfigured``) when ``NEWSBOT_ALLOW_PRIVATE`` is true. Resolutions are cached per host for the
    crawl (``NEWSBOT_GUARD_CACHE_SIZE`` hosts, default 4096): one lookup per site, not per request.
    """

    def __init__(self, stats: StatsCollector | None = None, cache_size: int = 4096) -> None:
        self.stats = stats
        self.cache_size = cache_size
        self._cache: dict[str, str | None] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PrivateAddressGuard:
        """Build from settings; ``NotConfigured`` when private addresses are allowed (tests, replay)."""
        if crawler.settings.getbool("NEWSBOT_ALLOW_PRIVATE", False):
            raise NotConfigured("NEWSBOT_ALLOW_PRIVATE is set")
        return cls(crawler.stats, crawler.settings.getint("NEWSBOT_GUARD_CACHE_SIZE", 4096))

    async def lookup(self, host: str) -> list[str]:
        """The addresses ``host`` resolves to. getaddrinfo blocks, so it runs in Twisted's thread pool."""
        from scrapy.utils.defer import maybe_deferred_to_future
        from twisted.internet import threads

        return await maybe_deferred_to_future(threads.deferToThread(_resolve, host))

    async def _problem(self, host: str) -> str | None:
        if host in self._cache:
            return self._cache[host]
        problem = host_problem(host)
        if problem is None and _literal(host) is None and host != "":
            problem = host_problem(host, await self.lookup(host))
        if len(self._cache) >= self.cache_size:
            self._cache.clear()
        self._cache[host] = problem
        return problem

    def _refuse(self, request: Request, host: str, problem: str, when: str) -> IgnoreRequest:
        if self.stats is not None:
            self.stats.inc_value("newsbot/security/refused")
            self.stats.inc_value(f"newsbot/security/refused/{problem}")
        logger.warning("refused %s %s: host %s is %s (%s); set NEWSBOT_ALLOW_PRIVATE only for tests",
                       request.method, request.url, host, problem.replace("_", " "), when)
        return IgnoreRequest(f"refused non-public address ({problem}): {request.url}")

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        """Refuse before connecting: the host literal, or any address its name resolves to, is not public."""
        parsed = urlparse_cached(request)
        if parsed.scheme not in ("http", "https"):
            return None
        host = (parsed.hostname or "").lower()
        problem = await self._problem(host)
        if problem is not None:
            raise self._refuse(request, host, problem, "before download")
        return None

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        """Refuse after connecting when the peer address is not public (DNS changed since the check)."""
        ip: Any = getattr(response, "ip_address", None)
        if ip is not None:
            problem = address_problem(str(ip))
            if problem is not None:
                raise self._refuse(request, str(ip), problem, "connected address")
        return response
