"""G1 (vinhphuc.gov.vn): the section list comes from a POST API, which tests/test_site_fixtures.py cannot follow.

The shared harness reads one section page alone, but a G1 section page has no article links: its expected file
lists what the API pages yield (``api_pages``, in the order a spider POSTs them). Here the listing is followed
the way the spider follows it, answered from the fixture folder, and every API page is checked against its own
expected file (``article_urls``, ``records_total``, ``next_form``...).
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode

import pytest
from conftest import FIXTURES
from scrapy.http import FormRequest, TextResponse
from scrapy.utils.test import get_crawler

from newsbot.extract.article import Page
from newsbot.extract.listing import RequestSpec
from newsbot.fixtures import FixtureFolder
from newsbot.items import build_item
from newsbot.pages import page_from_bytes
from newsbot.sites import get_profile
from newsbot.sites.g1 import G1Listing, listed_date
from newsbot.spiders.news import page_from_response
from newsbot.spiders.sites import SPIDERS

SITE = "vinhphuc.gov.vn"
FOLDER = FixtureFolder(FIXTURES / SITE)
PROFILE = get_profile("vinhphuc_gov")


def _expected(file: str) -> dict:
    return json.loads((FOLDER.path / "expected" / f"{Path(file).stem}.json").read_text("utf-8"))


def _page(entry) -> Page:
    return page_from_bytes(entry.url, entry.read_body(), entry.headers)


def _follow(section_url: str) -> tuple[list[dict], list[str]]:
    """Page through a section as the spider does: first_request, then next_page until None."""
    api_pages: list[dict] = []
    urls: list[str] = []
    spec: RequestSpec | None = PROFILE.listing.first_request(section_url)
    while spec is not None:
        body = urlencode(spec.form or ())
        entry = FOLDER.lookup(spec.method, spec.url, body)
        assert entry is not None, f"no recording answers {spec}"
        api_pages.append({"url": spec.url, "method": spec.method, "form": dict(spec.form or ()), "file": entry.file})
        listing = PROFILE.extract_listing(_page(entry))
        urls.extend(u for u in listing.article_urls if u not in urls)  # offset drift repeats items: once each
        spec = listing.next_page
        assert len(api_pages) < 20, "pagination does not stop"
    return api_pages, urls


SECTIONS = list(FOLDER.sections())
API_PAGES = [e for e in FOLDER.entries if e.kind == "api"]


def test_profile_sections_are_the_fixture_sections() -> None:
    site = FOLDER.site_json()
    assert [(s.name, s.url) for s in PROFILE.sections] == [(s["name"], s["url"]) for s in site["sections"]]
    assert [s.url for s in PROFILE.sections] == [e.url for e in SECTIONS]


@pytest.mark.parametrize("entry", SECTIONS, ids=lambda e: e.file)
def test_section_crawl_matches_expected(entry) -> None:
    expected = _expected(entry.file)
    api_pages, urls = _follow(entry.url)
    assert api_pages == expected["api_pages"]
    assert urls == expected["article_urls"]
    listing = PROFILE.extract_listing(_page(entry)).as_expected()  # the list view alone: name, no links
    assert listing["section"] == expected["section"]
    assert listing["next_page"] == expected["next_page"] is None
    assert listing["article_urls"] == []


@pytest.mark.parametrize("entry", API_PAGES, ids=lambda e: e.file)
def test_api_page_matches_expected(entry) -> None:
    expected = _expected(entry.file)
    got = PROFILE.extract_listing(_page(entry)).as_expected()
    for field in ("url", "request_url", "method", "form", "section", "records_total", "article_urls", "next_page",
                  "next_form"):
        assert got[field] == expected[field], field


def test_first_request_is_what_the_page_script_posts() -> None:
    first = next(e for e in API_PAGES if e.form["UrlList"].endswith("/ThoiSuChinhTri"))
    spec = PROFILE.listing.first_request(SECTIONS[0].url)
    assert spec.method == "POST"
    assert spec.url == first.url
    assert spec.form == tuple(first.form.items())  # same fields, same order, length=5
    assert dict(spec.headers)["X-Requested-With"] == "XMLHttpRequest"
    assert dict(spec.headers)["Referer"] == SECTIONS[0].url


def _spider():
    spider_cls = SPIDERS["vinhphuc_gov"]
    return spider_cls.from_crawler(get_crawler(spider_cls))


def test_spider_request_is_a_form_post_the_recording_answers() -> None:
    spec = PROFILE.listing.first_request(SECTIONS[0].url)
    request = _spider()._request(spec, callback=None, meta={})
    assert isinstance(request, FormRequest) and request.method == "POST"
    assert request.body.decode() == spec.url.split("#", 1)[1]  # the fragment is exactly the body sent
    assert FOLDER.lookup("POST", request.url, request.body).file == "api_thoisuchinhtri_start0.json"


def test_live_response_without_fragment_reads_its_form_from_the_request() -> None:
    """Live, the response URL has no fragment: the listing must still know its list and offset."""
    entry = next(e for e in API_PAGES if e.file == "api_thoisuchinhtri_start5.json")
    spec = RequestSpec(entry.url, "POST", tuple(entry.form.items()))
    request = _spider()._request(spec, callback=None, meta={})
    response = TextResponse(url=entry.url.split("#", 1)[0], body=entry.read_body(), headers=entry.headers,
                            request=request)
    listing = PROFILE.extract_listing(page_from_response(response))
    expected = _expected(entry.file)
    assert listing.article_urls == expected["article_urls"]
    assert dict(listing.next_page.form) == expected["next_form"]


def test_stop_rules() -> None:
    origin = "https://vinhphuc.gov.vn"
    spec = G1Listing.api_request(origin, "/ct/cms/tintuc/Lists/KinhTe", 5)

    def listing(data: list, total: int | None):
        payload = {"data": data} if total is None else {"recordsTotal": total, "data": data}
        return PROFILE.extract_listing(Page(url=spec.url, text=json.dumps(payload)))

    items = [{"ID": i, "CreatedDate": "2025-06-10T08:00:00"} for i in range(100, 105)]
    assert listing(items, 20).next_page is not None
    assert dict(listing(items, 20).next_page.form)["start"] == "10"
    assert listing(items, 10).next_page is None  # start + len(data) reaches recordsTotal
    assert listing(items[:4], 20).next_page is None  # a short page is the last
    assert listing([], 20).next_page is None
    assert listing(items, None).next_page is not None  # no count: keep going until a short page


def test_listed_date_keeps_the_page_convention() -> None:
    assert listed_date("2025-06-12T16:45:10") == "2025-06-12T16:45:10"
    assert listed_date("2025-06-11T00:00:00") == "2025-06-11"  # back-dated items print the date only
    assert listed_date("") is None and listed_date(None) is None


def _article_item(meta: dict, drop_date: bool) -> dict:
    entry = next(e for e in FOLDER.articles() if e.file == "article_thoisuchinhtri_13832.html")
    page = _page(entry)
    text = page.text
    if drop_date:
        text = text.replace('<span class="ngay">Ngày đăng: 12/06/2025 16:45</span>', "")
    page = Page(url=page.url, text=text, fetched_at=page.fetched_at, meta=meta)
    result = PROFILE.extract_article(page)
    return dict(build_item(result.fields, fetched_at=page.fetched_at, profile=PROFILE.key, family=PROFILE.family,
                           layout=result.layout, fallback_fields=result.fallback_fields))


def test_api_date_only_fills_a_missing_page_date() -> None:
    meta = {"listed_date": "2025-06-12T16:45:10"}
    assert _article_item(meta, drop_date=False)["published_at"] == "2025-06-12T16:45:00+07:00"  # the page wins
    item = _article_item(meta, drop_date=True)
    assert item["published_at"] == "2025-06-12T16:45:10+07:00"
    assert item["extractor"]["fallback_fields"] == ["published_at"]
    assert _article_item({}, drop_date=True)["published_at"] is None


def test_spider_pages_a_live_api_response_and_passes_the_listed_dates() -> None:
    """Through the spider: a response whose URL lost the fragment (as live) still yields articles and next POST."""
    spider_cls = SPIDERS["vinhphuc_gov"]
    spider = spider_cls.from_crawler(get_crawler(spider_cls))
    entry = next(e for e in API_PAGES if e.file == "api_thoisuchinhtri_start0.json")
    request = spider._request(RequestSpec(entry.url, "POST", tuple(entry.form.items())), spider.parse_section,
                              {"section": "Thời sự chính trị", "page_no": 1})
    response = TextResponse(url=entry.url.split("#", 1)[0], body=entry.read_body(), headers=entry.headers,
                            request=request)
    out = list(spider.parse_section(response))
    articles = [r for r in out if r.method == "GET"]
    assert [r.url for r in articles] == _expected(entry.file)["article_urls"]
    assert articles[0].meta["listed_date"] == "2025-06-12T16:45:10"
    assert articles[3].meta["listed_date"] == "2025-06-11"  # stored at midnight: date only
    (nxt,) = [r for r in out if r.method == "POST"]
    assert FOLDER.lookup("POST", nxt.url, nxt.body).file == "api_thoisuchinhtri_start5.json"
    article = TextResponse(url=articles[0].url, body=b"<html></html>", encoding="utf-8", request=articles[0])
    assert page_from_response(article).meta == {"listed_date": "2025-06-12T16:45:10"}
