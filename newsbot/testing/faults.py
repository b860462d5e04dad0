"""Fault plans for the fixture server: what a live news site does to a crawler, reproducibly.

Provincial sites time out, answer 503 under load, reset connections, cut bodies short, lie about their charset,
loop redirects and serve monsters. A crawler that runs unattended must survive all of it, and the tests must be
able to say *which* page failed and whether a retry got it back. A :class:`FaultPlan` is the ``faults`` hook of
:class:`~newsbot.testing.fixture_server.FixtureServer` with those properties:

- **Deterministic.** Whether a path is faulty, and how, is a hash of ``(seed, path)``; what happens to it is a
  function of the attempt number (1 for the first request of that path, 2 for the first retry...). The same
  seed gives the same faults on every run and machine, whatever order the crawler's concurrency produces.
- **Transient by default.** A faulty path fails its first ``fail_attempts`` attempts and is served normally
  afterwards, so a crawler with retries (Scrapy's RETRY_TIMES) must end up with every page exactly once.
- **Never-recovering pages on request.** Paths in ``never_recover`` fail every attempt, so a test can check the
  failure is reported rather than silently missing.
- **Accountable.** :attr:`FaultPlan.injected` lists every fault served (path, attempt, kind) and
  :meth:`FaultPlan.counts` sums them, so a test compares what the crawler reported with what happened.

Kinds of random (rate-driven) faults, mutually exclusive per path, chosen in this order of the cumulative
rates: ``5xx`` (``status_5xx``), ``timeout`` (sleep ``timeout`` s, longer than the client's DOWNLOAD_TIMEOUT),
``slow`` (sleep ``slow`` s, shorter: must *not* fail), ``reset`` (TCP RST before answering), ``truncate`` (the
full Content-Length announced, the first ``truncate_bytes`` sent, then the connection closed). Permanent,
path-driven ones: ``wrong_charset`` / ``missing_charset`` (every attempt: a site that is misconfigured is not
misconfigured only once), ``redirect_loop`` (a 302 to itself), ``oversize`` (``oversize_bytes`` of HTML),
``gzip_bomb`` (a small gzip body that inflates to ``gzip_bomb_bytes``), and ``robots`` (the text served as
``/robots.txt``; robots.txt is never given random faults).

Build one from keyword arguments, or from Scrapy-style settings with :meth:`FaultPlan.from_settings`
(``NEWSBOT_FAULT_RATE_5XX = 0.05`` ...). Loopback test use only: nothing here opens a socket.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any
from urllib.parse import urlsplit

from newsbot.fixtures import path_key
from newsbot.testing.fixture_server import FaultAction

__all__ = ["FAULT_KINDS", "FaultPlan", "InjectedFault"]

#: Random fault kinds, in the order their rates are stacked.
FAULT_KINDS = ("5xx", "timeout", "slow", "reset", "truncate")
_SETTINGS_PREFIX = "NEWSBOT_FAULT_"


@dataclass(frozen=True)
class InjectedFault:
    """One fault the server served: which path, which attempt of it, what kind."""

    path: str
    attempt: int
    kind: str


def _as_path(value: str) -> str:
    """A URL or a path+query, as the server's normalised lookup key (``/thoi-su?p=2``)."""
    if "://" in value:
        parts = urlsplit(value)
        value = (parts.path or "/") + ("?" + parts.query if parts.query else "")
    return path_key(value)


def _as_paths(values: Iterable[str] | str | None) -> frozenset[str]:
    if not values:
        return frozenset()
    if isinstance(values, str):
        values = [v for v in values.split(",") if v.strip()]
    return frozenset(_as_path(v.strip()) for v in values)


