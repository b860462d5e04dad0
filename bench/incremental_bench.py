"""Incremental crawling: what a second run over an unchanged site costs, and a third after 1% new articles.

Why: scheduled crawls run every few hours against sites that publish a few dozen articles a day; a run must
cost what is new, not the size of the archive. The crawl state (newsbot.state) stops paging a section at the
first listing page whose articles are all known, once a run has paged to its end.

A generated site (:class:`newsbot.testing.generator.GeneratedSite`, Báo Vĩnh Phúc's template, 2 sections) is
served over HTTP on 127.0.0.1 and crawled three times with the real CLI and one data directory: a first full
run, a second over the same site, a third after 1% more articles appeared at the top of the sections.
Requests are Scrapy's ``downloader/request_count`` (robots.txt included).

    python bench/incremental_bench.py [--quick] [--articles N] [--json]
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchcli import bench_main  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crawl_bench import _child_env, run_measured  # noqa: E402


def crawl_once(site: Any, data: Path, work: Path) -> dict[str, Any]:
    from newsbot.testing.fixture_server import FixtureServer

    mws = {"newsbot.testing.fixture_server.HostMapMiddleware": 120}
    with FixtureServer(site, max_requests=10 * site.n_articles + 1000) as server:
        settings = {"NEWSBOT_HOST_MAP": json.dumps(server.host_map), "DOWNLOADER_MIDDLEWARES": json.dumps(mws),
                    "NEWSBOT_ALLOW_PRIVATE": "True", "DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False",
                    "CONCURRENT_REQUESTS_PER_DOMAIN": "16", "TELNETCONSOLE_ENABLED": "False"}
        cmd = [sys.executable, "-m", "newsbot.cli", "crawl", "baovinhphuc", "--data-dir", str(data),
               "--log-level", "INFO"]
        for key, value in settings.items():
            cmd += ["-s", f"{key}={value}"]
        result = run_measured(cmd, work, _child_env())
    brief = next((json.loads(line) for line in result["log"].splitlines() if line.startswith('{"site"')), {})
    return {"requests": int(result["stats"].get("downloader/request_count", 0)),
            "listing_pages": brief.get("listing_pages"), "article_pages": brief.get("article_pages"),
            "items_written": brief.get("items_written"), "wall_s": result["wall_s"],
            "returncode": result["returncode"]}


def run(quick: bool = False, articles: int | None = None) -> dict[str, Any]:
    """Three runs (full, unchanged, +1%); prints the requests of each."""
    from newsbot.testing.generator import GeneratedSite

    n = articles or (500 if quick else 2_000)
    added = max(1, n // 100)
    work = Path(tempfile.mkdtemp(prefix="newsbot-incr-bench-"))
    data = work / "data"
    try:
        first = crawl_once(GeneratedSite(n_articles=n), data, work)
        second = crawl_once(GeneratedSite(n_articles=n), data, work)
        third = crawl_once(GeneratedSite(n_articles=n + added), data, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result = {"articles": n, "added": added, "first": first, "second": second, "third": third,
              "second_over_first": second["requests"] / first["requests"] if first["requests"] else None}
    print(f"incremental: run 1 over {n} articles: {first['requests']} requests, {first['items_written']} written, "
          f"{first['wall_s']:.1f} s")
    print(f"incremental: run 2, site unchanged: {second['requests']} requests "
          f"({result['second_over_first']:.2%} of run 1), {second['items_written']} written, {second['wall_s']:.1f} s")
    print(f"incremental: run 3, {added} new articles: {third['requests']} requests, "
          f"{third['items_written']} written, {third['wall_s']:.1f} s")
    return result


def main() -> int:
    return bench_main(run, __doc__.splitlines()[0],
                      articles_help="size of the generated site (default 2000; --quick 500)")


if __name__ == "__main__":
    sys.exit(main())
