"""Family F3: the "pTitle / pHead / dcontent" CMS (baophutho.vn, baothanhhoa.vn).

Markers: ``h1.pTitle``, a ``p.pHead`` lead outside the body, ``#dcontent`` body with ``div.pImage`` images captioned
by the ``p.pCaption`` right after them, ``span.pdate`` in ``div.pInfo``, ``/{slug}-{id}.htm`` articles.

About half of the live articles carry part of the body encrypted (``div.dcontent-enc``, decoded in the browser by
``dcontent.min.js``) next to a hidden print template full of ``{title}`` placeholders. Neither is readable text, so
both are dropped before the body is read: the clear paragraphs around them are all an offline extractor can get.
"""

from __future__ import annotations

from newsbot.extract.article import ArticleRules
from newsbot.extract.listing import ListingRules


class F3Article(ArticleRules):
    family = "F3"
    layout = "f3-2025"
    title = "h1.pTitle"
    # The breadcrumb's last link names the section the page belongs to ("Trang chủ" is first).
    section = "ul.breadcrumb > li:last-child > a"
    published = "div.pInfo span.pdate"
    body = "#dcontent"
    # The lead is its own element, bold by CSS only; without it the first paragraph (even a bold sub-heading) is body.
    lead = "p.pHead"
    lead_when_empty = None
    # A lead photo block may sit between the lead and the body; its caption comes before the body's.
    lead_image = "div.pAvatar"
    drop = (
        "div.dcontent-enc",  # the encrypted body block: one base64 line, unrecoverable offline
        "div.print-template",  # hidden {title}/{publish}/{head} placeholders
        "div.drelated",  # in-body "Tin liên quan" box
        "div.ads-inpage",
        "div.audio-tts",
        "div.detail-tool",
        "div.box-comment",
        "div.box-related",
    )
    caption_after_image = "p.pCaption"
    caption_after_image_style = False  # only p.pCaption is a caption: a centred body line after a photo is body
    tags = "div.ptags a"


class F3Listing(ListingRules):
    section_name = "div.cat-head h1.cat-title"
    # Each item links twice (thumbnail and title); the listing deduplicates, keeping page order.
    links = "#listNews > div.item h2.title > a::attr(href)"
    next_page = "#paging a.next::attr(href)"
    item = "#listNews > div.item"
    item_link = "h2.title > a::attr(href)"
    item_date = "span.time"
