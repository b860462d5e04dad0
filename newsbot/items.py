"""The article item and how it is built.

``build_item`` is where raw extracted values become the published schema (``schema/article.schema.json``): text
normalised, the date string parsed against the fetch time, body paragraphs joined, provenance stamped. Both the
crawl and ``newsbot extract`` go through it, so they cannot disagree.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any

import scrapy
from itemloaders.utils import arg_to_iter

from newsbot import __version__
from newsbot.text import clean_text, fold_for_key
from newsbot.urls import canonical_url

PARAGRAPH_SEP = "\n\n"
FIELD_ORDER = ("url", "canonical_url", "record_type", "site", "section", "title", "lead", "body", "authors", "source",
               "published_at", "published_at_raw", "updated_at", "updated_at_raw", "captions", "tags", "fingerprint",
               "crawled_at", "extractor")


class ArticleItem(scrapy.Item):
    url = scrapy.Field()
    canonical_url = scrapy.Field()
    record_type = scrapy.Field()
    site = scrapy.Field()
    section = scrapy.Field()
    title = scrapy.Field()
    lead = scrapy.Field()
    body = scrapy.Field()
    authors = scrapy.Field()
    source = scrapy.Field()
    published_at = scrapy.Field()
    published_at_raw = scrapy.Field()
    updated_at = scrapy.Field()
    updated_at_raw = scrapy.Field()
    captions = scrapy.Field()
    tags = scrapy.Field()
    fingerprint = scrapy.Field()
    crawled_at = scrapy.Field()
    extractor = scrapy.Field()


def _clean(value: Any) -> str | None:
    return clean_text(value) or None if isinstance(value, str) else value


def _clean_caption(cap: dict) -> dict:
    return {k: (clean_text(cap.get(k)) or None) for k in ("text", "credit", "image_url")}


def _dedupe(values: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for v in values:
        if v and v not in seen:
            seen.add(v)
            out.append(v)
    return out


def _clean_each(values: Any) -> list:
    """Every value cleaned, empty strings dropped (what an item loader's ``MapCompose(_clean)`` does)."""
    out: list = []
    for value in arg_to_iter(values):
        out += arg_to_iter(_clean(value))
    return out


def _first_clean(values: Any) -> Any:
    """The first value that is not empty once cleaned, else None (``MapCompose(_clean)`` then ``TakeFirst()``)."""
    for value in _clean_each(values):
        if value is not None and value != "":
            return value
    return None


def content_fingerprint(title: str | None, body: str | None) -> str:
    """The content dedup key: sha1 over folded title + body, stable across whitespace and case noise."""
    key = fold_for_key(title or "") + "\n" + fold_for_key(body or "")
    return hashlib.sha1(key.encode("utf-8")).hexdigest()


def build_item(
    fields: dict[str, Any],
    *,
    fetched_at: datetime | None,
    profile: str,
    family: str | None,
    layout: str | None,
    fallback_fields: list[str] | None = None,
) -> ArticleItem:
    """Turn an extraction result into a schema-conformant item (dates parsed, provenance stamped)."""
    from newsbot.dates import parse_date  # local import: dates is heavy only on its fallback path

    now = fetched_at or datetime.now(UTC)
    item: dict[str, Any] = {
        key: _first_clean(fields.get(key))
        for key in ("url", "site", "section", "title", "lead", "source", "published_at_raw", "updated_at_raw")
    }
    item["authors"] = _dedupe([a for a in (clean_text(x) for x in fields.get("authors") or []) if a])
    item["tags"] = [t for t in (clean_text(x) for x in fields.get("tags") or []) if t]
    item["captions"] = [_clean_caption(cap) for cap in fields.get("captions") or []]
    paragraphs = _clean_each(fields.get("body_paragraphs") or [])
    item["body"] = PARAGRAPH_SEP.join(paragraphs) if paragraphs else None
    for name, raw in (("published_at", "published_at_raw"), ("updated_at", "updated_at_raw")):
        parsed = parse_date(item.get(raw), now) if item.get(raw) else None
        if parsed is None and fields.get(name):  # an ISO value from meta / JSON-LD / an API
            parsed = parse_date(fields[name], now)
            if parsed is not None and not item.get(raw):
                item[raw] = fields[name]
        item[name] = parsed.isoformat() if parsed else None
    item["canonical_url"] = canonical_url(item["url"])
    item["record_type"] = "article"
    item["fingerprint"] = content_fingerprint(item.get("title"), item.get("body"))
    item["crawled_at"] = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    item["extractor"] = {
        "name": "newsbot",
        "version": __version__,
        "profile": profile,
        "family": family,
        "layout": layout,
        "fallback_fields": list(fallback_fields or []),
    }
    return ArticleItem({name: item.get(name) for name in FIELD_ORDER})


@cache
def article_schema() -> dict:
    """The JSON Schema of an output line, shipped in the package."""
    text = resources.files("newsbot").joinpath("schema/article.schema.json").read_text("utf-8")
    return json.loads(text)
