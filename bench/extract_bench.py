"""Extraction throughput: newsbot vs trafilatura.bare_extraction on the same fixture article pages, one core.

Why: extraction is the CPU cost of a crawl (the network waits are shared by every crawler), and profile rules
exist partly because a generic extractor is both less exact and slower. Both extractors start from the same
response bytes and do everything needed to get an article out of them:

- newsbot: ``newsbot.cli.extract_page_item`` = decode like Scrapy, pick the profile, extract, build the item
  (dates parsed, text normalised, fingerprint): exactly what a crawl runs per article;
- trafilatura: ``bare_extraction(body, url=url, with_metadata=True)`` (title, date, author, categories, tags and
  the main text, the fields newsbot extracts; the defaults otherwise).

Single process, repetitions interleaved page by page (newsbot then trafilatura on the same page, alternating
which goes first) so both see the same cache and CPU frequency state. trafilatura is not a newsbot
dependency; without it the bench prints a SKIP line.

    python bench/extract_bench.py [--quick] [--json]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchcli import bench_main  # noqa: E402


def fixture_articles() -> list[tuple[str, bytes, dict[str, str]]]:
    """(url, body, headers) of every fixture article page."""
    from newsbot.fixtures import FIXTURES_ROOT, FixtureFolder

    pages = []
    for folder in sorted(p for p in FIXTURES_ROOT.iterdir() if (p / "manifest.json").exists()):
        for entry in FixtureFolder(folder).articles():
            pages.append((entry.url, entry.read_body(), dict(entry.headers)))
    return pages


def run(quick: bool = False) -> dict[str, Any]:
    """Pages per second of each extractor on one core; prints the comparison."""
    import logging

    from newsbot.cli import extract_page_item

    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    pages = fixture_articles()
    result: dict[str, Any] = {"pages": len(pages), "bytes_mean": sum(len(b) for _, b, _ in pages) // len(pages)}

    def newsbot(url: str, body: bytes, headers: dict[str, str]) -> Any:
        return extract_page_item(url, body, headers)

    for page in pages:  # warm-up: imports, compiled selectors, the dateparser fallback
        newsbot(*page)
    try:
        import trafilatura
    except ImportError:
        print("extract: SKIP trafilatura comparison (pip install trafilatura to run it)")
        started = time.perf_counter()
        for page in pages:
            newsbot(*page)
        result["newsbot_pages_per_s"] = len(pages) / (time.perf_counter() - started)
        result["skipped"] = "trafilatura not installed"
        print(f"extract: newsbot {result['newsbot_pages_per_s']:.0f} pages/s on one core")
        return result

    def traf(url: str, body: bytes, headers: dict[str, str]) -> Any:
        return trafilatura.bare_extraction(body, url=url, with_metadata=True)

    for page in pages:
        traf(*page)
    reps = 3 if quick else 10
    spent = {"newsbot": 0.0, "trafilatura": 0.0}
    clock = time.perf_counter
    for rep in range(reps):
        for i, page in enumerate(pages):
            order = (("newsbot", newsbot), ("trafilatura", traf))
            for name, fn in order if (rep + i) % 2 == 0 else order[::-1]:
                started = clock()
                fn(*page)
                spent[name] += clock() - started
    n = reps * len(pages)
    result["repetitions"] = reps
    result["newsbot_pages_per_s"] = n / spent["newsbot"]
    result["trafilatura_pages_per_s"] = n / spent["trafilatura"]
    result["speedup"] = result["newsbot_pages_per_s"] / result["trafilatura_pages_per_s"]
    result["trafilatura_version"] = trafilatura.__version__
    print(f"extract: {len(pages)} fixture article pages (mean {result['bytes_mean'] // 1024} KiB) x {reps}, one core")
    print(f"extract: newsbot     {result['newsbot_pages_per_s']:.0f} pages/s "
          f"({1000 / result['newsbot_pages_per_s']:.1f} ms/page)")
    print(f"extract: trafilatura {result['trafilatura_pages_per_s']:.0f} pages/s "
          f"({1000 / result['trafilatura_pages_per_s']:.1f} ms/page)")
    print(f"extract: newsbot is {result['speedup']:.1f}x faster (target >= 10x)")
    return result


def main() -> int:
    return bench_main(run, __doc__.splitlines()[0])


if __name__ == "__main__":
    sys.exit(main())
