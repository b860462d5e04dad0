"""Crawl state at scale: insert and lookup rates of newsbot.state.CrawlState, and its size, at 1M URLs.

Why: the state is consulted for every listed URL (is it known?) and written for every discovered and every
written article, across all runs of all sites. At a million articles (a few years of a few dozen provincial
sites) it must still cost microseconds per URL and stay a file one can copy around.

- inserts: ``mark_pending`` (a listing named the URL) for every URL, then ``mark_written`` (with fingerprint,
  published date and layout, as the state pipeline records it), in transactions of 10,000; plus the rate of
  ``mark_pending`` in autocommit mode, which is how the spider calls it today (one transaction per URL);
- lookups: ``statuses()`` of listing-page-sized batches (20 URLs, a quarter of them unknown), as the spider
  triages a listing page;
- size: the database file after a WAL checkpoint, per URL.

    python bench/state_bench.py [--quick] [--urls N] [--json]
"""

from __future__ import annotations

import hashlib
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchcli import bench_main  # noqa: E402

SITES = ("baovinhphuc.com.vn", "baocantho.com.vn", "baophutho.vn", "baoquangninh.vn")
BATCH = 10_000


def url_of(i: int) -> tuple[str, str, str]:
    """(canonical key, url, site) of synthetic article ``i``: realistic lengths (~95 characters)."""
    site = SITES[i % len(SITES)]
    slug = hashlib.blake2b(str(i).encode(), digest_size=24).hexdigest()
    url = f"https://{site}/thoi-su/{100000 + i}/{slug}-tin-tuc-moi-nhat.html"
    return url, url, site


def run(quick: bool = False, urls: int | None = None) -> dict[str, Any]:
    """Insert, look up and measure a CrawlState of ``urls`` URLs; prints the rates."""
    from newsbot.state import CrawlState

    n = urls or (100_000 if quick else 1_000_000)
    work = Path(tempfile.mkdtemp(prefix="newsbot-state-bench-"))
    result: dict[str, Any] = {"urls": n}
    try:
        state = CrawlState(work / "state.sqlite")
        started = time.perf_counter()
        for lo in range(0, n, BATCH):
            with state.transaction():
                for i in range(lo, min(n, lo + BATCH)):
                    key, url, site = url_of(i)
                    state.mark_pending(key, url, site, "Thời sự")
        result["pending_inserts_per_s"] = n / (time.perf_counter() - started)

        started = time.perf_counter()
        for lo in range(0, n, BATCH):
            with state.transaction():
                for i in range(lo, min(n, lo + BATCH)):
                    key, url, site = url_of(i)
                    state.mark_written({
                        "canonical_url": key, "url": url, "site": site, "section": "Thời sự",
                        "fingerprint": hashlib.sha1(url.encode()).hexdigest(), "published_at": "2021-01-13",
                        "crawled_at": "2026-01-14T04:05:44Z", "extractor": {"layout": "f6-v1"},
                    })
        result["written_updates_per_s"] = n / (time.perf_counter() - started)

        rng = random.Random(7)
        lookups = 2_000 if quick else 10_000
        batches = []
        for _ in range(lookups):
            keys = [url_of(i)[0] for i in rng.sample(range(n), 15)]
            keys += [url_of(i)[0] for i in rng.sample(range(n, 2 * n), 5)]  # not in the state: new articles
            batches.append(keys)
        started = time.perf_counter()
        found = 0
        for keys in batches:
            found += len(state.statuses(keys))
        elapsed = time.perf_counter() - started
        assert found == 15 * lookups, found
        result["lookup_keys_per_s"] = 20 * lookups / elapsed
        result["listing_pages_triaged_per_s"] = lookups / elapsed

        auto = 5_000 if quick else 20_000
        started = time.perf_counter()
        for i in range(2 * n, 2 * n + auto):  # autocommit: one transaction per call, as NewsSpider._triage does
            key, url, site = url_of(i)
            state.mark_pending(key, url, site, "Thời sự")
        result["pending_autocommit_per_s"] = auto / (time.perf_counter() - started)

        state.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = sum(p.stat().st_size for p in work.glob("state.sqlite*"))
        state.close()
        result["db_mb"] = size / 2**20
        result["bytes_per_url"] = size / (n + auto)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"state: {n:,} URLs: mark_pending {result['pending_inserts_per_s']:,.0f}/s, mark_written "
          f"{result['written_updates_per_s']:,.0f}/s (transactions of {BATCH:,})")
    print(f"state: statuses() {result['lookup_keys_per_s']:,.0f} keys/s = "
          f"{result['listing_pages_triaged_per_s']:,.0f} listing pages (20 URLs) triaged/s")
    print(f"state: mark_pending in autocommit (as the spider calls it) {result['pending_autocommit_per_s']:,.0f}/s")
    print(f"state: {result['db_mb']:.0f} MB on disk = {result['bytes_per_url']:.0f} bytes per URL")
    return result


def main() -> int:
    return bench_main(run, __doc__.splitlines()[0])


if __name__ == "__main__":
    sys.exit(main())
