"""The article item, its loader, and how an extraction result becomes an item.

The loader declares, per field, how raw extracted values are normalised (text cleaned, empties dropped, authors
deduplicated, body paragraphs joined); ``build_item`` feeds it, then parses the date strings against the fetch
time and stamps provenance, giving the published schema (``schema/article.schema.json``). Both the crawl and
``newsbot extract`` go through it, so they cannot disagree.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any

import scrapy
from itemloaders import ItemLoader
from itemloaders.processors import Compose, Identity, MapCompose, TakeFirst

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


def _join_paragraphs(paragraphs: list[str]) -> str | None:
    return PARAGRAPH_SEP.join(paragraphs) or None


class ArticleLoader(ItemLoader):
    """Per-field normalisation of extracted values: input processors clean, output processors shape."""

    default_item_class = ArticleItem
    default_input_processor = MapCompose(_clean)  # NFC, invisible characters out, whitespace collapsed; "" dropped
    default_output_processor = TakeFirst()
    authors_out = Compose(_dedupe)
    tags_out = Identity()
    captions_in = MapCompose(_clean_caption)
    captions_out = Identity()
    body_out = Compose(_join_paragraphs)  # body_paragraphs in, one string out


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
    loader = ArticleLoader()
    for key in ("url", "site", "section", "title", "lead", "source", "published_at_raw", "updated_at_raw", "authors",
                "tags", "captions"):
        loader.add_value(key, fields.get(key))
    loader.add_value("body", fields.get("body_paragraphs"))
    item: dict[str, Any] = dict(loader.load_item())
    item.setdefault("authors", [])
    item.setdefault("tags", [])
    item.setdefault("captions", [])
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
