"""Every fixture page of every supported site against its expected JSON, field by field.

A failure names the site, the page and the field. The expected files are the ground truth copied from the site
briefs; nothing here is generated from newsbot's own output.
"""

from __future__ import annotations

from functools import cache
from urllib.parse import urlencode

import pytest
from conftest import FIXTURES, expected_for, fixture_entries

from newsbot.cli import extract_page_item
from newsbot.extract.article import Page
from newsbot.fixtures import FixtureFolder
from newsbot.pages import page_from_bytes
from newsbot.sites import all_profiles, get_profile

ARTICLE_FIELDS = ("url", "site", "section", "title", "lead", "body_paragraphs", "authors", "source",
                  "published_at", "updated_at", "captions", "tags")
SECTION_FIELDS = ("url", "section", "article_urls", "next_page")


def _cases():
    for profile in all_profiles():
        site = profile.key
        if not (FIXTURES / site / "manifest.json").exists():
            continue
        for entry in fixture_entries(site, ("article",)):
            for field in ARTICLE_FIELDS:
                yield pytest.param(site, entry["file"], field, id=f"{site}/{entry['file']}::{field}")


def _section_cases():
    for profile in all_profiles():
        site = profile.key
        if not (FIXTURES / site / "manifest.json").exists():
            continue
        for entry in fixture_entries(site, ("section",)):
            for field in SECTION_FIELDS:
                yield pytest.param(site, entry["file"], field, id=f"{site}/{entry['file']}::{field}")


def _entry(site: str, file: str) -> dict:
    return next(e for e in fixture_entries(site) if e["file"] == file)


@cache
def _article(site: str, file: str) -> dict:
    entry = _entry(site, file)
    body = (FIXTURES / site / "pages" / file).read_bytes()
    item = extract_page_item(entry["url"], body, entry.get("headers"))
    item = dict(item)
    item["body_paragraphs"] = item["body"].split("\n\n") if item.get("body") else []
    return item


@cache
def _listing(site: str, file: str) -> dict:
    entry = _entry(site, file)
    body = (FIXTURES / site / "pages" / file).read_bytes()
    page: Page = page_from_bytes(entry["url"], body, entry.get("headers"))
    profile = get_profile(site)
    got = profile.extract_listing(page).as_expected()
    first = profile.listing.first_request(entry["url"])
    if first.method != "GET" or first.url != entry["url"]:  # an API-driven listing: follow it as the spider does
        got["article_urls"] = _follow_api(site, first)
    return got


def _follow_api(site: str, spec) -> list[str]:
    """The article URLs a section's API pages yield, once each, answered from the fixture folder."""
    folder = FixtureFolder(FIXTURES / site)
    urls: list[str] = []
    while spec is not None:
        hit = folder.lookup(spec.method, spec.url, urlencode(spec.form or ()))
        if hit is None:
            break
        listing = get_profile(site).extract_listing(page_from_bytes(hit.url, hit.read_body(), hit.headers))
        urls.extend(u for u in listing.article_urls if u not in urls)
        spec = listing.next_page
    return urls


@pytest.mark.parametrize("site,file,field", list(_cases()))
def test_article_field(site: str, file: str, field: str) -> None:
    expected = expected_for(site, _entry(site, file))
    got = _article(site, file)
    assert got.get(field) == expected[field], f"{site} {file} field {field!r}"


@pytest.mark.parametrize("site,file,field", list(_section_cases()))
def test_section_field(site: str, file: str, field: str) -> None:
    expected = expected_for(site, _entry(site, file))
    got = _listing(site, file)
    assert got.get(field) == expected[field], f"{site} {file} field {field!r}"


def test_seed_article_exact(fixtures_dir) -> None:
    """The first real article newsbot must get right: the Báo Vĩnh Phúc page behind the seed text dump."""
    seed = (fixtures_dir / "seed").glob("*.txt")
    text = next(iter(seed)).read_text("utf-8")
    item = _article("baovinhphuc.com.vn", "a52376.html")
    assert item["section"] == "Thời Sự"
    assert item["title"] == "Khối thi đua Văn hóa-Xã hội: Tổng kết công tác thi đua, khen thưởng năm 2020"
    assert item["published_at"] == "2021-01-13"
    assert item["published_at_raw"] == "Thứ Tư, 13/01/2021"
    assert item["authors"] == ["Diệu Linh"]
    assert item["captions"] == [{
        "text": "Khối thi đua Văn hóa-xã hội suy tôn Ban Dân tộc tỉnh làm Trưởng khối thi đua năm 2021.",
        "credit": "Kim Ly",
        "image_url": "http://baovinhphuc.com.vn/Upload/Images/2021/01/13/kl-130121-khoi-thi-dua.jpg",
    }]
    # Every paragraph of the seed dump between the date line and the signature is lead or body, in order.
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    start = lines.index("Thứ Tư, 13/01/2021") + 1
    end = next(i for i, ln in enumerate(lines) if ln.startswith("Diệu Linh"))
    seed_paragraphs = [ln for ln in lines[start:end] if not ln.endswith("Ảnh: Kim Ly")]
    assert [item["lead"], *item["body_paragraphs"]] == seed_paragraphs
    assert "Diệu Linh" not in item["body"] and "TAG" not in item["body"] and "Ảnh:" not in item["body"]


@pytest.mark.parametrize("site", [p.key for p in all_profiles() if (FIXTURES / p.key / "manifest.json").exists()])
def test_pagination_from_profile_sections_reaches_exactly_the_recorded_pages(site: str) -> None:
    """As the spider does: from each section's first request, follow next_page; every recorded listing page once.

    An API-driven section (SharePoint) never fetches its HTML page: its listing pages are the recorded API pages.
    """
    profile = get_profile(site)
    folder = FixtureFolder(FIXTURES / site)
    reached: list[str] = []
    kinds: set[str] = set()
    for section in profile.sections:
        spec = profile.listing.first_request(section.url)
        kinds.add("section" if spec.method == "GET" and spec.url == section.url else "api")
        while spec is not None:
            hit = folder.lookup(spec.method, spec.url, urlencode(spec.form) if spec.form else None)
            assert hit is not None, f"{site}: {spec.method} {spec.url} is not a recorded page"
            reached.append(hit.url)
            spec = profile.extract_listing(page_from_bytes(hit.url, hit.read_body(), hit.headers)).next_page
    assert len(kinds) == 1
    assert sorted(reached) == sorted(e.url for e in folder.entries if e.kind in kinds)
