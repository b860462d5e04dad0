"""Family G2: Liferay 7.x provincial portals with the vendor's ``com.soft`` news portlets (hoabinh.gov.vn).

Markers: ``/<category>/-/view-content/<id>-<slug>`` articles, ``div.news-detail > div#content_detail_news`` with
``div.summary#leadDetail``, ``div.textdetail#contentDetail``, ``div.author`` / ``div.source`` after the body, and
listing pages paged by the portlet-namespaced ``_<portlet id>_cur`` parameter (page 1 is the bare category URL).
"""

from __future__ import annotations

from newsbot.extract.article import ArticleRules
from newsbot.extract.listing import ListingRules

_DETAIL = "div#content_detail_news"


class G2Article(ArticleRules):
    family = "G2"
    layout = "g2-liferay-v1"
    title = f"{_DETAIL} h1#titleDetail"  # the theme also prints an earlier, hidden h1 ("Điều hướng")
    # The breadcrumb ends with the article's primary category (the URL path), not the listing that linked it.
    section = "//ol[contains(concat(' ', normalize-space(@class), ' '), ' breadcrumb ')]/li[last()]"
    published = f"{_DETAIL} div.tool span.date_time"
    updated = f"{_DETAIL} div.tool span.date_update"
    # The lead photo (div.img-detail + div.img-title) sits between the summary and div.textdetail, outside both,
    # so the body is the whole detail block and everything but the photo and the text is skipped while walking.
    body = f"div.news-detail {_DETAIL}"
    skip = (f"{_DETAIL} > :not(.textdetail):not(.img-detail):not(.img-title)",)
    lead = f"{_DETAIL} div.summary"  # an empty summary means "no sapo": a wholly bold first paragraph is the lead
    lead_when_empty = "bold_first"
    drop = ("table.tbl-tinlienquan", "#footerOfNewDetail")
    caption_after_image = "div.img-title"  # plain text under the lead photo; body captions are centred <em>
    authors = f"{_DETAIL} > div.author"
    source = f"{_DETAIL} > div.source"
    signature_in_body = False  # byline and source have their own boxes; a short last paragraph is body
    tags = None  # the portal shows no tags


class G2Listing(ListingRules):
    # Side boxes reuse div.box_bg / h3.title-list-news ("Tin đọc nhiều", "Văn bản mới"): anchor on the list.
    section_name = "div.box_bg:has(div.cat_record) > h3.title-list-news span.title-t1"
    links = "div.box_bg div.cat_record div.title_v a::attr(href)"
    # "Tiếp »" only; page numbers and "Đầu" link back to page 1 under a second (_cur=1) URL.
    next_page = "//div[@id='pagination']//a[contains(normalize-space(.), 'Tiếp')]/@href"
    item = "div.box_bg div.cat_record"
    item_link = "div.title_v a::attr(href)"
    item_date = "span.time"
