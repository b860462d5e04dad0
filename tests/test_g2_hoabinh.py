"""G2 (hoabinh.gov.vn): what the per-page fixture harness does not cover.

Following "Tiếp »" from each profile section must reach exactly the recorded listing pages and stop; cross-listed
articles keep one URL; and pages are decoded with the HTTP charset (the ``<meta>`` comes after a Vietnamese title).
"""

from __future__ import annotations

import pytest
from conftest import FIXTURES

from newsbot.extract.article import Page
from newsbot.fixtures import FixtureFolder
from newsbot.pages import page_from_bytes
from newsbot.sites import get_profile

SITE = "hoabinh.gov.vn"
FOLDER = FixtureFolder(FIXTURES / SITE)
PROFILE = get_profile("hoabinh_gov")


def _listing(url: str):
    entry = FOLDER.lookup("GET", url)
    assert entry is not None, f"no recording for {url}"
    return entry, PROFILE.extract_listing(page_from_bytes(entry.url, entry.read_body(), entry.headers))


def test_profile_sections_are_the_fixture_sections() -> None:
    site = FOLDER.site_json()
    assert [(s.name, s.url) for s in PROFILE.sections] == [(s["name"], s["url"]) for s in site["sections"]]


@pytest.mark.parametrize("section", PROFILE.sections, ids=lambda s: s.name)
def test_next_page_walks_the_recorded_pages(section) -> None:
    """Only ``Tiếp »`` is followed: page 1 also exists as ``_cur=1``, which must never be requested."""
    spec = PROFILE.listing.first_request(section.url)
    visited = []
    while spec is not None:
        entry, listing = _listing(spec.url)
        visited.append(entry.file)
        assert listing.section == section.name
        spec = listing.next_page
        assert len(visited) < 10
    recorded = [e.file for e in FOLDER.sections() if e.url.split("?")[0] == section.url]
    assert visited == recorded


def test_cross_listed_articles_keep_one_url() -> None:
    urls: dict[str, list[str]] = {}
    for entry in FOLDER.sections():
        for url in _listing(entry.url)[1].article_urls:
            urls.setdefault(url, []).append(entry.file)
    shared = {u for u, files in urls.items() if len({f.split("_p")[0] for f in files}) > 1}
    assert {u.rsplit("/", 1)[1].split("-")[0] for u in shared} == {"451266", "451180"}
    assert set(urls) == {e.url for e in FOLDER.articles()}


def test_listing_dates_come_from_each_item() -> None:
    _, listing = _listing(PROFILE.sections[0].url)
    assert list(listing.item_dates.values()) == ["(18/10/2024)", "(17/10/2024)", "(17/10/2024)", "(16/10/2024)"]


def test_pages_are_decoded_with_the_http_charset() -> None:
    entry = next(e for e in FOLDER.articles() if e.file == "article_451293.html")
    body = entry.read_body()
    assert body.find(b"http-equiv") > body.find(b"<title>")  # the meta cannot help a byte-level parser
    page = page_from_bytes(entry.url, body, entry.headers)
    title = PROFILE.extract_article(page).fields["title"]
    assert title == "Khai mạc Ngày hội Văn hóa, Thể thao các dân tộc huyện Tân Lạc năm 2024"
    latin1 = PROFILE.extract_article(Page(url=entry.url, text=body.decode("latin-1"))).fields["title"]
    assert latin1 != title  # what a Latin-1 read would give: the charset really matters
