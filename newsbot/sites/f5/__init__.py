"""Family F5: the proprietary ASP.NET CMS of Báo Ninh Thuận (``/news/{id}p{c1}c{c2}/{slug}.htm``).

Markers: one ``<form id="form1">`` around the page, ``#details`` holding ``h1.title``, a ``label`` date line,
``div.sapo`` (the lead, outside the body) and ``div.content`` (the body); photos are ``p > img`` followed by a
centred, italic caption ``div``; the category pager ``div.pager`` has relative hrefs (``?page=N``).

Two layouts share these selectors. Articles from 2015 on are one ``<p>`` per paragraph. The pre-2015 archive
(same page shell, migrated bodies) prints a date without a time, packs paragraphs into one ``<p>`` split by
``<br>`` pairs, aligns with the old ``align`` attribute and ``<b>``/``<i>``, and may close a text block with the
byline as its last ``<br>`` line. The flattener already turns each of those into a paragraph of its own and the
shared signature rule reads a bold last line, so the archive layout differs only in its marker; it exists so that
``extractor.layout`` tells which markup an item came from (and where to look when the archive misbehaves).
"""

from __future__ import annotations

import re
from typing import ClassVar

from newsbot.extract.article import ArticleRules, Page
from newsbot.extract.listing import ListingRules
from newsbot.extract.selectors import select

# "Thứ Ba, 03/12/2019 | 15:42" (2015+) versus "Thứ Năm, 12/06/2014" (archive: no time printed).
_TIME_PRINTED = re.compile(r"\|\s*\d{1,2}:\d{2}")


class F5Article(ArticleRules):
    family = "F5"
    layout = "f5-2015"
    title = "#details > h1.title"
    section = "div.cate-bar h2 a"
    published = "#details > label"
    lead = "#details > div.sapo"
    # An empty .sapo (some archive pages) means no lead: the first body paragraph stays body, "(NTO)" or not.
    lead_when_empty = None
    body = "#details > div.content"
    # Furniture inside #details; div.keyword is not dropped (tags are read from it) and sits outside the body.
    drop = ("#details div.tools", "#details div.tool-bottom", "#details div.share", "#details div.box-tinlienquan")
    # The caption is the centred <em>/<i> div right after the photo's <p>, in the body and in the .sapo alike.
    caption_after_image = ("#details div.content > p + div", "#details div.sapo > p + div")
    caption_after_image_style = True
    tags = "#details div.keyword a"

    time_printed: ClassVar[bool] = True  # which kind of date line this layout's pages carry

    @classmethod
    def matches(cls, page: Page) -> bool:
        """The date line is the one reliable archive marker: old bodies may also use modern inline styles."""
        date = " ".join(select(page.selector, "#details > label ::text").getall()).strip()
        if not date or not select(page.selector, cls.body):
            return False
        return bool(_TIME_PRINTED.search(date)) == cls.time_printed


class F5ArchiveArticle(F5Article):
    """Bodies migrated from the pre-2015 CMS: the date line carries no time."""

    layout = "f5-archive"
    time_printed = False


class F5Listing(ListingRules):
    section_name = "div.cate-bar h1"
    # Each item also links from its thumbnail (a.img); the headline link alone gives the page order.
    links = ("div.list-news div.news-top h2 a::attr(href)", "div.list-news ul.news-list > li h3 a::attr(href)")
    next_page = "div.pager a.next::attr(href)"
    item = "div.list-news div.news-top, div.list-news ul.news-list > li"
    item_link = "h2 a::attr(href), h3 a::attr(href)"
    item_date = "span.date"
