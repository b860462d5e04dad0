"""Site profiles: what newsbot knows about one site, declared in a few lines.

A profile names its domain, sections, article-URL pattern, its template family's listing rules and its
article layouts (newest first; each layout says when it applies). Adding a site of a known family is a new
module with a profile class and a fixture folder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlsplit

from newsbot.extract.article import ArticleRules, Extracted, Page, extract_with_rules
from newsbot.extract.listing import Listing, ListingRules
from newsbot.items import ArticleItem, build_item


def _missing(fields: dict[str, Any], name: str) -> bool:
    if name == "published_at":
        return not fields.get("published_at_raw") and not fields.get("published_at")
    return not fields.get(name)


@dataclass(frozen=True)
class Section:
    name: str
    url: str


class SiteProfile:
    """One supported site. Subclass it in ``newsbot/sites/<family>/<site>.py``."""

    key: ClassVar[str] = ""  # the domain key, e.g. "baovinhphuc.com.vn"
    name: ClassVar[str] = ""
    spider_name: ClassVar[str] = ""
    domains: ClassVar[tuple[str, ...]] = ()
    family: ClassVar[str | None] = None
    sections: ClassVar[tuple[Section, ...]] = ()
    article_url_regex: ClassVar[str] = ""
    listing: ClassVar[type[ListingRules]] = ListingRules
    layouts: ClassVar[tuple[type[ArticleRules], ...]] = ()
    custom_settings: ClassVar[dict[str, Any]] = {}

    @classmethod
    def is_article_url(cls, url: str) -> bool:
        return bool(re.match(cls.article_url_regex, url))

    @classmethod
    def owns(cls, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        return any(host == d or host.endswith("." + d) for d in cls.domains)

    @classmethod
    def choose_layout(cls, page: Page) -> type[ArticleRules]:
        if len(cls.layouts) == 1:  # the only layout is also the fallback: no need to test it
            return cls.layouts[0]
        for layout in cls.layouts:
            if layout.matches(page):
                return layout
        return cls.layouts[0]

    # Fields a page cannot do without: when a layout's selector finds nothing (a redesign, an odd page), the
    # generic extractor fills them and the item says so in extractor.fallback_fields.
    fallback_fields: ClassVar[tuple[str, ...]] = ("title", "published_at", "body_paragraphs", "section")

    @classmethod
    def extract_article(cls, page: Page) -> Extracted:
        layout = cls.choose_layout(page)
        result = extract_with_rules(layout, page)
        missing = [name for name in cls.fallback_fields if _missing(result.fields, name)]
        if missing:
            from newsbot.extract.generic import extract_generic

            fresh = Page(url=page.url, text=page.text, fetched_at=page.fetched_at, status=page.status, meta=page.meta)
            generic = extract_generic(fresh).fields
            for name in missing:
                if name == "published_at":
                    if generic.get("published_at_raw") or generic.get("published_at"):
                        result.fields["published_at_raw"] = generic.get("published_at_raw")
                        result.fields["published_at"] = generic.get("published_at")
                        result.fallback_fields.append(name)
                elif not _missing(generic, name):
                    result.fields[name] = generic[name]
                    result.fallback_fields.append(name)
        result.fields["site"] = cls.key
        return result

    @classmethod
    def extract_item(cls, page: Page) -> ArticleItem:
        """The item a crawl writes for an article page: extraction, then the loader and provenance."""
        result = cls.extract_article(page)
        return build_item(result.fields, fetched_at=page.fetched_at, profile=cls.key, family=cls.family,
                          layout=result.layout, fallback_fields=result.fallback_fields)

    @classmethod
    def extract_listing(cls, page: Page) -> Listing:
        return cls.listing.extract(page, cls.article_url_regex)

    @classmethod
    def describe(cls) -> dict[str, Any]:
        return {
            "key": cls.key,
            "name": cls.name,
            "spider": cls.spider_name,
            "family": cls.family,
            "layouts": [layout.layout for layout in cls.layouts],
            "sections": [{"name": s.name, "url": s.url} for s in cls.sections],
        }
