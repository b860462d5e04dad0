"""Family F4: the "content-detail / h1.name" CMS (baoquangninh.vn since 2022, baohungyen.vn).

Markers: ``h1.name``, ``div.date.font5`` with ``span.post-date`` (and ``span.post-update``), ``#content-detail`` body
with ``figure.image`` photos, a ``div.pseudonym`` pen-name box after the body, ``article.card`` listings.

The byline has two homes: the pen-name box, or (when the box is empty) a last right-aligned bold paragraph inside
the body. The box wins when it has a name; otherwise the shared signature rule reads the last body line.
"""

from __future__ import annotations

from newsbot.extract.article import ArticleRules
from newsbot.extract.listing import ListingRules


class F4Article(ArticleRules):
    family = "F4"
    layout = "f4-2025"
    title = "h1.name"
    # The breadcrumb's last link names the section the page belongs to ("Trang chủ" is first).
    section = ".breadcrumbs ol.breadcrumb > li:last-child > a"
    published = "div.date.font5 span.post-date"
    updated = "div.date.font5 span.post-update"
    body = "#content-detail"
    lead_in_body = "bold_first"  # the sapo is the first body paragraph when it is entirely bold
    drop = (
        "div.relates",  # "Tin liên quan": after the body and, as div.relates-inline, between or after paragraphs
        "div.comment-box",
        "div.print_page",
        "div.social",
        "div.box-date div.tools",
        "div.block-news-list",
    )
    figure = "figure.image"
    figure_caption = "figcaption"
    authors = "div.content-article div.pseudonym"
    tags = "div.topics ul.list-topics li a"


class F4Listing(ListingRules):
    section_name = "div.category-header h1.cat-name"
    # Only the cards of the section's own list: "Đọc nhiều" in the sidebar reuses the same article.card component.
    links = "#listNews > article.card h3.card-title a::attr(href)"
    next_page = "nav.pagination-wrap a.page-link[rel=next]::attr(href)"
    item = "#listNews > article.card"
    item_link = "h3.card-title a::attr(href)"
    item_date = "span.time"
