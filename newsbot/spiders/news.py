"""The one crawling engine every site spider shares.

Start from the profile's section URLs, follow the listing's pagination to its end (or a stop condition), follow
article links, and hand each article page to the profile's extractor. Site knowledge lives in the profile; this
module only knows Scrapy.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from typing import Any, ClassVar
from urllib.parse import parse_qsl

import scrapy
from scrapy.http import FormRequest, Request, Response

from newsbot.extract.article import Page
from newsbot.extract.listing import RequestSpec
from newsbot.pages import decoded_text
from newsbot.replay import response_fetch_time
from newsbot.sites.base import SiteProfile
from newsbot.state import KNOWN
from newsbot.urls import canonical_url

logger = logging.getLogger(__name__)


def page_from_response(response: Response) -> Page:
    return Page(url=response.url, text=decoded_text(response), fetched_at=response_fetch_time(response),
                status=response.status, meta=page_meta(response))


def page_meta(response: Response) -> dict[str, Any]:
    """What extraction may need besides the body: a POST's form fields and the date the listing showed.

    An API listing (a form POST) learns which list and offset a response answers from the form it sent: the
    live response URL carries no trace of it. A profile may use the listing's date when the article page
    prints none.
    """
    meta: dict[str, Any] = {}
    request = getattr(response, "request", None)
    if request is None:
        return meta
    if request.method.upper() == "POST" and request.body:
        meta["request_form"] = tuple(parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True))
    if request.meta.get("listed_date"):
        meta["listed_date"] = request.meta["listed_date"]
    return meta


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
        spider.refresh_days = crawler.settings.getint("NEWSBOT_REFRESH_DAYS", 0)
        spider.retry_max = crawler.settings.getint("NEWSBOT_RETRY_PENDING_MAX", 5)
        from newsbot.run import get_run

        spider.run = get_run(crawler)
        spider.crawl_state = spider.run.state if spider.run is not None else None
        return spider

    # -- requests -------------------------------------------------------------------------------------------
    def _request(self, spec: RequestSpec, callback, meta: dict[str, Any]) -> Request:
        headers = dict(spec.headers)
        if spec.method.upper() == "POST" and spec.form is not None:
            return FormRequest(spec.url, formdata=list(spec.form), headers=headers, callback=callback,
                               errback=self.on_error, meta=meta, dont_filter=False)
        return Request(spec.url, method=spec.method, headers=headers, callback=callback, errback=self.on_error,
                       meta=meta)

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
        if self.crawl_state is not None:
            # Articles a previous run discovered but never finished (killed, or failed): fetch them directly, since
            # their listing page may not be visited again once the section's first pages are all known.
            for url, section in self.crawl_state.retry_candidates(self.profile.key, self.retry_max):
                self.crawler.stats.inc_value("newsbot/retried_from_state")
                yield Request(url, callback=self.parse_article, errback=self.on_error, meta={"section": section})
        for section in self.selected_sections():
            spec = self.profile.listing.first_request(section.url)
            yield self._request(spec, self.parse_section,
                                {"section": section.name, "section_url": section.url, "page_no": 1})

    # -- callbacks ------------------------------------------------------------------------------------------
    def _fetched(self, response: Response, kind: str) -> bool:
        """Count a fetched page; an error status (seen only when HttpErrorMiddleware lets it through) is a failure."""
        self.crawler.stats.inc_value(f"newsbot/{kind}_pages")
        if response.status < 400:
            return True
        self._page_failed(response.request or Request(response.url), kind, str(response.status),
                          f"HTTP {response.status}")
        return False

    def _page_failed(self, request: Request, kind: str, reason: str, message: str, *, exc_info: bool = False) -> None:
        """A page that failed for good: counted by reason, logged with its URL, kept in the state for the next run."""
        url = (request.meta.get("newsbot_hostmap") or {}).get("original") or request.url
        self.crawler.stats.inc_value(f"newsbot/{kind}_errors/{reason}")
        logger.error("%s page %s failed (%s): %s", kind, url, reason, message[:200], exc_info=exc_info)
        if kind == "article" and self.crawl_state is not None:
            self.crawl_state.mark_failed(canonical_url(url), url, self.profile.key, request.meta.get("section"))

    def on_error(self, failure):
        """A request that failed for good (after retries): counted, logged with its URL, kept for the next run.

        Without it Scrapy drops such pages with a DEBUG line (HttpError, redirect loops, oversize or bomb bodies),
        and an article would be silently missing. robots.txt and off-domain refusals are policy, not errors.
        """
        from scrapy.exceptions import IgnoreRequest
        from scrapy.spidermiddlewares.httperror import HttpError

        request = failure.request
        kind = "listing" if request.callback == self.parse_section else "article"
        stats = self.crawler.stats
        message = str(failure.value)
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            lowered = message.lower()
            if "robots.txt" in lowered:
                stats.inc_value("newsbot/skipped/robots")
                logger.info("%s page %s is forbidden by robots.txt", kind, request.url)
                return
            if "offsite" in lowered:
                stats.inc_value("newsbot/skipped/offsite")
                return
        reason = str(failure.value.response.status) if failure.check(HttpError) else failure.type.__name__
        stats.inc_value(f"newsbot/{kind}_pages")
        self._page_failed(request, kind, reason, message)

    def parse_section(self, response: Response):
        stats = self.crawler.stats
        if not self._fetched(response, "listing"):
            return
        page = page_from_response(response)
        try:
            listing = self.profile.extract_listing(page)
        except Exception as exc:  # a broken listing must not end the crawl of the other sections
            self._page_failed(response.request, "listing", "extract", repr(exc), exc_info=True)
            return
        page_no = response.meta.get("page_no", 1)
        if not listing.article_urls:
            stats.inc_value("newsbot/listing_empty")
            logger.warning("listing %s has no article links", response.url)
        section_name = response.meta.get("section")
        section_url = response.meta.get("section_url") or response.url
        new_urls, refresh_urls = self._triage(listing.article_urls, section_name)
        # Listing dates serve --since and the first page's high-water mark; parse them once, only then.
        needs_dates = self.since is not None or (self.crawl_state is not None and page_no == 1)
        listed = {url: self._listed_date(t, page) for url, t in listing.item_dates.items()} if needs_dates else {}
        all_old = self.since is not None and bool(listing.article_urls) and all(
            listed.get(url) is not None and listed[url] < self.since for url in listing.article_urls)
        for url in new_urls:
            yield Request(url, callback=self.parse_article, errback=self.on_error,
                          meta={"section": section_name, "listing": response.url,
                                "listed_date": listing.item_dates.get(url)})
        for url in refresh_urls:
            stats.inc_value("newsbot/refresh/requested")
            yield Request(url, callback=self.parse_article, errback=self.on_error, dont_filter=True,
                          meta={"section": section_name, "listing": response.url, "refresh": True,
                                "listed_date": listing.item_dates.get(url)})
        if self.crawl_state is not None and page_no == 1:
            # The section's high-water mark: the newest date its first listing page shows (when it shows dates).
            newest = max((d for d in listed.values() if d), default=None)
            self.crawl_state.mark_section(self.profile.key, section_url, section_name, complete=False,
                                          newest_published=newest.isoformat() if newest else None)
        if listing.next_page is None:
            if self.crawl_state is not None:
                self.crawl_state.mark_section(self.profile.key, section_url, section_name, complete=True)
            return
        if self.since is not None and all_old:
            stats.inc_value("newsbot/pagination_stopped/since")
            return
        if (self.crawl_state is not None and listing.article_urls and not new_urls
                and self.crawl_state.section_complete(self.profile.key, section_url)):
            # Incremental stop: everything on this page is known and an earlier run already paged to the end.
            stats.inc_value("newsbot/pagination_stopped/known")
            return
        if self.max_pages and page_no >= self.max_pages:
            stats.inc_value("newsbot/pagination_stopped/max_pages")
            return
        yield self._request(listing.next_page, self.parse_section,
                            {"section": section_name, "section_url": section_url, "page_no": page_no + 1})

    def _triage(self, urls: list[str], section: str | None) -> tuple[list[str], list[str]]:
        """Split listed URLs into new ones (fetch) and known ones due for a refresh; the rest are skipped."""
        if self.crawl_state is None:
            return list(urls), []
        keys = {url: canonical_url(url) for url in urls}
        statuses = self.crawl_state.statuses(keys.values())
        new, known = [], []
        for url in urls:
            status = statuses.get(keys[url])
            if status in KNOWN:
                known.append(url)
            else:
                new.append(url)
                if status is None:
                    self.crawl_state.mark_pending(keys[url], url, self.profile.key, section)
        self.crawler.stats.inc_value("newsbot/listed/known", len(known))
        self.crawler.stats.inc_value("newsbot/listed/new", len(new))
        refresh: list[str] = []
        if self.refresh_days and known:
            published = self.crawl_state.published_at(keys[u] for u in known)
            cutoff = (datetime.now(UTC).date().toordinal() - self.refresh_days)
            for url in known:
                value = published.get(keys[url])
                if value and date.fromisoformat(value[:10]).toordinal() >= cutoff:
                    refresh.append(url)
        return new, refresh

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
        if not self._fetched(response, "article"):
            return
        try:
            item = self.profile.extract_item(page_from_response(response))
        except Exception as exc:
            self._page_failed(response.request, "article", "extract", repr(exc), exc_info=True)
            return
        if response.meta.get("refresh") and self.crawl_state is not None:
            prior = self.crawl_state.get(item["canonical_url"])
            if prior is not None and prior.fingerprint == item.get("fingerprint"):
                stats.inc_value("newsbot/refresh/unchanged")
                return
            stats.inc_value("newsbot/refresh/changed")
            item["record_type"] = "update"
        if self.since is not None and item.get("published_at"):
            published = date.fromisoformat(item["published_at"][:10])
            if published < self.since:
                stats.inc_value("newsbot/skipped/before_since")
                if self.crawl_state is not None:
                    self.crawl_state.mark_dropped(item["canonical_url"], item["url"], self.profile.key,
                                                  item.get("section"))
                return
        yield item
