"""Family G1: SharePoint 2013 provincial portals whose news lists are filled by a JSON API (vinhphuc.gov.vn).

Markers: news sections are SharePoint lists (``{ListPath}/AllItems.aspx``), articles ``{ListPath}/View_Detail.aspx
?ItemID={n}`` (item ids are per list: key articles by full URL), ``div.chitiet-tintuc`` with ``h1.tieude``,
``div.tomtat`` lead and ``div.noidung.ms-rtestate-field > div.ExternalClass…`` rich-text body.

The section page's list box is empty: an inline script POSTs ``{do, fieldOrder, ascending, UrlList, start,
length}`` to ``/APIVP/api/DSTinTuc/QUERYDATA`` and renders the JSON. The listing rules therefore start each
section with that POST and page through the API by offset.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlencode, urlsplit

from newsbot.extract.article import ArticleRules, Extracted, Page
from newsbot.extract.listing import Listing, ListingRules, RequestSpec
from newsbot.sites.base import SiteProfile

_DETAIL = "div.chitiet-tintuc"


class G1Article(ArticleRules):
    family = "G1"
    layout = "g1-sp2013-v1"
    title = f"{_DETAIL} h1.tieude"
    # "Trang chủ > Tin tức - Sự kiện > <list name>"; the first anchor is SharePoint's image-only skip link.
    section = "(//div[contains(@class, 'breadcrumb-vp')]//a[normalize-space()])[last()]"
    published = f"{_DETAIL} div.ngaydang span.ngay"  # "Ngày đăng: 12/06/2025 16:45" (date only at 00:00)
    updated = f"{_DETAIL} div.ngaydang span.capnhat"  # "| Cập nhật: 09/06/2025 08:10", only for edited items
    body = f"{_DETAIL} div.noidung"
    # DescriptionNews, set apart; it may end with a photo and its caption. When it is missing, editors pasted the
    # sapo into the body as a wholly bold first paragraph.
    lead = f"{_DETAIL} div.tomtat"
    lead_when_empty = "bold_first"
    drop = (
        f"{_DETAIL} div.congcu",  # font size, view counter, print, e-mail, share
        f"{_DETAIL} div.congcu-cuoi",  # « Quay lại, In bài viết, Đầu trang
        f"{_DETAIL} div.tinlienquan",  # "Tin cùng chuyên mục"
        f"{_DETAIL} div.tinkhac",  # "Các tin khác" (filled by script)
        # The in-body "Tin liên quan:" box is an RTE table like the photo tables, but holds links and no image.
        f"{_DETAIL} div.noidung table:has(a):not(:has(img))",
    )
    tags = None  # the portal shows no tags or keywords

    @classmethod
    def clean_title(cls, text: str) -> str:
        """The list API's ``Title`` may carry a ``##`` marker that the portal strips before display."""
        return re.sub(r"\s*##\s*", " ", text).strip()


@dataclass
class ApiListing(Listing):
    """One page of the listing API: its article URLs plus the request that produced it and the record count."""

    request: RequestSpec | None = None
    records_total: int | None = None

    def as_expected(self) -> dict[str, Any]:
        """The fixture's expected-JSON form of an API page (``next_page`` stays for GET pagers only)."""
        out = super().as_expected()
        nxt = self.next_page
        out["next_page"] = nxt.url if nxt is not None and nxt.method == "GET" else None
        out["next_form"] = dict(nxt.form) if nxt is not None and nxt.form is not None else None
        out["records_total"] = self.records_total
        if self.request is not None:
            out["request_url"] = self.request.url.split("#", 1)[0]
            out["method"] = self.request.method
            out["form"] = dict(self.request.form or ())
        return out


