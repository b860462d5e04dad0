"""Write each article once, however many sections list it and however many URLs reach it.

Two keys: the canonical URL (tracking parameters, fragment, scheme, trailing slash, ``www.``/``m.`` folded) and
the content fingerprint (folded title + body), which catches the same story under two different URLs.
"""

from __future__ import annotations

import logging

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from newsbot.items import content_fingerprint
from newsbot.urls import canonical_url

logger = logging.getLogger(__name__)


class DedupPipeline:
    def __init__(self, stats) -> None:
        self.stats = stats
        self.urls: set[str] = set()
        self.fingerprints: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_item(self, item, spider=None):
        adapter = ItemAdapter(item)
        url_key = adapter.get("canonical_url") or canonical_url(adapter["url"])
        fp = adapter.get("fingerprint") or content_fingerprint(adapter.get("title"), adapter.get("body"))
        if url_key in self.urls:
            self.stats.inc_value("newsbot/duplicates/url")
            raise DropItem(f"duplicate URL {url_key}")
        if fp in self.fingerprints:
            self.stats.inc_value("newsbot/duplicates/content")
            logger.info("duplicate content at %s", adapter.get("url"))
            self.urls.add(url_key)
            raise DropItem(f"duplicate content {adapter.get('url')}")
        self.urls.add(url_key)
        self.fingerprints.add(fp)
        return item
