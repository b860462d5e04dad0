"""The one crawling engine every site spider shares.

Start from the profile's section URLs, follow the listing's pagination to its end (or a stop condition), follow
article links, and hand each article page to the profile's extractor. Site knowledge lives in the profile; this
module only knows Scrapy.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from typing import Any, ClassVar

import scrapy
from scrapy.http import FormRequest, Request, Response

from newsbot.extract.article import Page
from newsbot.extract.listing import RequestSpec
from newsbot.items import build_item
from newsbot.sites.base import SiteProfile

logger = logging.getLogger(__name__)


def response_fetch_time(response: Response) -> datetime:
    """When the page was fetched: the recorded ``Date`` header in replay, now otherwise."""
    if "replay" in (response.flags or []):
        from email.utils import parsedate_to_datetime

        raw = response.headers.get(b"Date")
        if raw:
            try:
                return parsedate_to_datetime(raw.decode("latin-1")).astimezone(UTC)
            except (TypeError, ValueError):
                pass
    return datetime.now(UTC)


def page_from_response(response: Response) -> Page:
    return Page(url=response.url, text=response.text, fetched_at=response_fetch_time(response),
                status=response.status)


class NewsSpider(scrapy.Spider):
    """Crawl a site's sections. Subclasses set ``profile`` (generated in ``newsbot.spiders.sites``)."""

    profile: ClassVar[type[SiteProfile]]

    def __init__(self, *args: Any, since: str | None = None, sections: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._since_arg = since
        self._sections_arg = sections

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        since = spider._since_arg or crawler.settings.get("NEWSBOT_SINCE")
        spider.since = date.fromisoformat(since) if since else None
        spider.max_pages = crawler.settings.getint("NEWSBOT_MAX_PAGES", 0)
        return spider

    # -- requests -------------------------------------------------------------------------------------------
    def _request(self, spec: RequestSpec, callback, meta: dict[str, Any]) -> Request:
        headers = dict(spec.headers)
        if spec.method.upper() == "POST" and spec.form is not None:
            return FormRequest(spec.url, formdata=list(spec.form), headers=headers, callback=callback,
                               meta=meta, dont_filter=False)
        return Request(spec.url, method=spec.method, headers=headers, callback=callback, meta=meta)

    def selected_sections(self):
        sections = self.profile.sections
        if self._sections_arg:
            wanted = {s.strip().lower() for s in self._sections_arg.split(",")}
            sections = tuple(s for s in sections if s.name.lower() in wanted or s.url.lower() in wanted)
        return sections

    async def start(self):
        for req in self.start_requests():
            yield req

    def start_requests(self):
        for section in self.selected_sections():
            spec = self.profile.listing.first_request(section.url)
            yield self._request(spec, self.parse_section, {"section": section.name, "page_no": 1})

    # -- callbacks ------------------------------------------------------------------------------------------
    def parse_section(self, response: Response):
        stats = self.crawler.stats
        stats.inc_value("newsbot/listing_pages")
        if response.status >= 400:
            stats.inc_value(f"newsbot/listing_errors/{response.status}")
            logger.error("listing page %s answered %s", response.url, response.status)
            return
        page = page_from_response(response)
        try:
            listing = self.profile.extract_listing(page)
        except Exception:  # a broken listing must not end the crawl of the other sections
            stats.inc_value("newsbot/listing_errors/extract")
            logger.exception("could not read listing %s", response.url)
            return
        page_no = response.meta.get("page_no", 1)
        if not listing.article_urls:
            stats.inc_value("newsbot/listing_empty")
            logger.warning("listing %s has no article links", response.url)
        all_old = bool(listing.article_urls) and self.since is not None
        for url in listing.article_urls:
            if self.since is not None:
                listed = self._listed_date(listing.item_dates.get(url), page)
                if listed is None or listed >= self.since:
                    all_old = False
            yield Request(url, callback=self.parse_article,
                          meta={"section": response.meta.get("section"), "listing": response.url})
        if listing.next_page is None:
            return
        if self.since is not None and all_old:
            stats.inc_value("newsbot/pagination_stopped/since")
            return
        if self.max_pages and page_no >= self.max_pages:
            stats.inc_value("newsbot/pagination_stopped/max_pages")
            return
        yield self._request(listing.next_page, self.parse_section,
                            {"section": response.meta.get("section"), "page_no": page_no + 1})

    def _listed_date(self, text: str | None, page: Page) -> date | None:
        if not text:
            return None
        from newsbot.dates import parse_date

        parsed = parse_date(text, page.fetched_at)
        if parsed is None:
            return None
        value = parsed.value
        return value.date() if isinstance(value, datetime) else value

    def parse_article(self, response: Response):
        stats = self.crawler.stats
        stats.inc_value("newsbot/article_pages")
        if response.status >= 400:
            stats.inc_value(f"newsbot/article_errors/{response.status}")
            logger.error("article %s answered %s", response.url, response.status)
            return
        page = page_from_response(response)
        try:
            result = self.profile.extract_article(page)
            item = build_item(
                result.fields, fetched_at=page.fetched_at, profile=self.profile.key, family=self.profile.family,
                layout=result.layout, fallback_fields=result.fallback_fields,
            )
        except Exception:
            stats.inc_value("newsbot/article_errors/extract")
            logger.exception("could not extract %s", response.url)
            return
        if self.since is not None and item.get("published_at"):
            published = date.fromisoformat(item["published_at"][:10])
            if published < self.since:
                stats.inc_value("newsbot/skipped/before_since")
                return
        yield item
