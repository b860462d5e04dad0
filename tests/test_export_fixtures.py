"""Test input for the export: the fixtures' expected articles turned into schema-conformant crawl lines.

The export must not depend on the crawler working, so its tests build their input from the ground truth in
``fixtures/<domain>/expected/*.json`` the way the item loader would (body joined with blank lines, fingerprint
and canonical URL from newsbot's own functions, provenance filled) and check it against the published JSON Schema.
Other export test modules import the helpers from here (``from test_export_fixtures import ...``).
"""

from __future__ import annotations

import gzip
import json
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from conftest import FIXTURES

from newsbot.items import article_schema, content_fingerprint
from newsbot.urls import canonical_url

CRAWLED_AT = "2026-02-01T00:00:00Z"


@cache
def _families() -> dict[str, str | None]:
    out = {}
    for site_json in FIXTURES.glob("*/site.json"):
        data = json.loads(site_json.read_text("utf-8"))
        family = data.get("cms_family")
        out[data["domain"]] = family.split()[0] if family else None
    return out


@cache
def fixture_articles() -> tuple[tuple[str, dict[str, Any]], ...]:
    """Every expected article page of every fixture site as (``site/stem`` ref, expected dict), sorted by ref."""
    out = []
    for path in sorted(FIXTURES.glob("*/expected/*.json")):
        data = json.loads(path.read_text("utf-8"))
        if "body_paragraphs" in data:
            out.append((f"{path.parent.parent.name}/{path.stem}", data))
    return tuple(out)


def _raw_date(value: str | None) -> str | None:
    """A page-style date string ("09/01/2026 10:10") for the *_raw fields, as a site would print it."""
    if not value:
        return None
    if len(value) == 10:
        return datetime.fromisoformat(value).strftime("%d/%m/%Y")
    return datetime.fromisoformat(value).strftime("%d/%m/%Y %H:%M")


def to_line(expected: dict[str, Any], *, crawled_at: str = CRAWLED_AT, version: str = "0.1.0",
            layout: str | None = "v1") -> dict[str, Any]:
    """One crawl output line for an expected article, shaped exactly as ``newsbot.items.build_item`` shapes it."""
    body = "\n\n".join(expected["body_paragraphs"])
    site = expected["site"]
    return {
        "url": expected["url"],
        "canonical_url": canonical_url(expected["url"]),
        "site": site,
        "section": expected.get("section"),
        "title": expected["title"],
        "lead": expected.get("lead"),
        "body": body,
        "authors": list(expected.get("authors") or []),
        "source": expected.get("source"),
        "published_at": expected["published_at"],
        "published_at_raw": _raw_date(expected["published_at"]),
        "updated_at": expected.get("updated_at"),
        "updated_at_raw": _raw_date(expected.get("updated_at")),
        "captions": [dict(c) for c in expected.get("captions") or []],
        "tags": list(expected.get("tags") or []),
        "fingerprint": content_fingerprint(expected["title"], body),
        "crawled_at": crawled_at,
        "extractor": {"name": "newsbot", "version": version, "profile": site, "family": _families().get(site),
                      "layout": layout, "fallback_fields": []},
    }


def fixture_lines(**kwargs: Any) -> list[dict[str, Any]]:
    """Schema-conformant lines for every fixture article (``kwargs`` go to :func:`to_line`)."""
    return [to_line(data, **kwargs) for _, data in fixture_articles()]


def validate_line(line: dict[str, Any]) -> None:
    """Raise if ``line`` does not conform to the published item schema (format checks on)."""
    validator = jsonschema.Draft202012Validator(article_schema(), format_checker=jsonschema.FormatChecker())
    validator.validate(line)


def write_jsonl(path: Path, lines: list[dict[str, Any] | str], *, gz: bool = False) -> Path:
    """Write dicts as JSON lines (strings verbatim, for malformed input) to ``path``, gzip when asked."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join((ln if isinstance(ln, str) else json.dumps(ln, ensure_ascii=False)) + "\n" for ln in lines)
    data = text.encode("utf-8")
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def edited(line: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A copy of ``line`` with ``changes``; fingerprint recomputed when title or body change."""
    out = json.loads(json.dumps(line))
    out.update(changes)
    if "title" in changes or "body" in changes:
        out["fingerprint"] = content_fingerprint(out["title"], out["body"])
    return out


# --- tests of the helper itself ------------------------------------------------------------------------------------
def test_every_fixture_article_becomes_a_schema_valid_line():
    lines = fixture_lines()
    assert len(lines) >= 100  # 8 sites with 12-16 articles each
    for line in lines:
        validate_line(line)
    assert len({ln["canonical_url"] for ln in lines}) == len(lines)
    assert len({ln["fingerprint"] for ln in lines}) == len(lines)


def test_generated_line_is_shaped_like_the_item_loader_output():
    ref, data = fixture_articles()[0]
    line = to_line(data)
    assert line["body"].split("\n\n") == data["body_paragraphs"]
    assert re.fullmatch(r"[0-9a-f]{40}", line["fingerprint"])
    assert line["fingerprint"] == content_fingerprint(data["title"].upper(), "  " + line["body"])  # folded key
    assert line["extractor"]["family"] == _families()[data["site"]]
    schema = article_schema()
    assert set(schema["required"]) <= set(line) <= set(schema["properties"])


def test_schema_check_rejects_a_broken_line():
    import pytest

    line = to_line(fixture_articles()[0][1])
    line["published_at"] = "9/1/2026"
    with pytest.raises(jsonschema.ValidationError):
        validate_line(line)
