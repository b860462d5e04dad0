"""Crawl state that survives runs: what each site has already given us.

Scheduled crawls must cost only what is new and never lose or duplicate an article, across crashes. The state is
one embedded SQLite file (WAL mode; ``data/state.sqlite`` by default):

- ``articles``: canonical URL -> site, section, status (pending / written / dropped / failed), first/last seen,
  content fingerprint, published_at, profile layout, attempts. A URL is *known* once written or dropped; a
  pending or failed one is retried by the next run even if its listing page is no longer visited.
- ``sections``: per section, whether a run has paged to its end once (``backfill_complete``); until then the
  incremental stop rule ("this listing page is all known") does not apply, so a run killed halfway through the
  first backfill is completed by the next one.
- ``outputs``: for each output file, the byte offset covered by committed state. Items are appended to the
  file first and recorded here in the same transaction as their ``written`` status; on start, lines beyond the
  committed offset (written just before a kill) are read back into the state, so they are neither lost nor
  fetched and written again.

Rows are keyed by the canonical URL text in a ``WITHOUT ROWID`` table: one B-tree, no second index, so a lookup
is one seek at millions of URLs. To keep the file small the page URL is stored only when it differs from its
canonical form, times are integer epoch seconds, the content fingerprint is its 20 raw bytes, and the fingerprint
index keeps an 8-byte hash of the owning URL key rather than the key itself.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

SCHEMA_VERSION = 2
SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    url_key TEXT PRIMARY KEY,
    url TEXT,               -- NULL when the page URL is its canonical form
    site TEXT NOT NULL,
    section TEXT,
    status TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    fingerprint BLOB,
    published_at TEXT,
    layout TEXT,
    attempts INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS fingerprints (
    fingerprint BLOB PRIMARY KEY,
    key_hash BLOB NOT NULL  -- 8 bytes of sha1(url_key): enough to tell "another article" from "this one"
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sections (
    site TEXT NOT NULL,
    section_url TEXT NOT NULL,
    name TEXT,
    backfill_complete INTEGER NOT NULL DEFAULT 0,
    last_crawled TEXT,
    newest_published TEXT,
    PRIMARY KEY (site, section_url)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS outputs (
    path TEXT PRIMARY KEY,
    committed_size INTEGER NOT NULL
) WITHOUT ROWID;
"""

KNOWN = ("written", "dropped")
_LOCK = threading.Lock()
_OPEN: dict[str, CrawlState] = {}


def _now() -> int:
    return int(datetime.now(UTC).timestamp())


def _iso(epoch: int | None) -> str | None:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if epoch is not None else None


def _epoch(iso: str | None) -> int:
    if not iso:
        return _now()
    try:
        return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp())
    except ValueError:
        return _now()


def _fp(hexdigest: str | None) -> bytes | None:
    try:
        return bytes.fromhex(hexdigest) if hexdigest else None
    except ValueError:
        return None


def _key_hash(url_key: str) -> bytes:
    return hashlib.sha1(url_key.encode("utf-8")).digest()[:8]


def _stored_url(url_key: str, url: str) -> str | None:
    return None if url == url_key else url


@dataclass
class ArticleState:
    url_key: str
    url: str
    site: str
    section: str | None
    status: str
    first_seen: str
    last_seen: str
    fingerprint: str | None
    published_at: str | None
    layout: str | None
    attempts: int