class G1Listing(ListingRules):
    """Listing through the portal's list API, one POST per page of ``page_size`` items.

    Each POST is described by its URL plus ``#`` plus its url-encoded form (the fixture convention): the fragment
    is never sent, but it keeps every API page a distinct, replayable address, and it tells ``extract`` which list
    and offset a response answers when the page is read without its request (a saved fixture).
    """

    section_name = ("div.danhsach-tintuc h2.tieude-chuyenmuc", G1Article.section)
    links = ()  # the section HTML has no article links: the list box is filled by script
    api_path: ClassVar[str] = "/APIVP/api/DSTinTuc/QUERYDATA"
    page_size: ClassVar[int] = 5  # ``var vpPageSize = 5`` in the section page script
    item_path: ClassVar[str] = "/View_Detail.aspx?ItemID={id}"

    # -- requests --------------------------------------------------------------------------------------------
    @classmethod
    def list_path(cls, section_url: str) -> str:
        """The SharePoint list path (``UrlList``) of a list view URL: the path without the view page."""
        path = urlsplit(section_url).path
        return path.rsplit("/", 1)[0] if path.lower().endswith(".aspx") else path.rstrip("/")

    @classmethod
    def api_request(cls, origin: str, list_path: str, start: int, referer: str | None = None,
                    length: int | None = None) -> RequestSpec:
        """The POST the section page script sends for the page at ``start``: same fields, same order."""
        form = (
            ("do", "QUERYDATA"),
            ("fieldOrder", "CreatedDate"),
            ("ascending", "desc"),
            ("UrlList", list_path),
            ("start", str(start)),
            ("length", str(length or cls.page_size)),
        )
        headers = [("X-Requested-With", "XMLHttpRequest")]
        if referer:
            headers.append(("Referer", referer))
        return RequestSpec(f"{origin}{cls.api_path}#{urlencode(form)}", method="POST", form=form,
                           headers=tuple(headers))

    @classmethod
    def first_request(cls, section_url: str) -> RequestSpec:
        parts = urlsplit(section_url)
        return cls.api_request(f"{parts.scheme}://{parts.netloc}", cls.list_path(section_url), 0, section_url)

    # -- pages -----------------------------------------------------------------------------------------------
    @classmethod
    def is_api_page(cls, page: Page) -> bool:
        return urlsplit(page.url).path.lower() == cls.api_path.lower()

    @classmethod
    def request_form(cls, page: Page) -> dict[str, str]:
        """The form an API page answers: from the crawl's request when known, else from the URL fragment."""
        pairs = page.meta.get("request_form") or parse_qsl(urlsplit(page.url).fragment, keep_blank_values=True)
        return {str(k): str(v) for k, v in pairs}

    @classmethod
    def extract(cls, page: Page, article_url_regex: str) -> Listing:
        if not cls.is_api_page(page):
            # The list view itself: only its name; the spider never needs it (first_request goes to the API).
            return super().extract(page, article_url_regex)
        return cls.extract_api(page, article_url_regex)

    @classmethod
    def extract_api(cls, page: Page, article_url_regex: str) -> ApiListing:
        parts = urlsplit(page.url)
        origin = f"{parts.scheme}://{parts.netloc}"
        form = cls.request_form(page)
        list_path = form.get("UrlList", "")
        start = _int(form.get("start")) or 0
        length = _int(form.get("length")) or cls.page_size
        # The request as it was sent (a crawl may ask for another length), in the fixture's URL#form notation.
        sent = tuple(form.items())
        request = RequestSpec(f"{origin}{cls.api_path}#{urlencode(sent)}", "POST", sent) if list_path else None
        payload = json.loads(page.text or "{}")
        if not isinstance(payload, dict):
            payload = {}
        data = [item for item in payload.get("data") or [] if isinstance(item, dict)]
        total = _int(payload.get("recordsTotal"))

        pattern = re.compile(article_url_regex)
        urls: list[str] = []
        dates: dict[str, str] = {}
        for item in data:
            item_id = _int(item.get("ID"))
            if item_id is None or not list_path:
                continue
            url = origin + list_path + cls.item_path.format(id=item_id)
            if url in urls or not pattern.match(url):
                continue
            urls.append(url)
            created = listed_date(item.get("CreatedDate"))
            if created:
                dates[url] = created

        # Stop on an empty or short page, or at the end of the records. recordsTotal is read per page: new items
        # published during a crawl shift the offsets (a page may repeat items of the previous one; the spider
        # drops repeated article URLs), so the count is never carried over from the first page.
        nxt = None
        if list_path and data and len(data) >= length and (total is None or start + len(data) < total):
            nxt = cls.api_request(origin, list_path, start + length, origin + list_path + "/AllItems.aspx", length)
        return ApiListing(url=page.url, section=None, article_urls=urls, next_page=nxt, item_dates=dates,
                          request=request, records_total=total)


def listed_date(value: Any) -> str | None:
    """The API's ``CreatedDate`` as a date string: local time without offset, date only at exactly midnight.

    Back-dated items are stored at 00:00:00 and the article page then prints the date only, so midnight means
    "no time" here, as it does on the page.
    """
    if not isinstance(value, str):
        return None
    m = re.match(r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}:\d{2}))?", value.strip())
    if not m:
        return None
    day, time = m.groups()
    return day if not time or time == "00:00:00" else f"{day}T{time}"


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


class G1Site(SiteProfile):
    """Profile base of the G1 portals: names API pages after their list, and falls back to the API's date."""

    family = "G1"
    listing: ClassVar[type[G1Listing]] = G1Listing
    layouts = (G1Article,)

    @classmethod
    def extract_listing(cls, page: Page) -> Listing:
        listing = super().extract_listing(page)
        if listing.section is None and isinstance(listing, ApiListing) and listing.request is not None:
            list_path = dict(listing.request.form or ()).get("UrlList", "")
            for section in cls.sections:
                if cls.listing.list_path(section.url) == list_path:
                    listing.section = section.name
                    break
        return listing

    @classmethod
    def extract_article(cls, page: Page) -> Extracted:
        """The article page's date line is the truth; the list's ``CreatedDate`` only fills a missing one."""
        result = super().extract_article(page)
        listed = page.meta.get("listed_date")
        from_generic = "published_at" in result.fallback_fields  # a guess from the page's text: the API knows better
        if listed and (from_generic or (not result.fields.get("published_at_raw")
                                        and not result.fields.get("published_at"))):
            result.fields["published_at_raw"] = None
            result.fields["published_at"] = listed
            if not from_generic:
                result.fallback_fields.append("published_at")
        return result