@dataclass
class FaultPlan:
    """A seeded, per-(path, attempt) deterministic fault schedule; call it as the server's ``faults`` hook.

    Rates are fractions of distinct paths (not of requests). ``match`` (a regex searched in the path) limits
    random faults to some pages, e.g. ``r"\\.html$"`` for article pages only.
    """

    seed: int = 0
    rate_5xx: float = 0.0
    rate_timeout: float = 0.0
    rate_slow: float = 0.0
    rate_reset: float = 0.0
    rate_truncate: float = 0.0
    fail_attempts: int = 1
    match: str | None = None
    never_recover: frozenset[str] = frozenset()
    never_recover_kind: str = "5xx"
    status_5xx: int = 503
    timeout: float = 3.0
    slow: float = 0.3
    truncate_bytes: int = 2048
    wrong_charset: frozenset[str] = frozenset()
    wrong_charset_name: str = "windows-1252"
    missing_charset: frozenset[str] = frozenset()
    redirect_loop: frozenset[str] = frozenset()
    oversize: frozenset[str] = frozenset()
    oversize_bytes: int = 32 * 1024 * 1024
    gzip_bomb: frozenset[str] = frozenset()
    gzip_bomb_bytes: int = 64 * 1024 * 1024
    robots: str | None = None

    injected: list[InjectedFault] = field(default_factory=list, init=False, repr=False)
    _attempts: Counter[str] = field(default_factory=Counter, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _match: re.Pattern[str] | None = field(default=None, init=False, repr=False)
    _bomb: bytes | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        for name in ("never_recover", "wrong_charset", "missing_charset", "redirect_loop", "oversize", "gzip_bomb"):
            setattr(self, name, _as_paths(getattr(self, name)))
        total = self.rate_5xx + self.rate_timeout + self.rate_slow + self.rate_reset + self.rate_truncate
        if not 0.0 <= total <= 1.0:
            raise ValueError(f"fault rates must add up to at most 1, got {total}")
        if self.never_recover_kind not in FAULT_KINDS or self.never_recover_kind == "slow":
            raise ValueError(f"never_recover_kind must be a failing kind, not {self.never_recover_kind!r}")
        if self.fail_attempts < 1:
            raise ValueError("fail_attempts must be at least 1")
        self._match = re.compile(self.match) if self.match else None

    # -- construction
    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | Any, prefix: str = _SETTINGS_PREFIX) -> FaultPlan:
        """Build from ``NEWSBOT_FAULT_<FIELD>`` settings (a dict or Scrapy ``Settings``); absent keys keep defaults.

        Lets a bench or a test describe its faults in the same ``-s NAME=VALUE`` style as the crawl.
        """
        kwargs: dict[str, Any] = {}
        for f in fields(cls):
            if not f.init:
                continue
            key = prefix + f.name.upper()
            value = settings.get(key) if hasattr(settings, "get") else None
            if value is None:
                continue
            default = f.default
            if isinstance(default, bool):
                value = str(value).lower() in ("1", "true", "yes", "on")
            elif isinstance(default, int):
                value = int(value)
            elif isinstance(default, float):
                value = float(value)
            kwargs[f.name] = value
        return cls(**kwargs)

    # -- the decision, pure
    def _unit(self, path: str, salt: str = "") -> float:
        """A uniform number in [0, 1) from (seed, salt, path): the same on every run and platform."""
        digest = hashlib.blake2b(f"{self.seed}\x00{salt}\x00{path}".encode(), digest_size=8).digest()
        return int.from_bytes(digest, "big") / 2**64

    def kind_for(self, path: str) -> str | None:
        """The random fault kind assigned to ``path`` (None: healthy), independent of attempts."""
        key = _as_path(path)
        if key == "/robots.txt" or (self._match is not None and not self._match.search(key)):
            return None
        u = self._unit(key)
        edge = 0.0
        for kind in FAULT_KINDS:
            edge += getattr(self, "rate_" + kind)
            if u < edge:
                return kind
        return None

    def faulty_paths(self, paths: Iterable[str]) -> dict[str, str]:
        """``{path: kind}`` for the given paths that get a random or never-recovering fault (for test oracles)."""
        out: dict[str, str] = {}
        for p in paths:
            key = _as_path(p)
            kind = self.never_recover_kind if key in self.never_recover else self.kind_for(key)
            if kind is not None:
                out[key] = kind
        return out

    def action(self, method: str, path: str, attempt: int) -> tuple[str, FaultAction] | None:
        """What to do with the ``attempt``-th request (1-based) of ``method path``; None to serve it normally."""
        key = _as_path(path)
        if key == "/robots.txt":
            if self.robots is None:
                return None
            return "robots", FaultAction(status=200, headers={"Content-Type": "text/plain; charset=utf-8"},
                                         body=self.robots.encode("utf-8"))
        if key in self.redirect_loop:
            return "redirect_loop", FaultAction(status=302, headers={"Location": path})
        if key in self.oversize:
            return "oversize", FaultAction(status=200, headers={"Content-Type": "text/html; charset=utf-8"},
                                           body=self._oversize_body())
        if key in self.gzip_bomb:
            return "gzip_bomb", FaultAction(status=200, body=self._bomb_body(), headers={
                "Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"})
        if key in self.never_recover:
            return self.never_recover_kind, self._failing(self.never_recover_kind)
        kind = self.kind_for(key)
        if kind is not None and (kind == "slow" or attempt <= self.fail_attempts):
            return kind, self._failing(kind)
        if key in self.wrong_charset:
            content_type = f"text/html; charset={self.wrong_charset_name}"
            return "wrong_charset", FaultAction(headers={"Content-Type": content_type})
        if key in self.missing_charset:
            return "missing_charset", FaultAction(headers={"Content-Type": "text/html"})
        return None

    def _failing(self, kind: str) -> FaultAction:
        if kind == "5xx":
            return FaultAction(status=self.status_5xx)
        if kind == "timeout":
            return FaultAction(delay=self.timeout, drop=True)
        if kind == "slow":
            return FaultAction(delay=self.slow)
        if kind == "reset":
            return FaultAction(reset=True)
        if kind == "truncate":
            # The server announces the full length and stops after this many bytes (pages are ~30-90 KB).
            return FaultAction(truncate_at=max(1, self.truncate_bytes))
        raise ValueError(kind)

    def _oversize_body(self) -> bytes:
        head = b"<html><head><title>big</title></head><body><p>"
        tail = b"</p></body></html>"
        return head + b"a " * max(0, (self.oversize_bytes - len(head) - len(tail)) // 2) + tail

    def _bomb_body(self) -> bytes:
        if self._bomb is None:
            self._bomb = gzip.compress(b"<html><body>" + b"\0" * self.gzip_bomb_bytes, compresslevel=9)
        return self._bomb

    # -- the server hook, stateful
    def __call__(self, method: str, path: str) -> FaultAction | None:
        """The FixtureServer ``faults`` hook: count the attempt, decide, and record what was injected."""
        key = _as_path(path)
        with self._lock:
            self._attempts[method.upper() + " " + key] += 1
            attempt = self._attempts[method.upper() + " " + key]
        decided = self.action(method, path, attempt)
        if decided is None:
            return None
        kind, fault = decided
        with self._lock:
            self.injected.append(InjectedFault(key, attempt, kind))
        return fault

    def attempts(self, path: str, method: str = "GET") -> int:
        """How many requests of ``path`` the server has seen."""
        with self._lock:
            return self._attempts[method.upper() + " " + _as_path(path)]

    def counts(self) -> dict[str, int]:
        """Faults served so far, by kind."""
        with self._lock:
            return dict(Counter(f.kind for f in self.injected))

    def reset_counters(self) -> None:
        """Forget attempts and injected faults (a second crawl against the same plan starts fresh)."""
        with self._lock:
            self._attempts.clear()
            self.injected.clear()