class CrawlState:
    """One SQLite state file. Use :func:`open_state` to share one connection per file in a process."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")  # durable across process kills; fsync at checkpoints
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        has_tables = self.db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'articles'").fetchone()[0]
        if has_tables and version != SCHEMA_VERSION:
            raise RuntimeError(f"{self.path} is a crawl state of schema version {version}; this newsbot reads "
                               f"version {SCHEMA_VERSION}. Move it aside to start afresh.")
        self.db.executescript(SCHEMA)
        self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        self.users = 0

    # -- lifecycle ------------------------------------------------------------------------------------------
    def close(self) -> None:
        self.db.close()

    def transaction(self) -> _Tx:
        return _Tx(self.db)

    # -- articles -------------------------------------------------------------------------------------------
    def get(self, url_key: str) -> ArticleState | None:
        row = self.db.execute(
            "SELECT url_key, COALESCE(url, url_key), site, section, status, first_seen, last_seen, fingerprint,"
            " published_at, layout, attempts FROM articles WHERE url_key = ?", (url_key,)).fetchone()
        if not row:
            return None
        key, url, site, section, status, first, last, fp, published, layout, attempts = row
        return ArticleState(key, url, site, section, status, _iso(first), _iso(last), fp.hex() if fp else None,
                            published, layout, attempts)

    def statuses(self, url_keys: Iterable[str]) -> dict[str, str]:
        keys = list(dict.fromkeys(url_keys))
        out: dict[str, str] = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            q = f"SELECT url_key, status FROM articles WHERE url_key IN ({','.join('?' * len(chunk))})"
            out.update(self.db.execute(q, chunk).fetchall())
        return out

    def known(self, url_keys: Iterable[str]) -> set[str]:
        return {k for k, s in self.statuses(url_keys).items() if s in KNOWN}

    def published_at(self, url_keys: Iterable[str]) -> dict[str, str | None]:
        keys = list(dict.fromkeys(url_keys))
        out: dict[str, str | None] = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            q = f"SELECT url_key, published_at FROM articles WHERE url_key IN ({','.join('?' * len(chunk))})"
            out.update(self.db.execute(q, chunk).fetchall())
        return out

    def mark_pending(self, url_key: str, url: str, site: str, section: str | None) -> None:
        """A listing named this URL: remember it so a crash before it is fetched does not lose it."""
        now = _now()
        self.db.execute(
            "INSERT INTO articles (url_key, url, site, section, status, first_seen, last_seen) "
            "VALUES (?, ?, ?, ?, 'pending', ?, ?) "
            "ON CONFLICT(url_key) DO UPDATE SET last_seen = excluded.last_seen",
            (url_key, _stored_url(url_key, url), site, section, now, now))

    def mark_failed(self, url_key: str, url: str, site: str, section: str | None) -> None:
        now = _now()
        self.db.execute(
            "INSERT INTO articles (url_key, url, site, section, status, first_seen, last_seen, attempts) "
            "VALUES (?, ?, ?, ?, 'failed', ?, ?, 1) "
            "ON CONFLICT(url_key) DO UPDATE SET last_seen = excluded.last_seen, attempts = attempts + 1, "
            "status = CASE WHEN status IN ('written', 'dropped') THEN status ELSE 'failed' END",
            (url_key, _stored_url(url_key, url), site, section, now, now))

    def mark_dropped(self, url_key: str, url: str, site: str, section: str | None) -> None:
        now = _now()
        self.db.execute(
            "INSERT INTO articles (url_key, url, site, section, status, first_seen, last_seen) "
            "VALUES (?, ?, ?, ?, 'dropped', ?, ?) "
            "ON CONFLICT(url_key) DO UPDATE SET last_seen = excluded.last_seen, "
            "status = CASE WHEN status = 'written' THEN status ELSE 'dropped' END",
            (url_key, _stored_url(url_key, url), site, section, now, now))

    def mark_written(self, item: dict) -> None:
        """Record a written item (call inside the transaction that also advances the output offset)."""
        now = _epoch(item.get("crawled_at"))
        key = item["canonical_url"]
        fp = _fp(item.get("fingerprint"))
        self.db.execute(
            "INSERT INTO articles (url_key, url, site, section, status, first_seen, last_seen, fingerprint,"
            " published_at, layout) VALUES (?, ?, ?, ?, 'written', ?, ?, ?, ?, ?) "
            "ON CONFLICT(url_key) DO UPDATE SET status = 'written', last_seen = excluded.last_seen, "
            "fingerprint = excluded.fingerprint, published_at = excluded.published_at, layout = excluded.layout, "
            "section = COALESCE(articles.section, excluded.section)",
            (key, _stored_url(key, item["url"]), item.get("site") or "", item.get("section"), now, now, fp,
             item.get("published_at"), (item.get("extractor") or {}).get("layout")))
        if fp:
            self.db.execute("INSERT OR IGNORE INTO fingerprints (fingerprint, key_hash) VALUES (?, ?)",
                            (fp, _key_hash(key)))

    def content_written_elsewhere(self, fingerprint: str | None, url_key: str) -> bool:
        """Whether another article (not ``url_key``) was written with this content fingerprint."""
        fp = _fp(fingerprint)
        if fp is None:
            return False
        row = self.db.execute("SELECT key_hash FROM fingerprints WHERE fingerprint = ?", (fp,)).fetchone()
        return row is not None and row[0] != _key_hash(url_key)

    def retry_candidates(self, site: str, max_attempts: int) -> list[tuple[str, str | None]]:
        """URLs a previous run discovered but did not finish (pending, or failed fewer than max times)."""
        rows = self.db.execute(
            "SELECT COALESCE(url, url_key), section FROM articles WHERE site = ? AND (status = 'pending' OR "
            "(status = 'failed' AND attempts < ?)) ORDER BY first_seen", (site, max_attempts)).fetchall()
        return [(r[0], r[1]) for r in rows]

    def count(self, site: str | None = None) -> dict[str, int]:
        q = "SELECT status, COUNT(*) FROM articles" + (" WHERE site = ?" if site else "") + " GROUP BY status"
        return dict(self.db.execute(q, (site,) if site else ()).fetchall())

    # -- sections -------------------------------------------------------------------------------------------
    def section_complete(self, site: str, section_url: str) -> bool:
        row = self.db.execute("SELECT backfill_complete FROM sections WHERE site = ? AND section_url = ?",
                              (site, section_url)).fetchone()
        return bool(row and row[0])

    def mark_section(self, site: str, section_url: str, name: str | None, *, complete: bool,
                     newest_published: str | None = None) -> None:
        self.db.execute(
            "INSERT INTO sections (site, section_url, name, backfill_complete, last_crawled, newest_published) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(site, section_url) DO UPDATE SET "
            "backfill_complete = MAX(backfill_complete, excluded.backfill_complete), "
            "last_crawled = excluded.last_crawled, "
            "newest_published = NULLIF(MAX(COALESCE(newest_published, ''), "
            "COALESCE(excluded.newest_published, '')), '')",
            (site, section_url, name, int(complete), _iso(_now()), newest_published))

    def sections(self, site: str) -> list[dict]:
        rows = self.db.execute("SELECT section_url, name, backfill_complete, last_crawled, newest_published "
                               "FROM sections WHERE site = ?", (site,)).fetchall()
        keys = ("section_url", "name", "backfill_complete", "last_crawled", "newest_published")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    # -- outputs --------------------------------------------------------------------------------------------
    def committed_size(self, path: str | Path) -> int | None:
        row = self.db.execute("SELECT committed_size FROM outputs WHERE path = ?", (str(path),)).fetchone()
        return row[0] if row else None

    def set_committed_size(self, path: str | Path, size: int) -> None:
        self.db.execute("INSERT INTO outputs (path, committed_size) VALUES (?, ?) "
                        "ON CONFLICT(path) DO UPDATE SET committed_size = excluded.committed_size",
                        (str(path), size))

    def forget_output(self, path: str | Path) -> None:
        self.db.execute("DELETE FROM outputs WHERE path = ?", (str(path),))

    def recover_output(self, path: Path) -> int:
        """Read lines written after the last committed offset back into the state; return how many."""
        if not path.exists():
            return 0
        start = self.committed_size(path) or 0
        size = path.stat().st_size
        if size <= start:
            return 0
        recovered = 0
        with self.transaction():
            for item in _iter_lines(path, start):
                if item.get("canonical_url") and item.get("url"):
                    self.mark_written(item)
                    recovered += 1
            self.set_committed_size(path, size)
        return recovered


def _iter_lines(path: Path, offset: int) -> Iterator[dict]:
    with path.open("rb") as fh:
        fh.seek(offset)
        for raw in fh:
            if not raw.endswith(b"\n"):
                break
            try:
                obj = json.loads(raw)
            except ValueError:
                continue
            if isinstance(obj, dict):
                yield obj


class _Tx:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type, exc, tb) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")


def open_state(path: str | Path) -> CrawlState:
    """The process-wide state for ``path`` (several crawlers of one ``--all`` run share it)."""
    key = str(Path(path).resolve())
    with _LOCK:
        state = _OPEN.get(key)
        if state is None:
            state = _OPEN[key] = CrawlState(key)
        state.users += 1
        return state


def release_state(state: CrawlState) -> None:
    with _LOCK:
        state.users -= 1
        if state.users <= 0:
            _OPEN.pop(str(state.path), None)
            state.close()
