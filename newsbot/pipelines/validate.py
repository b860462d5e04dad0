"""Drop items that cannot be used, and say why.

An article without URL, title, body or publication date is useless to the dataset; it is dropped with the reason
counted in the crawl stats (``newsbot/dropped/<reason>``) and logged with its URL, never silently lost.
"""

from __future__ import annotations

import logging

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

logger = logging.getLogger(__name__)

REQUIRED = ("url", "title", "body", "published_at")


class ValidationPipeline:
    def __init__(self, stats, required: tuple[str, ...] = REQUIRED) -> None:
        self.stats = stats
        self.required = required

    @classmethod
    def from_crawler(cls, crawler):
        required = tuple(crawler.settings.getlist("NEWSBOT_REQUIRED_FIELDS", list(REQUIRED)))
        return cls(crawler.stats, required)

    def process_item(self, item, spider=None):
        adapter = ItemAdapter(item)
        missing = [name for name in self.required if not adapter.get(name)]
        if missing:
            reason = "missing_" + "_".join(missing)
            self.stats.inc_value(f"newsbot/dropped/{reason}")
            self.stats.inc_value("newsbot/dropped")
            logger.warning("dropped %s: missing %s", adapter.get("url"), ", ".join(missing))
            raise DropItem(f"missing required field(s) {', '.join(missing)}: {adapter.get('url')}")
        return item
