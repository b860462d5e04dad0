"""Cross-run deduplication against the crawl state, and bookkeeping of dropped items.

Within a run ``DedupPipeline`` keeps sets in memory; across runs the state remembers every written URL and
content fingerprint, so a story republished under a new URL next week is recognised, and an item dropped for a
missing field is marked so the next run does not fetch it again.
"""

from __future__ import annotations

import logging

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import DropItem

from newsbot.urls import canonical_url

logger = logging.getLogger(__name__)


class StatePipeline:
    def __init__(self, crawler) -> None:
        from newsbot.run import get_run

        self.stats = crawler.stats
        self.run = get_run(crawler)

    @classmethod
    def from_crawler(cls, crawler):
        pipe = cls(crawler)
        crawler.signals.connect(pipe.item_dropped, signal=signals.item_dropped)
        return pipe

    @property
    def state(self):
        return self.run.state if self.run is not None else None

    def process_item(self, item, spider=None):
        if self.state is None:
            return item
        adapter = ItemAdapter(item)
        key = adapter.get("canonical_url") or canonical_url(adapter["url"])
        is_update = adapter.get("record_type") == "update"
        prior = self.state.get(key)
        if prior is not None and prior.status == "written" and not is_update:
            self.stats.inc_value("newsbot/duplicates/previous_run_url")
            raise DropItem(f"written by a previous run: {key}")
        if self.state.content_written_elsewhere(adapter.get("fingerprint"), key):
            self.stats.inc_value("newsbot/duplicates/previous_run_content")
            raise DropItem(f"same content as an article written by an earlier run: {adapter.get('url')}")
        return item

    def item_dropped(self, item, response, exception, spider=None):
        if self.state is None:
            return
        adapter = ItemAdapter(item)
        url = adapter.get("url")
        if not url:
            return
        self.state.mark_dropped(adapter.get("canonical_url") or canonical_url(url), url,
                                adapter.get("site") or "", adapter.get("section"))
