"""Section (listing) page extraction: which article URLs a page lists, and where the next page is.

Like article extraction it works on a saved page alone. Requests are described as plain data
(:class:`RequestSpec`) so that API-driven listings (a SharePoint POST) stay testable without Scrapy; the spider
turns them into Scrapy requests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar
from urllib.parse import urljoin

from newsbot.extract.article import Page
from newsbot.extract.selectors import Sel, as_list, first_match, select
from newsbot.text import clean_text


@dataclass(frozen=True)
class RequestSpec:
    """A request to make, as data: GET by default, or a form POST."""

    url: str
    method: str = "GET"
    form: tuple[tuple[str, str], ...] | None = None
    headers: tuple[tuple[str, str], ...] = ()


@dataclass
class Listing:
    url: str
    section: str | None
    article_urls: list[str]
    next_page: RequestSpec | None = None
    item_dates: dict[str, str] = field(default_factory=dict)  # article URL -> date text printed in the list

    def as_expected(self) -> dict:
        """The fixture's expected-JSON form of a listing page."""
        return {
            "url": self.url,
            "section": self.section,
            "article_urls": self.article_urls,
            "next_page": self.next_page.url if self.next_page else None,
        }


class ListingRules:
    """Where the article list and the pager sit on a section page.

    ``links`` lists the anchors of the section's own list, in page order (several selectors are concatenated: a
    featured item, then the top items, then the list). Furniture boxes that also link to articles (most read,
    related, menus) must not be matched. ``next_page`` is the pager's "next" anchor, never "last".
    """

    section_name: ClassVar[Sel] = None
    links: ClassVar[Sel] = ()
    next_page: ClassVar[Sel] = None
    item: ClassVar[str | None] = None  # one list item (for per-item dates)
    item_link: ClassVar[str] = "a::attr(href)"
    item_date: ClassVar[str | None] = None

    @classmethod
    def first_request(cls, section_url: str) -> RequestSpec:
        return RequestSpec(section_url)

    @classmethod
    def extract(cls, page: Page, article_url_regex: str) -> Listing:
        sel = page.selector
        pattern = re.compile(article_url_regex)
        urls: list[str] = []
        seen: set[str] = set()
        for spec in as_list(cls.links):
            for href in select(sel, spec).getall():
                url = absolute(page, href)
                if url and pattern.match(url) and url not in seen:
                    seen.add(url)
                    urls.append(url)
        nxt = None
        hrefs = first_match(sel, cls.next_page).getall()
        for href in hrefs:
            url = absolute(page, href)
            if url and url.startswith("http") and url != page.url:
                nxt = RequestSpec(url)
                break
        section = clean_text(" ".join(first_match(sel, cls.section_name)[:1].xpath("string()").getall())) or None
        dates: dict[str, str] = {}
        if cls.item and cls.item_date:
            for item in select(sel, cls.item):
                href = item.css(cls.item_link).get()
                date = clean_text(" ".join(select(item, cls.item_date).xpath("string()").getall()))
                url = absolute(page, href) if href else None
                if url and date:
                    dates[url] = date
        return Listing(url=page.url, section=section, article_urls=urls, next_page=nxt, item_dates=dates)


def absolute(page: Page, href: str | None) -> str | None:
    """Resolve a link the way a browser would, honouring ``<base href>``."""
    if not href:
        return None
    href = href.strip()
    if not href or href.startswith(("javascript:", "mailto:", "tel:", "#")):
        return None
    base = page.selector.css("base::attr(href)").get()
    base_url = urljoin(page.url, base.strip()) if base else page.url
    url = urljoin(base_url, href)
    return url.split("#", 1)[0]
