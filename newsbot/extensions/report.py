"""The end-of-run report and health check of one site's crawl.

An operator running dozens of sites from cron needs one line per site that says what happened and an exit
status that says when a site broke: fetch or extraction errors above a threshold, a field that stopped being
found (its coverage under a floor, or far under its own rolling average: the sign of a layout change).

Settings:
- ``NEWSBOT_MAX_ERROR_RATE`` (0.05): errors / article pages above this fails the run.
- ``NEWSBOT_MIN_COVERAGE`` ({"title": 1.0, "body": 1.0, "published_at": 1.0}): per-field floors.
- ``NEWSBOT_DRIFT_WINDOW`` (5) previous runs averaged; ``NEWSBOT_DRIFT_DROP`` (0.3): a field whose coverage
  falls this much below its average fails; ``NEWSBOT_DRIFT_MIN_ITEMS`` (5): runs with fewer items are not judged.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from itemadapter import ItemAdapter
from scrapy import signals

logger = logging.getLogger(__name__)

COVERAGE_FIELDS = ("title", "lead", "body", "authors", "source", "section", "published_at", "updated_at",
                   "captions", "tags")
DEFAULT_MIN_COVERAGE = {"title": 1.0, "body": 1.0, "published_at": 1.0}


def _ratio(num: int, den: int) -> float:
    return round(num / den, 4) if den else 0.0


def evaluate_health(summary: dict, history: list[dict], *, max_error_rate: float, min_coverage: dict,
                    window: int, drift_drop: float, min_items: int) -> list[str]:
    """Reasons why this run is unhealthy (empty list = healthy)."""
    problems = []
    if summary["error_rate"] > max_error_rate:
        problems.append(f"error rate {summary['error_rate']:.2%} > {max_error_rate:.2%}")
    items = summary["items_scraped"]
    if items >= 1:
        for name, floor in min_coverage.items():
            value = summary["coverage"].get(name, 0.0)
            if value < float(floor):
                problems.append(f"coverage of {name} {value:.2%} < floor {float(floor):.2%}")
    if items >= min_items:
        previous = [h for h in history if h.get("items_scraped", 0) >= min_items][-window:]
        if previous:
            for name in COVERAGE_FIELDS:
                avg = sum(h["coverage"].get(name, 0.0) for h in previous) / len(previous)
                value = summary["coverage"].get(name, 0.0)
                if avg - value > drift_drop:
                    problems.append(f"coverage of {name} {value:.2%} fell below its average {avg:.2%} "
                                    f"over {len(previous)} runs (layout drift?)")
    return problems


class RunReport:
    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.settings = crawler.settings
        self.stats = crawler.stats
        self.counts = dict.fromkeys(COVERAGE_FIELDS, 0)
        self.items = 0
        self.started = datetime.now(UTC)
        self.summary: dict | None = None

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.newsbot_report = ext
        return ext

    def item_scraped(self, item, response=None, spider=None):
        adapter = ItemAdapter(item)
        self.items += 1
        for name in COVERAGE_FIELDS:
            if adapter.get(name):
                self.counts[name] += 1

    def build_summary(self, spider, reason: str) -> dict:
        stats = self.stats.get_stats()
        errors = sum(v for k, v in stats.items()
                     if k.startswith(("newsbot/article_errors/", "newsbot/listing_errors/")))
        download_errors = stats.get("downloader/exception_count", 0)
        article_pages = stats.get("newsbot/article_pages", 0)
        dropped = {k.split("/", 2)[2]: v for k, v in stats.items() if k.startswith("newsbot/dropped/")}
        profile = getattr(spider, "profile", None)
        return {
            "site": profile.key if profile else spider.name,
            "spider": spider.name,
            "started_at": self.started.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "finished_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "finish_reason": reason,
            "requests": stats.get("downloader/request_count", 0),
            "responses": stats.get("downloader/response_count", 0),
            "responses_by_status": {k.rsplit("/", 1)[1]: v for k, v in stats.items()
                                    if k.startswith("downloader/response_status_count/")},
            "listing_pages": stats.get("newsbot/listing_pages", 0),
            "article_pages": article_pages,
            "items_scraped": self.items,
            "items_written": stats.get("newsbot/items_written", 0),
            "updates_written": stats.get("newsbot/items_written/update", 0),
            "dropped": dropped,
            "duplicates": {k.split("/", 2)[2]: v for k, v in stats.items() if k.startswith("newsbot/duplicates/")},
            "known_skipped": stats.get("newsbot/listed/known", 0),
            "errors": errors,
            "download_errors": download_errors,  # every failed attempt, retried ones included: not in the rate
            "error_rate": _ratio(errors, max(article_pages + stats.get("newsbot/listing_pages", 0), 1)),
            "retried_from_state": stats.get("newsbot/retried_from_state", 0),
            "replay_misses": stats.get("replay/miss", 0),
            "coverage": {name: _ratio(self.counts[name], self.items) for name in COVERAGE_FIELDS},
        }

    def spider_closed(self, spider, reason):
        from newsbot.run import get_run, versions, write_json_atomic

        summary = self.build_summary(spider, reason)
        run = get_run(self.crawler)
        history: list[dict] = []
        if run is not None:
            hist_path = run.site_dir / "reports" / "runs.jsonl"
            if hist_path.exists():
                for line in hist_path.read_text("utf-8").splitlines():
                    try:
                        history.append(json.loads(line))
                    except ValueError:
                        continue
        problems = evaluate_health(
            summary, history,
            max_error_rate=self.settings.getfloat("NEWSBOT_MAX_ERROR_RATE", 0.05),
            min_coverage=self.settings.getdict("NEWSBOT_MIN_COVERAGE", DEFAULT_MIN_COVERAGE),
            window=self.settings.getint("NEWSBOT_DRIFT_WINDOW", 5),
            drift_drop=self.settings.getfloat("NEWSBOT_DRIFT_DROP", 0.3),
            min_items=self.settings.getint("NEWSBOT_DRIFT_MIN_ITEMS", 5),
        )
        summary["health"] = "fail" if problems else "ok"
        summary["problems"] = problems
        self.stats.set_value("newsbot/health", summary["health"])
        self.summary = summary
        if run is not None:
            summary["run_id"] = run.run_id
            manifest = dict(summary, parts=run.parts, recovered_parts=run.recovered_parts, versions=versions(),
                            state=run.state.count(run.site) if run.state else None)
            write_json_atomic(run.site_dir / f"{run.run_id}.manifest.json", manifest)
            hist_path.parent.mkdir(exist_ok=True)
            with hist_path.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(summary, ensure_ascii=False) + "\n")
            run.close()
        level = logging.ERROR if problems else logging.INFO
        logger.log(level, "run report %s: %s", summary["site"], json.dumps(summary, ensure_ascii=False))
